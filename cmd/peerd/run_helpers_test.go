package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// patience bounds every wait of these tests; only a failing test waits that
// long.
const patience = 30 * time.Second

// simEnv is a simulated two-cluster world on httptest TLS servers and a
// config directory pointing peerd at it.
type simEnv struct {
	world  *ontapsim.World
	a, b   *ontapsim.Cluster
	dir    string // config directory
	defs   string // definition directory
	config string // peerd.yaml
}

func newSimEnv(t testing.TB) *simEnv {
	t.Helper()
	e := &simEnv{world: ontapsim.New(ontapsim.Options{RoutePropagationDelay: -1}), dir: t.TempDir()}
	e.defs = filepath.Join(e.dir, "peers.d")
	e.config = filepath.Join(e.dir, "peerd.yaml")
	for _, d := range []string{e.defs, filepath.Join(e.dir, "secrets")} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	writeTestFile(t, filepath.Join(e.dir, "secrets", "sim.password"), ontapsim.DefaultPassword+"\n")
	var clusters strings.Builder
	for _, name := range []string{"cluster-a", "cluster-b"} {
		c, err := e.world.AddCluster(ontapsim.ClusterConfig{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewTLSServer(c.Handler())
		t.Cleanup(srv.Close)
		ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		writeTestFile(t, filepath.Join(e.dir, name+"-ca.pem"), string(ca))
		fmt.Fprintf(&clusters, "  - name: %s\n    url: %s\n    username: admin\n    password_file: secrets/sim.password\n    ca_file: %s-ca.pem\n",
			name, srv.URL, name)
		if name == "cluster-a" {
			e.a = c
		} else {
			e.b = c
		}
	}
	writeTestFile(t, e.config, "definitions: peers.d\nresync_interval: 1m\nlisten: 127.0.0.1:0\nlog:\n  level: debug\n  format: json\nclusters:\n"+clusters.String())
	return e
}

func writeTestFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// define writes one definition file atomically (as editors save).
func (e *simEnv) define(t testing.TB, file, content string) {
	t.Helper()
	tmp := filepath.Join(e.defs, "."+file+".tmp")
	writeTestFile(t, tmp, content)
	if err := os.Rename(tmp, filepath.Join(e.defs, file)); err != nil {
		t.Fatal(err)
	}
}

const pairAB = `name: a-b
local:
  cluster: cluster-a
remote:
  cluster: cluster-b
peer_applications: [snapmirror]
`

// waitUntil polls cond until it holds or patience runs out.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func established(c *ontapsim.Cluster, name string) bool {
	for _, p := range c.Peers() {
		if p.Name == name && p.State == "available" && p.AuthState == "ok" {
			return true
		}
	}
	return false
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// inProcess is `peerd run` executed in this process with a cancellable
// context.
type inProcess struct {
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
	addr           string
}

func startInProcess(t testing.TB, args ...string) *inProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &inProcess{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	root := newRootCmd(p.stdout, p.stderr)
	root.SetArgs(append([]string{"run"}, args...))
	go func() { p.done <- exitCode(root.ExecuteContext(ctx)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(patience):
			t.Error("peerd run did not stop")
		}
	})
	waitUntil(t, "the daemon to listen", func() bool {
		p.addr = listenAddr(p.stderr.String())
		return p.addr != ""
	})
	return p
}

// stop cancels the run and returns its exit code.
func (p *inProcess) stop(t testing.TB) int {
	t.Helper()
	p.cancel()
	select {
	case code := <-p.done:
		p.done <- code // for the cleanup
		return code
	case <-time.After(patience):
		t.Fatal("peerd run did not stop")
		return -1
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ec exitCodeError
	if asExitCode(err, &ec) {
		return ec.code
	}
	return 1
}

// listenAddr finds the bound address in the JSON log ("peerd started").
func listenAddr(logs string) string {
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil || line["@message"] != "peerd started" {
			continue
		}
		if s, ok := line["listen"].(string); ok {
			return s
		}
	}
	return ""
}

// scrape reads /metrics from addr.
func scrape(t testing.TB, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := expfmt.NewTextParser(model.UTF8Validation)
	mf, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return mf
}

// metricValue returns the value of the series of name whose labels include
// want, and whether it exists.
func metricValue(mf map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := mf[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		}
	}
	return 0, false
}

func httpStatus(t testing.TB, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
