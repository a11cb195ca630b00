// Package ontap is the REST client for the parts of the NetApp ONTAP API that
// cluster peering needs: /api/cluster/peers, /api/cluster, nodes, IPspaces and
// intercluster network interfaces.
//
// It owns the typed ONTAP models (models.go), the classification of ONTAP
// failures (Error, IsNotFound, IsTransient, IsAuth) and the transport rules:
// TLS verification, basic or certificate authentication, a per-cluster rate
// limit, per-attempt timeouts, retries with capped exponential backoff and
// jitter, paging over _links.next, job polling, and POSTs that are never
// repeated when they may already have taken effect. Passwords and
// passphrases never reach logs, errors or metrics.
package ontap
