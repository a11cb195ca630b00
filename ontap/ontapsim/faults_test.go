package ontapsim

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCounters(t *testing.T) {
	e := newEnv(t, Options{})
	ua, _ := e.peered("cluster-a", "cluster-b")
	c := e.w.Cluster("cluster-a")
	c.ResetCounters()
	e.do("cluster-a", "GET", "/api/cluster/peers", nil)
	e.do("cluster-a", "GET", "/api/cluster/peers?fields=*", nil)
	e.do("cluster-a", "PATCH", "/api/cluster/peers/"+ua, map[string]any{"name": "renamed"}).must(t, 200)
	e.do("cluster-a", "GET", "/api/nothing", nil)
	e.doAuth("cluster-a", "GET", "/api/cluster", nil, "", "")
	for _, tc := range []struct {
		method, tmpl string
		want         int
	}{{"GET", "/api/cluster/peers", 2}, {"PATCH", "/api/cluster/peers/{uuid}", 1}, {"GET", "unknown", 1}, {"GET", "/api/cluster", 1}, {"POST", "/api/cluster/peers", 0}} {
		if got := c.RequestCount(tc.method, tc.tmpl); got != tc.want {
			t.Errorf("RequestCount(%s, %s) = %d, want %d", tc.method, tc.tmpl, got, tc.want)
		}
	}
	if c.TotalRequests() != 5 {
		t.Errorf("TotalRequests = %d", c.TotalRequests())
	}
	// The control surface reports and resets the same counters, and is not counted.
	r := e.do("cluster-a", "GET", "/_sim/counters", nil).must(t, 200)
	if get(r.body, "total") != float64(5) {
		t.Errorf("/_sim/counters %s", r.raw)
	}
	e.do("cluster-a", "POST", "/_sim/counters/reset", nil).must(t, 200)
	if c.TotalRequests() != 0 {
		t.Errorf("after reset: %d", c.TotalRequests())
	}
}

func TestInjectedErrorsAndAfterEffects(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.w.Cluster("cluster-a")
	c.SetFaults(Faults{ErrorRate: 1})
	e.do("cluster-a", "POST", "/api/cluster/peers", nil).wantErr(t, 503, codeRPCFailure)
	if len(c.Peers()) != 0 {
		t.Fatal("a 503 fault had an effect")
	}
	c.SetFaults(Faults{AfterEffectErrorRate: 1})
	e.do("cluster-a", "POST", "/api/cluster/peers", nil).wantErr(t, 500, codeUnexpected)
	if len(c.Peers()) != 1 {
		t.Fatal("an after-effect fault had no effect")
	}
	e.do("cluster-a", "GET", "/api/cluster/peers", nil).must(t, 200) // reads are unaffected
	c.SetFaults(Faults{ErrorRate: 0.5})
	fails := 0
	for range 200 {
		if e.do("cluster-a", "GET", "/api/cluster", nil).status == 503 {
			fails++
		}
	}
	if fails < 50 || fails > 150 {
		t.Errorf("ErrorRate 0.5 failed %d of 200", fails)
	}
}

func TestLatencyAndHangDoNotBlockOthers(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.w.Cluster("cluster-a")
	a.SetFaults(Faults{HangRate: 1})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", e.srv["cluster-a"].URL+"/api/cluster", nil)
		req.SetBasicAuth(DefaultUsername, DefaultPassword)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	// While a's request hangs, the world stays usable (no lock is held).
	deadline := time.Now().Add(10 * time.Second)
	for a.RequestCount("GET", "/api/cluster") == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	e.do("cluster-b", "POST", "/api/cluster/peers", nil).must(t, 201)
	a.SetFaults(Faults{})
	e.do("cluster-a", "GET", "/api/cluster/peers", nil).must(t, 200)
	select {
	case err := <-done:
		t.Fatalf("hung request returned early: %v", err)
	default:
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("hung request answered")
	}
	a.SetFaults(Faults{Latency: 20 * time.Millisecond})
	start := time.Now()
	e.do("cluster-a", "GET", "/api/cluster", nil).must(t, 200)
	if time.Since(start) < 20*time.Millisecond {
		t.Error("latency not applied")
	}
}

