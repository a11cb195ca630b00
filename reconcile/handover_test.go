package reconcile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap/ontapsim"
)

// TestOfferHandoverUnwritableCreatesNothing makes the handover file
// impossible to write and checks that the offer is not created: a created
// offer whose passphrase reached no file would wait, unaccepted, until its
// renewal, with no action planned to fix it. Once the path is writable the
// next pass creates the offer and writes the file.
func TestOfferHandoverUnwritableCreatesNothing(t *testing.T) {
	e := newSimEnv(t, -1)
	a := e.add(ontapsim.ClusterConfig{Name: "cluster-a"}, 0)
	partner := e.add(ontapsim.ClusterConfig{Name: "partner"}, 0)
	apis := e.apis("cluster-a")
	dir := t.TempDir()
	blocker := filepath.Join(dir, "offers")
	if err := os.WriteFile(blocker, []byte("not a directory\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	handover := filepath.Join(blocker, "partner.passphrase")
	set := unmanagedSet(desired.Remote{
		Name:        "partner",
		IPAddresses: partner.InterclusterAddresses(""),
		Offer:       &desired.Offer{HandoverFile: handover},
	}, nil)

	_, results := e.pass(t.Context(), set, apis, Options{})
	if len(results) != 1 || results[0].Outcome != OutcomeFailed || results[0].Err == nil {
		t.Fatalf("results = %+v, want one failed create", results)
	}
	if n := len(a.Peers()); n != 0 {
		t.Fatalf("cluster-a holds %d records after a failed handover, want 0: %+v", n, a.Peers())
	}

	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	_, results = e.pass(t.Context(), set, apis, Options{})
	requireOK(t, results)
	if _, err := os.ReadFile(handover); err != nil {
		t.Fatalf("handover file: %v", err)
	}
	if n := len(a.Peers()); n != 1 {
		t.Fatalf("cluster-a holds %d records, want 1: %+v", n, a.Peers())
	}
}
