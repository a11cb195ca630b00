package desired

import (
	"time"

	"github.com/peerd/peerd/ontap"
)

// State says whether a relationship must exist.
type State string

// Relationship states.
const (
	Present State = "present"
	Absent  State = "absent"
)

// Source is where a definition or setting was read from.
type Source struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// Config is the daemon configuration (peerd.yaml).
type Config struct {
	// Definitions is the peer-definition directory; relative to the config file.
	Definitions string `yaml:"definitions"`
	// ResyncInterval is the period of full passes without events (default 5m).
	ResyncInterval Duration `yaml:"resync_interval"`
	// DryRun makes the daemon plan and report but never write.
	DryRun bool `yaml:"dry_run"`
	// Prune holds the delete policy for undeclared peers.
	Prune PrunePolicy `yaml:"prune"`
	// Listen is the address of /metrics, /healthz and /readyz (default 127.0.0.1:9731).
	Listen string `yaml:"listen"`
	// WebConfigFile is an optional exporter-toolkit web config (TLS, basic auth).
	WebConfigFile string `yaml:"web_config_file"`
	// Log sets the log level and format.
	Log LogConfig `yaml:"log"`
	// Concurrency bounds concurrent ONTAP requests across clusters (default 8).
	Concurrency int `yaml:"concurrency"`
	// Clusters are the ONTAP clusters peerd manages.
	Clusters []Cluster `yaml:"clusters"`

	// Path is the absolute path the config was read from.
	Path string `yaml:"-"`
}

// PrunePolicy limits deletes of undeclared peers.
type PrunePolicy struct {
	// MaxDeletes refuses every delete of a plan that has more (default 1).
	MaxDeletes int `yaml:"max_deletes"`
}

// LogConfig is the logging setup.
type LogConfig struct {
	Level  string `yaml:"level"`  // trace, debug, info (default), warn, error
	Format string `yaml:"format"` // auto (default: text on a terminal, else json), json, text
}

// Cluster is one managed ONTAP cluster.
type Cluster struct {
	// Name must equal the ONTAP cluster name (checked on connect).
	Name string `yaml:"name"`
	// URL is the cluster management address, e.g. https://cluster-a.example.com.
	URL      string `yaml:"url"`
	Username string `yaml:"username"`
	// PasswordFile or PasswordEnv provide the password; inline passwords are refused.
	PasswordFile string `yaml:"password_file"`
	PasswordEnv  string `yaml:"password_env"`
	// CAFile verifies the cluster's certificate; system roots otherwise.
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile enable certificate (client TLS) authentication.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// InsecureSkipVerify disables certificate verification (warned).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
	// Timeout bounds each request (default 30s).
	Timeout Duration `yaml:"timeout"`
	// RateLimit bounds requests to this cluster.
	RateLimit RateLimit `yaml:"rate_limit"`
	// Labels label this cluster's peerd_cluster_info series (join on cluster).
	Labels map[string]string `yaml:"labels"`
	// Prune allows deleting peers on this cluster that no definition declares.
	Prune bool `yaml:"prune"`

	// Password is resolved from PasswordFile or PasswordEnv at load time.
	// It redacts itself in every fmt rendering and is never JSON-encoded.
	Password ontap.Secret `yaml:"-" json:"-"`
	// Source is where the cluster's entry starts in the config file.
	Source Source `yaml:"-"`
}

// RateLimit is a token bucket.
type RateLimit struct {
	RequestsPerSecond float64 `yaml:"requests_per_second"` // default 10
	Burst             int     `yaml:"burst"`               // default 20
}

