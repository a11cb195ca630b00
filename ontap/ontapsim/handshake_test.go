package ontapsim

import (
	"slices"
	"strings"
	"testing"
	"time"
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
	if str(pa, "status.state") != "pending" || str(pa, "authentication.state") != "pending" ||
		str(pa, "remote.name") != "cluster-b" || get(pa, "version") != nil || len(get(pa, "remote.ip_addresses").([]any)) != 2 {
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

func offerBody(ips []string, pass string) map[string]any {
	return map[string]any{"remote": map[string]any{"ip_addresses": ips}, "authentication": map[string]any{"passphrase": pass}}
}

func TestFlowBChosenPassphraseEitherOrder(t *testing.T) {
	for _, first := range []string{"cluster-a", "cluster-b"} {
		t.Run(first+" first", func(t *testing.T) {
			e := newEnv(t, Options{})
			second := map[string]string{"cluster-a": "cluster-b", "cluster-b": "cluster-a"}[first]
			const pass = "correct-horse-battery"
			r1 := e.do(first, "POST", "/api/cluster/peers", offerBody(e.ips(second), pass)).must(t, 201)
			u1 := str(r1.record(), "uuid")
			p1 := e.peer(first, u1)
			if str(p1, "status.state") != "pending" || str(p1, "name") != second {
				t.Fatalf("first record %v", p1)
			}
			r2 := e.do(second, "POST", "/api/cluster/peers", offerBody(e.ips(first), pass)).must(t, 201)
			u2 := str(r2.record(), "uuid")
			for _, c := range []struct{ cl, u string }{{first, u1}, {second, u2}} {
				p := e.peer(c.cl, c.u)
				if str(p, "status.state") != "available" || str(p, "authentication.state") != "ok" {
					t.Errorf("%s: %v", c.cl, p)
				}
			}
			// The simulator's state view agrees and never carries the passphrase.
			for _, c := range e.w.Clusters() {
				recs := c.Peers()
				if len(recs) != 1 || recs[0].State != "available" || recs[0].RemoteSerial == "" {
					t.Errorf("%s Peers() = %+v", c.Name(), recs)
				}
			}
		})
	}
}

func TestAnonymousOfferChangesUUIDWhenAccepted(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{
		"authentication": map[string]any{"generate_passphrase": true, "expiry_time": "P2D"},
	}).must(t, 201)
	rec := r.record()
	pass := str(rec, "authentication.passphrase")
	if str(rec, "name") != "Clus_"+pass[20:] {
		t.Fatalf("anonymous name %q for passphrase ending %q", rec["name"], pass[20:])
	}
	if str(rec, "ip_address") != e.ips("cluster-a")[0] {
		t.Errorf("ip_address %v, want %s", rec["ip_address"], e.ips("cluster-a")[0])
	}
	if want := formatTime(t0.Add(48 * time.Hour)); str(rec, "authentication.expiry_time") != want {
		t.Errorf("expiry %v, want %s", rec["authentication"], want)
	}
	old := str(rec, "uuid")
	list := e.do("cluster-a", "GET", "/api/cluster/peers?status.state=!available", nil).must(t, 200)
	if str(list.body, "records.0.status.state") != "unidentified" {
		t.Fatalf("anonymous offer listing: %s", list.raw)
	}
	e.do("cluster-b", "POST", "/api/cluster/peers", offerBody([]string{str(rec, "ip_address")}, pass)).must(t, 201)
	e.do("cluster-a", "GET", "/api/cluster/peers/"+old, nil).wantErr(t, 404, "4")
	recs := e.w.Cluster("cluster-a").Peers()
	if len(recs) != 1 || recs[0].UUID == old || recs[0].Name != "cluster-b" || recs[0].State != "available" {
		t.Fatalf("accepted anonymous offer: %+v", recs)
	}
	if !slices.Equal(recs[0].RemoteIPs, e.ips("cluster-b")) {
		t.Errorf("remote IPs %v, want %v", recs[0].RemoteIPs, e.ips("cluster-b"))
	}
}

func TestTargetedOfferOnlyForNamedCluster(t *testing.T) {
	e := newEnv(t, Options{}, ClusterConfig{Name: "cluster-a"}, ClusterConfig{Name: "cluster-b"}, ClusterConfig{Name: "cluster-c"})
	r := e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{
		"remote": map[string]any{"ip_addresses": e.ips("cluster-b")},
	}).must(t, 201)
	pass := str(r.record(), "authentication.passphrase")
	e.do("cluster-c", "POST", "/api/cluster/peers", offerBody(e.ips("cluster-a"), pass)).wantErr(t, 400, codeAuthFailed)
	if n := len(e.w.Cluster("cluster-c").Peers()); n != 0 {
		t.Fatalf("cluster-c kept %d records after a refused handshake", n)
	}
	e.do("cluster-b", "POST", "/api/cluster/peers", offerBody(e.ips("cluster-a"), pass)).must(t, 201)
	if st := e.w.Cluster("cluster-a").Peers()[0].State; st != "available" {
		t.Fatalf("state %s", st)
	}
}

