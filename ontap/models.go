package ontap

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// PeerState is a cluster peer's availability (status.state).
type PeerState string

// Availability states of a cluster peer.
const (
	PeerAvailable    PeerState = "available"
	PeerPartial      PeerState = "partial"
	PeerUnavailable  PeerState = "unavailable"
	PeerPending      PeerState = "pending"
	PeerUnidentified PeerState = "unidentified"
)

// PeerStates lists every availability state, in a fixed order.
var PeerStates = []PeerState{PeerAvailable, PeerPartial, PeerUnavailable, PeerPending, PeerUnidentified}

// AuthState is the operational authentication state (authentication.state).
type AuthState string

// Operational authentication states.
const (
	AuthOK      AuthState = "ok"
	AuthAbsent  AuthState = "absent"
	AuthPending AuthState = "pending"
	AuthProblem AuthState = "problem"
)

// AuthStates lists every operational authentication state, in a fixed order.
var AuthStates = []AuthState{AuthOK, AuthAbsent, AuthPending, AuthProblem}

// AuthInUse is the administrative authentication state (authentication.in_use).
type AuthInUse string

// Administrative authentication states.
const (
	InUseOK      AuthInUse = "ok"
	InUseAbsent  AuthInUse = "absent"
	InUseRevoked AuthInUse = "revoked"
)

// Encryption is a peering encryption protocol (encryption.proposed / state).
type Encryption string

// Encryption protocols. ONTAP's documentation examples send "tls-psk" with a
// hyphen; UnmarshalJSON accepts both spellings and the client always sends
// and reports the schema's "tls_psk".
const (
	EncryptionNone   Encryption = "none"
	EncryptionTLSPSK Encryption = "tls_psk"
)

// UnmarshalJSON accepts "tls_psk" and the hyphenated "tls-psk".
func (e *Encryption) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*e = Encryption(strings.ReplaceAll(s, "-", "_"))
	return nil
}

// Application is an SVM-peering application allowed over a cluster peer.
type Application string

// Peer applications.
const (
	AppSnapMirror Application = "snapmirror"
	AppFlexCache  Application = "flexcache"
)

// Secret holds a passphrase or password. Every textual rendering (fmt verbs,
// hclog, errors) prints "(sensitive)"; only Reveal and the JSON encoding sent
// to ONTAP carry the value. Never store a Secret in a type that is rendered
// as JSON for people (plans, metrics, logs).
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer with a redacted value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "(sensitive)"
}

// GoString implements fmt.GoStringer with a redacted value.
func (s Secret) GoString() string { return s.String() }

// Format redacts the secret for every fmt verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// Ref names an ONTAP object by name and/or uuid.
type Ref struct {
	UUID string `json:"uuid,omitempty"`
	Name string `json:"name,omitempty"`
}

// Version is an ONTAP release.
type Version struct {
	Full       string `json:"full,omitempty"`
	Generation int    `json:"generation,omitempty"`
	Major      int    `json:"major,omitempty"`
	Minor      int    `json:"minor,omitempty"`
}

// String renders the version as generation.major.minor.
func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Generation, v.Major, v.Minor) }

// PeerAuthentication is the authentication part of a cluster peer as read.
// The passphrase is only ever returned by POST/PATCH when ONTAP generated it.
type PeerAuthentication struct {
	Passphrase Secret    `json:"passphrase,omitempty"`
	ExpiryTime time.Time `json:"expiry_time,omitzero"`
	InUse      AuthInUse `json:"in_use,omitempty"`
	State      AuthState `json:"state,omitempty"`
}

// PeerEncryption is the encryption part of a cluster peer.
type PeerEncryption struct {
	Proposed Encryption `json:"proposed,omitempty"`
	State    Encryption `json:"state,omitempty"`
}

// PeerRemote describes the remote cluster of a peer record.
type PeerRemote struct {
	Name         string   `json:"name,omitempty"`
	SerialNumber string   `json:"serial_number,omitempty"`
	IPAddresses  []string `json:"ip_addresses,omitempty"`
}

