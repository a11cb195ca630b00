package reconcile

import (
	"context"

	"github.com/peerd/peerd/ontap"
)

// ClusterAPI is what reconcile calls on one managed cluster. *ontap.Client
// implements it; its errors already name the cluster and the operation.
type ClusterAPI interface {
	// Cluster returns the cluster's identity.
	Cluster(ctx context.Context) (*ontap.Cluster, error)
	// InterclusterInterfaces lists the intercluster LIFs of an IPspace.
	InterclusterInterfaces(ctx context.Context, ipspace string) ([]ontap.IPInterface, error)
	// ListPeers lists every peer record with the given fields, following pages.
	ListPeers(ctx context.Context, fields []string) ([]ontap.Peer, error)
	// GetPeer reads one peer record with the given fields.
	GetPeer(ctx context.Context, uuid string, fields []string) (*ontap.Peer, error)
	// CreatePeer creates a peer record; the result carries the uuid and a
	// generated passphrase, if any.
	CreatePeer(ctx context.Context, req ontap.CreatePeerRequest) (*ontap.Peer, error)
	// PatchPeer changes a peer record; the result carries a generated
	// passphrase, if any.
	PatchPeer(ctx context.Context, uuid string, req ontap.PatchPeerRequest) (*ontap.Peer, error)
	// DeletePeer removes a peer record.
	DeletePeer(ctx context.Context, uuid string) error
}

var _ ClusterAPI = (*ontap.Client)(nil)
