package metrics

import (
	"maps"
	"slices"
)

// Kinds of plan actions that are always exported by SetPendingActions, so
// that dashboards and alerts see 0 rather than no series.
var defaultKinds = []string{"create", "patch", "delete"}

// SideSample is the observation of one declared relationship side (the record
// a definition asks for on one managed cluster) in one pass.
type SideSample struct {
	// Relationship is the definition's name.
	Relationship string
	// Cluster is the managed cluster that holds this side.
	Cluster string
	// InSync is true when the side needs no action.
	InSync bool
	// Unknown marks a side that is still declared but could not be compared
	// in this pass (its cluster was unreachable): its series keep their
	// values and its unsynced-pass count neither grows nor resets.
	Unknown bool
}

type sideKey struct{ relationship, cluster string }

type sideState struct {
	inSync   bool
	unsynced int // consecutive passes that found the side out of sync
}

// SetInSync records one pass's observation of one relationship side:
// peerd_relationship_in_sync is set and peerd_relationship_unsynced_passes is
// reset to 0 when in sync, else incremented. Call it once per side per pass
// that could compare the side (not when its cluster was unreachable).
func (m *Metrics) SetInSync(relationship, cluster string, inSync bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.observeSideLocked(sideKey{relationship, cluster}, inSync)
	m.publishSidesLocked()
}

// SetDesired records one pass's observation of every declared side, as
// SetInSync does for each, and deletes the series of sides not in sides (no
// longer declared). Pass sides that could not be compared with Unknown set,
// so that they keep their series and count.
func (m *Metrics) SetDesired(sides []SideSample) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keep := make(map[sideKey]bool, len(sides))
	for _, s := range sides {
		k := sideKey{s.Relationship, s.Cluster}
		if keep[k] {
			continue // a side reported twice counts once per pass
		}
		keep[k] = true
		if !s.Unknown {
			m.observeSideLocked(k, s.InSync)
		}
	}
	maps.DeleteFunc(m.sideState, func(k sideKey, _ *sideState) bool { return !keep[k] })
	m.publishSidesLocked()
}

func (m *Metrics) observeSideLocked(k sideKey, inSync bool) {
	st := m.sideState[k]
	if st == nil {
		st = &sideState{}
		m.sideState[k] = st
	}
	st.inSync = inSync
	if inSync {
		st.unsynced = 0
	} else {
		st.unsynced++
	}
}

// publishSidesLocked makes the side series equal to m.sideState.
func (m *Metrics) publishSidesLocked() {
	inSync := make([]sample, 0, len(m.sideState))
	unsynced := make([]sample, 0, len(m.sideState))
	for k, st := range m.sideState {
		labels := []string{k.relationship, k.cluster}
		inSync = append(inSync, sample{labels: labels, value: boolValue(st.inSync)})
		unsynced = append(unsynced, sample{labels: labels, value: float64(st.unsynced)})
	}
	m.sides.replace("", inSync)
	m.unsynced.replace("", unsynced)
}

// SetPendingActions sets peerd_plan_pending_actions from the last plan's
// action counts by kind (create, patch, delete, ...). Kinds that are missing
// from counts, but were reported before or are create, patch or delete, are
// set to 0.
func (m *Metrics) SetPendingActions(counts map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range defaultKinds {
		m.kinds[k] = true
	}
	for k := range counts {
		m.kinds[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(m.kinds)) {
		m.PendingActions.WithLabelValues(k).Set(float64(counts[k]))
	}
}
