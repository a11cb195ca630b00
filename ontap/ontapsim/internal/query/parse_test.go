package query

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		query, code, target string
	}{
		{"fields=bogus", CodeUnexpectedArgument, "bogus"},
		{"fields=name,remote.bogus", CodeUnexpectedArgument, "remote.bogus"},
		{"fields=remote.{name,bogus}", CodeUnexpectedArgument, "remote.bogus"},
		{"fields=_links.self", CodeUnexpectedArgument, "_links.self"},
		{"fields=remote..name", CodeUnexpectedArgument, "remote..name"},
		{"fields=remote.{name}x", CodeUnexpectedArgument, "remote.{name}x"},
		{"fields=remote{name}", CodeUnexpectedArgument, "remote{name}"},
		{"fields=remote.{name", CodeMismatchedBraces, "fields"},
		{"fields=remote.name}", CodeMismatchedBraces, "fields"},
		{"fields=}remote.{name", CodeMismatchedBraces, "fields"},
		{"fields=remote.{name,{serial_number}", CodeMismatchedBraces, "fields"},
		{"fields=authentication.passphrase", CodeNotReadable, "authentication.passphrase"},
		{"fields=authentication.{state,passphrase}", CodeNotReadable, "authentication.passphrase"},
		{"fields=local_network", CodeNotReadable, "local_network"},
		{"fields=local_network.netmask", CodeNotReadable, "local_network.netmask"},
		{"ignore_unknown_fields=true&fields=authentication.passphrase", CodeNotReadable, "authentication.passphrase"},
		{"bogus=1", CodeUnexpectedArgument, "bogus"},
		{"ignore_unknown_fields=true&bogus=1", CodeUnexpectedArgument, "bogus"},
		{"offset=10", CodeUnexpectedArgument, "offset"},
		{"authentication.passphrase=hunter2", CodeNotQueryable, "authentication.passphrase"},
		{"authentication.generate_passphrase=true", CodeNotQueryable, "authentication.generate_passphrase"},
		{"local_network.netmask=24", CodeNotQueryable, "local_network.netmask"},
		{"max_records=-1", CodeInvalidValue, "max_records"},
		{"max_records=abc", CodeInvalidValue, "max_records"},
		{"max_records=1.5", CodeInvalidValue, "max_records"},
		{"max_records=", CodeInvalidValue, "max_records"},
		{"max_records=1&max_records=2", CodeSpecifiedTwice, "max_records"},
		{"return_timeout=121", CodeInvalidValue, "return_timeout"},
		{"return_timeout=-1", CodeInvalidValue, "return_timeout"},
		{"return_timeout=x", CodeInvalidValue, "return_timeout"},
		{"return_records=maybe", CodeInvalidValue, "return_records"},
		{"ignore_unknown_fields=yes", CodeInvalidValue, "ignore_unknown_fields"},
		{"order_by=bogus", CodeNotSortable, "bogus"},
		{"order_by=name,bogus desc", CodeNotSortable, "bogus"},
		{"order_by=remote", CodeNotSortable, "remote"},
		{"order_by=authentication.passphrase", CodeNotSortable, "authentication.passphrase"},
		{"order_by=name sideways", CodeInvalidValue, "order_by"},
		{"order_by=name asc desc", CodeInvalidValue, "order_by"},
		{`name="abc`, CodeInvalidValue, "name"},
		{"name={abc", CodeInvalidValue, "name"},
		{"name=ok|{abc", CodeInvalidValue, "name"},
		{"version.major=<", CodeInvalidValue, "version.major"},
		{"version.major=>=", CodeInvalidValue, "version.major"},
		{"version.major=3..", CodeInvalidValue, "version.major"},
		{"version.major=..3", CodeInvalidValue, "version.major"},
		{"remote=clusterB", CodeInvalidValue, "remote"},
		{"remote=null|clusterB", CodeInvalidValue, "remote"},
		{"start.uuid=garbage!", CodeInvalidValue, "start.uuid"},
		{"start.uuid=bm90IGpzb24", CodeInvalidValue, "start.uuid"}, // "not json"
		{"start.uuid=W1tdXQ", CodeInvalidValue, "start.uuid"},      // [[]]: no key value
		{"start.uuid=W251bGxd&order_by=name", CodeInvalidValue, "start.uuid"},
		{"start.uuid=a&start.uuid=b", CodeSpecifiedTwice, "start.uuid"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Parse(q, peerSchema)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error %s", tt.query, r, tt.code)
			}
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("error %v is %T, want *Error", err, err)
			}
			if qe.Status != http.StatusBadRequest || qe.Code != tt.code || qe.Target != tt.target {
				t.Errorf("got status %d code %s target %q (%s), want 400 %s %q", qe.Status, qe.Code, qe.Target, qe.Message, tt.code, tt.target)
			}
			if strings.Contains(qe.Error(), "hunter2") {
				t.Errorf("error %q repeats the filter value", qe.Error())
			}
		})
	}
}

