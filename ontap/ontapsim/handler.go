package ontapsim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Faults are injected per cluster into /api requests.
type Faults struct {
	Latency   time.Duration // added to every /api request
	ErrorRate float64       // 0..1: fraction of /api requests answered 503 before any effect
	HangRate  float64       // 0..1: fraction of /api requests that hang until the client goes away
	// AfterEffectErrorRate: fraction of mutating requests that take effect and then answer 500
	// (outcome unknown to the client).
	AfterEffectErrorRate float64
	// Async answers every successful mutation with 202 and a job to poll
	// at /api/cluster/jobs/{uuid} instead of 200/201.
	Async bool
}

const maxBodyBytes = 1 << 20

// request is one parsed API request.
type request struct {
	method   string
	path     string // URL path
	query    url.Values
	rawQuery string
	id       string // {uuid} path segment, if any
	body     []byte
}

// response is one successful API answer.
type response struct {
	status   int
	body     any
	location string
	next     string // href of the next page, sent as a Link header too
}

type endpoint func(*request) (*response, *apiError)

// routeCol is one collection and its instance path.
type routeCol struct {
	prefix         string
	list, instance map[string]endpoint
}

// routeTable lists the cluster's endpoints; /api/cluster itself is first.
func (c *Cluster) routeTable() []routeCol {
	return []routeCol{
		{"/api/cluster", map[string]endpoint{"GET": c.getCluster}, nil},
		{"/api/cluster/peers", map[string]endpoint{"GET": c.listPeers, "POST": c.createPeer},
			map[string]endpoint{"GET": c.getPeer, "PATCH": c.patchPeer, "DELETE": c.deletePeer}},
		{"/api/cluster/nodes", map[string]endpoint{"GET": c.listNodes}, map[string]endpoint{"GET": c.getNode}},
		{"/api/cluster/jobs", map[string]endpoint{"GET": c.listJobs}, map[string]endpoint{"GET": c.getJob}},
		{"/api/network/ipspaces", map[string]endpoint{"GET": c.listIpspaces}, map[string]endpoint{"GET": c.getIpspace}},
		{"/api/network/ip/interfaces", map[string]endpoint{"GET": c.listInterfaces, "POST": c.createInterface},
			map[string]endpoint{"GET": c.getInterface}},
	}
}

// route maps a request path to its template, the {uuid} segment and the
// methods' endpoints; unknown paths have template "unknown".
func (c *Cluster) route(path string) (tmpl, id string, eps map[string]endpoint) {
	path = strings.TrimSuffix(path, "/")
	for _, r := range c.routes {
		if path == r.prefix {
			return r.prefix, "", r.list
		}
		if r.instance == nil {
			continue
		}
		if rest, ok := strings.CutPrefix(path, r.prefix+"/"); ok && rest != "" && !strings.Contains(rest, "/") {
			return r.prefix + "/{uuid}", rest, r.instance
		}
	}
	return "unknown", "", nil
}

func (c *Cluster) newHandler() http.Handler {
	c.routes = c.routeTable()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", responseType(r.Header.Values("Accept")))
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/api":
			c.serveAPI(w, r)
		case strings.HasPrefix(r.URL.Path, "/_sim/"):
			if !c.authorized(r) {
				w.Header().Set("WWW-Authenticate", `Basic realm="ontapsim"`)
				writeJSON(w, http.StatusUnauthorized, unauthorized().body())
				return
			}
			c.serveControl(w, r)
		default:
			writeJSON(w, http.StatusNotFound, (&apiError{status: 404, code: codeNotFound, message: "API not found"}).body())
		}
	})
}

func unauthorized() *apiError {
	return &apiError{status: http.StatusUnauthorized, code: codeAuthentication, message: "User is not authorized."}
}

func (c *Cluster) authorized(r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	if !ok {
		return false
	}
	uok := subtle.ConstantTimeCompare([]byte(u), []byte(c.w.username)) == 1
	pok := subtle.ConstantTimeCompare([]byte(p), []byte(c.w.password)) == 1
	return uok && pok
}

func mutating(method string) bool { return method == "POST" || method == "PATCH" || method == "DELETE" }

