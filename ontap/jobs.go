package ontap

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// waitJob polls /api/cluster/jobs/{uuid} until the job ends, ctx does or
// the job timeout passes. A failed job becomes an *Error carrying the job's
// code and message, and the method and path template of the request that
// started it; a job that does not end in time becomes a timeout *Error
// (transient, and for a POST an unknown outcome).
func (c *Client) waitJob(ctx context.Context, uuid, method, tmpl string) error {
	path := "/api/cluster/jobs/" + url.PathEscape(uuid)
	q := url.Values{"fields": {"uuid,state,message,code,error"}}
	t := time.NewTimer(0)
	defer t.Stop()
	deadline := time.Now().Add(c.jobTimeout)
	for {
		select {
		case <-ctx.Done():
			return transportError(ctx, method, tmpl, ctx.Err())
		case <-t.C:
		}
		resp, err := c.call(ctx, http.MethodGet, path, q, nil, callOptions{})
		if err != nil {
			return fmt.Errorf("poll job %s: %w", uuid, err)
		}
		var job Job
		if err := json.Unmarshal(resp.body, &job); err != nil {
			return fmt.Errorf("decode job %s: %w", uuid, err)
		}
		switch job.State {
		case JobSuccess:
			return nil
		case JobFailure:
			return jobError(job, method, tmpl)
		}
		if !time.Now().Before(deadline) {
			return &Error{Method: method, Path: tmpl, err: context.DeadlineExceeded,
				Message: fmt.Sprintf("job %s is still %s after %s", uuid, job.State, c.jobTimeout)}
		}
		c.log.Debug("waiting for job", "job", uuid, "state", job.State)
		t.Reset(c.jobPoll)
	}
}

// jobError turns a failed job into an *Error.
func jobError(job Job, method, tmpl string) *Error {
	e := &Error{HTTPStatus: http.StatusAccepted, Method: method, Path: tmpl, Message: job.Message}
	if job.Code != 0 {
		e.Code = strconv.Itoa(job.Code)
	}
	if job.Error != nil {
		if job.Error.Code != "" {
			e.Code = job.Error.Code
		}
		if job.Error.Message != "" {
			e.Message = job.Error.Message
		}
	}
	if e.Message == "" {
		e.Message = "job failed"
	}
	return e
}
