package ontap

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// finder looks for the record a POST may have created; nil, nil = not there.
type finder[T any] func(ctx context.Context) (*T, error)

// create POSTs body without ever creating a record twice. The retrying
// client repeats a POST only when it certainly had no effect (dial error,
// 429, 503, code 4653215). When the outcome is unknown (500, timeout or
// connection loss after sending), create calls find: a found record is
// returned as recovered; otherwise the POST is sent again, up to the retry
// policy's attempts. Exactly one of resp and recovered is set on success.
// secret, when set, is the passphrase the body carries: it is scrubbed from
// what create logs.
func create[T any](ctx context.Context, c *Client, path string, body any, secret Secret, find finder[T]) (resp *response, recovered *T, err error) {
	q := url.Values{"return_records": {"true"}}
	for round := 1; ; round++ {
		resp, err := c.call(ctx, http.MethodPost, path, q, body, callOptions{postSafe: true})
		if err == nil {
			return resp, nil, nil
		}
		if failedJobTransient(err) && round < c.retry.MaxAttempts {
			// An asynchronous create failed in its job before any effect.
			if err := sleep(ctx, backoff(c.retry.MinWait, c.retry.MaxWait, round-1, nil)); err != nil {
				return nil, nil, transportError(ctx, http.MethodPost, pathTemplate(path), err)
			}
			continue
		}
		if !outcomeUnknown(ctx, err) {
			return nil, nil, err
		}
		c.log.Warn("create outcome unknown, looking for the record", "path", path, "error", scrub(err, secret))
		found, ferr := find(ctx)
		if ferr != nil {
			return nil, nil, fmt.Errorf("%w (outcome unknown; looking for the record failed: %v)", err, ferr)
		}
		if found != nil {
			c.log.Info("create took effect despite the error", "path", path)
			return nil, found, nil
		}
		if round >= c.retry.MaxAttempts {
			return nil, nil, err
		}
		if err := sleep(ctx, backoff(c.retry.MinWait, c.retry.MaxWait, round-1, nil)); err != nil {
			return nil, nil, transportError(ctx, http.MethodPost, pathTemplate(path), err)
		}
	}
}

// outcomeUnknown reports whether a failed POST may nevertheless have taken
// effect on ONTAP.
func outcomeUnknown(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.HTTPStatus == http.StatusServiceUnavailable, e.HTTPStatus == http.StatusNotImplemented:
		return false // refused before any effect
	case e.HTTPStatus >= 500:
		return true
	case e.HTTPStatus == 0 && e.err != nil:
		var ns notSentError
		return !dialError(e.err) && !certificateError(e.err) && !errors.As(e.err, &ns)
	}
	return false
}

// failedJobTransient reports a job that failed with code 4653215.
func failedJobTransient(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.HTTPStatus == http.StatusAccepted && e.Code == CodeIntroductoryRPCFailed
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// scrub removes secret values that ONTAP might echo in an error message,
// keeping the context the error was wrapped in and its *Error for
// classification.
func scrub(err error, secrets ...Secret) error {
	var e *Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	replace := func(s string) string {
		for _, sec := range secrets {
			if sec != "" {
				s = strings.ReplaceAll(s, sec.Reveal(), "(sensitive)")
			}
		}
		return s
	}
	msg := replace(e.Message)
	if msg == e.Message {
		return err
	}
	cp := *e
	cp.Message = msg
	if err == error(e) {
		return &cp
	}
	return &scrubbedError{text: replace(err.Error()), err: &cp}
}

// scrubbedError is a wrapped error whose text had a secret removed; it
// unwraps to the scrubbed *Error.
type scrubbedError struct {
	text string
	err  *Error
}

func (s *scrubbedError) Error() string { return s.text }
func (s *scrubbedError) Unwrap() error { return s.err }
