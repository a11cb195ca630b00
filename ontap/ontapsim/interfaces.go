package ontapsim

import (
	"net/http"
	"strconv"

	"github.com/peerd/peerd/ontap/ontapsim/internal/query"
)

var interfaceSchema = query.Schema{
	Key: "uuid",
	Fields: []string{"uuid", "name", "ip.address", "ip.netmask", "ip.family", "enabled", "state", "scope",
		"services", "service_policy.uuid", "service_policy.name", "ipspace.uuid", "ipspace.name",
		"ipspace._links.self.href", "location.home_node.uuid", "location.home_node.name",
		"location.home_node._links.self.href", "location.node.uuid", "location.node.name",
		"location.node._links.self.href", "location.home_port.name", "location.home_port.node.name",
		"location.port.name", "location.port.node.name", "location.broadcast_domain.uuid",
		"location.broadcast_domain.name", "location.is_home", "location.auto_revert", "location.failover",
		"vip", "_links.self.href"},
	Default: []string{"uuid", "name", "_links"},
	Standard: []string{"uuid", "name", "ip", "enabled", "state", "scope", "services", "service_policy",
		"ipspace", "location", "vip", "_links"},
}

func (l *lif) render() map[string]any {
	fam := "ipv4"
	if a, ok := parseAddr(l.addr); ok && !a.Is4() {
		fam = "ipv6"
	}
	services := []any{"management_core"}
	if l.intercluster() {
		services = []any{"intercluster_core"}
	}
	nodeRef := func() map[string]any {
		return map[string]any{"uuid": l.node.uuid, "name": l.node.name, "_links": links("/api/cluster/nodes/" + l.node.uuid)}
	}
	port := func() map[string]any {
		return map[string]any{"name": "e0c", "node": map[string]any{"name": l.node.name}}
	}
	return map[string]any{
		"uuid": l.uuid, "name": l.name,
		"ip":      map[string]any{"address": l.addr, "netmask": strconv.Itoa(l.prefix), "family": fam},
		"enabled": l.enabled, "state": "up", "scope": "cluster",
		"services":       services,
		"service_policy": map[string]any{"uuid": policyUUID(l.policy), "name": l.policy},
		"ipspace": map[string]any{"uuid": l.ipspace.uuid, "name": l.ipspace.name,
			"_links": links("/api/network/ipspaces/" + l.ipspace.uuid)},
		"location": map[string]any{
			"home_node": nodeRef(), "node": nodeRef(), "home_port": port(), "port": port(),
			"broadcast_domain": map[string]any{"uuid": l.ipspace.bdUUID, "name": l.ipspace.bdName},
			"is_home":          true, "auto_revert": true, "failover": "default",
		},
		"vip":    false,
		"_links": links("/api/network/ip/interfaces/" + l.uuid),
	}
}

// policyUUID gives the built-in service policies fixed uuids.
func policyUUID(name string) string {
	if name == policyIntercluster {
		return "5c1a8e8e-0d1c-4000-8000-000000000001"
	}
	return "5c1a8e8e-0d1c-4000-8000-000000000002"
}

// listInterfaces serves GET /api/network/ip/interfaces.
func (c *Cluster) listInterfaces(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	recs := make([]map[string]any, 0, len(c.lifs))
	for _, l := range c.lifs {
		recs = append(recs, l.render())
	}
	c.w.mu.Unlock()
	return listRecords(r, interfaceSchema, recs)
}

// getInterface serves GET /api/network/ip/interfaces/{uuid}.
func (c *Cluster) getInterface(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	l := c.lifs[r.id]
	var rec map[string]any
	if l != nil {
		rec = l.render()
	}
	c.w.mu.Unlock()
	if l == nil {
		return nil, notFound("uuid")
	}
	return getRecord(r, interfaceSchema, rec)
}

type lifInput struct {
	Name *string `json:"name"`
	IP   *struct {
		Address *string `json:"address"`
		Netmask *string `json:"netmask"`
	} `json:"ip"`
	Ipspace       *refInput `json:"ipspace"`
	ServicePolicy *refInput `json:"service_policy"`
	Scope         *string   `json:"scope"`
	Enabled       *bool     `json:"enabled"`
	Location      *struct {
		HomeNode *refInput `json:"home_node"`
		HomePort *struct {
			Name *string   `json:"name"`
			Node *refInput `json:"node"`
		} `json:"home_port"`
		BroadcastDomain *refInput `json:"broadcast_domain"`
		AutoRevert      *bool     `json:"auto_revert"`
		Failover        *string   `json:"failover"`
	} `json:"location"`
}

func lifSpec() *spec {
	ref := func() *spec { return obj(map[string]*spec{"name": leaf(), "uuid": leaf(), "_links": ro()}) }
	return obj(map[string]*spec{
		"name": leaf(), "uuid": ro(), "_links": ro(), "state": ro(), "services": ro(), "vip": leaf(),
		"ip":             obj(map[string]*spec{"address": leaf(), "netmask": leaf(), "family": ro()}),
		"ipspace":        ref(),
		"service_policy": ref(),
		"scope":          leaf(),
		"enabled":        leaf(),
		"location": obj(map[string]*spec{
			"home_node":        ref(),
			"home_port":        obj(map[string]*spec{"name": leaf(), "uuid": leaf(), "node": ref(), "_links": ro()}),
			"broadcast_domain": ref(),
			"auto_revert":      leaf(), "failover": leaf(),
			"node": ro(), "port": ro(), "is_home": ro(),
		}),
	})
}

