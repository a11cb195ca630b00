package reconcile

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
	"github.com/peerd/peerd/ontap/ontapsim"
)

// chaosScale is the size of a chaos run.
type chaosScale struct {
	clusters, perCluster, faultPasses, recoveryPasses int
}

// TestChaosFleetConverges converges a fleet while the simulator injects 20%
// 503s, 5% 500s after the write took effect, hung requests past the client
// timeout, latency spikes, link cuts and the route-propagation window of
// clusters that bootstrap their intercluster LIFs. After every pass it
// checks the simulator's own state: no cluster holds two records for one
// remote, and no side that was available ever disappears. Then the faults
// stop, the links come back, and every declared relationship must become
// available on both sides with no stray record left.
func TestChaosFleetConverges(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			sc := chaosScale{clusters: 12, perCluster: 6, faultPasses: 12, recoveryPasses: 12}
			if testing.Short() {
				sc = chaosScale{clusters: 8, perCluster: 4, faultPasses: 10, recoveryPasses: 10}
			}
			runChaos(t, seed, sc)
		})
	}
}

func runChaos(t *testing.T, seed uint64, sc chaosScale) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	f := newFleet(t, ontapsim.Options{RoutePropagationDelay: 300 * time.Millisecond, Seed: int64(seed)})
	cc := ontap.Config{
		Timeout: 300 * time.Millisecond,
		Retry:   ontap.RetryPolicy{MaxAttempts: 4, MinWait: 5 * time.Millisecond, MaxWait: 40 * time.Millisecond},
	}
	cnames := names("k", sc.clusters)
	bootstrap := map[string]*desired.LocalNetwork{}
	for i, n := range cnames {
		cfg := ontapsim.ClusterConfig{Name: n, Nodes: 1 + i%2}
		if i%3 == 0 {
			// Starts without intercluster LIFs: its first create carries
			// local_network and opens the route-propagation window.
			cfg.NoInterclusterLIFs = true
			ln := &desired.LocalNetwork{Netmask: "24", BroadcastDomain: "Default"}
			for node := range cfg.Nodes {
				ln.IPAddresses = append(ln.IPAddresses, fmt.Sprintf("10.77.%d.%d", i, node+1))
			}
			bootstrap[n] = ln
		}
		f.add(t, cfg, cc, true)
	}
	set := ringSet(cnames, sc.perCluster)
	for i := range set.Peers {
		p := &set.Peers[i]
		p.Local.LocalNetwork = bootstrap[p.Local.Cluster]
		p.Remote.LocalNetwork = bootstrap[p.Remote.Cluster]
	}

	inv := newInvariants(f, set)
	remembered := map[string]string{}
	var cut [][2]string
	for pass := 1; pass <= sc.faultPasses; pass++ {
		for _, n := range cnames {
			faults := ontapsim.Faults{ErrorRate: 0.2, AfterEffectErrorRate: 0.05, HangRate: 0.02}
			if rng.IntN(4) == 0 {
				faults.Latency = time.Duration(50+rng.IntN(150)) * time.Millisecond // a spike
			}
			f.sims[n].SetFaults(faults)
		}
		// Links: restore the cuts of the last pass, cut a new random pair.
		for _, l := range cut {
			f.world.RestoreLink(l[0], l[1])
		}
		cut = cut[:0]
		if rng.IntN(2) == 0 {
			p := set.Peers[rng.IntN(len(set.Peers))]
			f.world.CutLink(p.Local.Cluster, p.Remote.Cluster)
			cut = append(cut, [2]string{p.Local.Cluster, p.Remote.Cluster})
		}
		plan, results := f.pass(t.Context(), staged(set, pass, sc.faultPasses), 4, remembered)
		failed := 0
		for _, r := range results {
			if r.Outcome == OutcomeFailed {
				failed++
			}
		}
		sum := plan.Summary()
		t.Logf("fault pass %d: %d to create, %d to update, %d unknown; %d of %d results failed", pass, sum.Create, sum.Update, sum.Unknown, failed, len(results))
		inv.check(t, fmt.Sprintf("fault pass %d", pass))
	}

	for _, n := range cnames {
		f.sims[n].SetFaults(ontapsim.Faults{})
	}
	for _, l := range cut {
		f.world.RestoreLink(l[0], l[1])
	}
	deadline := time.Now().Add(30 * time.Second)
	for pass := 1; ; pass++ {
		plan, _ := f.pass(t.Context(), set, 4, remembered)
		inv.check(t, fmt.Sprintf("recovery pass %d", pass))
		if !plan.HasChanges() {
			t.Logf("seed %d: converged after %d fault and %d recovery passes; %d requests", seed, sc.faultPasses, pass, f.requests())
			break
		}
		if pass >= sc.recoveryPasses || time.Now().After(deadline) {
			t.Fatalf("not converged after %d recovery passes: %+v", pass, plan.Summary())
		}
	}
	// Every declared relationship available on both sides, nothing else.
	assertAllAvailable(t, f, set)
	for _, n := range cnames {
		if got, want := len(f.sims[n].Peers()), inv.declared[n]; got != want {
			t.Errorf("%s holds %d records, %d declared: %+v", n, got, want, f.sims[n].Peers())
		}
	}
}

