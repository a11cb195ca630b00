package query

// Project returns the record reduced to the default fields + the fields asked
// for + every filtered field (ONTAP echoes filtered fields), never a
// write-only field. fields=* adds Standard, ** adds Expensive too. `a.{b,c}`
// selects sub-fields, `!g` removes g (also from the defaults). Selecting an
// object keeps all its sub-fields; an array of objects is reduced element by
// element. The result is a fresh copy: changing it never changes rec.
func (r *Request) Project(rec map[string]any) map[string]any {
	return r.projectObject(rec, r.include, r.exclude, "")
}

func (r *Request) projectObject(m map[string]any, inc, exc *selNode, prefix string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		var ik, ek *selNode
		if exc != nil {
			if ek = exc.kids[k]; ek != nil && ek.all {
				continue
			}
		}
		if inc.all {
			ik = inc
		} else if ik = inc.kids[k]; ik == nil {
			continue
		}
		path := joinPath(prefix, k)
		if r.ix.wo[path] {
			continue
		}
		if pv, ok := r.projectValue(v, ik, ek, path); ok {
			out[k] = pv
		}
	}
	return out
}

// projectValue reduces v by the selection; ok is false when nothing of v is
// selected (a partial selection that matched no sub-field).
func (r *Request) projectValue(v any, inc, exc *selNode, path string) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		o := r.projectObject(t, inc, exc, path)
		if !inc.all && len(o) == 0 {
			return nil, false
		}
		return o, true
	case []any:
		out := make([]any, 0, len(t))
		for _, e := range t {
			if pe, ok := r.projectValue(e, inc, exc, path); ok {
				out = append(out, pe)
			}
		}
		if !inc.all && len(out) == 0 {
			return nil, false
		}
		return out, true
	default:
		return v, inc.all
	}
}
