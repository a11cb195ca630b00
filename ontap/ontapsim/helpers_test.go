package ontapsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a World with clusters served over real HTTP.
type env struct {
	t     *testing.T
	w     *World
	clock *FakeClock
	srv   map[string]*httptest.Server
}

func newEnv(t *testing.T, opts Options, cfgs ...ClusterConfig) *env {
	t.Helper()
	clock := NewFakeClock(t0)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	e := &env{t: t, w: New(opts), clock: clock, srv: map[string]*httptest.Server{}}
	if len(cfgs) == 0 {
		cfgs = []ClusterConfig{{Name: "cluster-a"}, {Name: "cluster-b"}}
	}
	for _, cfg := range cfgs {
		c, err := e.w.AddCluster(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := httptest.NewServer(c.Handler())
		t.Cleanup(s.Close)
		e.srv[cfg.Name] = s
	}
	return e
}

// result is a decoded answer.
type result struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (e *env) do(cluster, method, path string, body any) result {
	e.t.Helper()
	return e.doAuth(cluster, method, path, body, DefaultUsername, DefaultPassword)
}

func (e *env) doAuth(cluster, method, path string, body any, user, pass string) result {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv[cluster].URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := result{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			e.t.Fatalf("%s %s: body is not a JSON object: %q", method, path, raw)
		}
	}
	return r
}

// must checks the status and returns the result.
func (r result) must(t *testing.T, status int) result {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	return r
}

// errCode returns error.code of an error answer.
func (r result) errCode() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r result) errTarget() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["target"].(string)
	return s
}

// wantErr checks an ONTAP error answer.
func (r result) wantErr(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status || r.errCode() != code {
		t.Fatalf("got %d code %q, want %d code %q; body %s", r.status, r.errCode(), status, code, r.raw)
	}
	if e, _ := r.body["error"].(map[string]any); e == nil || e["message"] == "" {
		t.Fatalf("error body without message: %s", r.raw)
	}
}

// get returns a nested value by dotted path ("records.0.uuid").
func get(v any, path string) any {
	for _, seg := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[seg]
		case []any:
			i := 0
			for _, ch := range seg {
				i = i*10 + int(ch-'0')
			}
			if i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any, path string) string {
	s, _ := get(v, path).(string)
	return s
}

// record returns the first record of a POST answer.
func (r result) record() map[string]any {
	m, _ := get(r.body, "records.0").(map[string]any)
	return m
}

func (e *env) ips(cluster string) []string { return e.w.Cluster(cluster).InterclusterAddresses("") }

// peer reads one peer record with all fields.
func (e *env) peer(cluster, uuid string) map[string]any {
	e.t.Helper()
	return e.do(cluster, "GET", "/api/cluster/peers/"+uuid+"?fields=*", nil).must(e.t, 200).body
}

// httpRecorder serves one request in-process and returns the status.
func httpRecorder(h http.Handler, method, path, body string) int {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.SetBasicAuth(DefaultUsername, DefaultPassword)
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	return rr.Code
}
