package deploy_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The unit runs peerd with Type=notify, WatchdogSec= and ExecReload=kill
// -HUP. This test holds the built binary to that contract over a real
// $NOTIFY_SOCKET, as systemd would: READY=1 after start, WATCHDOG=1 within
// the watchdog period, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 and
// exit status 0 on SIGTERM. The daemon runs against the simulated ONTAP
// world (-dev) on loopback.
func TestDaemonHonoursTheUnitsNotifyContract(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "peerd")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "../cmd/peerd")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	sock := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()

	cmd := exec.CommandContext(t.Context(), bin, "run", "-dev", "--dir", "../examples/quickstart", "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=1000000")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	// await reads notifications until one carries want, failing after a
	// generous deadline (a busy 2-core machine, a first pass on the
	// simulator).
	await := func(want string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		buf := make([]byte, 4096)
		for {
			if err := conn.SetReadDeadline(deadline); err != nil {
				t.Fatal(err)
			}
			n, err := conn.Read(buf)
			if err != nil {
				t.Fatalf("waiting for %s: %v; peerd stderr:\n%s", want, err, stderr.String())
			}
			for _, line := range strings.Split(string(buf[:n]), "\n") {
				if line == want {
					return
				}
			}
		}
	}
	await("READY=1")
	await("WATCHDOG=1")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil { // ExecReload: kill -HUP "$MAINPID"
		t.Fatal(err)
	}
	await("RELOADING=1")
	await("READY=1")
	await("WATCHDOG=1")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil { // systemctl stop
		t.Fatal(err)
	}
	await("STOPPING=1")
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("peerd exited with %v after SIGTERM; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("peerd did not exit within 60s of SIGTERM; stderr:\n%s", stderr.String())
	}
}
