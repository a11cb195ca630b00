// Package metrics owns peerd's Prometheus metrics: their names, labels, help
// texts and the registry the daemon serves on /metrics.
//
// Every series is prefixed peerd_ so nothing clashes with NetApp Harvest's
// cluster_peer_* metrics. Labels are bounded: cluster, peer (the ONTAP
// record's name), remote_cluster, relationship, state, kind, result, method,
// path (a template, never a uuid) and code; never addresses, uuids, error
// text or secrets.
//
// The package knows nothing about reconciliation: the daemon calls plain
// methods (ObserveRequest, SetPeers, SetDesired, ObservePass, ...) with plain
// values, so this package imports neither reconcile nor ontap.
package metrics
