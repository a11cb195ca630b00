package reconcile

import (
	"slices"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
)

// side is one managed cluster's record of a declared relationship.
type side struct {
	cluster  string
	ipspace  string
	peerName string // the record's desired local name
	// remoteName is the other cluster's name; remoteSerial is known when
	// the other cluster is managed and observed.
	remoteName   string
	remoteSerial string
	// other is the managed remote side (nil for an unmanaged remote).
	other *side
	// declared are an unmanaged remote's declared addresses.
	declared     []string
	localNetwork *desired.LocalNetwork
	rec          *ontap.Peer
}

// rel is a declared relationship being diffed.
type rel struct {
	def   *desired.Peer
	sides []*side // the local side first; two when the remote is managed
}

// lifKey names the intercluster addresses of one IPspace of one cluster.
type lifKey struct{ cluster, ipspace string }

// differ holds one Diff computation.
type differ struct {
	set     *desired.Set
	obs     *Observed
	claimed map[string]map[string]bool // cluster -> uuid
	// sideNames maps each declared side's record name to its relationship:
	// cluster -> record name -> relationship.
	sideNames map[string]map[string]string
	needs     map[lifKey]bool // addresses the plan looked up
}

func newDiffer(set *desired.Set, obs *Observed) *differ {
	if obs == nil {
		obs = &Observed{}
	}
	if set == nil {
		set = &desired.Set{}
	}
	return &differ{set: set, obs: obs, claimed: map[string]map[string]bool{}, needs: map[lifKey]bool{}}
}

func ipspaceOr(s string) string {
	if s == "" {
		return DefaultIpspace
	}
	return s
}

// buildRels turns definitions into sides, in definition name order.
func (d *differ) buildRels() []*rel {
	rels := make([]*rel, 0, len(d.set.Peers))
	for i := range d.set.Peers {
		def := &d.set.Peers[i]
		local := &side{
			cluster:      def.Local.Cluster,
			ipspace:      ipspaceOr(def.Local.Ipspace),
			localNetwork: def.Local.LocalNetwork,
		}
		r := &rel{def: def, sides: []*side{local}}
		if def.Remote.Managed() {
			remote := &side{
				cluster:      def.Remote.Cluster,
				ipspace:      ipspaceOr(def.Remote.Ipspace),
				localNetwork: def.Remote.LocalNetwork,
				remoteName:   def.Local.Cluster,
				peerName:     def.Remote.PeerName,
				other:        local,
			}
			local.other = remote
			local.remoteName = def.Remote.Cluster
			if cs := d.obs.Clusters[remote.cluster]; cs.observed() {
				local.remoteSerial = cs.SerialNumber
			}
			if cs := d.obs.Clusters[local.cluster]; cs.observed() {
				remote.remoteSerial = cs.SerialNumber
			}
			r.sides = append(r.sides, remote)
		} else {
			local.remoteName = def.Remote.Name
			local.declared = def.Remote.IPAddresses
		}
		local.peerName = def.Local.PeerName
		for _, s := range r.sides {
			if s.peerName == "" {
				s.peerName = s.remoteName
			}
		}
		rels = append(rels, r)
	}
	return rels
}

// match assigns ONTAP records to sides, strongest evidence first across all
// relationships so that a weak match never takes a record a strong one
// would: the remote cluster's name (and serial when both are known), then
// the record's own name while the remote is not yet identified (offers and
// pending records that peerd created with that name), then overlapping
// remote addresses, then a uuid remembered from an earlier Apply.
func (d *differ) match(rels []*rel) {
	d.sideNames = map[string]map[string]string{}
	for _, r := range rels {
		for _, s := range r.sides {
			if d.sideNames[s.cluster] == nil {
				d.sideNames[s.cluster] = map[string]string{}
			}
			d.sideNames[s.cluster][s.peerName] = r.def.Name
		}
	}
	passes := []func(*rel, *side, *ontap.Peer) bool{
		func(_ *rel, s *side, p *ontap.Peer) bool {
			if p.Remote == nil || p.Remote.Name == "" || p.Remote.Name != s.remoteName {
				return false
			}
			return s.remoteSerial == "" || p.Remote.SerialNumber == "" || p.Remote.SerialNumber == s.remoteSerial
		},
		func(_ *rel, s *side, p *ontap.Peer) bool {
			return unidentified(p) && p.Name != "" && p.Name == s.peerName
		},
		func(r *rel, s *side, p *ontap.Peer) bool {
			if !unidentified(p) || p.Remote == nil || len(p.Remote.IPAddresses) == 0 {
				return false
			}
			return overlap(p.Remote.IPAddresses, d.expectedRemote(r, s))
		},
		func(r *rel, s *side, p *ontap.Peer) bool {
			return d.obs.Remembered[RememberKey(s.cluster, r.def.Name)] == p.UUID
		},
	}
	for i, pass := range passes {
		for _, r := range rels {
			for _, s := range r.sides {
				if s.rec != nil || !d.observed(s.cluster) {
					continue
				}
				// Absent and frozen definitions never look up addresses:
				// they create nothing, so they need none.
				if i == 2 && (r.def.Frozen || r.def.State == desired.Absent) && s.other != nil {
					continue
				}
				s.rec = d.claim(s.cluster, func(p *ontap.Peer) bool { return pass(r, s, p) })
			}
		}
	}
}

// claim returns the first unclaimed record of cluster that ok accepts, and
// claims it.
func (d *differ) claim(cluster string, ok func(*ontap.Peer) bool) *ontap.Peer {
	cs := d.obs.Clusters[cluster]
	for i := range cs.Peers {
		p := &cs.Peers[i]
		if d.claimed[cluster][p.UUID] || !ok(p) {
			continue
		}
		if d.claimed[cluster] == nil {
			d.claimed[cluster] = map[string]bool{}
		}
		d.claimed[cluster][p.UUID] = true
		return p
	}
	return nil
}

func (d *differ) observed(cluster string) bool { return d.obs.Clusters[cluster].observed() }

// unidentified reports whether ONTAP does not yet know the record's remote.
func unidentified(p *ontap.Peer) bool { return p.Remote == nil || p.Remote.Name == "" }

// addresses returns the observed intercluster addresses of an IPspace and
// whether they were observed; looking them up records that the plan needs
// them, which is how Observe decides what to fetch.
func (d *differ) addresses(cluster, ipspace string) ([]string, bool) {
	k := lifKey{cluster, ipspace}
	d.needs[k] = true
	cs := d.obs.Clusters[cluster]
	if !cs.observed() || cs.Addresses == nil {
		return nil, false
	}
	a, ok := cs.Addresses[ipspace]
	return a, ok
}

// expectedRemote is where side s's record must point: the other managed
// cluster's intercluster addresses (or the ones its local_network will
// create), or an unmanaged remote's declared addresses.
func (d *differ) expectedRemote(_ *rel, s *side) []string {
	if s.other == nil {
		return s.declared
	}
	a, _ := d.addresses(s.other.cluster, s.other.ipspace)
	if len(a) == 0 && s.other.localNetwork != nil {
		return s.other.localNetwork.IPAddresses
	}
	return a
}

// needsBootstrap reports whether side s's cluster has no intercluster LIF in
// its IPspace, so its create must carry local_network.
func (d *differ) needsBootstrap(s *side) bool {
	a, ok := d.addresses(s.cluster, s.ipspace)
	return ok && len(a) == 0
}

func overlap(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
