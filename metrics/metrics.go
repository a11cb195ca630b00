package metrics

import (
	"runtime"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

const namespace = "peerd"

// Metrics holds every peerd metric. Create it with New; its methods are safe
// for concurrent use. The exported fields are the underlying collectors, for
// callers that need more than the methods offer.
type Metrics struct {
	// ONTAP API (ontap.go).
	Requests         *prometheus.CounterVec
	RequestDuration  *prometheus.HistogramVec
	ClusterReachable *prometheus.GaugeVec

	// Peer records as ONTAP reports them (peers.go).
	PeerAvailability    *prometheus.GaugeVec
	PeerAuthentication  *prometheus.GaugeVec
	PeerAuthInUse       *prometheus.GaugeVec
	PeerEncryption      *prometheus.GaugeVec
	PeerEncryptionWant  *prometheus.GaugeVec
	PeerInfo            *prometheus.GaugeVec
	PeerUpdateTimestamp *prometheus.GaugeVec
	PeerExpiryTimestamp *prometheus.GaugeVec
	UnmanagedPeers      *prometheus.GaugeVec

	// Desired versus actual (desired.go).
	InSync         *prometheus.GaugeVec
	UnsyncedPasses *prometheus.GaugeVec
	PendingActions *prometheus.GaugeVec

	// Reconcile loop, definitions and configuration (reconcile.go).
	Passes               *prometheus.CounterVec
	PassDuration         prometheus.Histogram
	LastPassSuccessful   prometheus.Gauge
	LastSuccessTimestamp prometheus.Gauge
	Actions              *prometheus.CounterVec
	DefinitionFiles      *prometheus.GaugeVec
	ConfigReloads        *prometheus.CounterVec
	ConfigReloadOK       prometheus.Gauge
	ConfigReloadTime     prometheus.Gauge

	clusterInfo *clusterInfo // peerd_cluster_info with configured labels

	peerSets []*gaugeSet // per-peer series, grouped by cluster
	sides    *gaugeSet   // in_sync, all sides in one group
	unsynced *gaugeSet   // unsynced_passes, all sides in one group

	mu        sync.Mutex
	sideState map[sideKey]*sideState // declared relationship sides
	kinds     map[string]bool        // every action kind ever reported as pending
}

// Label names.
const (
	lCluster       = "cluster"
	lPeer          = "peer"
	lRemoteCluster = "remote_cluster"
	lRelationship  = "relationship"
	lState         = "state"
	lKind          = "kind"
	lResult        = "result"
	lMethod        = "method"
	lPath          = "path"
	lCode          = "code"
)

// Bucket boundaries in seconds. ONTAP calls take tens of milliseconds to the
// client timeout (30 s by default); a pass is one list per cluster plus the
// actions it applies.
var (
	requestBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
	passBuckets    = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}
)

