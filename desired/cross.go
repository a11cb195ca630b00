package desired

import (
	"fmt"
	"path/filepath"
	"strconv"
)

// entry is a definition in force during the cross-definition checks.
type entry struct {
	def
	frozen bool
}

// side is one managed cluster's record of a relationship.
type side struct {
	cluster, remote string // the cluster holding the record, and its peer
	peerName        string
	field           string // where peer_name is (or would be) set
}

func sides(p *Peer) []side {
	r := p.Remote
	remote := r.Name
	if r.Managed() {
		remote = r.Cluster
	}
	out := []side{{cluster: p.Local.Cluster, remote: remote, peerName: p.Local.PeerName, field: "local.peer_name"}}
	if r.Managed() {
		out = append(out, side{cluster: r.Cluster, remote: p.Local.Cluster, peerName: r.PeerName, field: "remote.peer_name"})
	}
	return out
}

// pairKey identifies a relationship whatever the order of its ends.
func pairKey(p *Peer) string {
	if p.Remote.Managed() {
		a, b := p.Local.Cluster, p.Remote.Cluster
		if b < a {
			a, b = b, a
		}
		return "managed\x00" + a + "\x00" + b
	}
	return "unmanaged\x00" + p.Local.Cluster + "\x00" + p.Remote.Name
}

func describe(p *Peer) string {
	if p.Remote.Managed() {
		a, b := p.Local.Cluster, p.Remote.Cluster
		if b < a {
			a, b = b, a
		}
		return a + " <-> " + b
	}
	return p.Local.Cluster + " -> " + p.Remote.Name
}

// crossCheck finds conflicts between definitions: a relationship name used
// twice, a relationship declared twice (also reversed), two definitions
// managing one cluster's record for one remote, one remote address used by
// two definitions on a cluster, one peer name used twice on a cluster, and
// one handover file written by two offers.
// Each conflict is reported once on every definition involved, pointing at
// the other; the result is indexed like entries.
func crossCheck(entries []entry) [][]*Error {
	out := make([][]*Error, len(entries))
	reported := map[[2]int]bool{}
	// conflict reports a clash between a (at field fa) and b (at fb) on both.
	conflict := func(a, b at, format string, args ...any) {
		if a.i == b.i || reported[[2]int{a.i, b.i}] {
			return
		}
		reported[[2]int{a.i, b.i}], reported[[2]int{b.i, a.i}] = true, true
		what := fmt.Sprintf(format, args...)
		for _, pair := range [][2]at{{a, b}, {b, a}} {
			x, y := &entries[pair[0].i], &entries[pair[1].i]
			line, col := x.ix.at(pair[0].field)
			out[pair[0].i] = append(out[pair[0].i], &Error{File: x.peer.Source.File, Line: line, Column: col,
				Peer: x.peer.Name, Field: pair[0].field,
				Reason: fmt.Sprintf("%s; also in peer %q at %s", what, y.peer.Name, place(y.peer.Source))})
		}
	}
	seen := map[string]at{}
	// claim records key for (i, field), or reports a conflict with its holder.
	claim := func(key string, i int, field, format string, args ...any) {
		if prev, ok := seen[key]; ok {
			conflict(prev, at{i, field}, format, args...)
			return
		}
		seen[key] = at{i, field}
	}
	for i := range entries {
		p := &entries[i].peer
		claim("name\x00"+p.Name, i, "name", "relationship name used twice")
		claim("pair\x00"+pairKey(p), i, "remote", "relationship %s declared twice", describe(p))
		for _, s := range sides(p) {
			claim("side\x00"+s.cluster+"\x00"+s.remote, i, "remote",
				"two definitions manage %s's peer record for %s", s.cluster, s.remote)
			claim("peer_name\x00"+s.cluster+"\x00"+s.peerName, i, s.field,
				"peer name %q used twice on cluster %s", s.peerName, s.cluster)
		}
		if p.Remote.Offer != nil && p.Remote.Offer.HandoverFile != "" {
			claim("handover\x00"+p.Remote.Offer.HandoverFile, i, "remote.offer.handover_file",
				"handover file %s used by two offers", p.Remote.Offer.HandoverFile)
		}
		if p.Remote.Managed() {
			continue
		}
		for n, a := range p.Remote.IPAddresses {
			claim("addr\x00"+p.Local.Cluster+"\x00"+a, i, "remote.ip_addresses["+strconv.Itoa(n)+"]",
				"remote address %s used by two definitions on cluster %s", a, p.Local.Cluster)
		}
	}
	return out
}

// at is a field of one entry.
type at struct {
	i     int
	field string
}

// place renders a definition's start as file:line:col, the file by its base
// name (all definition files share one directory).
func place(s Source) string {
	return fmt.Sprintf("%s:%d:%d", filepath.Base(s.File), s.Line, s.Column)
}
