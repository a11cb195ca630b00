package ontap

import (
	"testing"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// BenchmarkListPeers lists 10,000 peers (default page size 1000) from the
// simulator over HTTPS and reports the page requests per listing.
func BenchmarkListPeers(b *testing.B) {
	const total = 10000
	w := newWorld(b, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	s := serve(b, w.Cluster("cluster-a"), nil)
	createAnonymous(b, s.client(b, nil), total)
	c := s.client(b, nil)
	b.Run("10000", func(b *testing.B) {
		s.sim.ResetCounters()
		b.ReportAllocs()
		for b.Loop() {
			peers, err := c.ListPeers(b.Context(), nil)
			if err != nil {
				b.Fatal(err)
			}
			if len(peers) != total {
				b.Fatalf("listed %d peers, want %d", len(peers), total)
			}
		}
		b.ReportMetric(float64(s.sim.RequestCount("GET", "/api/cluster/peers"))/float64(b.N), "requests/op")
	})
}
