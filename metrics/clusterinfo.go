package metrics

import (
	"maps"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// clusterInfo exports peerd_cluster_info{cluster, <configured labels>} = 1,
// one series per managed cluster carrying the labels of its configuration
// (e.g. datacenter). Clusters may configure different label names, so the
// collector is unchecked and builds each series' description when collected.
type clusterInfo struct {
	mu     sync.Mutex
	labels map[string]map[string]string // cluster -> label -> value
}

const clusterInfoName = namespace + "_cluster_info"

const clusterInfoHelp = "Constant 1 per managed cluster, labelled with the cluster's configured labels; " +
	"join on cluster to add them to other series."

// Describe sends nothing: the collector is unchecked.
func (c *clusterInfo) Describe(chan<- *prometheus.Desc) {}

// Collect sends one series per cluster.
func (c *clusterInfo) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cluster := range slices.Sorted(maps.Keys(c.labels)) {
		labels := c.labels[cluster]
		names := append([]string{lCluster}, slices.Sorted(maps.Keys(labels))...)
		values := []string{cluster}
		for _, n := range names[1:] {
			values = append(values, labels[n])
		}
		desc := prometheus.NewDesc(clusterInfoName, clusterInfoHelp, names, nil)
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, 1, values...)
	}
}

// SetClusterLabels sets the configured labels of every managed cluster;
// clusters not in the map lose their series. A label named "cluster" is
// ignored (the configuration refuses it).
func (m *Metrics) SetClusterLabels(clusters map[string]map[string]string) {
	next := make(map[string]map[string]string, len(clusters))
	for name, labels := range clusters {
		l := maps.Clone(labels)
		if l == nil {
			l = map[string]string{}
		}
		delete(l, lCluster)
		next[name] = l
	}
	m.clusterInfo.mu.Lock()
	m.clusterInfo.labels = next
	m.clusterInfo.mu.Unlock()
}
