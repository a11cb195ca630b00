package query

import (
	"errors"
	"fmt"
	"strings"
)

// Schema describes one collection's fields, as dotted paths. Ancestors of a
// listed path are known too ("remote.name" makes "remote" known); a path with
// a known descendant is an object, any other known path is a leaf. Paths below
// a write-only path are write-only as well.
type Schema struct {
	Key       string   // e.g. "uuid": the identity used for stable order and paging
	Fields    []string // every known field path, leaves and objects (e.g. "remote", "remote.name", "_links")
	Default   []string // fields always returned in collection GET (e.g. "uuid","name","_links")
	Standard  []string // fields for fields=* (and the instance GET)
	Expensive []string // extra fields for fields=** (may be empty)
	WriteOnly []string // fields that are never returned nor filterable (e.g. "authentication.passphrase")
}

// Validate reports schema mistakes: a missing or write-only key, an empty path,
// or a write-only field listed among the returned ones. Parse calls it, so a
// broken schema surfaces as a 500 on the first request.
func (s Schema) Validate() error {
	ix := newIndex(s)
	var errs []error
	if s.Key == "" {
		errs = append(errs, errors.New("schema: key is empty"))
	} else if ix.writeOnly(s.Key) {
		errs = append(errs, fmt.Errorf("schema: key %q is write-only", s.Key))
	}
	for _, list := range [][]string{s.Fields, s.Default, s.Standard, s.Expensive, s.WriteOnly} {
		for _, p := range list {
			if !validPath(p) {
				errs = append(errs, fmt.Errorf("schema: invalid field path %q", p))
			}
		}
	}
	for _, list := range [][]string{s.Default, s.Standard, s.Expensive} {
		for _, p := range list {
			if ix.writeOnly(p) {
				errs = append(errs, fmt.Errorf("schema: write-only field %q listed as returned", p))
			}
		}
	}
	return errors.Join(errs...)
}

func validPath(p string) bool {
	if p == "" {
		return false
	}
	for _, seg := range strings.Split(p, ".") {
		if seg == "" || strings.ContainsAny(seg, "{}!*,| ") {
			return false
		}
	}
	return true
}

// index is the lookup form of a Schema.
type index struct {
	s      Schema
	known  map[string]bool // every known path, including ancestors
	object map[string]bool // known paths that have known descendants
	wo     map[string]bool // write-only paths as listed (descendants are found via ancestors)
}

func newIndex(s Schema) *index {
	ix := &index{s: s, known: map[string]bool{}, object: map[string]bool{}, wo: map[string]bool{}}
	add := func(p string) {
		if p == "" {
			return
		}
		ix.known[p] = true
		for i := strings.LastIndexByte(p, '.'); i > 0; i = strings.LastIndexByte(p[:i], '.') {
			ix.known[p[:i]] = true
			ix.object[p[:i]] = true
		}
	}
	add(s.Key)
	for _, list := range [][]string{s.Fields, s.Default, s.Standard, s.Expensive, s.WriteOnly} {
		for _, p := range list {
			add(p)
		}
	}
	for _, p := range s.WriteOnly {
		ix.wo[p] = true
	}
	return ix
}

// writeOnly reports whether p or one of its ancestors is write-only.
func (ix *index) writeOnly(p string) bool {
	for {
		if ix.wo[p] {
			return true
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return false
		}
		p = p[:i]
	}
}
