package query

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProject(t *testing.T) {
	const links = `"_links":{"self":{"href":"/api/cluster/peers/u1"}}`
	tests := []struct {
		name, query, want string
	}{
		{"defaults", "", `{"uuid":"u1","name":"alpha",` + links + `}`},
		{"leaf", "fields=remote.name", `{"uuid":"u1","name":"alpha",` + links + `,"remote":{"name":"clusterB"}}`},
		{"braces", "fields=remote.{name,serial_number},version.{major}",
			`{"uuid":"u1","name":"alpha",` + links + `,"remote":{"name":"clusterB","serial_number":"1-80-000011"},"version":{"major":10}}`},
		{"nested braces", "fields={remote.{name},status.{state}}",
			`{"uuid":"u1","name":"alpha",` + links + `,"remote":{"name":"clusterB"},"status":{"state":"available"}}`},
		{"object keeps all sub-fields", "fields=remote",
			`{"uuid":"u1","name":"alpha",` + links + `,"remote":{"name":"clusterB","serial_number":"1-80-000011","ip_addresses":["10.0.0.1","10.0.0.2"]}}`},
		{"object.* is the object", "fields=status.*",
			`{"uuid":"u1","name":"alpha",` + links + `,"status":{"state":"available","update_time":"2021-05-25T23:30:00-04:00"}}`},
		{"write-only never returned", "fields=authentication",
			`{"uuid":"u1","name":"alpha",` + links + `,"authentication":{"in_use":"ok","state":"ok"}}`},
		{"array of objects", "fields=initial_allowed_svms.name",
			`{"uuid":"u1","name":"alpha",` + links + `,"initial_allowed_svms":[{"name":"vs1"},{"name":"vs2"}]}`},
		{"scalar array", "fields=peer_applications",
			`{"uuid":"u1","name":"alpha",` + links + `,"peer_applications":["snapmirror","flexcache"]}`},
		{"remove a default", "fields=!_links", `{"uuid":"u1","name":"alpha"}`},
		{"remove inside a selection", "fields=remote,!remote.ip_addresses",
			`{"uuid":"u1","name":"alpha",` + links + `,"remote":{"name":"clusterB","serial_number":"1-80-000011"}}`},
		{"negated group", "fields=remote,!remote.{ip_addresses,serial_number}",
			`{"uuid":"u1","name":"alpha",` + links + `,"remote":{"name":"clusterB"}}`},
		{"filtered fields are echoed", "status.state=available&remote.ip_addresses=10.*",
			`{"uuid":"u1","name":"alpha",` + links + `,"status":{"state":"available"},"remote":{"ip_addresses":["10.0.0.1","10.0.0.2"]}}`},
		{"filter and fields", "fields=version.major&tls_enabled=true",
			`{"uuid":"u1","name":"alpha",` + links + `,"version":{"major":10},"tls_enabled":true}`},
		{"ignored unknown field", "ignore_unknown_fields=true&fields=bogus,remote.bogus,name",
			`{"uuid":"u1","name":"alpha",` + links + `}`},
		{"standard", "fields=*", `{"uuid":"u1","name":"alpha","tls_enabled":true,` + links + `,
			"authentication":{"in_use":"ok","state":"ok"},"encryption":{"state":"tls_psk"},
			"initial_allowed_svms":[{"name":"vs1","uuid":"s1"},{"name":"vs2","uuid":"s2"}],
			"ipspace":{"name":"Default","uuid":"i1"},"peer_applications":["snapmirror","flexcache"],
			"remote":{"name":"clusterB","serial_number":"1-80-000011","ip_addresses":["10.0.0.1","10.0.0.2"]},
			"status":{"state":"available","update_time":"2021-05-25T23:30:00-04:00"},
			"version":{"full":"NetApp Release 9.10.1","generation":9,"major":10,"minor":1}}`},
		{"expensive", "fields=**,!version,!remote,!status,!initial_allowed_svms,!ipspace,!peer_applications",
			`{"uuid":"u1","name":"alpha","tls_enabled":true,` + links + `,"authentication":{"in_use":"ok","state":"ok"},
			"encryption":{"state":"tls_psk"},"ip_address":"10.9.9.9"}`},
		{"expensive field asked by name", "fields=ip_address", `{"uuid":"u1","name":"alpha",` + links + `,"ip_address":"10.9.9.9"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustParse(t, tt.query, peerSchema)
			got := r.Project(peers(t)[0])
			if diff := cmp.Diff(jsonObj(t, tt.want), got); diff != "" {
				t.Errorf("Project(%q) mismatch (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestProjectMissingFields(t *testing.T) {
	r := mustParse(t, "fields=remote.name,status,initial_allowed_svms.name", peerSchema)
	got := r.Project(peers(t)[1]) // u2: remote without name, no svms
	want := jsonObj(t, `{"uuid":"u2","name":"Beta","_links":{"self":{"href":"/api/cluster/peers/u2"}},
		"status":{"state":"pending","update_time":"2021-05-26T01:00:00Z"}}`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestProjectNeverReturnsSecrets(t *testing.T) {
	for _, q := range []string{"", "fields=*", "fields=**", "fields=authentication", "fields=authentication.*",
		"authentication=!null", "authentication.state=!null&fields=authentication.{state,in_use}"} {
		r := mustParse(t, q, peerSchema)
		for _, rec := range peers(t) {
			b, err := json.Marshal(r.Project(rec))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "passphrase") || strings.Contains(string(b), "secret") {
				t.Errorf("Project(%q) of %v leaked: %s", q, rec["uuid"], b)
			}
		}
	}
}

func TestProjectCopies(t *testing.T) {
	rec := peers(t)[0]
	r := mustParse(t, "fields=*", peerSchema)
	out := r.Project(rec)
	out["remote"].(map[string]any)["name"] = "changed"
	out["peer_applications"].([]any)[0] = "changed"
	if rec["remote"].(map[string]any)["name"] != "clusterB" || rec["peer_applications"].([]any)[0] != "snapmirror" {
		t.Errorf("changing the projection changed the record: %v", rec)
	}
}
