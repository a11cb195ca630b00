package desired

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/peerd/peerd/ontap"
)

// maxSecretSize bounds a password or passphrase file.
const maxSecretSize = 64 << 10

// readSecretFile reads a password or passphrase. The file must be a regular
// file (symlinks are followed) that neither group nor others may access
// (0600 or 0400); surrounding white space, such as the final newline, is
// dropped and the rest must not be empty. Errors name the file, never its
// content.
func readSecretFile(path string) (string, error) {
	// Stat before opening: opening a FIFO or a device could block the load.
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("%s is accessible by group or others (mode %04o): chmod 600 it", path, perm)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretSize+1))
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, unwrapPath(err))
	}
	if len(b) > maxSecretSize {
		return "", fmt.Errorf("%s is larger than %d bytes", path, maxSecretSize)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return s, nil
}

// unwrapPath drops the operation and path of an *fs.PathError, which the
// caller already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// resolvePath makes a relative path relative to base (the config file's
// directory). Empty stays empty.
func resolvePath(base, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// secret wraps a resolved password or passphrase in the redacting type.
func secret(s string) ontap.Secret { return ontap.Secret(s) }
