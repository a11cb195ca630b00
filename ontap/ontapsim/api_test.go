package ontapsim

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRequestValidation(t *testing.T) {
	e := newEnv(t, Options{})
	b := e.ips("cluster-b")
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code, target       string
	}{
		{"read-only uuid", "POST", "/api/cluster/peers", map[string]any{"uuid": "x"}, 400, codeCannotSet, "uuid"},
		{"read-only nested", "POST", "/api/cluster/peers", map[string]any{"remote": map[string]any{"name": "x"}}, 400, codeCannotSet, "remote.name"},
		{"read-only status", "POST", "/api/cluster/peers", map[string]any{"status": map[string]any{"state": "available"}}, 400, codeCannotSet, "status"},
		{"read-only auth state", "POST", "/api/cluster/peers", `{"authentication.state":"ok"}`, 400, codeCannotSet, "authentication.state"},
		{"unknown field", "POST", "/api/cluster/peers", map[string]any{"colour": "red"}, 400, codeUnexpectedArgument, "colour"},
		{"unknown nested", "POST", "/api/cluster/peers", map[string]any{"remote": map[string]any{"ips": b}}, 400, codeUnexpectedArgument, "remote.ips"},
		{"malformed JSON", "POST", "/api/cluster/peers", `{"name": }`, 400, codeInvalidJSON, ""},
		{"truncated JSON", "POST", "/api/cluster/peers", `{"name": "x"`, 400, codeJSONEndsEarly, ""},
		{"not an object", "POST", "/api/cluster/peers", `[1]`, 400, codeJSONNotObject, ""},
		{"wrong type", "POST", "/api/cluster/peers", `{"name": 5}`, 400, codeInvalidFieldValue, "name"},
		{"bad enum", "POST", "/api/cluster/peers", `{"encryption": {"proposed": "rot13"}}`, 400, codeInvalidFieldValue, "encryption.proposed"},
		{"body on GET", "GET", "/api/cluster/peers", `{"a":1}`, 400, codeBodyNotAllowed, ""},
		{"body on DELETE", "DELETE", "/api/cluster/peers/abc", `{"force": true}`, 400, codeBodyNotAllowed, ""},
		{"empty object on DELETE", "DELETE", "/api/cluster/peers/abc", `{}`, 404, codeNotFound, "uuid"},
		{"local_network on PATCH", "PATCH", "/api/cluster/peers/%s", `{"local_network": {"netmask": "24"}}`, 400, codeCannotSet, "local_network"},
		{"unknown uuid", "GET", "/api/cluster/peers/nope", nil, 404, codeNotFound, "uuid"},
		{"unknown uuid PATCH", "PATCH", "/api/cluster/peers/nope", `{}`, 404, codeNotFound, "uuid"},
		{"unknown ipspace", "POST", "/api/cluster/peers", map[string]any{"ipspace": map[string]any{"name": "nope"}}, 404, codeNotFound, "uuid"},
		{"cluster ipspace", "POST", "/api/cluster/peers", map[string]any{"ipspace": map[string]any{"name": "Cluster"}}, 400, codeClusterIpspace, "ipspace.name"},
		{"own name", "POST", "/api/cluster/peers", map[string]any{"name": "cluster-a"}, 400, codeOwnClusterName, "name"},
		{"bad name", "POST", "/api/cluster/peers", map[string]any{"name": "9 lives"}, 400, codeBadName, "name"},
		{"peer with self", "POST", "/api/cluster/peers", offerBody(e.ips("cluster-a"), "longenough"), 400, codePeerSelf, "remote.ip_addresses"},
		{"too short", "POST", "/api/cluster/peers", offerBody(b, "short"), 400, codePassphraseTooShort, "authentication.passphrase"},
		{"passphrase without ips", "POST", "/api/cluster/peers", map[string]any{"authentication": map[string]any{"passphrase": "longenough"}}, 400, codePassphraseNoIPs, "authentication.passphrase"},
		{"unreachable address", "POST", "/api/cluster/peers", offerBody([]string{"192.0.2.250"}, "longenough"), 400, codeIntroRPCFailed, "remote.ip_addresses"},
		{"invalid address", "POST", "/api/cluster/peers", offerBody([]string{"not-an-ip"}, "longenough"), 400, codeInvalidPeerAddress, "remote.ip_addresses"},
		{"mixed families", "POST", "/api/cluster/peers", offerBody([]string{b[0], "2001:db8::1"}, "longenough"), 400, codeMixedFamilies, "remote.ip_addresses"},
		{"empty remote list", "POST", "/api/cluster/peers", offerBody([]string{}, "longenough"), 400, codeRemoteIPsEmpty, "remote.ip_addresses"},
		{"expiry in the past", "POST", "/api/cluster/peers", `{"authentication":{"expiry_time":"2020-01-01T00:00:00Z"}}`, 400, codeExpiryObsolete, "authentication.expiry_time"},
		{"expiry too far", "POST", "/api/cluster/peers", `{"authentication":{"expiry_time":"P8D"}}`, 400, codeExpiryTooFar, "authentication.expiry_time"},
		{"unknown query param on POST", "POST", "/api/cluster/peers?colour=red", `{}`, 400, codeUnexpectedArgument, "colour"},
		{"unknown path", "GET", "/api/storage/volumes", nil, 404, codeNotFound, ""},
		{"method not allowed", "PUT", "/api/cluster/peers", nil, 405, codeNotSupported, ""},
		{"unknown fields=", "GET", "/api/cluster/peers?fields=colour", nil, 400, codeUnexpectedArgument, "colour"},
		{"write-only fields=", "GET", "/api/cluster/peers?fields=authentication.passphrase", nil, 400, "262249", "authentication.passphrase"},
		{"write-only object fields=", "GET", "/api/cluster/peers?fields=local_network", nil, 400, "262249", "local_network"},
	}
	anon := str(e.do("cluster-a", "POST", "/api/cluster/peers", nil).must(t, 201).record(), "uuid")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if strings.Contains(path, "%s") {
				path = fmt.Sprintf(path, anon)
			}
			r := e.do("cluster-a", tc.method, path, tc.body)
			r.wantErr(t, tc.status, tc.code)
			if r.errTarget() != tc.target {
				t.Errorf("target %q, want %q", r.errTarget(), tc.target)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/hal+json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	if n := len(e.w.Cluster("cluster-a").Peers()); n != 1 {
		t.Errorf("failed requests left %d records, want 1", n)
	}
}

