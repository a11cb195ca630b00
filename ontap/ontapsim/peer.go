package ontapsim

import (
	"time"
)

// peer is one cluster_peer record. Guarded by w.mu.
type peer struct {
	uuid        string
	name        string
	userNamed   bool // name chosen by a user (never replaced on accept)
	ipspace     *ipspace
	remoteIPs   []string
	remote      *Cluster // the peered cluster, once established
	remotePeer  string   // uuid of the counterpart record on remote
	established bool
	remoteGone  bool   // the counterpart record was deleted
	offer       *offer // outstanding passphrase offer, if any
	inUse       string
	encProposed string
	encState    string // agreed protocol once established
	apps        []string
	svms        []svmRef
	updated     time.Time

	// Render cache: valid while the world revision is cacheRev and the
	// clock is before cacheUntil (an offer's expiry changes the view).
	cache      map[string]any
	cacheRev   uint64
	cacheUntil time.Time
}

type svmRef struct {
	Name string `json:"name,omitempty"`
	UUID string `json:"uuid,omitempty"`
}

// offer is a passphrase this side will honour until expiry.
type offer struct {
	passphrase string
	expiry     time.Time
	generated  bool
}

func (o *offer) expired(now time.Time) bool { return o != nil && !now.Before(o.expiry) }

// anonymous reports an offer made without remote addresses.
func (p *peer) anonymous() bool { return !p.established && len(p.remoteIPs) == 0 }

// peerView is the derived, time- and reachability-dependent state of a peer.
type peerView struct {
	state, auth, enc string
	updated          time.Time
}

// view derives a record's state. Callers hold w.mu.
func (c *Cluster) view(p *peer, now time.Time) peerView {
	v := peerView{updated: p.updated, enc: "none"}
	later := func(t time.Time) {
		if t.After(v.updated) {
			v.updated = t
		}
	}
	if !p.established {
		v.state, v.auth = "pending", "pending"
		if p.anonymous() {
			v.state = "unidentified"
		}
		if p.offer.expired(now) {
			v.auth = "problem"
			later(p.offer.expiry)
		}
		return v
	}
	v.enc = p.encState
	if p.remoteGone {
		v.state, v.auth = "unavailable", "problem"
		return v
	}
	state, changed := c.w.reach(c, p.remote)
	later(changed)
	v.state, v.auth = state, "ok"
	if !c.w.ownsAll(p.remote, p.ipspace, p.remoteIPs) {
		v.state = "unavailable"
	}
	switch {
	case p.inUse == "absent":
		v.auth = "absent"
	case p.inUse == "revoked":
		v.auth = "problem"
	case p.offer.expired(now):
		// An unanswered passphrase change that expired: key mismatch.
		v.auth = "problem"
		later(p.offer.expiry)
	}
	return v
}

// ownsAll reports whether every address is an intercluster LIF of c.
// Callers hold w.mu.
func (w *World) ownsAll(c *Cluster, _ *ipspace, addrs []string) bool {
	if c == nil || len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		l := w.byAddr[a]
		if l == nil || l.cluster != c || !l.intercluster() {
			return false
		}
	}
	return true
}

// counterpart returns the record on p.remote that p is peered with.
// Callers hold w.mu.
func (p *peer) counterpart() *peer {
	if p.remote == nil || p.remoteGone {
		return nil
	}
	return p.remote.peers[p.remotePeer]
}
