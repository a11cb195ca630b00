package metrics

import (
	"strconv"
	"strings"
	"time"
)

// ObserveRequest records one ONTAP REST request: its cluster, method, path
// template (e.g. /api/cluster/peers/{uuid}), HTTP status code (0 when no
// response arrived) and duration. It implements ontap.Observer.
//
// The path is bounded defensively: a query string is dropped and any segment
// that looks like a uuid becomes {uuid}, so a caller that passes a concrete
// path cannot create a series per record.
func (m *Metrics) ObserveRequest(cluster, method, path string, code int, d time.Duration) {
	path = pathTemplate(path)
	method = strings.ToUpper(method)
	m.Requests.WithLabelValues(cluster, method, path, strconv.Itoa(code)).Inc()
	m.RequestDuration.WithLabelValues(cluster, method, path).Observe(d.Seconds())
}

// SetClusterReachable records whether the last attempt to read the cluster
// succeeded.
func (m *Metrics) SetClusterReachable(cluster string, ok bool) {
	m.ClusterReachable.WithLabelValues(cluster).Set(boolValue(ok))
}

// RemoveCluster deletes every series labelled with the cluster, for a cluster
// that a configuration reload removed.
func (m *Metrics) RemoveCluster(cluster string) {
	m.forgetPeers(cluster)
	m.clusterInfo.mu.Lock()
	delete(m.clusterInfo.labels, cluster)
	m.clusterInfo.mu.Unlock()
	m.ClusterReachable.DeleteLabelValues(cluster)
	m.Requests.DeletePartialMatch(map[string]string{lCluster: cluster})
	m.RequestDuration.DeletePartialMatch(map[string]string{lCluster: cluster})
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.sideState {
		if k.cluster == cluster {
			delete(m.sideState, k)
		}
	}
	m.publishSidesLocked()
}

// pathTemplate strips the query and replaces uuid-like segments with {uuid}.
func pathTemplate(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if looksLikeUUID(s) {
			segs[i] = "{uuid}"
		}
	}
	return strings.Join(segs, "/")
}

// looksLikeUUID reports whether s has the 8-4-4-4-12 hex form ONTAP uses.
func looksLikeUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
