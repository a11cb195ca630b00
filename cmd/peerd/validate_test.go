package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/examples"
)

// exampleCopy copies examples/<name> to a temporary directory and returns
// the copy's config path.
func exampleCopy(t *testing.T, name string) string {
	t.Helper()
	cfg, err := examples.Copy(t.TempDir(), name, "example-secret-1234")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestValidateOK(t *testing.T) {
	t.Setenv("PEERD_CLUSTER_A_PASSWORD", "a-password")
	t.Setenv("PEERD_CLUSTER_B_PASSWORD", "b-password")
	t.Setenv("PEERD_CLUSTER_C_PASSWORD", "c-password")
	config := exampleCopy(t, "absent")
	code, stdout, stderr := runCLI(t, "validate", "--config", config)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if want := "ok: 3 clusters, 2 relationships (1 absent) in 2 files\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
}

func TestValidateProblems(t *testing.T) {
	t.Setenv("PEERD_SIM_PASSWORD", "netapp1!")
	config := exampleCopy(t, "quickstart")
	dir := filepath.Dir(config)
	defs := filepath.Join(dir, "peers.d")
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(defs, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("typo.yaml", "name: a-c\nlocal: {cluster: cluster-a}\nremote: {cluster: cluster-c}\nencryption: tls\n")
	write("reversed.yaml", "name: b-a\nlocal:\n  cluster: cluster-b\nremote:\n  cluster: cluster-a\n")
	t.Chdir(dir)
	code, stdout, stderr := runCLI(t, "validate", "-c", "peerd.yaml")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if stderr != "" {
		t.Errorf("stderr = %q", stderr)
	}
	want := strings.Join([]string{
		`peers.d/a-b.yaml:8:1: peer "a-b": remote: relationship cluster-a <-> cluster-b declared twice; also in peer "b-a" at reversed.yaml:1:1`,
		`peers.d/reversed.yaml:4:1: peer "b-a": remote: relationship cluster-a <-> cluster-b declared twice; also in peer "a-b" at a-b.yaml:5:1`,
		`peers.d/typo.yaml:3:19: peer "a-c": remote.cluster: unknown cluster "cluster-c": configured clusters are cluster-a, cluster-b`,
		`peers.d/typo.yaml:4:13: peer "a-c": encryption: unknown encryption "tls": want tls_psk or none`,
	}, "\n") + "\n"
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
}

func TestValidateConfigProblems(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "peerd.yaml")
	if err := os.WriteFile(config, []byte("clusters:\n  - name: lab\n    url: https://lab.example.com\n    username: admin\n    password: netapp1!\n    insecure_skip_verify: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "validate", "--config", config)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := config + `:5:5: cluster "lab": password: inline passwords are not allowed: use password_file or password_env` + "\n"
	if stdout != want || stderr != "" {
		t.Errorf("stdout %q, stderr %q; want stdout %q", stdout, stderr, want)
	}
	if strings.Contains(stdout+stderr, "netapp1!") {
		t.Error("output shows the password")
	}
}

func TestValidateWarnings(t *testing.T) {
	t.Setenv("PEERD_TEST_PASSWORD", "x")
	dir := t.TempDir()
	config := filepath.Join(dir, "peerd.yaml")
	if err := os.WriteFile(config, []byte("clusters:\n  - name: lab\n    url: https://lab.example.com\n    username: admin\n    password_env: PEERD_TEST_PASSWORD\n    insecure_skip_verify: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "peers.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "validate", "--config", config)
	if code != 0 || stdout != "ok: 1 cluster, 0 relationships in 0 files\n" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	if want := "warning: " + config + `:2:5: cluster "lab": insecure_skip_verify: TLS certificate verification is disabled` + "\n"; stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
}

func TestValidateMissingDirectory(t *testing.T) {
	t.Setenv("PEERD_TEST_PASSWORD", "x")
	dir := t.TempDir()
	config := filepath.Join(dir, "peerd.yaml")
	if err := os.WriteFile(config, []byte("definitions: nowhere\nclusters:\n  - name: lab\n    url: https://lab.example.com\n    username: admin\n    password_env: PEERD_TEST_PASSWORD\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := runCLI(t, "validate", "--config", config)
	if want := filepath.Join(dir, "nowhere") + ": cannot read definition directory: no such file or directory\n"; code != 1 || stdout != want {
		t.Errorf("exit %d, stdout %q, want %q", code, stdout, want)
	}
}

func TestSchemaCommand(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"schema"}, desired.PeerSchema()},
		{[]string{"schema", "--config"}, desired.ConfigSchema()},
	} {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != 0 || stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", tt.args, code, stderr)
		}
		if strings.TrimSpace(stdout) != strings.TrimSpace(tt.want) || !strings.Contains(stdout, `"$schema": "https://json-schema.org/draft/2020-12/schema"`) {
			t.Errorf("%v printed something else", tt.args)
		}
	}
}
