package metrics_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/peerd/peerd/metrics"
	"github.com/peerd/peerd/ontap"
)

var _ ontap.Observer = (*metrics.Metrics)(nil)

// populate calls every method once, so lint and name checks see every family.
func populate(m *metrics.Metrics) {
	end := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
	m.ObserveRequest("cluster-a", "GET", "/api/cluster/peers", 200, 40*time.Millisecond)
	m.SetClusterReachable("cluster-a", true)
	m.SetPeers("cluster-a", []metrics.PeerSample{offer, established})
	m.SetDesired([]metrics.SideSample{{Relationship: "a-b", Cluster: "cluster-a"}})
	m.SetPendingActions(map[string]int{"create": 1})
	m.ObservePass(metrics.ResultSuccess, 2*time.Second, end)
	m.ObserveAction("create", metrics.ResultSuccess)
	m.SetDefinitionFiles(3, 0)
	m.ConfigReloaded(true, end)
}

func TestDaemonRegistryLintsClean(t *testing.T) {
	reg := metrics.NewRegistry("v1.2.3")
	populate(metrics.New(reg))
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var peerd, goRuntime int
	for _, mf := range mfs {
		switch {
		case strings.HasPrefix(mf.GetName(), "peerd_"):
			peerd++
		case strings.HasPrefix(mf.GetName(), "go_"):
			goRuntime++
		}
	}
	if peerd < 24 || goRuntime == 0 {
		t.Errorf("gathered %d peerd_ and %d go_ families; want every peerd metric and the Go collector", peerd, goRuntime)
	}
}

func TestBuildInfo(t *testing.T) {
	reg := metrics.NewRegistry("v1.2.3")
	if got := labelValues(t, reg, "peerd_build_info", "version"); len(got) != 1 || got[0] != "v1.2.3" {
		t.Errorf("build_info version = %v", got)
	}
	if got := labelValues(t, reg, "peerd_build_info", "goversion"); len(got) != 1 || !strings.HasPrefix(got[0], "go") {
		t.Errorf("build_info goversion = %v", got)
	}
}

