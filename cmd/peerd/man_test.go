package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestManWritesAPagePerCommand(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1796400000") // 2026-12-04
	dir := filepath.Join(t.TempDir(), "man1")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"man", "--dir", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("peerd man: exit %d, stderr %q", code, stderr.String())
	}

	// Every available command of the tree has a page; hidden ones do not.
	var want []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		want = append(want, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	root := newRootCmd(&stdout, &stderr)
	root.InitDefaultCompletionCmd()
	walk(root)
	for _, name := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("missing page: %v", err)
			continue
		}
		page := string(b)
		if !strings.HasPrefix(page, `.nh`) || !strings.Contains(page, ".TH ") {
			t.Errorf("%s is not a roff man page:\n%.200s", name, page)
		}
		if !strings.Contains(page, "Dec 2026") {
			t.Errorf("%s ignores SOURCE_DATE_EPOCH:\n%.200s", name, page)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "peerd-man.1")); err == nil {
		t.Error("the hidden man command documents itself")
	}
	root1, _ := os.ReadFile(filepath.Join(dir, "peerd.1"))
	if !strings.Contains(string(root1), "peerd-version(1)") {
		t.Errorf("peerd.1 does not refer to peerd-version(1):\n%s", root1)
	}
}

func TestManRequiresDir(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"man"}, &stdout, &stderr); code == 0 {
		t.Fatal("peerd man without --dir succeeded")
	}
	if !strings.Contains(stderr.String(), "dir") {
		t.Errorf("stderr %q does not name the missing flag", stderr.String())
	}
}
