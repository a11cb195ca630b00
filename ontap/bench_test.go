package ontap

import (
	"net/http"
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
	// The client's own share: decoding one 1000-record page.
	b.Run("decode-page-1000", func(b *testing.B) {
		u := *c.base
		u.Path = peersPath
		u.RawQuery = fieldsQuery(nil, "*").Encode() + "&max_records=1000"
		resp, err := c.do(b.Context(), http.MethodGet, &u, nil, callOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(resp.body)))
		b.ReportAllocs()
		for b.Loop() {
			peers, _, err := decodeCollection[Peer](resp.body)
			if err != nil || len(peers) != 1000 {
				b.Fatalf("decoded %d peers: %v", len(peers), err)
			}
		}
	})
}
