package ontap

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/peerd/peerd/ontap/ontapsim"
)

// simServer serves one simulated cluster over HTTPS and writes its
// certificate as a CA file.
type simServer struct {
	sim    *ontapsim.Cluster
	srv    *httptest.Server
	caFile string
}

// serve starts an HTTPS server for c; wrap, when set, wraps the simulator's
// handler (to inject faults the simulator cannot, e.g. hanging after effect).
func serve(t testing.TB, c *ontapsim.Cluster, wrap func(http.Handler) http.Handler) *simServer {
	t.Helper()
	h := c.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewUnstartedServer(h)
	// Handshake failures are expected in the TLS tests; keep them quiet.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return &simServer{sim: c, srv: srv, caFile: ca}
}

// newWorld builds a world with the given clusters.
func newWorld(t testing.TB, opts ontapsim.Options, clusters ...ontapsim.ClusterConfig) *ontapsim.World {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 42
	}
	w := ontapsim.New(opts)
	for _, cfg := range clusters {
		if _, err := w.AddCluster(cfg); err != nil {
			t.Fatalf("add cluster %s: %v", cfg.Name, err)
		}
	}
	return w
}

// client builds a Client for s with fast retries; mod adjusts the config.
func (s *simServer) client(t testing.TB, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Name:     s.sim.Name(),
		URL:      s.srv.URL,
		Username: ontapsim.DefaultUsername,
		Password: ontapsim.DefaultPassword,
		CAFile:   s.caFile,
		Timeout:  10 * time.Second,
		Retry:    RetryPolicy{MaxAttempts: 4, MinWait: 2 * time.Millisecond, MaxWait: 20 * time.Millisecond},
		Logger:   hclog.NewNullLogger(),
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// attempt is one observed HTTP attempt.
type attempt struct {
	cluster, method, path string
	code                  int
}

// recorder is an Observer that keeps every attempt.
type recorder struct {
	mu       sync.Mutex
	attempts []attempt
}

func (r *recorder) ObserveRequest(cluster, method, path string, code int, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts = append(r.attempts, attempt{cluster, method, path, code})
}

// count returns how many attempts match method, path and code (code -1 = any).
func (r *recorder) count(method, path string, code int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, a := range r.attempts {
		if a.method == method && a.path == path && (code < 0 || a.code == code) {
			n++
		}
	}
	return n
}

// onceWrap applies fault to the first request matching method and path
// prefix and passes every other request through unchanged.
func onceWrap(method, prefix string, fault func(next http.Handler, w http.ResponseWriter, r *http.Request)) func(http.Handler) http.Handler {
	var mu sync.Mutex
	done := false
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hit := !done && r.Method == method && len(r.URL.Path) >= len(prefix) && r.URL.Path[:len(prefix)] == prefix
			if hit {
				done = true
			}
			mu.Unlock()
			if hit {
				fault(next, w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// effectThen500 lets the simulator apply the request, then answers 500.
func effectThen500(next http.Handler, w http.ResponseWriter, r *http.Request) {
	next.ServeHTTP(httptest.NewRecorder(), r)
	w.Header().Set("Content-Type", "application/hal+json")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`{"error":{"message":"Unexpected exception.","code":"262145"}}`))
}

// effectThenHang lets the simulator apply the request, then never answers
// until the client goes away (its per-request timeout).
func effectThenHang(next http.Handler, _ http.ResponseWriter, r *http.Request) {
	next.ServeHTTP(httptest.NewRecorder(), r)
	<-r.Context().Done()
}