// PeerStatus is the availability of a peer record.
type PeerStatus struct {
	State      PeerState `json:"state,omitempty"`
	UpdateTime time.Time `json:"update_time,omitzero"`
}

// Peer is one cluster_peer record as ONTAP returns it. Fields not requested
// with fields= are zero.
type Peer struct {
	UUID               string              `json:"uuid,omitempty"`
	Name               string              `json:"name,omitempty"`
	Authentication     *PeerAuthentication `json:"authentication,omitempty"`
	Encryption         *PeerEncryption     `json:"encryption,omitempty"`
	InitialAllowedSVMs []Ref               `json:"initial_allowed_svms,omitempty"`
	IPAddress          string              `json:"ip_address,omitempty"`
	Ipspace            *Ref                `json:"ipspace,omitempty"`
	PeerApplications   []Application       `json:"peer_applications,omitempty"`
	Remote             *PeerRemote         `json:"remote,omitempty"`
	Status             *PeerStatus         `json:"status,omitempty"`
	Version            *Version            `json:"version,omitempty"`
}

// LocalNetwork asks ONTAP to create one intercluster LIF per node before the
// peer is created (create-only, never returned).
type LocalNetwork struct {
	Interfaces      []LocalInterface `json:"interfaces"`
	Netmask         string           `json:"netmask"`
	BroadcastDomain string           `json:"broadcast_domain"`
	Gateway         string           `json:"gateway,omitempty"`
}

// LocalInterface is one address of LocalNetwork.
type LocalInterface struct {
	IPAddress string `json:"ip_address"`
}

// CreateAuthentication is the authentication part of a create or patch request.
// ExpiryTime is sent as given: an ISO-8601 duration ("PT1H", "P2D") or date-time.
type CreateAuthentication struct {
	Passphrase         Secret    `json:"passphrase,omitempty"`
	GeneratePassphrase bool      `json:"generate_passphrase,omitempty"`
	ExpiryTime         string    `json:"expiry_time,omitempty"`
	InUse              AuthInUse `json:"in_use,omitempty"`
}

// CreateEncryption is the encryption part of a create or patch request.
type CreateEncryption struct {
	Proposed Encryption `json:"proposed,omitempty"`
}

// CreateRemote is the remote part of a create or patch request.
type CreateRemote struct {
	IPAddresses []string `json:"ip_addresses"`
}

// CreatePeerRequest is the body of POST /api/cluster/peers. Zero fields are
// not sent; a non-nil empty PeerApplications is sent as [] (no applications,
// where leaving it out takes ONTAP's default).
type CreatePeerRequest struct {
	Name               string                `json:"name,omitempty"`
	Authentication     *CreateAuthentication `json:"authentication,omitempty"`
	Encryption         *CreateEncryption     `json:"encryption,omitempty"`
	InitialAllowedSVMs []Ref                 `json:"initial_allowed_svms,omitempty"`
	Ipspace            *Ref                  `json:"ipspace,omitempty"`
	LocalNetwork       *LocalNetwork         `json:"local_network,omitempty"`
	PeerApplications   []Application         `json:"peer_applications,omitzero"`
	Remote             *CreateRemote         `json:"remote,omitempty"`
}

// PatchPeerRequest is the body of PATCH /api/cluster/peers/{uuid}. Only
// non-nil fields are sent; a non-nil empty slice clears the list.
type PatchPeerRequest struct {
	Name               *string               `json:"name,omitempty"`
	Authentication     *CreateAuthentication `json:"authentication,omitempty"`
	Encryption         *CreateEncryption     `json:"encryption,omitempty"`
	InitialAllowedSVMs *[]Ref                `json:"initial_allowed_svms,omitempty"`
	PeerApplications   *[]Application        `json:"peer_applications,omitempty"`
	Remote             *CreateRemote         `json:"remote,omitempty"`
}

