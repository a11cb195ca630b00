package reconcile

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
)

// DefaultOfferExpiry is the lifetime of a generated passphrase when a
// definition sets none (ONTAP's own default).
const DefaultOfferExpiry = time.Hour

// DefaultMaxDeletes is the delete limit of a plan when the configuration
// sets none.
const DefaultMaxDeletes = 1

// Diff compares the desired state with what was observed and decides, per
// relationship, what to do. It is pure: no I/O, no clock but now.
func Diff(set *desired.Set, obs *Observed, now time.Time) Plan {
	d := newDiffer(set, obs)
	return d.diff(now)
}

func (d *differ) diff(now time.Time) Plan {
	var p Plan
	rels := d.buildRels()
	d.match(rels)
	for _, r := range rels {
		p.Relationships = append(p.Relationships, d.decide(r, now))
	}
	p.Relationships = append(p.Relationships, d.undeclared()...)
	p.Notes = append(p.Notes, d.planNotes()...)
	d.limitDeletes(&p)
	for i := range p.Relationships {
		setStatus(&p.Relationships[i])
		if p.Relationships[i].Actions == nil {
			p.Relationships[i].Actions = []Action{}
		}
	}
	sort.SliceStable(p.Relationships, func(i, j int) bool {
		a, b := p.Relationships[i], p.Relationships[j]
		if a.Declared != b.Declared {
			return a.Declared
		}
		return a.Name < b.Name
	})
	return p
}

// decide plans one declared relationship.
func (d *differ) decide(r *rel, now time.Time) Relationship {
	out := Relationship{Name: r.def.Name, Declared: true, Actions: []Action{}}
	if r.def.Source.File != "" {
		out.Source = fmt.Sprintf("%s:%d", d.relPath(r.def.Source.File), r.def.Source.Line)
	}
	for _, s := range r.sides {
		out.Clusters = append(out.Clusters, s.cluster)
	}
	slices.Sort(out.Clusters)
	for _, s := range r.sides {
		cs, ok := d.obs.Clusters[s.cluster]
		if !ok {
			out.Status = StatusUnknown
			out.Notes = append(out.Notes, fmt.Sprintf("cluster %s was not observed", s.cluster))
		} else if !cs.observed() {
			out.Status = StatusUnknown
			out.Notes = append(out.Notes, fmt.Sprintf("cluster %s could not be observed: %s", s.cluster, cs.Error))
		}
	}
	if out.Status == StatusUnknown {
		return out
	}
	for _, s := range r.sides {
		if s.rec != nil {
			out.Records = append(out.Records, RecordRef{Cluster: s.cluster, UUID: s.rec.UUID})
		}
	}
	if r.def.Frozen {
		out.Status = StatusFrozen
		out.Notes = append(out.Notes, "its definition file is broken: the last good definition is kept and nothing is changed")
		return out
	}
	if r.def.State == desired.Absent {
		for _, s := range r.sides {
			if s.rec != nil {
				out.Actions = append(out.Actions, Action{
					Kind: KindDelete, Cluster: s.cluster, UUID: s.rec.UUID,
					Reason:  "state: absent",
					Changes: []Change{{Field: FieldName, Before: s.rec.Name}},
				})
			}
		}
		return out
	}
	out.Actions = d.replaces(r)
	if len(out.Actions) > 0 && !out.Actions[0].Applicable() {
		return out
	}
	if len(r.sides) == 2 {
		out.Actions = append(out.Actions, d.pair(r)...)
	} else {
		out.Actions = append(out.Actions, d.single(r, now)...)
	}
	d.refuseNameClashes(out.Actions)
	refuseTogether(out.Actions)
	if len(out.Actions) == 0 {
		out.Notes = append(out.Notes, waitingNotes(r)...)
	}
	return out
}

// relPath shows a definition file relative to the configuration file's
// directory, so that plans do not depend on where the files are checked out.
func (d *differ) relPath(file string) string {
	if d.set.Config == nil || d.set.Config.Path == "" || !filepath.IsAbs(file) {
		return file
	}
	rel, err := filepath.Rel(filepath.Dir(d.set.Config.Path), file)
	if err != nil || strings.HasPrefix(rel, "..") {
		return file
	}
	return rel
}

