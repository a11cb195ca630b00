package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
	"github.com/peerd/peerd/ontap/ontapsim"
)

// unmanagedSet declares cluster-a's side of a relationship with partner.
func unmanagedSet(remote desired.Remote, mutate func(*desired.Peer)) *desired.Set {
	p := desired.Peer{Name: "a-partner", State: desired.Present, Local: desired.Side{Cluster: "cluster-a"}, Remote: remote}
	if mutate != nil {
		mutate(&p)
	}
	return &desired.Set{
		Config: &desired.Config{Clusters: []desired.Cluster{{Name: "cluster-a"}}, Prune: desired.PrunePolicy{MaxDeletes: 1}},
		Peers:  []desired.Peer{p},
	}
}

// TestUnmanagedAddressChangeIsOnePatch changes an unmanaged remote's
// declared addresses and checks that exactly one PATCH follows.
func TestUnmanagedAddressChangeIsOnePatch(t *testing.T) {
	e := newSimEnv(t, -1)
	a := e.add(ontapsim.ClusterConfig{Name: "cluster-a"}, 0)
	partner := e.add(ontapsim.ClusterConfig{Name: "partner", Nodes: 2}, 0)
	apis := e.apis("cluster-a")
	addrs := partner.InterclusterAddresses("")
	remote := desired.Remote{Name: "partner", IPAddresses: addrs[:1], Passphrase: "agreed-passphrase-42"}
	set := unmanagedSet(remote, nil)
	_, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	acceptAsRemoteAdmin(t, e, set.Peers[0])
	requireAvailable(t, a, partner)

	remote.IPAddresses = addrs
	set = unmanagedSet(remote, nil)
	a.ResetCounters()
	plan, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	if got := a.RequestCount("PATCH", "/api/cluster/peers/{uuid}"); got != 1 || writes(a) != 1 {
		t.Fatalf("PATCHes = %d, writes = %d, want 1 and 1; plan %+v", got, writes(a), plan.Relationships)
	}
	p, _ := peerTo(a, "partner")
	if strings.Join(p.RemoteIPs, ",") != strings.Join(addrs, ",") {
		t.Errorf("remote addresses = %v, want %v", p.RemoteIPs, addrs)
	}
	obs := Observe(t.Context(), apis, set, ObserveOptions{})
	if Diff(set, obs, e.now()).HasChanges() {
		t.Error("not converged after the address change")
	}
}

// TestOfferRenewal lets an unaccepted offer approach its expiry and checks
// that the renewal re-keys the record, writes the new passphrase to the
// handover file, and that the remote can accept with it.
func TestOfferRenewal(t *testing.T) {
	e := newFakeClockEnv(t)
	a := e.add(ontapsim.ClusterConfig{Name: "cluster-a"}, 0)
	partner := e.add(ontapsim.ClusterConfig{Name: "partner"}, 0)
	apis := e.apis("cluster-a")
	handover := filepath.Join(t.TempDir(), "offers", "partner.passphrase")
	set := unmanagedSet(desired.Remote{
		Name:        "partner",
		IPAddresses: partner.InterclusterAddresses(""),
		Offer:       &desired.Offer{HandoverFile: handover},
	}, func(p *desired.Peer) { p.OfferExpiry = desired.Duration(4 * time.Hour) })
	_, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	first, err := os.ReadFile(handover)
	if err != nil {
		t.Fatal(err)
	}

	// Three quarters of the lifetime later nothing is due yet.
	e.clock.Advance(2*time.Hour + 59*time.Minute)
	plan, _ := e.pass(t.Context(), set, apis, Options{})
	if plan.HasChanges() {
		t.Fatalf("renewal planned too early: %+v", plan.Relationships)
	}
	// Past three quarters: renew.
	e.clock.Advance(2 * time.Minute)
	plan, results = e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	if k := plan.Relationships[0].Actions[0].Kind; k != KindRenew {
		t.Fatalf("action %s, want renew", k)
	}
	second, err := os.ReadFile(handover)
	if err != nil {
		t.Fatal(err)
	}
	if string(first) == string(second) {
		t.Fatal("handover file still holds the old passphrase")
	}
	if len(a.Peers()) != 1 || a.Peers()[0].ExpiryTime.Sub(e.now()) != 4*time.Hour {
		t.Fatalf("records after renewal: %+v", a.Peers())
	}
	acceptAsRemoteAdmin(t, e, set.Peers[0])
	requireAvailable(t, a, partner)
	if plan, _ := e.pass(t.Context(), set, apis, Options{}); plan.HasChanges() {
		t.Errorf("accepted offer still has changes: %+v", plan.Relationships)
	}
}

