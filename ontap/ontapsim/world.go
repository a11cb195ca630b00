package ontapsim

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default settings of a World and its clusters.
const (
	DefaultUsername              = "admin"
	DefaultPassword              = "netapp1!"
	DefaultRoutePropagationDelay = 3 * time.Second
	DefaultVersion               = "9.16.1"
	DefaultNodes                 = 2
	DefaultMinPassphraseLength   = 8
)

// Options configure a World.
type Options struct {
	Clock                 Clock         // default: real time
	Username              string        // default "admin"
	Password              string        // default "netapp1!"
	RoutePropagationDelay time.Duration // default 3s; 0 keeps the default, negative disables
	Seed                  int64         // seeds fault injection and passphrase/uuid generation (0 = random)
}

// World is a set of simulated ONTAP clusters that can peer with each other.
// All cluster state lives behind one mutex per World.
type World struct {
	clock      Clock
	username   string
	password   string
	routeDelay time.Duration

	mu       sync.Mutex
	rng      *rand.Rand
	clusters map[string]*Cluster
	byAddr   map[string]*lif // every LIF address in the world
	nextAddr int             // next index into the documentation address pool
	nextMgmt int             // next management address index
	links    map[linkKey]*link
	rev      uint64 // bumped by every change; keys the render caches
}

// lockWrite locks the world for a change and invalidates rendered records.
func (w *World) lockWrite() {
	w.mu.Lock()
	w.rev++
}

// linkKey names an unordered pair of clusters (a < b).
type linkKey struct{ a, b string }

func keyOf(a, b string) linkKey {
	if b < a {
		a, b = b, a
	}
	return linkKey{a, b}
}

// link is the reachability between two clusters.
type link struct {
	cutPairs int       // node pairs that cannot talk; -1 = all
	changed  time.Time // last change, shown as status.update_time
}

// New returns an empty World.
func New(opts Options) *World {
	w := &World{
		clock:      opts.Clock,
		username:   opts.Username,
		password:   opts.Password,
		routeDelay: opts.RoutePropagationDelay,
		clusters:   map[string]*Cluster{},
		byAddr:     map[string]*lif{},
		links:      map[linkKey]*link{},
	}
	if w.clock == nil {
		w.clock = realClock{}
	}
	if w.username == "" {
		w.username = DefaultUsername
	}
	if w.password == "" {
		w.password = DefaultPassword
	}
	switch {
	case w.routeDelay == 0:
		w.routeDelay = DefaultRoutePropagationDelay
	case w.routeDelay < 0:
		w.routeDelay = 0
	}
	seed := uint64(opts.Seed)
	if seed == 0 {
		var b [8]byte
		_, _ = crand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:])
	}
	w.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return w
}

// ClusterConfig describes one simulated cluster.
type ClusterConfig struct {
	Name                string   // required, e.g. "cluster-a"
	Nodes               int      // default 2; nodes are named "<name>-01", "<name>-02", ...
	Version             string   // default "9.16.1"
	Ipspaces            []string // extra IPspaces beside "Default" and "Cluster"
	NoInterclusterLIFs  bool     // start without intercluster LIFs (for local_network bootstrap)
	MinPassphraseLength int      // default 8
}

var clusterNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,254}$`)

// AddCluster creates a cluster with its nodes, IPspaces, broadcast domains
// and (unless cfg.NoInterclusterLIFs) one intercluster LIF per node in the
// Default IPspace.
func (w *World) AddCluster(cfg ClusterConfig) (*Cluster, error) {
	if !clusterNameRE.MatchString(cfg.Name) {
		return nil, fmt.Errorf("add cluster %q: invalid cluster name", cfg.Name)
	}
	if cfg.Nodes == 0 {
		cfg.Nodes = DefaultNodes
	}
	if cfg.Nodes < 0 || cfg.Nodes > 24 {
		return nil, fmt.Errorf("add cluster %q: nodes must be 1..24, got %d", cfg.Name, cfg.Nodes)
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	ver, err := parseVersion(cfg.Version)
	if err != nil {
		return nil, fmt.Errorf("add cluster %q: %w", cfg.Name, err)
	}
	if cfg.MinPassphraseLength == 0 {
		cfg.MinPassphraseLength = DefaultMinPassphraseLength
	}
	w.lockWrite()
	defer w.mu.Unlock()
	if _, dup := w.clusters[cfg.Name]; dup {
		return nil, fmt.Errorf("add cluster %q: already exists", cfg.Name)
	}
	c := &Cluster{
		w:          w,
		name:       cfg.Name,
		uuid:       w.newUUID(),
		serial:     fmt.Sprintf("1-80-%06d", len(w.clusters)+1),
		version:    ver,
		minPass:    cfg.MinPassphraseLength,
		peers:      map[string]*peer{},
		lifs:       map[string]*lif{},
		routeReady: map[string]time.Time{},
		jobs:       map[string]*job{},
		counts:     map[countKey]int{},
	}
	for i := 1; i <= cfg.Nodes; i++ {
		c.nodes = append(c.nodes, &node{
			uuid:   w.newUUID(),
			name:   fmt.Sprintf("%s-%02d", cfg.Name, i),
			serial: fmt.Sprintf("%s%02d", strings.ReplaceAll(c.serial, "-", ""), i),
			mgmtIP: w.mgmtAddr(),
		})
	}
	c.mgmtIP = w.mgmtAddr()
	names := append([]string{"Default", "Cluster"}, cfg.Ipspaces...)
	for _, n := range names {
		if c.ipspaceByName(n) != nil {
			return nil, fmt.Errorf("add cluster %q: duplicate ipspace %q", cfg.Name, n)
		}
		c.ipspaces = append(c.ipspaces, &ipspace{uuid: w.newUUID(), name: n, bdUUID: w.newUUID(), bdName: n})
	}
	if !cfg.NoInterclusterLIFs {
		def := c.ipspaceByName("Default")
		for _, n := range c.nodes {
			addr, err := w.allocAddr()
			if err != nil {
				return nil, fmt.Errorf("add cluster %q: %w", cfg.Name, err)
			}
			c.addLIF(n.name+"_ic1", addr, 24, def, n, policyIntercluster)
		}
	}
	c.handler = c.newHandler()
	w.clusters[c.name] = c
	return c, nil
}

// Cluster returns the named cluster, or nil if unknown.
func (w *World) Cluster(name string) *Cluster {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.clusters[name]
}

// Clusters returns every cluster, sorted by name.
func (w *World) Clusters() []*Cluster {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*Cluster, 0, len(w.clusters))
	for _, c := range w.clusters {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// CutLink makes clusters a and b unreachable from each other: established
// peers between them report "unavailable" and handshakes fail with 4653215.
func (w *World) CutLink(a, b string) { w.setLink(a, b, -1) }

// CutNodes cuts that many node pairs between a and b: established peers
// report "partial" (or "unavailable" once every pair is cut).
func (w *World) CutNodes(a, b string, pairs int) {
	if pairs <= 0 {
		w.RestoreLink(a, b)
		return
	}
	w.setLink(a, b, pairs)
}

// RestoreLink makes a and b fully reachable again ("available").
func (w *World) RestoreLink(a, b string) { w.setLink(a, b, 0) }

func (w *World) setLink(a, b string, cut int) {
	w.lockWrite()
	defer w.mu.Unlock()
	k := keyOf(a, b)
	l := w.links[k]
	if l == nil {
		if cut == 0 {
			return
		}
		l = &link{}
		w.links[k] = l
	}
	if l.cutPairs != cut {
		l.cutPairs = cut
		l.changed = w.clock.Now()
	}
}

// reach reports how a and b can talk: "available", "partial" or
// "unavailable", and when that last changed. Callers hold w.mu.
func (w *World) reach(a, b *Cluster) (string, time.Time) {
	l := w.links[keyOf(a.name, b.name)]
	if l == nil || l.cutPairs == 0 {
		if l != nil {
			return "available", l.changed
		}
		return "available", time.Time{}
	}
	total := len(a.nodes) * len(b.nodes)
	if l.cutPairs < 0 || l.cutPairs >= total {
		return "unavailable", l.changed
	}
	return "partial", l.changed
}

// newUUID returns a random (seeded) RFC 4122 version 4 UUID. Callers hold w.mu.
func (w *World) newUUID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], w.rng.Uint64())
	binary.LittleEndian.PutUint64(b[8:], w.rng.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

const passphraseAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// newPassphrase returns a 24-character passphrase from the base64
// alphabet. Callers hold w.mu.
func (w *World) newPassphrase() string {
	b := make([]byte, 24)
	for i := range b {
		b[i] = passphraseAlphabet[w.rng.IntN(len(passphraseAlphabet))]
	}
	return string(b)
}

// docPools are the RFC 5737 documentation ranges intercluster LIFs are
// allocated from, in order.
var docPools = [3][3]byte{{192, 0, 2}, {198, 51, 100}, {203, 0, 113}}

// allocAddr returns the next free documentation address. Callers hold w.mu.
func (w *World) allocAddr() (string, error) {
	for w.nextAddr < len(docPools)*254 {
		p := docPools[w.nextAddr/254]
		host := w.nextAddr%254 + 1
		w.nextAddr++
		a := fmt.Sprintf("%d.%d.%d.%d", p[0], p[1], p[2], host)
		if _, used := w.byAddr[a]; !used {
			return a, nil
		}
	}
	return "", fmt.Errorf("intercluster address pool exhausted (%d addresses)", len(docPools)*254)
}

// mgmtAddr returns the next management address from 198.18.0.0/15 (RFC
// 2544; shown by GET /api/cluster, never used). Callers hold w.mu.
func (w *World) mgmtAddr() string {
	i := w.nextMgmt
	w.nextMgmt++
	return fmt.Sprintf("198.%d.%d.%d", 18+i/(254*256), (i/254)%256, i%254+1)
}

// version is an ONTAP release of a simulated cluster.
type version struct {
	full                     string
	generation, major, minor int
}

func parseVersion(s string) (version, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return version{}, fmt.Errorf("version %q: want generation.major.minor", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return version{}, fmt.Errorf("version %q: want generation.major.minor", s)
		}
		n[i] = v
	}
	return version{
		full:       fmt.Sprintf("NetApp Release Simulated__%s: Mon Jan 06 08:00:00 UTC 2025", s),
		generation: n[0], major: n[1], minor: n[2],
	}, nil
}

// parseAddr validates an IPv4 or IPv6 address.
func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	return a, err == nil && a.Zone() == ""
}
