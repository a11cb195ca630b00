package ontapsim

import (
	"time"
)

// authFailed is the answer to a passphrase that does not match the offer
// of the remote cluster (the code is the simulator's choice; see doc.go).
func authFailed(remote string, expired bool) *apiError {
	if expired {
		return badRequest(codeAuthFailed, "authentication.passphrase",
			"Authentication with cluster %q failed: the offer has expired.", remote)
	}
	return badRequest(codeAuthFailed, "authentication.passphrase",
		"Authentication with cluster %q failed: the passphrase does not match.", remote)
}

// findOffer looks on owner (IPspace space) for an unestablished record that
// offers passphrase pass to cluster c. It returns the matching record, or
// nil when owner has no offer for c at all (the caller then records its own
// pending offer), or an authentication error when owner has an offer for c
// with another passphrase, an expired one, or pass was offered to another
// cluster. Callers hold w.mu.
func (c *Cluster) findOffer(owner *Cluster, space *ipspace, pass string, now time.Time) (*peer, *apiError) {
	var match, anon *peer
	var mismatch, expired bool
	for _, q := range owner.peers {
		if q.ipspace != space || q.offer == nil || q.established && !q.remoteGone {
			continue
		}
		targeted := len(q.remoteIPs) > 0
		forMe := targeted && c.w.ownsAll(c, nil, q.remoteIPs)
		if q.established {
			// A stale record whose counterpart was deleted, re-keyed by PATCH.
			forMe = q.remote == c
		}
		switch {
		case q.offer.passphrase == pass && (forMe || !targeted):
			if q.offer.expired(now) {
				expired = true
				continue
			}
			if forMe {
				match = q
			} else if anon == nil {
				anon = q
			}
		case q.offer.passphrase == pass:
			mismatch = true // offered to another cluster only
		case forMe && !q.offer.expired(now):
			mismatch = true
		}
	}
	if match == nil {
		match = anon
	}
	switch {
	case match != nil:
		return match, nil
	case expired:
		return nil, authFailed(owner.name, true)
	case mismatch:
		return nil, authFailed(owner.name, false)
	}
	return nil, nil
}

// establish links record p of c with record q of q's cluster: both become
// available/ok, learn each other's identity and agree on encryption. An
// anonymous offer gets a new uuid. Callers hold w.mu.
func (c *Cluster) establish(p *peer, owner *Cluster, q *peer, now time.Time) {
	if q.anonymous() {
		delete(owner.peers, q.uuid)
		q.uuid = c.w.newUUID()
		owner.peers[q.uuid] = q
	}
	if len(q.remoteIPs) == 0 || q.remoteGone {
		q.remoteIPs = c.icAddrs(p.ipspace)
	}
	p.established, q.established = true, true
	p.remoteGone, q.remoteGone = false, false
	p.remote, q.remote = owner, c
	p.remotePeer, q.remotePeer = q.uuid, p.uuid
	p.offer, q.offer = nil, nil
	p.updated, q.updated = now, now
	if !p.userNamed && (c.peerByName(owner.name) == nil || c.peerByName(owner.name) == p) {
		p.name = owner.name
	}
	if !q.userNamed && (owner.peerByName(c.name) == nil || owner.peerByName(c.name) == q) {
		q.name = c.name
	}
	enc := "none"
	if p.encProposed == "tls_psk" && q.encProposed == "tls_psk" {
		enc = "tls_psk"
	}
	p.encState, q.encState = enc, enc
}