// TestAgreedPassphraseRenewal creates a side with a passphrase agreed with
// the remote's administrator, lets it approach its expiry, and checks that
// peerd sends the same passphrase again with a new expiry, so that an
// administrator who completes late can still do so.
func TestAgreedPassphraseRenewal(t *testing.T) {
	e := newFakeClockEnv(t)
	a := e.add(ontapsim.ClusterConfig{Name: "cluster-a"}, 0)
	partner := e.add(ontapsim.ClusterConfig{Name: "partner"}, 0)
	apis := e.apis("cluster-a")
	set := unmanagedSet(desired.Remote{
		Name:        "partner",
		IPAddresses: partner.InterclusterAddresses(""),
		Passphrase:  "agreed-passphrase-42",
	}, func(p *desired.Peer) { p.OfferExpiry = desired.Duration(2 * time.Hour) })
	_, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	if got := a.Peers()[0].ExpiryTime.Sub(e.now()); got != 2*time.Hour {
		t.Fatalf("created with expiry in %s, want the definition's 2h", got)
	}
	e.clock.Advance(time.Hour + 40*time.Minute)
	plan, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	if k := plan.Relationships[0].Actions[0].Kind; k != KindRenew {
		t.Fatalf("action %s, want renew", k)
	}
	if got := a.Peers()[0].ExpiryTime.Sub(e.now()); got != 2*time.Hour {
		t.Fatalf("renewed expiry in %s, want 2h", got)
	}
	// Past the first expiry, the administrator completes with the agreed passphrase.
	e.clock.Advance(time.Hour)
	acceptAsRemoteAdmin(t, e, set.Peers[0])
	requireAvailable(t, a, partner)
	if plan, _ := e.pass(t.Context(), set, apis, Options{}); plan.HasChanges() {
		t.Errorf("completed peering still has changes: %+v", plan.Relationships)
	}
}

// TestAbsentDeletesBothSides declares an established pair absent.
func TestAbsentDeletesBothSides(t *testing.T) {
	e, a, b, apis := newPairEnv(t)
	_, results := e.pass(t.Context(), pairSet(nil), apis, Options{})
	requireOK(t, results)
	requireAvailable(t, a, b)
	set := pairSet(func(p *desired.Peer) { p.State = desired.Absent })
	plan, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	if s := plan.Summary(); s.Delete != 2 || s.Refused != 0 {
		t.Fatalf("summary %+v", s)
	}
	if len(a.Peers())+len(b.Peers()) != 0 {
		t.Fatalf("records left: %+v %+v", a.Peers(), b.Peers())
	}
}

// TestUnobservableClusterPlansNothing gives cluster-b a client that reaches
// a cluster of another name: its relationships are unknown and no write
// happens anywhere.
func TestUnobservableClusterPlansNothing(t *testing.T) {
	e := newSimEnv(t, -1)
	a := e.add(ontapsim.ClusterConfig{Name: "cluster-a"}, 0)
	other := e.add(ontapsim.ClusterConfig{Name: "cluster-x"}, 0)
	apis := e.apis("cluster-a")
	apis["cluster-b"] = e.clients["cluster-x"]
	plan, results := e.pass(t.Context(), pairSet(nil), apis, Options{})
	if len(results) != 0 || plan.HasChanges() {
		t.Fatalf("plan %+v results %+v", plan, results)
	}
	r := plan.Relationships[0]
	if r.Status != StatusUnknown || len(r.Notes) == 0 || !strings.Contains(r.Notes[0], `named "cluster-x"`) {
		t.Fatalf("relationship %+v", r)
	}
	if writes(a)+writes(other) != 0 {
		t.Error("writes happened")
	}
}

