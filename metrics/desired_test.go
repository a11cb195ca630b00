package metrics_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/peerd/peerd/metrics"
)

func TestUnsyncedPassesCountAndReset(t *testing.T) {
	m := metrics.New(prometheus.NewRegistry())
	unsynced := func(rel, cluster string) float64 {
		return testutil.ToFloat64(m.UnsyncedPasses.WithLabelValues(rel, cluster))
	}
	for range 3 {
		m.SetDesired([]metrics.SideSample{
			{Relationship: "a-b", Cluster: "cluster-a", InSync: true},
			{Relationship: "a-b", Cluster: "cluster-b", InSync: false},
		})
	}
	if got := unsynced("a-b", "cluster-b"); got != 3 {
		t.Errorf("unsynced passes of a drifting side = %v, want 3", got)
	}
	if got := unsynced("a-b", "cluster-a"); got != 0 {
		t.Errorf("unsynced passes of a synced side = %v, want 0", got)
	}
	if got := testutil.ToFloat64(m.InSync.WithLabelValues("a-b", "cluster-b")); got != 0 {
		t.Errorf("in_sync of the drifting side = %v", got)
	}

	m.SetInSync("a-b", "cluster-b", false)
	if got := unsynced("a-b", "cluster-b"); got != 4 {
		t.Errorf("SetInSync(false) did not count a pass: %v", got)
	}
	m.SetInSync("a-b", "cluster-b", true)
	if got := unsynced("a-b", "cluster-b"); got != 0 {
		t.Errorf("unsynced passes after sync = %v, want 0", got)
	}
	if got := testutil.ToFloat64(m.InSync.WithLabelValues("a-b", "cluster-b")); got != 1 {
		t.Errorf("in_sync after sync = %v", got)
	}
}

func TestSetDesiredKeepsUnknownSides(t *testing.T) {
	m := metrics.New(prometheus.NewRegistry())
	out := metrics.SideSample{Relationship: "a-b", Cluster: "cluster-b"}
	m.SetDesired([]metrics.SideSample{out})
	m.SetDesired([]metrics.SideSample{out})
	unknown := out
	unknown.Unknown = true
	m.SetDesired([]metrics.SideSample{unknown, {Relationship: "new", Cluster: "cluster-b", Unknown: true}})
	if got := testutil.ToFloat64(m.UnsyncedPasses.WithLabelValues("a-b", "cluster-b")); got != 2 {
		t.Errorf("unsynced passes after an unknown pass = %v, want 2 (unchanged)", got)
	}
	if got := testutil.CollectAndCount(m.InSync); got != 1 {
		t.Errorf("in_sync series = %d, want 1: an unknown side never compared has no value", got)
	}
	m.SetDesired([]metrics.SideSample{out})
	if got := testutil.ToFloat64(m.UnsyncedPasses.WithLabelValues("a-b", "cluster-b")); got != 3 {
		t.Errorf("unsynced passes = %v, want 3", got)
	}
}

func TestSetDesiredDropsUndeclaredSides(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.SetDesired([]metrics.SideSample{
		{Relationship: "a-b", Cluster: "cluster-a", InSync: false},
		{Relationship: "a-b", Cluster: "cluster-b", InSync: false},
		{Relationship: "a-c", Cluster: "cluster-a", InSync: true},
	})
	m.SetDesired([]metrics.SideSample{
		{Relationship: "a-b", Cluster: "cluster-a", InSync: false},
		{Relationship: "a-b", Cluster: "cluster-a", InSync: false}, // duplicate: one pass
	})
	want := `
# HELP peerd_relationship_in_sync 1 if the declared relationship's side on the cluster matches its definition, 0 if a change is pending.
# TYPE peerd_relationship_in_sync gauge
peerd_relationship_in_sync{cluster="cluster-a",relationship="a-b"} 0
# HELP peerd_relationship_unsynced_passes Consecutive passes after which the declared relationship's side on the cluster was still not in sync; 0 when in sync.
# TYPE peerd_relationship_unsynced_passes gauge
peerd_relationship_unsynced_passes{cluster="cluster-a",relationship="a-b"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"peerd_relationship_in_sync", "peerd_relationship_unsynced_passes"); err != nil {
		t.Fatal(err)
	}

	// A side that comes back starts counting afresh.
	m.SetDesired([]metrics.SideSample{{Relationship: "a-b", Cluster: "cluster-b", InSync: false}})
	if got := testutil.ToFloat64(m.UnsyncedPasses.WithLabelValues("a-b", "cluster-b")); got != 1 {
		t.Errorf("re-declared side unsynced passes = %v, want 1", got)
	}
	m.RemoveCluster("cluster-b")
	if got, _ := testutil.GatherAndCount(reg, "peerd_relationship_in_sync"); got != 0 {
		t.Errorf("in_sync series after RemoveCluster = %d", got)
	}
}

func TestSetPendingActionsKeepsKindsAtZero(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.SetPendingActions(map[string]int{"create": 2, "replace": 1})
	m.SetPendingActions(map[string]int{"patch": 1})
	want := `
# HELP peerd_plan_pending_actions Actions of the last plan that are not yet applied, by kind.
# TYPE peerd_plan_pending_actions gauge
peerd_plan_pending_actions{kind="create"} 0
peerd_plan_pending_actions{kind="delete"} 0
peerd_plan_pending_actions{kind="patch"} 1
peerd_plan_pending_actions{kind="replace"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "peerd_plan_pending_actions"); err != nil {
		t.Fatal(err)
	}
}
