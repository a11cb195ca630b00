package ontap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

// maxBody caps the size of a response body read into memory.
const maxBody = 64 << 20

// response is a successful (2xx) ONTAP response.
type response struct {
	status int
	body   []byte
}

// call sends one API request, retrying per opts, and waits for the job it
// started, if any. It returns the 2xx response or an *Error.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body any, opts callOptions) (*response, error) {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = query.Encode()
	resp, err := c.do(ctx, method, &u, body, opts)
	if err != nil {
		return nil, err
	}
	if job := jobOf(resp); job != "" {
		if err := c.waitJob(ctx, job, method, pathTemplate(path)); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// do sends one request through the retrying client.
func (c *Client) do(ctx context.Context, method string, u *url.URL, body any, opts callOptions) (*response, error) {
	tmpl := pathTemplate(u.Path[len(c.base.Path):])
	var raw any // nil interface: no body
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode %s %s body: %w", method, tmpl, err)
		}
		raw = payload
	}
	req, err := retryablehttp.NewRequestWithContext(withCallOptions(ctx, opts), method, u.String(), raw)
	if err != nil {
		return nil, fmt.Errorf("build %s %s request: %w", method, tmpl, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "peerd")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !c.certAuth {
		req.SetBasicAuth(c.username, c.password.Reveal())
	}
	if payload != nil && c.log.IsTrace() {
		c.log.Trace("ontap request body", "method", method, "path", tmpl, "body", redactJSON(payload))
	}
	hresp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(ctx, method, tmpl, err)
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(hresp.Body, maxBody))
	if err != nil {
		return nil, transportError(ctx, method, tmpl, fmt.Errorf("read response: %w", err))
	}
	if c.log.IsTrace() {
		c.log.Trace("ontap response body", "method", method, "path", tmpl, "code", hresp.StatusCode,
			"body", redactJSON(data, secretValues(payload)...))
	}
	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		return nil, newHTTPError(method, tmpl, hresp.StatusCode, data)
	}
	return &response{status: hresp.StatusCode, body: data}, nil
}

// transportError builds the *Error of a request that got no response. The
// URL (and its query) is dropped from net/http's error text.
func transportError(ctx context.Context, method, tmpl string, err error) *Error {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &Error{Method: method, Path: tmpl, Message: err.Error(), err: err}
}

// list GETs a collection and follows _links.next to the end. It stops when a
// next link repeats, so a misbehaving server cannot loop it.
func list[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	if query == nil {
		query = url.Values{}
	}
	query.Set("max_records", fmt.Sprint(c.maxRecords))
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = query.Encode()
	seen := map[string]bool{}
	var all []T
	for {
		resp, err := c.do(ctx, http.MethodGet, &u, nil, callOptions{})
		if err != nil {
			return nil, err
		}
		page, next, err := decodeCollection[T](resp.body)
		if err != nil {
			return nil, fmt.Errorf("decode %s page: %w", path, err)
		}
		if all == nil {
			all = page
		} else {
			all = append(all, page...)
		}
		if next == "" || seen[next] {
			return all, nil
		}
		seen[next] = true
		nu, err := c.nextURL(next)
		if err != nil {
			return nil, err
		}
		u = *nu
	}
}

// nextURL resolves a _links.next href ("/api/...?...") against the base URL,
// keeping only its path and query so credentials never leave the cluster.
func (c *Client) nextURL(href string) (*url.URL, error) {
	h, err := url.Parse(href)
	if err != nil {
		return nil, fmt.Errorf("parse next link: %w", err)
	}
	p := h.Path
	if !strings.HasPrefix(p, "/api/") {
		p = "/api/" + strings.TrimPrefix(p, "/")
	}
	u := *c.base
	u.Path = c.base.Path + p
	u.RawQuery = h.RawQuery
	return &u, nil
}
