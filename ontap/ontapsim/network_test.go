package ontapsim

import (
	"testing"
	"time"
)

func TestLinkCutPartialRestore(t *testing.T) {
	e := newEnv(t, Options{})
	ua, ub := e.peered("cluster-a", "cluster-b")
	state := func() (string, string) {
		return str(e.peer("cluster-a", ua), "status.state"), str(e.peer("cluster-b", ub), "status.state")
	}
	e.clock.Advance(time.Minute)
	e.w.CutLink("cluster-a", "cluster-b")
	if a, b := state(); a != "unavailable" || b != "unavailable" {
		t.Fatalf("after cut: %s/%s", a, b)
	}
	if ut := str(e.peer("cluster-a", ua), "status.update_time"); ut != formatTime(t0.Add(time.Minute)) {
		t.Errorf("update_time %s, want the cut's time", ut)
	}
	// A handshake over a cut link fails transiently.
	e.do("cluster-b", "PATCH", "/api/cluster/peers/"+ub, map[string]any{
		"authentication": map[string]any{"passphrase": "whatever-1"},
	}).wantErr(t, 400, codeIntroRPCFailed)
	e.w.CutNodes("cluster-a", "cluster-b", 1)
	if a, b := state(); a != "partial" || b != "partial" {
		t.Fatalf("after node cut: %s/%s", a, b)
	}
	e.w.CutNodes("cluster-b", "cluster-a", 4) // 2 x 2 nodes: every pair
	if a, _ := state(); a != "unavailable" {
		t.Fatalf("every pair cut: %s", a)
	}
	e.w.RestoreLink("cluster-b", "cluster-a")
	if a, b := state(); a != "available" || b != "available" {
		t.Fatalf("after restore: %s/%s", a, b)
	}
}

func TestLocalNetworkBootstrapWithRoutePropagation(t *testing.T) {
	e := newEnv(t, Options{}, ClusterConfig{Name: "cluster-a", NoInterclusterLIFs: true}, ClusterConfig{Name: "cluster-b"})
	if n := len(e.ips("cluster-a")); n != 0 {
		t.Fatalf("cluster-a starts with %d LIFs", n)
	}
	// Without LIFs a targeted create is refused.
	e.do("cluster-a", "POST", "/api/cluster/peers", offerBody(e.ips("cluster-b"), "secret-123")).wantErr(t, 400, codeFamilyNotInIpspace)
	body := offerBody(e.ips("cluster-b"), "secret-123")
	body["local_network"] = map[string]any{
		"interfaces":       []any{map[string]any{"ip_address": "10.9.0.11"}, map[string]any{"ip_address": "10.9.0.12"}},
		"netmask":          "255.255.255.0",
		"broadcast_domain": "Default",
		"gateway":          "10.9.0.1",
	}
	e.do("cluster-a", "POST", "/api/cluster/peers", body).wantErr(t, 400, codeIntroRPCFailed)
	if got := e.ips("cluster-a"); len(got) != 2 || got[0] != "10.9.0.11" {
		t.Fatalf("LIFs after the route failure: %v", got)
	}
	lifs := e.do("cluster-a", "GET", "/api/network/ip/interfaces?services=intercluster_core&fields=ip,location.home_node.name", nil).must(t, 200)
	if str(lifs.body, "records.0.location.home_node.name") == "" || str(lifs.body, "records.0.ip.netmask") != "24" {
		t.Errorf("LIF listing %s", lifs.raw)
	}
	e.clock.Advance(time.Second)
	e.do("cluster-a", "POST", "/api/cluster/peers", body).wantErr(t, 400, codeIntroRPCFailed)
	e.clock.Advance(2 * time.Second)
	r := e.do("cluster-a", "POST", "/api/cluster/peers", body).must(t, 201)
	if str(r.record(), "local_network.interfaces.1.ip_address") != "10.9.0.12" {
		t.Errorf("local_network not echoed: %s", r.raw)
	}
	byNode := map[string]string{}
	for _, rec := range get(lifs.body, "records").([]any) {
		byNode[str(rec, "location.home_node.name")] = str(rec, "ip.address")
	}
	if byNode["cluster-a-01"] != "10.9.0.11" || byNode["cluster-a-02"] != "10.9.0.12" {
		t.Errorf("addresses not in node order: %v", byNode)
	}
}

