package reconcile

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
	"github.com/peerd/peerd/ontap/ontapsim"
)

// simEnv is a simulated world whose clusters are served over real HTTP and
// reached through the real ontap client.
type simEnv struct {
	t       *testing.T
	world   *ontapsim.World
	clock   *ontapsim.FakeClock // nil: real time
	clients map[string]*ontap.Client
}

// newSimEnv starts an empty world; routeDelay < 0 disables the route
// propagation window.
func newSimEnv(t *testing.T, routeDelay time.Duration) *simEnv {
	t.Helper()
	return &simEnv{
		t:       t,
		world:   ontapsim.New(ontapsim.Options{RoutePropagationDelay: routeDelay, Seed: 42}),
		clients: map[string]*ontap.Client{},
	}
}

// newFakeClockEnv starts an empty world on a fake clock.
func newFakeClockEnv(t *testing.T) *simEnv {
	t.Helper()
	clock := ontapsim.NewFakeClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	return &simEnv{
		t:       t,
		world:   ontapsim.New(ontapsim.Options{Clock: clock, RoutePropagationDelay: -1, Seed: 7}),
		clock:   clock,
		clients: map[string]*ontap.Client{},
	}
}

// add creates a simulated cluster and a client for it.
func (e *simEnv) add(cfg ontapsim.ClusterConfig, maxRecords int) *ontapsim.Cluster {
	e.t.Helper()
	c, err := e.world.AddCluster(cfg)
	if err != nil {
		e.t.Fatalf("add cluster %s: %v", cfg.Name, err)
	}
	srv := httptest.NewServer(c.Handler())
	e.t.Cleanup(srv.Close)
	cl, err := ontap.New(ontap.Config{
		Name: cfg.Name, URL: srv.URL, Username: "admin", Password: "netapp1!",
		Retry:      ontap.RetryPolicy{MaxAttempts: 10, MinWait: 10 * time.Millisecond, MaxWait: 250 * time.Millisecond},
		MaxRecords: maxRecords,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clients[cfg.Name] = cl
	return c
}

// apis returns the clients of the named (managed) clusters.
// newPairEnv is a world of cluster-a and cluster-b without a route
// propagation window, with a client for each.
func newPairEnv(t *testing.T) (*simEnv, *ontapsim.Cluster, *ontapsim.Cluster, map[string]ClusterAPI) {
	t.Helper()
	e := newSimEnv(t, -1)
	a := e.add(ontapsim.ClusterConfig{Name: "cluster-a"}, 0)
	b := e.add(ontapsim.ClusterConfig{Name: "cluster-b"}, 0)
	return e, a, b, e.apis("cluster-a", "cluster-b")
}

func (e *simEnv) apis(names ...string) map[string]ClusterAPI {
	m := map[string]ClusterAPI{}
	for _, n := range names {
		m[n] = e.clients[n]
	}
	return m
}

// pass runs one Observe, Diff and Apply.
func (e *simEnv) pass(ctx context.Context, set *desired.Set, apis map[string]ClusterAPI, opts Options) (Plan, []Result) {
	e.t.Helper()
	obs := Observe(ctx, apis, set, ObserveOptions{})
	plan := Diff(set, obs, e.now())
	opts.Desired = set
	if opts.Log == nil {
		opts.Log = hclog.NewNullLogger()
	}
	return plan, Apply(ctx, apis, plan, opts)
}

// writes counts the mutating requests a cluster received.
func writes(c *ontapsim.Cluster) int {
	return c.RequestCount("POST", "/api/cluster/peers") +
		c.RequestCount("PATCH", "/api/cluster/peers/{uuid}") +
		c.RequestCount("DELETE", "/api/cluster/peers/{uuid}") +
		c.RequestCount("POST", "/api/network/ip/interfaces")
}

// requireOK fails on any failed result.
func requireOK(t *testing.T, results []Result) {
	t.Helper()
	for _, r := range results {
		if r.Outcome == OutcomeFailed || r.Outcome == OutcomeSkipped {
			t.Fatalf("%s %s on %s: %s: %v", r.Relationship, r.Kind, r.Cluster, r.Outcome, r.Err)
		}
	}
}

// peerTo returns cluster c's record whose remote is remote, if any.
func peerTo(c *ontapsim.Cluster, remote string) (ontapsim.PeerRecord, int) {
	var found ontapsim.PeerRecord
	n := 0
	for _, p := range c.Peers() {
		if p.RemoteName == remote {
			found = p
			n++
		}
	}
	return found, n
}

// requireAvailable asserts that a and b hold exactly one established record
// toward each other.
func requireAvailable(t *testing.T, a, b *ontapsim.Cluster) {
	t.Helper()
	for _, pair := range [][2]*ontapsim.Cluster{{a, b}, {b, a}} {
		p, n := peerTo(pair[0], pair[1].Name())
		if n != 1 || p.State != "available" || p.AuthState != "ok" {
			t.Fatalf("%s -> %s: %d records, state %q auth %q; all: %+v", pair[0].Name(), pair[1].Name(), n, p.State, p.AuthState, pair[0].Peers())
		}
	}
}

// pairSet is a desired state of one managed pair cluster-a <-> cluster-b.
func pairSet(mutate func(*desired.Peer)) *desired.Set {
	p := desired.Peer{
		Name:   "a-b",
		State:  desired.Present,
		Local:  desired.Side{Cluster: "cluster-a"},
		Remote: desired.Remote{Side: desired.Side{Cluster: "cluster-b"}},
	}
	if mutate != nil {
		mutate(&p)
	}
	return &desired.Set{
		Config: &desired.Config{
			Clusters: []desired.Cluster{{Name: "cluster-a"}, {Name: "cluster-b"}},
			Prune:    desired.PrunePolicy{MaxDeletes: 1},
		},
		Peers: []desired.Peer{p},
	}
}

// now is the pass time: the simulator's clock.
func (e *simEnv) now() time.Time {
	if e.clock != nil {
		return e.clock.Now()
	}
	return time.Now()
}
