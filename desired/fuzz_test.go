package desired

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the definition parser and validator:
// it must never panic, every problem must be placed in the file, and a
// definition it accepts must have a name and a known local cluster.
func FuzzLoad(f *testing.F) {
	for _, glob := range []string{"../examples/*/peers.d/*.yaml", "testdata/defs/*/*.yaml"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"))
	f.Add([]byte("---\n---\n- 1\n"))
	f.Add([]byte("name: x\nlocal: {cluster: cluster-a, local_network: {ip_addresses: [1.2.3.4], netmask: '33'}}\n"))
	cfg := &Config{
		Path:        filepath.Join(f.TempDir(), "peerd.yaml"),
		Definitions: f.TempDir(),
		Clusters:    []Cluster{{Name: "cluster-a"}, {Name: "cluster-b"}, {Name: "cluster-c"}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defs, errs := parseFile(cfg, "fuzz.yaml", data)
		for _, e := range errs {
			if !strings.HasPrefix(e.Error(), "fuzz.yaml") {
				t.Errorf("problem not placed in the file: %s", e)
			}
		}
		for _, d := range defs {
			if d.peer.Name == "" {
				t.Errorf("definition without a name accepted")
			}
			if _, ok := cfg.Cluster(d.peer.Local.Cluster); !ok {
				t.Errorf("definition with unknown local cluster %q accepted", d.peer.Local.Cluster)
			}
		}
		entries := make([]entry, len(defs))
		for i, d := range defs {
			entries[i] = entry{def: d}
		}
		_ = crossCheck(entries)
	})
}
