package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// passphraseTap records every passphrase that ONTAP (the simulator) sends
// in a response: the generated ones, which peerd only ever holds in memory.
type passphraseTap struct {
	mu   sync.Mutex
	seen []string
}

func (p *passphraseTap) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if body := rec.Body.Bytes(); bytes.Contains(body, []byte(`"passphrase"`)) {
			var v any
			if json.Unmarshal(body, &v) == nil {
				p.mu.Lock()
				collectPassphrases(v, &p.seen)
				p.mu.Unlock()
			}
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func (p *passphraseTap) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seen)
}

// collectPassphrases appends every string value of a "passphrase" key.
func collectPassphrases(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "passphrase" && s != "" {
				*out = append(*out, s)
			}
			collectPassphrases(e, out)
		}
	case []any:
		for _, e := range x {
			collectPassphrases(e, out)
		}
	}
}

// simPost sends a request to a cluster's handler as its own admin would.
func simPost(t *testing.T, c *ontapsim.Cluster, password, path, body string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.SetBasicAuth(ontapsim.DefaultUsername, password)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	c.Handler().ServeHTTP(rec, req)
	if rec.Code >= 300 {
		t.Fatalf("POST %s on %s: %d %s", path, c.Name(), rec.Code, rec.Body.String())
	}
}

// TestSecretsNeverLeak runs plan (text and JSON), apply and the daemon at
// trace log level over a managed pair (generated passphrase), an offer to an
// unmanaged remote (generated passphrase in a handover file), an agreed
// passphrase and a wrong agreed passphrase (an ONTAP error), and finds none
// of the passwords and passphrases in any output, log line, metric or error.
func TestSecretsNeverLeak(t *testing.T) {
	const (
		adminPassword  = "Adm1n-secret-pw-9f3k"
		agreedPass     = "Agreed-pass-correct-3m5n"
		wrongPass      = "Wrong-agreed-pass-7h2q"
		partnerOwnPass = "Partner-side-pass-8k1z"
	)
	tap := &passphraseTap{}
	e := newFleetEnv(t, 2, ontapsim.Options{RoutePropagationDelay: -1, Seed: 21, Password: adminPassword},
		"listen: 127.0.0.1:0\nresync_interval: 1h\nlog:\n  level: trace\n  format: json\n", tap.wrap)
	a, b := e.sims[0], e.sims[1]
	x := e.addCluster(t, ontapsim.ClusterConfig{Name: "partner-x", Nodes: 1})
	y := e.addCluster(t, ontapsim.ClusterConfig{Name: "partner-y", Nodes: 1})
	// partner-x's admin offers a to peer with its own passphrase, which the
	// definition below gets wrong: a's create fails with an ONTAP error.
	simPost(t, x, adminPassword, "/api/cluster/peers", fmt.Sprintf(
		`{"remote":{"ip_addresses":[%q]},"authentication":{"passphrase":%q}}`, a.InterclusterAddresses("")[0], partnerOwnPass))

	writeTestFile(t, filepath.Join(e.dir, "secrets", "wrong.pass"), wrongPass+"\n")
	writeTestFile(t, filepath.Join(e.dir, "secrets", "agreed.pass"), agreedPass+"\n")
	handover := filepath.Join(e.dir, "offers", "partner-y.passphrase")
	if err := os.Mkdir(filepath.Dir(handover), 0o700); err != nil {
		t.Fatal(err)
	}
	ips := func(c *ontapsim.Cluster) string { return "[" + strings.Join(c.InterclusterAddresses(""), ", ") + "]" }
	defs := map[string]string{
		"pair.yaml": fmt.Sprintf("name: pair\nlocal:\n  cluster: %s\nremote:\n  cluster: %s\n", a.Name(), b.Name()),
		"wrong.yaml": fmt.Sprintf("name: a-x\nlocal:\n  cluster: %s\nremote:\n  name: partner-x\n  ip_addresses: %s\n  passphrase_file: %s\n",
			a.Name(), ips(x), filepath.Join(e.dir, "secrets", "wrong.pass")),
		"agreed.yaml": fmt.Sprintf("name: b-x\nlocal:\n  cluster: %s\nremote:\n  name: partner-x\n  ip_addresses: %s\n  passphrase_file: %s\n",
			b.Name(), ips(x), filepath.Join(e.dir, "secrets", "agreed.pass")),
		"offer.yaml": fmt.Sprintf("name: b-y\nlocal:\n  cluster: %s\nremote:\n  name: partner-y\n  ip_addresses: %s\n  offer:\n    handover_file: %s\n",
			b.Name(), ips(y), handover),
	}
	for name, content := range defs {
		writeTestFile(t, filepath.Join(e.defs, name), content)
	}

	var outputs []string
	record := func(what, s string) { outputs = append(outputs, what+":\n"+s) }
	for _, args := range [][]string{
		{"plan", "--config", e.config},
		{"plan", "--config", e.config, "-o", "json"},
		{"apply", "--config", e.config, "--auto-approve"},
		{"plan", "--config", e.config, "-o", "json"},
	} {
		code, stdout, stderr := runCLI(t, args...)
		out := stdout + stderr
		record(strings.Join(args, " "), out)
		if args[0] == "apply" && code != 1 {
			t.Fatalf("apply: exit %d, want 1 (the wrong passphrase fails)\n%s", code, out)
		}
	}
	if !established(a, b.Name()) || !established(b, a.Name()) {
		t.Fatalf("the pair is not established: %+v %+v", a.Peers(), b.Peers())
	}

	d := startInProcess(t, "--config", e.config)
	waitUntil(t, "a finished pass", func() bool {
		v, _ := metricValue(scrape(t, d.addr), "peerd_reconcile_passes_total", map[string]string{})
		return v >= 1
	})
	resp, err := http.Get("http://" + d.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metricsText, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	record("/metrics", string(metricsText))
	d.stop(t)
	record("daemon stdout", d.stdout.String())
	record("daemon stderr", d.stderr.String())

	handed, err := os.ReadFile(handover)
	if err != nil {
		t.Fatalf("no handover file: %v", err)
	}
	generated := tap.all()
	if len(generated) < 2 || !slices.Contains(generated, strings.TrimSpace(string(handed))) {
		t.Fatalf("captured %d generated passphrases; the handover file's is among them: %v",
			len(generated), slices.Contains(generated, strings.TrimSpace(string(handed))))
	}
	all := strings.Join(outputs, "\n")
	// The test is only as good as what the outputs hold.
	for _, want := range []string{`"@level":"trace"`, "4653230", "Plan:", `"relationships"`, "peerd_reconcile_passes_total"} {
		if !strings.Contains(all, want) {
			t.Fatalf("the outputs lack %q: trace logs, the ONTAP error, plans and metrics must all be searched", want)
		}
	}
	secrets := append([]string{adminPassword, agreedPass, wrongPass, partnerOwnPass}, generated...)
	for i, s := range secrets {
		for _, o := range outputs {
			if strings.Contains(o, s) {
				what, _, _ := strings.Cut(o, ":\n")
				t.Errorf("secret #%d (%d characters) appears in the output of %s", i, len(s), what)
			}
		}
	}
}
