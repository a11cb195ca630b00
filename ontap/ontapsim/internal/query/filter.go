package query

import (
	"strconv"
	"strings"
	"time"
)

// opKind is the operator of one filter term.
type opKind int

const (
	opEq    opKind = iota // v
	opWild                // a*c
	opLT                  // <v
	opLE                  // <=v
	opGT                  // >v
	opGE                  // >=v
	opRange               // a..b
	opNull                // null
)

// operand is a literal prepared for fast comparison.
type operand struct {
	text  string // as written, quotes removed
	fold  string // lower-cased text
	num   float64
	isNum bool
	tm    time.Time
	isTm  bool
}

func newOperand(s string) operand {
	o := operand{text: s, fold: strings.ToLower(s)}
	if isDecimal(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			o.num, o.isNum = f, true
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		o.tm, o.isTm = t, true
	}
	return o
}

// isDecimal accepts [+-]digits[.digits][e[+-]digits] and nothing else, so
// that "Inf", "NaN", hex floats and IP addresses are never numbers.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// term is one alternative of an OR list.
type term struct {
	neg    bool
	op     opKind
	lo, hi operand  // lo is the operand of every op but opNull; hi only for opRange
	parts  []string // opWild: lower-cased literal pieces around each '*'
}

// filter is one `path=expression` query parameter.
type filter struct {
	path  string
	segs  []string
	terms []term // OR
}

// qchar is one character of a filter value; quoted characters are literal.
type qchar struct {
	c      rune
	quoted bool
}

// lexValue removes "…" and {…} quoting (braces nest, so {{x}} is the literal
// {x}) and marks which characters were quoted.
func lexValue(v string) ([]qchar, bool) {
	out := make([]qchar, 0, len(v))
	rs := []rune(v)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				out = append(out, qchar{rs[j], true})
				j++
			}
			if j == len(rs) {
				return nil, false
			}
			i = j
		case '{':
			depth, j := 1, i+1
			for ; j < len(rs); j++ {
				if rs[j] == '{' {
					depth++
				} else if rs[j] == '}' {
					depth--
					if depth == 0 {
						break
					}
				}
				out = append(out, qchar{rs[j], true})
			}
			if j == len(rs) {
				return nil, false
			}
			i = j
		default:
			out = append(out, qchar{rs[i], false})
		}
	}
	return out, true
}

// parseFilter parses the expression of a filter on path.
func parseFilter(path, value string) (filter, *Error) {
	f := filter{path: path, segs: strings.Split(path, ".")}
	qs, ok := lexValue(value)
	if !ok {
		return f, invalidValue(path, "unterminated quote or brace in the query")
	}
	start := 0
	for i := 0; i <= len(qs); i++ {
		if i < len(qs) && (qs[i].c != '|' || qs[i].quoted) {
			continue
		}
		t, err := parseTerm(path, qs[start:i])
		if err != nil {
			return f, err
		}
		f.terms = append(f.terms, t)
		start = i + 1
	}
	return f, nil
}

func parseTerm(path string, qs []qchar) (term, *Error) {
	var t term
	if len(qs) > 0 && qs[0] == (qchar{'!', false}) {
		t.neg, qs = true, qs[1:]
	}
	if !anyQuoted(qs) && strings.EqualFold(text(qs), "null") {
		t.op = opNull
		return t, nil
	}
	for _, c := range []struct {
		prefix string
		op     opKind
	}{{"<=", opLE}, {">=", opGE}, {"<", opLT}, {">", opGT}} {
		if hasUnquotedPrefix(qs, c.prefix) {
			rest := qs[len(c.prefix):]
			if len(rest) == 0 {
				return t, invalidValue(path, "comparison without a value")
			}
			t.op, t.lo = c.op, newOperand(text(rest))
			return t, nil
		}
	}
	for i := 0; i+1 < len(qs); i++ {
		if qs[i] == (qchar{'.', false}) && qs[i+1] == (qchar{'.', false}) {
			lo, hi := qs[:i], qs[i+2:]
			if len(lo) == 0 || len(hi) == 0 {
				return t, invalidValue(path, "range needs both bounds")
			}
			t.op, t.lo, t.hi = opRange, newOperand(text(lo)), newOperand(text(hi))
			return t, nil
		}
	}
	t.lo = newOperand(text(qs))
	var piece strings.Builder
	for _, c := range qs {
		if c.c == '*' && !c.quoted {
			t.op = opWild
			t.parts = append(t.parts, strings.ToLower(piece.String()))
			piece.Reset()
			continue
		}
		piece.WriteRune(c.c)
	}
	if t.op == opWild {
		t.parts = append(t.parts, strings.ToLower(piece.String()))
	}
	return t, nil
}

func anyQuoted(qs []qchar) bool {
	for _, c := range qs {
		if c.quoted {
			return true
		}
	}
	return false
}

func hasUnquotedPrefix(qs []qchar, p string) bool {
	if len(qs) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if qs[i].quoted || qs[i].c != rune(p[i]) {
			return false
		}
	}
	return true
}

func text(qs []qchar) string {
	var b strings.Builder
	for _, c := range qs {
		b.WriteRune(c.c)
	}
	return b.String()
}
