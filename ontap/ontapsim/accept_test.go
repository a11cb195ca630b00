package ontapsim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A client that accepts only application/json (go-swagger clients generated
// from ONTAP's spec, peerd) gets that media type back: a runtime without a
// consumer for application/hal+json cannot decode the default.
func TestResponseContentTypeFollowsAccept(t *testing.T) {
	e := newEnv(t, Options{})
	h := e.w.Cluster("cluster-a").Handler()
	cases := []struct {
		accept []string
		want   string
	}{
		{nil, "application/hal+json"},
		{[]string{"application/hal+json"}, "application/hal+json"},
		{[]string{"*/*"}, "application/hal+json"},
		{[]string{"application/json"}, "application/json"},
		{[]string{"Application/JSON; charset=utf-8"}, "application/json"},
		{[]string{"application/json, application/hal+json"}, "application/hal+json"},
		{[]string{"application/hal+json;q=0.5, application/json"}, "application/json"},
		{[]string{"application/json;q=0.2, */*;q=0.9"}, "application/hal+json"},
		{[]string{"application/json", "application/hal+json;q=0"}, "application/json"},
		{[]string{"text/plain"}, "application/hal+json"},
	}
	for _, tc := range cases {
		for _, rq := range []struct {
			method, path string
			auth         bool
			status       int
		}{
			{"GET", "/api/cluster", true, 200},
			{"GET", "/api/cluster/peers/nope", true, 404},
			{"GET", "/api/cluster", false, 401},
			{"POST", "/api/cluster/peers", true, 201},
		} {
			req := httptest.NewRequest(rq.method, rq.path, nil)
			if rq.auth {
				req.SetBasicAuth(DefaultUsername, DefaultPassword)
			}
			for _, a := range tc.accept {
				req.Header.Add("Accept", a)
			}
			rr := httptest.NewRecorder()
			h.ServeHTTP(rr, req)
			if rr.Code != rq.status {
				t.Errorf("Accept %q %s %s: status %d, want %d", tc.accept, rq.method, rq.path, rr.Code, rq.status)
			}
			if ct := rr.Header().Get("Content-Type"); ct != tc.want {
				t.Errorf("Accept %q %s %s: Content-Type %q, want %q", tc.accept, rq.method, rq.path, ct, tc.want)
			}
		}
	}
	// The body does not depend on the media type.
	hal := e.do("cluster-a", "GET", "/api/cluster", nil).must(t, http.StatusOK)
	req, err := http.NewRequestWithContext(t.Context(), "GET", e.srv["cluster-a"].URL+"/api/cluster", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(DefaultUsername, DefaultPassword)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "application/json" || resp.StatusCode != http.StatusOK {
		t.Fatalf("Accept application/json: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != hal.raw {
		t.Errorf("application/json body %s, hal+json body %s", raw, hal.raw)
	}
}
