package reconcile

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
	"github.com/peerd/peerd/ontap/ontapsim"
)

// BenchmarkNoOpPass measures the requests of one no-op pass over 10 managed
// clusters with 100 established peers each, against a per-resource
// baseline.
//
// The baseline model is the cheapest refresh a tool that manages each peer
// record as its own resource can do: it cannot read a peer record without
// its uuid, so on every cluster it first lists the peer collection
// (fields=uuid,name, paged like peerd) to map its declared names to uuids,
// and then reads every declared record with its own GET
// /api/cluster/peers/{uuid} (one per declared peer per managed side). It
// skips the version probe such tools send per connection and the per
// resource filtered lookups a tool without saved state sends, so the real
// ratio is higher than the one reported. The baseline is executed against
// the simulator and counted by it, like peerd.
func BenchmarkNoOpPass(b *testing.B) {
	const managed, remotes, conc = 10, 100, 16
	f := newFleet(b, ontapsim.Options{RoutePropagationDelay: -1, Seed: 11})
	mnames := names("m", managed)
	set := &desired.Set{Config: &desired.Config{Prune: desired.PrunePolicy{MaxDeletes: 1}}}
	for _, n := range mnames {
		f.add(b, ontapsim.ClusterConfig{Name: n}, ontap.Config{}, true)
		set.Config.Clusters = append(set.Config.Clusters, desired.Cluster{Name: n})
	}
	const pass = ontap.Secret("bench-noop-passphrase-1")
	for _, r := range names("r", remotes) {
		rc := f.add(b, ontapsim.ClusterConfig{Name: r, Nodes: 1}, ontap.Config{}, false)
		for _, m := range mnames {
			set.Peers = append(set.Peers, desired.Peer{
				Name: m + "-" + r, State: desired.Present,
				Local:  desired.Side{Cluster: m},
				Remote: desired.Remote{Name: r, IPAddresses: rc.InterclusterAddresses(""), Passphrase: pass},
			})
		}
	}
	ctx := b.Context()
	f.pass(ctx, set, conc, nil)
	acceptAll(b, f, set, pass, conc)
	if plan, _ := f.pass(ctx, set, conc, nil); plan.HasChanges() {
		b.Fatalf("not converged: %+v", plan.Summary())
	}

	f.resetCounters()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		obs := Observe(ctx, f.apis, set, ObserveOptions{Concurrency: conc})
		if plan := Diff(set, obs, time.Now()); plan.HasChanges() {
			b.Fatalf("no-op pass planned changes: %+v", plan.Summary())
		}
	}
	b.StopTimer()
	peerd := float64(f.requests()) / float64(b.N)

	f.resetCounters()
	baselineRefresh(b, f, set, conc)
	baseline := float64(f.requests())
	b.ReportMetric(peerd, "requests/pass")
	b.ReportMetric(baseline, "baseline-requests/pass")
	b.ReportMetric(baseline/peerd, "ratio")
}

// baselineRefresh is the per-resource refresh of BenchmarkNoOpPass's
// baseline model: per managed cluster one uuid listing, then one GET per
// declared record.
func baselineRefresh(tb testing.TB, f *fleet, set *desired.Set, conc int) {
	tb.Helper()
	ctx := context.Background()
	uuids := map[string]map[string]string{} // cluster -> record name -> uuid
	for name, api := range f.apis {
		peers, err := api.ListPeers(ctx, []string{"uuid", "name"})
		if err != nil {
			tb.Fatal(err)
		}
		uuids[name] = map[string]string{}
		for _, p := range peers {
			uuids[name][p.Name] = p.UUID
		}
	}
	parallel(tb, len(set.Peers), conc, func(i int) error {
		p := set.Peers[i]
		uuid := uuids[p.Local.Cluster][p.Remote.Name]
		if uuid == "" {
			return fmt.Errorf("baseline: no record %s on %s", p.Remote.Name, p.Local.Cluster)
		}
		_, err := f.apis[p.Local.Cluster].GetPeer(ctx, uuid, PeerFields())
		return err
	})
}

// acceptAll plays the unmanaged remotes' admins: each creates its side with
// the agreed passphrase.
func acceptAll(tb testing.TB, f *fleet, set *desired.Set, pass ontap.Secret, conc int) {
	tb.Helper()
	parallel(tb, len(set.Peers), conc, func(i int) error {
		p := set.Peers[i]
		_, err := f.clients[p.Remote.Name].CreatePeer(context.Background(), ontap.CreatePeerRequest{
			Remote:         &ontap.CreateRemote{IPAddresses: f.sims[p.Local.Cluster].InterclusterAddresses("")},
			Authentication: &ontap.CreateAuthentication{Passphrase: pass},
		})
		return err
	})
}

