package reconcile

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
	"github.com/peerd/peerd/ontap/ontapsim"
)

// TestNoOpPlanRequestsAtScale peers 10 managed clusters with 100 unmanaged
// remotes each and checks that a no-op pass costs exactly one identity GET
// and one peer-list GET per page on every cluster, and nothing else.
func TestNoOpPlanRequestsAtScale(t *testing.T) {
	const managed, remotes, pageSize = 10, 100, 40
	e := newSimEnv(t, -1)
	set := &desired.Set{Config: &desired.Config{Prune: desired.PrunePolicy{MaxDeletes: 1}}}
	var names []string
	for i := range managed {
		name := fmt.Sprintf("m%02d", i)
		e.add(ontapsim.ClusterConfig{Name: name}, pageSize)
		names = append(names, name)
		set.Config.Clusters = append(set.Config.Clusters, desired.Cluster{Name: name})
	}
	for j := range remotes {
		rc := e.add(ontapsim.ClusterConfig{Name: fmt.Sprintf("r%03d", j), Nodes: 1}, 0)
		for _, m := range names {
			set.Peers = append(set.Peers, desired.Peer{
				Name:  m + "-" + rc.Name(),
				State: desired.Present,
				Local: desired.Side{Cluster: m},
				Remote: desired.Remote{
					Name:        rc.Name(),
					IPAddresses: rc.InterclusterAddresses(""),
					Passphrase:  "scale-test-passphrase-1",
				},
			})
		}
	}
	apis := e.apis(names...)
	_, results := e.pass(t.Context(), set, apis, Options{Concurrency: 16})
	requireOK(t, results)

	// Every remote admin accepts.
	var wg sync.WaitGroup
	errs := make(chan error, len(set.Peers))
	sem := make(chan struct{}, 16)
	for _, p := range set.Peers {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, err := e.clients[p.Remote.Name].CreatePeer(t.Context(), ontap.CreatePeerRequest{
				Remote:         &ontap.CreateRemote{IPAddresses: e.world.Cluster(p.Local.Cluster).InterclusterAddresses("")},
				Authentication: &ontap.CreateAuthentication{Passphrase: "scale-test-passphrase-1"},
			})
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	for _, c := range e.world.Clusters() {
		c.ResetCounters()
	}
	start := time.Now()
	obs := Observe(t.Context(), apis, set, ObserveOptions{})
	observed := time.Since(start)
	start = time.Now()
	plan := Diff(set, obs, time.Now())
	diffed := time.Since(start)
	t.Logf("no-op pass over %d clusters x %d peers: observe %v, diff %v", managed, remotes, observed, diffed)
	if plan.HasChanges() {
		t.Fatalf("no-op plan has changes: %+v", plan.Summary())
	}
	pages := (remotes + pageSize - 1) / pageSize
	for _, name := range names {
		c := e.world.Cluster(name)
		if got := c.RequestCount("GET", "/api/cluster/peers"); got != pages {
			t.Errorf("%s: %d peer list requests, want %d (one per page)", name, got, pages)
		}
		if got := c.RequestCount("GET", "/api/cluster"); got != 1 {
			t.Errorf("%s: %d identity requests, want 1", name, got)
		}
		if got := c.TotalRequests(); got != pages+1 {
			t.Errorf("%s: %d requests in all, want %d", name, got, pages+1)
		}
	}
}
