package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// stopWithin bounds how long peerd may take to exit after SIGTERM: 10s by
// design, plus process teardown on a busy machine.
const stopWithin = 12 * time.Second

// process is `peerd` run as a child process.
type process struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	exited         chan error
}

func startProcess(t *testing.T, bin, dir string, env []string, args ...string) *process {
	t.Helper()
	p := &process{stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
		}
	})
	return p
}

func (p *process) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// terminate sends SIGTERM and checks that peerd exits 0 within stopWithin.
func (p *process) terminate(t *testing.T) {
	t.Helper()
	p.signal(t, syscall.SIGTERM)
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(stopWithin):
		t.Fatalf("still running %s after SIGTERM", stopWithin)
	}
}

// notifySocket is a stand-in for systemd's notification socket.
type notifySocket struct {
	path string
	mu   sync.Mutex
	msgs []string
}

func listenNotify(t *testing.T) *notifySocket {
	t.Helper()
	n := &notifySocket{path: filepath.Join(t.TempDir(), "notify.sock")}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: n.path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				return
			}
			n.mu.Lock()
			n.msgs = append(n.msgs, string(buf[:k]))
			n.mu.Unlock()
		}
	}()
	return n
}

// has reports whether a received notification has a line starting with prefix.
func (n *notifySocket) has(prefix string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, m := range n.msgs {
		for _, line := range strings.Split(m, "\n") {
			if strings.HasPrefix(line, prefix) {
				return true
			}
		}
	}
	return false
}

// buildPeerd builds the command into a temporary directory.
func buildPeerd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "peerd")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestRunProcess runs the built binary: SIGHUP reloads the configuration
// (a broken one is refused and the old one keeps running), SIGTERM exits 0
// promptly, and `run -dev` works from the repository root.
func TestRunProcess(t *testing.T) {
	bin := buildPeerd(t)

	t.Run("reload and terminate", func(t *testing.T) {
		e := newSimEnv(t)
		notify := listenNotify(t)
		p := startProcess(t, bin, e.dir, []string{"NOTIFY_SOCKET=" + notify.path}, "run", "--config", e.config)
		waitUntil(t, "READY=1 with a STATUS", func() bool {
			return notify.has("READY=1") && notify.has("STATUS=pass 1: ")
		})
		var addr string
		waitUntil(t, "the daemon to listen", func() bool { addr = listenAddr(p.stderr.String()); return addr != "" })
		e.define(t, "a-b.yaml", pairAB)
		waitUntil(t, "both sides available", func() bool {
			return established(e.a, "cluster-b") && established(e.b, "cluster-a")
		})
		reloads := func(result string) float64 {
			v, _ := metricValue(scrape(t, addr), "peerd_config_reloads_total", map[string]string{"result": result})
			return v
		}
		if n := reloads("success"); n != 1 {
			t.Fatalf("config_reloads_total{success} = %v at start, want 1", n)
		}

		good, err := os.ReadFile(e.config)
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, e.config, strings.Replace(string(good), "resync_interval: 1m", "resync_interval: 2m", 1))
		p.signal(t, syscall.SIGHUP)
		waitUntil(t, "a successful reload", func() bool { return reloads("success") == 2 })
		waitUntil(t, "RELOADING=1 sent to systemd", func() bool { return notify.has("RELOADING=1") })

		writeTestFile(t, e.config, string(good)+"bogus_key: 1\n")
		p.signal(t, syscall.SIGHUP)
		waitUntil(t, "a refused reload", func() bool { return reloads("failure") == 1 })
		if v, _ := metricValue(scrape(t, addr), "peerd_config_last_reload_successful", nil); v != 0 {
			t.Fatalf("config_last_reload_successful = %v after a broken config, want 0", v)
		}
		// The running configuration still reconciles.
		e.define(t, "a-b.yaml", strings.Replace(pairAB, "cluster: cluster-b\n", "cluster: cluster-b\n  peer_name: b-dr\n", 1))
		waitUntil(t, "the edit applied under the old configuration", func() bool { return established(e.b, "b-dr") })

		p.terminate(t)
	})

	t.Run("terminate during a hanging call", func(t *testing.T) {
		e := newSimEnv(t)
		p := startProcess(t, bin, e.dir, nil, "run", "--config", e.config)
		waitUntil(t, "the daemon to listen", func() bool { return listenAddr(p.stderr.String()) != "" })
		e.a.SetFaults(ontapsim.Faults{HangRate: 1})
		before := e.a.TotalRequests()
		e.define(t, "a-b.yaml", pairAB)
		waitUntil(t, "a request to hang", func() bool { return e.a.TotalRequests() > before })
		start := time.Now()
		p.terminate(t)
		t.Logf("exited %s after SIGTERM with a call in flight", time.Since(start).Round(time.Millisecond))
	})

	t.Run("dev", func(t *testing.T) {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			t.Fatal(err)
		}
		p := startProcess(t, bin, root, nil, "run", "-dev", "--listen", "127.0.0.1:0")
		urlRE := regexp.MustCompile(`metrics +http://(\S+)/metrics`)
		var addr string
		waitUntil(t, "the -dev banner", func() bool {
			if m := urlRE.FindStringSubmatch(p.stdout.String()); m != nil {
				addr = m[1]
			}
			return addr != ""
		})
		waitUntil(t, "both sides available in the metrics", func() bool {
			mf := scrape(t, addr)
			a, _ := metricValue(mf, "peerd_peer_availability", map[string]string{"cluster": "cluster-a", "state": "available"})
			b, _ := metricValue(mf, "peerd_peer_availability", map[string]string{"cluster": "cluster-b", "state": "available"})
			return a == 1 && b == 1
		})
		if out := p.stdout.String() + p.stderr.String(); strings.Contains(out, "netapp1!") {
			t.Fatal("-dev printed the simulator's password")
		}
		p.terminate(t)
	})
}
