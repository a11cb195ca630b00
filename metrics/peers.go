package metrics

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Value sets of the per-peer state series. Every value is always exported
// (0 or 1) so that alerts can match `== 1` and dashboards see every state.
var (
	availabilityStates = []string{"available", "partial", "unavailable", "pending", "unidentified"}
	authStates         = []string{"ok", "absent", "pending", "problem"}
	inUseStates        = []string{"ok", "absent", "revoked"}
	encryptionStates   = []string{"none", "tls_psk"}
)

// PeerSample is one ONTAP cluster_peer record as the daemon read it, in plain
// values. Empty strings and zero times mean "not reported".
type PeerSample struct {
	// Name is the record's local name (ONTAP "name"); it is the peer label.
	Name string
	// RemoteCluster is remote.name, or the declared remote while the record
	// is pending and ONTAP does not know it yet.
	RemoteCluster string
	// State is status.state: available, partial, unavailable, pending, unidentified.
	State string
	// AuthState is authentication.state: ok, absent, pending, problem.
	AuthState string
	// AuthInUse is authentication.in_use: ok, absent, revoked.
	AuthInUse string
	// EncryptionState is encryption.state: none, tls_psk.
	EncryptionState string
	// EncryptionWanted is true when the managing definition asks for tls_psk.
	EncryptionWanted bool
	// Ipspace is ipspace.name.
	Ipspace string
	// Applications are peer_applications (snapmirror, flexcache).
	Applications []string
	// Managed is true when a definition declares this record.
	Managed bool
	// UpdateTime is status.update_time.
	UpdateTime time.Time
	// ExpiryTime is authentication.expiry_time of an outstanding offer.
	ExpiryTime time.Time
}

// SetPeers replaces every per-peer series of cluster with those of peers:
// series of records that disappeared are deleted, the others are
// overwritten, so a scrape never sees the cluster without peers. It also sets
// peerd_unmanaged_peers{cluster}. Records that share a name and remote (two
// unnamed offers) share their series: a state is 1 if any of them is in it,
// and the expiry is the earliest.
func (m *Metrics) SetPeers(cluster string, peers []PeerSample) {
	var avail, auth, inUse, enc, want, info, updated, expiry []sample
	unmanaged := 0
	for _, p := range peers {
		id := []string{cluster, p.Name, p.RemoteCluster}
		avail = appendStates(avail, id, availabilityStates, p.State)
		auth = appendStates(auth, id, authStates, p.AuthState)
		inUse = appendStates(inUse, id, inUseStates, p.AuthInUse)
		enc = appendStates(enc, id, encryptionStates, p.EncryptionState)
		want = append(want, sample{labels: id, value: boolValue(p.EncryptionWanted)})
		apps := slices.Clone(p.Applications)
		slices.Sort(apps)
		info = append(info, sample{
			labels: append(slices.Clone(id), p.Ipspace, strings.Join(apps, ","), strconv.FormatBool(p.Managed)),
			value:  1,
		})
		if !p.UpdateTime.IsZero() {
			updated = append(updated, sample{labels: id, value: unixSeconds(p.UpdateTime)})
		}
		if !p.ExpiryTime.IsZero() {
			expiry = append(expiry, sample{labels: id, value: unixSeconds(p.ExpiryTime)})
		}
		if !p.Managed {
			unmanaged++
		}
	}
	for i, s := range [][]sample{avail, auth, inUse, enc, want, info, updated, expiry} {
		m.peerSets[i].replace(cluster, s)
	}
	m.UnmanagedPeers.WithLabelValues(cluster).Set(float64(unmanaged))
}

// forgetPeers deletes every per-peer series of cluster.
func (m *Metrics) forgetPeers(cluster string) {
	for _, s := range m.peerSets {
		s.forget(cluster)
	}
	m.UnmanagedPeers.DeleteLabelValues(cluster)
}

// appendStates adds one series per value of states, 1 for current and 0 for
// the others. A current value outside the known set gets its own series.
func appendStates(dst []sample, id, states []string, current string) []sample {
	for _, st := range states {
		dst = append(dst, sample{labels: append(slices.Clone(id), st), value: boolValue(st == current)})
	}
	if current != "" && !slices.Contains(states, current) {
		dst = append(dst, sample{labels: append(slices.Clone(id), current), value: 1})
	}
	return dst
}

// unixSeconds converts t to fractional Unix seconds.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}
