package desired

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// IsDefinitionFile reports whether a file name in the definition directory
// is read as definitions: *.yaml or *.yml, except dotfiles (which covers
// ".#x.yaml" lock files, vim's ".x.yaml.swp" and the temporary files of
// atomic writes) and editor swap and backup files (*.swp, *~, #x#).
func IsDefinitionFile(name string) bool {
	switch {
	case name == "" || strings.HasPrefix(name, "."),
		strings.HasSuffix(name, "~"),
		strings.HasSuffix(name, ".swp"),
		strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"):
		return false
	}
	ext := filepath.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}

// definitionFiles lists the definition files of dir (not recursive) in
// name order. Symlinks are followed; anything that is not a regular file
// (a directory named x.yaml, a dangling link) is skipped, and so is the
// config file itself when it sits in the directory.
func definitionFiles(dir, config string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !IsDefinitionFile(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if config != "" && sameFile(p, config) {
			continue
		}
		if !e.Type().IsRegular() {
			st, err := os.Stat(p)
			if err != nil || !st.Mode().IsRegular() {
				continue
			}
		}
		files = append(files, p)
	}
	return files, nil
}

// Loader reads the definition directory again and again and remembers the
// last good content of every file, so that a file caught half-written or
// broken by a bad edit freezes its relationships instead of dropping them.
// It is safe for concurrent use.
type Loader struct {
	cfg  *Config
	mu   sync.Mutex
	good map[string][]def // per file: its definitions when it was last good
}

// NewLoader returns a Loader for cfg's definition directory.
func NewLoader(cfg *Config) *Loader {
	return &Loader{cfg: cfg, good: map[string][]def{}}
}

// SetConfig makes later loads use cfg (after a config reload) and keeps the
// memory of last good content, so a file that is broken at reload time
// keeps its definitions frozen instead of losing them.
func (l *Loader) SetConfig(cfg *Config) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cfg.Definitions != l.cfg.Definitions {
		l.good = map[string][]def{} // another directory: nothing to remember
	}
	l.cfg = cfg
}

// Load reads every definition file and returns the desired state.
//
//   - A file that parses and validates, and conflicts with no other
//     definition in force, gives its definitions and becomes the file's
//     last good content.
//   - A file that fails (YAML syntax, as in a file caught half-written;
//     any validation problem; a conflict with another file; unreadable) is
//     listed in Set.Broken, and its last good definitions, if any, stay in
//     Set.Peers with Frozen set until the file is fixed.
//   - A file that holds no definition any more (0 bytes, only white space,
//     only comments or empty documents) while its last good content had
//     some is taken as being written and treated as broken: to remove all
//     the relationships of a file, delete the file.
//   - A file that is removed from the directory drops its definitions: that
//     is the admin's intent. Whether peers are then deleted is the prune
//     policy's decision.
//   - Ignored names (see IsDefinitionFile) are never read.
//
// The error is set when the directory itself cannot be read; the Set then
// holds every last good definition, frozen, and no file is forgotten.
func (l *Loader) Load() (*Set, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	dir := l.cfg.Definitions
	files, err := definitionFiles(dir, l.cfg.Path)
	if err != nil {
		err = &Error{File: dir, Reason: "cannot read definition directory", Err: unwrapPath(err)}
		set := &Set{Config: l.cfg, Broken: []FileError{{File: dir, Err: err}}}
		for _, defs := range l.good {
			set.Peers = appendPeers(set.Peers, defs, true)
		}
		sortPeers(set.Peers)
		return set, fmt.Errorf("load definitions: %w", err)
	}
	current := map[string][]def{}
	broken := map[string][]*Error{}
	for _, f := range files {
		defs, errs := l.readFile(f)
		if len(errs) > 0 {
			broken[f] = errs
		} else {
			current[f] = defs
		}
	}
	// Conflicts are checked over everything in force, frozen content
	// included. A file found in conflict becomes broken, which may bring its
	// last good content in force: repeat until no good file conflicts.
	for range len(files) + 1 {
		entries := l.inForce(files, current, broken)
		found := false
		for i, errs := range crossCheck(entries) {
			if len(errs) == 0 || entries[i].frozen {
				continue
			}
			f := entries[i].peer.Source.File
			broken[f] = append(broken[f], errs...)
			delete(current, f)
			found = true
		}
		if !found {
			break
		}
	}
	listed := map[string]bool{}
	for _, f := range files {
		listed[f] = true
	}
	for f := range l.good {
		if !listed[f] {
			delete(l.good, f)
		}
	}
	for f, defs := range current {
		l.good[f] = defs
	}
	set := &Set{Config: l.cfg}
	for _, f := range files {
		if errs, ok := broken[f]; ok {
			set.Broken = append(set.Broken, FileError{File: f, Err: joinErrors(errs)})
			set.Peers = appendPeers(set.Peers, l.good[f], true)
		} else {
			set.Peers = appendPeers(set.Peers, current[f], false)
		}
	}
	sortPeers(set.Peers)
	return set, nil
}

// readFile reads and checks one file on its own.
func (l *Loader) readFile(f string) ([]def, []*Error) {
	data, err := os.ReadFile(f)
	if err != nil {
		return nil, []*Error{{File: f, Reason: "cannot read", Err: unwrapPath(err)}}
	}
	var defs []def
	if len(bytes.TrimSpace(data)) > 0 {
		var errs []*Error
		if defs, errs = parseFile(l.cfg, f, data); len(errs) > 0 {
			return nil, errs
		}
	}
	if prev := len(l.good[f]); len(defs) == 0 && prev > 0 {
		return nil, []*Error{{File: f, Reason: fmt.Sprintf(
			"holds no definition but held %d: taken as being written; delete the file to remove its relationships", prev)}}
	}
	return defs, nil
}

// inForce lists the definitions in force: the current content of good
// files and the last good content of broken ones (frozen).
func (l *Loader) inForce(files []string, current map[string][]def, broken map[string][]*Error) []entry {
	var out []entry
	for _, f := range files {
		if _, bad := broken[f]; bad {
			for _, d := range l.good[f] {
				out = append(out, entry{def: d, frozen: true})
			}
			continue
		}
		for _, d := range current[f] {
			out = append(out, entry{def: d})
		}
	}
	return out
}

func appendPeers(dst []Peer, defs []def, frozen bool) []Peer {
	for _, d := range defs {
		p := d.peer
		p.Frozen = frozen
		dst = append(dst, p)
	}
	return dst
}

func sortPeers(ps []Peer) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Name != ps[j].Name {
			return ps[i].Name < ps[j].Name
		}
		return ps[i].Source.File < ps[j].Source.File
	})
}

// LoadDir reads and checks every definition file of cfg's directory once,
// with no memory of earlier content: it returns the definitions of the
// files that are good and, per broken file, its problems (or the
// directory's, if it cannot be read).
func LoadDir(cfg *Config) (peers []Peer, errs []FileError) {
	set, _ := NewLoader(cfg).Load()
	return set.Peers, set.Broken
}

func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}