func TestDottedKeysAndHyphenatedEncryption(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{
		"remote.ip_addresses":       e.ips("cluster-b"),
		"authentication.passphrase": "ansible-style-1",
		"encryption.proposed":       "tls-psk",
		"name":                      "b-from-ansible",
	}).must(t, 201)
	p := e.peer("cluster-a", str(r.record(), "uuid"))
	if str(p, "encryption.proposed") != "tls_psk" || str(p, "name") != "b-from-ansible" || len(get(p, "remote.ip_addresses").([]any)) != 2 {
		t.Fatalf("dotted-key create read back as %v", p)
	}
	e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{"name": "b-from-ansible"}).wantErr(t, 400, codePeerDuplicateName)
	e.do("cluster-a", "POST", "/api/cluster/peers", offerBody(e.ips("cluster-b"), "again-and-again")).wantErr(t, 400, codePeerDuplicateName)
}

func TestExpiryInputForms(t *testing.T) {
	e := newEnv(t, Options{})
	for in, want := range map[string]time.Time{
		"PT90M":                     t0.Add(90 * time.Minute),
		"P1W":                       t0.Add(7 * 24 * time.Hour),
		"P1DT2H3M4S":                t0.Add(26*time.Hour + 3*time.Minute + 4*time.Second),
		"03/02/2026 12:34:56":       time.Date(2026, 3, 2, 12, 34, 56, 0, time.UTC),
		"2026-03-02T08:00:00-04:00": time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC),
		"2026-03-01T13:00:00":       t0.Add(time.Hour),
	} {
		r := e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{
			"authentication": map[string]any{"generate_passphrase": true, "expiry_time": in},
		}).must(t, 201)
		if got := str(r.record(), "authentication.expiry_time"); got != formatTime(want) {
			t.Errorf("%q: expiry %s, want %s", in, got, formatTime(want))
		}
		if !strings.HasSuffix(str(r.record(), "authentication.expiry_time"), "+00:00") {
			t.Errorf("%q: expiry without a numeric offset", in)
		}
	}
	r := e.do("cluster-a", "POST", "/api/cluster/peers", nil).must(t, 201)
	if got := str(r.record(), "authentication.expiry_time"); got != formatTime(t0.Add(time.Hour)) {
		t.Errorf("default expiry %s", got)
	}
	e.do("cluster-a", "POST", "/api/cluster/peers", `{"authentication":{"expiry_time":"tomorrow"}}`).wantErr(t, 400, codeInvalidFieldValue)
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t, Options{Username: "ops", Password: "s3cret!"})
	for _, c := range []struct{ user, pass string }{{"", ""}, {"ops", "wrong"}, {"admin", "netapp1!"}} {
		r := e.doAuth("cluster-a", "GET", "/api/cluster", nil, c.user, c.pass)
		r.wantErr(t, 401, codeAuthentication)
		if strings.Contains(r.raw, "s3cret") || strings.Contains(r.raw, "wrong") {
			t.Fatalf("401 body leaks a password: %s", r.raw)
		}
		e.doAuth("cluster-a", "GET", "/_sim/state", nil, c.user, c.pass).wantErr(t, 401, codeAuthentication)
	}
	e.doAuth("cluster-a", "GET", "/api/cluster", nil, "ops", "s3cret!").must(t, 200)
}

