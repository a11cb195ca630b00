package reconcile

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/peerd/peerd/ontap"
)

// writeHandover replaces an offer's handover file with the passphrase: a
// temporary file created 0600 in the same directory, synced, then renamed
// over the old one, so a reader sees the old or the new passphrase, whole.
func writeHandover(path string, pass ontap.Secret) error {
	h, err := prepareHandover(path)
	if err != nil {
		return err
	}
	return h.commit(pass)
}

// handover is a handover file being replaced: its temporary file exists
// and is writable before ONTAP is asked for a passphrase, so that a
// directory peerd cannot write fails the action before the offer exists.
type handover struct {
	path string
	f    *os.File
}

// prepareHandover creates the temporary file (0600) beside path.
func prepareHandover(path string) (*handover, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file in %s: %w", dir, err)
	}
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, fmt.Errorf("chmod %s: %w", f.Name(), err)
	}
	return &handover{path: path, f: f}, nil
}

// commit writes the passphrase, syncs and renames the file into place.
func (h *handover) commit(pass ontap.Secret) error {
	tmp := h.f.Name()
	defer func() { _ = os.Remove(tmp) }() // no-op after the rename
	if _, err := h.f.WriteString(pass.Reveal() + "\n"); err != nil {
		_ = h.f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := h.f.Sync(); err != nil {
		_ = h.f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := h.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, h.path); err != nil {
		return fmt.Errorf("rename to %s: %w", h.path, err)
	}
	return nil
}

// discard removes the temporary file; the handover file is left as it was.
func (h *handover) discard() {
	_ = h.f.Close()
	_ = os.Remove(h.f.Name())
}