func TestLocalNetworkErrorsCreateNothing(t *testing.T) {
	e := newEnv(t, Options{RoutePropagationDelay: -1},
		ClusterConfig{Name: "cluster-a", NoInterclusterLIFs: true, Ipspaces: []string{"ips1"}}, ClusterConfig{Name: "cluster-b"})
	ln := func(mut func(m map[string]any)) map[string]any {
		m := map[string]any{
			"interfaces":       []any{map[string]any{"ip_address": "10.9.0.11"}, map[string]any{"ip_address": "10.9.0.12"}},
			"netmask":          "24",
			"broadcast_domain": "Default",
		}
		mut(m)
		b := offerBody(e.ips("cluster-b"), "secret-123")
		b["local_network"] = m
		return b
	}
	cases := []struct {
		name string
		mut  func(m map[string]any)
		code string
	}{
		{"empty list", func(m map[string]any) { m["interfaces"] = []any{} }, codeLocalIPsEmpty},
		{"no broadcast domain", func(m map[string]any) { delete(m, "broadcast_domain") }, codeBcastRequired},
		{"no netmask", func(m map[string]any) { delete(m, "netmask") }, codeNetmaskRequired},
		{"more than nodes", func(m map[string]any) {
			m["interfaces"] = append(m["interfaces"].([]any), map[string]any{"ip_address": "10.9.0.13"})
		}, codeTooManyLocalIPs},
		{"unknown broadcast domain", func(m map[string]any) { m["broadcast_domain"] = "nope" }, codeNoPortsForBcast},
		{"broadcast domain of another ipspace", func(m map[string]any) { m["broadcast_domain"] = "ips1" }, codeIpspaceMismatch},
		{"gateway outside subnet", func(m map[string]any) { m["gateway"] = "10.10.0.1" }, codeGatewayRequired},
		{"address in use", func(m map[string]any) {
			m["interfaces"] = []any{map[string]any{"ip_address": "10.9.0.11"}, map[string]any{"ip_address": e.ips("cluster-b")[0]}}
		}, codeLIFDuplicateIP},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.do("cluster-a", "POST", "/api/cluster/peers", ln(tc.mut)).wantErr(t, 400, tc.code)
			if got := e.ips("cluster-a"); len(got) != 0 {
				t.Fatalf("LIFs created by a failed request: %v", got)
			}
		})
	}
	// Without a route delay the bootstrap and the peer succeed at once.
	e.do("cluster-a", "POST", "/api/cluster/peers", ln(func(map[string]any) {})).must(t, 201)
}

func TestInterfacePost(t *testing.T) {
	e := newEnv(t, Options{})
	lif := func(name, addr string) map[string]any {
		return map[string]any{"name": name, "ip": map[string]any{"address": addr, "netmask": "24"},
			"ipspace": map[string]any{"name": "Default"}, "location": map[string]any{"home_node": map[string]any{"name": "cluster-a-01"}},
			"service_policy": map[string]any{"name": "default-intercluster"}}
	}
	r := e.do("cluster-a", "POST", "/api/network/ip/interfaces?return_records=true", lif("ic9", "10.1.1.9")).must(t, 201)
	if r.header.Get("Location") == "" || str(r.body, "records.0.services.0") != "intercluster_core" {
		t.Fatalf("LIF POST %s", r.raw)
	}
	e.do("cluster-a", "POST", "/api/network/ip/interfaces", lif("ic10", "10.1.1.9")).wantErr(t, 400, codeLIFDuplicateIP)
	e.do("cluster-a", "POST", "/api/network/ip/interfaces", lif("ic9", "10.1.1.10")).wantErr(t, 400, codeLIFDuplicateName)
	noHome := lif("ic11", "10.1.1.11")
	delete(noHome, "location")
	e.do("cluster-a", "POST", "/api/network/ip/interfaces", noHome).wantErr(t, 400, codeLIFNeedsHome)
	noSpace := lif("ic12", "10.1.1.12")
	delete(noSpace, "ipspace")
	e.do("cluster-a", "POST", "/api/network/ip/interfaces", noSpace).wantErr(t, 400, codeLIFNeedsIpspace)
	got := e.w.Cluster("cluster-a").InterclusterAddresses("Default")
	if len(got) != 3 || got[0] != "10.1.1.9" {
		t.Fatalf("intercluster addresses %v", got)
	}
	// The ipspace filters and the instance GET.
	s := e.do("cluster-a", "GET", "/api/network/ipspaces?name=Default", nil).must(t, 200)
	du := str(s.body, "records.0.uuid")
	l := e.do("cluster-a", "GET", "/api/network/ip/interfaces?services=intercluster_core&ipspace.uuid="+du+"&fields=ip.address", nil).must(t, 200)
	if get(l.body, "num_records") != float64(3) {
		t.Errorf("ipspace.uuid filter: %s", l.raw)
	}
	e.do("cluster-a", "GET", "/api/network/ip/interfaces?ipspace.name=Cluster", nil).must(t, 200)
	inst := e.do("cluster-a", "GET", "/api/network/ip/interfaces/"+str(l.body, "records.0.uuid"), nil).must(t, 200)
	if str(inst.body, "service_policy.name") != "default-intercluster" || str(inst.body, "scope") != "cluster" {
		t.Errorf("instance %s", inst.raw)
	}
}
