package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRunReconcilesDefinitionChanges drives a running daemon only through
// its definition directory: a new file creates the peering on both sides, an
// edit patches it, a broken file deletes nothing, and state: absent deletes.
func TestRunReconcilesDefinitionChanges(t *testing.T) {
	e := newSimEnv(t)
	d := startInProcess(t, "--config", e.config)
	waitUntil(t, "/readyz 200", func() bool { return httpStatus(t, "http://"+d.addr+"/readyz") == http.StatusOK })

	e.define(t, "a-b.yaml", pairAB)
	waitUntil(t, "both sides available", func() bool {
		return established(e.a, "cluster-b") && established(e.b, "cluster-a")
	})
	posts := e.a.RequestCount("POST", "/api/cluster/peers") + e.b.RequestCount("POST", "/api/cluster/peers")

	e.define(t, "a-b.yaml", strings.Replace(pairAB, "cluster: cluster-b\n", "cluster: cluster-b\n  peer_name: b-dr\n", 1))
	waitUntil(t, "the local name patched", func() bool { return established(e.b, "b-dr") })
	if got := e.a.RequestCount("POST", "/api/cluster/peers") + e.b.RequestCount("POST", "/api/cluster/peers"); got != posts {
		t.Fatalf("an edit re-created records: %d POSTs, had %d", got, posts)
	}
	if e.b.RequestCount("PATCH", "/api/cluster/peers/{uuid}") == 0 {
		t.Fatal("the edit was not applied with a PATCH")
	}

	// A broken file: its last good definition stays in force, frozen.
	e.define(t, "a-b.yaml", "name: a-b\nlocal: [unclosed\n")
	waitUntil(t, "the broken-files metric", func() bool {
		v, _ := metricValue(scrape(t, d.addr), "peerd_definition_files", map[string]string{"state": "broken"})
		return v == 1
	})
	if len(e.a.Peers()) != 1 || len(e.b.Peers()) != 1 {
		t.Fatalf("a broken file deleted peers: a=%v b=%v", e.a.Peers(), e.b.Peers())
	}
	if n := e.a.RequestCount("DELETE", "/api/cluster/peers/{uuid}") + e.b.RequestCount("DELETE", "/api/cluster/peers/{uuid}"); n != 0 {
		t.Fatalf("%d DELETEs after a broken file", n)
	}

	e.define(t, "a-b.yaml", strings.Replace(pairAB, "name: a-b\n", "name: a-b\nstate: absent\n", 1))
	waitUntil(t, "both records deleted", func() bool { return len(e.a.Peers()) == 0 && len(e.b.Peers()) == 0 })

	if code := d.stop(t); code != 0 {
		t.Fatalf("exit code %d after cancel, want 0\n%s", code, d.stderr.String())
	}
	logs := d.stderr.String()
	for _, secret := range []string{"netapp1!"} {
		if strings.Contains(logs, secret) {
			t.Fatal("the logs contain the cluster password")
		}
	}
	if !strings.Contains(logs, `"@message":"applied action"`) {
		t.Fatal("no applied-action log lines")
	}
}

// TestRunMetricsHealthAndExpiry scrapes /metrics for an established peer and
// a pending offer; the expiry series equals the simulator's expiry_time.
func TestRunMetricsHealthAndExpiry(t *testing.T) {
	e := newSimEnv(t)
	if err := os.Mkdir(filepath.Join(e.dir, "offers"), 0o700); err != nil {
		t.Fatal(err)
	}
	e.define(t, "a-b.yaml", pairAB)
	e.define(t, "offer.yaml", `name: a-partner-y
local:
  cluster: cluster-a
remote:
  name: partner-y
  offer:
    handover_file: `+filepath.Join(e.dir, "offers", "partner-y.passphrase")+`
offer_expiry: 2d
`)
	d := startInProcess(t, "--config", e.config)
	waitUntil(t, "both sides available", func() bool {
		return established(e.a, "cluster-b") && established(e.b, "cluster-a")
	})
	var offer struct {
		name  string
		state string
		unix  float64
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.stderr.String())
		}
	})
	waitUntil(t, "the offer on cluster-a", func() bool {
		for _, p := range e.a.Peers() {
			if !p.ExpiryTime.IsZero() {
				offer.name, offer.state = p.Name, p.State
				offer.unix = float64(p.ExpiryTime.Unix()) + float64(p.ExpiryTime.Nanosecond())/1e9
				return true
			}
		}
		return false
	})
	// The handover file is written once the POST has answered, a moment
	// after the simulator holds the record.
	waitUntil(t, "the handover file", func() bool {
		_, err := os.Stat(filepath.Join(e.dir, "offers", "partner-y.passphrase"))
		return err == nil
	})
	waitUntil(t, "metrics of both records", func() bool {
		mf := scrape(t, d.addr)
		est, ok1 := metricValue(mf, "peerd_peer_availability", map[string]string{"cluster": "cluster-a", "peer": "cluster-b", "state": "available"})
		auth, ok2 := metricValue(mf, "peerd_peer_authentication", map[string]string{"cluster": "cluster-b", "peer": "cluster-a", "state": "ok"})
		pend, ok3 := metricValue(mf, "peerd_peer_availability", map[string]string{"cluster": "cluster-a", "peer": offer.name, "state": offer.state})
		return ok1 && ok2 && ok3 && est == 1 && auth == 1 && pend == 1
	})
	mf := scrape(t, d.addr)
	got, ok := metricValue(mf, "peerd_peer_authentication_expiry_timestamp_seconds", map[string]string{"cluster": "cluster-a", "peer": offer.name})
	if !ok || got != offer.unix {
		t.Fatalf("expiry series = %v (present %v), want the simulator's expiry_time %v", got, ok, offer.unix)
	}
	if _, ok := metricValue(mf, "peerd_peer_authentication_expiry_timestamp_seconds", map[string]string{"cluster": "cluster-a", "peer": "cluster-b"}); ok {
		t.Fatal("an established peer has an expiry series")
	}
	if v, _ := metricValue(mf, "peerd_ontap_cluster_reachable", map[string]string{"cluster": "cluster-a"}); v != 1 {
		t.Fatal("cluster-a not reported reachable")
	}
}

