package app

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/regua/regua/internal/httpapi"
)

// startMTLS serves the provider webhooks on REGUA_WEBHOOK_TLS_ADDR, where
// only clients holding a certificate from REGUA_WEBHOOK_CLIENT_CA get in
// (the Banco Central's API Pix secures webhooks this way).
func (m *Main) startMTLS() error {
	cert, err := tls.LoadX509KeyPair(m.Config.WebhookTLSCert, m.Config.WebhookTLSKey)
	if err != nil {
		return fmt.Errorf("REGUA_WEBHOOK_TLS_CERT: %w", err)
	}
	pem, err := os.ReadFile(m.Config.WebhookClientCA)
	if err != nil {
		return fmt.Errorf("REGUA_WEBHOOK_CLIENT_CA: %w", err)
	}
	cas := x509.NewCertPool()
	if !cas.AppendCertsFromPEM(pem) {
		return fmt.Errorf("REGUA_WEBHOOK_CLIENT_CA: no certificate in %s", m.Config.WebhookClientCA)
	}
	ln, err := tls.Listen("tcp", m.Config.WebhookTLSAddr, &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    cas,
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		return fmt.Errorf("REGUA_WEBHOOK_TLS_ADDR: %w", err)
	}
	api := httpapi.New(httpapi.Deps{Pool: m.Pool, Store: m.Store, Ledger: m.Ledger, Log: m.Log, Ready: m.ready, Metrics: m.registry})
	h := api.PixWebhookMTLS(httpapi.PixDeps{Billing: m.Billing, Secret: m.Config.WebhookSecret, PublicURL: m.Config.PublicURL, Now: m.Now})
	m.mtlsLn = ln
	m.mtls = &http.Server{Handler: httpapi.Observe(m.Log, nil, h), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: nil}
	go m.mtls.Serve(ln)
	m.Log.Info("serving provider webhooks over mTLS", "addr", ln.Addr().String())
	return nil
}

// WebhookTLSAddr is the mTLS listener's address (after Start), or nil.
func (m *Main) WebhookTLSAddr() net.Addr {
	if m.mtlsLn == nil {
		return nil
	}
	return m.mtlsLn.Addr()
}
