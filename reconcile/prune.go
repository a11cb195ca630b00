package reconcile

import (
	"fmt"
	"slices"
	"sort"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
)

// undeclared lists the records no definition claimed: deleted on clusters
// that opted in to prune (refused while any file is broken or any cluster
// unobserved), reported as unmanaged elsewhere.
func (d *differ) undeclared() []Relationship {
	refusal := d.pruneRefusal()
	var out []Relationship
	names := make([]string, 0, len(d.obs.Clusters))
	for name := range d.obs.Clusters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, cluster := range names {
		cs := d.obs.Clusters[cluster]
		if !cs.observed() {
			continue
		}
		prune := d.prunes(cluster)
		for _, p := range cs.Peers {
			if d.claimed[cluster][p.UUID] {
				continue
			}
			label := p.Name
			if label == "" {
				label = p.UUID
			}
			r := Relationship{Name: cluster + "/" + label, Clusters: []string{cluster}, Actions: []Action{},
				Records: []RecordRef{{Cluster: cluster, UUID: p.UUID}}}
			if !prune {
				r.Notes = []string{"not declared; left alone (prune is off for " + cluster + ")"}
				out = append(out, r)
				continue
			}
			if rel, ok := d.sideNames[cluster][p.Name]; ok && p.Name != "" {
				// Most likely the definition's own record whose remote turned
				// out to be another cluster (an offer accepted by a cluster of
				// another name): a mistake to fix, never a reason to delete.
				r.Notes = []string{fmt.Sprintf("not matched, but named as relationship %s's record on %s "+
					"(its remote is %s): left alone; check that definition's remote", rel, cluster, remoteOf(&p))}
				out = append(out, r)
				continue
			}
			r.Actions = append(r.Actions, Action{
				Kind: KindDelete, Cluster: cluster, UUID: p.UUID,
				Reason:  "not declared by any definition and prune is on for " + cluster,
				Changes: []Change{{Field: FieldName, Before: p.Name}},
				Refused: refusal,
			})
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// prunes reports whether the configuration lets peerd delete undeclared
// records on cluster.
func (d *differ) prunes(cluster string) bool {
	if d.set.Config == nil {
		return false
	}
	for _, c := range d.set.Config.Clusters {
		if c.Name == cluster {
			return c.Prune
		}
	}
	return false
}

// pruneRefusal says why no undeclared record may be deleted now, if so.
func (d *differ) pruneRefusal() string {
	if len(d.set.Broken) > 0 {
		return fmt.Sprintf("prune is suspended while %d definition file(s) are broken", len(d.set.Broken))
	}
	var unobserved []string
	for name, cs := range d.obs.Clusters {
		if !cs.observed() {
			unobserved = append(unobserved, name)
		}
	}
	if d.set.Config != nil {
		for _, c := range d.set.Config.Clusters {
			if _, ok := d.obs.Clusters[c.Name]; !ok {
				unobserved = append(unobserved, c.Name)
			}
		}
	}
	if len(unobserved) > 0 {
		slices.Sort(unobserved)
		return fmt.Sprintf("prune is suspended while cluster(s) %v cannot be observed", slices.Compact(unobserved))
	}
	return ""
}

// planNotes are the plan-wide messages.
func (d *differ) planNotes() []string {
	var notes []string
	broken := slices.Clone(d.set.Broken)
	sort.Slice(broken, func(i, j int) bool { return broken[i].File < broken[j].File })
	for _, b := range broken {
		notes = append(notes, fmt.Sprintf("definition file %s is broken: %v", d.relPath(b.File), b.Err))
	}
	names := make([]string, 0, len(d.obs.Clusters))
	for name := range d.obs.Clusters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if cs := d.obs.Clusters[name]; !cs.observed() {
			notes = append(notes, fmt.Sprintf("cluster %s could not be observed: %s; its relationships are unknown", name, cs.Error))
		}
	}
	return notes
}

// maxDeletes is the configured limit of deletes in one plan (0 allows
// none); without a configuration it is DefaultMaxDeletes.
func (d *differ) maxDeletes() int {
	if d.set.Config == nil {
		return DefaultMaxDeletes
	}
	return d.set.Config.Prune.MaxDeletes
}

// limitDeletes refuses every delete of the plan when it deletes more than
// max_deletes relationships (both records of a managed pair count once,
// declared or pruned; any other undeclared record counts as one): a mass
// delete is more likely a mistake than intent.
func (d *differ) limitDeletes(p *Plan) {
	counted := map[string]bool{}
	for _, r := range p.Relationships {
		if slices.ContainsFunc(r.Actions, func(a Action) bool { return a.Kind == KindDelete && a.Applicable() }) {
			counted[d.deleteKey(r)] = true
		}
	}
	n := len(counted)
	limit := d.maxDeletes()
	if n <= limit {
		return
	}
	msg := fmt.Sprintf("the plan deletes %d relationships, more than max_deletes (%d): every delete is refused", n, limit)
	p.Notes = append(p.Notes, msg)
	for i := range p.Relationships {
		for j := range p.Relationships[i].Actions {
			a := &p.Relationships[i].Actions[j]
			if a.Kind == KindDelete && a.Applicable() {
				a.Refused = msg
			}
		}
	}
}

// setStatus derives a relationship's status from its actions.
func setStatus(r *Relationship) {
	if r.Status == StatusUnknown || r.Status == StatusFrozen {
		return
	}
	if len(r.Actions) == 0 {
		if r.Declared {
			r.Status = StatusNoOp
		} else {
			r.Status = StatusUnmanaged
		}
		return
	}
	applicable := 0
	kinds := map[Kind]bool{}
	for _, a := range r.Actions {
		if a.Applicable() {
			applicable++
			kinds[a.Kind] = true
		}
	}
	switch {
	case applicable == 0:
		r.Status = StatusRefused
	case kinds[KindReplace]:
		r.Status = StatusReplace
	case kinds[KindDelete]:
		r.Status = StatusDelete
	case kinds[KindCreate] && !kinds[KindPatch] && !kinds[KindRekey] && !kinds[KindRenew]:
		r.Status = StatusCreate
	default:
		r.Status = StatusUpdate
	}
}

// deleteKey names the relationship a delete counts against max_deletes: a
// declared relationship by its name; an undeclared record whose remote is
// another managed cluster by the pair, so that pruning a pair whose
// definition was removed counts once, as its state: absent would.
func (d *differ) deleteKey(r Relationship) string {
	if r.Declared || len(r.Records) != 1 {
		return "declared/" + r.Name
	}
	ref := r.Records[0]
	key := "record/" + ref.Cluster + "/" + ref.UUID
	cs := d.obs.Clusters[ref.Cluster]
	if cs == nil {
		return key
	}
	for _, p := range cs.Peers {
		if p.UUID != ref.UUID {
			continue
		}
		if p.Remote == nil || p.Remote.Name == "" || p.Remote.Name == ref.Cluster || !d.managed(p.Remote.Name) {
			return key
		}
		pair := []string{ref.Cluster, p.Remote.Name}
		slices.Sort(pair)
		return "pair/" + pair[0] + "/" + pair[1]
	}
	return key
}

// managed reports whether cluster is a configured (managed) cluster.
func (d *differ) managed(cluster string) bool {
	if d.set.Config == nil {
		_, ok := d.obs.Clusters[cluster]
		return ok
	}
	return slices.ContainsFunc(d.set.Config.Clusters, func(c desired.Cluster) bool { return c.Name == cluster })
}

// remoteOf names a record's remote cluster for notes.
func remoteOf(p *ontap.Peer) string {
	if p.Remote == nil || p.Remote.Name == "" {
		return "not identified"
	}
	return p.Remote.Name
}
