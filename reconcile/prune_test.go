package reconcile

import (
	"testing"
	"time"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
)

// prunedPairWorld is cluster-a and cluster-b, both pruning with
// max_deletes 1, peered with each other and with nothing declared.
func prunedPairWorld(extra ...ontap.Peer) (*desired.Set, *Observed) {
	set := &desired.Set{Config: &desired.Config{
		Prune: desired.PrunePolicy{MaxDeletes: 1},
		Clusters: []desired.Cluster{
			{Name: "cluster-a", Prune: true},
			{Name: "cluster-b", Prune: true},
		},
	}}
	rec := func(uuid, name, remote string) ontap.Peer {
		return ontap.Peer{UUID: uuid, Name: name, Remote: &ontap.PeerRemote{Name: remote},
			Authentication: &ontap.PeerAuthentication{State: ontap.AuthOK}}
	}
	obs := &Observed{Clusters: map[string]*ClusterState{
		"cluster-a": {Name: "cluster-a", Peers: append([]ontap.Peer{rec("a-1", "cluster-b", "cluster-b")}, extra...)},
		"cluster-b": {Name: "cluster-b", Peers: []ontap.Peer{rec("b-1", "cluster-a", "cluster-a")}},
	}}
	return set, obs
}

// TestPruneCountsAPairOnce removes the definition of a managed pair with
// prune on both clusters: its two records are one relationship for
// max_deletes, as for state: absent, so max_deletes 1 lets both go; a
// second relationship to prune exceeds it.
func TestPruneCountsAPairOnce(t *testing.T) {
	set, obs := prunedPairWorld()
	plan := Diff(set, obs, time.Time{})
	if s := plan.Summary(); s.Delete != 2 || s.Refused != 0 {
		t.Fatalf("summary %+v, want 2 deletes and none refused; notes %v", s, plan.Notes)
	}

	other := ontap.Peer{UUID: "a-2", Name: "partner", Remote: &ontap.PeerRemote{Name: "partner"}}
	set, obs = prunedPairWorld(other)
	plan = Diff(set, obs, time.Time{})
	if s := plan.Summary(); s.Delete != 0 || s.Refused != 3 {
		t.Fatalf("summary %+v, want every delete refused; notes %v", s, plan.Notes)
	}
}