func TestParseDefaultsAndValues(t *testing.T) {
	r := mustParse(t, "", peerSchema)
	if r.MaxRecords != 0 || !r.ReturnRecords || r.ReturnTimeout != 15 || r.IgnoreUnknownFields {
		t.Errorf("defaults = %+v", r)
	}
	r = mustParse(t, "max_records=100&return_records=false&return_timeout=0&ignore_unknown_fields=TRUE", peerSchema)
	if r.MaxRecords != 100 || r.ReturnRecords || r.ReturnTimeout != 0 || !r.IgnoreUnknownFields {
		t.Errorf("parsed = %+v", r)
	}
	for _, ok := range []string{
		"return_timeout=120",
		"order_by=name desc",
		"order_by=name+asc",
		"order_by=name%20DESC,%20uuid",
		"order_by=status.state,version.major desc",
		"order_by=",
		"fields=",
		"fields=*,!remote",
		"fields=**",
		"fields=remote.*",
		"fields=!authentication.passphrase",
		"fields=remote.{name,ip_addresses},version.{major,minor}",
		"fields=name&fields=remote.name",
		"ignore_unknown_fields=true&fields=bogus,name,_links.self",
		"remote=null",
		"remote=!null",
		"name=a&name=b",
		"name=%7Ba%7Cb%7D",
	} {
		if _, err := Parse(mustValues(t, ok), peerSchema); err != nil {
			t.Errorf("Parse(%q): %v", ok, err)
		}
	}
}

func TestParseNameWithoutValue(t *testing.T) {
	_, err := Parse(url.Values{"bogus": nil}, peerSchema)
	var qe *Error
	if !errors.As(err, &qe) || qe.Code != CodeUnexpectedArgument || qe.Target != "bogus" {
		t.Errorf("unknown name without value: err = %v, want 262179", err)
	}
	r, err := Parse(url.Values{"name": {}, "max_records": {}}, peerSchema)
	if err == nil {
		t.Fatalf("max_records without value accepted: %+v", r)
	}
	r, err = Parse(url.Values{"name": {}}, peerSchema)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Match(map[string]any{"name": ""}) || r.Match(map[string]any{"name": "x"}) {
		t.Error("name without value does not filter on the empty name")
	}
}

func TestParseInstance(t *testing.T) {
	for _, bad := range []string{"max_records=1", "status.state=available", "order_by=name", "start.uuid=x"} {
		_, err := ParseInstance(mustValues(t, bad), peerSchema)
		var qe *Error
		if !errors.As(err, &qe) || qe.Code != CodeUnexpectedArgument {
			t.Errorf("ParseInstance(%q) = %v, want %s", bad, err, CodeUnexpectedArgument)
		}
	}
	r, err := ParseInstance(mustValues(t, "return_timeout=5"), peerSchema)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Project(peers(t)[0])
	for _, f := range []string{"uuid", "name", "remote", "status", "version", "authentication"} {
		if _, ok := got[f]; !ok {
			t.Errorf("instance GET without fields= lacks %q: %v", f, got)
		}
	}
	if _, ok := got["ip_address"]; ok {
		t.Errorf("instance GET returned the expensive field ip_address")
	}
	if a := got["authentication"].(map[string]any); a["passphrase"] != nil {
		t.Errorf("instance GET returned the passphrase")
	}
}

func TestParseBadSchema(t *testing.T) {
	for name, s := range map[string]Schema{
		"no key":             {Fields: []string{"name"}},
		"write-only key":     {Key: "uuid", WriteOnly: []string{"uuid"}},
		"write-only default": {Key: "uuid", Default: []string{"secret"}, WriteOnly: []string{"secret"}},
		"bad path":           {Key: "uuid", Fields: []string{"a..b"}},
	} {
		_, err := Parse(url.Values{}, s)
		var qe *Error
		if !errors.As(err, &qe) || qe.Status != http.StatusInternalServerError {
			t.Errorf("%s: Parse = %v, want a 500 *Error", name, err)
		}
	}
	if err := peerSchema.Validate(); err != nil {
		t.Errorf("peerSchema.Validate: %v", err)
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Status: 400, Code: "262179", Message: `Unexpected argument "x".`, Target: "x"}
	if got, want := e.Error(), `ontap error 262179: Unexpected argument "x". (target "x")`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func mustValues(t testing.TB, raw string) url.Values {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
