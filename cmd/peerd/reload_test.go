package main

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestRunReloadRefusesUnusableConfig: a reloaded configuration that
// validates but cannot be used (here a ca_file that does not exist, so no
// ONTAP client can be built) is refused like one that fails to load: the
// running configuration keeps reconciling.
func TestRunReloadRefusesUnusableConfig(t *testing.T) {
	e := newSimEnv(t)
	e.define(t, "a-b.yaml", pairAB)
	d := startInProcess(t, "--config", e.config)
	waitUntil(t, "both sides available", func() bool {
		return established(e.a, "cluster-b") && established(e.b, "cluster-a")
	})
	reloads := func(result string) float64 {
		v, _ := metricValue(scrape(t, d.addr), "peerd_config_reloads_total", map[string]string{"result": result})
		return v
	}
	good, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, e.config, strings.Replace(string(good), "ca_file: cluster-a-ca.pem", "ca_file: missing-ca.pem", 1))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a refused reload", func() bool { return reloads("failure") == 1 })
	if v, _ := metricValue(scrape(t, d.addr), "peerd_config_last_reload_successful", nil); v != 0 {
		t.Fatalf("config_last_reload_successful = %v after an unusable config, want 0", v)
	}
	e.define(t, "a-b.yaml", strings.Replace(pairAB, "cluster: cluster-b\n", "cluster: cluster-b\n  peer_name: b-dr\n", 1))
	waitUntil(t, "the edit applied under the old configuration", func() bool { return established(e.b, "b-dr") })
}
