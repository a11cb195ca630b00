// Package ontap is the REST client for the parts of the NetApp ONTAP API that
// cluster peering needs: /api/cluster/peers, /api/cluster, nodes, IPspaces and
// intercluster network interfaces.
package ontap