// TestChaosInvariantsDetect shows that the invariants catch what they are
// for: a deleted side that was available, and anonymous offers beyond the
// relationships declared.
func TestChaosInvariantsDetect(t *testing.T) {
	f := newFleet(t, ontapsim.Options{RoutePropagationDelay: -1, Seed: 9})
	for _, n := range []string{"k000", "k001"} {
		f.add(t, ontapsim.ClusterConfig{Name: n, Nodes: 1}, ontap.Config{}, true)
	}
	set := ringSet([]string{"k000", "k001"}, 2)
	set.Peers = set.Peers[:1] // the ring of two declares the pair twice
	inv := newInvariants(f, set)
	f.converge(t, t.Context(), set, 2, 3)
	if err := inv.violation(); err != nil {
		t.Fatalf("converged pair: %v", err)
	}
	for range 2 {
		if _, err := f.clients["k001"].CreatePeer(t.Context(), ontap.CreatePeerRequest{
			Authentication: &ontap.CreateAuthentication{GeneratePassphrase: true},
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := inv.violation(); err == nil || !strings.Contains(err.Error(), "anonymous offers") {
		t.Fatalf("two anonymous offers for one relationship: %v", err)
	}
	for _, r := range f.sims["k001"].Peers() {
		if r.RemoteName == "" {
			if err := f.clients["k001"].DeletePeer(t.Context(), r.UUID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := inv.violation(); err != nil {
		t.Fatalf("offers withdrawn: %v", err)
	}
	rec := f.sims["k000"].Peers()[0]
	if err := f.clients["k000"].DeletePeer(t.Context(), rec.UUID); err != nil {
		t.Fatal(err)
	}
	if err := inv.violation(); err == nil || !strings.Contains(err.Error(), "is gone") {
		t.Fatalf("a deleted available side: %v", err)
	}
}

// staged is the desired state at fault pass pass of total: the
// relationships arrive over the first half of the passes, and in the second
// half every other one changes its peer_applications, so that creates and
// patches run under faults.
func staged(set *desired.Set, pass, total int) *desired.Set {
	half := max(total/2, 1)
	n := min(len(set.Peers), (len(set.Peers)*pass+half-1)/half)
	out := &desired.Set{Config: set.Config, Peers: slices.Clone(set.Peers[:n])}
	if pass > half {
		for i := range out.Peers {
			if i%2 == pass%2 {
				out.Peers[i].PeerApplications = []string{"flexcache", "snapmirror"}
			}
		}
	}
	return out
}

// invariants checks the simulator's state after each pass.
type invariants struct {
	f *fleet
	// declared counts the relationships each cluster takes part in.
	declared map[string]int
	// seen are the (cluster, remote) sides that have been available.
	seen map[[2]string]bool
}

func newInvariants(f *fleet, set *desired.Set) *invariants {
	inv := &invariants{f: f, declared: map[string]int{}, seen: map[[2]string]bool{}}
	for _, p := range set.Peers {
		inv.declared[p.Local.Cluster]++
		inv.declared[p.Remote.Cluster]++
	}
	return inv
}

func (inv *invariants) check(t *testing.T, when string) {
	t.Helper()
	if err := inv.violation(); err != nil {
		t.Fatalf("%s: %v", when, err)
	}
}

// violation returns the first broken invariant, if any.
func (inv *invariants) violation() error {
	clusters := slices.Sorted(maps.Keys(inv.f.sims))
	for _, name := range clusters {
		recs := inv.f.sims[name].Peers()
		for _, other := range clusters {
			oc := inv.f.sims[other]
			if other == name {
				continue
			}
			addrs := oc.InterclusterAddresses("")
			var toward []ontapsim.PeerRecord
			for _, r := range recs {
				if r.RemoteName == other || r.RemoteName == "" && overlap(r.RemoteIPs, addrs) {
					toward = append(toward, r)
				}
			}
			if len(toward) > 1 {
				return fmt.Errorf("%s holds %d records for %s: %+v", name, len(toward), other, toward)
			}
			key := [2]string{name, other}
			if inv.seen[key] && len(toward) == 0 {
				return fmt.Errorf("%s's record for %s, available before, is gone", name, other)
			}
			if len(toward) == 1 && toward[0].State == "available" {
				inv.seen[key] = true
			}
		}
		// Unidentified anonymous offers: at most one per relationship of the
		// cluster that may still be offering.
		anon := slices.DeleteFunc(slices.Clone(recs), func(r ontapsim.PeerRecord) bool {
			return r.RemoteName != "" || len(r.RemoteIPs) > 0
		})
		if len(anon) > inv.declared[name] {
			return fmt.Errorf("%s holds %d anonymous offers for %d relationships", name, len(anon), inv.declared[name])
		}
	}
	return nil
}

// fleet is a simulated world of many clusters served over real HTTP and
// reached through the real ontap client, for benchmarks and chaos tests
// (which, unlike simEnv, also run under *testing.B).
type fleet struct {
	world *ontapsim.World
	sims  map[string]*ontapsim.Cluster
	apis  map[string]ClusterAPI
	// clients includes unmanaged remotes, whose admins the tests play.
	clients map[string]*ontap.Client
}

func newFleet(tb testing.TB, opts ontapsim.Options) *fleet {
	tb.Helper()
	return &fleet{
		world:   ontapsim.New(opts),
		sims:    map[string]*ontapsim.Cluster{},
		apis:    map[string]ClusterAPI{},
		clients: map[string]*ontap.Client{},
	}
}

// add creates a cluster and its client; managed clusters are in apis.
func (f *fleet) add(tb testing.TB, cfg ontapsim.ClusterConfig, cc ontap.Config, managed bool) *ontapsim.Cluster {
	tb.Helper()
	c, err := f.world.AddCluster(cfg)
	if err != nil {
		tb.Fatalf("add cluster %s: %v", cfg.Name, err)
	}
	srv := serve(tb, c.Handler())
	cc.Name, cc.URL, cc.Username, cc.Password = cfg.Name, srv.URL, ontapsim.DefaultUsername, ontapsim.DefaultPassword
	cl, err := ontap.New(cc)
	if err != nil {
		tb.Fatal(err)
	}
	f.sims[cfg.Name] = c
	f.clients[cfg.Name] = cl
	if managed {
		f.apis[cfg.Name] = cl
	}
	return c
}

// serve starts an HTTP server for h. Requests still hanging at cleanup
// (the simulator's HangRate waits for the request's context, which a
// server only cancels on a client's disconnect once it has read the
// body) are released by cancelling the server's base context.
func serve(tb testing.TB, h http.Handler) *httptest.Server {
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewUnstartedServer(h)
	srv.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	srv.Start()
	tb.Cleanup(func() {
		cancel()
		srv.Close()
	})
	return srv
}

// requests is the number of /api requests every cluster received.
func (f *fleet) requests() int {
	n := 0
	for _, c := range f.sims {
		n += c.TotalRequests()
	}
	return n
}

func (f *fleet) resetCounters() {
	for _, c := range f.sims {
		c.ResetCounters()
	}
}

// pass runs one Observe, Diff and Apply, as the daemon's pass does.
func (f *fleet) pass(ctx context.Context, set *desired.Set, conc int, remembered map[string]string) (Plan, []Result) {
	obs := Observe(ctx, f.apis, set, ObserveOptions{Concurrency: conc, Remembered: remembered})
	plan := Diff(set, obs, time.Now())
	if !plan.HasChanges() {
		return plan, nil
	}
	results := Apply(ctx, f.apis, plan, Options{Desired: set, Concurrency: conc, Log: hclog.NewNullLogger()})
	if remembered != nil {
		Remember(remembered, results)
	}
	return plan, results
}

// ringSet declares, for clusters named names, perCluster two-sided
// relationships per cluster: each cluster with the perCluster/2 next ones
// around the ring (a remote cluster holds one relationship toward a cluster).
func ringSet(names []string, perCluster int) *desired.Set {
	set := &desired.Set{Config: &desired.Config{Prune: desired.PrunePolicy{MaxDeletes: 1}}}
	for _, n := range names {
		set.Config.Clusters = append(set.Config.Clusters, desired.Cluster{Name: n})
	}
	for i, a := range names {
		for k := 1; k <= perCluster/2; k++ {
			b := names[(i+k)%len(names)]
			set.Peers = append(set.Peers, desired.Peer{
				Name:             a + "-" + b,
				State:            desired.Present,
				Local:            desired.Side{Cluster: a},
				Remote:           desired.Remote{Side: desired.Side{Cluster: b}},
				PeerApplications: []string{"snapmirror"},
			})
		}
	}
	return set
}

// converge runs passes until a pass plans nothing, and returns how many
// passes wrote.
func (f *fleet) converge(tb testing.TB, ctx context.Context, set *desired.Set, conc, maxPasses int) int {
	tb.Helper()
	remembered := map[string]string{}
	for i := 0; i < maxPasses; i++ {
		plan, results := f.pass(ctx, set, conc, remembered)
		if !plan.HasChanges() {
			return i
		}
		for _, r := range results {
			if r.Outcome == OutcomeFailed || r.Outcome == OutcomeRefused {
				tb.Logf("pass %d: %s %s on %s: %s: %v", i+1, r.Relationship, r.Kind, r.Cluster, r.Outcome, r.Err)
			}
		}
	}
	tb.Fatalf("not converged after %d passes", maxPasses)
	return maxPasses
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}

// assertAllAvailable checks that every declared relationship is one
// available, authenticated record on each side.
func assertAllAvailable(tb testing.TB, f *fleet, set *desired.Set) {
	tb.Helper()
	for _, p := range set.Peers {
		sides := [][2]string{{p.Local.Cluster, p.Remote.Cluster}, {p.Remote.Cluster, p.Local.Cluster}}
		if !p.Remote.Managed() {
			sides = sides[:1]
			sides[0][1] = p.Remote.Name
		}
		for _, s := range sides {
			n, ok := 0, false
			for _, r := range f.sims[s[0]].Peers() {
				if r.RemoteName == s[1] {
					n++
					ok = r.State == "available" && r.AuthState == "ok"
				}
			}
			if n != 1 || !ok {
				tb.Fatalf("%s: %s -> %s: %d records, available %v", p.Name, s[0], s[1], n, ok)
			}
		}
	}
}
