package desired

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	defAB = "name: a-b\nlocal:\n  cluster: cluster-a\nremote:\n  cluster: cluster-b\n"
	defAC = "name: a-c\nlocal:\n  cluster: cluster-a\nremote:\n  cluster: cluster-c\n"
	defBC = "name: b-c\nlocal:\n  cluster: cluster-b\nremote:\n  cluster: cluster-c\n"
)

type loaderEnv struct {
	t      *testing.T
	dir    string // the definition directory
	loader *Loader
}

func newLoaderEnv(t *testing.T) *loaderEnv {
	cfg, tmp := caseConfig(t, "")
	return &loaderEnv{t: t, dir: filepath.Join(tmp, "peers.d"), loader: NewLoader(cfg)}
}

func (e *loaderEnv) write(name, content string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, name), []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

func (e *loaderEnv) remove(name string) {
	e.t.Helper()
	if err := os.Remove(filepath.Join(e.dir, name)); err != nil {
		e.t.Fatal(err)
	}
}

// load returns "name" or "name (frozen)" per peer and the broken files'
// base names.
func (e *loaderEnv) load() (peers, broken []string) {
	e.t.Helper()
	set, err := e.loader.Load()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range set.Peers {
		s := p.Name + " from " + filepath.Base(p.Source.File)
		if p.Frozen {
			s += " (frozen)"
		}
		peers = append(peers, s)
	}
	for _, b := range set.Broken {
		broken = append(broken, filepath.Base(b.File))
	}
	return peers, broken
}

func (e *loaderEnv) expect(step string, wantPeers, wantBroken []string) {
	e.t.Helper()
	peers, broken := e.load()
	if diff := cmp.Diff(wantPeers, peers); diff != "" {
		e.t.Errorf("%s: peers (-want +got):\n%s", step, diff)
	}
	if diff := cmp.Diff(wantBroken, broken); diff != "" {
		e.t.Errorf("%s: broken (-want +got):\n%s", step, diff)
	}
}

func TestLoaderFreezesBrokenFile(t *testing.T) {
	e := newLoaderEnv(t)
	e.write("ab.yaml", defAB+"---\n"+defAC)
	e.write("bc.yaml", defBC)
	e.expect("good", []string{"a-b from ab.yaml", "a-c from ab.yaml", "b-c from bc.yaml"}, nil)

	e.write("ab.yaml", defAB+"encryption: tls_pks\n---\n"+defAC)
	e.expect("validation problem", []string{"a-b from ab.yaml (frozen)", "a-c from ab.yaml (frozen)", "b-c from bc.yaml"}, []string{"ab.yaml"})

	e.write("ab.yaml", "name: a-b\nlocal:\n  cluster: clus")
	e.expect("being written", []string{"a-b from ab.yaml (frozen)", "a-c from ab.yaml (frozen)", "b-c from bc.yaml"}, []string{"ab.yaml"})

	e.write("ab.yaml", defAB)
	e.expect("fixed, a-c removed", []string{"a-b from ab.yaml", "b-c from bc.yaml"}, nil)

	e.write("ab.yaml", "remote: {")
	e.expect("broken again: the last good content is the fixed one", []string{"a-b from ab.yaml (frozen)", "b-c from bc.yaml"}, []string{"ab.yaml"})

	e.remove("ab.yaml")
	e.expect("removed", []string{"b-c from bc.yaml"}, nil)
}

func TestLoaderEmptyFileIsNotDeletion(t *testing.T) {
	for name, content := range map[string]string{
		"zero bytes":    "",
		"white space":   " \n\n\t\n",
		"comments only": "# being rewritten\n",
		"empty docs":    "---\n---\n",
	} {
		t.Run(name, func(t *testing.T) {
			e := newLoaderEnv(t)
			e.write("ab.yaml", defAB)
			e.expect("good", []string{"a-b from ab.yaml"}, nil)
			e.write("ab.yaml", content)
			e.expect("emptied", []string{"a-b from ab.yaml (frozen)"}, []string{"ab.yaml"})
			set, _ := e.loader.Load()
			got := strings.ReplaceAll(set.Broken[0].Err.Error(), e.dir+string(filepath.Separator), "")
			want := "ab.yaml: holds no definition but held 1: taken as being written; delete the file to remove its relationships"
			if got != want {
				t.Errorf("problem = %q, want %q", got, want)
			}
			e.write("ab.yaml", defAB)
			e.expect("refilled", []string{"a-b from ab.yaml"}, nil)
		})
	}
}

