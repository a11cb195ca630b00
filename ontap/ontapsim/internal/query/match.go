package query

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Match reports whether rec passes every filter (AND of all filters).
func (r *Request) Match(rec map[string]any) bool {
	var buf [8]any
	for i := range r.filters {
		f := &r.filters[i]
		vals := collect(rec, f.segs, buf[:0])
		if !f.match(vals) {
			return false
		}
	}
	return true
}

// collect appends the values found at segs below v. Arrays are flattened at
// every level, so "initial_allowed_svms.name" yields one name per element and
// "remote.ip_addresses" one value per address. JSON null contributes nothing.
func collect(v any, segs []string, out []any) []any {
	switch t := v.(type) {
	case nil:
		return out
	case []any:
		for _, e := range t {
			out = collect(e, segs, out)
		}
		return out
	case map[string]any:
		if len(segs) == 0 {
			return append(out, t)
		}
		return collect(t[segs[0]], segs[1:], out)
	default:
		if len(segs) == 0 {
			return append(out, normalize(t))
		}
		return out
	}
}

// normalize turns Go numbers into float64, the only number type
// encoding/json produces, so records built in Go filter and sort like
// decoded ones.
func normalize(v any) any {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int32:
		return float64(n)
	case int64:
		return float64(n)
	case uint:
		return float64(n)
	case uint32:
		return float64(n)
	case uint64:
		return float64(n)
	case float32:
		return float64(n)
	case json.Number:
		if f, err := n.Float64(); err == nil {
			return f
		}
		return n.String()
	}
	return v
}

// match evaluates the OR list over the field's values. A term without "!"
// holds when any value satisfies it; "!" is its exact complement.
func (f *filter) match(vals []any) bool {
	for i := range f.terms {
		if f.terms[i].match(vals) {
			return true
		}
	}
	return false
}

func (t *term) match(vals []any) bool {
	var hit bool
	if t.op == opNull {
		hit = len(vals) == 0
	} else {
		for _, v := range vals {
			if t.matchOne(v) {
				hit = true
				break
			}
		}
	}
	return hit != t.neg
}

func (t *term) matchOne(v any) bool {
	switch t.op {
	case opEq:
		return equal(v, t.lo)
	case opWild:
		s, ok := scalarText(v)
		return ok && wildcard(strings.ToLower(s), t.parts)
	case opLT:
		c, ok := order(v, t.lo)
		return ok && c < 0
	case opLE:
		c, ok := order(v, t.lo)
		return ok && c <= 0
	case opGT:
		c, ok := order(v, t.lo)
		return ok && c > 0
	case opGE:
		c, ok := order(v, t.lo)
		return ok && c >= 0
	case opRange:
		lo, ok1 := order(v, t.lo)
		hi, ok2 := order(v, t.hi)
		return ok1 && ok2 && lo >= 0 && hi <= 0
	}
	return false
}

// scalarText renders a scalar as text; objects have none.
func scalarText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

// equal is case-insensitive text equality; numeric for JSON numbers, and by
// instant when both sides are RFC 3339 date-times.
func equal(v any, o operand) bool {
	if f, ok := v.(float64); ok && o.isNum {
		return f == o.num
	}
	s, ok := scalarText(v)
	if !ok {
		return false
	}
	if strings.EqualFold(s, o.text) {
		return true
	}
	if _, isStr := v.(string); isStr && o.isTm {
		if tm, err := time.Parse(time.RFC3339, s); err == nil {
			return tm.Equal(o.tm)
		}
	}
	return false
}

// order compares v with o: numerically when both are numbers (a JSON number
// or decimal text), by instant when both are RFC 3339 times, otherwise
// alphabetically ignoring case.
func order(v any, o operand) (int, bool) {
	if f, isNum := v.(float64); isNum && o.isNum {
		return cmpFloat(f, o.num), true
	}
	s, ok := scalarText(v)
	if !ok {
		return 0, false
	}
	if _, isStr := v.(string); isStr && o.isNum && isDecimal(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return cmpFloat(f, o.num), true
		}
	}
	if o.isTm {
		if _, isStr := v.(string); isStr {
			if tm, err := time.Parse(time.RFC3339, s); err == nil {
				return tm.Compare(o.tm), true
			}
		}
	}
	return strings.Compare(strings.ToLower(s), o.fold), true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wildcard matches lower-cased s against the pieces around each '*'.
func wildcard(s string, parts []string) bool {
	first, last := parts[0], parts[len(parts)-1]
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
