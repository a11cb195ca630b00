package reconcile

import "github.com/peerd/peerd/ontap"

// DefaultIpspace is the IPspace of a side that names none.
const DefaultIpspace = "Default"

// Observed is what one pass read from ONTAP, keyed by configured cluster name.
type Observed struct {
	Clusters map[string]*ClusterState `json:"clusters"`
	// Remembered maps "cluster/relationship" to the uuid of a record Apply
	// created earlier in this run, the last resort when matching records.
	Remembered map[string]string `json:"remembered,omitempty"`
}

// ClusterState is one managed cluster as observed.
type ClusterState struct {
	Name         string `json:"name"`
	UUID         string `json:"uuid,omitempty"`
	SerialNumber string `json:"serial_number,omitempty"`
	// Error, when set, means the cluster could not be observed: nothing on it
	// is planned.
	Error string       `json:"error,omitempty"`
	Peers []ontap.Peer `json:"peers"`
	// Addresses maps an IPspace to its intercluster addresses (sorted). Only
	// IPspaces a plan needed are present; present and empty means no LIF.
	Addresses map[string][]string `json:"intercluster_addresses,omitempty"`
}

// Observed reports whether the cluster could be read.
func (c *ClusterState) observed() bool { return c != nil && c.Error == "" }

// RememberKey is the key of Observed.Remembered.
func RememberKey(cluster, relationship string) string { return cluster + "/" + relationship }

// Remember records in m the uuids of the records results created, so that the
// next pass can match them even before ONTAP shows who their remote is.
func Remember(m map[string]string, results []Result) {
	for _, r := range results {
		if r.Kind == KindCreate && r.Outcome == OutcomeOK && r.UUID != "" && r.Relationship != "" {
			m[RememberKey(r.Cluster, r.Relationship)] = r.UUID
		}
	}
}

// PeerFields returns the fields Observe asks of every peer record: what Diff
// reads plus the health fields the metrics export (status.update_time,
// authentication.in_use, encryption.state), all from the same list request.
func PeerFields() []string {
	return []string{
		"uuid", "name", "remote.name", "remote.serial_number", "remote.ip_addresses",
		"ipspace.name", "status.state", "status.update_time",
		"authentication.state", "authentication.in_use", "authentication.expiry_time",
		"encryption.proposed", "encryption.state", "peer_applications", "initial_allowed_svms.name",
	}
}
