package desired

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// index maps field paths ("remote.ip_addresses[1]") of one document to the
// key and value nodes that hold them, so that problems found after decoding
// can be placed at a line and column.
type index struct {
	root  *yaml.Node
	keys  map[string]*yaml.Node
	vals  map[string]*yaml.Node
	order []string // paths in document order
}

func newIndex(root *yaml.Node) *index {
	ix := &index{root: root, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
	ix.walk("", root, 0)
	return ix
}

// maxDepth bounds the walk; no valid file nests this deep.
const maxDepth = 32

func (ix *index) walk(path string, n *yaml.Node, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if _, dup := ix.keys[p]; dup {
				continue
			}
			ix.keys[p], ix.vals[p] = k, v
			ix.order = append(ix.order, p)
			ix.walk(p, v, depth+1)
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			ix.vals[p] = v
			ix.order = append(ix.order, p)
			ix.walk(p, v, depth+1)
		}
	}
}

// has reports whether the document sets path (even to null).
func (ix *index) has(path string) bool { _, ok := ix.vals[path]; return ok }

// at returns the place of path's value (of its key for a mapping or a
// list), or of its nearest present ancestor's key (a missing field is
// reported where its parent is), or of the document.
func (ix *index) at(path string) (line, col int) {
	for p := path; p != ""; p = parentPath(p) {
		if v, ok := ix.vals[p]; ok {
			// A problem with a block (or a missing child) is shown at
			// the block's key; one with a scalar at the value.
			if k := ix.keys[p]; k != nil && (p != path || v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) {
				return k.Line, k.Column
			}
			return v.Line, v.Column
		}
	}
	if ix.root == nil {
		return 0, 0
	}
	return ix.root.Line, ix.root.Column
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// readDocuments splits data into documents. A syntax error is returned as an
// *Error placed at the line YAML reports (the parser gives no column).
func readDocuments(file string, data []byte) ([]*yaml.Node, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, syntaxError(file, err)
		}
		docs = append(docs, &n)
	}
}

var syntaxRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(file string, err error) *Error {
	msg := err.Error()
	e := &Error{File: file, Reason: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	if m := syntaxRE.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Reason = "invalid YAML: " + m[2]
		// yaml.v3 reports the parser's (not the scanner's) errors with a
		// 0-based line: those are the "did not find expected ..." ones.
		if strings.HasPrefix(m[2], "did not find expected") {
			e.Line++
		}
	}
	return e
}

// docRoot returns the top node of a document, or nil for an empty one.
func docRoot(doc *yaml.Node) *yaml.Node {
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil
		}
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.ScalarNode && doc.ShortTag() == "!!null" {
		return nil
	}
	return doc
}

var (
	typeErrLineRE = regexp.MustCompile(`^line (\d+): (?:column (\d+): )?(.*)$`)
	notFoundRE    = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
	unmarshalRE   = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (\\S+)$")
)

// typeProblem is a strict-decoding problem placed in a document.
type typeProblem struct {
	line, col int
	field     string
	reason    string
	unknown   bool // an unknown key
}

// placeTypeErrors turns the messages of a *yaml.TypeError into placed
// problems. Values quoted by YAML are dropped so a secret pasted into the
// wrong field never reaches a message.
func placeTypeErrors(ix *index, err error) []typeProblem {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		line, col := ix.at("")
		return []typeProblem{{line: line, col: col, reason: "cannot decode: " + redactQuoted(err.Error())}}
	}
	var out []typeProblem
	for _, msg := range te.Errors {
		m := typeErrLineRE.FindStringSubmatch(msg)
		if m == nil {
			line, col := ix.at("")
			out = append(out, typeProblem{line: line, col: col, reason: redactQuoted(msg)})
			continue
		}
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		rest := m[3]
		if f := notFoundRE.FindStringSubmatch(rest); f != nil {
			p := ix.findKey(line, f[1])
			reason := "unknown field"
			if k := suggestKey(f[2], f[1]); k != "" {
				reason += " (did you mean " + k + "?)"
			}
			out = append(out, typeProblem{line: line, col: p.col, field: p.path, reason: reason, unknown: true})
			continue
		}
		reason := redactQuoted(rest)
		tag, value := "", ""
		if u := unmarshalRE.FindStringSubmatch(rest); u != nil {
			tag, value = u[1], u[2]
			reason = fmt.Sprintf("want %s, got %s", goTypeWord(u[3]), tagWord(u[1]))
		}
		p := ix.findValue(line, col, tag, value)
		out = append(out, typeProblem{line: line, col: p.col, field: p.path, reason: reason})
	}
	return out
}

type placed struct {
	path string
	col  int
}

func (ix *index) findKey(line int, name string) placed {
	for _, p := range ix.order {
		if k := ix.keys[p]; k != nil && k.Line == line && k.Value == name {
			return placed{path: p, col: k.Column}
		}
	}
	return placed{path: name}
}

// findValue finds the value a decoding message is about: on line (and at
// col, when known), preferring a node of the message's tag and value, then
// the deepest one (a mapping starts on the line of its first child).
func (ix *index) findValue(line, col int, tag, value string) placed {
	best, bestScore := placed{col: col}, -1
	for _, p := range ix.order {
		v := ix.vals[p]
		if v.Line != line || (col > 0 && v.Column != col) {
			continue
		}
		score := strings.Count(p, ".") + strings.Count(p, "[")
		if tag != "" && v.ShortTag() == tag {
			score += 100
		}
		if value != "" && v.Value == value {
			score += 100
		}
		if score > bestScore {
			best, bestScore = placed{path: p, col: v.Column}, score
		}
	}
	return best
}

var quotedRE = regexp.MustCompile("`[^`]*`")

func redactQuoted(s string) string { return quotedRE.ReplaceAllString(s, "value") }

func tagWord(tag string) string {
	switch tag {
	case "!!str":
		return "a string"
	case "!!int":
		return "a number"
	case "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	case "!!map":
		return "a mapping"
	case "!!seq":
		return "a list"
	}
	return strings.TrimPrefix(tag, "!!")
}

func goTypeWord(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping"
	case t == "string" || t == "desired.State":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case strings.HasPrefix(t, "desired."):
		return "a mapping"
	}
	return t
}

// secretKeys are keys that would put a secret inline; each maps to the
// advice given instead of "unknown field".
type secretKeys map[string]string

// decodeProblems strict-decodes the current document of dec into out and
// returns every problem. An unknown key named in secrets gets its advice.
func decodeProblems(dec *yaml.Decoder, ix *index, out any, secrets secretKeys) []typeProblem {
	err := dec.Decode(out)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	probs := placeTypeErrors(ix, err)
	for i, p := range probs {
		if !p.unknown {
			continue
		}
		name := p.field[strings.LastIndexByte(p.field, '.')+1:]
		if advice, ok := secrets[name]; ok {
			probs[i].reason = advice
		}
	}
	return probs
}
