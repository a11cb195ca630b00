package ontap

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/peerd/peerd/ontap/ontapsim"
	"golang.org/x/sync/errgroup"
)

func TestTLSVerification(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	s := serve(t, w.Cluster("cluster-a"), nil)

	t.Run("CA file", func(t *testing.T) {
		cl, err := s.client(t, nil).Cluster(t.Context())
		if err != nil {
			t.Fatalf("Cluster: %v", err)
		}
		if cl.Name != "cluster-a" || cl.UUID != s.sim.UUID() {
			t.Errorf("cluster = %+v, want name cluster-a uuid %s", cl, s.sim.UUID())
		}
		if cl.Version.String() != "9.16.1" {
			t.Errorf("version = %+v, want 9.16.1", cl.Version)
		}
		if cl.PeeringPolicy == nil || cl.PeeringPolicy.MinimumPassphraseLength != 8 {
			t.Errorf("peering policy = %+v, want minimum passphrase length 8", cl.PeeringPolicy)
		}
	})
	t.Run("system roots refuse the self-signed certificate", func(t *testing.T) {
		rec := &recorder{}
		c := s.client(t, func(c *Config) { c.CAFile = ""; c.Observer = rec })
		_, err := c.Cluster(t.Context())
		if err == nil {
			t.Fatal("Cluster succeeded without the CA file")
		}
		if !strings.Contains(err.Error(), "certificate") {
			t.Errorf("error %q does not mention the certificate", err)
		}
		if IsTransient(err) {
			t.Errorf("certificate failure classified transient: %v", err)
		}
		if n := rec.count("GET", "/api/cluster", 0); n != 1 {
			t.Errorf("%d attempts, want 1 (no retry of a certificate failure)", n)
		}
	})
	t.Run("insecure skip verify warns", func(t *testing.T) {
		var buf bytes.Buffer
		log := hclog.New(&hclog.LoggerOptions{Output: &buf, Level: hclog.Warn})
		c := s.client(t, func(c *Config) { c.CAFile = ""; c.InsecureSkipVerify = true; c.Logger = log })
		if _, err := c.Cluster(t.Context()); err != nil {
			t.Fatalf("Cluster: %v", err)
		}
		if !strings.Contains(buf.String(), "verification is disabled") {
			t.Errorf("no warning logged; log: %q", buf.String())
		}
	})
}

func TestBasicAuthFailure(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	s := serve(t, w.Cluster("cluster-a"), nil)
	c := s.client(t, func(c *Config) { c.Password = "Wrong-Pa55word" })
	_, err := c.ListPeers(t.Context(), nil)
	if !IsAuth(err) {
		t.Fatalf("ListPeers error = %v, want IsAuth", err)
	}
	if IsTransient(err) {
		t.Error("auth failure classified transient")
	}
	if strings.Contains(err.Error(), "Wrong-Pa55word") {
		t.Errorf("error leaks the password: %v", err)
	}
	if n := s.sim.RequestCount("GET", "/api/cluster/peers"); n != 1 {
		t.Errorf("%d requests, want 1 (401 is not retried)", n)
	}
}

