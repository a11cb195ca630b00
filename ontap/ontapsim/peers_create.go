package ontapsim

import (
	"net/http"
	"slices"
	"time"
)

// createPeer serves POST /api/cluster/peers.
func (c *Cluster) createPeer(r *request) (*response, *apiError) {
	in, aerr := decodePeerInput(r, true)
	if aerr != nil {
		return nil, aerr
	}
	w := c.w
	w.lockWrite()
	defer w.mu.Unlock()
	now := w.clock.Now()

	space, aerr := c.resolveIpspace(in.Ipspace)
	if aerr != nil {
		return nil, aerr
	}
	auth := in.Authentication
	if auth == nil {
		auth = &authInput{}
	}
	var ips []string
	if in.Remote != nil && in.Remote.IPAddresses != nil {
		ips = *in.Remote.IPAddresses
		if aerr := checkRemoteIPs(ips); aerr != nil {
			return nil, aerr
		}
		for i := range ips {
			ips[i] = canonAddr(ips[i])
		}
	}
	pass, generated := "", false
	switch {
	case auth.Passphrase != nil && auth.GeneratePassphrase != nil && *auth.GeneratePassphrase:
		return nil, badRequest("262186", "authentication.generate_passphrase",
			"Field \"generate_passphrase\" cannot be true when \"passphrase\" is given.")
	case auth.Passphrase != nil:
		pass = *auth.Passphrase
		if len(ips) == 0 {
			return nil, badRequest(codePassphraseNoIPs, "authentication.passphrase",
				"A passphrase without remote IP addresses is not supported; use generate_passphrase.")
		}
		if len(pass) < c.minPass {
			return nil, badRequest(codePassphraseTooShort, "authentication.passphrase",
				"The passphrase is too short: the peering policy requires at least %d characters.", c.minPass)
		}
	case auth.GeneratePassphrase != nil && !*auth.GeneratePassphrase:
		return nil, badRequest(codeNeedPassOrGenerate, "authentication.passphrase",
			"Specify either \"passphrase\" or \"generate_passphrase\": true.")
	default:
		generated = true
	}
	expiry := now.Add(defaultExpiry).Truncate(time.Second)
	if auth.ExpiryTime != nil {
		if expiry, aerr = parseExpiry(*auth.ExpiryTime, now); aerr != nil {
			return nil, aerr
		}
	}
	p := &peer{ipspace: space, remoteIPs: ips, inUse: "ok", encProposed: "tls_psk", updated: now}
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
	if in.Name != nil {
		if aerr := c.checkName(*in.Name, nil); aerr != nil {
			return nil, aerr
		}
		p.name, p.userNamed = *in.Name, true
	}

	// Create the requested LIFs first (all or nothing); the peer create
	// below may still fail, e.g. while their routes propagate.
	var echo []any
	if in.LocalNetwork != nil {
		created, aerr := c.applyLocalNetwork(in.LocalNetwork, space, now)
		if aerr != nil {
			return nil, aerr
		}
		for _, a := range created {
			echo = append(echo, map[string]any{"ip_address": a})
		}
	}

	var owner *Cluster
	var match *peer
	if len(ips) > 0 {
		if len(c.icLIFs(space)) == 0 {
			return nil, badRequest(codeFamilyNotInIpspace, "remote.ip_addresses",
				"The address family of the peer addresses is not valid in IPspace %q: check the intercluster LIFs.", space.name)
		}
		if ready := c.routeReady[space.name]; now.Before(ready) {
			return nil, introRPCFailed(ips[0])
		}
		var remoteSpace *ipspace
		owner, remoteSpace, aerr = w.resolveOwner(ips)
		if aerr != nil {
			return nil, aerr
		}
		if owner == c {
			return nil, badRequest(codePeerSelf, "remote.ip_addresses", "Cannot peer with the local cluster.")
		}
		if state, _ := w.reach(c, owner); state == "unavailable" {
			return nil, introRPCFailed(ips[0])
		}
		if q := c.relationshipWith(owner); q != nil {
			return nil, badRequest(codePeerDuplicateName, "name",
				"A peer relationship with cluster %q already exists.", owner.name)
		}
		if !p.userNamed {
			if aerr := c.checkName(owner.name, nil); aerr != nil {
				return nil, aerr
			}
			if !generated {
				p.name = owner.name
			}
		}
		if !generated {
			if match, aerr = c.findOffer(owner, remoteSpace, pass, now); aerr != nil {
				return nil, aerr
			}
		}
	}
	if generated {
		pass = w.newPassphrase()
		if len(ips) == 0 && !p.userNamed {
			p.name = "Clus_" + pass[len(pass)-4:]
		}
	}
	p.uuid = w.newUUID()
	p.remote = owner // nil for anonymous offers
	p.offer = &offer{passphrase: pass, expiry: expiry, generated: generated}
	c.peers[p.uuid] = p
	if match != nil {
		c.establish(p, owner, match, now)
	}

	rec := map[string]any{
		"uuid":           p.uuid,
		"authentication": map[string]any{"expiry_time": formatTime(expiry)},
		"_links":         links("/api/cluster/peers/" + p.uuid),
	}
	if generated {
		rec["name"] = p.name
		rec["authentication"].(map[string]any)["passphrase"] = pass
		if len(ips) == 0 {
			rec["ip_address"] = c.offerAddress(space)
		}
	}
	if echo != nil {
		rec["local_network"] = map[string]any{"interfaces": echo}
	}
	return &response{status: http.StatusCreated, location: "/api/cluster/peers/" + p.uuid,
		body: map[string]any{"num_records": 1, "records": []any{rec}}}, nil
}