// BenchmarkFleetConvergence converges 50 clusters with 40 two-sided
// relationships each (1000 relationships) from empty, every request taking
// 20 ms, at concurrency 16, until a pass plans nothing. It reports the wall
// time against the lower bound max(requests*latency/concurrency,
// longest chain*latency), the chain being the 9 round trips one
// relationship needs in sequence: identity, peer list and LIF lookup of
// Observe, create, create, two verifying reads, then the identity and
// peer list of the confirming pass.
func BenchmarkFleetConvergence(b *testing.B) {
	const clusters, perCluster, conc, chain = 50, 40, 16, 9
	const latency = 20 * time.Millisecond
	var wall time.Duration
	var reqs, passes int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFleet(b, ontapsim.Options{RoutePropagationDelay: -1, Seed: int64(100 + i)})
		cnames := names("c", clusters)
		for _, n := range cnames {
			f.add(b, ontapsim.ClusterConfig{Name: n, Nodes: 1}, ontap.Config{}, true).SetFaults(ontapsim.Faults{Latency: latency})
		}
		set := ringSet(cnames, perCluster)
		b.StartTimer()
		start := time.Now()
		passes += f.converge(b, b.Context(), set, conc, 5)
		wall += time.Since(start)
		b.StopTimer()
		reqs += f.requests()
		assertAllAvailable(b, f, set)
		b.StartTimer()
	}
	n := float64(b.N)
	lb := max(time.Duration(float64(reqs)/n*float64(latency)/conc), chain*latency)
	w := wall / time.Duration(b.N)
	b.ReportMetric(w.Seconds(), "wall-s")
	b.ReportMetric(float64(reqs)/n, "requests")
	b.ReportMetric(lb.Seconds(), "lower-bound-s")
	b.ReportMetric(w.Seconds()/lb.Seconds(), "x-lower-bound")
	b.ReportMetric(float64(passes)/n, "writing-passes")
}