func TestAsyncJobs(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.w.Cluster("cluster-a")
	a.SetFaults(Faults{Async: true})
	r := e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{"name": "async-offer"}).must(t, 202)
	href := str(r.body, "job._links.self.href")
	if href == "" || r.header.Get("Location") == "" {
		t.Fatalf("202 answer %s", r.raw)
	}
	var states []string
	for range 4 {
		states = append(states, str(e.do("cluster-a", "GET", href, nil).must(t, 200).body, "state"))
	}
	if want := []string{"queued", "running", "success", "success"}; !equalStrings(states, want) {
		t.Fatalf("job states %v, want %v", states, want)
	}
	if len(a.Peers()) != 1 {
		t.Fatal("async create had no effect")
	}
	// An endpoint failure is reported by the job; validation stays synchronous.
	f := e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{"name": "async-offer"}).must(t, 202)
	fh := str(f.body, "job._links.self.href")
	var j map[string]any
	for range 3 {
		j = e.do("cluster-a", "GET", fh, nil).must(t, 200).body
	}
	if str(j, "state") != "failure" || str(j, "error.code") != codePeerDuplicateName || get(j, "code") != float64(4653075) {
		t.Fatalf("failed job %v", j)
	}
	e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{"uuid": "x"}).wantErr(t, 400, codeCannotSet)
	e.do("cluster-a", "GET", "/api/cluster/jobs/nope", nil).wantErr(t, 404, codeNotFound)
	if n := get(e.do("cluster-a", "GET", "/api/cluster/jobs", nil).must(t, 200).body, "num_records"); n != float64(2) {
		t.Fatalf("%v jobs listed", n)
	}
	// Old jobs are purged once the table has grown.
	e.clock.Advance(jobRetention + time.Minute)
	for i := range 70 {
		e.do("cluster-a", "POST", "/api/cluster/peers", map[string]any{"name": fmt.Sprintf("j%d", i)}).must(t, 202)
	}
	e.do("cluster-a", "GET", href, nil).wantErr(t, 404, codeNotFound)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestControlSurface(t *testing.T) {
	e := newEnv(t, Options{})
	ua, _ := e.peered("cluster-a", "cluster-b")
	st := e.do("cluster-a", "GET", "/_sim/state", nil).must(t, 200)
	if str(st.body, "name") != "cluster-a" || str(st.body, "peers.0.state") != "available" || get(st.body, "intercluster_addresses.Default") == nil {
		t.Fatalf("state %s", st.raw)
	}
	e.do("cluster-a", "POST", "/_sim/links/cut", map[string]any{"remote": "cluster-b"}).must(t, 200)
	if s := str(e.peer("cluster-a", ua), "status.state"); s != "unavailable" {
		t.Errorf("after /_sim/links/cut: %s", s)
	}
	e.do("cluster-a", "POST", "/_sim/links/cut", map[string]any{"remote": "cluster-b", "pairs": 1}).must(t, 200)
	if s := str(e.peer("cluster-a", ua), "status.state"); s != "partial" {
		t.Errorf("after a 1-pair cut: %s", s)
	}
	e.do("cluster-a", "POST", "/_sim/links/restore", map[string]any{"remote": "cluster-b"}).must(t, 200)
	if s := str(e.peer("cluster-a", ua), "status.state"); s != "available" {
		t.Errorf("after restore: %s", s)
	}
	e.do("cluster-a", "POST", "/_sim/links/cut", map[string]any{"remote": "nope"}).must(t, 404)
	e.do("cluster-a", "PUT", "/_sim/faults", map[string]any{"error_rate": 1}).must(t, 200)
	e.do("cluster-a", "GET", "/api/cluster", nil).wantErr(t, 503, codeRPCFailure)
	e.do("cluster-a", "PUT", "/_sim/faults", map[string]any{"latency": "1ms"}).must(t, 200)
	if f := e.do("cluster-a", "GET", "/_sim/faults", nil).must(t, 200); str(f.body, "latency") != "1ms" || get(f.body, "error_rate") != float64(0) {
		t.Errorf("faults %s", f.raw)
	}
	e.do("cluster-a", "PUT", "/_sim/faults", map[string]any{"error_rate": 2}).must(t, 400)
	e.do("cluster-a", "PUT", "/_sim/faults", map[string]any{"bogus": 1}).must(t, 400)
	adv := e.do("cluster-a", "POST", "/_sim/clock/advance", map[string]any{"duration": "90m"}).must(t, 200)
	if str(adv.body, "now") != formatTime(t0.Add(90*time.Minute)) {
		t.Errorf("advance %s", adv.raw)
	}
	e.do("cluster-a", "GET", "/_sim/nope", nil).must(t, 404)

	real := New(Options{})
	c, err := real.AddCluster(ClusterConfig{Name: "rt"})
	if err != nil {
		t.Fatal(err)
	}
	rec := httpRecorder(c.Handler(), "POST", "/_sim/clock/advance", `{"duration":"1h"}`)
	if rec != http.StatusConflict {
		t.Errorf("advancing a real clock: %d", rec)
	}
}

// A hung request with a body ends when its client gives up: Go's server
// only notices a departed client once the body is read, so a handler that
// waited without reading it would never return and Close would block.
func TestHungRequestWithBodyEndsWithItsClient(t *testing.T) {
	w := New(Options{})
	a, err := w.AddCluster(ClusterConfig{Name: "cluster-a"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	a.SetFaults(Faults{HangRate: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/cluster/peers",
		strings.NewReader(`{"authentication":{"generate_passphrase":true}}`))
	req.SetBasicAuth(DefaultUsername, DefaultPassword)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("hung request answered")
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("server Close still waits for the hung handler 10s after its client left")
	}
}
