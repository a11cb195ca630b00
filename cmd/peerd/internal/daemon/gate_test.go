package daemon

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/peerd/peerd/ontap"
	"github.com/peerd/peerd/ontap/ontapsim"
	"github.com/peerd/peerd/reconcile"
)

func TestGateStopsWritesNotReads(t *testing.T) {
	world := ontapsim.New(ontapsim.Options{})
	sim, err := world.AddCluster(ontapsim.ClusterConfig{Name: "cluster-a"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	client, err := ontap.New(ontap.Config{Name: "cluster-a", URL: srv.URL, Username: ontapsim.DefaultUsername, Password: ontapsim.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	var open atomic.Bool
	api := gated(map[string]reconcile.ClusterAPI{"cluster-a": client}, func(context.Context) bool { return open.Load() })["cluster-a"]

	req := ontap.CreatePeerRequest{Authentication: &ontap.CreateAuthentication{GeneratePassphrase: true}}
	if _, err := api.CreatePeer(t.Context(), req); !errors.Is(err, ErrWritesStopped) {
		t.Fatalf("create with writes stopped: %v, want ErrWritesStopped", err)
	}
	if _, err := api.PatchPeer(t.Context(), "x", ontap.PatchPeerRequest{}); !errors.Is(err, ErrWritesStopped) {
		t.Fatalf("patch with writes stopped: %v", err)
	}
	if err := api.DeletePeer(t.Context(), "x"); !errors.Is(err, ErrWritesStopped) {
		t.Fatalf("delete with writes stopped: %v", err)
	}
	if n := sim.RequestCount("POST", "/api/cluster/peers"); n != 0 {
		t.Fatalf("%d POSTs reached ONTAP with writes stopped", n)
	}
	if _, err := api.ListPeers(t.Context(), []string{"name"}); err != nil {
		t.Fatalf("reads must pass: %v", err)
	}
	open.Store(true)
	if _, err := api.CreatePeer(t.Context(), req); err != nil {
		t.Fatalf("create with writes allowed: %v", err)
	}
	if n := sim.RequestCount("POST", "/api/cluster/peers"); n != 1 {
		t.Fatalf("%d POSTs, want 1", n)
	}
}
