package desired

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Defaults and limits of a peer definition.
const (
	DefaultIpspace     = "Default"
	DefaultEncryption  = "tls_psk"
	DefaultOfferExpiry = time.Hour
	// MaxOfferExpiry is ONTAP's limit for a passphrase's expiry_time.
	MaxOfferExpiry = 7 * day
	// MinPassphraseLength is ONTAP's default peering_policy minimum.
	MinPassphraseLength = 8
)

var (
	encryptions  = []string{"tls_psk", "none"}
	applications = []string{"snapmirror", "flexcache"}

	peerNameRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	peerNameRule    = "1-63 letters, digits, '.', '_' or '-', starting with a letter or digit"
	clusterNameRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]{0,43}$`)
	clusterNameRule = "1-44 letters, digits, '.', '_' or '-', starting with a letter"
)

var peerSecrets = secretKeys{
	"passphrase": "inline passphrases are not allowed: use passphrase_file or offer",
	"password":   "inline secrets are not allowed: use passphrase_file or offer",
}

// peerCheck validates one definition and places its problems.
type peerCheck struct {
	file string
	base string // directory of the config file, for relative paths
	ix   *index
	cfg  *Config
	name string
	errs []*Error
	// decoded lists fields with a decoding problem: checks of these fields,
	// their parents and their children would only repeat it.
	decoded []string
}

func (pc *peerCheck) add(field, format string, args ...any) {
	if related(field, pc.decoded) {
		return
	}
	line, col := pc.ix.at(field)
	pc.errs = append(pc.errs, &Error{File: pc.file, Line: line, Column: col, Peer: pc.name, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// check validates p, applies defaults and resolves its passphrase file.
func (pc *peerCheck) check(p *Peer) {
	switch {
	case p.Name == "":
		pc.add("name", "required")
	case !peerNameRE.MatchString(p.Name):
		pc.add("name", "invalid relationship name: %s", peerNameRule)
	}
	switch p.State {
	case "":
		p.State = Present
	case Present, Absent:
	default:
		pc.add("state", "unknown state %q: want present or absent", p.State)
	}
	if !pc.ix.has("local") {
		pc.add("local", "required")
	} else {
		pc.checkCluster("local.cluster", p.Local.Cluster)
	}
	pc.checkSide("local", &p.Local)
	pc.checkRemote(p)
	switch p.Encryption {
	case "":
		p.Encryption = DefaultEncryption
	case "tls-psk":
		p.Encryption = "tls_psk" // ONTAP's documentation spells it so
	default:
		if !oneOf(p.Encryption, encryptions) {
			pc.add("encryption", "unknown encryption %q: want tls_psk or none", p.Encryption)
		}
	}
	pc.checkList("peer_applications", p.PeerApplications, applications)
	pc.checkList("initial_allowed_svms", p.InitialAllowedSVMs, nil)
	switch {
	case !pc.ix.has("offer_expiry"):
		p.OfferExpiry = Duration(DefaultOfferExpiry)
	case p.OfferExpiry <= 0:
		pc.add("offer_expiry", "must be positive")
	case p.OfferExpiry.Std() > MaxOfferExpiry:
		pc.add("offer_expiry", "%s is more than ONTAP's limit of 7d", p.OfferExpiry)
	}
}

func (pc *peerCheck) checkCluster(field, name string) {
	switch {
	case name == "":
		pc.add(field, "required")
	default:
		if _, ok := pc.cfg.Cluster(name); !ok {
			pc.add(field, "unknown cluster %q: configured clusters are %s", name, clusterNames(pc.cfg))
		}
	}
}

func clusterNames(cfg *Config) string {
	names := make([]string, 0, len(cfg.Clusters))
	for _, c := range cfg.Clusters {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// checkSide checks the settings of a managed side and applies defaults.
func (pc *peerCheck) checkSide(prefix string, s *Side) {
	if s.Ipspace == "" {
		s.Ipspace = DefaultIpspace
	} else if s.Ipspace == "Cluster" {
		pc.add(prefix+".ipspace", "the Cluster IPspace cannot be used for peering")
	}
	if s.PeerName != "" && !clusterNameRE.MatchString(s.PeerName) {
		pc.add(prefix+".peer_name", "invalid peer name: %s", clusterNameRule)
	}
	if s.LocalNetwork != nil {
		pc.checkLocalNetwork(prefix+".local_network", s.LocalNetwork)
	}
}

func (pc *peerCheck) checkRemote(p *Peer) {
	r := &p.Remote
	switch {
	case !pc.ix.has("remote"):
		pc.add("remote", "required")
		return
	case r.Cluster != "" && r.Name != "":
		pc.add("remote", "set remote.cluster (a managed cluster) or remote.name (an unmanaged one), not both")
		return
	case r.Cluster == "" && r.Name == "":
		pc.add("remote", "set remote.cluster (a managed cluster) or remote.name (an unmanaged one)")
		return
	}
	remoteName := r.Cluster
	if r.Managed() {
		pc.checkCluster("remote.cluster", r.Cluster)
		for _, f := range []struct {
			name string
			set  bool
		}{{"ip_addresses", r.IPAddresses != nil}, {"passphrase_file", r.PassphraseFile != ""}, {"offer", r.Offer != nil}} {
			if f.set {
				pc.add("remote."+f.name, "only for an unmanaged remote (remote.name); peerd finds a managed cluster's addresses and handles its passphrase")
			}
		}
		pc.checkSide("remote", &r.Side)
		if r.PeerName == "" {
			r.PeerName = p.Local.Cluster
		} else if r.PeerName == r.Cluster {
			pc.add("remote.peer_name", "must not be the name of cluster %s itself", r.Cluster)
		}
	} else {
		remoteName = r.Name
		if !clusterNameRE.MatchString(r.Name) {
			pc.add("remote.name", "invalid cluster name: %s", clusterNameRule)
		}
		for _, f := range []struct {
			name string
			set  bool
		}{{"ipspace", r.Ipspace != ""}, {"peer_name", r.PeerName != ""}, {"local_network", r.LocalNetwork != nil}} {
			if f.set {
				pc.add("remote."+f.name, "only for a managed remote (remote.cluster)")
			}
		}
		pc.checkUnmanaged(p)
	}
	if p.Local.Cluster != "" && remoteName == p.Local.Cluster {
		pc.add("remote", "local and remote are the same cluster %s", remoteName)
	}
	if p.Local.PeerName == "" {
		p.Local.PeerName = remoteName
	} else if p.Local.PeerName == p.Local.Cluster {
		pc.add("local.peer_name", "must not be the name of cluster %s itself", p.Local.Cluster)
	}
}

func (pc *peerCheck) checkUnmanaged(p *Peer) {
	r := &p.Remote
	if r.IPAddresses != nil {
		if len(r.IPAddresses) == 0 {
			pc.add("remote.ip_addresses", "must not be empty (leave it out for an anonymous offer)")
		}
		pc.checkIPs("remote.ip_addresses", r.IPAddresses)
	}
	switch {
	case r.PassphraseFile != "" && r.Offer != nil:
		pc.add("remote", "set either passphrase_file or offer, not both")
	case r.PassphraseFile != "":
		if len(r.IPAddresses) == 0 {
			pc.add("remote.ip_addresses", "required with passphrase_file (ONTAP accepts a passphrase only with the remote's addresses)")
		}
		r.PassphraseFile = resolvePath(pc.base, r.PassphraseFile)
		if p.State == Absent {
			return // the secret is not needed to delete the peer
		}
		pass, err := readSecretFile(r.PassphraseFile)
		switch {
		case err != nil:
			pc.add("remote.passphrase_file", "%s", err)
		case len(pass) < MinPassphraseLength:
			pc.add("remote.passphrase_file", "the passphrase is shorter than %d characters", MinPassphraseLength)
		default:
			r.Passphrase = secret(pass)
		}
	case r.Offer != nil:
		if r.Offer.HandoverFile == "" {
			pc.add("remote.offer.handover_file", "required")
		}
		r.Offer.HandoverFile = resolvePath(pc.base, r.Offer.HandoverFile)
	case p.State != Absent:
		pc.add("remote", "an unmanaged remote needs passphrase_file or offer")
	}
}

func (pc *peerCheck) checkList(field string, list []string, allowed []string) {
	seen := map[string]bool{}
	for i, v := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case v == "":
			pc.add(f, "must not be empty")
		case allowed != nil && !oneOf(v, allowed):
			pc.add(f, "unknown value %q: want one of %s", v, strings.Join(allowed, ", "))
		case seen[v]:
			pc.add(f, "%q is listed twice", v)
		}
		seen[v] = true
	}
}

// related reports whether field is one of fields, or a parent or child of one.
func related(field string, fields []string) bool {
	for _, f := range fields {
		if f == field || isUnder(field, f) || isUnder(f, field) {
			return true
		}
	}
	return false
}

// isUnder reports whether path is strictly below parent.
func isUnder(path, parent string) bool {
	if parent == "" {
		return path != ""
	}
	return strings.HasPrefix(path, parent) && len(path) > len(parent) && (path[len(parent)] == '.' || path[len(parent)] == '[')
}
