package query

import (
	"cmp"
	"slices"
	"strings"
)

// orderKey is one "field [asc|desc]" of order_by.
type orderKey struct {
	path string
	segs []string
	desc bool
}

// parseOrderBy parses "f1 [asc|desc],f2 ...". Unknown, write-only and object
// fields are not sortable (262268); a direction other than asc/desc is an
// invalid value (262197).
func (ix *index) parseOrderBy(v string) ([]orderKey, *Error) {
	var keys []orderKey
	for _, item := range strings.Split(v, ",") {
		words := strings.Fields(item)
		if len(words) == 0 {
			continue
		}
		k := orderKey{path: words[0], segs: strings.Split(words[0], ".")}
		if len(words) > 2 {
			return nil, invalidValue("order_by", "expected \"field [asc|desc]\"")
		}
		if len(words) == 2 {
			switch strings.ToLower(words[1]) {
			case "asc":
			case "desc":
				k.desc = true
			default:
				return nil, invalidValue("order_by", "direction must be asc or desc")
			}
		}
		if !ix.known[k.path] || ix.object[k.path] || ix.writeOnly(k.path) {
			return nil, badRequest(CodeNotSortable, k.path, "Field %q cannot be used to sort.", k.path)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// Sort orders records by order_by (each "field [asc|desc]", several
// comma-separated), ties and the default by Schema.Key ascending. Strings
// compare alphabetically ignoring case (ties broken by exact bytes), numbers
// numerically, bools false<true; values of different JSON types order
// bool < number < string. An array compares element by element. Records
// without the field sort last in asc (first in desc). The order is total as
// long as keys are unique, so the same records always sort the same way.
func (r *Request) Sort(recs []map[string]any) {
	type keyed struct {
		rec map[string]any
		tup [][]any
	}
	ks := make([]keyed, len(recs))
	for i, rec := range recs {
		ks[i] = keyed{rec, r.tuple(rec)}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return r.compareTuples(a.tup, b.tup) })
	for i := range ks {
		recs[i] = ks[i].rec
	}
}

// tuple extracts the sort values of rec: one list per order key, then the key.
func (r *Request) tuple(rec map[string]any) [][]any {
	t := make([][]any, 0, len(r.order)+1)
	for _, k := range r.order {
		t = append(t, collect(rec, k.segs, nil))
	}
	return append(t, collect(rec, r.keySegs, nil))
}

func (r *Request) compareTuples(a, b [][]any) int {
	for i, k := range r.order {
		if c := compareLists(a[i], b[i]); c != 0 {
			if k.desc {
				return -c
			}
			return c
		}
	}
	n := len(r.order)
	return compareLists(a[n], b[n])
}

// compareLists compares element by element; an empty list (unset field) is
// greater than any value, a shorter list sorts before its extensions.
func compareLists(a, b []any) int {
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0
	case len(a) == 0:
		return 1
	case len(b) == 0:
		return -1
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareScalars(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func typeRank(v any) int {
	switch v.(type) {
	case bool:
		return 0
	case float64:
		return 1
	case string:
		return 2
	}
	return 3
}

func compareScalars(a, b any) int {
	ra, rb := typeRank(a), typeRank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch x := a.(type) {
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case float64:
		return cmp.Compare(x, b.(float64))
	case string:
		y := b.(string)
		if c := strings.Compare(strings.ToLower(x), strings.ToLower(y)); c != 0 {
			return c
		}
		return strings.Compare(x, y)
	}
	return 0
}
