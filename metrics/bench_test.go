package metrics_test

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/peerd/peerd/metrics"
)

// BenchmarkSetPeers replaces the series of a cluster with 100 peer records,
// as every pass does.
func BenchmarkSetPeers(b *testing.B) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	peers := make([]metrics.PeerSample, 100)
	for i := range peers {
		p := established
		p.Name = fmt.Sprintf("remote-%03d", i)
		p.RemoteCluster = p.Name
		peers[i] = p
	}
	m.SetPeers("cluster-a", peers)
	n, err := testutil.GatherAndCount(reg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		m.SetPeers("cluster-a", peers)
	}
	b.ReportMetric(float64(n)/100, "series/peer")
}
