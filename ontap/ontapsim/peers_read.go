package ontapsim

import (
	"time"

	"github.com/peerd/peerd/ontap/ontapsim/internal/query"
)

// peerSchema is the cluster_peer collection for the query engine.
var peerSchema = query.Schema{
	Key: "uuid",
	Fields: []string{"uuid", "name", "ip_address", "_links.self.href", "_links.interfaces.href",
		"authentication.expiry_time", "authentication.in_use", "authentication.state",
		"encryption.proposed", "encryption.state",
		"initial_allowed_svms.name", "initial_allowed_svms.uuid",
		"ipspace.name", "ipspace.uuid", "ipspace._links.self.href",
		"peer_applications", "remote.ip_addresses", "remote.name", "remote.serial_number",
		"status.state", "status.update_time",
		"version.full", "version.generation", "version.major", "version.minor"},
	Default: []string{"uuid", "name", "_links"},
	Standard: []string{"uuid", "name", "_links", "authentication", "encryption", "initial_allowed_svms",
		"ip_address", "ipspace", "peer_applications", "remote", "status", "version"},
	WriteOnly: []string{"authentication.passphrase", "authentication.generate_passphrase",
		"local_network.interfaces.ip_address", "local_network.netmask", "local_network.broadcast_domain",
		"local_network.gateway", "local_network"},
}

// cachedPeer returns the rendered record, rendering it again only after a
// change in the world or when an offer expired since. The map is shared:
// callers must not modify it. Callers hold w.mu.
func (c *Cluster) cachedPeer(p *peer, now time.Time) map[string]any {
	if p.cache != nil && p.cacheRev == c.w.rev && now.Before(p.cacheUntil) {
		return p.cache
	}
	p.cache = c.renderPeer(p, now)
	p.cacheRev = c.w.rev
	p.cacheUntil = farFuture
	if p.offer != nil && now.Before(p.offer.expiry) {
		p.cacheUntil = p.offer.expiry
	}
	return p.cache
}

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// renderPeer renders the full record as JSON-shaped data. Callers hold w.mu.
func (c *Cluster) renderPeer(p *peer, now time.Time) map[string]any {
	v := c.view(p, now)
	auth := map[string]any{"in_use": p.inUse, "state": v.auth}
	if p.offer != nil {
		auth["expiry_time"] = formatTime(p.offer.expiry)
	}
	ips := make([]any, len(p.remoteIPs))
	for i, a := range p.remoteIPs {
		ips[i] = a
	}
	remote := map[string]any{"ip_addresses": ips}
	m := map[string]any{
		"uuid":           p.uuid,
		"name":           p.name,
		"authentication": auth,
		"encryption":     map[string]any{"proposed": p.encProposed, "state": v.enc},
		"ipspace": map[string]any{"uuid": p.ipspace.uuid, "name": p.ipspace.name,
			"_links": links("/api/network/ipspaces/" + p.ipspace.uuid)},
		"remote": remote,
		"status": map[string]any{"state": v.state, "update_time": formatTime(v.updated)},
		"_links": map[string]any{
			"self":       map[string]any{"href": "/api/cluster/peers/" + p.uuid},
			"interfaces": map[string]any{"href": "/api/network/ip/interfaces?services=intercluster_core&ipspace.uuid=" + p.ipspace.uuid},
		},
	}
	if l := c.icLIFs(p.ipspace); len(l) > 0 {
		m["ip_address"] = l[0].addr
	}
	if p.remote != nil {
		// Known from the introductory RPC even while the offer is pending.
		remote["name"] = p.remote.name
		remote["serial_number"] = p.remote.serial
	}
	if p.established {
		m["version"] = versionMap(p.remote.version)
	}
	if len(p.apps) > 0 {
		apps := make([]any, len(p.apps))
		for i, a := range p.apps {
			apps[i] = a
		}
		m["peer_applications"] = apps
	}
	if len(p.svms) > 0 {
		svms := make([]any, len(p.svms))
		for i, s := range p.svms {
			e := map[string]any{}
			if s.Name != "" {
				e["name"] = s.Name
			}
			if s.UUID != "" {
				e["uuid"] = s.UUID
			}
			svms[i] = e
		}
		m["initial_allowed_svms"] = svms
	}
	return m
}

func versionMap(v version) map[string]any {
	return map[string]any{"full": v.full, "generation": float64(v.generation), "major": float64(v.major),
		"minor": float64(v.minor)}
}

// listPeers serves GET /api/cluster/peers.
func (c *Cluster) listPeers(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	now := c.w.clock.Now()
	recs := make([]map[string]any, 0, len(c.peers))
	for _, p := range c.peers {
		recs = append(recs, c.cachedPeer(p, now))
	}
	c.w.mu.Unlock()
	return listRecords(r, peerSchema, recs)
}

// getPeer serves GET /api/cluster/peers/{uuid}.
func (c *Cluster) getPeer(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	p := c.peers[r.id]
	var rec map[string]any
	if p != nil {
		rec = c.cachedPeer(p, c.w.clock.Now())
	}
	c.w.mu.Unlock()
	if p == nil {
		return nil, notFound("uuid")
	}
	return getRecord(r, peerSchema, rec)
}
