package metrics_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/peerd/peerd/metrics"
	"github.com/peerd/peerd/ontap"
)

var (
	expiry  = time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)      // 1796403600
	updated = time.Date(2026, 12, 4, 15, 30, 0, 500e6, time.UTC) // 1796398200.5
	offer   = metrics.PeerSample{                                // generated passphrase, waiting for cluster-b
		Name: "cluster-b", RemoteCluster: "cluster-b",
		State: "pending", AuthState: "pending", AuthInUse: "ok",
		EncryptionWanted: true, Ipspace: "Default", Applications: []string{"snapmirror"},
		Managed: true, ExpiryTime: expiry,
	}
	established = metrics.PeerSample{
		Name: "cluster-c", RemoteCluster: "cluster-c",
		State: "available", AuthState: "ok", AuthInUse: "ok", EncryptionState: "tls_psk",
		EncryptionWanted: true, Ipspace: "Default", Applications: []string{"snapmirror", "flexcache"},
		Managed: true, UpdateTime: updated,
	}
)

var peerMetricNames = []string{
	"peerd_peer_availability", "peerd_peer_authentication", "peerd_peer_authentication_in_use",
	"peerd_peer_encryption", "peerd_peer_encryption_wanted", "peerd_peer_info",
	"peerd_peer_status_update_timestamp_seconds", "peerd_peer_authentication_expiry_timestamp_seconds",
	"peerd_unmanaged_peers",
}

