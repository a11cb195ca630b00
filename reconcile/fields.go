package reconcile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
)

// spec is the desired content of side s's record. A managed remote's
// addresses are looked up (and so fetched by Observe) only when withRemote.
func (d *differ) spec(r *rel, s *side, withRemote bool) *Spec {
	sp := &Spec{
		Name:       s.peerName,
		Ipspace:    s.ipspace,
		Encryption: desiredEncryption(r.def),
	}
	if withRemote || s.other == nil {
		sp.RemoteAddresses = sortedCopy(d.expectedRemote(r, s))
	}
	if r.def.PeerApplications != nil {
		sp.PeerApplications = []ontap.Application{}
		for _, a := range r.def.PeerApplications {
			sp.PeerApplications = append(sp.PeerApplications, ontap.Application(a))
		}
		slices.Sort(sp.PeerApplications)
	}
	// Allowed SVMs are local SVM names: they belong to the local side only.
	if r.def.InitialAllowedSVMs != nil && s == r.sides[0] {
		sp.InitialAllowedSVMs = sortedCopy(r.def.InitialAllowedSVMs)
	}
	// An unmanaged remote's side is an offer until its administrator
	// completes the peering, whether ONTAP generates the passphrase or it
	// comes from passphrase_file: give it the definition's lifetime rather
	// than ONTAP's one-hour default.
	if s.other == nil {
		sp.OfferExpiry = offerExpiry(r.def)
		if r.def.Remote.Offer != nil {
			sp.HandoverFile = r.def.Remote.Offer.HandoverFile
		}
	}
	return sp
}

// create plans the creation of side s's record.
func (d *differ) create(r *rel, s *side, src PassphraseSource, reason string) Action {
	sp := d.spec(r, s, true)
	a := Action{Kind: KindCreate, Cluster: s.cluster, Reason: reason, Passphrase: src, Spec: sp}
	add := func(field string, after any) { a.Changes = append(a.Changes, Change{Field: field, After: after}) }
	add(FieldName, sp.Name)
	add(FieldIpspace, sp.Ipspace)
	add(FieldEncryption, string(sp.Encryption))
	if len(sp.RemoteAddresses) > 0 {
		add(FieldRemoteIPs, sp.RemoteAddresses)
	}
	if sp.PeerApplications != nil {
		add(FieldApplications, appStrings(sp.PeerApplications))
	}
	if sp.InitialAllowedSVMs != nil {
		add(FieldSVMs, sp.InitialAllowedSVMs)
	}
	if sp.OfferExpiry > 0 {
		a.Changes = append(a.Changes, Change{Field: FieldExpiry, After: sp.OfferExpiry.String(), Note: "from now"})
	}
	a.Changes = append(a.Changes, passphraseChange(src, sp))
	if d.needsBootstrap(s) {
		if s.localNetwork == nil {
			a.Refused = fmt.Sprintf("cluster %s has no intercluster interface in IPspace %s and the definition has no local_network", s.cluster, s.ipspace)
		} else {
			sp.LocalNetwork = s.localNetwork
			add(FieldLocalNetwork, s.localNetwork.IPAddresses)
		}
	}
	if s.other != nil && len(sp.RemoteAddresses) == 0 && a.Refused == "" {
		a.Refused = fmt.Sprintf("cluster %s has no intercluster interface in IPspace %s to peer with", s.other.cluster, s.other.ipspace)
	}
	sortChanges(a.Changes)
	return a
}

// anonymous turns a first-side create into an anonymous offer (no remote
// addresses), accepted moments later by the second side's create.
func (d *differ) anonymous(a Action, reason string) Action {
	a.Reason = reason
	a.Spec.RemoteAddresses = nil
	a.Changes = slices.DeleteFunc(a.Changes, func(c Change) bool { return c.Field == FieldRemoteIPs })
	return a
}