func TestWrongPassphraseAndExpiry(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{
		"remote":         map[string]any{"ip_addresses": e.ips("cluster-b")},
		"authentication": map[string]any{"generate_passphrase": true, "expiry_time": "PT2H"},
	}).must(t, 201)
	pass := str(r.record(), "authentication.passphrase")
	ua := str(r.record(), "uuid")
	e.do("cluster-b", "POST", "/api/cluster/peers", offerBody(e.ips("cluster-a"), "not-the-passphrase")).wantErr(t, 400, codeAuthFailed)

	e.clock.Advance(2*time.Hour + time.Second)
	p := e.peer("cluster-a", ua)
	if str(p, "authentication.state") != "problem" || str(p, "status.update_time") != formatTime(t0.Add(2*time.Hour)) {
		t.Fatalf("expired offer reads %v", p)
	}
	res := e.do("cluster-b", "POST", "/api/cluster/peers", offerBody(e.ips("cluster-a"), pass))
	res.wantErr(t, 400, codeAuthFailed)
	if !strings.Contains(res.raw, "expired") {
		t.Errorf("expired-offer error does not say so: %s", res.raw)
	}
	// A new passphrase on the first side re-opens the offer.
	pr := e.do("cluster-a", "PATCH", "/api/cluster/peers/"+ua, map[string]any{
		"authentication": map[string]any{"generate_passphrase": true},
	}).must(t, 200)
	pass2 := str(pr.body, "records.0.authentication.passphrase")
	if len(pass2) != 24 || pass2 == pass {
		t.Fatalf("PATCH generate answer %s", pr.raw)
	}
	e.do("cluster-b", "POST", "/api/cluster/peers", offerBody(e.ips("cluster-a"), pass2)).must(t, 201)
	if st := e.peer("cluster-a", ua); str(st, "status.state") != "available" {
		t.Fatalf("after re-key: %v", st)
	}
}

// peered establishes cluster-a <-> cluster-b and returns both uuids.
func (e *env) peered(a, b string) (string, string) {
	e.t.Helper()
	const pass = "shared-secret-1"
	ua := str(e.do(a, "POST", "/api/cluster/peers", offerBody(e.ips(b), pass)).must(e.t, 201).record(), "uuid")
	ub := str(e.do(b, "POST", "/api/cluster/peers", offerBody(e.ips(a), pass)).must(e.t, 201).record(), "uuid")
	return ua, ub
}

func TestPassphraseRotation(t *testing.T) {
	e := newEnv(t, Options{})
	ua, ub := e.peered("cluster-a", "cluster-b")
	r := e.do("cluster-a", "PATCH", "/api/cluster/peers/"+ua, map[string]any{
		"authentication": map[string]any{"generate_passphrase": true, "in_use": "ok"},
	}).must(t, 200)
	pass := str(r.body, "records.0.authentication.passphrase")
	if len(pass) != 24 || str(r.body, "records.0.authentication.in_use") != "ok" {
		t.Fatalf("rotation answer %s", r.raw)
	}
	p := e.peer("cluster-a", ua)
	if str(p, "authentication.state") != "ok" || get(p, "authentication.expiry_time") == nil {
		t.Fatalf("ok-and-offer reads %v", p["authentication"])
	}
	e.do("cluster-b", "PATCH", "/api/cluster/peers/"+ub, map[string]any{
		"authentication": map[string]any{"passphrase": "something-else", "in_use": "ok"},
	}).wantErr(t, 400, codeAuthFailed)
	echo := e.do("cluster-b", "PATCH", "/api/cluster/peers/"+ub, map[string]any{
		"authentication": map[string]any{"passphrase": pass, "in_use": "ok"},
	}).must(t, 200)
	if str(echo.body, "records.0.authentication.in_use") != "ok" {
		t.Errorf("PATCH echo %s", echo.raw)
	}
	for _, c := range []struct{ cl, u string }{{"cluster-a", ua}, {"cluster-b", ub}} {
		p := e.peer(c.cl, c.u)
		if str(p, "authentication.state") != "ok" || get(p, "authentication.expiry_time") != nil {
			t.Errorf("%s after rotation: %v", c.cl, p["authentication"])
		}
	}
	// An unanswered rotation turns into a problem once it expires.
	e.do("cluster-b", "PATCH", "/api/cluster/peers/"+ub, map[string]any{
		"authentication": map[string]any{"passphrase": "rotated-again", "expiry_time": "PT10M"},
	}).must(t, 200)
	e.clock.Advance(11 * time.Minute)
	if s := str(e.peer("cluster-b", ub), "authentication.state"); s != "problem" {
		t.Fatalf("expired rotation: auth %s", s)
	}
	// Changing encryption needs a passphrase in the same PATCH.
	e.do("cluster-a", "PATCH", "/api/cluster/peers/"+ua, map[string]any{
		"encryption": map[string]any{"proposed": "none"},
	}).wantErr(t, 400, codeEncryptionNeedsPass)
}

func TestDeleteOneSide(t *testing.T) {
	e := newEnv(t, Options{})
	ua, ub := e.peered("cluster-a", "cluster-b")
	r := e.do("cluster-a", "DELETE", "/api/cluster/peers/"+ua, nil).must(t, 200)
	if r.raw != "{}" {
		t.Errorf("DELETE body %q", r.raw)
	}
	e.do("cluster-a", "DELETE", "/api/cluster/peers/"+ua, nil).wantErr(t, 404, "4")
	p := e.peer("cluster-b", ub)
	if str(p, "status.state") != "unavailable" || str(p, "authentication.state") != "problem" {
		t.Fatalf("surviving side %v", p)
	}
	// Re-peering: a new offer from a, then b re-keys its surviving record.
	const pass = "re-peer-secret"
	e.do("cluster-a", "POST", "/api/cluster/peers", offerBody(e.ips("cluster-b"), pass)).must(t, 201)
	e.do("cluster-b", "PATCH", "/api/cluster/peers/"+ub, map[string]any{
		"authentication": map[string]any{"passphrase": pass},
	}).must(t, 200)
	for _, c := range e.w.Clusters() {
		if recs := c.Peers(); len(recs) != 1 || recs[0].State != "available" || recs[0].AuthState != "ok" {
			t.Errorf("%s after re-peer: %+v", c.Name(), recs)
		}
	}
}
