package desired

import (
	"fmt"
	"net/netip"
	"strconv"
)

// checkIPs checks a list of intercluster addresses: valid unicast
// addresses, no duplicates, one address family (ONTAP refuses a mix). It
// returns the list's family (4 or 6), 0 when none is valid.
func (pc *peerCheck) checkIPs(field string, ips []string) int {
	family, familyAt := 0, ""
	seen := map[netip.Addr]bool{}
	for i, s := range ips {
		f := fmt.Sprintf("%s[%d]", field, i)
		a, err := netip.ParseAddr(s)
		switch {
		case err != nil || a.Zone() != "":
			pc.add(f, "invalid IP address %q", s)
			continue
		case a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
			pc.add(f, "%s is not a unicast address", s)
			continue
		case seen[a]:
			pc.add(f, "%s is listed twice", s)
			continue
		}
		seen[a] = true
		fam := addrFamily(a)
		switch {
		case family == 0:
			family, familyAt = fam, s
		case fam != family:
			pc.add(f, "%s is IPv%d but %s is IPv%d: use one address family", s, fam, familyAt, family)
		}
	}
	return family
}

func addrFamily(a netip.Addr) int {
	if a.Unmap().Is4() {
		return 4
	}
	return 6
}

// checkLocalNetwork checks the LIF bootstrap of one side.
func (pc *peerCheck) checkLocalNetwork(field string, ln *LocalNetwork) {
	family := 0
	if len(ln.IPAddresses) == 0 {
		pc.add(field+".ip_addresses", "required: one address per node")
	} else {
		family = pc.checkIPs(field+".ip_addresses", ln.IPAddresses)
	}
	bits := -1
	if ln.Netmask == "" {
		pc.add(field+".netmask", "required: a prefix length (24) or a mask (255.255.255.0)")
	} else if family != 0 {
		var reason string
		bits, reason = maskBits(ln.Netmask, family)
		if reason != "" {
			pc.add(field+".netmask", "%s", reason)
		}
	}
	if ln.BroadcastDomain == "" {
		pc.add(field+".broadcast_domain", "required")
	}
	if ln.Gateway == "" {
		return
	}
	gw, err := netip.ParseAddr(ln.Gateway)
	switch {
	case err != nil || gw.Zone() != "":
		pc.add(field+".gateway", "invalid IP address %q", ln.Gateway)
	case family != 0 && addrFamily(gw) != family:
		pc.add(field+".gateway", "%s is IPv%d but ip_addresses are IPv%d", ln.Gateway, addrFamily(gw), family)
	case bits >= 0:
		first, err := netip.ParseAddr(ln.IPAddresses[0])
		if err != nil {
			return
		}
		pfx, err := first.Unmap().Prefix(bits)
		if err == nil && !pfx.Contains(gw.Unmap()) {
			pc.add(field+".gateway", "%s is outside %s, the subnet of ip_addresses", ln.Gateway, pfx)
		}
	}
}

// maskBits reads a netmask given as a prefix length or, for IPv4, as a
// dotted mask. It returns the prefix length or a reason it is invalid.
func maskBits(mask string, family int) (int, string) {
	maxBits := 32
	if family == 6 {
		maxBits = 128
	}
	if n, err := strconv.Atoi(mask); err == nil {
		if n < 1 || n > maxBits {
			return -1, fmt.Sprintf("prefix length %d is out of range 1-%d", n, maxBits)
		}
		return n, ""
	}
	a, err := netip.ParseAddr(mask)
	if err != nil || !a.Is4() || family != 4 {
		return -1, fmt.Sprintf("invalid netmask %q: want a prefix length (24) or an IPv4 mask (255.255.255.0)", mask)
	}
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	ones := 0
	for v&(1<<31) != 0 {
		ones++
		v <<= 1
	}
	if v != 0 || ones == 0 {
		return -1, fmt.Sprintf("invalid netmask %q: the mask bits must be contiguous", mask)
	}
	return ones, ""
}
