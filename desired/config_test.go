package desired

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// configCopy copies testdata/config/<name>.yaml to <tmp>/peerd.yaml with
// good (0600) and open (0644) secret files beside it.
func configCopy(t *testing.T, name string) (path, dir string) {
	t.Helper()
	t.Setenv("PEERD_TEST_PASSWORD", "test-password")
	dir = t.TempDir()
	b, err := os.ReadFile(filepath.Join("testdata/config", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "peerd.yaml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	writeSecret(t, filepath.Join(dir, "secrets/good.password"), "file-password")
	writeSecret(t, filepath.Join(dir, "secrets/open.password"), "file-password")
	if err := os.Chmod(filepath.Join(dir, "secrets/open.password"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeSecret(t, filepath.Join(dir, "certs/peerd.key"), "key")
	return path, dir
}

func TestLoadConfigProblems(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"inline-password", []string{
			`peerd.yaml:5:5: cluster "cluster-a": password: inline passwords are not allowed: use password_file or password_env`,
		}},
		{"unknown-key", []string{
			`peerd.yaml:1:1: resync_intervall: unknown field (did you mean resync_interval?)`,
			`peerd.yaml:7:18: cluster "cluster-a": rate_limit.rps: unknown field`,
		}},
		{"password-sources", []string{
			`peerd.yaml:5:20: cluster "missing-file": password_file: cannot read secrets/missing.password: no such file or directory`,
			`peerd.yaml:9:20: cluster "open-file": password_file: secrets/open.password is accessible by group or others (mode 0644): chmod 600 it`,
			`peerd.yaml:13:19: cluster "unset-env": password_env: environment variable PEERD_TEST_UNSET is not set`,
			`peerd.yaml:18:19: cluster "both": password_env: set either password_file or password_env, not both`,
			`peerd.yaml:19:5: cluster "none": set password_file or password_env (or cert_file and key_file)`,
		}},
		{"clusters", []string{
			`peerd.yaml:3:10: cluster "cluster-a": url: scheme must be https`,
			`peerd.yaml:6:11: cluster "cluster-a": name: duplicate cluster name; also at line 2`,
			`peerd.yaml:7:10: cluster "cluster-a": url: must not hold credentials: use username and password_file or password_env`,
			`peerd.yaml:10:14: cluster "cluster-a": timeout: must be positive`,
			`peerd.yaml:11:39: cluster "cluster-a": rate_limit.requests_per_second: must be positive`,
			`peerd.yaml:11:49: cluster "cluster-a": rate_limit.burst: must be at least 1`,
			`peerd.yaml:12:22: cluster "cluster-a": labels.__meta: invalid label name "__meta"`,
			`peerd.yaml:12:48: cluster "cluster-a": labels.cluster: "cluster" is reserved: every series of the cluster has it already`,
			`peerd.yaml:12:36: cluster "cluster-a": labels.site-name: invalid label name "site-name"`,
			`peerd.yaml:13:11: cluster "9lives": name: invalid cluster name: 1-44 letters, digits, '.', '_' or '-', starting with a letter`,
			`peerd.yaml:14:10: cluster "9lives": url: want an address such as https://cluster-a.example.com`,
			`peerd.yaml:13:5: cluster "9lives": username: required (or use cert_file and key_file)`,
			`peerd.yaml:16:5: cluster "certs": cert_file and key_file go together`,
			`peerd.yaml:16:5: cluster "certs": set either a password (password_file, password_env) or a client certificate (cert_file, key_file), not both`,
		}},
		{"settings", []string{
			`peerd.yaml:1:18: resync_interval: must be at least 10s`,
			`peerd.yaml:2:22: prune.max_deletes: must not be negative`,
			`peerd.yaml:3:9: listen: want host:port, e.g. 127.0.0.1:9731`,
			`peerd.yaml:4:14: log.level: unknown level "verbose": want one of trace, debug, info, warn, error`,
			`peerd.yaml:4:31: log.format: unknown format "xml": want one of auto, json, text`,
			`peerd.yaml:5:14: concurrency: must be at least 1`,
			`peerd.yaml:6:1: clusters: at least one cluster is required`,
		}},
		{"empty", []string{`peerd.yaml: config file is empty`}},
		{"two-documents", []string{`peerd.yaml:2:1: a config file holds one YAML document`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, dir := configCopy(t, tt.name)
			cfg, err := LoadConfig(path)
			if cfg != nil {
				t.Errorf("config returned with problems")
			}
			var got []string
			for _, e := range Problems(err) {
				got = append(got, strings.ReplaceAll(e.Error(), dir+string(filepath.Separator), ""))
				if strings.Contains(e.Error(), "password") && (strings.Contains(e.Error(), "netapp1!") || strings.Contains(e.Error(), "test-password") || strings.Contains(e.Error(), ":secret@")) {
					t.Errorf("problem shows a secret: %s", e)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	path, dir := configCopy(t, "minimal")
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Definitions:    filepath.Join(dir, "peers.d"),
		ResyncInterval: Duration(5 * time.Minute),
		Prune:          PrunePolicy{MaxDeletes: 1},
		Listen:         "127.0.0.1:9731",
		Log:            LogConfig{Level: "info", Format: "auto"},
		Concurrency:    8,
		Path:           path,
		Clusters: []Cluster{{
			Name: "cluster-a", URL: "https://cluster-a.example.com", Username: "admin",
			PasswordFile: filepath.Join(dir, "secrets/good.password"), Password: "file-password",
			Timeout: Duration(30 * time.Second), RateLimit: RateLimit{RequestsPerSecond: 10, Burst: 20},
			Source: Source{File: path, Line: 2, Column: 5},
		}},
	}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if len(cfg.Warnings()) != 0 {
		t.Errorf("warnings: %v", cfg.Warnings())
	}
}

func TestLoadConfigFull(t *testing.T) {
	path, dir := configCopy(t, "full")
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Definitions:    "/etc/peerd/peers.d",
		ResyncInterval: Duration(2 * time.Minute),
		DryRun:         true,
		Prune:          PrunePolicy{MaxDeletes: 0},
		Listen:         "[::1]:9999",
		WebConfigFile:  filepath.Join(dir, "web.yaml"),
		Log:            LogConfig{Level: "debug", Format: "json"},
		Concurrency:    2,
		Path:           path,
		Clusters: []Cluster{{
			Name: "cluster-a", URL: "https://cluster-a.example.com", Username: "admin",
			PasswordEnv: "PEERD_TEST_PASSWORD", Password: "test-password",
			CAFile: filepath.Join(dir, "ca.pem"), InsecureSkipVerify: true,
			Timeout: Duration(10 * time.Second), RateLimit: RateLimit{RequestsPerSecond: 2.5, Burst: 5},
			Labels: map[string]string{"site": "paris"}, Prune: true,
			Source: Source{File: path, Line: 10, Column: 5},
		}, {
			Name: "cluster-b", URL: "https://cluster-b.example.com",
			CertFile: filepath.Join(dir, "certs/peerd.pem"), KeyFile: filepath.Join(dir, "certs/peerd.key"),
			Timeout: Duration(30 * time.Second), RateLimit: RateLimit{RequestsPerSecond: 10, Burst: 20},
			Source: Source{File: path, Line: 20, Column: 5},
		}},
	}
	if diff := cmp.Diff(want, cfg, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	var warns []string
	for _, w := range cfg.Warnings() {
		warns = append(warns, strings.ReplaceAll(w.Error(), dir+string(filepath.Separator), ""))
	}
	if diff := cmp.Diff([]string{`peerd.yaml:10:5: cluster "cluster-a": insecure_skip_verify: TLS certificate verification is disabled`}, warns); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	_, err := LoadConfig(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !os.IsNotExist(errorsUnwrapAll(err)) {
		t.Fatalf("err = %v, want a not-exist error", err)
	}
}

func errorsUnwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}
