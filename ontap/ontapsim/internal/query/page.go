package query

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"sort"
)

// tokenParam is the query parameter carrying the resume token, e.g.
// "start.uuid" for a collection keyed by uuid.
func (r *Request) tokenParam() string { return "start." + r.ix.s.Key }

// Page cuts the sorted, matching records at the request's resume token and
// MaxRecords. sorted must be ordered by this request's Sort. It returns the
// page (a sub-slice of sorted) and, when more records remain, the query
// string that resumes after it (see NextQuery); next is "" on the last page.
//
// The token holds the sort values and key of the first record of the next
// page, not its position, so the next page starts at the first record that
// sorts at or after it: records deleted or added before that point do not
// shift the window, and a deleted token record resumes at its successor.
func (r *Request) Page(sorted []map[string]any) (page []map[string]any, next string) {
	start := 0
	if r.start != nil {
		start = sort.Search(len(sorted), func(i int) bool {
			return r.compareTuples(r.tuple(sorted[i]), r.start) >= 0
		})
	}
	end := len(sorted)
	if r.MaxRecords > 0 && end-start > r.MaxRecords {
		end = start + r.MaxRecords
		next = r.NextQuery(sorted[end])
	}
	return sorted[start:end], next
}

// NextQuery returns the full query string that resumes a listing at rec: the
// original parameters minus any old token, plus a token for rec. The simulator
// builds `_links.next.href` as path + "?" + NextQuery(rec).
func (r *Request) NextQuery(rec map[string]any) string {
	q := make(url.Values, len(r.raw)+1)
	for k, v := range r.raw {
		q[k] = v
	}
	// A tuple of JSON values always marshals.
	b, _ := json.Marshal(r.tuple(rec))
	q.Set(r.tokenParam(), base64.RawURLEncoding.EncodeToString(b))
	return q.Encode()
}

// decodeToken checks and decodes a token made by NextQuery for the same
// order_by.
func (r *Request) decodeToken(tok string) ([][]any, *Error) {
	bad := invalidValue(r.tokenParam(), "not a token issued for this query")
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return nil, bad
	}
	var tup [][]any
	if err := json.Unmarshal(b, &tup); err != nil || len(tup) != len(r.order)+1 || len(tup[len(tup)-1]) == 0 {
		return nil, bad
	}
	for _, vals := range tup {
		for _, v := range vals {
			switch v.(type) {
			case bool, float64, string, map[string]any:
			default:
				return nil, bad
			}
		}
	}
	return tup, nil
}