// replaces plans the re-creation of records whose create-only ipspace no
// longer matches; after it the side counts as missing. Without
// allow_replace the replacement is shown refused and nothing else is done.
func (d *differ) replaces(r *rel) []Action {
	var acts []Action
	for _, s := range r.sides {
		if s.rec == nil || s.rec.Ipspace == nil || s.rec.Ipspace.Name == "" || s.rec.Ipspace.Name == s.ipspace {
			continue
		}
		a := Action{
			Kind: KindReplace, Cluster: s.cluster, UUID: s.rec.UUID,
			Reason:  "ipspace can only be set when the record is created",
			Changes: []Change{{Field: FieldIpspace, Before: s.rec.Ipspace.Name, After: s.ipspace}},
		}
		if !r.def.AllowReplace {
			a.Refused = "replacing deletes the peer record; set allow_replace: true to allow it"
		} else {
			s.rec = nil
		}
		acts = append(acts, a)
	}
	for _, a := range acts {
		if !a.Applicable() {
			for i := range acts {
				acts[i].Refused = a.Refused
			}
			break
		}
	}
	return acts
}

// pair plans a relationship between two managed clusters.
func (d *differ) pair(r *rel) []Action {
	a, b := r.sides[0], r.sides[1]
	estA, estB := established(a.rec), established(b.rec)
	switch {
	case a.rec == nil && b.rec == nil:
		// A side that must create its intercluster LIFs goes first: the
		// second side's create needs addresses that answer.
		first, second := a, b
		bootA, bootB := d.needsBootstrap(a), d.needsBootstrap(b)
		if bootB && !bootA {
			first, second = b, a
		}
		one := d.create(r, first, PassphraseGenerate, "the relationship does not exist")
		if bootA && bootB {
			// Neither side's addresses exist yet: the first side offers
			// anonymously and the second, once its LIFs exist, accepts.
			one = d.anonymous(one, "the relationship does not exist; both sides create their intercluster LIFs, so the first offers anonymously")
		}
		return []Action{
			one,
			d.create(r, second, PassphrasePrevious, fmt.Sprintf("second side, with the passphrase %s generates", first.cluster)),
		}
	case a.rec == nil || b.rec == nil:
		missing, existing := a, b
		if b.rec == nil {
			missing, existing = b, a
		}
		reason := fmt.Sprintf("the record on %s is missing; a new passphrase is needed to create it", missing.cluster)
		if !established(existing.rec) {
			reason = fmt.Sprintf("half-peered: the pending side's passphrase is no longer known and %s has no record", missing.cluster)
		}
		return []Action{
			d.patch(r, existing, KindRekey, PassphraseGenerate, reason, true),
			d.create(r, missing, PassphrasePrevious, fmt.Sprintf("second side, with the passphrase %s generates", existing.cluster)),
		}
	case !estA || !estB:
		reason := "both records exist but are not authenticated; both get a new passphrase"
		return []Action{
			d.patch(r, a, KindRekey, PassphraseGenerate, reason, true),
			d.patch(r, b, KindPatch, PassphrasePrevious, reason, true),
		}
	}
	if encryptionDiffers(a, r.def) || encryptionDiffers(b, r.def) {
		reason := "encryption changes need a new passphrase on both sides"
		return []Action{
			d.patch(r, a, KindPatch, PassphraseGenerate, reason, true),
			d.patch(r, b, KindPatch, PassphrasePrevious, reason, true),
		}
	}
	var acts []Action
	for _, s := range r.sides {
		if act := d.patch(r, s, KindPatch, PassphraseNone, "fields differ from the definition", false); len(act.Changes) > 0 {
			acts = append(acts, act)
		}
	}
	return acts
}