// createInterface serves POST /api/network/ip/interfaces (cluster-scoped
// LIFs only). An intercluster LIF opens its IPspace's route-propagation window.
func (c *Cluster) createInterface(r *request) (*response, *apiError) {
	if aerr := checkWriteQuery(r); aerr != nil {
		return nil, aerr
	}
	var in lifInput
	if aerr := decodeBody(r.body, lifSpec(), &in); aerr != nil {
		return nil, aerr
	}
	w := c.w
	w.lockWrite()
	defer w.mu.Unlock()
	if in.Name == nil || *in.Name == "" {
		return nil, badRequest(codeMissingRequired, "name", "Missing value for required field \"name\".")
	}
	if in.IP == nil || in.IP.Address == nil || in.IP.Netmask == nil {
		return nil, badRequest(codeMissingRequired, "ip.address", "Missing value for required fields \"ip.address\" and \"ip.netmask\".")
	}
	if in.Scope != nil && *in.Scope != "cluster" {
		return nil, badRequest(codeInvalidFieldValue, "scope", "Only cluster-scoped interfaces are supported by the simulator.")
	}
	if in.Ipspace == nil || (in.Ipspace.Name == nil && in.Ipspace.UUID == nil) {
		return nil, badRequest(codeLIFNeedsIpspace, "ipspace", "An IPspace is required for cluster-scoped interfaces.")
	}
	var space *ipspace
	if in.Ipspace.UUID != nil {
		space = c.ipspaceByUUID(*in.Ipspace.UUID)
	} else {
		space = c.ipspaceByName(*in.Ipspace.Name)
	}
	if space == nil {
		return nil, notFound("ipspace.name")
	}
	addr, ok := parseAddr(*in.IP.Address)
	if !ok || addr.IsUnspecified() || addr.IsMulticast() {
		return nil, badRequest(codeInvalidFieldValue, "ip.address", "Invalid IP address.")
	}
	prefix, ok := parsePrefix(*in.IP.Netmask, addr.Is4())
	if !ok {
		return nil, badRequest(codeLIFBadPrefix, "ip.netmask", "Invalid netmask or prefix length.")
	}
	policy := policyManagement
	if in.ServicePolicy != nil {
		switch {
		case in.ServicePolicy.Name != nil && *in.ServicePolicy.Name == policyIntercluster && space.name != "Cluster",
			in.ServicePolicy.UUID != nil && *in.ServicePolicy.UUID == policyUUID(policyIntercluster):
			policy = policyIntercluster
		case in.ServicePolicy.Name != nil && *in.ServicePolicy.Name == policyManagement,
			in.ServicePolicy.UUID != nil && *in.ServicePolicy.UUID == policyUUID(policyManagement):
		default:
			return nil, badRequest(codeLIFNoPolicy, "service_policy", "The service policy does not exist in IPspace %q.", space.name)
		}
	}
	var home *node
	if loc := in.Location; loc != nil {
		switch {
		case loc.HomeNode != nil:
			home = c.findNode(loc.HomeNode)
		case loc.HomePort != nil && loc.HomePort.Node != nil:
			home = c.findNode(loc.HomePort.Node)
		}
		if home == nil && (loc.HomeNode != nil || loc.HomePort != nil) {
			return nil, notFound("location.home_node")
		}
		if home == nil && loc.BroadcastDomain != nil {
			home = c.nodes[0] // ONTAP picks a port in the broadcast domain
		}
	}
	if home == nil {
		return nil, badRequest(codeLIFNeedsHome, "location.home_node", "The home node must be specified.")
	}
	a := addr.String()
	if w.byAddr[a] != nil {
		return nil, badRequest(codeLIFDuplicateIP, "ip.address", "Duplicate IP address %s.", a)
	}
	for _, l := range c.lifs {
		if l.name == *in.Name {
			return nil, badRequest(codeLIFDuplicateName, "name", "An interface with the same name already exists.")
		}
	}
	l := c.addLIF(*in.Name, a, prefix, space, home, policy)
	if in.Enabled != nil {
		l.enabled = *in.Enabled
	}
	if policy == policyIntercluster {
		c.startRoutes(space, w.clock.Now())
	}
	resp := &response{status: http.StatusCreated, location: "/api/network/ip/interfaces/" + l.uuid, body: map[string]any{}}
	if r.query.Get("return_records") == "true" {
		resp.body = map[string]any{"num_records": 1, "records": []any{l.render()}}
	}
	return resp, nil
}

func (c *Cluster) findNode(ref *refInput) *node {
	switch {
	case ref.UUID != nil:
		return c.nodeByUUID(*ref.UUID)
	case ref.Name != nil:
		return c.nodeByName(*ref.Name)
	}
	return nil
}