// Cluster is the local cluster's identity (GET /api/cluster).
type Cluster struct {
	UUID          string         `json:"uuid,omitempty"`
	Name          string         `json:"name,omitempty"`
	SerialNumber  string         `json:"serial_number,omitempty"`
	Version       Version        `json:"version,omitzero"`
	PeeringPolicy *PeeringPolicy `json:"peering_policy,omitempty"`
}

// PeeringPolicy is the cluster's peering policy.
type PeeringPolicy struct {
	AuthenticationRequired  bool `json:"authentication_required"`
	EncryptionRequired      bool `json:"encryption_required"`
	MinimumPassphraseLength int  `json:"minimum_passphrase_length"`
}

// Node is one cluster node (GET /api/cluster/nodes).
type Node struct {
	UUID         string   `json:"uuid,omitempty"`
	Name         string   `json:"name,omitempty"`
	SerialNumber string   `json:"serial_number,omitempty"`
	Model        string   `json:"model,omitempty"`
	State        string   `json:"state,omitempty"`
	Version      *Version `json:"version,omitempty"`
}

// Ipspace is one IPspace (GET /api/network/ipspaces).
type Ipspace struct {
	UUID string `json:"uuid,omitempty"`
	Name string `json:"name,omitempty"`
}

// IPInfo is the address of an IP interface.
type IPInfo struct {
	Address string `json:"address,omitempty"`
	Netmask string `json:"netmask,omitempty"`
	Family  string `json:"family,omitempty"`
}

// InterfaceLocation is where an IP interface lives.
type InterfaceLocation struct {
	HomeNode        *Ref `json:"home_node,omitempty"`
	Node            *Ref `json:"node,omitempty"`
	BroadcastDomain *Ref `json:"broadcast_domain,omitempty"`
}

// IPInterface is one network IP interface (LIF).
type IPInterface struct {
	UUID          string             `json:"uuid,omitempty"`
	Name          string             `json:"name,omitempty"`
	IP            *IPInfo            `json:"ip,omitempty"`
	Enabled       *bool              `json:"enabled,omitempty"`
	State         string             `json:"state,omitempty"`
	Scope         string             `json:"scope,omitempty"`
	Services      []string           `json:"services,omitempty"`
	ServicePolicy *Ref               `json:"service_policy,omitempty"`
	Ipspace       *Ref               `json:"ipspace,omitempty"`
	Location      *InterfaceLocation `json:"location,omitempty"`
}

// JobState is the state of an ONTAP job.
type JobState string

// Job states; success and failure are terminal.
const (
	JobQueued  JobState = "queued"
	JobRunning JobState = "running"
	JobPaused  JobState = "paused"
	JobSuccess JobState = "success"
	JobFailure JobState = "failure"
)

// JobError is the error of a failed job.
type JobError struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// Job is an asynchronous ONTAP operation (GET /api/cluster/jobs/{uuid}).
type Job struct {
	UUID        string    `json:"uuid,omitempty"`
	Description string    `json:"description,omitempty"`
	State       JobState  `json:"state,omitempty"`
	Message     string    `json:"message,omitempty"`
	Code        int       `json:"code,omitempty"`
	Error       *JobError `json:"error,omitempty"`
	StartTime   time.Time `json:"start_time,omitzero"`
	EndTime     time.Time `json:"end_time,omitzero"`
}

// CreateInterfaceRequest describes an intercluster LIF to create on one node.
// The client sends service_policy default-intercluster (ONTAP's default for
// cluster-scoped LIFs would be a management policy).
type CreateInterfaceRequest struct {
	// Name is the LIF name, e.g. "cluster-a-01_ic1".
	Name string
	// Address is the IPv4 or IPv6 address.
	Address string
	// Netmask is a mask ("255.255.255.0") or prefix length ("24").
	Netmask string
	// Ipspace is the IPspace name (default "Default").
	Ipspace string
	// HomeNode is the node the LIF lives on; ONTAP picks the port.
	HomeNode string
}
