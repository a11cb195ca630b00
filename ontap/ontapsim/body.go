package ontapsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
)

// spec describes the fields a request body may carry.
type spec struct {
	readOnly bool
	children map[string]*spec // nil for leaves
}

// leaf, ro and obj build specs: a settable field, a read-only field or
// object (setting it or any part of it is refused), and an object.
func leaf() *spec                         { return &spec{} }
func ro() *spec                           { return &spec{readOnly: true} }
func obj(children map[string]*spec) *spec { return &spec{children: children} }

// decodeBody parses a JSON object body, expands ansible-style dotted
// top-level keys ({"remote.ip_addresses": [...]}), refuses unknown (262179)
// and read-only (262196) fields per sp, and decodes the result into dst.
func decodeBody(body []byte, sp *spec, dst any) *apiError {
	if len(body) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest(codeInvalidJSON, "", "Invalid JSON input: unexpected data after the top-level value.")
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return badRequest(codeJSONNotObject, "", "Invalid JSON input: the request body must be a JSON object.")
	}
	m, aerr := expandDotted(m)
	if aerr != nil {
		return aerr
	}
	if aerr := checkFields(m, sp, ""); aerr != nil {
		return aerr
	}
	b, err := json.Marshal(m)
	if err != nil {
		return badRequest(codeInvalidJSON, "", "Invalid JSON input.")
	}
	if err := json.Unmarshal(b, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return badRequest(codeInvalidFieldValue, te.Field, "Invalid value for field %q: expected %s.", te.Field, te.Type)
		}
		return badRequest(codeInvalidJSON, "", "Invalid JSON input.")
	}
	return nil
}

func jsonError(err error) *apiError {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return badRequest(codeJSONEndsEarly, "", "Invalid JSON input: the input ends prematurely.")
	}
	return badRequest(codeInvalidJSON, "", "Invalid JSON input.")
}

// expandDotted turns {"a.b": v} into {"a": {"b": v}}.
func expandDotted(m map[string]any) (map[string]any, *apiError) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic errors
	out := map[string]any{}
	for _, k := range keys {
		parts := strings.Split(k, ".")
		cur := out
		for i, p := range parts {
			if p == "" {
				return nil, badRequest(codeUnexpectedArgument, k, "Unexpected argument %q.", k)
			}
			last := i == len(parts)-1
			existing, has := cur[p]
			if last {
				if has {
					sub, ok1 := existing.(map[string]any)
					add, ok2 := m[k].(map[string]any)
					if !ok1 || !ok2 {
						return nil, badRequest("262188", k, "Field %q was specified twice.", k)
					}
					for ak, av := range add {
						if _, dup := sub[ak]; dup {
							return nil, badRequest("262188", k+"."+ak, "Field %q was specified twice.", k+"."+ak)
						}
						sub[ak] = av
					}
					continue
				}
				cur[p] = m[k]
				continue
			}
			if !has {
				next := map[string]any{}
				cur[p] = next
				cur = next
				continue
			}
			next, ok := existing.(map[string]any)
			if !ok {
				return nil, badRequest("262188", k, "Field %q was specified twice.", k)
			}
			cur = next
		}
	}
	return out, nil
}

// checkFields walks m against sp.
func checkFields(m map[string]any, sp *spec, prefix string) *apiError {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		child := sp.children[k]
		if child == nil {
			return badRequest(codeUnexpectedArgument, path, "Unexpected argument %q.", path)
		}
		if child.readOnly {
			return badRequest(codeCannotSet, path, "Field %q cannot be set in this operation.", path)
		}
		if child.children == nil {
			continue
		}
		switch v := m[k].(type) {
		case map[string]any:
			if aerr := checkFields(v, child, path); aerr != nil {
				return aerr
			}
		case []any:
			for _, e := range v {
				if em, ok := e.(map[string]any); ok {
					if aerr := checkFields(em, child, path); aerr != nil {
						return aerr
					}
				}
			}
		}
	}
	return nil
}
