package reconcile

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/peerd/peerd/desired"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenDesired is a test case's desired state: a desired.Set written out,
// plus the pass's time.
type goldenDesired struct {
	Now    time.Time      `yaml:"now"`
	Config desired.Config `yaml:"config"`
	Broken []string       `yaml:"broken"`
	Peers  []goldenPeer   `yaml:"peers"`
}

type goldenPeer struct {
	desired.Peer `yaml:",inline"`
	Frozen       bool   `yaml:"frozen"`
	File         string `yaml:"file"`
	Line         int    `yaml:"line"`
}

func loadGolden(t *testing.T, dir string) (*desired.Set, *Observed, time.Time) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "desired.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var gd goldenDesired
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&gd); err != nil {
		t.Fatalf("decode desired.yaml: %v", err)
	}
	set := &desired.Set{Config: &gd.Config}
	for _, b := range gd.Broken {
		set.Broken = append(set.Broken, desired.FileError{File: b, Err: errors.New("line 3: field remot not found in type desired.Peer")})
	}
	for _, gp := range gd.Peers {
		p := gp.Peer
		p.Frozen = gp.Frozen
		p.Source = desired.Source{File: gp.File, Line: gp.Line}
		if p.State == "" {
			p.State = desired.Present
		}
		set.Peers = append(set.Peers, p)
	}
	raw, err = os.ReadFile(filepath.Join(dir, "observed.json"))
	if err != nil {
		t.Fatal(err)
	}
	obs := &Observed{}
	jd := json.NewDecoder(bytes.NewReader(raw))
	jd.DisallowUnknownFields()
	if err := jd.Decode(obs); err != nil {
		t.Fatalf("decode observed.json: %v", err)
	}
	if gd.Now.IsZero() {
		gd.Now = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	}
	return set, obs, gd.Now
}

// compareGolden compares got with the file, or rewrites it with -update.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reconcile -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestGolden runs Diff and Render over every testdata case and compares the
// text plan (and the JSON plan where plan.json exists or -update asks for
// one via a "json" marker file).
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/desired.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, f := range dirs {
		dir := filepath.Dir(f)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			set, obs, now := loadGolden(t, dir)
			plan := Diff(set, obs, now)
			var text bytes.Buffer
			if err := plan.Render(&text, RenderOptions{}); err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join(dir, "plan.golden"), text.Bytes())

			// Determinism: the same inputs render byte-identical output.
			var again bytes.Buffer
			_ = Diff(set, obs, now).Render(&again, RenderOptions{})
			if !bytes.Equal(text.Bytes(), again.Bytes()) {
				t.Error("two renders of the same inputs differ")
			}
			jsonPath := filepath.Join(dir, "plan.json")
			if _, err := os.Stat(jsonPath); err == nil {
				var js bytes.Buffer
				if err := plan.RenderJSON(&js); err != nil {
					t.Fatal(err)
				}
				compareGolden(t, jsonPath, js.Bytes())
			}
		})
	}
}