// Peer is one peering relationship between a managed cluster (Local) and
// either another managed cluster or an unmanaged remote (Remote).
type Peer struct {
	// Name identifies the relationship; unique across all definition files.
	Name  string `yaml:"name"`
	State State  `yaml:"state"` // present (default) or absent
	Local Side   `yaml:"local"`
	// Remote is either managed (Remote.Cluster set) or unmanaged (Remote.Name set).
	Remote Remote `yaml:"remote"`
	// Encryption is tls_psk (default, as ONTAP) or none.
	Encryption string `yaml:"encryption"`
	// PeerApplications: snapmirror, flexcache.
	PeerApplications []string `yaml:"peer_applications"`
	// InitialAllowedSVMs are local SVM names pre-authorised for SVM peering.
	InitialAllowedSVMs []string `yaml:"initial_allowed_svms"`
	// OfferExpiry is the lifetime of a generated passphrase/offer (default 1h, max 7d).
	OfferExpiry Duration `yaml:"offer_expiry"`
	// AllowReplace lets apply delete and re-create a side when a create-only
	// field (ipspace) changes.
	AllowReplace bool `yaml:"allow_replace"`

	// Source is where the definition starts.
	Source Source `yaml:"-"`
	// Frozen marks a definition kept from the last good content of a file
	// that is now broken: nothing in it may be created, changed or deleted.
	Frozen bool `yaml:"-"`
}

// Set is the desired state of one pass: the config and every definition in
// force, plus the files that are currently broken.
type Set struct {
	Config *Config
	// Peers are the valid definitions in force, sorted by Name. Definitions
	// of broken files that were good before are included with Frozen set.
	Peers []Peer
	// Broken lists files that fail to parse or validate now.
	Broken []FileError
}

// FileError is a definition file that cannot be used, and why.
type FileError struct {
	File string
	Err  error
}

// Side is the settings of one managed cluster's record of a relationship.
type Side struct {
	// Cluster is the managed cluster's name (from the config).
	Cluster string `yaml:"cluster"`
	// Ipspace of the intercluster LIFs (default "Default").
	Ipspace string `yaml:"ipspace"`
	// PeerName is this side's local name for the relationship (ONTAP "name");
	// default: the remote cluster's name.
	PeerName string `yaml:"peer_name"`
	// LocalNetwork bootstraps intercluster LIFs when the ipspace has none.
	LocalNetwork *LocalNetwork `yaml:"local_network"`
}

// Remote is the other end of a relationship: a managed cluster (the Side
// fields) or an unmanaged remote (Name, IPAddresses and one of PassphraseFile
// or Offer).
type Remote struct {
	Side `yaml:",inline"`

	// Name is an unmanaged remote cluster's name.
	Name string `yaml:"name"`
	// IPAddresses are the unmanaged remote's intercluster addresses. With an
	// offer and no addresses the offer is anonymous.
	IPAddresses []string `yaml:"ip_addresses"`
	// PassphraseFile holds the passphrase agreed with the remote admin.
	PassphraseFile string `yaml:"passphrase_file"`
	// Offer makes peerd generate the passphrase and hand it over in a file.
	Offer *Offer `yaml:"offer"`

	// Passphrase is resolved from PassphraseFile at load time (absent
	// relationships leave it empty). It redacts itself in every fmt
	// rendering and is never JSON-encoded.
	Passphrase ontap.Secret `yaml:"-" json:"-"`
}

// Managed reports whether the remote is a managed cluster.
func (r Remote) Managed() bool { return r.Cluster != "" }

// Offer is a passphrase offer to an unmanaged remote.
type Offer struct {
	// HandoverFile receives the generated passphrase (mode 0600).
	HandoverFile string `yaml:"handover_file"`
}

// LocalNetwork creates one intercluster LIF per node (ONTAP local_network).
type LocalNetwork struct {
	IPAddresses     []string `yaml:"ip_addresses"` // one per node, in node order
	Netmask         string   `yaml:"netmask"`      // mask or prefix length
	BroadcastDomain string   `yaml:"broadcast_domain"`
	Gateway         string   `yaml:"gateway"`
}

// Duration is a time.Duration written as "90s", "15m", "1h" or "2d".
type Duration time.Duration
