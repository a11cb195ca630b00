package query

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"u1", "u2", "u3", "u4", "u5", "u6"}},
		// exact, case-insensitive
		{"name=alpha", []string{"u1"}},
		{"name=ALPHA", []string{"u1"}},
		{"name=", []string{"u5"}},
		{"uuid=u1|u3", []string{"u1", "u3"}},
		{"authentication.in_use=OK", []string{"u1"}},
		{"encryption.state=tls_psk", []string{"u1"}},
		// wildcards
		{"name=a*", []string{"u1", "u4"}},
		{"name=*A", []string{"u1", "u2", "u6"}},
		{"name=c*f", []string{"u3"}},
		{"name=*l*h*", []string{"u1", "u3"}},
		{"name=*", []string{"u1", "u2", "u3", "u4", "u5", "u6"}},
		{"name=gamma*", []string{"u6"}},
		{"name=*gamma", []string{"u6"}},
		{"name=gam*ma", []string{"u6"}},
		{"name=gamm*mma", nil},
		// negation is the complement, also of unset fields
		{"name=!alpha", []string{"u2", "u3", "u4", "u5", "u6"}},
		{"name=!a*", []string{"u2", "u3", "u5", "u6"}},
		{"status.state=!available", []string{"u2", "u3", "u4", "u5", "u6"}},
		// OR lists
		{"status.state=pending|unidentified", []string{"u2", "u3"}},
		{"name=a|b*", []string{"u2"}},
		{"name=!alpha|beta", []string{"u2", "u3", "u4", "u5", "u6"}},
		// quoting
		{`name="a|b*"`, []string{"u4"}},
		{"name={a|b*}", []string{"u4"}},
		{`name=a"|"*`, []string{"u4"}},
		{`name="*"`, nil},
		{"remote.name={{x}}", []string{"u4"}},
		{`remote.name="{x}"`, []string{"u4"}},
		{`name="null"`, nil},
		{`name=!"alpha"`, []string{"u2", "u3", "u4", "u5", "u6"}},
		{`name="!alpha"`, nil},
		// null
		{"status.state=null", []string{"u5"}},
		{"status.state=NULL", []string{"u5"}},
		{"status.state=!null", []string{"u1", "u2", "u3", "u4", "u6"}},
		{"peer_applications=null", []string{"u3", "u4", "u5", "u6"}},
		{"remote=null", []string{"u3"}},
		{"remote=!null", []string{"u1", "u2", "u4", "u5", "u6"}},
		// enum comparisons are alphabetical and exclude unset fields
		{"status.state=<p", []string{"u1"}},
		{"status.state=<=partial", []string{"u1", "u6"}},
		{"status.state=>u", []string{"u3", "u4"}},
		{"status.state=>=unidentified", []string{"u3"}},
		{"status.state=a..pending", []string{"u1", "u2", "u6"}},
		{"status.state=<b|null", []string{"u1", "u5"}},
		{"status.state=!a..pending", []string{"u3", "u4", "u5"}},
		// numbers compare numerically
		{"version.major=10", []string{"u1", "u5", "u6"}},
		{"version.major=10.0", []string{"u1", "u5", "u6"}},
		{"version.major=abc", nil},
		{"version.major=>9", []string{"u1", "u3", "u5", "u6"}},
		{"version.major=<10", []string{"u2"}},
		{"version.major=<=10", []string{"u1", "u2", "u5", "u6"}},
		{"version.minor=2..12", []string{"u2", "u5", "u6"}},
		{"version.minor=!3..9", []string{"u1", "u3", "u4", "u5"}},
		{"version.minor=3|5..9|>10", []string{"u2", "u5", "u6"}},
		{"version.minor=<1|null", []string{"u3", "u4"}},
		{"remote.serial_number=1-80-000011", []string{"u1"}},
		// date-times compare as instants, not as text
		{"status.update_time=>2021-05-26T02:00:00Z", []string{"u1"}},
		{"status.update_time=<2021-05-26T02:00:00Z", []string{"u2"}},
		{"status.update_time=2021-05-26T03:30:00Z", []string{"u1"}},
		{"status.update_time=2021-05-26T03:30:00Z..2021-05-26T03:30:00Z", []string{"u1"}},
		// bools
		{"tls_enabled=true", []string{"u1"}},
		{"tls_enabled=FALSE", []string{"u2"}},
		{"tls_enabled=!true", []string{"u2", "u3", "u4", "u5", "u6"}},
		// arrays: any element; !x: no element
		{"remote.ip_addresses=10.0.0.2", []string{"u1"}},
		{"remote.ip_addresses=10.*", []string{"u1", "u2"}},
		{"remote.ip_addresses=!10.0.0.1", []string{"u2", "u3", "u4", "u5", "u6"}},
		{"remote.ip_addresses=fd00::1", []string{"u6"}},
		{"peer_applications=flexcache", []string{"u1"}},
		{"peer_applications=!flexcache", []string{"u2", "u3", "u4", "u5", "u6"}},
		{"initial_allowed_svms.name=vs2", []string{"u1"}},
		{"initial_allowed_svms.uuid=s*", []string{"u1"}},
		// several filters AND together, also on the same path
		{"name=*a&version.major=10", []string{"u1", "u6"}},
		{"name=*a&name=!beta", []string{"u1", "u6"}},
		{"remote.name=clusterb", []string{"u1", "u6"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := mustParse(t, tt.query, peerSchema)
			var got []string
			for _, rec := range peers(t) {
				if r.Match(rec) {
					got = append(got, rec["uuid"].(string))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Match(%q) mismatch (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

// TestMatchGoNumbers checks records built in Go (ints, json.Number) filter
// and sort like records decoded from JSON.
func TestMatchGoNumbers(t *testing.T) {
	recs := []map[string]any{
		{"uuid": "a", "version": map[string]any{"major": 10}},
		{"uuid": "b", "version": map[string]any{"major": int64(9)}},
		{"uuid": "c", "version": map[string]any{"major": json.Number("11")}},
		{"uuid": "d", "version": map[string]any{"major": float32(12)}},
	}
	r := mustParse(t, "version.major=>=10&order_by=version.major desc", peerSchema)
	var got []map[string]any
	for _, rec := range recs {
		if r.Match(rec) {
			got = append(got, rec)
		}
	}
	r.Sort(got)
	if diff := cmp.Diff([]string{"d", "c", "a"}, uuids(got)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestMatchJSONNullIsUnset(t *testing.T) {
	rec := jsonObj(t, `{"uuid":"z","name":null,"remote":{"ip_addresses":[]}}`)
	for q, want := range map[string]bool{
		"name=null": true, "name=!null": false, "name=*": false, "name=!x": true,
		"remote.ip_addresses=null": true, "remote.ip_addresses=!10.0.0.1": true, "remote=!null": true,
	} {
		if got := mustParse(t, q, peerSchema).Match(rec); got != want {
			t.Errorf("Match(%q) = %v, want %v", q, got, want)
		}
	}
}

// TestRequestConcurrentUse shares one Request between goroutines; run with
// -race.
func TestRequestConcurrentUse(t *testing.T) {
	r := mustParse(t, "max_records=2&order_by=name desc&name=!beta&fields=remote.name", peerSchema)
	recs := peers(t)
	done := make(chan []string)
	for i := 0; i < 4; i++ {
		go func() {
			var mine []map[string]any
			for _, rec := range recs {
				if r.Match(rec) {
					mine = append(mine, r.Project(rec))
				}
			}
			r.Sort(mine)
			page, _ := r.Page(mine)
			done <- uuids(page)
		}()
	}
	for i := 0; i < 4; i++ {
		if diff := cmp.Diff([]string{"u6", "u3"}, <-done); diff != "" {
			t.Errorf("goroutine result mismatch (-want +got):\n%s", diff)
		}
	}
}
