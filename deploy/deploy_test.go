package deploy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"gopkg.in/yaml.v3"

	"github.com/peerd/peerd/metrics"
)

var metricNameRE = regexp.MustCompile(`\bpeerd_[a-zA-Z0-9_]*[a-zA-Z0-9]`)

// exportedNames returns every series name the daemon's registry can expose,
// histogram suffixes included.
func exportedNames(t *testing.T) map[string]bool {
	t.Helper()
	reg := metrics.NewRegistry("test")
	m := metrics.New(reg)
	// Vectors show up once they have a child: touch every method.
	now := time.Now()
	m.ObserveRequest("c", "GET", "/api/cluster/peers", 200, time.Millisecond)
	m.SetClusterReachable("c", true)
	m.SetPeers("c", []metrics.PeerSample{{Name: "p", UpdateTime: now, ExpiryTime: now}})
	m.SetDesired([]metrics.SideSample{{Relationship: "r", Cluster: "c"}})
	m.SetPendingActions(map[string]int{"create": 1})
	m.ObservePass(metrics.ResultSuccess, time.Second, now)
	m.ObserveAction("create", metrics.ResultSuccess)
	m.SetDefinitionFiles(1, 0)
	m.ConfigReloaded(true, now)

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
		if mf.GetType() == dto.MetricType_HISTOGRAM {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				names[mf.GetName()+suffix] = true
			}
		}
	}
	return names
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func readRules(t *testing.T) ruleFile {
	t.Helper()
	b, err := os.ReadFile("prometheus/peerd.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&rf); err != nil {
		t.Fatalf("peerd.rules.yml: %v", err)
	}
	return rf
}

func TestRulesUseExportedMetrics(t *testing.T) {
	exported := exportedNames(t)
	used := 0
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			texts := []string{r.Expr}
			for _, a := range r.Annotations {
				texts = append(texts, a)
			}
			for _, text := range texts {
				for _, name := range metricNameRE.FindAllString(text, -1) {
					used++
					if !exported[name] {
						t.Errorf("alert %s uses %s, which package metrics does not export", r.Alert, name)
					}
				}
			}
		}
	}
	if used < 10 {
		t.Errorf("found only %d peerd_ metric uses in the rules; is the file parsed?", used)
	}
}

// Every alert says what to do, has a severity, and is unit-tested both
// firing and not firing.
func TestRulesAreDocumentedAndTested(t *testing.T) {
	type alertTest struct {
		Alertname string `yaml:"alertname"`
		ExpAlerts []any  `yaml:"exp_alerts"`
	}
	var tf struct {
		Tests []struct {
			AlertRuleTest []alertTest `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	b, err := os.ReadFile("prometheus/peerd.rules.test.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &tf); err != nil {
		t.Fatal(err)
	}
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, tc := range tf.Tests {
		for _, at := range tc.AlertRuleTest {
			if len(at.ExpAlerts) > 0 {
				fires[at.Alertname] = true
			} else {
				quiet[at.Alertname] = true
			}
		}
	}
	var alerts []string
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			if r.Labels["severity"] != "warning" && r.Labels["severity"] != "critical" {
				t.Errorf("%s: severity %q, want warning or critical", r.Alert, r.Labels["severity"])
			}
			if r.Annotations["summary"] == "" || len(r.Annotations["description"]) < 40 {
				t.Errorf("%s: needs a summary and a description that says what to do", r.Alert)
			}
			if !fires[r.Alert] || !quiet[r.Alert] {
				t.Errorf("%s: tested firing=%v, not firing=%v; want both", r.Alert, fires[r.Alert], quiet[r.Alert])
			}
		}
	}
	for _, want := range []string{"PeerdPeerPartial", "PeerdPeerUnavailable", "PeerdPeerAuthenticationProblem",
		"PeerdPeerAuthenticationRevoked", "PeerdOfferExpiringSoon", "PeerdPeerUnencrypted", "PeerdRelationshipDrift",
		"PeerdReconcileFailing", "PeerdReconcileStale", "PeerdDefinitionFilesBroken", "PeerdONTAPClusterUnreachable",
		"PeerdDown", "PeerdAbsent"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("alert %s is missing", want)
		}
	}
}

func TestDashboardUsesExportedMetrics(t *testing.T) {
	b, err := os.ReadFile("grafana/peerd.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash map[string]any
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("peerd.json: %v", err)
	}
	exported := exportedNames(t)
	var exprs []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				// The datasource variable's query is a plugin type, not PromQL.
				if s, ok := e.(string); ok && (k == "expr" || k == "query" || k == "definition") && s != "prometheus" {
					exprs = append(exprs, s)
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(dash)
	if len(exprs) < 15 {
		t.Fatalf("found %d queries in the dashboard; is it parsed?", len(exprs))
	}
	for _, e := range exprs {
		names := metricNameRE.FindAllString(e, -1)
		if len(names) == 0 && !strings.Contains(e, "label_values") {
			t.Errorf("query uses no peerd metric: %s", e)
		}
		for _, name := range names {
			if !exported[name] {
				t.Errorf("dashboard query uses %s, which package metrics does not export: %s", name, e)
			}
		}
	}
	for _, p := range dash["panels"].([]any) {
		panel := p.(map[string]any)
		if panel["type"] != "row" && panel["description"] == "" {
			t.Errorf("panel %q has no description", panel["title"])
		}
	}
}

func TestExportedNamesIncludeRegistryHelpers(t *testing.T) {
	// The dashboard's instance variable and PeerdDown rely on these.
	names := exportedNames(t)
	for _, n := range []string{"peerd_build_info", "process_start_time_seconds", "go_goroutines"} {
		if !names[n] {
			t.Errorf("%s not exported by metrics.NewRegistry", n)
		}
	}
}
