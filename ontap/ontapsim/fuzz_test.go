package ontapsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzPeersRequest throws arbitrary methods, paths, queries and bodies at a
// cluster handler: it must never panic nor answer 5xx (no fault is
// injected), and every 4xx must be an ONTAP error body.
func FuzzPeersRequest(f *testing.F) {
	seeds := []struct{ method, path, query, body string }{
		{"GET", "/api/cluster/peers", "fields=*&max_records=2", ""},
		{"GET", "/api/cluster/peers", "status.state=!available|pending&order_by=name desc", ""},
		{"POST", "/api/cluster/peers", "", `{"remote":{"ip_addresses":["192.0.2.3"]},"authentication":{"passphrase":"abcdefgh"}}`},
		{"POST", "/api/cluster/peers", "", `{"authentication":{"generate_passphrase":true,"expiry_time":"P1DT2H"}}`},
		{"POST", "/api/cluster/peers", "", `{"remote.ip_addresses":["192.0.2.3"],"remote":{"name":"x"}}`},
		{"POST", "/api/cluster/peers", "", `{"local_network":{"interfaces":[{"ip_address":"10.0.0.1"}],"netmask":"8","broadcast_domain":"Default"},"remote":{"ip_addresses":["192.0.2.3"]}}`},
		{"PATCH", "/api/cluster/peers/x", "", `{"name":"n"}`},
		{"DELETE", "/api/cluster/peers/x", "", ""},
		{"POST", "/api/network/ip/interfaces", "return_records=true", `{"name":"a","ip":{"address":"10.1.1.1","netmask":"24"},"ipspace":{"name":"Default"},"location":{"home_node":{"name":"cluster-a-01"}}}`},
		{"GET", "/api/cluster/jobs/x", "", ""},
		{"POST", "/api/cluster/peers", "", `{"a":`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.body)
	}
	w := New(Options{Clock: NewFakeClock(t0), Seed: 7})
	a, err := w.AddCluster(ClusterConfig{Name: "cluster-a"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := w.AddCluster(ClusterConfig{Name: "cluster-b"}); err != nil {
		f.Fatal(err)
	}
	h := a.Handler()
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if !validMethod(method) || strings.HasPrefix(path, "/_sim") {
			return
		}
		u := &url.URL{Path: "/" + strings.TrimLeft(path, "/"), RawQuery: query}
		req, err := http.NewRequest(method, "http://sim"+u.EscapedPath(), strings.NewReader(body))
		if err != nil {
			return
		}
		req.URL.RawQuery = query
		req.SetBasicAuth(DefaultUsername, DefaultPassword)
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, req)
		if rr.Code >= 500 {
			t.Fatalf("%s %s?%s %q: %d %s", method, u.Path, query, body, rr.Code, rr.Body.String())
		}
		if rr.Code >= 400 {
			var e struct {
				Error struct {
					Message string `json:"message"`
					Code    string `json:"code"`
				} `json:"error"`
			}
			if err := json.Unmarshal(rr.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s %s: %d with a non-ONTAP error body %q", method, u.Path, rr.Code, rr.Body.String())
			}
		}
	})
}

func validMethod(m string) bool {
	if m == "" || len(m) > 16 {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
