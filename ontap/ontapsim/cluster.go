package ontapsim

import (
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"
)

// Cluster is one simulated ONTAP cluster of a World.
type Cluster struct {
	w       *World
	name    string
	uuid    string
	serial  string
	version version
	minPass int
	mgmtIP  string
	handler http.Handler
	routes  []routeCol

	// Guarded by w.mu.
	nodes          []*node
	ipspaces       []*ipspace
	lifs           map[string]*lif // by uuid
	peers          map[string]*peer
	routeReady     map[string]time.Time // ipspace name -> when new LIF routes become visible
	jobs           map[string]*job
	jobsAfterPurge int // job count after the last purge
	faults         Faults

	cmu    sync.Mutex // guards counts
	counts map[countKey]int
}

type node struct {
	uuid, name, serial, mgmtIP string
}

type ipspace struct {
	uuid, name     string
	bdUUID, bdName string // its broadcast domain
}

// Service policies of simulated LIFs.
const (
	policyIntercluster = "default-intercluster"
	policyManagement   = "default-management"
)

type lif struct {
	uuid, name, addr string
	prefix           int
	ipspace          *ipspace
	node             *node
	policy           string
	enabled          bool
	cluster          *Cluster
}

func (l *lif) intercluster() bool { return l.policy == policyIntercluster }

// Name returns the cluster name.
func (c *Cluster) Name() string { return c.name }

// UUID returns the cluster uuid.
func (c *Cluster) UUID() string { return c.uuid }

// SerialNumber returns the cluster serial number.
func (c *Cluster) SerialNumber() string { return c.serial }

// Handler serves the cluster's /api/... and /_sim/... endpoints.
func (c *Cluster) Handler() http.Handler { return c.handler }

// InterclusterAddresses returns the sorted intercluster LIF addresses of
// the IPspace ("" means "Default").
func (c *Cluster) InterclusterAddresses(ipspaceName string) []string {
	if ipspaceName == "" {
		ipspaceName = "Default"
	}
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	return c.icAddrs(c.ipspaceByName(ipspaceName))
}

// SetFaults replaces the cluster's injected faults.
func (c *Cluster) SetFaults(f Faults) {
	c.w.mu.Lock()
	c.faults = f
	c.w.mu.Unlock()
}

// PeerRecord is a copy of one peer record for invariant checks. It never
// carries a passphrase.
type PeerRecord struct {
	UUID, Name, RemoteName, RemoteSerial, Ipspace                    string
	RemoteIPs                                                        []string
	State, AuthState, AuthInUse, EncryptionProposed, EncryptionState string
	ExpiryTime                                                       time.Time // zero when none
}

// Peers returns the cluster's peer records sorted by name, then uuid.
func (c *Cluster) Peers() []PeerRecord {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	now := c.w.clock.Now()
	out := make([]PeerRecord, 0, len(c.peers))
	for _, p := range c.peers {
		v := c.view(p, now)
		r := PeerRecord{
			UUID: p.uuid, Name: p.name, Ipspace: p.ipspace.name,
			RemoteIPs: slices.Clone(p.remoteIPs),
			State:     v.state, AuthState: v.auth, AuthInUse: p.inUse,
			EncryptionProposed: p.encProposed, EncryptionState: v.enc,
		}
		if p.remote != nil {
			r.RemoteName, r.RemoteSerial = p.remote.name, p.remote.serial
		}
		if p.offer != nil {
			r.ExpiryTime = p.offer.expiry
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].UUID < out[j].UUID
	})
	return out
}

func (c *Cluster) ipspaceByName(name string) *ipspace {
	for _, s := range c.ipspaces {
		if s.name == name {
			return s
		}
	}
	return nil
}

func (c *Cluster) ipspaceByUUID(id string) *ipspace {
	for _, s := range c.ipspaces {
		if s.uuid == id {
			return s
		}
	}
	return nil
}

func (c *Cluster) nodeByName(name string) *node {
	for _, n := range c.nodes {
		if n.name == name {
			return n
		}
	}
	return nil
}

func (c *Cluster) nodeByUUID(id string) *node {
	for _, n := range c.nodes {
		if n.uuid == id {
			return n
		}
	}
	return nil
}

// addLIF records a LIF. Callers hold w.mu and have checked the address and name.
func (c *Cluster) addLIF(name, addr string, prefix int, s *ipspace, n *node, policy string) *lif {
	l := &lif{uuid: c.w.newUUID(), name: name, addr: addr, prefix: prefix, ipspace: s, node: n,
		policy: policy, enabled: true, cluster: c}
	c.lifs[l.uuid] = l
	c.w.byAddr[addr] = l
	return l
}

// icLIFs returns the intercluster LIFs of an IPspace in node order.
func (c *Cluster) icLIFs(s *ipspace) []*lif {
	var out []*lif
	for _, l := range c.lifs {
		if l.ipspace == s && l.intercluster() {
			out = append(out, l)
		}
	}
	order := map[*node]int{}
	for i, n := range c.nodes {
		order[n] = i
	}
	sort.Slice(out, func(i, j int) bool {
		if order[out[i].node] != order[out[j].node] {
			return order[out[i].node] < order[out[j].node]
		}
		return out[i].addr < out[j].addr
	})
	return out
}

// icAddrs returns the sorted intercluster addresses of an IPspace.
func (c *Cluster) icAddrs(s *ipspace) []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, l := range c.icLIFs(s) {
		out = append(out, l.addr)
	}
	sort.Strings(out)
	return out
}

func (c *Cluster) peerByName(name string) *peer {
	for _, p := range c.peers {
		if p.name == name {
			return p
		}
	}
	return nil
}