func (c *Cluster) serveAPI(w http.ResponseWriter, r *http.Request) {
	tmpl, id, eps := c.route(r.URL.Path)
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	c.count(r.Method, tmpl)
	if !c.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="ontapsim"`)
		writeJSON(w, http.StatusUnauthorized, unauthorized().body())
		return
	}
	// Faults are drawn under the lock, then served without it.
	c.w.mu.Lock()
	f := c.faults
	hang := f.HangRate > 0 && c.w.rng.Float64() < f.HangRate
	fail := f.ErrorRate > 0 && c.w.rng.Float64() < f.ErrorRate
	after := mutating(method) && f.AfterEffectErrorRate > 0 && c.w.rng.Float64() < f.AfterEffectErrorRate
	c.w.mu.Unlock()
	if (hang || f.Latency > 0) && r.Body != nil {
		// Go's server notices a departed client (and cancels r.Context)
		// only once the request body has been read: buffer it first, so
		// an injected wait ends when the client gives up.
		b, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if hang {
		<-r.Context().Done()
		return
	}
	if fail {
		writeJSON(w, http.StatusServiceUnavailable, (&apiError{code: codeRPCFailure, message: "Injected fault: generic RPC failure."}).body())
		return
	}
	if eps == nil {
		writeJSON(w, http.StatusNotFound, (&apiError{code: codeNotFound, message: "API not found"}).body())
		return
	}
	if method == http.MethodOptions {
		allow := []string{}
		for _, m := range []string{"GET", "POST", "PATCH", "DELETE"} {
			if eps[m] != nil {
				allow = append(allow, m)
			}
		}
		if eps["GET"] != nil {
			allow = append(allow, "HEAD")
		}
		w.Header().Set("Allow", strings.Join(append(allow, "OPTIONS"), ", "))
		writeJSON(w, http.StatusOK, map[string]any{})
		return
	}
	ep := eps[method]
	if ep == nil {
		writeJSON(w, http.StatusMethodNotAllowed, (&apiError{code: codeNotSupported,
			message: "The method " + r.Method + " is not supported for this resource."}).body())
		return
	}
	req, aerr := readRequest(r, method, id)
	if aerr == nil {
		var resp *response
		resp, aerr = ep(req)
		if aerr == nil {
			if after {
				writeJSON(w, http.StatusInternalServerError, (&apiError{code: codeUnexpected,
					message: "Injected fault: unexpected exception after the change was made."}).body())
				return
			}
			if f.Async && mutating(method) {
				resp = c.newJob(r.Method, r.URL.Path, resp, nil)
			}
			if resp.location != "" {
				w.Header().Set("Location", resp.location)
			}
			if resp.next != "" {
				w.Header().Set("Link", "<"+resp.next+">; rel=\"next\"")
			}
			writeJSON(w, resp.status, resp.body)
			return
		}
	}
	if f.Async && mutating(method) && req != nil && asyncFailure(aerr) {
		// Request-validation errors stay synchronous; effects fail in the job.
		writeJSON(w, http.StatusAccepted, c.newJob(r.Method, r.URL.Path, nil, aerr).body)
		return
	}
	writeJSON(w, aerr.status, aerr.body())
}

// asyncFailure reports errors that an asynchronous mutation reports through
// its job: the endpoint-specific ones (7-digit codes other than 262xxxx).
func asyncFailure(e *apiError) bool {
	return len(e.code) >= 7 && !strings.HasPrefix(e.code, "262")
}

// readRequest reads and checks the body and query string.
func readRequest(r *http.Request, method, id string) (*request, *apiError) {
	req := &request{method: method, path: r.URL.Path, query: r.URL.Query(), rawQuery: r.URL.RawQuery, id: id}
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil {
			return nil, badRequest(codeInvalidJSON, "", "Unable to read the request body.")
		}
		if len(b) > maxBodyBytes {
			return nil, badRequest(codeInvalidJSON, "", "The request body is too large.")
		}
		req.body = bytes.TrimSpace(b)
	}
	// An empty JSON object is tolerated: NetApp's Python client sends {}
	// with every DELETE.
	if len(req.body) > 0 && !emptyObject(req.body) && (method == "GET" || method == "DELETE") {
		return nil, badRequest(codeBodyNotAllowed, "", "A request body is not allowed on %s requests.", r.Method)
	}
	return req, nil
}

// emptyObject reports a body that is a JSON object without members.
func emptyObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil && len(m) == 0
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"message":"Unexpected exception.","code":"262145"}}`)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", mediaHALJSON)
	}
	w.Header().Set("Server", "libzapid-httpd")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

const (
	mediaHALJSON = "application/hal+json"
	mediaJSON    = "application/json"
)

// responseType negotiates the response media type from the Accept header
// values: application/hal+json, ONTAP's default, unless the client accepts
// application/json with a higher quality than application/hal+json (a plain
// "Accept: application/json", as peerd sends and a go-swagger client sends
// with its WithAcceptApplicationJSON option). The
// body is the same either way.
func responseType(accept []string) string {
	q := map[string]float64{}
	for _, v := range accept {
		for _, part := range strings.Split(v, ",") {
			typ, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			typ = strings.ToLower(strings.TrimSpace(typ))
			weight := 1.0
			for _, p := range strings.Split(params, ";") {
				if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
						weight = f
					}
				}
			}
			if old, ok := q[typ]; !ok || weight > old {
				q[typ] = weight
			}
		}
	}
	quality := func(typ string) float64 {
		for _, r := range []string{typ, "application/*", "*/*"} {
			if w, ok := q[r]; ok {
				return w
			}
		}
		return 0
	}
	if quality(mediaJSON) > quality(mediaHALJSON) {
		return mediaJSON
	}
	return mediaHALJSON
}

// countKey is a counter's method and path template.
type countKey struct{ method, tmpl string }

func (c *Cluster) count(method, tmpl string) {
	c.cmu.Lock()
	c.counts[countKey{method, tmpl}]++
	c.cmu.Unlock()
}

// RequestCount returns how many /api requests with this method and path
// template the cluster received, e.g. ("GET", "/api/cluster/peers") or
// ("PATCH", "/api/cluster/peers/{uuid}").
func (c *Cluster) RequestCount(method, pathTemplate string) int {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	return c.counts[countKey{method, pathTemplate}]
}

// TotalRequests returns how many /api requests the cluster received.
func (c *Cluster) TotalRequests() int {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	n := 0
	for _, v := range c.counts {
		n += v
	}
	return n
}

// ResetCounters zeroes the request counters.
func (c *Cluster) ResetCounters() {
	c.cmu.Lock()
	clear(c.counts)
	c.cmu.Unlock()
}
