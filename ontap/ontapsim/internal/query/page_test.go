package query

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var pageSchema = Schema{
	Key:      "uuid",
	Fields:   []string{"uuid", "name", "n", "state"},
	Default:  []string{"uuid", "name"},
	Standard: []string{"uuid", "name", "n", "state"},
}

// store is an in-memory collection keyed by uuid.
type store map[string]map[string]any

func newStore(n int) store {
	s := store{}
	rng := rand.New(rand.NewPCG(1, 2))
	states := []string{"available", "partial", "pending", "unavailable"}
	for _, i := range rng.Perm(n) {
		u := fmt.Sprintf("%08x-0000-4000-8000-%012d", rng.Uint32(), i)
		s[u] = map[string]any{"uuid": u, "name": fmt.Sprintf("peer-%04d", i), "n": float64(i % 37), "state": states[i%4]}
	}
	return s
}

func (s store) records() []map[string]any {
	out := make([]map[string]any, 0, len(s))
	for _, r := range s {
		out = append(out, r)
	}
	return out
}

// get serves one collection GET the way the simulator does.
func (s store) get(t *testing.T, raw string) (page []map[string]any, next string) {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("parse next %q: %v", raw, err)
	}
	r, err := Parse(q, pageSchema)
	if err != nil {
		t.Fatalf("Parse(%q): %v", raw, err)
	}
	var recs []map[string]any
	for _, rec := range s.records() {
		if r.Match(rec) {
			recs = append(recs, rec)
		}
	}
	r.Sort(recs)
	page, next = r.Page(recs)
	for i, rec := range page {
		page[i] = r.Project(rec)
	}
	return page, next
}

// listAll follows next links from raw, calling between after each page with
// the records returned so far.
func (s store) listAll(t *testing.T, raw string, between func(page int, seen []string)) (got []string, pages int) {
	t.Helper()
	for q := raw; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not terminate")
		}
		page, next := s.get(t, q)
		got = append(got, uuids(page)...)
		if next == "" {
			return got, pages + 1
		}
		if between != nil {
			between(pages, got)
		}
		q = next
	}
}

func TestPageAll2500(t *testing.T) {
	s := newStore(2500)
	for _, tt := range []struct{ name, query, all string }{
		{"by key", "max_records=100", ""},
		{"order_by with ties and a filter", "max_records=100&order_by=n desc,state&state=!partial&fields=n",
			"order_by=n desc,state&state=!partial"},
		{"page size 1", "max_records=1&name=peer-00*", "name=peer-00*"},
		{"page size above total", "max_records=5000", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, _ := s.listAll(t, tt.all, nil)
			got, pages := s.listAll(t, tt.query, nil)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("paged listing differs from the one-page listing (-want +got):\n%s", diff)
			}
			if seen := len(slices.Compact(slices.Sorted(slices.Values(got)))); seen != len(got) {
				t.Errorf("%d records, %d distinct", len(got), seen)
			}
			q := mustValues(t, tt.query)
			mr := 0
			fmt.Sscan(q.Get("max_records"), &mr)
			if wantPages := max(1, (len(want)+mr-1)/mr); pages != wantPages {
				t.Errorf("got %d pages, want %d", pages, wantPages)
			}
		})
	}
	got, pages := s.listAll(t, "max_records=100", nil)
	if len(got) != 2500 || pages != 25 {
		t.Errorf("got %d records in %d pages, want 2500 in 25", len(got), pages)
	}
}

func TestPageStableWhenRecordsChange(t *testing.T) {
	for _, orderBy := range []string{"", "n", "n desc,name", "state desc"} {
		t.Run(orderBy, func(t *testing.T) {
			s := newStore(2500)
			base := "max_records=100"
			if orderBy != "" {
				base += "&order_by=" + url.QueryEscape(orderBy)
			}
			order, _ := s.listAll(t, base[len("max_records=100"):], nil)
			deleted := map[string]bool{}
			var added []string
			got, _ := s.listAll(t, base, func(page int, seen []string) {
				// Delete the first record of the coming page (its token
				// record), the last one returned, and one further ahead.
				delete(s, seen[len(seen)-1])
				seenSet := map[string]bool{}
				for _, u := range seen {
					seenSet[u] = true
				}
				var unseen []string
				for _, u := range order {
					if _, ok := s[u]; ok && !seenSet[u] {
						unseen = append(unseen, u)
					}
				}
				for _, i := range []int{0, 250} {
					if i < len(unseen) {
						deleted[unseen[i]] = true
						delete(s, unseen[i])
					}
				}
				// A new record sorting first must not be returned again later.
				u := fmt.Sprintf("00000000-new-%04d", page)
				s[u] = map[string]any{"uuid": u, "name": "aaa", "n": -1.0, "state": "available"}
				added = append(added, u)
			})
			var want []string
			for _, u := range order {
				if !deleted[u] {
					want = append(want, u)
				}
			}
			var gotOld []string
			seenAdded := map[string]int{}
			for _, u := range got {
				if slices.Contains(added, u) {
					if seenAdded[u]++; seenAdded[u] > 1 {
						t.Errorf("added record %s returned twice", u)
					}
					continue
				}
				gotOld = append(gotOld, u)
			}
			if diff := cmp.Diff(want, gotOld); diff != "" {
				t.Errorf("records were skipped, repeated or reordered (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPageNextQuery(t *testing.T) {
	s := newStore(30)
	_, next := s.get(t, "max_records=10&fields=n&state=!pending&order_by=n")
	q := mustValues(t, next)
	for k, v := range map[string]string{"max_records": "10", "fields": "n", "state": "!pending", "order_by": "n"} {
		if q.Get(k) != v {
			t.Errorf("next %q lost %s=%s", next, k, v)
		}
	}
	if len(q["start.uuid"]) != 1 {
		t.Fatalf("next %q has no single token", next)
	}
	_, next2 := s.get(t, next)
	if q2 := mustValues(t, next2); len(q2["start.uuid"]) != 1 || q2.Get("start.uuid") == q.Get("start.uuid") {
		t.Errorf("second next %q does not replace the token of %q", next2, next)
	}
	// The token belongs to its order_by: dropping order_by makes it invalid.
	q.Del("order_by")
	_, err := Parse(q, pageSchema)
	var qe *Error
	if !errors.As(err, &qe) || qe.Code != CodeInvalidValue || qe.Target != "start.uuid" {
		t.Errorf("token with another order_by: err = %v, want 262197 on start.uuid", err)
	}
}

func TestPageUnlimited(t *testing.T) {
	s := newStore(50)
	for _, raw := range []string{"", "max_records=0", "max_records=50"} {
		page, next := s.get(t, raw)
		if len(page) != 50 || next != "" {
			t.Errorf("%q: %d records, next %q; want 50 and none", raw, len(page), next)
		}
	}
	page, next := s.get(t, "max_records=49")
	if len(page) != 49 || next == "" {
		t.Errorf("max_records=49: %d records, next %q", len(page), next)
	}
	if page, next = s.get(t, next); len(page) != 1 || next != "" {
		t.Errorf("last page: %d records, next %q", len(page), next)
	}
}

func TestPageTokenPastTheEnd(t *testing.T) {
	s := newStore(20)
	_, next := s.get(t, "max_records=19")
	for u := range s {
		delete(s, u) // everything deleted before the last page is fetched
	}
	if page, next := s.get(t, next); len(page) != 0 || next != "" {
		t.Errorf("got %d records, next %q; want an empty last page", len(page), next)
	}
}
