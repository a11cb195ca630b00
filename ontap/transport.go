package ontap

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// attemptTransport wraps every HTTP attempt (retries included): it waits for
// the rate limiter, bounds the attempt with the per-request timeout and
// reports the attempt to the Observer.
type attemptTransport struct {
	next     http.RoundTripper
	limiter  *rate.Limiter // nil: unlimited
	timeout  time.Duration
	cluster  string
	observer Observer // may be nil
	log      hclog.Logger
	// basePath is the configured URL's path (a reverse proxy's prefix),
	// cut before templating so that metrics never see a record key.
	basePath string
}

// RoundTrip implements http.RoundTripper.
func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.limiter != nil {
		if err := t.limiter.Wait(req.Context()); err != nil {
			return nil, notSentError{err}
		}
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	path := pathTemplate(strings.TrimPrefix(req.URL.Path, t.basePath))
	start := time.Now()
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	d := time.Since(start)
	code := 0
	if err == nil {
		code = resp.StatusCode
	}
	if t.observer != nil {
		t.observer.ObserveRequest(t.cluster, req.Method, path, code, d)
	}
	t.log.Debug("ontap request", "method", req.Method, "path", path, "code", code, "duration", d)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// notSentError is a failure before the request left the client (the rate
// limiter's wait would outlast the context).
type notSentError struct{ err error }

func (e notSentError) Error() string { return "request not sent: " + e.err.Error() }
func (e notSentError) Unwrap() error { return e.err }

// cancelOnClose releases the attempt's timeout once the body is consumed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// keyedCollections lists the collections whose next path segment is a
// record key.
func keyedCollections() [5]string {
	return [...]string{
		"/api/cluster/peers/",
		"/api/cluster/jobs/",
		"/api/cluster/nodes/",
		"/api/network/ip/interfaces/",
		"/api/network/ipspaces/",
	}
}

// pathTemplate replaces the record key of a request path with {uuid}, so
// metrics and errors have bounded, secret-free paths.
func pathTemplate(p string) string {
	for _, c := range keyedCollections() {
		if rest, ok := strings.CutPrefix(p, c); ok && rest != "" {
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				return c + "{uuid}" + rest[i:]
			}
			return c + "{uuid}"
		}
	}
	return p
}

// ctxKey carries per-call settings to the retry policy, which only sees the
// request's context.
type ctxKey struct{}

// callOptions are per-call retry settings.
type callOptions struct {
	// postSafe restricts retries to failures where the request certainly
	// had no effect (POST).
	postSafe bool
}

func withCallOptions(ctx context.Context, o callOptions) context.Context {
	return context.WithValue(ctx, ctxKey{}, o)
}

// checkRetry is the retryablehttp policy. Idempotent calls retry every
// transient failure; POST retries only dial errors, 429, 503 (refused before
// any effect) and code 4653215. Other POST failures are returned so that the
// caller can look for the record before trying again.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	opts, _ := ctx.Value(ctxKey{}).(callOptions)
	if err != nil {
		if opts.postSafe {
			return dialError(err), nil
		}
		return transportTransient(err), nil
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests, s == http.StatusServiceUnavailable:
		return true, nil
	case s == http.StatusBadRequest:
		return peekErrorCode(resp) == CodeIntroductoryRPCFailed, nil
	case s >= 500 && s != http.StatusNotImplemented:
		return !opts.postSafe, nil
	}
	return false, nil
}

// peekErrorCode reads the ONTAP error code of resp and puts the body back.
func peekErrorCode(resp *http.Response) string {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	return errorCode(body)
}

// backoff is capped exponential backoff with equal jitter; Retry-After on
// 429 and 503 wins when present (capped at 10 times the maximum wait).
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return min(d, 10*maxWait)
		}
	}
	d := maxWait
	if attempt < 30 {
		d = min(minWait<<attempt, maxWait)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryAfter parses a Retry-After header in seconds or as an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// retryLogger adapts hclog to retryablehttp.LeveledLogger. retryablehttp
// logs method and URL (path and query, never credentials: basic auth is a
// header and URLs with credentials are refused by New) and transport errors.
type retryLogger struct{ l hclog.Logger }

var _ retryablehttp.LeveledLogger = retryLogger{}

func (r retryLogger) Error(msg string, kv ...any) { r.l.Warn(msg, kv...) }
func (r retryLogger) Info(msg string, kv ...any)  { r.l.Info(msg, kv...) }
func (r retryLogger) Debug(msg string, kv ...any) { r.l.Debug(msg, kv...) }
func (r retryLogger) Warn(msg string, kv ...any)  { r.l.Warn(msg, kv...) }
