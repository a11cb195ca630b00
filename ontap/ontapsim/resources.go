package ontapsim

import (
	"github.com/peerd/peerd/ontap/ontapsim/internal/query"
)

var nodeSchema = query.Schema{
	Key: "uuid",
	Fields: []string{"uuid", "name", "serial_number", "model", "state", "membership", "uptime",
		"version.full", "version.generation", "version.major", "version.minor",
		"management_interfaces.name", "management_interfaces.uuid", "management_interfaces.ip.address",
		"_links.self.href"},
	Default:  []string{"uuid", "name", "_links"},
	Standard: []string{"uuid", "name", "serial_number", "model", "state", "membership", "uptime", "version", "management_interfaces", "_links"},
}

var ipspaceSchema = query.Schema{
	Key:      "uuid",
	Fields:   []string{"uuid", "name", "_links.self.href"},
	Default:  []string{"uuid", "name", "_links"},
	Standard: []string{"uuid", "name", "_links"},
}

var clusterSchema = query.Schema{
	Key: "uuid",
	Fields: []string{"uuid", "name", "serial_number", "version.full", "version.generation", "version.major",
		"version.minor", "peering_policy.authentication_required", "peering_policy.encryption_required",
		"peering_policy.minimum_passphrase_length", "timezone.name", "san_optimized", "disaggregated",
		"management_interfaces.uuid", "management_interfaces.name", "management_interfaces.ip.address",
		"_links.self.href"},
	Default: []string{"uuid", "name", "_links"},
	Standard: []string{"uuid", "name", "serial_number", "version", "peering_policy", "timezone", "san_optimized",
		"disaggregated", "management_interfaces", "_links"},
}

// getCluster serves GET /api/cluster.
func (c *Cluster) getCluster(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	rec := map[string]any{
		"uuid": c.uuid, "name": c.name, "serial_number": c.serial,
		"version": versionMap(c.version),
		"peering_policy": map[string]any{"authentication_required": true, "encryption_required": false,
			"minimum_passphrase_length": float64(c.minPass)},
		"timezone":      map[string]any{"name": "Etc/UTC"},
		"san_optimized": false,
		"disaggregated": false,
		"management_interfaces": []any{map[string]any{"uuid": c.uuid, "name": "cluster_mgmt",
			"ip": map[string]any{"address": c.mgmtIP}}},
		"_links": links("/api/cluster"),
	}
	c.w.mu.Unlock()
	return getRecord(r, clusterSchema, rec)
}

func (c *Cluster) renderNode(n *node) map[string]any {
	return map[string]any{
		"uuid": n.uuid, "name": n.name, "serial_number": n.serial, "model": "SIMBOX",
		"state": "up", "membership": "available", "uptime": float64(86400),
		"version": versionMap(c.version),
		"management_interfaces": []any{map[string]any{"uuid": n.uuid, "name": n.name + "_mgmt1",
			"ip": map[string]any{"address": n.mgmtIP}}},
		"_links": links("/api/cluster/nodes/" + n.uuid),
	}
}

// listNodes serves GET /api/cluster/nodes.
func (c *Cluster) listNodes(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	recs := make([]map[string]any, 0, len(c.nodes))
	for _, n := range c.nodes {
		recs = append(recs, c.renderNode(n))
	}
	c.w.mu.Unlock()
	return listRecords(r, nodeSchema, recs)
}

// getNode serves GET /api/cluster/nodes/{uuid}.
func (c *Cluster) getNode(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	n := c.nodeByUUID(r.id)
	var rec map[string]any
	if n != nil {
		rec = c.renderNode(n)
	}
	c.w.mu.Unlock()
	if n == nil {
		return nil, notFound("uuid")
	}
	return getRecord(r, nodeSchema, rec)
}

func renderIpspace(s *ipspace) map[string]any {
	return map[string]any{"uuid": s.uuid, "name": s.name, "_links": links("/api/network/ipspaces/" + s.uuid)}
}

// listIpspaces serves GET /api/network/ipspaces.
func (c *Cluster) listIpspaces(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	recs := make([]map[string]any, 0, len(c.ipspaces))
	for _, s := range c.ipspaces {
		recs = append(recs, renderIpspace(s))
	}
	c.w.mu.Unlock()
	return listRecords(r, ipspaceSchema, recs)
}

// getIpspace serves GET /api/network/ipspaces/{uuid}.
func (c *Cluster) getIpspace(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	s := c.ipspaceByUUID(r.id)
	c.w.mu.Unlock()
	if s == nil {
		return nil, notFound("uuid")
	}
	return getRecord(r, ipspaceSchema, renderIpspace(s))
}
