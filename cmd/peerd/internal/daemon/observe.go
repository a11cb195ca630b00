package daemon

import (
	"slices"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/metrics"
	"github.com/peerd/peerd/ontap"
	"github.com/peerd/peerd/reconcile"
)

// recordObservation exports what a pass read and planned, and returns the
// relationships that could not be planned (a cluster of theirs was
// unreachable): they are retried with backoff.
func (r *Reconciler) recordObservation(set *desired.Set, obs *reconcile.Observed, plan reconcile.Plan) []string {
	m := r.opts.Metrics
	// declaredBy maps each matched ONTAP record to its definition.
	declaredBy := map[reconcile.RecordRef]*desired.Peer{}
	defs := map[string]*desired.Peer{}
	for i := range set.Peers {
		defs[set.Peers[i].Name] = &set.Peers[i]
	}
	var failed []string
	var sides []metrics.SideSample
	for _, rel := range plan.Relationships {
		if !rel.Declared {
			continue
		}
		for _, ref := range rel.Records {
			declaredBy[ref] = defs[rel.Name]
		}
		unknown := rel.Status == reconcile.StatusUnknown
		if unknown {
			failed = append(failed, rel.Name)
		}
		for _, c := range rel.Clusters {
			inSync := !slices.ContainsFunc(rel.Actions, func(a reconcile.Action) bool {
				return a.Cluster == c && a.Applicable()
			})
			sides = append(sides, metrics.SideSample{Relationship: rel.Name, Cluster: c, InSync: inSync, Unknown: unknown})
		}
	}
	m.SetDesired(sides)
	for name, cs := range obs.Clusters {
		m.SetClusterReachable(name, cs.Error == "")
		if cs.Error != "" {
			r.log.Warn("cluster could not be observed", "cluster", name, "error", cs.Error)
			continue // keep its last known peer series
		}
		samples := make([]metrics.PeerSample, 0, len(cs.Peers))
		for i := range cs.Peers {
			p := &cs.Peers[i]
			def, managed := declaredBy[reconcile.RecordRef{Cluster: name, UUID: p.UUID}]
			wantTLS := managed && def != nil && def.Encryption != string(ontap.EncryptionNone)
			samples = append(samples, peerSample(p, managed, wantTLS))
		}
		m.SetPeers(name, samples)
	}
	return failed
}

func peerSample(p *ontap.Peer, managed, wantTLS bool) metrics.PeerSample {
	s := metrics.PeerSample{Name: p.Name, Managed: managed, EncryptionWanted: wantTLS}
	if p.Remote != nil {
		s.RemoteCluster = p.Remote.Name
	}
	if p.Status != nil {
		s.State, s.UpdateTime = string(p.Status.State), p.Status.UpdateTime
	}
	if a := p.Authentication; a != nil {
		s.AuthState, s.AuthInUse, s.ExpiryTime = string(a.State), string(a.InUse), a.ExpiryTime
	}
	if p.Encryption != nil {
		s.EncryptionState = string(p.Encryption.State)
	}
	if p.Ipspace != nil {
		s.Ipspace = p.Ipspace.Name
	}
	for _, app := range p.PeerApplications {
		s.Applications = append(s.Applications, string(app))
	}
	return s
}

// pendingKinds counts the plan's applicable actions that were not applied
// successfully (all of them when results is nil), by kind.
func pendingKinds(plan reconcile.Plan, results []reconcile.Result) map[string]int {
	done := map[string]int{}
	for _, r := range results {
		if r.Outcome == reconcile.OutcomeOK && r.Kind != reconcile.KindVerify {
			done[string(r.Kind)]++
		}
	}
	counts := map[string]int{}
	for _, rel := range plan.Relationships {
		for _, a := range rel.Actions {
			if a.Applicable() {
				counts[string(a.Kind)]++
			}
		}
	}
	for k, n := range done {
		counts[k] = max(counts[k]-n, 0)
	}
	return counts
}
