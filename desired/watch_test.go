package desired

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// signalWait bounds how long a test waits for a change that must come; it is
// generous because the box is shared and slow, and only a failing test waits
// that long.
const signalWait = 15 * time.Second

func startWatch(t *testing.T, opts WatchOptions, dirs ...string) *Watcher {
	t.Helper()
	w, err := Watch(t.Context(), dirs, opts)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func waitSignal(t *testing.T, w *Watcher, what string) {
	t.Helper()
	select {
	case <-w.Changes():
	case <-time.After(signalWait):
		t.Fatalf("no change signal after %s", what)
	}
}

// drainQuiet consumes signals until none has come for quiet, so that a later
// signal can be attributed to what the test does next.
func drainQuiet(w *Watcher, quiet time.Duration) int {
	n := 0
	for {
		select {
		case <-w.Changes():
			n++
		case <-time.After(quiet):
			return n
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatchSignalsChanges(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(t *testing.T, dir string)
		change func(t *testing.T, dir string)
	}{
		{
			name:   "write new file",
			change: func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, "a.yaml"), "peers: []\n") },
		},
		{
			name:   "edit in place",
			setup:  func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, "a.yaml"), "x\n") },
			change: func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, "a.yaml"), "y\n") },
		},
		{
			name:  "rename over (editor save)",
			setup: func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, "a.yaml"), "x\n") },
			change: func(t *testing.T, dir string) {
				tmp := filepath.Join(dir, ".a.yaml.swp")
				writeFile(t, tmp, "y\n")
				if err := os.Rename(tmp, filepath.Join(dir, "a.yaml")); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:  "remove file",
			setup: func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, "a.yaml"), "x\n") },
			change: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "a.yaml")); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:   "configmap ..data symlink flip",
			setup:  func(t *testing.T, dir string) { configMapVersion(t, dir, "v1", "old\n") },
			change: func(t *testing.T, dir string) { configMapVersion(t, dir, "v2", "new\n") },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			w := startWatch(t, WatchOptions{}, dir)
			if n := drainQuiet(w, 3*DefaultDebounce); n != 0 {
				t.Fatalf("%d signals before any change", n)
			}
			tc.change(t, dir)
			waitSignal(t, w, tc.name)
		})
	}
}

// configMapVersion lays out dir as the kubelet does: a timestamped data
// directory, a ..data symlink swapped atomically by rename, and a file symlink
// through ..data.
func configMapVersion(t *testing.T, dir, version, content string) {
	t.Helper()
	data := filepath.Join(dir, "..v_"+version)
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(data, "peers.yaml"), content)
	tmp := filepath.Join(dir, "..data_tmp")
	if err := os.Symlink(filepath.Base(data), tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "peers.yaml")
	if _, err := os.Lstat(link); os.IsNotExist(err) {
		if err := os.Symlink(filepath.Join("..data", "peers.yaml"), link); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWatchBothDirectories(t *testing.T) {
	confDir, defsDir := t.TempDir(), t.TempDir()
	w := startWatch(t, WatchOptions{}, confDir, defsDir, confDir)
	if got := len(w.dirs); got != 2 {
		t.Fatalf("watching %d directories, want 2 (duplicates dropped)", got)
	}
	writeFile(t, filepath.Join(confDir, "peerd.yaml"), "listen: 127.0.0.1:0\n")
	waitSignal(t, w, "config file write")
	writeFile(t, filepath.Join(defsDir, "p.yaml"), "peers: []\n")
	waitSignal(t, w, "definition write")
}

func waitWatched(t *testing.T, w *Watcher, dir string) {
	t.Helper()
	deadline := time.Now().Add(signalWait)
	for !slices.Contains(w.fs.WatchList(), dir) {
		if time.Now().After(deadline) {
			t.Fatalf("%s not watched again; watching %v", dir, w.fs.WatchList())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWatchDirectoryReplaced(t *testing.T) {
	for _, how := range []string{"removed and recreated", "renamed away and replaced"} {
		t.Run(how, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "peers.d")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "a.yaml"), "x\n")
			w := startWatch(t, WatchOptions{PollMax: 200 * time.Millisecond}, dir)

			if how == "removed and recreated" {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			} else if err := os.Rename(dir, dir+".old"); err != nil {
				t.Fatal(err)
			}
			waitSignal(t, w, "directory went away")

			staged := filepath.Join(parent, "peers.d.new")
			if err := os.Mkdir(staged, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(staged, "a.yaml"), "y\n")
			if err := os.Rename(staged, dir); err != nil {
				t.Fatal(err)
			}
			waitWatched(t, w, dir)
			drainQuiet(w, 3*DefaultDebounce)

			writeFile(t, filepath.Join(dir, "b.yaml"), "z\n")
			waitSignal(t, w, "write into the replacement directory")
			if how == "renamed away and replaced" {
				// The old directory is no longer ours: writes there are not
				// reported.
				drainQuiet(w, 3*DefaultDebounce)
				writeFile(t, filepath.Join(dir+".old", "c.yaml"), "z\n")
				if n := drainQuiet(w, 3*DefaultDebounce); n != 0 {
					t.Fatalf("%d signals for a write into the moved-away directory", n)
				}
			}
		})
	}
}

func TestWatchDirectoryMissingAtStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "later")
	w := startWatch(t, WatchOptions{PollMax: 200 * time.Millisecond}, dir)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	waitWatched(t, w, dir)
	waitSignal(t, w, "directory appeared")
	drainQuiet(w, 3*DefaultDebounce)
	writeFile(t, filepath.Join(dir, "a.yaml"), "x\n")
	waitSignal(t, w, "write into the new directory")
}

func TestWatchBurstCoalesces(t *testing.T) {
	dir := t.TempDir()
	w := startWatch(t, WatchOptions{}, dir)
	const files = 250 // four events each (create, write, rename, remove) = 1,000 events
	for i := range files {
		tmp := filepath.Join(dir, fmt.Sprintf(".f%d.tmp", i))
		writeFile(t, tmp, "x\n")
		final := filepath.Join(dir, fmt.Sprintf("f%d.yaml", i))
		if err := os.Rename(tmp, final); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := os.Remove(final); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitSignal(t, w, "a burst of writes")
	n := 1 + drainQuiet(w, 2*(8*DefaultDebounce))
	if n > 2 {
		t.Fatalf("a burst of ~1,000 events gave %d signals, want at most 2", n)
	}
}

func TestWatchCloseStopsPollers(t *testing.T) {
	w, err := Watch(t.Context(), []string{filepath.Join(t.TempDir(), "never")}, WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = w.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(signalWait):
		t.Fatal("Close did not return")
	}
}

func TestWatchRejectsNoDirectories(t *testing.T) {
	if _, err := Watch(t.Context(), nil, WatchOptions{}); err == nil {
		t.Fatal("Watch with no directories: want an error")
	}
}

// A definition directory that is a symlink swapped to a new target (a
// release directory flipped with `ln -sfn`, rename-over) must be watched at
// its new target: edits there trigger passes, and removing the old target
// does not lose the watch.
func TestWatchSymlinkedDirectorySwapped(t *testing.T) {
	confDir := t.TempDir()
	rel1, rel2 := filepath.Join(confDir, "rel1"), filepath.Join(confDir, "rel2")
	for _, d := range []string{rel1, rel2} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(confDir, "peers.d")
	if err := os.Symlink("rel1", link); err != nil {
		t.Fatal(err)
	}
	w := startWatch(t, WatchOptions{PollMax: 200 * time.Millisecond}, confDir, link)

	tmp := filepath.Join(confDir, ".peers.d.tmp")
	if err := os.Symlink("rel2", tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	waitSignal(t, w, "symlink swap")
	if err := os.RemoveAll(rel1); err != nil {
		t.Fatal(err)
	}
	drainQuiet(w, 3*DefaultDebounce)

	writeFile(t, filepath.Join(link, "a.yaml"), "x\n")
	waitSignal(t, w, "write into the new symlink target")
}

// The same swap when the symlink's directory is not watched itself (the
// definitions live apart from the config file), with the old target kept.
func TestWatchSymlinkedDirectorySwappedParentNotWatched(t *testing.T) {
	confDir, base := t.TempDir(), t.TempDir()
	rel1, rel2 := filepath.Join(base, "rel1"), filepath.Join(base, "rel2")
	for _, d := range []string{rel1, rel2} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(base, "current")
	if err := os.Symlink("rel1", link); err != nil {
		t.Fatal(err)
	}
	w := startWatch(t, WatchOptions{PollMax: 200 * time.Millisecond}, confDir, link)

	tmp := filepath.Join(base, ".current.tmp")
	if err := os.Symlink("rel2", tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	waitSignal(t, w, "symlink swap")
	drainQuiet(w, 3*DefaultDebounce)

	writeFile(t, filepath.Join(link, "a.yaml"), "x\n")
	waitSignal(t, w, "write into the new symlink target")

	// Other entries of the symlink's directory are not ours.
	drainQuiet(w, 3*DefaultDebounce)
	writeFile(t, filepath.Join(base, "other.yaml"), "x\n")
	if n := drainQuiet(w, 3*DefaultDebounce); n != 0 {
		t.Fatalf("%d signals for a write beside the watched directory", n)
	}
}
