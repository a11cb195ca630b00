package daemon

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"
)

type readyFlag struct{ atomic.Bool }

func (r *readyFlag) Ready() bool { return r.Load() }

func get(t *testing.T, c *http.Client, url string, auth ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(auth) == 2 {
		req.SetBasicAuth(auth[0], auth[1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func listen(t *testing.T, webConfig string) (*Server, *readyFlag) {
	t.Helper()
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "peerd_test_value", Help: "A test value."})
	g.Set(42)
	reg.MustRegister(g)
	ready := &readyFlag{}
	s, err := Listen("127.0.0.1:0", webConfig, Handler(reg, ready, hclog.NewNullLogger()), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(5 * time.Second) })
	return s, ready
}

func TestHTTPEndpoints(t *testing.T) {
	s, ready := listen(t, "")
	base := "http://" + s.Addr()
	c := &http.Client{Timeout: waitLimit}
	if code, _ := get(t, c, base+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d", code)
	}
	if code, _ := get(t, c, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz before the first pass = %d, want 503", code)
	}
	ready.Store(true)
	if code, _ := get(t, c, base+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz after the first pass = %d, want 200", code)
	}
	code, body := get(t, c, base+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, "peerd_test_value 42") {
		t.Fatalf("/metrics = %d:\n%s", code, body)
	}
	if code, _ := get(t, c, base+"/nope"); code != http.StatusNotFound {
		t.Fatalf("/nope = %d, want 404", code)
	}
}

func TestHTTPWebConfigBasicAuth(t *testing.T) {
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret-pass"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(dir, "web.yml")
	content := "basic_auth_users:\n  prom: " + string(hash) + "\n"
	if err := os.WriteFile(webConfig, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ := listen(t, webConfig)
	c := &http.Client{Timeout: waitLimit}
	url := "http://" + s.Addr() + "/metrics"
	if code, _ := get(t, c, url); code != http.StatusUnauthorized {
		t.Fatalf("/metrics without credentials = %d, want 401", code)
	}
	if code, _ := get(t, c, url, "prom", "wrong"); code != http.StatusUnauthorized {
		t.Fatalf("/metrics with a wrong password = %d, want 401", code)
	}
	if code, _ := get(t, c, url, "prom", "s3cret-pass"); code != http.StatusOK {
		t.Fatalf("/metrics with credentials = %d, want 200", code)
	}
}

func TestListenRejectsBadWebConfig(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(bad, []byte("tls_server_config:\n  cert_file: /nonexistent.pem\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Listen("127.0.0.1:0", bad, http.NotFoundHandler(), hclog.NewNullLogger())
	if err == nil {
		t.Fatal("Listen with an invalid web config: want an error")
	}
}
