package examples

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestNamesMatchTheDirectories(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if got := Names(); !slices.Equal(got, dirs) {
		t.Errorf("Names() = %v, want the example directories %v", got, dirs)
	}
}

func TestCopyCreatesSecretFiles(t *testing.T) {
	dir := t.TempDir()
	cfg, err := Copy(dir, "unmanaged-passphrase", "s3cret-passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if cfg != filepath.Join(dir, "peerd.yaml") {
		t.Errorf("config path %s", cfg)
	}
	if _, err := os.Stat(cfg); err != nil {
		t.Fatal(err)
	}
	for _, s := range SecretFiles("unmanaged-passphrase") {
		fi, err := os.Stat(filepath.Join(dir, s))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", s, fi.Mode().Perm())
		}
	}
	defs, err := filepath.Glob(filepath.Join(dir, "peers.d", "*.yaml"))
	if err != nil || len(defs) == 0 {
		t.Errorf("no definitions copied: %v %v", defs, err)
	}
	if _, err := Copy(t.TempDir(), "no-such-example", "x"); err == nil {
		t.Error("copying an unknown example succeeded")
	}
}
