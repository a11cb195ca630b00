package main

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// fleetEnv is a simulated fleet on loopback HTTPS servers (one CA file per
// cluster) and a config directory pointing peerd at every cluster.
type fleetEnv struct {
	world    *ontapsim.World
	sims     []*ontapsim.Cluster
	dir      string              // config directory
	defs     string              // definition directory
	config   string              // peerd.yaml
	declared map[string][]string // cluster -> remote clusters it is declared to peer with
}

// newFleetEnv starts n managed clusters; opts.Password (required) is the
// simulator's admin password, extra is added to peerd.yaml and wrap, when
// set, wraps every cluster's handler.
func newFleetEnv(t *testing.T, n int, opts ontapsim.Options, extra string, wrap func(http.Handler) http.Handler) *fleetEnv {
	t.Helper()
	e := &fleetEnv{world: ontapsim.New(opts), dir: t.TempDir(), declared: map[string][]string{}}
	e.defs = filepath.Join(e.dir, "peers.d")
	e.config = filepath.Join(e.dir, "peerd.yaml")
	for _, d := range []string{e.defs, filepath.Join(e.dir, "secrets")} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	writeTestFile(t, filepath.Join(e.dir, "secrets", "admin.password"), opts.Password+"\n")
	var clusters strings.Builder
	for i := range n {
		c := e.addCluster(t, ontapsim.ClusterConfig{Name: fmt.Sprintf("cl%02d", i), Nodes: 1 + i%2})
		var h http.Handler = c.Handler()
		if wrap != nil {
			h = wrap(h)
		}
		srvURL, ca := serveTLS(t, h)
		writeTestFile(t, filepath.Join(e.dir, c.Name()+"-ca.pem"), ca)
		fmt.Fprintf(&clusters, "  - name: %s\n    url: %s\n    username: admin\n    password_file: secrets/admin.password\n    ca_file: %s-ca.pem\n    timeout: 5s\n",
			c.Name(), srvURL, c.Name())
		e.sims = append(e.sims, c)
	}
	writeTestFile(t, e.config, "definitions: peers.d\nconcurrency: 4\n"+extra+"clusters:\n"+clusters.String())
	return e
}