// TestOneFailureDoesNotStopOthers breaks one relationship (its remote's
// addresses belong to no cluster) and checks that the other still applies.
func TestOneFailureDoesNotStopOthers(t *testing.T) {
	e := newSimEnv(t, -1)
	e.add(ontapsim.ClusterConfig{Name: "cluster-a"}, 0)
	partner := e.add(ontapsim.ClusterConfig{Name: "partner"}, 0)
	set := unmanagedSet(desired.Remote{Name: "partner", IPAddresses: partner.InterclusterAddresses(""), Passphrase: "agreed-passphrase-42"}, nil)
	set.Peers = append(set.Peers, desired.Peer{
		Name: "a-ghost", State: desired.Present, Local: desired.Side{Cluster: "cluster-a"},
		Remote: desired.Remote{Name: "ghost", IPAddresses: []string{"192.0.2.250"}, Passphrase: "agreed-passphrase-42"},
	})
	_, results := e.pass(t.Context(), set, e.apis("cluster-a"), Options{})
	var ok, failed int
	for _, r := range results {
		switch {
		case r.Relationship == "a-ghost" && r.Outcome == OutcomeFailed:
			failed++
			if strings.Contains(r.Err.Error(), "agreed-passphrase-42") {
				t.Errorf("error leaks the passphrase: %v", r.Err)
			}
		case r.Relationship == "a-partner" && r.Outcome == OutcomeOK:
			ok++
		}
	}
	if failed != 1 || ok != 2 { // create + verify
		t.Fatalf("results %+v", results)
	}
}

// TestOneSideDeletedOutOfBand deletes cluster-b's record behind peerd's
// back: the next pass re-keys cluster-a's stale record and re-creates
// cluster-b's, without touching anything else.
func TestOneSideDeletedOutOfBand(t *testing.T) {
	e, a, b, apis := newPairEnv(t)
	set := pairSet(nil)
	_, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	pb, _ := peerTo(b, "cluster-a")
	if err := e.clients["cluster-b"].DeletePeer(t.Context(), pb.UUID); err != nil {
		t.Fatal(err)
	}
	plan, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	if acts := plan.Relationships[0].Actions; len(acts) != 2 || acts[0].Kind != KindRekey || acts[0].Cluster != "cluster-a" || acts[1].Kind != KindCreate {
		t.Fatalf("actions %+v", acts)
	}
	requireAvailable(t, a, b)
}

// TestPruneDeletesUndeclared creates a record no definition declares on a
// cluster with prune on, and one on a cluster without: only the first goes.
func TestPruneDeletesUndeclared(t *testing.T) {
	e := newSimEnv(t, -1)
	a := e.add(ontapsim.ClusterConfig{Name: "cluster-a"}, 0)
	b := e.add(ontapsim.ClusterConfig{Name: "cluster-b"}, 0)
	x := e.add(ontapsim.ClusterConfig{Name: "cluster-x"}, 0)
	for _, c := range []*ontapsim.Cluster{a, b} {
		if _, err := e.clients[c.Name()].CreatePeer(t.Context(), ontap.CreatePeerRequest{
			Remote:         &ontap.CreateRemote{IPAddresses: x.InterclusterAddresses("")},
			Authentication: &ontap.CreateAuthentication{GeneratePassphrase: true},
		}); err != nil {
			t.Fatal(err)
		}
	}
	set := pairSet(nil)
	set.Config.Clusters[0].Prune = true
	plan, results := e.pass(t.Context(), set, e.apis("cluster-a", "cluster-b"), Options{})
	requireOK(t, results)
	if s := plan.Summary(); s.Delete != 1 || s.Create != 2 {
		t.Fatalf("summary %+v", s)
	}
	requireAvailable(t, a, b)
	if len(a.Peers()) != 1 || len(b.Peers()) != 2 {
		t.Fatalf("cluster-a %+v, cluster-b %+v", a.Peers(), b.Peers())
	}
}

// TestNoApplicationsIsOnePass declares a pair with no peer applications:
// the creates send the empty list, so the next pass has nothing to patch.
func TestNoApplicationsIsOnePass(t *testing.T) {
	e, a, b, apis := newPairEnv(t)
	set := pairSet(func(p *desired.Peer) { p.PeerApplications = []string{} })
	_, results := e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	requireAvailable(t, a, b)
	obs := Observe(t.Context(), apis, set, ObserveOptions{})
	if plan := Diff(set, obs, e.now()); plan.HasChanges() {
		t.Errorf("second pass still has changes: %+v", plan.Relationships)
	}
}