func TestLoaderEmptyNewFileIsFine(t *testing.T) {
	e := newLoaderEnv(t)
	e.write("new.yaml", "")
	e.write("ab.yaml", defAB)
	e.expect("empty new file", []string{"a-b from ab.yaml"}, nil)
}

func TestLoaderIgnoresSwapAndDotfiles(t *testing.T) {
	e := newLoaderEnv(t)
	e.write("ab.yaml", defAB)
	e.expect("good", []string{"a-b from ab.yaml"}, nil)
	for _, name := range []string{".ab.yaml.swp", ".ab.yaml.swx", "ab.yaml~", "#ab.yaml#", ".#ab.yaml", ".ab.yaml", "ab.yaml.swp", "ab.yaml.bak", "notes.txt"} {
		e.write(name, "name: [half written\n")
	}
	if err := os.Mkdir(filepath.Join(e.dir, "sub.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.write("sub.yaml/ac.yaml", defAC) // not recursive
	e.expect("with swap files", []string{"a-b from ab.yaml"}, nil)
}

func TestLoaderFollowsSymlinks(t *testing.T) {
	e := newLoaderEnv(t)
	// A Kubernetes ConfigMap volume: ..data -> version dir, x.yaml -> ..data/x.yaml.
	version := filepath.Join(e.dir, "..2026_01_01")
	if err := os.Mkdir(version, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(version, "ab.yaml"), []byte(defAB), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..2026_01_01", filepath.Join(e.dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/ab.yaml", filepath.Join(e.dir, "ab.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/missing.yaml", filepath.Join(e.dir, "dangling.yaml")); err != nil {
		t.Fatal(err)
	}
	e.expect("configmap", []string{"a-b from ab.yaml"}, nil)
}

func TestLoaderConflictFreezesBothSides(t *testing.T) {
	e := newLoaderEnv(t)
	e.write("a.yaml", defAB)
	e.expect("good", []string{"a-b from a.yaml"}, nil)
	// A new file declares the same pair reversed: the old file keeps its
	// definitions frozen, the new one brings nothing.
	e.write("b.yaml", "name: b-a\nlocal:\n  cluster: cluster-b\nremote:\n  cluster: cluster-a\n")
	e.expect("conflict", []string{"a-b from a.yaml (frozen)"}, []string{"a.yaml", "b.yaml"})
	e.remove("b.yaml")
	e.expect("conflict gone", []string{"a-b from a.yaml"}, nil)
}

func TestLoaderConflictWithFrozenDefinition(t *testing.T) {
	e := newLoaderEnv(t)
	e.write("a.yaml", defAB)
	e.expect("good", []string{"a-b from a.yaml"}, nil)
	e.write("a.yaml", "name: [")
	// While a.yaml is broken, its a-b stays in force: a new file cannot
	// take the pair over.
	e.write("b.yaml", "name: b-a\nlocal:\n  cluster: cluster-b\nremote:\n  cluster: cluster-a\n")
	e.expect("conflict with frozen", []string{"a-b from a.yaml (frozen)"}, []string{"a.yaml", "b.yaml"})
}

func TestLoaderSecretFileChanges(t *testing.T) {
	e := newLoaderEnv(t)
	secret := filepath.Join(filepath.Dir(e.dir), "secrets", "x.passphrase")
	writeSecret(t, secret, "first-passphrase")
	e.write("x.yaml", "name: a-x\nlocal: {cluster: cluster-a}\nremote:\n  name: partner-x\n  ip_addresses: [203.0.113.7]\n  passphrase_file: secrets/x.passphrase\n")
	passphrase := func() string {
		set, err := e.loader.Load()
		if err != nil || len(set.Peers) != 1 {
			t.Fatalf("load: %v, %d peers", err, len(set.Peers))
		}
		return set.Peers[0].Remote.Passphrase.Reveal()
	}
	if got := passphrase(); got != "first-passphrase" {
		t.Fatalf("passphrase %q", got)
	}
	writeSecret(t, secret, "second-passphrase")
	if got := passphrase(); got != "second-passphrase" {
		t.Fatalf("rotated passphrase %q", got)
	}
	if err := os.Chmod(secret, 0o644); err != nil {
		t.Fatal(err)
	}
	e.expect("secret opened up", []string{"a-x from x.yaml (frozen)"}, []string{"x.yaml"})
	if got := passphrase(); got != "second-passphrase" {
		t.Fatalf("frozen passphrase %q", got)
	}
}

func TestLoaderDirectoryGone(t *testing.T) {
	e := newLoaderEnv(t)
	e.write("ab.yaml", defAB)
	e.expect("good", []string{"a-b from ab.yaml"}, nil)
	if err := os.RemoveAll(e.dir); err != nil {
		t.Fatal(err)
	}
	set, err := e.loader.Load()
	if err == nil {
		t.Fatal("no error for a missing directory")
	}
	if len(set.Peers) != 1 || !set.Peers[0].Frozen {
		t.Fatalf("peers %+v, want a-b frozen", set.Peers)
	}
	if err := os.Mkdir(e.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e.write("ab.yaml", defAB)
	e.expect("back", []string{"a-b from ab.yaml"}, nil)
}

func TestLoaderSetConfigKeepsMemory(t *testing.T) {
	e := newLoaderEnv(t)
	e.write("ab.yaml", defAB)
	e.expect("good", []string{"a-b from ab.yaml"}, nil)
	e.write("ab.yaml", "name: [")
	cfg := *e.loader.cfg
	e.loader.SetConfig(&cfg)
	e.expect("reloaded config", []string{"a-b from ab.yaml (frozen)"}, []string{"ab.yaml"})
}

func TestIsDefinitionFile(t *testing.T) {
	for name, want := range map[string]bool{
		"a.yaml": true, "a.yml": true, "a.YAML": false, "a.json": false, ".a.yaml": false,
		"a.yaml~": false, "#a.yaml#": false, ".#a.yaml": false, "a.yaml.swp": false, "": false,
	} {
		if got := IsDefinitionFile(name); got != want {
			t.Errorf("IsDefinitionFile(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestLoaderSkipsConfigFile(t *testing.T) {
	e := newLoaderEnv(t)
	// definitions: . puts peerd.yaml among the definition files.
	e.loader.cfg.Definitions = filepath.Dir(e.loader.cfg.Path)
	e.dir = e.loader.cfg.Definitions
	e.write("ab.yaml", defAB)
	e.expect("config beside definitions", []string{"a-b from ab.yaml"}, nil)
}

// BenchmarkLoad measures a full load of 50 files of 10 unmanaged
// definitions each (500 relationships, every one cross-checked).
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	cfg := &Config{
		Path:        filepath.Join(dir, "peerd.yaml"),
		Definitions: dir,
		Clusters:    []Cluster{{Name: "cluster-a"}},
	}
	for f := range 50 {
		var sb strings.Builder
		for d := range 10 {
			n := f*10 + d
			fmt.Fprintf(&sb, "---\nname: r%d\nlocal: {cluster: cluster-a}\nremote:\n  name: partner%d\n  ip_addresses: [10.%d.%d.1, 10.%d.%d.2]\n  offer: {handover_file: offers/%d}\n",
				n, n, n/256, n%256, n/256, n%256, n)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.yaml", f)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	l := NewLoader(cfg)
	b.ReportAllocs()
	for b.Loop() {
		set, err := l.Load()
		if err != nil || len(set.Peers) != 500 || len(set.Broken) != 0 {
			b.Fatalf("load: %v, %d peers, %d broken", err, len(set.Peers), len(set.Broken))
		}
	}
}
