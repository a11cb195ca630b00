package ontapsim

import (
	"strings"
	"testing"
	"time"
)

// TestSeedExamples replays every request example of ONTAP's "Cluster peers
// endpoint overview" page (the project's seed copy, in page order) and checks
// status and the presence or absence of each field the example shows.
//
// Mapping: the examples' remote cluster is the simulated "remote-cluster",
// whose intercluster LIFs are created with the examples' own addresses
// (1.2.3.4 and 1.2.3.6; 1.2.9.9 for the local_network example), so no
// address is rewritten. The one rewritten value is the example date
// "05/26/2021 12:34:56", which lies in the past of the simulated clock and
// becomes "03/02/2026 12:34:56". uuids, passphrases and times differ by
// nature. The "auto-generated passphrase" PATCH answers {} in the seed's
// older revision; the simulator follows the current page and returns the
// new passphrase (see doc.go).
func TestSeedExamples(t *testing.T) {
	setup := func(t *testing.T, delay time.Duration, remoteAddrs ...string) *env {
		e := newEnv(t, Options{RoutePropagationDelay: delay},
			ClusterConfig{Name: "cluster-a", Nodes: 4}, ClusterConfig{Name: "remote-cluster", NoInterclusterLIFs: true})
		for i, a := range remoteAddrs {
			e.do("remote-cluster", "POST", "/api/network/ip/interfaces", map[string]any{
				"name": "ic" + a, "ip": map[string]any{"address": a, "netmask": "16"},
				"ipspace": map[string]any{"name": "Default"}, "service_policy": map[string]any{"name": "default-intercluster"},
				"location": map[string]any{"home_node": map[string]any{"name": []string{"remote-cluster-01", "remote-cluster-02"}[i%2]}},
			}).must(t, 201)
		}
		return e
	}
	type check struct {
		present, absent []string
		equal           map[string]string
	}
	verify := func(t *testing.T, body map[string]any, c check) {
		t.Helper()
		for _, f := range c.present {
			if get(body, f) == nil {
				t.Errorf("missing %s in %v", f, body)
			}
		}
		for _, f := range c.absent {
			if get(body, f) != nil {
				t.Errorf("unexpected %s in %v", f, body)
			}
		}
		for f, want := range c.equal {
			if got := str(body, f); got != want {
				t.Errorf("%s = %q, want %q", f, got, want)
			}
		}
	}
	posts := []struct {
		name string
		body string
		c    check
	}{
		{"empty request", ``, check{
			present: []string{"num_records", "records.0.uuid", "records.0.name", "records.0.authentication.passphrase",
				"records.0.authentication.expiry_time", "records.0.ip_address", "records.0._links.self.href"}}},
		{"generated passphrase with expiry date", `{"authentication": {"expiry_time": "03/02/2026 12:34:56", "generate_passphrase": true}}`, check{
			present: []string{"records.0.uuid", "records.0.name", "records.0.authentication.passphrase", "records.0.ip_address"},
			equal:   map[string]string{"records.0.authentication.expiry_time": "2026-03-02T12:34:56+00:00"}}},
		{"peer address, generated passphrase", `{"remote": {"ip_addresses": ["1.2.3.4"]}}`, check{
			present: []string{"records.0.uuid", "records.0.authentication.passphrase", "records.0.authentication.expiry_time", "records.0._links.self.href"},
			absent:  []string{"records.0.ip_address"},
			equal:   map[string]string{"records.0.name": ""}}},
		{"peer name, generated passphrase", `{"name": "cp_xyz123", "authentication": {"generate_passphrase": true}}`, check{
			present: []string{"records.0.uuid", "records.0.authentication.passphrase", "records.0.authentication.expiry_time", "records.0.ip_address"},
			equal:   map[string]string{"records.0.name": "cp_xyz123"}}},
		{"name, peer address and passphrase", `{"name": "cp_xyz123", "remote": {"ip_addresses": ["1.2.3.4"]}, "authentication": {"passphrase": "xyz12345"}}`, check{
			present: []string{"records.0.uuid", "records.0.authentication.expiry_time", "records.0._links.self.href"},
			absent:  []string{"records.0.name", "records.0.authentication.passphrase", "records.0.ip_address"}}},
		{"proposed encryption", `{"encryption": {"proposed": "tls-psk"}}`, check{
			present: []string{"records.0.uuid", "records.0.name", "records.0.authentication.passphrase", "records.0.ip_address"}}},
	}
	for _, p := range posts {
		t.Run("POST "+p.name, func(t *testing.T) {
			e := setup(t, -1, "1.2.3.4", "1.2.3.6")
			r := e.do("cluster-a", "POST", "/api/cluster/peers", p.body).must(t, 201)
			verify(t, r.body, p.c)
			if get(r.body, "num_records") != float64(1) || r.header.Get("Location") != str(r.body, "records.0._links.self.href") {
				t.Errorf("wrapping or Location: %s / %q", r.raw, r.header.Get("Location"))
			}
			if n := str(r.body, "records.0.name"); strings.HasPrefix(n, "Clus_") && n != "Clus_"+str(r.body, "records.0.authentication.passphrase")[20:] {
				t.Errorf("temporary name %q does not end the passphrase", n)
			}
		})
	}
	t.Run("POST local_network on a 4-node cluster", func(t *testing.T) {
		e := setup(t, 0, "1.2.9.9")
		body := `{"local_network": {"interfaces": [{"ip_address":"1.2.3.4"}, {"ip_address":"1.2.3.5"}, {"ip_address":"1.2.3.6"}],
			"netmask": "255.255.0.0", "broadcast_domain": "Default", "gateway": "1.2.0.1"},
			"remote": {"ip_addresses": ["1.2.9.9"]}, "authentication": {"passphrase": "xyz12345"}}`
		// Routes of the new LIFs take a moment; "this error disappears with a retry".
		e.do("cluster-a", "POST", "/api/cluster/peers", body).wantErr(t, 400, codeIntroRPCFailed)
		e.clock.Advance(DefaultRoutePropagationDelay)
		r := e.do("cluster-a", "POST", "/api/cluster/peers", body).must(t, 201)
		verify(t, r.body, check{present: []string{"records.0.uuid", "records.0.local_network.interfaces.2.ip_address",
			"records.0.authentication.expiry_time", "records.0._links.self.href"},
			absent: []string{"records.0.authentication.passphrase"}})
	})

	// GET, PATCH and DELETE examples run against one anonymous offer and
	// one established peer named "remote-cluster".
	e := setup(t, -1, "1.2.3.4", "1.2.3.6")
	e.do("cluster-a", "POST", "/api/cluster/peers", ``).must(t, 201)
	const pass = "xyz12345"
	uuid := str(e.do("cluster-a", "POST", "/api/cluster/peers", offerBody([]string{"1.2.3.4"}, pass)).must(t, 201).record(), "uuid")
	e.do("remote-cluster", "POST", "/api/cluster/peers", offerBody(e.ips("cluster-a"), pass)).must(t, 201)

	t.Run("GET all", func(t *testing.T) {
		r := e.do("cluster-a", "GET", "/api/cluster/peers", nil).must(t, 200)
		verify(t, r.body, check{present: []string{"records.1.uuid", "records.1.name", "records.1._links.self.href", "records.1._links.interfaces.href"},
			absent: []string{"records.0.status", "records.0.remote", "records.1.authentication"},
			equal:  map[string]string{"_links.self.href": "/api/cluster/peers"}})
		if get(r.body, "num_records") != float64(2) {
			t.Errorf("num_records %v", r.body["num_records"])
		}
		if h := str(r.body, "records.0._links.interfaces.href"); !strings.HasPrefix(h, "/api/network/ip/interfaces?services=intercluster_core&ipspace.uuid=") {
			t.Errorf("interfaces link %q", h)
		}
	})
	t.Run("GET not available", func(t *testing.T) {
		r := e.do("cluster-a", "GET", "/api/cluster/peers?status.state=!available", nil).must(t, 200)
		verify(t, r.body, check{present: []string{"records.0.uuid", "records.0.name", "records.0._links"},
			absent: []string{"records.1", "records.0.remote"},
			equal:  map[string]string{"records.0.status.state": "unidentified", "_links.self.href": "/api/cluster/peers?status.state=!available"}})
	})
	t.Run("GET one", func(t *testing.T) {
		r := e.do("cluster-a", "GET", "/api/cluster/peers/"+uuid, nil).must(t, 200)
		verify(t, r.body, check{
			present: []string{"version.full", "version.generation", "version.major", "version.minor", "status.update_time",
				"ipspace.uuid", "ipspace._links.self.href", "remote.serial_number", "remote.ip_addresses.0", "_links.self.href", "_links.interfaces.href"},
			absent: []string{"authentication.passphrase", "authentication.expiry_time", "records"},
			equal: map[string]string{"uuid": uuid, "name": "remote-cluster", "status.state": "available", "ipspace.name": "Default",
				"remote.name": "remote-cluster", "authentication.in_use": "ok", "authentication.state": "ok", "encryption.state": "tls_psk"}})
	})
	patches := []struct {
		name, body string
		c          check
	}{
		{"encryption to none", `{"authentication": {"passphrase": "xyz12345", "in_use": "ok"}, "encryption": {"proposed": "none"}}`, check{
			equal: map[string]string{"records.0.authentication.passphrase": pass, "records.0.authentication.in_use": "ok", "records.0.encryption.proposed": "none"}}},
		{"passphrase", `{"authentication": {"passphrase": "xyz12345", "in_use": "ok"}}`, check{
			equal:  map[string]string{"records.0.authentication.passphrase": pass, "records.0.authentication.in_use": "ok"},
			absent: []string{"records.0.encryption"}}},
		{"generated passphrase", `{"authentication": {"generate_passphrase": true, "in_use": "ok"}}`, check{
			present: []string{"records.0.authentication.passphrase", "records.0.authentication.expiry_time"}}},
		{"remote addresses", `{"remote": {"ip_addresses": ["1.2.3.6"]}}`, check{absent: []string{"records", "num_records"}}},
	}
	for _, p := range patches {
		t.Run("PATCH "+p.name, func(t *testing.T) {
			r := e.do("cluster-a", "PATCH", "/api/cluster/peers/"+uuid, p.body).must(t, 200)
			verify(t, r.body, p.c)
		})
	}
	if p := e.peer("cluster-a", uuid); str(p, "remote.ip_addresses.0") != "1.2.3.6" || str(p, "status.state") != "available" {
		t.Errorf("after PATCH remote addresses: %v", p)
	}
	t.Run("DELETE", func(t *testing.T) {
		r := e.do("cluster-a", "DELETE", "/api/cluster/peers/"+uuid, nil).must(t, 200)
		if r.raw != "{}" {
			t.Errorf("DELETE body %q", r.raw)
		}
	})
}
