package daemon

import (
	"context"
	"errors"

	"github.com/peerd/peerd/ontap"
	"github.com/peerd/peerd/reconcile"
)

// ErrWritesStopped is the error of a write refused because writes stopped
// during the pass (shutdown began or the Gate closed); the call in flight
// before that is not affected.
var ErrWritesStopped = errors.New("writes stopped (shutting down or gate closed): not started")

// gatedAPI asks mayWrite before every write, so that no new write starts
// once shutdown has begun, whatever the order Apply works in. Reads pass
// through.
type gatedAPI struct {
	reconcile.ClusterAPI
	mayWrite func(context.Context) bool
}

func gated(clients map[string]reconcile.ClusterAPI, mayWrite func(context.Context) bool) map[string]reconcile.ClusterAPI {
	out := make(map[string]reconcile.ClusterAPI, len(clients))
	for name, c := range clients {
		out[name] = gatedAPI{ClusterAPI: c, mayWrite: mayWrite}
	}
	return out
}

// CreatePeer creates a peer record unless writes stopped.
func (g gatedAPI) CreatePeer(ctx context.Context, req ontap.CreatePeerRequest) (*ontap.Peer, error) {
	if !g.mayWrite(ctx) {
		return nil, ErrWritesStopped
	}
	return g.ClusterAPI.CreatePeer(ctx, req)
}

// PatchPeer changes a peer record unless writes stopped.
func (g gatedAPI) PatchPeer(ctx context.Context, uuid string, req ontap.PatchPeerRequest) (*ontap.Peer, error) {
	if !g.mayWrite(ctx) {
		return nil, ErrWritesStopped
	}
	return g.ClusterAPI.PatchPeer(ctx, uuid, req)
}

// DeletePeer removes a peer record unless writes stopped.
func (g gatedAPI) DeletePeer(ctx context.Context, uuid string) error {
	if !g.mayWrite(ctx) {
		return ErrWritesStopped
	}
	return g.ClusterAPI.DeletePeer(ctx, uuid)
}
