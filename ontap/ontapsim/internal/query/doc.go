// Package query is the ONTAP collection-query engine of the simulator: it
// parses the query string of a GET (fields=, filters, order_by, max_records,
// resume tokens) against a Schema and applies it to records held as generic
// JSON objects (map[string]any as produced by encoding/json). It knows nothing
// about any particular collection; the simulator passes each collection's
// Schema. Records hold map[string]any, []any, string, float64 and bool; Go
// integer types and json.Number are accepted in filters and sorting as well.
//
// A collection GET is served as
//
//	req, err := query.Parse(r.URL.Query(), schema) // err is a *query.Error
//	var recs []map[string]any                      // matching records
//	for _, rec := range all { if req.Match(rec) { recs = append(recs, rec) } }
//	req.Sort(recs)
//	page, next := req.Page(recs)                   // next != "": href = path + "?" + next
//	for i, rec := range page { page[i] = req.Project(rec) }
//
// # Fields
//
// fields= is a comma-separated list of dotted paths. `a.{b,c}` selects
// several sub-fields of a (braces nest); `!g` removes g, even from the
// defaults; `*` adds Schema.Standard and `**` adds Schema.Expensive as well;
// `a.*` is a. Selecting an object keeps all its sub-fields. The defaults
// (Schema.Default) and every filtered field are always returned. Unknown
// fields fail with 262179 (skipped with ignore_unknown_fields=true),
// write-only ones with 262249, unbalanced braces with 262286. Write-only
// fields are never returned, even inside a selected object.
//
// # Filters
//
// Any other parameter `path=expr` is a filter; filters AND together, also
// when a path is repeated. expr is an OR list of terms separated by `|`; each
// term may start with `!`, which makes it the exact complement of the term
// (so `!x` also matches records where the field is unset, and on an array
// means "no element is x"). Terms:
//
//	v        equal: case-insensitive text; numeric for JSON numbers; by instant for date-times
//	a*c      wildcard, `*` = any run of characters, case-insensitive
//	<v <=v   less than (or equal)
//	>v >=v   greater than (or equal)
//	a..b     inclusive range; both bounds are required
//	null     the field is unset (missing, JSON null or an empty array)
//
// Ordering terms (<, <=, >, >=, ..) compare numerically when both sides are
// decimal numbers, by instant when both are RFC 3339 date-times, and
// otherwise alphabetically ignoring case (enums are compared as text). They
// never match an unset field; add `|null` for that. Text inside "…" or {…}
// is literal, so `name={a|b*}` matches the name "a|b*"; braces nest, so
// `{{x}}` matches "{x}". An unterminated quote or brace, a comparison without
// a value or a range missing a bound is 262197.
//
// A path through arrays collects every element: `remote.ip_addresses=10.*`
// matches when any address matches, `initial_allowed_svms.name=vs1` when any
// element has that name. A filter on an object path (one with known
// sub-fields, such as `remote`) accepts only null and !null; any other value
// is 262197. Unknown paths are 262179 (also with ignore_unknown_fields, which
// applies to fields= only); write-only paths are 262250. Error messages never
// repeat a filter value.
//
// # Order and paging
//
// order_by=f1 [asc|desc],f2… sorts; the schema key, ascending, breaks ties
// and is the default order. Unknown, object or write-only fields are 262268.
// See Request.Sort for how values compare.
//
// Page returns at most max_records records (0 or absent: all) and, when more
// remain, the query of the next page: the original parameters plus
// `start.<key>=<token>`. The token is opaque (base64url JSON of the sort
// values and key of the next page's first record), so the next page starts
// at the first record sorting at or after that position: deleting records
// between two pages never restarts, repeats or skips the remaining ones. A
// token that does not decode for the request's order_by is 262197.
//
// return_records=false and return_timeout (0..120, default 15) are parsed
// for the caller; the engine itself does not act on them. Repeating a control
// parameter other than fields is 262188.
package query
