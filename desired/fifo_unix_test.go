//go:build unix

package desired

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO as a secret file must be refused, not opened: opening it would
// block the load until a writer came.
func TestReadSecretFileRefusesFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readSecretFile(p); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("err = %v", err)
	}
}