// BenchmarkDiffRender10k diffs and renders (text and JSON) a plan of
// 10,000 relationships: 10 clusters with 1000 unmanaged remotes each, of
// which 90% are in the desired state, 5% need a patch and 5% a create.
func BenchmarkDiffRender10k(b *testing.B) {
	set, obs := synthetic(10, 1000)
	now := time.Now()
	plan := Diff(set, obs, now)
	if s := plan.Summary(); s.Create != 500 || s.Update != 500 || s.Delete != 0 || len(plan.Relationships) != 10000 {
		b.Fatalf("synthetic plan: %d relationships, %+v", len(plan.Relationships), s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := Diff(set, obs, now)
		if err := p.Render(io.Discard, RenderOptions{}); err != nil {
			b.Fatal(err)
		}
		if err := p.RenderJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(10000, "relationships")
}

// synthetic builds a desired state and an observation of clusters x
// remotes relationships with unmanaged remotes: every 20th record is
// missing and every 20th (offset 10) has other peer_applications.
func synthetic(clusters, remotes int) (*desired.Set, *Observed) {
	set := &desired.Set{Config: &desired.Config{Prune: desired.PrunePolicy{MaxDeletes: 1}}}
	obs := &Observed{Clusters: map[string]*ClusterState{}}
	for c := range clusters {
		cn := fmt.Sprintf("m%02d", c)
		set.Config.Clusters = append(set.Config.Clusters, desired.Cluster{Name: cn})
		cs := &ClusterState{Name: cn, UUID: fmt.Sprintf("uuid-%s", cn), SerialNumber: fmt.Sprintf("1-80-%06d", c)}
		obs.Clusters[cn] = cs
		for r := range remotes {
			rn := fmt.Sprintf("r%04d", r)
			addr := fmt.Sprintf("10.%d.%d.%d", c, r/250, r%250+1)
			set.Peers = append(set.Peers, desired.Peer{
				Name: cn + "-" + rn, State: desired.Present,
				Local:            desired.Side{Cluster: cn},
				Remote:           desired.Remote{Name: rn, IPAddresses: []string{addr}, Passphrase: "synthetic-passphrase"},
				PeerApplications: []string{"snapmirror"},
			})
			if r%20 == 0 {
				continue
			}
			apps := []ontap.Application{"snapmirror"}
			if r%20 == 10 {
				apps = []ontap.Application{"flexcache"}
			}
			cs.Peers = append(cs.Peers, ontap.Peer{
				UUID: fmt.Sprintf("%s-%s", cn, rn), Name: rn,
				Remote:           &ontap.PeerRemote{Name: rn, SerialNumber: fmt.Sprintf("1-80-9%05d", r), IPAddresses: []string{addr}},
				Status:           &ontap.PeerStatus{State: "available"},
				Authentication:   &ontap.PeerAuthentication{State: ontap.AuthOK, InUse: "ok"},
				Encryption:       &ontap.PeerEncryption{Proposed: ontap.EncryptionTLSPSK, State: ontap.EncryptionTLSPSK},
				Ipspace:          &ontap.Ref{Name: DefaultIpspace},
				PeerApplications: apps,
			})
		}
	}
	return set, obs
}

// BenchmarkSteadyState10k observes and diffs a converged full mesh of 101
// clusters (10,100 peer records, 5050 relationships) as the daemon's idle
// passes do. It reports the heap that one pass's state (observation and
// plan) keeps in use after a GC, and the CPU time of an idle pass. So that
// the simulator's own work does not count, the idle passes read a replay of
// the converged clusters' responses, served as stored bytes. An op is five
// idle passes.
func BenchmarkSteadyState10k(b *testing.B) {
	const clusters, conc = 101, 16
	f := newFleet(b, ontapsim.Options{RoutePropagationDelay: -1, Seed: 5})
	cnames := names("s", clusters)
	rec := map[string]*recorder{}
	for _, n := range cnames {
		c := f.add(b, ontapsim.ClusterConfig{Name: n, Nodes: 1}, ontap.Config{}, true)
		rec[n] = newRecorder(c.Handler())
	}
	set := ringSet(cnames, clusters-1)
	f.converge(b, b.Context(), set, conc, 5)
	records := 0
	for _, c := range f.sims {
		records += len(c.Peers())
	}
	if records != clusters*(clusters-1) {
		b.Fatalf("%d records, want %d", records, clusters*(clusters-1))
	}
	replay := map[string]ClusterAPI{}
	for _, n := range cnames {
		replay[n] = rec[n].client(b, n)
	}
	ctx := b.Context()
	idle := func() (*Observed, Plan) {
		obs := Observe(ctx, replay, set, ObserveOptions{Concurrency: conc})
		plan := Diff(set, obs, time.Now())
		if plan.HasChanges() {
			b.Fatalf("idle pass planned changes: %+v", plan.Summary())
		}
		return obs, plan
	}
	idle() // records the responses

	retained := retainedHeap(idle)

	// Each op is idlePasses passes, so that one op already averages.
	const idlePasses = 5
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for range idlePasses {
			start := cpuTime()
			idle()
			cpu += cpuTime() - start
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(retained)/(1<<20), "pass-heap-MiB")
	b.ReportMetric(float64(heapInUse())/(1<<20), "process-heap-MiB")
	b.ReportMetric((cpu/time.Duration(b.N*idlePasses)).Seconds()*1000, "cpu-ms/pass")
	b.ReportMetric(float64(records), "peers")
}

// retainedHeap is the heap that the result of pass keeps in use after a GC.
func retainedHeap(pass func() (*Observed, Plan)) int64 {
	before := heapInUse()
	obs, plan := pass()
	after := heapInUse()
	runtime.KeepAlive(obs)
	runtime.KeepAlive(plan.Relationships)
	return after - before
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// recorder serves a cluster's GET responses: the first time from the
// simulator, which it records, afterwards from the recording.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	seen map[string]recorded
}

type recorded struct {
	status int
	header http.Header
	body   []byte
}

func newRecorder(next http.Handler) *recorder {
	return &recorder{next: next, seen: map[string]recorded{}}
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Method + " " + r.URL.RequestURI()
	rc.mu.Lock()
	got, ok := rc.seen[key]
	rc.mu.Unlock()
	if !ok {
		rw := httptest.NewRecorder()
		rc.next.ServeHTTP(rw, r)
		got = recorded{status: rw.Code, header: rw.Header().Clone(), body: rw.Body.Bytes()}
		if r.Method == http.MethodGet {
			rc.mu.Lock()
			rc.seen[key] = got
			rc.mu.Unlock()
		}
	}
	maps.Copy(w.Header(), got.header)
	w.WriteHeader(got.status)
	_, _ = w.Write(got.body)
}

// client serves the recorder over HTTP and returns a client for it.
func (rc *recorder) client(tb testing.TB, name string) *ontap.Client {
	tb.Helper()
	srv := serve(tb, rc)
	cl, err := ontap.New(ontap.Config{Name: name, URL: srv.URL, Username: ontapsim.DefaultUsername, Password: ontapsim.DefaultPassword})
	if err != nil {
		tb.Fatal(err)
	}
	return cl
}

// parallel runs fn(0..n-1) with at most conc at once and fails on the first
// error.
func parallel(tb testing.TB, n, conc int, fn func(i int) error) {
	tb.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, conc)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := fn(i); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
}
