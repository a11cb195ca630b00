package ontap

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// writeClientCert writes a self-signed client certificate and its key and
// returns their paths and the parsed certificate.
func writeClientCert(t *testing.T, cn string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// TestCertificateAuth runs the client with a client certificate against a
// server that requires one. The simulator itself only knows basic auth, so
// the front handler plays ONTAP's certificate login: it maps the verified
// certificate to the simulator's account and refuses any basic auth sent
// by the client (ONTAP cert logins use no password).
func TestCertificateAuth(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	sim := w.Cluster("cluster-a")
	certFile, keyFile, cert := writeClientCert(t, "admin")

	front := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if _, _, ok := r.BasicAuth(); ok {
			http.Error(rw, `{"error":{"message":"basic auth sent with a certificate","code":"6691623"}}`, http.StatusBadRequest)
			return
		}
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "admin" {
			http.Error(rw, `{"error":{"message":"no client certificate","code":"6691623"}}`, http.StatusUnauthorized)
			return
		}
		r.SetBasicAuth(ontapsim.DefaultUsername, ontapsim.DefaultPassword)
		sim.Handler().ServeHTTP(rw, r)
	})
	srv := httptest.NewUnstartedServer(front)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	s := &simServer{sim: sim, srv: srv}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	s.caFile = ca

	c := s.client(t, func(c *Config) { c.Password = ""; c.CertFile = certFile; c.KeyFile = keyFile })
	cl, err := c.Cluster(t.Context())
	if err != nil {
		t.Fatalf("Cluster with a client certificate: %v", err)
	}
	if cl.Name != "cluster-a" {
		t.Errorf("cluster name %q", cl.Name)
	}

	rec := &recorder{}
	noCert := s.client(t, func(c *Config) { c.Observer = rec })
	_, err = noCert.Cluster(t.Context())
	if err == nil {
		t.Fatal("a client without certificate was accepted")
	}
	if IsTransient(err) {
		t.Errorf("refused handshake classified transient: %v", err)
	}
	if n := rec.count("GET", "/api/cluster", -1); n != 1 {
		t.Errorf("%d attempts, want 1 (no retry of a refused handshake): %v", n, err)
	}
}