func TestRunOnceExitCodes(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		setup func(e *simEnv)
		want  int
	}{
		{name: "dry-run with changes pending", args: []string{"--dry-run"}, want: 2},
		{name: "applies and exits 0", want: 0},
		{name: "a cluster cannot be observed", setup: func(e *simEnv) {
			// cluster-a's URL leads to cluster-b: the identity check fails.
			cfg, _ := os.ReadFile(e.config)
			urls := regexp.MustCompile(`url: (\S+)`).FindAllStringSubmatch(string(cfg), -1)
			writeTestFile(t, e.config, strings.Replace(string(cfg), urls[0][1], urls[1][1], 1))
		}, want: 1},
		{name: "a definition file is broken", setup: func(e *simEnv) {
			e.define(t, "half.yaml", "name: a-c\nlocal:\n  cluster: [cluster-a\n")
		}, want: 1},
		{name: "a definition file is broken, dry-run", args: []string{"--dry-run"}, setup: func(e *simEnv) {
			e.define(t, "half.yaml", "name: a-c\nlocal:\n  cluster: [cluster-a\n")
		}, want: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newSimEnv(t)
			e.define(t, "a-b.yaml", pairAB)
			if tc.setup != nil {
				tc.setup(e)
			}
			var out, errOut syncBuffer
			root := newRootCmd(&out, &errOut)
			root.SetArgs(append([]string{"run", "--once", "--config", e.config}, tc.args...))
			if got := exitCode(root.ExecuteContext(t.Context())); got != tc.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", got, tc.want, out.String(), errOut.String())
			}
			created := len(e.a.Peers()) + len(e.b.Peers())
			switch tc.want {
			case 2:
				if created != 0 || !strings.Contains(out.String(), "Plan: 2 to create") {
					t.Fatalf("dry-run wrote %d records or printed no plan:\n%s", created, out.String())
				}
			case 0:
				if created != 2 {
					t.Fatalf("--once created %d records, want 2", created)
				}
			}
		})
	}
}

func TestNormalizeRunArgs(t *testing.T) {
	got := normalizeRunArgs([]string{"-dev", "--dir", "x", "-dev=true", "--devx"})
	if want := []string{"--dev", "--dir", "x", "--dev=true", "--devx"}; !slices.Equal(got, want) {
		t.Fatalf("normalizeRunArgs = %q, want %q", got, want)
	}
}

// TestRunDryRunDaemon: a dry-run daemon observes, plans and exports the
// pending actions, logs what it would do and never writes.
func TestRunDryRunDaemon(t *testing.T) {
	e := newSimEnv(t)
	e.define(t, "a-b.yaml", pairAB)
	d := startInProcess(t, "--config", e.config, "--dry-run")
	waitUntil(t, "two pending creates in the metrics", func() bool {
		v, _ := metricValue(scrape(t, d.addr), "peerd_plan_pending_actions", map[string]string{"kind": "create"})
		return v == 2
	})
	if !strings.Contains(d.stderr.String(), `"@message":"would apply action (no writes)"`) {
		t.Fatal("dry-run did not log the actions it would apply")
	}
	for _, c := range []string{"POST", "PATCH", "DELETE"} {
		n := e.a.RequestCount(c, "/api/cluster/peers") + e.a.RequestCount(c, "/api/cluster/peers/{uuid}") +
			e.b.RequestCount(c, "/api/cluster/peers") + e.b.RequestCount(c, "/api/cluster/peers/{uuid}")
		if n != 0 {
			t.Fatalf("dry-run sent %d %s requests", n, c)
		}
	}
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

func TestDevSimulatesDefinedIpspaces(t *testing.T) {
	got := definedIpspaces(filepath.Join("..", "..", "examples", "ipspaces-bootstrap", "peers.d"))
	want := map[string][]string{"cluster-a": {"replication"}, "cluster-b": {"ic-b"}}
	if len(got) != len(want) || !slices.Equal(got["cluster-a"], want["cluster-a"]) || !slices.Equal(got["cluster-b"], want["cluster-b"]) {
		t.Fatalf("definedIpspaces = %v, want %v", got, want)
	}
}
