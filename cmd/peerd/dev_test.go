package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/peerd/peerd/desired"
)

// TestDevResolvesRelativePathsInTheExampleDirectory: relative paths of an
// example (a passphrase_file) resolve against the example directory, as
// they do when its peerd.yaml is used directly, not against the temporary
// directory of the generated config.
func TestDevResolvesRelativePathsInTheExampleDirectory(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"peers.d", "secrets"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	writeTestFile(t, filepath.Join(dir, "peerd.yaml"), "definitions: peers.d\nclusters:\n  - name: cluster-a\n  - name: cluster-b\n")
	writeTestFile(t, filepath.Join(dir, "secrets", "x.passphrase"), "agreed-passphrase-1\n")
	writeTestFile(t, filepath.Join(dir, "peers.d", "x.yaml"), `name: a-x
local:
  cluster: cluster-a
remote:
  name: partner-x
  ip_addresses: [203.0.113.7]
  passphrase_file: secrets/x.passphrase
`)
	d, err := startDevWorld(t.Context(), runFlags{dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	cfg, err := desired.LoadConfig(d.configPath)
	if err != nil {
		t.Fatal(err)
	}
	peers, broken := desired.LoadDir(cfg)
	for _, b := range broken {
		t.Errorf("broken: %v", b.Err)
	}
	if len(peers) != 1 {
		t.Fatalf("%d definitions loaded, want 1", len(peers))
	}
}
