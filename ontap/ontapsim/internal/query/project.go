package query

// Project returns the record reduced to the default fields + the fields asked
// for + every filtered field (ONTAP echoes filtered fields), never a
// write-only field. fields=* adds Standard, ** adds Expensive too. `a.{b,c}`
// selects sub-fields, `!g` removes g (also from the defaults). Selecting an
// object keeps all its sub-fields; an array of objects is reduced element by
// element. The result is a fresh copy: changing it never changes rec.
func (r *Request) Project(rec map[string]any) map[string]any {
	return projectObject(rec, r.include, r.exclude)
}

// projectObject copies the selected part of m. exc holds both the "!"
// removals and the write-only paths.
func projectObject(m map[string]any, inc, exc *selNode) map[string]any {
	if !inc.all && len(inc.kids) < len(m) {
		// A partial selection: visit the few selected keys, not every key.
		out := make(map[string]any, len(inc.kids))
		for k, ik := range inc.kids {
			if v, ok := m[k]; ok {
				projectInto(out, k, v, ik, exc)
			}
		}
		return out
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		ik := inc
		if !inc.all {
			if ik = inc.kids[k]; ik == nil {
				continue
			}
		}
		projectInto(out, k, v, ik, exc)
	}
	return out
}

// projectInto sets out[k] to the selected part of v unless k is excluded.
func projectInto(out map[string]any, k string, v any, inc, exc *selNode) {
	var ek *selNode
	if exc != nil {
		if ek = exc.kids[k]; ek != nil && ek.all {
			return
		}
	}
	if pv, ok := projectValue(v, inc, ek); ok {
		out[k] = pv
	}
}

// projectValue reduces v by the selection; ok is false when nothing of v is
// selected (a partial selection that matched no sub-field).
func projectValue(v any, inc, exc *selNode) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		o := projectObject(t, inc, exc)
		if !inc.all && len(o) == 0 {
			return nil, false
		}
		return o, true
	case []any:
		out := make([]any, 0, len(t))
		for _, e := range t {
			if pe, ok := projectValue(e, inc, exc); ok {
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
