package query

import (
	"encoding/json"
	"net/url"
	"testing"
)

// peerSchema mirrors the simulator's cluster-peer collection, plus a boolean
// leaf (tls_enabled) to exercise bool comparisons.
var peerSchema = Schema{
	Key: "uuid",
	Fields: []string{
		"uuid", "name", "_links", "tls_enabled",
		"authentication", "authentication.passphrase", "authentication.generate_passphrase",
		"authentication.expiry_time", "authentication.in_use", "authentication.state",
		"encryption.proposed", "encryption.state",
		"initial_allowed_svms.name", "initial_allowed_svms.uuid",
		"ip_address", "ipspace.name", "ipspace.uuid",
		"local_network.interfaces.ip_address", "local_network.netmask",
		"peer_applications",
		"remote.ip_addresses", "remote.name", "remote.serial_number",
		"status.state", "status.update_time",
		"version.full", "version.generation", "version.major", "version.minor",
	},
	Default: []string{"uuid", "name", "_links"},
	Standard: []string{"uuid", "name", "_links", "tls_enabled", "authentication", "encryption",
		"initial_allowed_svms", "ipspace", "peer_applications", "remote", "status", "version"},
	Expensive: []string{"ip_address"},
	WriteOnly: []string{"authentication.passphrase", "authentication.generate_passphrase", "local_network"},
}

const peersJSON = `[
{"uuid":"u1","name":"alpha","tls_enabled":true,"_links":{"self":{"href":"/api/cluster/peers/u1"}},
 "authentication":{"in_use":"ok","state":"ok","passphrase":"s3cret-pass"},
 "encryption":{"state":"tls_psk"},"ip_address":"10.9.9.9",
 "initial_allowed_svms":[{"name":"vs1","uuid":"s1"},{"name":"vs2","uuid":"s2"}],
 "ipspace":{"name":"Default","uuid":"i1"},"peer_applications":["snapmirror","flexcache"],
 "remote":{"name":"clusterB","serial_number":"1-80-000011","ip_addresses":["10.0.0.1","10.0.0.2"]},
 "status":{"state":"available","update_time":"2021-05-25T23:30:00-04:00"},
 "version":{"full":"NetApp Release 9.10.1","generation":9,"major":10,"minor":1}},
{"uuid":"u2","name":"Beta","tls_enabled":false,"_links":{"self":{"href":"/api/cluster/peers/u2"}},
 "encryption":{"state":"none"},"peer_applications":["snapmirror"],
 "remote":{"ip_addresses":["10.0.1.1"]},
 "status":{"state":"pending","update_time":"2021-05-26T01:00:00Z"},
 "version":{"generation":9,"major":9,"minor":8}},
{"uuid":"u3","name":"Clus_fghf","_links":{"self":{"href":"/api/cluster/peers/u3"}},
 "authentication":{"passphrase":"other-secret"},"peer_applications":[],
 "status":{"state":"unidentified"},"version":{"major":11,"minor":0}},
{"uuid":"u4","name":"a|b*","_links":{"self":{"href":"/api/cluster/peers/u4"}},
 "remote":{"name":"{x}","ip_addresses":["192.168.1.5"]},"status":{"state":"unavailable"}},
{"uuid":"u5","name":"","_links":{"self":{"href":"/api/cluster/peers/u5"}},
 "remote":{"name":"clusterC"},"version":{"major":10,"minor":12}},
{"uuid":"u6","name":"gamma","_links":{"self":{"href":"/api/cluster/peers/u6"}},
 "remote":{"name":"ClusterB","ip_addresses":["fd00::1"]},"status":{"state":"partial"},
 "version":{"generation":9,"major":10,"minor":3}}
]`

// peers returns fresh copies of the fixture records.
func peers(t testing.TB) []map[string]any {
	t.Helper()
	var recs []map[string]any
	if err := json.Unmarshal([]byte(peersJSON), &recs); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return recs
}

// mustParse parses a raw query string with the peer schema.
func mustParse(t testing.TB, raw string, s Schema) *Request {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("bad test query %q: %v", raw, err)
	}
	r, err := Parse(q, s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", raw, err)
	}
	return r
}

func uuids(recs []map[string]any) []string {
	out := []string{}
	for _, r := range recs {
		out = append(out, r["uuid"].(string))
	}
	return out
}

// jsonObj decodes a JSON object literal for comparisons.
func jsonObj(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad JSON in test %q: %v", s, err)
	}
	return m
}
