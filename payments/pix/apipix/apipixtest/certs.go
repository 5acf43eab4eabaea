package apipixtest

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
	"os"
	"path/filepath"
	"testing"
	"time"
)

// pki is the fake's certificates, made fresh for each server.
type pki struct {
	caCert        *x509.Certificate
	caKey         *ecdsa.PrivateKey
	caPEM         []byte
	pool          *x509.CertPool
	server        tls.Certificate
	client        tls.Certificate
	clientCertPEM []byte
	clientKeyPEM  []byte
}

func newPKI() (*pki, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "apipixtest CA", Organization: []string{"Régua tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	p := &pki{caCert: caCert, caKey: caKey, pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)
	p.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})

	serverPEM, serverKeyPEM, err := p.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return nil, err
	}
	if p.server, err = tls.X509KeyPair(serverPEM, serverKeyPEM); err != nil {
		return nil, err
	}
	p.clientCertPEM, p.clientKeyPEM, err = p.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "regua-test-client", Organization: []string{"Régua tests"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, err
	}
	if p.client, err = tls.X509KeyPair(p.clientCertPEM, p.clientKeyPEM); err != nil {
		return nil, err
	}
	return p, nil
}

// issue signs tmpl with the CA and returns the certificate and key as PEM.
func (p *pki) issue(tmpl *x509.Certificate) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl.SerialNumber = serial()
	tmpl.NotBefore = now.Add(-time.Hour)
	tmpl.NotAfter = now.Add(24 * time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n
}

// CAPool is a pool holding the fake's CA, to verify its server certificate.
func (s *Server) CAPool() *x509.CertPool { return s.pki.pool.Clone() }

// CAPEM is the fake's CA certificate in PEM.
func (s *Server) CAPEM() []byte { return clone(s.pki.caPEM) }

// ClientCertificate is a client certificate the fake accepts.
func (s *Server) ClientCertificate() tls.Certificate { return s.pki.client }

// ClientCertPEM and ClientKeyPEM are ClientCertificate in PEM.
func (s *Server) ClientCertPEM() []byte { return clone(s.pki.clientCertPEM) }

// ClientKeyPEM is the private key of ClientCertificate in PEM.
func (s *Server) ClientKeyPEM() []byte { return clone(s.pki.clientKeyPEM) }

// WriteClientCert writes the client certificate and key to PEM files in
// t.TempDir(), as a deployment would hold them, and returns their paths.
func (s *Server) WriteClientCert(t testing.TB) (certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key")
	if err := os.WriteFile(certFile, s.pki.clientCertPEM, 0o600); err != nil {
		t.Fatalf("apipixtest: write client certificate: %v", err)
	}
	if err := os.WriteFile(keyFile, s.pki.clientKeyPEM, 0o600); err != nil {
		t.Fatalf("apipixtest: write client key: %v", err)
	}
	return certFile, keyFile
}

// UntrustedClientCertificate returns a self-signed client certificate that
// no fake server trusts, to test that a stranger is refused.
func UntrustedClientCertificate(t testing.TB) tls.Certificate {
	t.Helper()
	other, err := newPKI()
	if err != nil {
		t.Fatalf("apipixtest: make certificates: %v", err)
	}
	return other.client
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
