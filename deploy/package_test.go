package deploy_test

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/peerd/peerd/desired"
)

// unitDirectives reads a systemd unit into "Section.Key" -> values.
func unitDirectives(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	out := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: not a directive: %q", path, line)
			}
			out[section+"."+k] = append(out[section+"."+k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUnitFile(t *testing.T) {
	u := unitDirectives(t, "systemd/peerd.service")
	want := map[string]string{
		"Service.Type":                    "notify",
		"Service.ExecStart":               "/usr/bin/peerd run --config /etc/peerd/peerd.yaml",
		"Service.ExecReload":              `/bin/sh -c 'kill -HUP "$MAINPID"'`,
		"Service.EnvironmentFile":         "-/etc/peerd/peerd.env",
		"Service.Restart":                 "on-failure",
		"Service.WatchdogSec":             "60s",
		"Service.DynamicUser":             "yes",
		"Service.StateDirectory":          "peerd",
		"Service.ProtectSystem":           "strict",
		"Service.ProtectHome":             "yes",
		"Service.NoNewPrivileges":         "yes",
		"Service.PrivateTmp":              "yes",
		"Service.CapabilityBoundingSet":   "",
		"Service.RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"Install.WantedBy":                "multi-user.target",
	}
	for k, v := range want {
		got, ok := u[k]
		if !ok || len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// ProtectSystem=strict leaves only the state directory writable.
	if rw := u["Service.ReadWritePaths"]; len(rw) > 0 {
		t.Errorf("ReadWritePaths %q: peerd writes only its StateDirectory", rw)
	}
}

type nfpmConfig struct {
	Contents []struct {
		Src      string `yaml:"src"`
		Dst      string `yaml:"dst"`
		Type     string `yaml:"type"`
		FileInfo struct {
			Mode os.FileMode `yaml:"mode"`
		} `yaml:"file_info"`
	} `yaml:"contents"`
	Scripts map[string]string `yaml:"scripts"`
}

func TestPackageRecipe(t *testing.T) {
	b, err := os.ReadFile("nfpm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg nfpmConfig
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	dst := map[string]string{} // dst -> type
	for _, c := range cfg.Contents {
		dst[c.Dst] = c.Type
		if c.Src == "" || strings.HasPrefix(c.Src, "bin/") || strings.HasPrefix(c.Src, "dist/") {
			continue // built by make package
		}
		if _, err := os.Stat(filepath.Join("..", c.Src)); err != nil {
			t.Errorf("package source %s: %v", c.Src, err)
		}
		if c.Dst == "/etc/peerd/peerd.env" && c.FileInfo.Mode != 0o600 {
			t.Errorf("peerd.env is packaged with mode %04o, want 0600", c.FileInfo.Mode)
		}
	}
	for _, conf := range []string{"/etc/peerd/peerd.yaml", "/etc/peerd/peerd.env"} {
		if dst[conf] != "config|noreplace" {
			t.Errorf("%s: type %q, want config|noreplace", conf, dst[conf])
		}
	}
	// The unit's paths are the packaged ones.
	u := unitDirectives(t, "systemd/peerd.service")
	for _, p := range []string{"/usr/bin/peerd", "/etc/peerd/peerd.yaml", "/usr/lib/systemd/system/peerd.service",
		"/etc/peerd/peerd.env", "/usr/share/bash-completion/completions/peerd"} {
		if _, ok := dst[p]; !ok {
			t.Errorf("%s is not in the package", p)
		}
	}
	if !strings.Contains(u["Service.ExecStart"][0], "/etc/peerd/peerd.yaml") {
		t.Error("ExecStart does not use the packaged config")
	}
	for _, script := range []string{"postinstall", "preremove", "postremove"} {
		p := cfg.Scripts[script]
		st, err := os.Stat(filepath.Join("..", p))
		if err != nil {
			t.Errorf("%s script: %v", script, err)
			continue
		}
		if st.Mode().Perm()&0o111 == 0 {
			t.Errorf("%s script %s is not executable", script, p)
		}
	}
}

// The packaged example configuration must load with the real loader, and
// the example scrape target must be where peerd listens by default.
func TestExampleConfigLoads(t *testing.T) {
	t.Setenv("PEERD_CLUSTER_A_PASSWORD", "example-a")
	t.Setenv("PEERD_CLUSTER_B_PASSWORD", "example-b")
	cfg, err := desired.LoadConfig("peerd.yaml")
	if err != nil {
		t.Fatalf("deploy/peerd.yaml: %v", err)
	}
	if len(cfg.Clusters) != 2 || cfg.Listen != desired.DefaultListen {
		t.Errorf("clusters %d, listen %q", len(cfg.Clusters), cfg.Listen)
	}
	if want := filepath.Join(filepath.Dir(cfg.Path), "peers.d"); cfg.Definitions != want {
		t.Errorf("definitions %q, want %q (packaged as /etc/peerd/peers.d)", cfg.Definitions, want)
	}

	var prom struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	b, err := os.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &prom); err != nil {
		t.Fatal(err)
	}
	if len(prom.ScrapeConfigs) != 1 || prom.ScrapeConfigs[0].JobName != "peerd" ||
		!slices.Contains(prom.ScrapeConfigs[0].StaticConfigs[0].Targets, desired.DefaultListen) {
		t.Errorf("prometheus.yml: want job peerd scraping %s, got %+v", desired.DefaultListen, prom.ScrapeConfigs)
	}
}
