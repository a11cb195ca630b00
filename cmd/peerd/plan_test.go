package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// cliEnv is a simulated world on httptest TLS servers and a config
// directory pointing peerd plan/apply at it.
type cliEnv struct {
	world  *ontapsim.World
	dir    string
	config string
}

// newCLIEnv creates the named managed clusters plus unmanaged ones (not in
// the config).
func newCLIEnv(t *testing.T, managed []string, unmanaged ...string) *cliEnv {
	t.Helper()
	e := &cliEnv{world: ontapsim.New(ontapsim.Options{RoutePropagationDelay: -1}), dir: t.TempDir()}
	e.config = filepath.Join(e.dir, "peerd.yaml")
	if err := os.MkdirAll(filepath.Join(e.dir, "peers.d"), 0o700); err != nil {
		t.Fatal(err)
	}
	cliWrite(t, filepath.Join(e.dir, "sim.password"), ontapsim.DefaultPassword+"\n")
	var cfg strings.Builder
	cfg.WriteString("definitions: peers.d\nlog: {level: warn, format: json}\nclusters:\n")
	for _, name := range managed {
		c, err := e.world.AddCluster(ontapsim.ClusterConfig{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewTLSServer(c.Handler())
		t.Cleanup(srv.Close)
		ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		cliWrite(t, filepath.Join(e.dir, name+".pem"), string(ca))
		fmt.Fprintf(&cfg, "  - {name: %s, url: %q, username: admin, password_file: sim.password, ca_file: %s.pem}\n", name, srv.URL, name)
	}
	for _, name := range unmanaged {
		if _, err := e.world.AddCluster(ontapsim.ClusterConfig{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	cliWrite(t, e.config, cfg.String())
	return e
}

func cliWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// peerd runs the CLI and returns its exit code, stdout and stderr.
func (e *cliEnv) peerd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append(args, "--config", e.config), &out, &errb)
	return code, out.String(), errb.String()
}

// writes counts the mutating requests all clusters received.
func (e *cliEnv) writes() int {
	n := 0
	for _, c := range e.world.Clusters() {
		n += c.RequestCount("POST", "/api/cluster/peers") + c.RequestCount("PATCH", "/api/cluster/peers/{uuid}") +
			c.RequestCount("DELETE", "/api/cluster/peers/{uuid}")
	}
	return n
}

const abDefinition = "name: a-b\nlocal: {cluster: cluster-a}\nremote: {cluster: cluster-b}\npeer_applications: [snapmirror]\n"

// TestPlanApplyWorkflow walks the change-review workflow: plan shows the
// pending creates (exit 2 with --detailed-exitcode) and writes nothing,
// apply refuses without a terminal or --auto-approve, applies with it, and
// the next plan has no changes (exit 0).
func TestPlanApplyWorkflow(t *testing.T) {
	e := newCLIEnv(t, []string{"cluster-a", "cluster-b"})
	cliWrite(t, filepath.Join(e.dir, "peers.d", "a-b.yaml"), abDefinition)

	code, out, errOut := e.peerd(t, "plan", "--detailed-exitcode")
	if code != 2 || !strings.Contains(out, "Plan: 2 to create, 0 to update, 0 to delete.") ||
		!strings.Contains(out, "# a-b (peers.d/a-b.yaml:1) will be created") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, _ := e.peerd(t, "plan"); code != 0 {
		t.Errorf("plan without --detailed-exitcode: exit %d, want 0", code)
	}
	code, out, _ = e.peerd(t, "plan", "-o", "json")
	var doc struct {
		FormatVersion string `json:"format_version"`
		HasChanges    bool   `json:"has_changes"`
		Summary       struct{ Create int }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 {
		t.Fatalf("plan -o json: exit %d, %v\n%s", code, err, out)
	}
	if doc.FormatVersion != "1.0" || !doc.HasChanges || doc.Summary.Create != 2 {
		t.Errorf("json plan = %+v", doc)
	}

	code, _, errOut = e.peerd(t, "apply")
	if code != 1 || !strings.Contains(errOut, "--auto-approve") {
		t.Fatalf("apply without a terminal: exit %d, stderr %q", code, errOut)
	}
	if n := e.writes(); n != 0 {
		t.Fatalf("%d writes before apply", n)
	}

	code, out, errOut = e.peerd(t, "apply", "--auto-approve")
	if code != 0 || !strings.Contains(out, "Apply complete: 4 ok, 0 failed or skipped, 0 refused.") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, c := range e.world.Clusters() {
		ps := c.Peers()
		if len(ps) != 1 || ps[0].State != "available" {
			t.Fatalf("%s: %+v", c.Name(), ps)
		}
	}

	code, out, _ = e.peerd(t, "plan", "--detailed-exitcode")
	if code != 0 || !strings.Contains(out, "No changes.") {
		t.Fatalf("plan after apply: exit %d\n%s", code, out)
	}
	if code, out, _ := e.peerd(t, "apply"); code != 0 || !strings.Contains(out, "No changes.") {
		t.Fatalf("apply with nothing to do: exit %d\n%s", code, out)
	}
}

// TestPlanNeverShowsPassphrase plans and applies an unmanaged peer with an
// agreed passphrase and checks that it appears in no output.
func TestPlanNeverShowsPassphrase(t *testing.T) {
	e := newCLIEnv(t, []string{"cluster-a"}, "partner")
	const secret = "agreed-secret-passphrase-9"
	cliWrite(t, filepath.Join(e.dir, "partner.pass"), secret+"\n")
	addrs := e.world.Cluster("partner").InterclusterAddresses("")
	cliWrite(t, filepath.Join(e.dir, "peers.d", "p.yaml"), fmt.Sprintf(
		"name: a-partner\nlocal: {cluster: cluster-a}\nremote:\n  name: partner\n  ip_addresses: [%s]\n  passphrase_file: partner.pass\n",
		strings.Join(addrs, ", ")))
	var all strings.Builder
	for _, args := range [][]string{{"plan"}, {"plan", "-o", "json"}, {"apply", "--auto-approve"}, {"plan"}} {
		code, out, errOut := e.peerd(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		all.WriteString(out + errOut)
	}
	if strings.Contains(all.String(), secret) {
		t.Fatal("the passphrase appears in the output")
	}
	if !strings.Contains(all.String(), "(sensitive)") {
		t.Error("the plan does not mark the passphrase as sensitive")
	}
}

// TestPlanBrokenFileFails checks that a broken definition file makes plan
// exit 1 after printing what it could plan, and apply refuse.
func TestPlanBrokenFileFails(t *testing.T) {
	e := newCLIEnv(t, []string{"cluster-a", "cluster-b"})
	cliWrite(t, filepath.Join(e.dir, "peers.d", "a-b.yaml"), abDefinition)
	cliWrite(t, filepath.Join(e.dir, "peers.d", "typo.yaml"), "name: x\nlocal: {cluster: cluster-a}\nremot: {}\n")
	code, out, errOut := e.peerd(t, "plan", "--detailed-exitcode")
	if code != 1 || !strings.Contains(out, "Plan: 2 to create") || !strings.Contains(errOut, "typo.yaml") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := e.peerd(t, "apply", "--auto-approve"); code != 1 || !strings.Contains(errOut, "refusing to apply") {
		t.Fatalf("apply: exit %d\n%s", code, errOut)
	}
	if e.writes() != 0 {
		t.Error("writes happened")
	}
}
