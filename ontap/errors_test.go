package ontap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestErrorClassification(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name                        string
		err                         error
		transient, notFound, isAuth bool
	}{
		{name: "404", err: &Error{HTTPStatus: 404, Code: "4"}, notFound: true},
		{name: "401", err: &Error{HTTPStatus: 401}, isAuth: true},
		{name: "403", err: &Error{HTTPStatus: 403, Code: "6"}, isAuth: true},
		{name: "400 terminal", err: &Error{HTTPStatus: 400, Code: "4653075"}},
		{name: "400 route propagation", err: &Error{HTTPStatus: 400, Code: CodeIntroductoryRPCFailed}, transient: true},
		{name: "429", err: &Error{HTTPStatus: 429}, transient: true},
		{name: "500", err: &Error{HTTPStatus: 500, Code: "262145"}, transient: true},
		{name: "503", err: &Error{HTTPStatus: 503, Code: "65552"}, transient: true},
		{name: "501", err: &Error{HTTPStatus: 501}},
		{name: "dial", err: &Error{Message: "x", err: dial}, transient: true},
		{name: "timeout", err: &Error{Message: "x", err: context.DeadlineExceeded}, transient: true},
		{name: "canceled", err: &Error{Message: "x", err: context.Canceled}},
		{name: "wrapped", err: fmt.Errorf("create peer on a: %w", &Error{HTTPStatus: 503}), transient: true},
		{name: "plain", err: errors.New("boom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTransient(tt.err); got != tt.transient {
				t.Errorf("IsTransient = %v, want %v", got, tt.transient)
			}
			if got := IsNotFound(tt.err); got != tt.notFound {
				t.Errorf("IsNotFound = %v, want %v", got, tt.notFound)
			}
			if got := IsAuth(tt.err); got != tt.isAuth {
				t.Errorf("IsAuth = %v, want %v", got, tt.isAuth)
			}
		})
	}
}

func TestOutcomeUnknown(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"500 after effect", &Error{HTTPStatus: 500}, true},
		{"504 from a proxy", &Error{HTTPStatus: 504}, true},
		{"503 before effect", &Error{HTTPStatus: 503}, false},
		{"400", &Error{HTTPStatus: 400}, false},
		{"timeout after send", &Error{err: context.DeadlineExceeded}, true},
		{"reset after send", &Error{err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}, true},
		{"dial", &Error{err: &net.OpError{Op: "dial", Err: errors.New("refused")}}, false},
		{"rate limiter gave up", &Error{err: notSentError{errors.New("rate: Wait(n=1) would exceed context deadline")}}, false},
	}
	for _, tt := range tests {
		if got := outcomeUnknown(ctx, tt.err); got != tt.want {
			t.Errorf("%s: outcomeUnknown = %v, want %v", tt.name, got, tt.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if outcomeUnknown(cancelled, &Error{HTTPStatus: 500}) {
		t.Error("outcomeUnknown after the caller gave up = true, want false")
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{HTTPStatus: 400, Code: "4653215", Message: "introductory RPC failed", Target: "remote.ip_addresses",
		Method: "POST", Path: "/api/cluster/peers"}
	want := "ontap POST /api/cluster/peers: HTTP 400: introductory RPC failed (code 4653215, target remote.ip_addresses)"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
}

func TestScrub(t *testing.T) {
	err := fmt.Errorf("ctx: %w", &Error{HTTPStatus: 400, Message: "passphrase abc123456 is weak"})
	got := scrub(err, Secret("abc123456"))
	if strings.Contains(got.Error(), "abc123456") {
		t.Errorf("scrub left the secret: %v", got)
	}
	if !IsTransient(scrub(&Error{HTTPStatus: 503}, "x")) {
		t.Error("scrub changed the classification")
	}
}

func TestBackoff(t *testing.T) {
	minW, maxW := 100*time.Millisecond, 2*time.Second
	for attempt := range 10 {
		ceil := min(minW<<attempt, maxW)
		for range 50 {
			d := backoff(minW, maxW, attempt, nil)
			if d < ceil/2 || d > ceil {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, ceil/2, ceil)
			}
		}
	}
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"3"}}}
	if d := backoff(minW, maxW, 0, resp); d != 3*time.Second {
		t.Errorf("Retry-After 3 on 429: backoff %v, want 3s", d)
	}
	resp = &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"3600"}}}
	if d := backoff(minW, maxW, 0, resp); d != 10*maxW {
		t.Errorf("huge Retry-After: backoff %v, want cap %v", d, 10*maxW)
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no name", Config{URL: "https://a"}, "cluster name is required"},
		{"no url", Config{Name: "a"}, "URL is required"},
		{"credentials in url", Config{Name: "a", URL: "https://admin:netapp1!@a"}, "must not contain credentials"},
		{"bad scheme", Config{Name: "a", URL: "ftp://a"}, "is not http or https"},
		{"cert and password", Config{Name: "a", URL: "https://a", CertFile: "c", KeyFile: "k", Password: "pw"}, "not both"},
		{"cert without key", Config{Name: "a", URL: "https://a", CertFile: "c"}, "both cert file and key file"},
		{"missing CA", Config{Name: "a", URL: "https://a", CAFile: "/nonexistent/ca.pem"}, "read CA file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New error = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "netapp1!") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

// TestScrubKeepsContext checks that scrubbing a secret out of ONTAP's
// message keeps what the client was doing (here: that the record was
// created) and the classification.
func TestScrubKeepsContext(t *testing.T) {
	inner := &Error{HTTPStatus: 500, Code: "2", Message: "passphrase abc123456 rejected"}
	err := fmt.Errorf("created peer u-1, but renewing its lost passphrase failed: %w", inner)
	got := scrub(err, Secret("abc123456"))
	if strings.Contains(got.Error(), "abc123456") {
		t.Errorf("scrub left the secret: %v", got)
	}
	if !strings.Contains(got.Error(), "created peer u-1, but renewing its lost passphrase failed: ") {
		t.Errorf("scrub dropped the context: %v", got)
	}
	var e *Error
	if !errors.As(got, &e) || e.HTTPStatus != 500 || strings.Contains(e.Message, "abc123456") || !IsTransient(got) {
		t.Errorf("scrubbed error %#v lost its classification or kept the secret", e)
	}
}