func (e *fleetEnv) addCluster(t *testing.T, cfg ontapsim.ClusterConfig) *ontapsim.Cluster {
	t.Helper()
	c, err := e.world.AddCluster(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serveTLS starts an HTTPS server for h on a loopback listener and returns
// its URL and CA certificate (PEM).
func serveTLS(t *testing.T, h http.Handler) (string, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	// A killed peerd leaves half-done TLS handshakes behind: not news.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
}

// ring declares perCluster/2 relationships from every cluster to the next
// ones around the ring, one definition file each.
func (e *fleetEnv) ring(t *testing.T, perCluster int) {
	t.Helper()
	for i, a := range e.sims {
		for k := 1; k <= perCluster/2; k++ {
			b := e.sims[(i+k)%len(e.sims)]
			name := a.Name() + "-" + b.Name()
			writeTestFile(t, filepath.Join(e.defs, name+".yaml"), fmt.Sprintf(
				"name: %s\nlocal:\n  cluster: %s\nremote:\n  cluster: %s\npeer_applications: [snapmirror]\n", name, a.Name(), b.Name()))
			e.declared[a.Name()] = append(e.declared[a.Name()], b.Name())
			e.declared[b.Name()] = append(e.declared[b.Name()], a.Name())
		}
	}
}

// writes counts the mutating requests the whole fleet received.
func (e *fleetEnv) writes() int {
	n := 0
	for _, c := range e.sims {
		for _, m := range []string{"POST", "PATCH", "DELETE"} {
			for _, p := range []string{"/api/cluster/peers", "/api/cluster/peers/{uuid}"} {
				n += c.RequestCount(m, p)
			}
		}
	}
	return n
}

// crashInvariants checks the simulator's state after every run.
type crashInvariants struct {
	e    *fleetEnv
	seen map[[2]string]bool // sides that have been available
}

func (inv *crashInvariants) check(t *testing.T, when string) {
	t.Helper()
	for _, c := range inv.e.sims {
		recs := c.Peers()
		for _, o := range inv.e.sims {
			if o == c {
				continue
			}
			addrs := o.InterclusterAddresses("")
			n, available := 0, false
			for _, r := range recs {
				if r.RemoteName == o.Name() || r.RemoteName == "" && slices.ContainsFunc(r.RemoteIPs, func(a string) bool { return slices.Contains(addrs, a) }) {
					n++
					available = r.State == "available"
				}
			}
			key := [2]string{c.Name(), o.Name()}
			switch {
			case n > 1:
				t.Fatalf("%s: %s holds %d records for %s: %+v", when, c.Name(), n, o.Name(), recs)
			case n == 0 && inv.seen[key]:
				t.Fatalf("%s: %s's record for %s, available before, is gone", when, c.Name(), o.Name())
			case n == 1 && !slices.Contains(inv.e.declared[c.Name()], o.Name()):
				t.Fatalf("%s: %s holds a record for %s, which no definition declares", when, c.Name(), o.Name())
			case available:
				inv.seen[key] = true
			}
		}
		if len(recs) > len(inv.e.declared[c.Name()]) {
			t.Fatalf("%s: %s holds %d records for %d relationships: %+v", when, c.Name(), len(recs), len(inv.e.declared[c.Name()]), recs)
		}
	}
}

// converged reports whether every declared side is one available,
// authenticated record and nothing else exists.
func (e *fleetEnv) converged() error {
	for _, c := range e.sims {
		recs := c.Peers()
		if len(recs) != len(e.declared[c.Name()]) {
			return fmt.Errorf("%s holds %d records, %d declared", c.Name(), len(recs), len(e.declared[c.Name()]))
		}
		for _, r := range recs {
			if r.State != "available" || r.AuthState != "ok" || !slices.Contains(e.declared[c.Name()], r.RemoteName) {
				return fmt.Errorf("%s: record %+v", c.Name(), r)
			}
		}
	}
	return nil
}

// TestCrashApplyConverges kills `peerd apply --auto-approve`, a real
// process, with SIGKILL at seeded random points of a fleet apply (after a
// random number of ONTAP writes, with writes in flight, or at a random
// moment), restarts it each time, and finally lets it finish. After every run no cluster holds two
// records for one remote or a record nobody declared, and no side that was
// available disappears; at the end every relationship is available on both
// sides and a further apply has nothing to do.
func TestCrashApplyConverges(t *testing.T) {
	clusters, perCluster, kills := 10, 6, 16
	if testing.Short() {
		clusters, perCluster, kills = 8, 4, 10
	}
	bin := buildPeerd(t)
	e := newFleetEnv(t, clusters, ontapsim.Options{RoutePropagationDelay: -1, Seed: 3, Password: "crash-test-admin-pw"}, "", nil)
	for _, c := range e.sims {
		c.SetFaults(ontapsim.Faults{Latency: 2 * time.Millisecond})
	}
	e.ring(t, perCluster)
	rng := rand.New(rand.NewPCG(7, 11))
	inv := &crashInvariants{e: e, seen: map[[2]string]bool{}}
	killed := 0
	for run := 1; run <= kills; run++ {
		// Mostly after a random number of writes; every fourth run at a
		// random moment, which may fall before the first write.
		after := e.writes() + 1 + rng.IntN(6)
		kill := func() bool { return e.writes() >= after }
		if run%4 == 0 {
			at := time.Now().Add(time.Duration(rng.IntN(60)) * time.Millisecond)
			kill = func() bool { return time.Now().After(at) }
		}
		code, out := applyUntil(t, bin, e, kill)
		if code == -1 {
			killed++
		}
		inv.check(t, fmt.Sprintf("run %d (exit %d)", run, code))
		if code == 0 && e.converged() == nil {
			break
		}
		if code != -1 && code != 1 {
			t.Fatalf("run %d: exit %d\n%s", run, code, out)
		}
	}
	for run := 1; ; run++ {
		code, out := applyUntil(t, bin, e, nil)
		inv.check(t, fmt.Sprintf("final run %d", run))
		if code == 0 {
			break
		}
		if run == 5 {
			t.Fatalf("apply still failing after %d final runs: exit %d\n%s", run, code, out)
		}
	}
	if err := e.converged(); err != nil {
		t.Fatal(err)
	}
	writes := e.writes()
	code, out := applyUntil(t, bin, e, nil)
	if code != 0 || e.writes() != writes || !strings.Contains(out, "No changes") && !strings.Contains(out, "0 to create, 0 to update, 0 to delete") {
		t.Fatalf("apply after convergence: exit %d, %d writes\n%s", code, e.writes()-writes, out)
	}
	t.Logf("%d runs killed; %d writes in all", killed, writes)
	if killed < kills/2 {
		t.Fatalf("only %d of %d runs were killed mid-apply", killed, kills)
	}
}

// applyUntil runs `peerd apply --auto-approve` and kills it with SIGKILL as
// soon as kill (polled every millisecond) holds. It returns the exit code
// (-1 when killed) and the combined output.
func applyUntil(t *testing.T, bin string, e *fleetEnv, kill func() bool) (int, string) {
	t.Helper()
	var out syncBuffer
	cmd := exec.Command(bin, "apply", "--config", e.config, "--auto-approve")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(patience)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			var ee *exec.ExitError
			switch {
			case err == nil:
				return 0, out.String()
			case errors.As(err, &ee) && ee.Exited():
				return ee.ExitCode(), out.String()
			}
			t.Fatalf("apply: %v\n%s", err, out.String())
		case <-tick.C:
			if kill != nil && kill() {
				_ = cmd.Process.Kill()
				<-done
				return -1, out.String()
			}
		case <-deadline:
			_ = cmd.Process.Kill()
			<-done
			t.Fatalf("apply did not finish within %s\n%s", patience, out.String())
		}
	}
}
