package query

import "strings"

// fieldItem is one expanded entry of a fields= list.
type fieldItem struct {
	path string // dotted path, or "*" / "**"
	neg  bool   // "!path": remove instead of add
}

// expandFields turns "a,b.{c,d},!e" into flat items. Braces group
// sub-fields under a prefix and may nest; nothing may follow a closing brace.
func expandFields(s string) ([]fieldItem, *Error) {
	depth := 0
	for _, c := range s {
		switch c {
		case '{':
			depth++
		case '}':
			depth--
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 {
		return nil, badRequest(CodeMismatchedBraces, "fields", "Mismatched braces in the fields parameter.")
	}
	var out []fieldItem
	if err := expandList(s, "", false, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func expandList(s, prefix string, neg bool, out *[]fieldItem) *Error {
	for _, item := range splitTop(s) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		n := neg
		if strings.HasPrefix(item, "!") {
			n = true
			item = strings.TrimSpace(item[1:])
		}
		open := strings.IndexByte(item, '{')
		if open < 0 {
			*out = append(*out, fieldItem{path: joinPath(prefix, item), neg: n})
			continue
		}
		closing := matchingBrace(item, open)
		if closing < 0 {
			return badRequest(CodeMismatchedBraces, "fields", "Mismatched braces in the fields parameter.")
		}
		head, body, tail := item[:open], item[open+1:closing], item[closing+1:]
		if tail != "" || (head != "" && !strings.HasSuffix(head, ".")) {
			return unexpectedArgument(joinPath(prefix, item))
		}
		if err := expandList(body, joinPath(prefix, strings.TrimSuffix(head, ".")), n, out); err != nil {
			return err
		}
	}
	return nil
}

// splitTop splits s at commas that are not inside braces.
func splitTop(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// matchingBrace returns the index of the brace closing the one at open, or -1.
func matchingBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func joinPath(prefix, p string) string {
	if prefix == "" {
		return p
	}
	if p == "" {
		return prefix
	}
	return prefix + "." + p
}

// selNode is a selection tree: all selects the whole subtree, kids select
// parts of it.
type selNode struct {
	all  bool
	kids map[string]*selNode
}

// add selects path (split into segments) in the tree.
func (n *selNode) add(segs []string) {
	for _, s := range segs {
		if n.all {
			return
		}
		if n.kids == nil {
			n.kids = map[string]*selNode{}
		}
		k := n.kids[s]
		if k == nil {
			k = &selNode{}
			n.kids[s] = k
		}
		n = k
	}
	n.all, n.kids = true, nil
}

// selection resolves fields= items against the schema into include and
// exclude trees; the exclude tree also holds every write-only path. Unknown fields fail with 262179 unless ignoreUnknown; asking
// for a write-only field fails with 262249 (removing one with "!" is allowed).
func (ix *index) selection(items []fieldItem, extra []string, ignoreUnknown bool) (inc, exc *selNode, err *Error) {
	inc, exc = &selNode{}, &selNode{}
	for _, p := range ix.s.WriteOnly {
		exc.add(strings.Split(p, "."))
	}
	addAll := func(paths []string) {
		for _, p := range paths {
			if p != "" && !ix.writeOnly(p) {
				inc.add(strings.Split(p, "."))
			}
		}
	}
	addAll(ix.s.Default)
	addAll(extra)
	for _, it := range items {
		p := it.path
		switch {
		case p == "*" || p == "**":
			if !it.neg {
				addAll(ix.s.Standard)
				if p == "**" {
					addAll(ix.s.Expensive)
				}
			}
			continue
		case strings.HasSuffix(p, ".**"):
			p = strings.TrimSuffix(p, ".**")
		case strings.HasSuffix(p, ".*"):
			p = strings.TrimSuffix(p, ".*")
		}
		if !ix.known[p] {
			if ignoreUnknown {
				continue
			}
			return nil, nil, unexpectedArgument(p)
		}
		if it.neg {
			exc.add(strings.Split(p, "."))
			continue
		}
		if ix.writeOnly(p) {
			return nil, nil, badRequest(CodeNotReadable, p, "Field %q is not readable.", p)
		}
		inc.add(strings.Split(p, "."))
	}
	return inc, exc, nil
}
