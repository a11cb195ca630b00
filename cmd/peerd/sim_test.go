package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// simProc is `peerd sim` running in-process.
type simProc struct {
	clusters map[string]simLine
	done     chan error
	cancel   context.CancelFunc
}

type simLine struct {
	url string
	ips []string
}

// startSim runs the sim command with args and waits for "ready".
func startSim(t *testing.T, args ...string) *simProc {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	p := &simProc{clusters: map[string]simLine{}, done: make(chan error, 1), cancel: cancel}
	root := newRootCmd(pw, io.Discard)
	root.SetArgs(append([]string{"sim"}, args...))
	go func() {
		err := root.ExecuteContext(ctx)
		pw.Close()
		p.done <- err
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
	})
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if line == "ready" {
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			return p
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("unexpected line %q", line)
		}
		p.clusters[f[0]] = simLine{url: f[1], ips: strings.Split(f[2], ",")}
	}
	t.Fatalf("sim ended before ready: %v", <-p.done)
	return nil
}

func simRequest(t *testing.T, client *http.Client, method, url, user, pass string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, pass)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestSimCommandHTTPS(t *testing.T) {
	dir := t.TempDir()
	certFile := filepath.Join(dir, "ca.pem")
	p := startSim(t, "--cluster", "east=127.0.0.1:0", "--cluster", "west=localhost:0", "--nodes", "3", "--cert-out", certFile)
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("certificate file holds no certificate")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	east, west := p.clusters["east"], p.clusters["west"]
	if !strings.HasPrefix(east.url, "https://127.0.0.1:") || !strings.HasPrefix(west.url, "https://localhost:") || len(east.ips) != 3 {
		t.Fatalf("printed clusters %+v", p.clusters)
	}
	if code, _ := simRequest(t, client, "GET", east.url+"/api/cluster", "admin", "wrong", nil); code != 401 {
		t.Fatalf("bad password: %d", code)
	}
	code, c := simRequest(t, client, "GET", west.url+"/api/cluster", "admin", "netapp1!", nil)
	if code != 200 || c["name"] != "west" {
		t.Fatalf("GET /api/cluster: %d %v", code, c)
	}
	// The two clusters peer with each other over their printed addresses.
	const pass = "sim-command-secret"
	for _, s := range []struct{ from, to simLine }{{east, west}, {west, east}} {
		code, body := simRequest(t, client, "POST", s.from.url+"/api/cluster/peers", "admin", "netapp1!", map[string]any{
			"remote": map[string]any{"ip_addresses": s.to.ips}, "authentication": map[string]any{"passphrase": pass}})
		if code != 201 {
			t.Fatalf("POST peer: %d %v", code, body)
		}
	}
	code, list := simRequest(t, client, "GET", east.url+"/api/cluster/peers?fields=status.state,remote.name", "admin", "netapp1!", nil)
	recs, _ := list["records"].([]any)
	if code != 200 || len(recs) != 1 {
		t.Fatalf("list: %d %v", code, list)
	}
	rec := recs[0].(map[string]any)
	if rec["status"].(map[string]any)["state"] != "available" || rec["remote"].(map[string]any)["name"] != "west" {
		t.Fatalf("east's peer %v", rec)
	}
	p.cancel()
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("sim returned %v", err)
		}
		p.done <- nil
	case <-time.After(30 * time.Second):
		t.Fatal("sim did not stop after cancel")
	}
}

func TestSimCommandHTTPAndPasswordFile(t *testing.T) {
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("other-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startSim(t, "--http", "--cluster", "solo=127.0.0.1:0", "--username", "ops", "--password-file", pwFile)
	solo := p.clusters["solo"]
	if !strings.HasPrefix(solo.url, "http://127.0.0.1:") {
		t.Fatalf("url %q", solo.url)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	if code, _ := simRequest(t, client, "GET", solo.url+"/api/cluster", "admin", "netapp1!", nil); code != 401 {
		t.Fatalf("default credentials accepted: %d", code)
	}
	if code, _ := simRequest(t, client, "GET", solo.url+"/api/cluster", "ops", "other-secret", nil); code != 200 {
		t.Fatalf("configured credentials: %d", code)
	}
}

func TestSimCommandBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"sim", "--cluster", "nohostport"},
		{"sim", "--cluster", "a=127.0.0.1:0", "--cluster", "a=127.0.0.1:0"},
		{"sim", "--http", "--cert-out", "x.pem", "--cluster", "a=127.0.0.1:0"},
		{"sim", "--password-file", "/nonexistent/pw", "--cluster", "a=127.0.0.1:0"},
	} {
		var stderr bytes.Buffer
		if code := run(args, io.Discard, &stderr); code == 0 || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}