// New creates peerd's metrics and registers them with reg. It panics if a
// metric is already registered there, as prometheus.MustRegister does.
func New(reg prometheus.Registerer) *Metrics {
	peerLabels := []string{lCluster, lPeer, lRemoteCluster}
	stateLabels := []string{lCluster, lPeer, lRemoteCluster, lState}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, labels)
	}
	m := &Metrics{
		clusterInfo: &clusterInfo{labels: map[string]map[string]string{}},
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "ontap_requests_total",
			Help: "ONTAP REST requests by cluster, method, path template and HTTP status code (0: no response).",
		}, []string{lCluster, lMethod, lPath, lCode}),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "ontap_request_duration_seconds",
			Help:    "Duration of ONTAP REST requests, including reading the response.",
			Buckets: requestBuckets,
		}, []string{lCluster, lMethod, lPath}),
		ClusterReachable: gauge("ontap_cluster_reachable",
			"1 if the last pass could read the cluster's peers, 0 if it could not.", lCluster),

		PeerAvailability: gauge("peer_availability",
			"1 for the peer record's current status.state (available, partial, unavailable, pending, unidentified), 0 for the others.",
			stateLabels...),
		PeerAuthentication: gauge("peer_authentication",
			"1 for the peer record's current authentication.state (ok, absent, pending, problem), 0 for the others.",
			stateLabels...),
		PeerAuthInUse: gauge("peer_authentication_in_use",
			"1 for the peer record's administrative authentication.in_use (ok, absent, revoked), 0 for the others.",
			stateLabels...),
		PeerEncryption: gauge("peer_encryption",
			"1 for the peer record's current encryption.state (none, tls_psk), 0 for the others.",
			stateLabels...),
		PeerEncryptionWant: gauge("peer_encryption_wanted",
			"1 if the definition managing the peer record asks for tls_psk encryption.", peerLabels...),
		PeerInfo: gauge("peer_info",
			"Constant 1 per peer record, labelled with its ipspace, peer applications and whether a definition manages it.",
			lCluster, lPeer, lRemoteCluster, "ipspace", "applications", "managed"),
		PeerUpdateTimestamp: gauge("peer_status_update_timestamp_seconds",
			"Unix time of the peer record's status.update_time.", peerLabels...),
		PeerExpiryTimestamp: gauge("peer_authentication_expiry_timestamp_seconds",
			"Unix time at which the peer record's passphrase offer (authentication.expiry_time) expires; only for records that have one.",
			peerLabels...),
		UnmanagedPeers: gauge("unmanaged_peers",
			"Peer records on the cluster that no definition manages.", lCluster),

		InSync: gauge("relationship_in_sync",
			"1 if the declared relationship's side on the cluster matches its definition, 0 if a change is pending.",
			lRelationship, lCluster),
		UnsyncedPasses: gauge("relationship_unsynced_passes",
			"Consecutive passes after which the declared relationship's side on the cluster was still not in sync; 0 when in sync.",
			lRelationship, lCluster),
		PendingActions: gauge("plan_pending_actions",
			"Actions of the last plan that are not yet applied, by kind.", lKind),

		Passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "reconcile_passes_total",
			Help: "Reconcile passes by result: success, or a short reason why it failed.",
		}, []string{lResult}),
		PassDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "reconcile_pass_duration_seconds",
			Help:    "Duration of reconcile passes, reading state to applying the plan.",
			Buckets: passBuckets,
		}),
		LastPassSuccessful: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "reconcile_last_pass_successful",
			Help: "1 if the last reconcile pass succeeded, 0 if it failed or none has finished yet.",
		}),
		LastSuccessTimestamp: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "reconcile_last_success_timestamp_seconds",
			Help: "Unix time at which the last successful reconcile pass ended; 0 before the first one.",
		}),
		Actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "apply_actions_total",
			Help: "Plan actions applied to ONTAP, by kind and result.",
		}, []string{lKind, lResult}),
		DefinitionFiles: gauge("definition_files",
			"Definition files by state: loaded (valid and in force) or broken (fail to parse or validate).", lState),
		ConfigReloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "config_reloads_total",
			Help: "Configuration reloads by result (success, failure).",
		}, []string{lResult}),
		ConfigReloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "config_last_reload_successful",
			Help: "1 if the last configuration reload succeeded, 0 if it failed.",
		}),
		ConfigReloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful configuration load or reload.",
		}),

		sideState: map[sideKey]*sideState{},
		kinds:     map[string]bool{},
	}
	m.peerSets = []*gaugeSet{
		newGaugeSet(m.PeerAvailability, maxOf),
		newGaugeSet(m.PeerAuthentication, maxOf),
		newGaugeSet(m.PeerAuthInUse, maxOf),
		newGaugeSet(m.PeerEncryption, maxOf),
		newGaugeSet(m.PeerEncryptionWant, maxOf),
		newGaugeSet(m.PeerInfo, maxOf),
		newGaugeSet(m.PeerUpdateTimestamp, maxOf),
		newGaugeSet(m.PeerExpiryTimestamp, minOf),
	}
	m.sides = newGaugeSet(m.InSync, minOf)
	m.unsynced = newGaugeSet(m.UnsyncedPasses, maxOf)

	// Series that dashboards and alerts compare exist before the first event.
	for _, r := range PassResults {
		m.Passes.WithLabelValues(r)
	}
	for _, r := range []string{ResultSuccess, ResultFailure} {
		m.ConfigReloads.WithLabelValues(r)
	}
	m.DefinitionFiles.WithLabelValues(FilesLoaded).Set(0)
	m.DefinitionFiles.WithLabelValues(FilesBroken).Set(0)

	reg.MustRegister(
		m.Requests, m.RequestDuration, m.ClusterReachable,
		m.PeerAvailability, m.PeerAuthentication, m.PeerAuthInUse, m.PeerEncryption,
		m.PeerEncryptionWant, m.PeerInfo, m.PeerUpdateTimestamp, m.PeerExpiryTimestamp, m.UnmanagedPeers,
		m.InSync, m.UnsyncedPasses, m.PendingActions,
		m.Passes, m.PassDuration, m.LastPassSuccessful, m.LastSuccessTimestamp, m.Actions,
		m.DefinitionFiles, m.ConfigReloads, m.ConfigReloadOK, m.ConfigReloadTime,
		m.clusterInfo,
	)
	return m
}

// NewRegistry returns the registry the daemon serves: Go runtime and process
// collectors, registered explicitly, and peerd_build_info{version,goversion}.
// Pass it to New for peerd's own metrics.
func NewRegistry(version string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace:   namespace,
		Name:        "build_info",
		Help:        "Constant 1, labelled with the peerd version and the Go version that built it.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	build.Set(1)
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		build,
	)
	return reg
}