func TestClusterNodesIpspaces(t *testing.T) {
	e := newEnv(t, Options{}, ClusterConfig{Name: "cluster-a", Nodes: 4, Version: "9.15.1", Ipspaces: []string{"ips1"}, MinPassphraseLength: 12})
	c := e.do("cluster-a", "GET", "/api/cluster", nil).must(t, 200).body
	if str(c, "name") != "cluster-a" || str(c, "uuid") == "" || str(c, "serial_number") == "" ||
		!strings.Contains(str(c, "version.full"), "__9.15.1: ") || get(c, "version.major") != float64(15) ||
		get(c, "peering_policy.minimum_passphrase_length") != float64(12) || str(c, "timezone.name") != "Etc/UTC" ||
		str(c, "management_interfaces.0.ip.address") == "" || str(c, "_links.self.href") != "/api/cluster" {
		t.Fatalf("GET /api/cluster = %v", c)
	}
	v := e.do("cluster-a", "GET", "/api/cluster?fields=version", nil).must(t, 200).body
	if get(v, "peering_policy") != nil || get(v, "version.minor") != float64(1) {
		t.Errorf("fields=version: %v", v)
	}
	n := e.do("cluster-a", "GET", "/api/cluster/nodes", nil).must(t, 200).body
	if get(n, "num_records") != float64(4) || get(n, "records.0.serial_number") != nil || str(n, "records.3.name") == "" {
		t.Errorf("nodes default listing %v", n)
	}
	nodeUUID := str(n, "records.0.uuid")
	ni := e.do("cluster-a", "GET", "/api/cluster/nodes/"+nodeUUID, nil).must(t, 200).body
	if str(ni, "state") != "up" || str(ni, "version.full") == "" {
		t.Errorf("node instance %v", ni)
	}
	s := e.do("cluster-a", "GET", "/api/network/ipspaces?order_by=name", nil).must(t, 200).body
	if get(s, "num_records") != float64(3) || str(s, "records.0.name") != "Cluster" || str(s, "records.2.name") != "ips1" {
		t.Errorf("ipspaces %v", s)
	}
	e.do("cluster-a", "GET", "/api/network/ipspaces/"+str(s, "records.0.uuid"), nil).must(t, 200)
	e.do("cluster-a", "GET", "/api/network/ipspaces/nope", nil).wantErr(t, 404, codeNotFound)
	if got := e.w.Cluster("cluster-a").InterclusterAddresses(""); len(got) != 4 {
		t.Errorf("4 nodes, %d intercluster LIFs", len(got))
	}
}

