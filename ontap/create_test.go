package ontap

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/peerd/peerd/ontap/ontapsim"
)

func TestCreatePeerUnknownOutcomeNoDuplicate(t *testing.T) {
	tests := []struct {
		name  string
		fault func(http.Handler, http.ResponseWriter, *http.Request)
		req   func(remoteIPs []string) CreatePeerRequest
		// wantGETs is the peer-collection GETs: the search after the failure,
		// plus the listing before the POST for an anonymous offer.
		wantGETs   int
		wantPATCHs int
	}{
		{
			name:  "500 after effect, named offer, passphrase renewed",
			fault: effectThen500,
			req: func([]string) CreatePeerRequest {
				return CreatePeerRequest{Name: "offer-1", Authentication: &CreateAuthentication{GeneratePassphrase: true}}
			},
			wantGETs: 1, wantPATCHs: 1,
		},
		{
			name:  "timeout after effect, named offer",
			fault: effectThenHang,
			req: func([]string) CreatePeerRequest {
				return CreatePeerRequest{Name: "offer-2", Authentication: &CreateAuthentication{GeneratePassphrase: true}}
			},
			wantGETs: 1, wantPATCHs: 1,
		},
		{
			name:  "500 after effect, anonymous offer found as the new record",
			fault: effectThen500,
			req:   func([]string) CreatePeerRequest { return CreatePeerRequest{} },
			// one listing before the POST, one search after it
			wantGETs: 2, wantPATCHs: 1,
		},
		{
			name:  "timeout after effect, targeted by remote addresses",
			fault: effectThenHang,
			req: func(ips []string) CreatePeerRequest {
				return CreatePeerRequest{Remote: &CreateRemote{IPAddresses: ips},
					Authentication: &CreateAuthentication{Passphrase: "correct-horse-battery"}}
			},
			wantGETs: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"}, ontapsim.ClusterConfig{Name: "cluster-b"})
			s := serve(t, w.Cluster("cluster-a"), onceWrap("POST", "/api/cluster/peers", tt.fault))
			c := s.client(t, func(c *Config) { c.Timeout = 300 * time.Millisecond })
			req := tt.req(w.Cluster("cluster-b").InterclusterAddresses(""))
			p, err := c.CreatePeer(t.Context(), req)
			if err != nil {
				t.Fatalf("CreatePeer: %v", err)
			}
			recs := s.sim.Peers()
			if len(recs) != 1 {
				t.Fatalf("%d peer records, want exactly 1: %+v", len(recs), recs)
			}
			if p.UUID != recs[0].UUID {
				t.Errorf("returned uuid %s, simulator has %s", p.UUID, recs[0].UUID)
			}
			generated := req.Authentication == nil || req.Authentication.Passphrase == ""
			if generated && (p.Authentication == nil || p.Authentication.Passphrase == "") {
				t.Errorf("generated passphrase lost: %+v", p.Authentication)
			}
			if n := s.sim.RequestCount("POST", "/api/cluster/peers"); n != 1 {
				t.Errorf("%d POSTs, want 1", n)
			}
			if n := s.sim.RequestCount("GET", "/api/cluster/peers"); n != tt.wantGETs {
				t.Errorf("%d peer listings, want %d", n, tt.wantGETs)
			}
			if n := s.sim.RequestCount("PATCH", "/api/cluster/peers/{uuid}"); n != tt.wantPATCHs {
				t.Errorf("%d PATCHes, want %d", n, tt.wantPATCHs)
			}
		})
	}
}

