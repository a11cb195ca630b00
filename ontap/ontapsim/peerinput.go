package ontapsim

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// peerInput is a POST or PATCH body of /api/cluster/peers.
type peerInput struct {
	Name               *string        `json:"name"`
	Authentication     *authInput     `json:"authentication"`
	Encryption         *encInput      `json:"encryption"`
	InitialAllowedSVMs *[]svmRef      `json:"initial_allowed_svms"`
	Ipspace            *refInput      `json:"ipspace"`
	LocalNetwork       *localNetInput `json:"local_network"`
	PeerApplications   *[]string      `json:"peer_applications"`
	Remote             *remoteInput   `json:"remote"`
}

type authInput struct {
	Passphrase         *string `json:"passphrase"`
	GeneratePassphrase *bool   `json:"generate_passphrase"`
	ExpiryTime         *string `json:"expiry_time"`
	InUse              *string `json:"in_use"`
}

type encInput struct {
	Proposed *string `json:"proposed"`
}

type refInput struct {
	Name *string `json:"name"`
	UUID *string `json:"uuid"`
}

type remoteInput struct {
	IPAddresses *[]string `json:"ip_addresses"`
}

type localNetInput struct {
	Interfaces *[]struct {
		IPAddress string `json:"ip_address"`
	} `json:"interfaces"`
	Netmask         *string `json:"netmask"`
	BroadcastDomain *string `json:"broadcast_domain"`
	Gateway         *string `json:"gateway"`
}

// peerSpec lists the body fields of a peer POST (create) or PATCH.
func peerSpec(create bool) *spec {
	local := ro()
	if create {
		local = obj(map[string]*spec{
			"interfaces": obj(map[string]*spec{"ip_address": leaf()}),
			"netmask":    leaf(), "broadcast_domain": leaf(), "gateway": leaf(),
		})
	}
	ref := func() *spec { return obj(map[string]*spec{"name": leaf(), "uuid": leaf(), "_links": ro()}) }
	return obj(map[string]*spec{
		"name": leaf(), "uuid": ro(), "ip_address": ro(), "_links": ro(), "status": ro(), "version": ro(),
		"authentication": obj(map[string]*spec{
			"passphrase": leaf(), "generate_passphrase": leaf(), "expiry_time": leaf(), "in_use": leaf(), "state": ro(),
		}),
		"encryption":           obj(map[string]*spec{"proposed": leaf(), "state": ro()}),
		"initial_allowed_svms": ref(),
		"ipspace":              ref(),
		"local_network":        local,
		"peer_applications":    leaf(),
		"remote":               obj(map[string]*spec{"ip_addresses": leaf(), "name": ro(), "serial_number": ro()}),
	})
}

// checkEnums validates enum-valued inputs and normalizes "tls-psk".
func (in *peerInput) checkEnums() *apiError {
	if a := in.Authentication; a != nil && a.InUse != nil {
		if !slices.Contains([]string{"ok", "absent", "revoked"}, *a.InUse) {
			return invalidEnum("authentication.in_use", *a.InUse)
		}
	}
	if e := in.Encryption; e != nil && e.Proposed != nil {
		v := strings.ReplaceAll(*e.Proposed, "-", "_")
		if v != "none" && v != "tls_psk" {
			return invalidEnum("encryption.proposed", *e.Proposed)
		}
		e.Proposed = &v
	}
	if in.PeerApplications != nil {
		for _, a := range *in.PeerApplications {
			if a != "snapmirror" && a != "flexcache" {
				return invalidEnum("peer_applications", a)
			}
		}
	}
	return nil
}

func invalidEnum(field, value string) *apiError {
	if len(value) > 32 {
		value = value[:32]
	}
	return badRequest(codeInvalidFieldValue, field, "Invalid value %q for field %q.", value, field)
}

var peerNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,254}$`)

// checkName validates a relationship name on cluster c for record self.
func (c *Cluster) checkName(name string, self *peer) *apiError {
	if !peerNameRE.MatchString(name) {
		return badRequest(codeBadName, "name", "The name must begin with a letter and contain only letters, digits, \"-\", \"_\" and \".\" (at most 255 characters).")
	}
	if name == c.name {
		return badRequest(codeOwnClusterName, "name", "Cannot peer with a cluster bearing the same name as the local cluster.")
	}
	if q := c.peerByName(name); q != nil && q != self {
		return badRequest(codePeerDuplicateName, "name", "A peer relationship named %q already exists.", name)
	}
	return nil
}

// checkRemoteIPs validates remote.ip_addresses: non-empty, addresses, one family.
func checkRemoteIPs(ips []string) *apiError {
	const target = "remote.ip_addresses"
	if len(ips) == 0 {
		return badRequest(codeRemoteIPsEmpty, target, "The list of remote IP addresses must not be empty.")
	}
	var fam4, fam6 bool
	for _, s := range ips {
		a, ok := parseAddr(s)
		if !ok || a.IsUnspecified() || a.IsMulticast() {
			return badRequest(codeInvalidPeerAddress, target, "Invalid peer address in \"ip_addresses\".")
		}
		if a.Is4() {
			fam4 = true
		} else {
			fam6 = true
		}
	}
	if fam4 && fam6 {
		return badRequest(codeMixedFamilies, target, "The peer addresses must all be of one address family.")
	}
	return nil
}

// resolveOwner finds the one cluster whose intercluster LIFs hold every
// address, and the IPspace of those LIFs. Callers hold w.mu.
func (w *World) resolveOwner(ips []string) (*Cluster, *ipspace, *apiError) {
	var owner *Cluster
	var space *ipspace
	for _, s := range ips {
		l := w.byAddr[canonAddr(s)]
		if l == nil || !l.intercluster() || !l.enabled {
			return nil, nil, badRequest(codeIntroRPCFailed, "remote.ip_addresses",
				"An introductory RPC to the peer address %q failed to connect: RPC: Remote system error - Connection refused.", s)
		}
		if owner != nil && (l.cluster != owner || l.ipspace != space) {
			return nil, nil, badRequest(codeInvalidPeerAddress, "remote.ip_addresses",
				"The peer addresses belong to more than one cluster or IPspace.")
		}
		owner, space = l.cluster, l.ipspace
	}
	return owner, space, nil
}

func canonAddr(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}