func TestPagingAndFilters(t *testing.T) {
	e := newEnv(t, Options{})
	for i := range 25 {
		e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{"name": fmt.Sprintf("offer-%02d", i)}).must(t, 201)
	}
	e.peered("cluster-a", "cluster-b")
	var names []string
	path := "/api/cluster/peers?max_records=10&order_by=name+desc&fields=status.state"
	requests := 0
	for path != "" {
		r := e.do("cluster-a", "GET", path, nil).must(t, 200)
		requests++
		for _, rec := range get(r.body, "records").([]any) {
			names = append(names, str(rec, "name"))
			if str(rec, "status.state") == "" || get(rec, "remote") != nil {
				t.Fatalf("projection: %v", rec)
			}
		}
		path = str(r.body, "_links.next.href")
		if path != "" && !strings.HasPrefix(path, "/api/cluster/peers?") {
			t.Fatalf("next href %q", path)
		}
		if link := r.header.Get("Link"); (path == "") != (link == "") || path != "" && link != "<"+path+">; rel=\"next\"" {
			t.Fatalf("Link header %q for next %q", link, path)
		}
	}
	if len(names) != 26 || requests != 3 || names[0] != "offer-24" || names[25] != "cluster-b" {
		t.Fatalf("%d requests, names %v", requests, names)
	}
	r := e.do("cluster-a", "GET", "/api/cluster/peers?status.state=available&fields=remote.name", nil).must(t, 200)
	if get(r.body, "num_records") != float64(1) || str(r.body, "records.0.remote.name") != "cluster-b" || str(r.body, "records.0.status.state") != "available" {
		t.Errorf("filter: %s", r.raw)
	}
	r = e.do("cluster-a", "GET", "/api/cluster/peers?name="+url.QueryEscape("offer-1*|offer-02")+"&return_records=false", nil).must(t, 200)
	if get(r.body, "num_records") != float64(11) || get(r.body, "records") != nil {
		t.Errorf("wildcard/or + return_records=false: %s", r.raw)
	}
	r = e.do("cluster-a", "GET", "/api/cluster/peers?fields=*&name=cluster-b", nil).must(t, 200)
	for _, f := range []string{"uuid", "name", "authentication.state", "encryption.state", "ipspace.name", "remote.serial_number", "status.update_time", "version.full", "_links.interfaces.href"} {
		if get(r.body, "records.0."+f) == nil {
			t.Errorf("fields=* lacks %s: %s", f, r.raw)
		}
	}
	def := e.do("cluster-a", "GET", "/api/cluster/peers?max_records=1", nil).must(t, 200)
	rec := get(def.body, "records.0").(map[string]any)
	if len(rec) != 3 || rec["_links"] == nil {
		t.Errorf("default collection fields %v", rec)
	}
}

func TestHeadAndOptions(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.do("cluster-a", "HEAD", "/api/cluster/peers", nil).must(t, 200)
	if r.raw != "" || r.header.Get("Content-Type") != "application/hal+json" {
		t.Errorf("HEAD: %q %v", r.raw, r.header)
	}
	o := e.do("cluster-a", "OPTIONS", "/api/cluster/peers/x", nil).must(t, 200)
	if got := o.header.Get("Allow"); got != "GET, PATCH, DELETE, HEAD, OPTIONS" {
		t.Errorf("Allow %q", got)
	}
	if got := e.do("cluster-a", "OPTIONS", "/api/cluster", nil).header.Get("Allow"); got != "GET, HEAD, OPTIONS" {
		t.Errorf("Allow %q", got)
	}
}
