package ontapsim

import (
	"net/netip"
	"strconv"
	"time"
)

// applyLocalNetwork creates one intercluster LIF per node (addresses in
// node order) for POST /api/cluster/peers "local_network", all or nothing.
// When the addresses are exactly the nodes' existing intercluster LIFs in
// the IPspace they are reused, so a retried request succeeds. It returns
// the addresses. Callers hold w.mu.
func (c *Cluster) applyLocalNetwork(ln *localNetInput, space *ipspace, now time.Time) ([]string, *apiError) {
	const target = "local_network"
	if ln.Interfaces == nil || len(*ln.Interfaces) == 0 {
		return nil, badRequest(codeLocalIPsEmpty, target+".interfaces", "The list of local IP addresses must not be empty.")
	}
	if ln.BroadcastDomain == nil || *ln.BroadcastDomain == "" {
		return nil, badRequest(codeBcastRequired, target+".broadcast_domain", "A broadcast domain is required to create local intercluster LIFs.")
	}
	if ln.Netmask == nil || *ln.Netmask == "" {
		return nil, badRequest(codeNetmaskRequired, target+".netmask", "A netmask is required to create local intercluster LIFs.")
	}
	ifs := *ln.Interfaces
	if len(ifs) > len(c.nodes) {
		return nil, badRequest(codeTooManyLocalIPs, target+".interfaces",
			"More local IP addresses (%d) were given than the cluster has nodes (%d).", len(ifs), len(c.nodes))
	}
	var bdSpace *ipspace
	for _, s := range c.ipspaces {
		if s.bdName == *ln.BroadcastDomain {
			bdSpace = s
		}
	}
	if bdSpace == nil {
		return nil, badRequest(codeNoPortsForBcast, target+".broadcast_domain",
			"No ports were found for IPspace %q and broadcast domain %q.", space.name, *ln.BroadcastDomain)
	}
	if bdSpace != space {
		return nil, badRequest(codeIpspaceMismatch, target+".broadcast_domain",
			"Broadcast domain %q is not in IPspace %q.", *ln.BroadcastDomain, space.name)
	}
	addrs := make([]string, len(ifs))
	var first netip.Addr
	for i, f := range ifs {
		a, ok := parseAddr(f.IPAddress)
		if !ok || a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() {
			return nil, badRequest(codeInvalidFieldValue, target+".interfaces.ip_address", "Invalid IP address in local_network.interfaces.")
		}
		if i > 0 && a.Is4() != first.Is4() {
			return nil, badRequest(codeMixedFamilies, target+".interfaces.ip_address", "The local addresses must all be of one address family.")
		}
		if i == 0 {
			first = a
		}
		addrs[i] = a.String()
	}
	prefix, ok := parsePrefix(*ln.Netmask, first.Is4())
	if !ok {
		return nil, badRequest(codeLIFBadPrefix, target+".netmask", "Invalid netmask or prefix length.")
	}
	if ln.Gateway != nil && *ln.Gateway != "" {
		g, ok := parseAddr(*ln.Gateway)
		pfx, err := first.Prefix(prefix)
		if !ok || err != nil || !pfx.Contains(g) {
			return nil, badRequest(codeGatewayRequired, target+".gateway", "The gateway must be an address in the local subnet.")
		}
	}
	if c.reusesLIFs(addrs, space) {
		return addrs, nil
	}
	seen := map[string]bool{}
	for _, a := range addrs {
		if c.w.byAddr[a] != nil || seen[a] {
			return nil, badRequest(codeLIFDuplicateIP, target+".interfaces.ip_address", "Duplicate IP address %s.", a)
		}
		seen[a] = true
	}
	for i, a := range addrs {
		n := c.nodes[i]
		c.addLIF(c.freeLIFName(n.name+"_ic"), a, prefix, space, n, policyIntercluster)
	}
	c.startRoutes(space, now)
	return addrs, nil
}

// reusesLIFs reports whether addrs[i] is node i's intercluster LIF in space for all i.
func (c *Cluster) reusesLIFs(addrs []string, space *ipspace) bool {
	for i, a := range addrs {
		l := c.w.byAddr[a]
		if l == nil || l.cluster != c || l.node != c.nodes[i] || l.ipspace != space || !l.intercluster() {
			return false
		}
	}
	return true
}

// startRoutes opens the route-propagation window of an IPspace.
func (c *Cluster) startRoutes(space *ipspace, now time.Time) {
	if c.w.routeDelay > 0 {
		c.routeReady[space.name] = now.Add(c.w.routeDelay)
	}
}

// freeLIFName returns prefix+N for the smallest unused N >= 1.
func (c *Cluster) freeLIFName(prefix string) string {
	used := map[string]bool{}
	for _, l := range c.lifs {
		used[l.name] = true
	}
	for i := 1; ; i++ {
		if n := prefix + strconv.Itoa(i); !used[n] {
			return n
		}
	}
}

// parsePrefix reads a netmask given as a length ("24") or a mask.
func parsePrefix(s string, v4 bool) (int, bool) {
	limit := 128
	if v4 {
		limit = 32
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 1 && n <= limit
	}
	m, ok := parseAddr(s)
	if !ok || !m.Is4() || !v4 {
		return 0, false
	}
	b := m.As4()
	bits := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for bits&(1<<31) != 0 {
		n++
		bits <<= 1
	}
	if bits != 0 || n == 0 {
		return 0, false
	}
	return n, true
}