func TestSetPeersPendingOfferAndEstablished(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := metrics.New(reg)
	m.SetPeers("cluster-a", []metrics.PeerSample{offer, established})

	want := `
# HELP peerd_peer_authentication 1 for the peer record's current authentication.state (ok, absent, pending, problem), 0 for the others.
# TYPE peerd_peer_authentication gauge
peerd_peer_authentication{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="absent"} 0
peerd_peer_authentication{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="ok"} 0
peerd_peer_authentication{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="pending"} 1
peerd_peer_authentication{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="problem"} 0
peerd_peer_authentication{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="absent"} 0
peerd_peer_authentication{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="ok"} 1
peerd_peer_authentication{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="pending"} 0
peerd_peer_authentication{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="problem"} 0
# HELP peerd_peer_authentication_expiry_timestamp_seconds Unix time at which the peer record's passphrase offer (authentication.expiry_time) expires; only for records that have one.
# TYPE peerd_peer_authentication_expiry_timestamp_seconds gauge
peerd_peer_authentication_expiry_timestamp_seconds{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b"} 1.7964036e+09
# HELP peerd_peer_authentication_in_use 1 for the peer record's administrative authentication.in_use (ok, absent, revoked), 0 for the others.
# TYPE peerd_peer_authentication_in_use gauge
peerd_peer_authentication_in_use{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="absent"} 0
peerd_peer_authentication_in_use{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="ok"} 1
peerd_peer_authentication_in_use{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="revoked"} 0
peerd_peer_authentication_in_use{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="absent"} 0
peerd_peer_authentication_in_use{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="ok"} 1
peerd_peer_authentication_in_use{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="revoked"} 0
# HELP peerd_peer_availability 1 for the peer record's current status.state (available, partial, unavailable, pending, unidentified), 0 for the others.
# TYPE peerd_peer_availability gauge
peerd_peer_availability{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="available"} 0
peerd_peer_availability{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="partial"} 0
peerd_peer_availability{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="pending"} 1
peerd_peer_availability{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="unavailable"} 0
peerd_peer_availability{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="unidentified"} 0
peerd_peer_availability{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="available"} 1
peerd_peer_availability{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="partial"} 0
peerd_peer_availability{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="pending"} 0
peerd_peer_availability{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="unavailable"} 0
peerd_peer_availability{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="unidentified"} 0
# HELP peerd_peer_encryption 1 for the peer record's current encryption.state (none, tls_psk), 0 for the others.
# TYPE peerd_peer_encryption gauge
peerd_peer_encryption{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="none"} 0
peerd_peer_encryption{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b",state="tls_psk"} 0
peerd_peer_encryption{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="none"} 0
peerd_peer_encryption{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c",state="tls_psk"} 1
# HELP peerd_peer_encryption_wanted 1 if the definition managing the peer record asks for tls_psk encryption.
# TYPE peerd_peer_encryption_wanted gauge
peerd_peer_encryption_wanted{cluster="cluster-a",peer="cluster-b",remote_cluster="cluster-b"} 1
peerd_peer_encryption_wanted{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c"} 1
# HELP peerd_peer_info Constant 1 per peer record, labelled with its ipspace, peer applications and whether a definition manages it.
# TYPE peerd_peer_info gauge
peerd_peer_info{applications="flexcache,snapmirror",cluster="cluster-a",ipspace="Default",managed="true",peer="cluster-c",remote_cluster="cluster-c"} 1
peerd_peer_info{applications="snapmirror",cluster="cluster-a",ipspace="Default",managed="true",peer="cluster-b",remote_cluster="cluster-b"} 1
# HELP peerd_peer_status_update_timestamp_seconds Unix time of the peer record's status.update_time.
# TYPE peerd_peer_status_update_timestamp_seconds gauge
peerd_peer_status_update_timestamp_seconds{cluster="cluster-a",peer="cluster-c",remote_cluster="cluster-c"} 1.7963982005e+09
# HELP peerd_unmanaged_peers Peer records on the cluster that no definition manages.
# TYPE peerd_unmanaged_peers gauge
peerd_unmanaged_peers{cluster="cluster-a"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), peerMetricNames...); err != nil {
		t.Fatal(err)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Fatalf("lint: err=%v problems=%v", err, problems)
	}
}

func TestSetPeersReplacesOnlyThatCluster(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.SetPeers("cluster-a", []metrics.PeerSample{offer, established})
	m.SetPeers("cluster-x", []metrics.PeerSample{established})

	gone := established
	gone.ExpiryTime = time.Time{}
	unmanaged := metrics.PeerSample{Name: "legacy", RemoteCluster: "legacy", State: "unavailable"}
	m.SetPeers("cluster-a", []metrics.PeerSample{unmanaged}) // offer and established disappeared

	tests := []struct {
		metric string
		want   int
	}{
		// cluster-a: 5 states of "legacy"; cluster-x: 5 states of "cluster-c".
		{"peerd_peer_availability", 10},
		{"peerd_peer_authentication", 8},
		{"peerd_peer_info", 2},
		// Neither remaining record has an expiry; only cluster-x's has an update time.
		{"peerd_peer_authentication_expiry_timestamp_seconds", 0},
		{"peerd_peer_status_update_timestamp_seconds", 1},
		{"peerd_unmanaged_peers", 2},
	}
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			got, err := testutil.GatherAndCount(reg, tt.metric)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s: %d series, want %d", tt.metric, got, tt.want)
			}
		})
	}
	if got := testutil.ToFloat64(m.UnmanagedPeers.WithLabelValues("cluster-a")); got != 1 {
		t.Errorf("unmanaged peers on cluster-a = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.PeerAvailability.WithLabelValues("cluster-x", "cluster-c", "cluster-c", "available")); got != 1 {
		t.Errorf("cluster-x's peer lost its state: %v", got)
	}

	m.SetPeers("cluster-a", []metrics.PeerSample{})
	if got := testutil.ToFloat64(m.UnmanagedPeers.WithLabelValues("cluster-a")); got != 0 {
		t.Errorf("unmanaged peers after an empty list = %v, want 0", got)
	}
	m.RemoveCluster("cluster-x")
	if got, _ := testutil.GatherAndCount(reg, peerMetricNames...); got != 1 { // cluster-a's unmanaged count
		t.Errorf("after RemoveCluster: %d per-peer series left, want 1", got)
	}
}

func TestSetPeersSharedNameCombines(t *testing.T) {
	m := metrics.New(prometheus.NewRegistry())
	a := metrics.PeerSample{State: "pending", AuthState: "pending", ExpiryTime: expiry}
	b := metrics.PeerSample{State: "unidentified", AuthState: "pending", ExpiryTime: expiry.Add(-time.Hour)}
	m.SetPeers("cluster-a", []metrics.PeerSample{a, b})

	for _, st := range []string{"pending", "unidentified"} {
		if got := testutil.ToFloat64(m.PeerAvailability.WithLabelValues("cluster-a", "", "", st)); got != 1 {
			t.Errorf("state %s = %v, want 1 (either record is in it)", st, got)
		}
	}
	if got := testutil.ToFloat64(m.PeerExpiryTimestamp.WithLabelValues("cluster-a", "", "")); got != float64(expiry.Add(-time.Hour).Unix()) {
		t.Errorf("expiry = %v, want the earliest", got)
	}
	if got := testutil.ToFloat64(m.UnmanagedPeers.WithLabelValues("cluster-a")); got != 2 {
		t.Errorf("unmanaged = %v, want 2 records", got)
	}
}

// The exported state values must be exactly ONTAP's enums, so that alerts
// written against them match what the client reports.
func TestStateValuesMatchONTAPEnums(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.SetPeers("c", []metrics.PeerSample{{Name: "p"}})

	tests := []struct {
		metric string
		want   []string
	}{
		{"peerd_peer_availability", strs(ontap.PeerStates)},
		{"peerd_peer_authentication", strs(ontap.AuthStates)},
		{"peerd_peer_authentication_in_use", []string{string(ontap.InUseOK), string(ontap.InUseAbsent), string(ontap.InUseRevoked)}},
		{"peerd_peer_encryption", []string{string(ontap.EncryptionNone), string(ontap.EncryptionTLSPSK)}},
	}
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			got := labelValues(t, reg, tt.metric, "state")
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("state values %v, want %v", got, want)
			}
		})
	}
}

func strs[S ~string](in []S) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

// labelValues gathers reg and returns the sorted values of label on metric.
func labelValues(t *testing.T, reg prometheus.Gatherer, metric, label string) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		if mf.GetName() != metric {
			continue
		}
		for _, s := range mf.GetMetric() {
			for _, lp := range s.GetLabel() {
				if lp.GetName() == label {
					out = append(out, lp.GetValue())
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// A record whose info labels change keeps one info series, not two.
func TestSetPeersInfoFollowsChanges(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	p := established
	m.SetPeers("cluster-a", []metrics.PeerSample{p})
	p.Applications = []string{"snapmirror"}
	p.Managed = false
	m.SetPeers("cluster-a", []metrics.PeerSample{p})
	if got := labelValues(t, reg, "peerd_peer_info", "applications"); len(got) != 1 || got[0] != "snapmirror" {
		t.Errorf("info applications %v, want only the current [snapmirror]", got)
	}
	if got := labelValues(t, reg, "peerd_peer_info", "managed"); len(got) != 1 || got[0] != "false" {
		t.Errorf("info managed %v, want only the current [false]", got)
	}
}