func TestCreatePeerSimulatorAfterEffectFault(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"}, ontapsim.ClusterConfig{Name: "cluster-b"})
	s := serve(t, w.Cluster("cluster-a"), nil)
	c := s.client(t, nil)
	s.sim.SetFaults(ontapsim.Faults{AfterEffectErrorRate: 1})
	p, err := c.CreatePeer(t.Context(), CreatePeerRequest{
		Remote:         &CreateRemote{IPAddresses: w.Cluster("cluster-b").InterclusterAddresses("")},
		Authentication: &CreateAuthentication{Passphrase: "correct-horse-battery"},
	})
	if err != nil {
		t.Fatalf("CreatePeer: %v", err)
	}
	if recs := s.sim.Peers(); len(recs) != 1 || recs[0].UUID != p.UUID {
		t.Errorf("simulator peers %+v, want exactly the returned %s", recs, p.UUID)
	}
	if n := s.sim.RequestCount("POST", "/api/cluster/peers"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

func TestCreatePeerTerminalError(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	s := serve(t, w.Cluster("cluster-a"), nil)
	c := s.client(t, nil)
	_, err := c.CreatePeer(t.Context(), CreatePeerRequest{Name: "cluster-a"})
	var e *Error
	if !errors.As(err, &e) || e.HTTPStatus != 400 || IsTransient(err) {
		t.Fatalf("error = %v, want a terminal 400", err)
	}
	if !strings.HasPrefix(err.Error(), "create peer on cluster-a: ") {
		t.Errorf("error lacks context: %v", err)
	}
	if n := s.sim.RequestCount("POST", "/api/cluster/peers"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

func TestLocalNetworkBootstrapRoutePropagation(t *testing.T) {
	w := newWorld(t, ontapsim.Options{RoutePropagationDelay: 300 * time.Millisecond},
		ontapsim.ClusterConfig{Name: "cluster-a", NoInterclusterLIFs: true}, ontapsim.ClusterConfig{Name: "cluster-b"})
	s := serve(t, w.Cluster("cluster-a"), nil)
	rec := &recorder{}
	c := s.client(t, func(c *Config) {
		c.Observer = rec
		c.Retry = RetryPolicy{MaxAttempts: 30, MinWait: 20 * time.Millisecond, MaxWait: 100 * time.Millisecond}
	})
	local := []string{"203.0.113.201", "203.0.113.202"}
	p, err := c.CreatePeer(t.Context(), CreatePeerRequest{
		Remote:         &CreateRemote{IPAddresses: w.Cluster("cluster-b").InterclusterAddresses("")},
		Authentication: &CreateAuthentication{GeneratePassphrase: true},
		LocalNetwork: &LocalNetwork{Interfaces: []LocalInterface{{IPAddress: local[0]}, {IPAddress: local[1]}},
			Netmask: "24", BroadcastDomain: "Default"},
	})
	if err != nil {
		t.Fatalf("CreatePeer: %v", err)
	}
	if p.Authentication == nil || p.Authentication.Passphrase == "" {
		t.Error("no generated passphrase returned")
	}
	if failed := rec.count("POST", "/api/cluster/peers", 400); failed == 0 {
		t.Error("no POST hit the route-propagation window; the test proves nothing")
	}
	if got := s.sim.InterclusterAddresses(""); !sameSet(got, local) {
		t.Errorf("intercluster addresses %v, want %v", got, local)
	}
	if n := len(s.sim.Peers()); n != 1 {
		t.Errorf("%d peers, want 1", n)
	}
}

func TestNoSecretsInLogsOrErrors(t *testing.T) {
	w := newWorld(t, ontapsim.Options{Seed: 7}, ontapsim.ClusterConfig{Name: "cluster-a"}, ontapsim.ClusterConfig{Name: "cluster-b"})
	a := serve(t, w.Cluster("cluster-a"), nil)
	b := serve(t, w.Cluster("cluster-b"), nil)
	var logs logBuffer
	log := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Trace})
	mod := func(c *Config) { c.Logger = log; c.Retry.MaxAttempts = 20 }
	ca, cb := a.client(t, mod), b.client(t, mod)
	// Retries make retryablehttp log too.
	a.sim.SetFaults(ontapsim.Faults{ErrorRate: 0.3})
	b.sim.SetFaults(ontapsim.Faults{ErrorRate: 0.3})
	ctx := t.Context()
	var secrets []string
	var errs []error
	must := func(p *Peer, err error) *Peer {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	pa := must(ca.CreatePeer(ctx, CreatePeerRequest{Remote: &CreateRemote{IPAddresses: b.sim.InterclusterAddresses("")}}))
	secrets = append(secrets, pa.Authentication.Passphrase.Reveal())
	pb := must(cb.CreatePeer(ctx, CreatePeerRequest{Remote: &CreateRemote{IPAddresses: a.sim.InterclusterAddresses("")},
		Authentication: &CreateAuthentication{Passphrase: pa.Authentication.Passphrase}}))
	if recs := b.sim.Peers(); len(recs) != 1 || recs[0].State != "available" {
		t.Fatalf("peering not established: %+v", recs)
	}
	// Rotate: new passphrase on A, given to B.
	ra := must(ca.PatchPeer(ctx, pa.UUID, PatchPeerRequest{Authentication: &CreateAuthentication{GeneratePassphrase: true, InUse: InUseOK}}))
	if ra.Authentication == nil || ra.Authentication.Passphrase == "" {
		t.Fatal("rotation returned no passphrase")
	}
	secrets = append(secrets, ra.Authentication.Passphrase.Reveal())
	must(cb.PatchPeer(ctx, pb.UUID, PatchPeerRequest{Authentication: &CreateAuthentication{Passphrase: ra.Authentication.Passphrase, InUse: InUseOK}}))
	// Failures with a passphrase in the request.
	short := "Sh0rt!"
	secrets = append(secrets, short)
	_, err := cb.PatchPeer(ctx, pb.UUID, PatchPeerRequest{Authentication: &CreateAuthentication{Passphrase: Secret(short)}})
	errs = append(errs, err)
	_, err = ca.CreatePeer(ctx, CreatePeerRequest{Name: "x1", Remote: &CreateRemote{IPAddresses: []string{"192.0.2.250"}},
		Authentication: &CreateAuthentication{Passphrase: Secret(short)}})
	errs = append(errs, err)
	for _, err := range []error{ca.DeletePeer(ctx, pa.UUID), cb.DeletePeer(ctx, pb.UUID)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	secrets = append(secrets, ontapsim.DefaultPassword)

	out := logs.String()
	for _, want := range []string{"(sensitive)", "retrying request", "ontap response body"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q; the test would prove nothing", want)
		}
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("log contains secret %q", s)
		}
		for _, err := range errs {
			if err == nil {
				t.Fatal("expected an error")
			}
			if strings.Contains(err.Error(), s) || strings.Contains(fmtAll(err), s) {
				t.Errorf("error %v contains secret %q", err, s)
			}
		}
	}
}

// fmtAll renders err with the verbose verbs too.
func fmtAll(err error) string {
	var b strings.Builder
	for e := err; e != nil; e = errors.Unwrap(e) {
		b.WriteString(e.Error())
	}
	return b.String()
}

// flatPOST rewrites the simulator's wrapped POST response into the flat
// form of ONTAP 9.9.1-9.11.1: the record without uuid or links.
func flatPOST(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var wrapped struct {
			Records []map[string]any `json:"records"`
		}
		if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &wrapped) != nil || len(wrapped.Records) != 1 {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		flat := wrapped.Records[0]
		delete(flat, "uuid")
		delete(flat, "_links")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(flat)
	})
}