func TestObserveRequestBoundsPath(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.ObserveRequest("cluster-a", "get", "/api/cluster/peers?fields=*&max_records=100", 200, 10*time.Millisecond)
	m.ObserveRequest("cluster-a", "PATCH", "/api/cluster/peers/1e4a2d8c-4f8a-11ec-9a5a-005056bb6b2a", 200, time.Second)
	m.ObserveRequest("cluster-a", "PATCH", "/api/cluster/peers/9c1b2d8c-4f8a-11ec-9a5a-005056bb6b2a", 400, 2*time.Second)
	m.ObserveRequest("cluster-a", "GET", "/api/cluster/peers", 0, 30*time.Second)

	want := `
# HELP peerd_ontap_requests_total ONTAP REST requests by cluster, method, path template and HTTP status code (0: no response).
# TYPE peerd_ontap_requests_total counter
peerd_ontap_requests_total{cluster="cluster-a",code="0",method="GET",path="/api/cluster/peers"} 1
peerd_ontap_requests_total{cluster="cluster-a",code="200",method="GET",path="/api/cluster/peers"} 1
peerd_ontap_requests_total{cluster="cluster-a",code="200",method="PATCH",path="/api/cluster/peers/{uuid}"} 1
peerd_ontap_requests_total{cluster="cluster-a",code="400",method="PATCH",path="/api/cluster/peers/{uuid}"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "peerd_ontap_requests_total"); err != nil {
		t.Fatal(err)
	}
	if got := testutil.CollectAndCount(m.RequestDuration); got != 2 {
		t.Errorf("duration histograms = %d, want one per method and path", got)
	}
	wantHist := `
# HELP peerd_ontap_request_duration_seconds Duration of ONTAP REST requests, including reading the response.
# TYPE peerd_ontap_request_duration_seconds histogram
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="0.01"} 0
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="0.025"} 0
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="0.05"} 0
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="0.1"} 0
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="0.25"} 0
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="0.5"} 0
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="1"} 1
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="2.5"} 2
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="5"} 2
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="10"} 2
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="30"} 2
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="60"} 2
peerd_ontap_request_duration_seconds_bucket{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}",le="+Inf"} 2
peerd_ontap_request_duration_seconds_sum{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}"} 3
peerd_ontap_request_duration_seconds_count{cluster="cluster-a",method="PATCH",path="/api/cluster/peers/{uuid}"} 2
`
	m.RequestDuration.DeleteLabelValues("cluster-a", "GET", "/api/cluster/peers")
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantHist), "peerd_ontap_request_duration_seconds"); err != nil {
		t.Fatal(err)
	}
}

func TestClusterReachable(t *testing.T) {
	m := metrics.New(prometheus.NewRegistry())
	m.SetClusterReachable("cluster-a", true)
	m.SetClusterReachable("cluster-b", false)
	if a, b := testutil.ToFloat64(m.ClusterReachable.WithLabelValues("cluster-a")),
		testutil.ToFloat64(m.ClusterReachable.WithLabelValues("cluster-b")); a != 1 || b != 0 {
		t.Errorf("reachable a=%v b=%v, want 1 and 0", a, b)
	}
}

func TestObservePass(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	t0 := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)

	// Before any pass: every result series exists at 0 and the pass is not successful.
	want := []string{"apply", "clients", "load", "success", "unreachable"}
	if got := labelValues(t, reg, "peerd_reconcile_passes_total", "result"); !slices.Equal(got, want) {
		t.Fatalf("initial results %v, want %v", got, want)
	}
	if got := testutil.ToFloat64(m.LastPassSuccessful); got != 0 {
		t.Errorf("last pass successful before any pass = %v", got)
	}

	m.ObservePass(metrics.ResultSuccess, 1500*time.Millisecond, t0)
	m.ObservePass(metrics.ResultError, 200*time.Millisecond, t0.Add(time.Minute))

	if got := testutil.ToFloat64(m.LastPassSuccessful); got != 0 {
		t.Errorf("last pass successful after a failure = %v", got)
	}
	if got := testutil.ToFloat64(m.LastSuccessTimestamp); got != float64(t0.Unix()) {
		t.Errorf("last success = %v, want the successful pass's end %d", got, t0.Unix())
	}
	if s, e := testutil.ToFloat64(m.Passes.WithLabelValues("success")), testutil.ToFloat64(m.Passes.WithLabelValues("error")); s != 1 || e != 1 {
		t.Errorf("passes success=%v error=%v", s, e)
	}
	if got := testutil.CollectAndCount(m.PassDuration); got != 1 {
		t.Errorf("pass duration series = %d", got)
	}
	m.ObservePass(metrics.ResultSuccess, time.Second, t0.Add(2*time.Minute))
	if got := testutil.ToFloat64(m.LastPassSuccessful); got != 1 {
		t.Errorf("last pass successful = %v", got)
	}
}

func TestActionsFilesAndReload(t *testing.T) {
	m := metrics.New(prometheus.NewRegistry())
	m.ObserveAction("create", metrics.ResultSuccess)
	m.ObserveAction("create", metrics.ResultSuccess)
	m.ObserveAction("delete", "refused")
	if got := testutil.ToFloat64(m.Actions.WithLabelValues("create", "success")); got != 2 {
		t.Errorf("create/success = %v", got)
	}
	if got := testutil.ToFloat64(m.Actions.WithLabelValues("delete", "refused")); got != 1 {
		t.Errorf("delete/refused = %v", got)
	}

	m.SetDefinitionFiles(4, 1)
	if l, b := testutil.ToFloat64(m.DefinitionFiles.WithLabelValues("loaded")), testutil.ToFloat64(m.DefinitionFiles.WithLabelValues("broken")); l != 4 || b != 1 {
		t.Errorf("files loaded=%v broken=%v", l, b)
	}

	t0 := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
	m.ConfigReloaded(true, t0)
	m.ConfigReloaded(false, t0.Add(time.Minute))
	if got := testutil.ToFloat64(m.ConfigReloadOK); got != 0 {
		t.Errorf("last reload successful = %v after a failure", got)
	}
	if got := testutil.ToFloat64(m.ConfigReloadTime); got != float64(t0.Unix()) {
		t.Errorf("last reload success time = %v, want the successful one", got)
	}
	if s, f := testutil.ToFloat64(m.ConfigReloads.WithLabelValues("success")), testutil.ToFloat64(m.ConfigReloads.WithLabelValues("failure")); s != 1 || f != 1 {
		t.Errorf("reloads success=%v failure=%v", s, f)
	}
}

func TestClusterInfo(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.SetClusterLabels(map[string]map[string]string{
		"cluster-a": {"datacenter": "fra1", "cluster": "ignored"},
		"cluster-b": nil,
	})
	want := `
# HELP peerd_cluster_info Constant 1 per managed cluster, labelled with the cluster's configured labels; join on cluster to add them to other series.
# TYPE peerd_cluster_info gauge
peerd_cluster_info{cluster="cluster-a",datacenter="fra1"} 1
peerd_cluster_info{cluster="cluster-b"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "peerd_cluster_info"); err != nil {
		t.Error(err)
	}
	m.RemoveCluster("cluster-a")
	m.SetClusterLabels(map[string]map[string]string{"cluster-b": {"site": "paris"}})
	want = `
# HELP peerd_cluster_info Constant 1 per managed cluster, labelled with the cluster's configured labels; join on cluster to add them to other series.
# TYPE peerd_cluster_info gauge
peerd_cluster_info{cluster="cluster-b",site="paris"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "peerd_cluster_info"); err != nil {
		t.Error(err)
	}
	if problems, err := testutil.GatherAndLint(reg, "peerd_cluster_info"); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}
