// Package examples holds complete peerd setups, one directory each
// (peerd.yaml and peers.d/), and lets tests copy one into a directory
// together with the secret files git cannot keep: peerd requires secret
// files to be 0600, and git records only the executable bit.
package examples

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

//go:embed */peerd.yaml */peers.d
var files embed.FS

// secretFiles are the secret files each example references, relative to
// its directory.
var secretFiles = map[string][]string{
	"ipspaces-bootstrap":   {"secrets/cluster-a.password", "secrets/cluster-b.password"},
	"unmanaged-passphrase": {"secrets/cluster-a.password", "secrets/partner-x.passphrase"},
	"offer":                {"secrets/cluster-a.password"},
}

// PasswordEnv lists the environment variables the examples read cluster
// passwords from (password_env).
func PasswordEnv() []string {
	return []string{"PEERD_SIM_PASSWORD", "PEERD_CLUSTER_A_PASSWORD", "PEERD_CLUSTER_B_PASSWORD", "PEERD_CLUSTER_C_PASSWORD"}
}

// Names lists the examples, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".") // the embedded root always reads
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// SecretFiles lists the secret files example name references, relative to
// its directory.
func SecretFiles(name string) []string { return slices.Clone(secretFiles[name]) }

// Copy writes example name into dir and creates its secret files (mode
// 0600) holding secret. It returns the path of the copy's peerd.yaml.
func Copy(dir, name, secret string) (string, error) {
	if !slices.Contains(Names(), name) {
		return "", fmt.Errorf("copy example %q: no such example", name)
	}
	err := fs.WalkDir(files, name, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(name, filepath.FromSlash(p))
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("copy example %q: %w", name, err)
	}
	for _, s := range secretFiles[name] {
		p := filepath.Join(dir, filepath.FromSlash(s))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return "", fmt.Errorf("copy example %q: %w", name, err)
		}
		if err := os.WriteFile(p, []byte(secret+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("copy example %q: %w", name, err)
		}
		if err := os.Chmod(p, 0o600); err != nil { // in case it existed
			return "", fmt.Errorf("copy example %q: %w", name, err)
		}
	}
	return filepath.Join(dir, "peerd.yaml"), nil
}
