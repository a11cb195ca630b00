package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"
)

// DefaultListen is the default address of the HTTP endpoints.
const DefaultListen = "127.0.0.1:9731"

// Readiness reports whether the daemon is ready, and why not.
type Readiness interface {
	Ready() bool
}

// Handler serves /metrics from g, /healthz (the process answers) and
// /readyz (200 once ready reports true, else 503).
func Handler(g prometheus.Gatherer, ready Readiness, log hclog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorLog: log.StandardLogger(&hclog.StandardLoggerOptions{ForceLevel: hclog.Error}),
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Ready() {
			http.Error(w, "not ready: no pass has completed yet", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>peerd</title></head><body><h1>peerd</h1>`+
			`<p><a href="metrics">metrics</a> <a href="healthz">healthz</a> <a href="readyz">readyz</a></p></body></html>`)
	})
	return mux
}

// Server is the HTTP endpoint server.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Listen binds addr (DefaultListen when empty) and serves h on it, with TLS
// and basic auth from the exporter-toolkit webConfigFile when set.
func Listen(addr, webConfigFile string, h http.Handler, log hclog.Logger) (*Server, error) {
	if addr == "" {
		addr = DefaultListen
	}
	if webConfigFile != "" {
		if err := web.Validate(webConfigFile); err != nil {
			return nil, fmt.Errorf("web config %s: %w", webConfigFile, err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s := &Server{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          log.StandardLogger(&hclog.StandardLoggerOptions{ForceLevel: hclog.Debug}),
		},
		ln:   ln,
		done: make(chan error, 1),
	}
	flags := &web.FlagConfig{WebConfigFile: &webConfigFile}
	go func() {
		err := web.Serve(ln, s.srv, flags, newSlog(log))
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// Addr is the bound address (useful with port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Done delivers the serve error (nil after Shutdown).
func (s *Server) Done() <-chan error { return s.done }

// Shutdown stops the server, waiting up to timeout for open requests.
func (s *Server) Shutdown(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("stop http server: %w", err)
	}
	return nil
}
