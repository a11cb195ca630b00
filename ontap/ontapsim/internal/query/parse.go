package query

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Control parameters; every other parameter of a collection GET is a filter.
const (
	paramFields        = "fields"
	paramMaxRecords    = "max_records"
	paramReturnRecords = "return_records"
	paramReturnTimeout = "return_timeout"
	paramOrderBy       = "order_by"
	paramIgnoreUnknown = "ignore_unknown_fields"
)

// DefaultReturnTimeout is return_timeout when the query does not set it.
const DefaultReturnTimeout = 15

// Request is a parsed GET query. It is immutable once parsed and safe for
// concurrent use.
type Request struct {
	MaxRecords          int  // 0 = unlimited
	ReturnRecords       bool // default true; false: the caller returns num_records only
	ReturnTimeout       int  // 0..120, default 15
	IgnoreUnknownFields bool // ignore_unknown_fields=true: unknown names in fields= are skipped

	ix      *index
	raw     url.Values // the query minus any resume token, for NextQuery
	include *selNode   // fields to return
	exclude *selNode   // fields removed with "!"
	filters []filter   // sorted by path, AND
	order   []orderKey // order_by, then the schema key
	keySegs []string
	start   [][]any // decoded resume token; nil = from the first record
}

// Parse parses a collection GET query against the schema. Parameters:
// fields, max_records, return_records, return_timeout, order_by, the resume
// token "start.<Key>" emitted in next links, ignore_unknown_fields; every
// other parameter is a filter on a field path (repeated filters AND together).
// Every error is an *Error: see the Code constants and doc.go.
func Parse(q url.Values, s Schema) (*Request, error) {
	r, err := parse(q, s, false)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ParseInstance parses the query of an instance GET (/collection/{key}):
// only fields, ignore_unknown_fields, return_records and return_timeout are
// accepted; anything else is 262179. Without fields= the record is returned
// with its Standard and Default fields, as ONTAP does.
func ParseInstance(q url.Values, s Schema) (*Request, error) {
	r, err := parse(q, s, true)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func parse(q url.Values, s Schema, instance bool) (*Request, *Error) {
	if err := s.Validate(); err != nil {
		return nil, &Error{Status: http.StatusInternalServerError, Code: CodeUnexpectedException, Message: err.Error()}
	}
	r := &Request{
		ReturnRecords: true,
		ReturnTimeout: DefaultReturnTimeout,
		ix:            newIndex(s),
		raw:           url.Values{},
		keySegs:       strings.Split(s.Key, "."),
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic: the same bad query always gets the same error
	var fieldsExpr []string
	var filterPaths []string
	hasToken := false
	for _, name := range names {
		vals := q[name]
		if len(vals) == 0 {
			vals = []string{""} // hand-built url.Values: a name without a value
		}
		if name != r.tokenParam() {
			r.raw[name] = vals
		}
		single := func() (string, *Error) {
			if len(vals) > 1 {
				return "", badRequest(CodeSpecifiedTwice, name, "Field %q was specified twice.", name)
			}
			return vals[0], nil
		}
		var err *Error
		var v string
		switch {
		case name == paramFields:
			fieldsExpr = vals
		case name == paramIgnoreUnknown:
			if v, err = single(); err == nil {
				r.IgnoreUnknownFields, err = parseBool(name, v)
			}
		case name == paramReturnRecords:
			if v, err = single(); err == nil {
				r.ReturnRecords, err = parseBool(name, v)
			}
		case name == paramReturnTimeout:
			if v, err = single(); err == nil {
				r.ReturnTimeout, err = parseInt(name, v, 120)
			}
		case instance:
			err = unexpectedArgument(name)
		case name == paramMaxRecords:
			if v, err = single(); err == nil {
				r.MaxRecords, err = parseInt(name, v, -1)
			}
		case name == paramOrderBy:
			if v, err = single(); err == nil {
				r.order, err = r.ix.parseOrderBy(v)
			}
		case name == r.tokenParam():
			hasToken = true
		default:
			for _, v := range vals {
				var f filter
				if f, err = r.parseFilter(name, v); err != nil {
					break
				}
				r.filters = append(r.filters, f)
			}
			filterPaths = append(filterPaths, name)
		}
		if err != nil {
			return nil, err
		}
	}
	if hasToken {
		tok := q[r.tokenParam()]
		if len(tok) > 1 {
			return nil, badRequest(CodeSpecifiedTwice, r.tokenParam(), "Field %q was specified twice.", r.tokenParam())
		}
		var err *Error
		if r.start, err = r.decodeToken(q.Get(r.tokenParam())); err != nil {
			return nil, err
		}
	}
	var items []fieldItem
	for _, expr := range fieldsExpr {
		it, err := expandFields(expr)
		if err != nil {
			return nil, err
		}
		items = append(items, it...)
	}
	if instance && len(fieldsExpr) == 0 {
		items = append(items, fieldItem{path: "*"})
	}
	var err *Error
	if r.include, r.exclude, err = r.ix.selection(items, filterPaths, r.IgnoreUnknownFields); err != nil {
		return nil, err
	}
	return r, nil
}

// parseFilter checks that path may be filtered and parses its expression.
// Object paths accept only null and !null: a value test needs a leaf.
func (r *Request) parseFilter(path, value string) (filter, *Error) {
	if !r.ix.known[path] {
		return filter{}, unexpectedArgument(path)
	}
	if r.ix.writeOnly(path) {
		return filter{}, badRequest(CodeNotQueryable, path, "Field %q cannot be used in a query.", path)
	}
	f, err := parseFilter(path, value)
	if err != nil {
		return f, err
	}
	if r.ix.object[path] {
		for _, t := range f.terms {
			if t.op != opNull {
				return f, invalidValue(path, "an object can only be queried with null or !null; query one of its fields")
			}
		}
	}
	return f, nil
}

func parseBool(name, v string) (bool, *Error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, invalidValue(name, "must be true or false")
}

// parseInt parses a non-negative integer no greater than max (max < 0: no limit).
func parseInt(name, v string, max int) (int, *Error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || (max >= 0 && n > max) {
		if max >= 0 {
			return 0, invalidValue(name, "must be an integer from 0 to "+strconv.Itoa(max))
		}
		return 0, invalidValue(name, "must be a non-negative integer")
	}
	return n, nil
}
