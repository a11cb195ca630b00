package ontapsim

import (
	"net/http"

	"github.com/peerd/peerd/ontap/ontapsim/internal/query"
)

// listRecords answers a collection GET over already rendered records:
// filters, order_by, max_records paging, fields= projection and
// return_records, with `_links.next.href` a full /api path.
func listRecords(r *request, schema query.Schema, recs []map[string]any) (*response, *apiError) {
	q, err := query.Parse(r.query, schema)
	if err != nil {
		return nil, asAPIError(err)
	}
	matched := recs[:0:0]
	for _, rec := range recs {
		if q.Match(rec) {
			matched = append(matched, rec)
		}
	}
	q.Sort(matched)
	page, next := q.Page(matched)
	self := r.path
	if r.rawQuery != "" {
		self += "?" + r.rawQuery
	}
	out := map[string]any{"num_records": len(page)}
	if q.ReturnRecords {
		records := make([]any, len(page))
		for i, rec := range page {
			records[i] = q.Project(rec)
		}
		out["records"] = records
	}
	l := links(self)
	resp := &response{status: http.StatusOK, body: out}
	if next != "" {
		resp.next = r.path + "?" + next
		l["next"] = map[string]any{"href": resp.next}
	}
	out["_links"] = l
	return resp, nil
}

// getRecord answers an instance GET: fields= projection of one record.
func getRecord(r *request, schema query.Schema, rec map[string]any) (*response, *apiError) {
	q, err := query.ParseInstance(r.query, schema)
	if err != nil {
		return nil, asAPIError(err)
	}
	return &response{status: http.StatusOK, body: q.Project(rec)}, nil
}
