package metrics_test

import (
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/peerd/peerd/metrics"
)

// A scrape that runs while SetPeers replaces a cluster's peers must never see
// a peer that is present in both the old and the new list go missing.
func TestSetPeersNeverLeavesAGap(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	stay := metrics.PeerSample{Name: "stay", RemoteCluster: "stay", State: "available"}
	lists := [][]metrics.PeerSample{
		{stay, {Name: "b", RemoteCluster: "b", State: "pending"}},
		{{Name: "c", RemoteCluster: "c", State: "partial"}, stay},
	}
	m.SetPeers("cluster-a", lists[0])

	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			m.SetPeers("cluster-a", lists[i%2])
		}
	}()
	for range 300 {
		got := labelValues(t, reg, "peerd_peer_info", "peer")
		found := false
		for _, p := range got {
			found = found || p == "stay"
		}
		if !found || len(got) < 2 {
			t.Errorf("scrape saw peers %v; want stay and one other at least", got)
			break
		}
	}
	close(done)
	wg.Wait()
}
