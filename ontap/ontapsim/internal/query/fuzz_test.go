package query

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzParse checks that no query makes Parse, Match, Sort, Page or Project
// panic, that every rejection is a 400 *Error, that no projection carries a
// write-only value, and that every next link parses again.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "fields=*", "fields=**,!remote", "fields=remote.{name,ip_addresses}", "fields=a.{b", "fields=}{",
		"name=a*|!b*|null", `name="a|b"`, "name={{x}}", "name={x", `name="x`, "version.major=3..5",
		"version.minor=!3|5..9|>10", "status.state=<p|null", "remote=!null", "remote=x",
		"order_by=name desc,version.major", "order_by=bogus", "max_records=2", "max_records=2&order_by=name",
		"max_records=1&start.uuid=W1sidTMiXV0", "start.uuid=%00", "return_timeout=999", "authentication.passphrase=x",
		"ignore_unknown_fields=true&fields=bogus", "status.update_time=>2021-05-26T00:00:00Z", "tls_enabled=true",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if _, err := ParseInstance(q, peerSchema); err != nil {
			checkRejection(t, raw, err)
		}
		r, err := Parse(q, peerSchema)
		if err != nil {
			checkRejection(t, raw, err)
			return
		}
		var recs []map[string]any
		for _, rec := range peers(t) {
			if r.Match(rec) {
				recs = append(recs, rec)
			}
		}
		r.Sort(recs)
		page, next := r.Page(recs)
		for _, rec := range page {
			b, err := json.Marshal(r.Project(rec))
			if err != nil {
				t.Fatalf("%q: projection does not marshal: %v", raw, err)
			}
			if strings.Contains(string(b), "secret") {
				t.Fatalf("%q: projection leaks a write-only value: %s", raw, b)
			}
		}
		if next != "" {
			nq, err := url.ParseQuery(next)
			if err != nil {
				t.Fatalf("%q: next %q does not parse: %v", raw, next, err)
			}
			if _, err := Parse(nq, peerSchema); err != nil {
				t.Fatalf("%q: next %q rejected: %v", raw, next, err)
			}
		}
	})
}

func checkRejection(t *testing.T, raw string, err error) {
	t.Helper()
	var qe *Error
	if !errors.As(err, &qe) || qe.Status != http.StatusBadRequest || qe.Code == "" || qe.Message == "" {
		t.Fatalf("%q: rejection %#v is not a 400 *Error", raw, err)
	}
}