func introRPCFailed(addr string) *apiError {
	return badRequest(codeIntroRPCFailed, "remote.ip_addresses",
		"An introductory RPC to the peer address %q failed to connect: RPC: Port mapper failure - RPC: Timed out.", addr)
}

// relationshipWith returns c's record toward owner, established or offered.
// Callers hold w.mu.
func (c *Cluster) relationshipWith(owner *Cluster) *peer {
	for _, p := range c.peers {
		if p.remote == owner {
			return p
		}
		if !p.established && len(p.remoteIPs) > 0 && c.w.ownsAll(owner, nil, p.remoteIPs) {
			return p
		}
	}
	return nil
}

// offerAddress is the local intercluster address an anonymous offer
// advertises ("0.0.0.0" when the IPspace has none, as in ONTAP's examples).
func (c *Cluster) offerAddress(s *ipspace) string {
	if l := c.icLIFs(s); len(l) > 0 {
		return l[0].addr
	}
	return "0.0.0.0"
}

// resolveIpspace finds the IPspace named in a body (default "Default").
// Callers hold w.mu.
func (c *Cluster) resolveIpspace(ref *refInput) (*ipspace, *apiError) {
	s := c.ipspaceByName("Default")
	if ref != nil {
		switch {
		case ref.UUID != nil:
			s = c.ipspaceByUUID(*ref.UUID)
			if s != nil && ref.Name != nil && *ref.Name != s.name {
				return nil, badRequest("262186", "ipspace.name", "The IPspace name and uuid do not match.")
			}
		case ref.Name != nil:
			s = c.ipspaceByName(*ref.Name)
		}
	}
	if s == nil {
		return nil, notFound("uuid")
	}
	if s.name == "Cluster" {
		return nil, badRequest(codeClusterIpspace, "ipspace.name",
			"The system SVM of the Cluster IPspace hosts cluster LIFs only.")
	}
	return s, nil
}

// checkWriteQuery accepts only return_records and return_timeout on writes.
func checkWriteQuery(r *request) *apiError {
	for k := range r.query {
		if k != "return_records" && k != "return_timeout" {
			return badRequest(codeUnexpectedArgument, k, "Unexpected argument %q.", k)
		}
	}
	return nil
}

func links(self string) map[string]any {
	return map[string]any{"self": map[string]any{"href": self}}
}

// decodePeerInput checks the query of a POST or PATCH and decodes its body
// against the fields that method accepts.
func decodePeerInput(r *request, create bool) (peerInput, *apiError) {
	var in peerInput
	if aerr := checkWriteQuery(r); aerr != nil {
		return in, aerr
	}
	if aerr := decodeBody(r.body, peerSpec(create), &in); aerr != nil {
		return in, aerr
	}
	return in, in.checkEnums()
}
