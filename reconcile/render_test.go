package reconcile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRenderColor checks that colour codes appear only when asked for.
func TestRenderColor(t *testing.T) {
	set, obs, now := loadGolden(t, filepath.Join("testdata", "create-pair"))
	plan := Diff(set, obs, now)
	var plain, color bytes.Buffer
	if err := plan.Render(&plain, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := plan.Render(&color, RenderOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain output has escape codes")
	}
	if !strings.Contains(color.String(), ansiGreen+"+"+ansiReset) {
		t.Errorf("coloured output lacks a green +:\n%q", color.String())
	}
}

// TestPlanWithoutSecrets checks that a plan built from a definition whose
// passphrase is known never carries it, in text or JSON.
func TestPlanWithoutSecrets(t *testing.T) {
	set, obs, now := loadGolden(t, filepath.Join("testdata", "unmanaged-passphrase"))
	for i := range set.Peers {
		set.Peers[i].Remote.Passphrase = "top-secret-passphrase"
	}
	plan := Diff(set, obs, now)
	var text, js bytes.Buffer
	_ = plan.Render(&text, RenderOptions{Verbose: true})
	_ = plan.RenderJSON(&js)
	if strings.Contains(text.String()+js.String(), "top-secret") {
		t.Fatal("the plan shows the passphrase")
	}
}

func TestISODuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour:                        "PT1H",
		48 * time.Hour:                   "P2D",
		90 * time.Minute:                 "PT1H30M",
		time.Hour + 5*time.Second:        "PT1H5S",
		0:                                "PT0S",
		7 * 24 * time.Hour:               "P7D",
		25*time.Hour + time.Minute:       "PT25H1M",
		30*time.Second + time.Nanosecond: "PT30S",
	} {
		if got := isoDuration(d); got != want {
			t.Errorf("isoDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestWriteHandover checks the handover file's mode and that a rewrite
// replaces the content whole.
func TestWriteHandover(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "offer.passphrase")
	if err := writeHandover(path, "first-passphrase"); err != nil {
		t.Fatal(err)
	}
	if err := writeHandover(path, "second"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if string(b) != "second\n" || st.Mode().Perm() != 0o600 {
		t.Fatalf("content %q mode %v", b, st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