// patch plans a change of side s's existing record: every patchable field
// that differs, plus the encryption and a passphrase when withPassphrase.
func (d *differ) patch(r *rel, s *side, kind Kind, src PassphraseSource, reason string, withPassphrase bool) Action {
	sp := d.spec(r, s, withPassphrase)
	rec := s.rec
	a := Action{Kind: kind, Cluster: s.cluster, UUID: rec.UUID, Reason: reason, Spec: sp}
	add := func(field string, before, after any) {
		a.Changes = append(a.Changes, Change{Field: field, Before: before, After: after})
	}
	if rec.Name != sp.Name {
		add(FieldName, rec.Name, sp.Name)
	}
	if sp.PeerApplications != nil && !sameSet(appStrings(rec.PeerApplications), appStrings(sp.PeerApplications)) {
		add(FieldApplications, appStrings(rec.PeerApplications), appStrings(sp.PeerApplications))
	}
	// ONTAP accepts initial_allowed_svms only until the remote accepts.
	if sp.InitialAllowedSVMs != nil && !established(rec) && !sameSet(refNames(rec.InitialAllowedSVMs), sp.InitialAllowedSVMs) {
		add(FieldSVMs, refNames(rec.InitialAllowedSVMs), sp.InitialAllowedSVMs)
	}
	if s.other == nil && len(s.declared) > 0 && !sameSet(remoteIPs(rec), s.declared) {
		add(FieldRemoteIPs, nonNil(sortedCopy(remoteIPs(rec))), sp.RemoteAddresses)
	}
	// A managed pair's remote addresses are compared only when the record
	// gets a new passphrase anyway: that is when they are looked up.
	// Addresses that a local_network has yet to create are never patched in:
	// ONTAP could not reach them.
	if s.other != nil && withPassphrase {
		if want, live := d.addresses(s.other.cluster, s.other.ipspace); live && len(want) > 0 && !sameSet(remoteIPs(rec), want) {
			add(FieldRemoteIPs, nonNil(sortedCopy(remoteIPs(rec))), want)
		}
	}
	if withPassphrase {
		var before ontap.Encryption
		if rec.Encryption != nil {
			before = rec.Encryption.Proposed
		}
		if before != sp.Encryption {
			add(FieldEncryption, string(before), string(sp.Encryption))
		}
		a.Passphrase = src
		a.Changes = append(a.Changes, passphraseChange(src, sp))
	}
	sortChanges(a.Changes)
	return a
}

// passphraseChange shows where a passphrase comes from, never its value.
func passphraseChange(src PassphraseSource, sp *Spec) Change {
	c := Change{Field: FieldPassphrase, Sensitive: true}
	switch src {
	case PassphraseGenerate:
		c.Note = "generated by ONTAP"
		if sp.HandoverFile != "" {
			c.Note = "generated by ONTAP, written to " + sp.HandoverFile
		}
	case PassphrasePrevious:
		c.Note = "the one the other side generates"
	case PassphraseFile:
		c.Note = "from passphrase_file"
	}
	return c
}

// fieldRank is the order changes are listed in.
func fieldRank(field string) int {
	return slices.Index([]string{
		FieldName, FieldIpspace, FieldRemoteIPs, FieldEncryption, FieldApplications,
		FieldSVMs, FieldExpiry, FieldPassphrase, FieldLocalNetwork,
	}, field)
}

func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int { return fieldRank(a.Field) - fieldRank(b.Field) })
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func list(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = quote(x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func appStrings(as []ontap.Application) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	slices.Sort(out)
	return out
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func refNames(rs []ontap.Ref) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Name)
	}
	slices.Sort(out)
	return out
}

func remoteIPs(p *ontap.Peer) []string {
	if p.Remote == nil {
		return nil
	}
	return p.Remote.IPAddresses
}

func sortedCopy(xs []string) []string {
	if xs == nil {
		return nil
	}
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

func sameSet(a, b []string) bool {
	return slices.Equal(sortedCopy(a), sortedCopy(b)) || (len(a) == 0 && len(b) == 0)
}

// localNetworkRequest converts a definition's local_network to ONTAP's.
func localNetworkRequest(ln *desired.LocalNetwork) *ontap.LocalNetwork {
	if ln == nil {
		return nil
	}
	out := &ontap.LocalNetwork{Netmask: ln.Netmask, BroadcastDomain: ln.BroadcastDomain, Gateway: ln.Gateway}
	for _, ip := range ln.IPAddresses {
		out.Interfaces = append(out.Interfaces, ontap.LocalInterface{IPAddress: ip})
	}
	return out
}