func TestCreatePeerFlatResponse(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"}, ontapsim.ClusterConfig{Name: "cluster-b"})
	s := serve(t, w.Cluster("cluster-a"), flatPOST)
	c := s.client(t, nil)
	tests := []struct {
		name string
		req  CreatePeerRequest
	}{
		{"named offer", CreatePeerRequest{Name: "flat-named"}},
		{"anonymous offer, found by its generated name", CreatePeerRequest{}},
		{"targeted, found by remote addresses", CreatePeerRequest{Remote: &CreateRemote{IPAddresses: w.Cluster("cluster-b").InterclusterAddresses("")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.sim.Peers())
			p, err := c.CreatePeer(t.Context(), tt.req)
			if err != nil {
				t.Fatalf("CreatePeer: %v", err)
			}
			if p.UUID == "" || p.Authentication == nil || p.Authentication.Passphrase == "" {
				t.Errorf("peer = %+v, want uuid and the generated passphrase", p)
			}
			recs := s.sim.Peers()
			if len(recs) != before+1 {
				t.Fatalf("%d records, want %d", len(recs), before+1)
			}
			found := false
			for _, r := range recs {
				found = found || r.UUID == p.UUID
			}
			if !found {
				t.Errorf("returned uuid %s is not in the simulator", p.UUID)
			}
		})
	}
	if n := s.sim.RequestCount("PATCH", "/api/cluster/peers/{uuid}"); n != 0 {
		t.Errorf("%d PATCHes, want 0: the flat response carries the passphrase", n)
	}
}

// An ONTAP error that echoes the passphrase after a create whose outcome is
// unknown must not put it in the log line that says so.
func TestCreatePeerUnknownOutcomeLogIsScrubbed(t *testing.T) {
	const pass = "echoed-secret-passphrase"
	echo500 := func(next http.Handler, w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(httptest.NewRecorder(), r)
		w.Header().Set("Content-Type", "application/hal+json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"message":"Unexpected exception near ` + pass + `.","code":"262145"}}`))
	}
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"}, ontapsim.ClusterConfig{Name: "cluster-b"})
	s := serve(t, w.Cluster("cluster-a"), onceWrap("POST", "/api/cluster/peers", echo500))
	var logs bytes.Buffer
	c := s.client(t, func(c *Config) {
		c.Logger = hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Trace})
	})
	_, err := c.CreatePeer(t.Context(), CreatePeerRequest{
		Remote:         &CreateRemote{IPAddresses: w.Cluster("cluster-b").InterclusterAddresses("")},
		Authentication: &CreateAuthentication{Passphrase: pass},
	})
	if err != nil {
		t.Fatalf("CreatePeer: %v", err)
	}
	if !strings.Contains(logs.String(), "create outcome unknown") {
		t.Fatalf("the unknown outcome was not logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), pass) {
		t.Errorf("passphrase in the log:\n%s", logs.String())
	}
}
