package reconcile

import (
	"errors"
	"testing"

	"github.com/peerd/peerd/desired"
)

// TestApplyInterruptedAfterFirstSide stops Apply after the first side's
// create, as a crash would, and checks that the next pass re-keys the
// pending side and completes the pair without a duplicate record.
func TestApplyInterruptedAfterFirstSide(t *testing.T) {
	e, a, b, apis := newPairEnv(t)
	set := pairSet(nil)

	stop := func(s Step) error {
		if s.Index == 0 && s.Action.Kind == KindCreate {
			return ErrStopped
		}
		return nil
	}
	_, results := e.pass(t.Context(), set, apis, Options{AfterStep: stop})
	if len(results) != 2 || results[0].Outcome != OutcomeOK || results[1].Outcome != OutcomeSkipped || !errors.Is(results[1].Err, ErrStopped) {
		t.Fatalf("results = %+v", results)
	}
	if n := len(a.Peers()); n != 1 || a.Peers()[0].AuthState != "pending" {
		t.Fatalf("cluster-a after interruption: %+v", a.Peers())
	}
	if n := len(b.Peers()); n != 0 {
		t.Fatalf("cluster-b after interruption: %+v", b.Peers())
	}

	plan, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	kinds := []Kind{}
	for _, act := range plan.Relationships[0].Actions {
		kinds = append(kinds, act.Kind)
	}
	if len(kinds) != 2 || kinds[0] != KindRekey || kinds[1] != KindCreate {
		t.Fatalf("second plan kinds = %v, want [rekey create]", kinds)
	}
	requireAvailable(t, a, b)
	if len(a.Peers()) != 1 || len(b.Peers()) != 1 {
		t.Fatalf("duplicates: a=%+v b=%+v", a.Peers(), b.Peers())
	}
	if a.RequestCount("POST", "/api/cluster/peers") != 1 {
		t.Errorf("cluster-a got %d creates, want 1", a.RequestCount("POST", "/api/cluster/peers"))
	}
}

// TestApplyOnePatchPerSide changes encryption, applications and (for an
// unmanaged remote) addresses in the definition and checks that each
// change costs exactly one PATCH per side and converges.
func TestApplyOnePatchPerSide(t *testing.T) {
	e, a, b, apis := newPairEnv(t)
	_, results := e.pass(t.Context(), pairSet(nil), apis, Options{})
	requireOK(t, results)
	requireAvailable(t, a, b)

	cases := []struct {
		name   string
		mutate func(*desired.Peer)
	}{
		{"encryption", func(p *desired.Peer) { p.Encryption = "none" }},
		{"applications", func(p *desired.Peer) {
			p.Encryption = "none"
			p.PeerApplications = []string{"snapmirror", "flexcache"}
		}},
		{"name", func(p *desired.Peer) {
			p.Encryption = "none"
			p.PeerApplications = []string{"snapmirror", "flexcache"}
			p.Local.PeerName = "b-dr"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := pairSet(tc.mutate)
			a.ResetCounters()
			b.ResetCounters()
			plan, results := e.pass(t.Context(), set, apis, Options{})
			requireOK(t, results)
			wantB := 1
			if tc.name == "name" {
				wantB = 0 // only cluster-a's local name changed
			}
			if got := a.RequestCount("PATCH", "/api/cluster/peers/{uuid}"); got != 1 {
				t.Errorf("cluster-a PATCHes = %d, want 1", got)
			}
			if got := b.RequestCount("PATCH", "/api/cluster/peers/{uuid}"); got != wantB {
				t.Errorf("cluster-b PATCHes = %d, want %d", got, wantB)
			}
			if writes(a)+writes(b) != 1+wantB {
				t.Errorf("writes a=%d b=%d", writes(a), writes(b))
			}
			if !plan.HasChanges() {
				t.Error("plan had no changes")
			}
			requireAvailable(t, a, b)
			// Converged: the next plan is empty.
			obs := Observe(t.Context(), apis, set, ObserveOptions{})
			if p := Diff(set, obs, e.now()); p.HasChanges() {
				t.Errorf("not converged: %+v", p.Relationships)
			}
		})
	}
	pa, _ := peerTo(a, "cluster-b")
	pb, _ := peerTo(b, "cluster-a")
	if pa.EncryptionProposed != "none" || pb.EncryptionProposed != "none" || pa.Name != "b-dr" {
		t.Errorf("final records: %+v / %+v", pa, pb)
	}
}

// TestBootstrapInterruptedAfterFirstSide interrupts the ipspaces-bootstrap
// example after the first side (an anonymous offer that created its LIFs)
// and checks that the next pass completes the pair.
func TestBootstrapInterruptedAfterFirstSide(t *testing.T) {
	set := loadExample(t, "ipspaces-bootstrap")
	e, managed := exampleWorld(t, set)
	apis := e.apis(managed...)
	stop := func(s Step) error {
		if s.Index == 0 {
			return ErrStopped
		}
		return nil
	}
	_, results := e.pass(t.Context(), set, apis, Options{AfterStep: stop})
	if len(results) != 2 || results[0].Outcome != OutcomeOK || results[1].Outcome != OutcomeSkipped {
		t.Fatalf("results %+v", results)
	}
	_, results = e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	a, b := e.world.Cluster("cluster-a"), e.world.Cluster("cluster-b")
	requireAvailable(t, a, b)
	if len(a.Peers()) != 1 || len(b.Peers()) != 1 {
		t.Fatalf("duplicates: %+v %+v", a.Peers(), b.Peers())
	}
}

// TestLinkCutPlansNothing cuts the link of an established pair: the records
// turn unavailable but their authentication is intact, so nothing is
// re-keyed or re-created.
func TestLinkCutPlansNothing(t *testing.T) {
	e, a, b, apis := newPairEnv(t)
	set := pairSet(nil)
	_, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	e.world.CutLink("cluster-a", "cluster-b")
	a.ResetCounters()
	b.ResetCounters()
	plan, results := e.pass(t.Context(), set, apis, Options{})
	if plan.HasChanges() || len(results) != 0 || writes(a)+writes(b) != 0 {
		t.Fatalf("plan %+v results %+v", plan.Relationships, results)
	}
	if p, _ := peerTo(a, "cluster-b"); p.State != "unavailable" {
		t.Errorf("state %q, want unavailable", p.State)
	}
}
