package ontapsim

import (
	"testing"
)

func TestFlowAGeneratedPassphrase(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{
		"remote":         map[string]any{"ip_addresses": e.ips("cluster-b")},
		"authentication": map[string]any{"generate_passphrase": true},
	}).must(t, 201)
	rec := a.record()
	pass := str(rec, "authentication.passphrase")
	if len(pass) != 24 || rec["name"] != "" || a.header.Get("Location") != "/api/cluster/peers/"+str(rec, "uuid") {
		t.Fatalf("unexpected POST answer %s", a.raw)
	}
	if _, ok := rec["ip_address"]; ok {
		t.Errorf("targeted offer has ip_address: %s", a.raw)
	}
	ua := str(rec, "uuid")
	pa := e.peer("cluster-a", ua)
	if str(pa, "status.state") != "pending" || str(pa, "authentication.state") != "pending" {
		t.Fatalf("first side before accept: %v", pa)
	}
	if get(pa, "authentication.passphrase") != nil {
		t.Fatal("GET returned the passphrase")
	}
	b := e.do("cluster-b", "POST", "/api/cluster/peers", map[string]any{
		"remote":         map[string]any{"ip_addresses": e.ips("cluster-a")},
		"authentication": map[string]any{"passphrase": pass},
	}).must(t, 201)
	if get(b.record(), "authentication.passphrase") != nil || get(b.record(), "name") != nil {
		t.Errorf("chosen-passphrase POST answer carries passphrase or name: %s", b.raw)
	}
	ub := str(b.record(), "uuid")
	for _, c := range []struct{ cluster, uuid, remote string }{{"cluster-a", ua, "cluster-b"}, {"cluster-b", ub, "cluster-a"}} {
		p := e.peer(c.cluster, c.uuid)
		for path, want := range map[string]string{
			"status.state": "available", "authentication.state": "ok", "authentication.in_use": "ok",
			"encryption.state": "tls_psk", "remote.name": c.remote, "name": c.remote,
			"remote.serial_number": e.w.Cluster(c.remote).SerialNumber(),
		} {
			if got := str(p, path); got != want {
				t.Errorf("%s %s = %q, want %q", c.cluster, path, got, want)
			}
		}
		if get(p, "version.generation") != float64(9) || get(p, "version.major") != float64(16) {
			t.Errorf("%s version = %v", c.cluster, p["version"])
		}
	}
}