// single plans a relationship with an unmanaged remote.
func (d *differ) single(r *rel, now time.Time) []Action {
	s := r.sides[0]
	offer := r.def.Remote.Offer != nil
	src := PassphraseFile
	if offer {
		src = PassphraseGenerate
	}
	if s.rec == nil {
		reason := "the relationship does not exist"
		if offer && len(s.declared) == 0 {
			reason += "; an anonymous offer is created"
		}
		return []Action{d.create(r, s, src, reason)}
	}
	// A pending side is renewed before its passphrase expires: a new one
	// for an offer, the agreed one again (with a new expiry) otherwise.
	if !established(s.rec) && s.rec.Authentication != nil && !s.rec.Authentication.ExpiryTime.IsZero() {
		life := offerExpiry(r.def)
		left := s.rec.Authentication.ExpiryTime.Sub(now)
		if left < life/4 {
			reason := fmt.Sprintf("the offer expires in %s, less than a quarter of its %s lifetime", roundDuration(left), life)
			if left <= 0 {
				reason = "the offer has expired"
			}
			a := d.patch(r, s, KindRenew, src, reason, true)
			a.Changes = append(a.Changes, Change{Field: FieldExpiry, Before: formatTime(s.rec.Authentication.ExpiryTime), After: life.String(), Note: "from now"})
			sortChanges(a.Changes)
			return []Action{a}
		}
	}
	if encryptionDiffers(s, r.def) {
		return []Action{d.patch(r, s, KindPatch, src, "encryption changes need a new passphrase", true)}
	}
	if a := d.patch(r, s, KindPatch, PassphraseNone, "fields differ from the definition", false); len(a.Changes) > 0 {
		return []Action{a}
	}
	return nil
}

// refuseTogether refuses every action of a relationship when one is
// refused: half of a handshake would leave a pending record to re-key on
// every pass.
func refuseTogether(acts []Action) {
	for _, a := range acts {
		if a.Applicable() {
			continue
		}
		for i := range acts {
			if acts[i].Applicable() {
				acts[i].Refused = "another step of this relationship is refused: " + a.Refused
			}
		}
		return
	}
}

// waitingNotes explains a relationship that needs no action but is not yet
// established.
func waitingNotes(r *rel) []string {
	var notes []string
	for _, s := range r.sides {
		if s.rec != nil && !established(s.rec) && s.other == nil {
			notes = append(notes, fmt.Sprintf("%s: waiting for the administrator of %s to complete the peering", s.cluster, remoteLabel(r.def)))
		}
	}
	return notes
}

func remoteLabel(def *desired.Peer) string {
	if def.Remote.Name != "" {
		return def.Remote.Name
	}
	return "the remote cluster"
}

// established reports whether a record has authenticated with its remote.
func established(p *ontap.Peer) bool {
	return p != nil && p.Authentication != nil && p.Authentication.State == ontap.AuthOK
}

func desiredEncryption(def *desired.Peer) ontap.Encryption {
	if def.Encryption == "" {
		return ontap.EncryptionTLSPSK
	}
	return ontap.Encryption(strings.ReplaceAll(def.Encryption, "-", "_"))
}

func encryptionDiffers(s *side, def *desired.Peer) bool {
	if s.rec == nil || s.rec.Encryption == nil || s.rec.Encryption.Proposed == "" {
		return false
	}
	return s.rec.Encryption.Proposed != desiredEncryption(def)
}

func offerExpiry(def *desired.Peer) time.Duration {
	if def.OfferExpiry > 0 {
		return time.Duration(def.OfferExpiry)
	}
	return DefaultOfferExpiry
}

func roundDuration(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d.Round(time.Second)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// refuseNameClashes refuses a create whose record name is already taken on
// its cluster by a record no definition matched (for example an offer
// accepted by a cluster other than the declared remote): ONTAP refuses a
// second record of one name, so the plan says why instead of failing.
func (d *differ) refuseNameClashes(acts []Action) {
	for i := range acts {
		a := &acts[i]
		if a.Kind != KindCreate || !a.Applicable() || a.Spec == nil || a.Spec.Name == "" {
			continue
		}
		for _, p := range d.obs.Clusters[a.Cluster].Peers {
			if p.Name == a.Spec.Name && !d.claimed[a.Cluster][p.UUID] {
				a.Refused = fmt.Sprintf("cluster %s already has a record named %s (uuid %s, remote %s) that does not match this definition; "+
					"fix the definition's remote or delete that record", a.Cluster, p.Name, p.UUID, remoteOf(&p))
				break
			}
		}
	}
}