func TestNodesIpspacesInterfaces(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a", Nodes: 4, Ipspaces: []string{"ips1"}})
	s := serve(t, w.Cluster("cluster-a"), nil)
	c := s.client(t, nil)
	ctx := t.Context()

	nodes, err := c.Nodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 4 || nodes[0].Name != "cluster-a-01" || nodes[0].UUID == "" {
		t.Errorf("nodes = %+v", nodes)
	}
	spaces, err := c.Ipspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, sp := range spaces {
		names[sp.Name] = true
	}
	if !names["Default"] || !names["Cluster"] || !names["ips1"] {
		t.Errorf("ipspaces = %+v", spaces)
	}
	lifs, err := c.InterclusterInterfaces(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, l := range lifs {
		addrs = append(addrs, l.IP.Address)
		if l.Location == nil || l.Location.HomeNode == nil || l.Location.HomeNode.Name == "" {
			t.Errorf("LIF %s has no home node: %+v", l.Name, l)
		}
	}
	if !sameSet(addrs, s.sim.InterclusterAddresses("")) {
		t.Errorf("LIF addresses %v, want %v", addrs, s.sim.InterclusterAddresses(""))
	}

	lif, err := c.CreateInterface(ctx, CreateInterfaceRequest{Name: "cluster-a-01_ic9", Address: "203.0.113.250",
		Netmask: "24", Ipspace: "ips1", HomeNode: "cluster-a-01"})
	if err != nil {
		t.Fatalf("CreateInterface: %v", err)
	}
	if lif.UUID == "" || lif.Name != "cluster-a-01_ic9" {
		t.Errorf("created LIF = %+v", lif)
	}
	if got := s.sim.InterclusterAddresses("ips1"); !sameSet(got, []string{"203.0.113.250"}) {
		t.Errorf("ips1 intercluster addresses = %v", got)
	}
}

// createAnonymous creates n named anonymous offers (generated passphrase).
func createAnonymous(t testing.TB, c *Client, n int) {
	t.Helper()
	g, ctx := errgroup.WithContext(t.Context())
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error {
			_, err := c.CreatePeer(ctx, CreatePeerRequest{Name: fmt.Sprintf("p%05d", i),
				Authentication: &CreateAuthentication{GeneratePassphrase: true}})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("create %d peers: %v", n, err)
	}
}

func TestListPeersPaging(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	s := serve(t, w.Cluster("cluster-a"), nil)
	createAnonymous(t, s.client(t, nil), 2500)
	s.sim.ResetCounters()

	c := s.client(t, func(c *Config) { c.MaxRecords = 100 })
	peers, err := c.ListPeers(t.Context(), []string{"uuid", "name", "status"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range peers {
		if p.UUID == "" || seen[p.UUID] {
			t.Fatalf("missing or repeated uuid in %+v", p)
		}
		seen[p.UUID] = true
	}
	if len(seen) != 2500 {
		t.Errorf("listed %d distinct peers, want 2500", len(seen))
	}
	// The simulator sets _links.next only while records remain, so 2,500
	// records at 100 per page take exactly 25 requests (no empty last page).
	if n := s.sim.RequestCount("GET", "/api/cluster/peers"); n != 25 {
		t.Errorf("%d page requests, want 25", n)
	}
	if n := s.sim.TotalRequests(); n != 25 {
		t.Errorf("%d requests in total, want 25", n)
	}
}

func TestRetriesOn503(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	s := serve(t, w.Cluster("cluster-a"), nil)

	t.Run("gives up after MaxAttempts", func(t *testing.T) {
		s.sim.ResetCounters()
		s.sim.SetFaults(ontapsim.Faults{ErrorRate: 1})
		defer s.sim.SetFaults(ontapsim.Faults{})
		_, err := s.client(t, nil).ListPeers(t.Context(), nil)
		var e *Error
		if !errors.As(err, &e) || e.HTTPStatus != 503 || e.Code != "65552" || !IsTransient(err) {
			t.Fatalf("error = %#v, want transient 503 code 65552", err)
		}
		if n := s.sim.RequestCount("GET", "/api/cluster/peers"); n != 4 {
			t.Errorf("%d attempts, want 4 (MaxAttempts)", n)
		}
	})
	t.Run("half the requests fail", func(t *testing.T) {
		s.sim.ResetCounters()
		s.sim.SetFaults(ontapsim.Faults{ErrorRate: 0.5})
		defer s.sim.SetFaults(ontapsim.Faults{})
		rec := &recorder{}
		c := s.client(t, func(c *Config) { c.Observer = rec; c.Retry.MaxAttempts = 20 })
		for i := range 10 {
			if _, err := c.CreatePeer(t.Context(), CreatePeerRequest{Name: fmt.Sprintf("r%02d", i)}); err != nil {
				t.Fatalf("CreatePeer %d: %v", i, err)
			}
		}
		if n := len(s.sim.Peers()); n != 10 {
			t.Errorf("%d peers, want 10", n)
		}
		failed := rec.count("POST", "/api/cluster/peers", 503)
		if failed == 0 {
			t.Error("no 503 was injected; the test proves nothing")
		}
		if got, want := s.sim.RequestCount("POST", "/api/cluster/peers"), 10+failed; got != want {
			t.Errorf("%d POSTs, want %d (10 creates + %d retried 503s)", got, want, failed)
		}
	})
}

func TestLatencyAndTimeout(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	s := serve(t, w.Cluster("cluster-a"), nil)

	s.sim.SetFaults(ontapsim.Faults{Latency: 30 * time.Millisecond})
	if _, err := s.client(t, nil).Cluster(t.Context()); err != nil {
		t.Fatalf("Cluster under latency: %v", err)
	}
	if n := s.sim.RequestCount("GET", "/api/cluster"); n != 1 {
		t.Errorf("%d attempts under latency below the timeout, want 1", n)
	}

	s.sim.ResetCounters()
	s.sim.SetFaults(ontapsim.Faults{Latency: time.Minute})
	rec := &recorder{}
	c := s.client(t, func(c *Config) { c.Timeout = 50 * time.Millisecond; c.Retry.MaxAttempts = 3; c.Observer = rec })
	_, err := c.Cluster(t.Context())
	if err == nil || !IsTransient(err) {
		t.Fatalf("error = %v, want a transient timeout", err)
	}
	if n := rec.count("GET", "/api/cluster", 0); n != 3 {
		t.Errorf("%d timed-out attempts observed, want 3", n)
	}
	if n := s.sim.RequestCount("GET", "/api/cluster"); n != 3 {
		t.Errorf("simulator saw %d attempts, want 3", n)
	}
}

func TestRateLimit(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	s := serve(t, w.Cluster("cluster-a"), nil)
	c := s.client(t, func(c *Config) { c.RateLimit = 50; c.Burst = 1 })
	start := time.Now()
	for range 11 {
		if _, err := c.Cluster(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	// 11 requests at 50/s with burst 1 need at least 10 intervals of 20ms.
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("11 requests took %v, want at least 200ms at 50 req/s", d)
	}
}

func TestObserverAndDelete(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	s := serve(t, w.Cluster("cluster-a"), nil)
	rec := &recorder{}
	c := s.client(t, func(c *Config) { c.Observer = rec })
	ctx := t.Context()

	_, err := c.GetPeer(ctx, "6d2c0f4e-0000-4000-8000-000000000001", nil)
	if !IsNotFound(err) {
		t.Fatalf("GetPeer of a missing peer: %v, want IsNotFound", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Path != "/api/cluster/peers/{uuid}" || e.Method != "GET" {
		t.Errorf("error = %#v, want method GET and the path template", err)
	}
	if n := rec.count("GET", "/api/cluster/peers/{uuid}", 404); n != 1 {
		t.Errorf("observed %d GET {uuid} 404 attempts, want 1: %+v", n, rec.attempts)
	}
	if rec.attempts[0].cluster != "cluster-a" {
		t.Errorf("observed cluster %q", rec.attempts[0].cluster)
	}

	p, err := c.CreatePeer(ctx, CreatePeerRequest{Name: "gone-soon"})
	if err != nil {
		t.Fatal(err)
	}
	// The first DELETE takes effect and answers 500; its retry gets 404,
	// which counts as deleted.
	s.sim.SetFaults(ontapsim.Faults{AfterEffectErrorRate: 1})
	if err := c.DeletePeer(ctx, p.UUID); err != nil {
		t.Fatalf("DeletePeer: %v", err)
	}
	s.sim.SetFaults(ontapsim.Faults{})
	if n := s.sim.RequestCount("DELETE", "/api/cluster/peers/{uuid}"); n != 2 {
		t.Errorf("%d DELETEs, want 2 (500 after effect, then 404)", n)
	}
	if len(s.sim.Peers()) != 0 {
		t.Errorf("peers left: %+v", s.sim.Peers())
	}
	if err := c.DeletePeer(ctx, p.UUID); err != nil {
		t.Errorf("DeletePeer of a deleted peer: %v, want nil", err)
	}
}

func TestJobs(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	s := serve(t, w.Cluster("cluster-a"), nil)
	c := s.client(t, func(c *Config) { c.JobPollInterval = 5 * time.Millisecond })
	ctx := t.Context()
	s.sim.SetFaults(ontapsim.Faults{Async: true})

	p, err := c.CreatePeer(ctx, CreatePeerRequest{Name: "async-offer"})
	if err != nil {
		t.Fatalf("CreatePeer with a job: %v", err)
	}
	// A job never carries the generated passphrase (nor does the job of the
	// PATCH that asks for a new one), so none can be returned.
	if p.UUID == "" || p.Name != "async-offer" || (p.Authentication != nil && p.Authentication.Passphrase != "") {
		t.Errorf("created peer = %+v, want uuid, name and no passphrase", p)
	}
	_, err = c.CreatePeer(ctx, CreatePeerRequest{Name: "async-offer"})
	var e *Error
	if !errors.As(err, &e) || e.Code != "4653075" {
		t.Fatalf("duplicate create: %v, want a failed job with code 4653075", err)
	}
	if err := c.DeletePeer(ctx, p.UUID); err != nil {
		t.Fatalf("DeletePeer with a job: %v", err)
	}
	if len(s.sim.Peers()) != 0 {
		t.Errorf("peers left: %+v", s.sim.Peers())
	}
	if n := s.sim.RequestCount("GET", "/api/cluster/jobs/{uuid}"); n < 3 {
		t.Errorf("%d job polls, want at least one per mutation (3)", n)
	}
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestListPeersStopsOnRepeatedNext serves a page whose next link points to
// itself; the client must stop instead of looping.
func TestListPeersStopsOnRepeatedNext(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		_, _ = w.Write([]byte(`{"records":[{"uuid":"u1","name":"a"}],"num_records":1,
			"_links":{"next":{"href":"/api/cluster/peers?start.uuid=u1&max_records=1"}}}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{Name: "loop", URL: srv.URL, Username: "admin", Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	peers, err := c.ListPeers(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(peers) != 2 || calls != 2 {
		t.Errorf("%d records from %d requests, want 2 from 2 (first page, then the repeated link once)", len(peers), calls)
	}
}
