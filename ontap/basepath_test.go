package ontap

import (
	"net/http"
	"strings"
	"testing"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// TestObserverPathUnderBasePath reaches ONTAP through a URL with a path
// (a reverse proxy) and checks that the Observer still gets the bounded
// path template, never a record's uuid or the proxy prefix.
func TestObserverPathUnderBasePath(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	strip := func(next http.Handler) http.Handler { return http.StripPrefix("/ontap", next) }
	s := serve(t, w.Cluster("cluster-a"), strip)
	rec := &recorder{}
	c := s.client(t, func(c *Config) {
		c.URL = s.srv.URL + "/ontap/"
		c.Observer = rec
	})
	p, err := c.CreatePeer(t.Context(), CreatePeerRequest{Name: "via-proxy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetPeer(t.Context(), p.UUID, nil); err != nil {
		t.Fatal(err)
	}
	if n := rec.count("GET", "/api/cluster/peers/{uuid}", 200); n != 1 {
		t.Errorf("observed %d GET {uuid} attempts, want 1: %+v", n, rec.attempts)
	}
	for _, a := range rec.attempts {
		if strings.Contains(a.path, p.UUID) || strings.HasPrefix(a.path, "/ontap") {
			t.Errorf("observed path %q", a.path)
		}
	}
}
