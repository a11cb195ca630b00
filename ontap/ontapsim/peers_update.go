package ontapsim

import (
	"net/http"
	"slices"
	"time"
)

// patchPeer serves PATCH /api/cluster/peers/{uuid}.
func (c *Cluster) patchPeer(r *request) (*response, *apiError) {
	in, aerr := decodePeerInput(r, false)
	if aerr != nil {
		return nil, aerr
	}
	w := c.w
	w.lockWrite()
	defer w.mu.Unlock()
	now := w.clock.Now()
	p := c.peers[r.id]
	if p == nil {
		return nil, notFound("uuid")
	}
	// Validate everything first: a failed PATCH changes nothing.
	auth := in.Authentication
	if auth == nil {
		auth = &authInput{}
	}
	generate := auth.GeneratePassphrase != nil && *auth.GeneratePassphrase
	if auth.Passphrase != nil && generate {
		return nil, badRequest("262186", "authentication.generate_passphrase",
			"Field \"generate_passphrase\" cannot be true when \"passphrase\" is given.")
	}
	rekey := generate || auth.Passphrase != nil
	if in.Encryption != nil && in.Encryption.Proposed != nil && *in.Encryption.Proposed != p.encProposed && !rekey {
		return nil, badRequest(codeEncryptionNeedsPass, "encryption.proposed",
			"Changing the proposed encryption protocol requires a new passphrase in the same request.")
	}
	if auth.ExpiryTime != nil && !rekey {
		return nil, badRequest(codeNeedPassOrGenerate, "authentication.expiry_time",
			"Specify either \"passphrase\" or \"generate_passphrase\": true with \"expiry_time\".")
	}
	if auth.Passphrase != nil && len(*auth.Passphrase) < c.minPass {
		return nil, badRequest(codePassphraseTooShort, "authentication.passphrase",
			"The passphrase is too short: the peering policy requires at least %d characters.", c.minPass)
	}
	expiry := now.Add(defaultExpiry).Truncate(time.Second)
	if auth.ExpiryTime != nil {
		var aerr *apiError
		if expiry, aerr = parseExpiry(*auth.ExpiryTime, now); aerr != nil {
			return nil, aerr
		}
	}
	if in.Name != nil {
		if aerr := c.checkName(*in.Name, p); aerr != nil {
			return nil, aerr
		}
	}
	space := p.ipspace
	if in.Ipspace != nil {
		var aerr *apiError
		if space, aerr = c.resolveIpspace(in.Ipspace); aerr != nil {
			return nil, aerr
		}
	}
	ips := p.remoteIPs
	if in.Remote != nil && in.Remote.IPAddresses != nil {
		ips = slices.Clone(*in.Remote.IPAddresses)
		if aerr := checkRemoteIPs(ips); aerr != nil {
			return nil, aerr
		}
		for i := range ips {
			ips[i] = canonAddr(ips[i])
		}
	}
	var owner *Cluster
	var ownerSpace *ipspace
	contact := len(ips) > 0 && (auth.Passphrase != nil || !slices.Equal(ips, p.remoteIPs))
	if contact {
		if len(c.icLIFs(space)) == 0 {
			return nil, badRequest(codeNoICLIFs, "remote.ip_addresses",
				"No operational intercluster LIFs of the IPv4 family on this node for IPspace %q.", space.name)
		}
		var aerr *apiError
		if owner, ownerSpace, aerr = w.resolveOwner(ips); aerr != nil {
			return nil, aerr
		}
		if owner == c {
			return nil, badRequest(codePeerSelf, "remote.ip_addresses", "Cannot peer with the local cluster.")
		}
		if p.established && owner != p.remote {
			return nil, badRequest("4653061", "remote.ip_addresses",
				"The addresses belong to cluster %q, not to the peered cluster %q.", owner.name, p.remote.name)
		}
		if state, _ := w.reach(c, owner); state == "unavailable" {
			return nil, introRPCFailed(ips[0])
		}
	} else if auth.Passphrase != nil {
		return nil, badRequest(codePassphraseNoIPs, "authentication.passphrase",
			"A passphrase without remote IP addresses is not supported; use generate_passphrase.")
	}

	// Work out the handshake before changing anything.
	var match *peer
	completeRotation := false
	if auth.Passphrase != nil {
		pass := *auth.Passphrase
		if q := p.counterpart(); p.established && q != nil {
			if q.offer != nil {
				if q.offer.passphrase != pass {
					return nil, authFailed(owner.name, false)
				}
				if q.offer.expired(now) {
					return nil, authFailed(owner.name, true)
				}
				completeRotation = true
			}
		} else {
			var aerr *apiError
			if match, aerr = c.findOffer(owner, ownerSpace, pass, now); aerr != nil {
				return nil, aerr
			}
		}
	}

	// Apply.
	out := map[string]any{}
	if in.Name != nil {
		p.name, p.userNamed = *in.Name, true
	}
	p.ipspace = space
	p.remoteIPs = ips
	if owner != nil && !p.established {
		p.remote = owner
	}
	if auth.InUse != nil {
		p.inUse = *auth.InUse
	}
	if in.Encryption != nil && in.Encryption.Proposed != nil {
		p.encProposed = *in.Encryption.Proposed
	}
	if in.PeerApplications != nil {
		p.apps = slices.Clone(*in.PeerApplications)
	}
	if in.InitialAllowedSVMs != nil {
		p.svms = slices.Clone(*in.InitialAllowedSVMs)
	}
	p.updated = now
	echo := map[string]any{}
	switch {
	case generate:
		pass := w.newPassphrase()
		p.offer = &offer{passphrase: pass, expiry: expiry, generated: true}
		echo["authentication"] = map[string]any{"passphrase": pass, "expiry_time": formatTime(expiry), "in_use": p.inUse}
	case completeRotation:
		q := p.counterpart()
		p.offer, q.offer = nil, nil
		q.updated = now
		enc := "none"
		if p.encProposed == "tls_psk" && q.encProposed == "tls_psk" {
			enc = "tls_psk"
		}
		p.encState, q.encState = enc, enc
	case match != nil:
		c.establish(p, owner, match, now)
	case auth.Passphrase != nil:
		p.offer = &offer{passphrase: *auth.Passphrase, expiry: expiry}
	}
	if auth.Passphrase != nil {
		// ONTAP's examples echo the authentication fields of such a PATCH.
		a := map[string]any{"passphrase": *auth.Passphrase}
		if auth.InUse != nil {
			a["in_use"] = *auth.InUse
		}
		echo["authentication"] = a
	}
	if rekey && in.Encryption != nil && in.Encryption.Proposed != nil {
		echo["encryption"] = map[string]any{"proposed": *in.Encryption.Proposed}
	}
	if len(echo) > 0 {
		out = map[string]any{"num_records": 1, "records": []any{echo}}
	}
	return &response{status: http.StatusOK, body: out}, nil
}

// deletePeer serves DELETE /api/cluster/peers/{uuid}: only the local record
// goes; the counterpart turns unavailable / authentication problem.
func (c *Cluster) deletePeer(r *request) (*response, *apiError) {
	if aerr := checkWriteQuery(r); aerr != nil {
		return nil, aerr
	}
	w := c.w
	w.lockWrite()
	defer w.mu.Unlock()
	p := c.peers[r.id]
	if p == nil {
		return nil, notFound("uuid")
	}
	if q := p.counterpart(); q != nil {
		q.remoteGone = true
		q.updated = w.clock.Now()
	}
	delete(c.peers, p.uuid)
	return &response{status: http.StatusOK, body: map[string]any{}}, nil
}
