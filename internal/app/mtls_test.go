package app_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix/apipixtest"
)

// pki is a throwaway CA with a server and a client certificate.
type pki struct {
	caPEM            []byte
	serverCert       string
	serverKey        string
	client, stranger tls.Certificate
	roots            *x509.CertPool
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	dir := t.TempDir()
	mk := func(tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, []byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := x509.ParseCertificate(der)
		kb, _ := x509.MarshalECPrivateKey(key)
		return cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	}
	now := time.Now()
	ca, caKey, caPEM, _ := mk(&x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "PSP test CA"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	_, _, srvPEM, srvKey := mk(&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "regua"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca, caKey)
	_, _, cliPEM, cliKey := mk(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "psp"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca, caKey)
	// A client certificate from another CA.
	other, otherKey, _, _ := mk(&x509.Certificate{SerialNumber: big.NewInt(4), Subject: pkix.Name{CommonName: "other CA"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	_, _, strPEM, strKey := mk(&x509.Certificate{SerialNumber: big.NewInt(5), Subject: pkix.Name{CommonName: "intruder"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, other, otherKey)
	p := &pki{caPEM: caPEM, roots: x509.NewCertPool()}
	p.roots.AppendCertsFromPEM(caPEM)
	p.serverCert, p.serverKey = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	os.WriteFile(p.serverCert, srvPEM, 0o600)
	os.WriteFile(p.serverKey, srvKey, 0o600)
	p.client, _ = tls.X509KeyPair(cliPEM, cliKey)
	p.stranger, _ = tls.X509KeyPair(strPEM, strKey)
	return p
}

// Providers that secure webhooks with mTLS post without an HMAC: a client
// certificate from the configured CA is the authentication; anyone else
// is refused at the handshake.
func TestPixWebhookOverMTLS(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	caFile := filepath.Join(t.TempDir(), "client-ca.pem")
	os.WriteFile(caFile, p.caPEM, 0o600)
	s := start(t, map[string]string{"REGUA_WEBHOOK_TLS_ADDR": "127.0.0.1:0", "REGUA_WEBHOOK_TLS_CERT": p.serverCert,
		"REGUA_WEBHOOK_TLS_KEY": p.serverKey, "REGUA_WEBHOOK_CLIENT_CA": caFile})
	code := s.issue(t, "fat-1006")
	amount, _ := payments.ParseCents(code["amount"].(string))
	e2e := apipixtest.NewEndToEndID("00000000", testNow, 77)
	body := `{"pix":[` + pixJSON(e2e, code["txid"].(string), amount, testNow) + `]}`
	url := "https://" + s.WebhookTLSAddr().String() + "/webhooks/pix"
	client := func(certs ...tls.Certificate) *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.roots, Certificates: certs}}}
	}
	for name, c := range map[string]*http.Client{"no certificate": client(), "another CA": client(p.stranger)} {
		if res, err := c.Post(url, "application/json", strings.NewReader(body)); err == nil {
			res.Body.Close()
			t.Fatalf("%s: accepted with status %d", name, res.StatusCode)
		}
	}
	if n := s.count(t, "SELECT count(*) FROM payments WHERE end_to_end_id = $1", e2e); n != 0 {
		t.Fatal("posted without a valid client certificate")
	}
	res, err := client(p.client).Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if n := s.count(t, "SELECT count(*) FROM payments WHERE end_to_end_id = $1", e2e); n != 1 {
		t.Fatalf("%d payments posted", n)
	}
	// The plain listener still wants the HMAC.
	if r := s.notify(t, body, nil); r.status != 401 {
		t.Fatalf("plain HTTP without signature: %d", r.status)
	}
}
