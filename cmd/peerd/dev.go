package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// devWorld is the simulated ONTAP world of `peerd run -dev`: one simulated
// cluster per configured cluster (cluster-a and cluster-b in the
// quickstart), each on a real loopback HTTPS listener with a self-signed
// certificate, and a generated config pointing peerd at them.
type devWorld struct {
	dir        string // temporary: config, CA, password file
	configPath string
	defsDir    string
	clusters   []devCluster
	servers    []*http.Server
}

type devCluster struct{ name, url string }

// startDevWorld starts the simulator and writes the config that points at it.
func startDevWorld(ctx context.Context, f runFlags) (*devWorld, error) {
	raw, defsDir, err := devConfig(f.dir)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "peerd-dev-")
	if err != nil {
		return nil, fmt.Errorf("dev: %w", err)
	}
	d := &devWorld{dir: tmp, defsDir: defsDir}
	if err := d.start(ctx, raw); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.linkEntries(f.dir); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// linkEntries links every entry of the example directory into the
// temporary one, except the files generated there: relative paths of the
// example (a passphrase_file such as secrets/x.passphrase) resolve against
// the generated config's directory, and must find what they would find
// beside the example's own peerd.yaml.
func (d *devWorld) linkEntries(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	for _, e := range entries {
		dst := filepath.Join(d.dir, e.Name())
		if _, err := os.Lstat(dst); err == nil {
			continue // generated here (peerd.yaml, sim-ca.pem, sim.password)
		}
		if err := os.Symlink(filepath.Join(abs, e.Name()), dst); err != nil {
			return fmt.Errorf("dev: %w", err)
		}
	}
	return nil
}

// devConfig reads dir/peerd.yaml as a generic document, or makes one for a
// plain definition directory, and returns it with the definition directory.
func devConfig(dir string) (map[string]any, string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", fmt.Errorf("dev: %w", err)
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return nil, "", fmt.Errorf("dev: %s is not a directory (run from the repository root, or pass --dir)", dir)
	}
	data, err := os.ReadFile(filepath.Join(abs, "peerd.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		var clusters []any
		for _, name := range []string{"cluster-a", "cluster-b"} { // when there is no peerd.yaml
			clusters = append(clusters, map[string]any{"name": name})
		}
		return map[string]any{"definitions": abs, "clusters": clusters}, abs, nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("dev: %w", err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, "", fmt.Errorf("dev: %s/peerd.yaml: %w", dir, err)
	}
	defs, _ := raw["definitions"].(string)
	if defs == "" {
		defs = "peers.d"
	}
	if !filepath.IsAbs(defs) {
		defs = filepath.Join(abs, defs)
	}
	raw["definitions"] = defs
	return raw, defs, nil
}

func (d *devWorld) start(ctx context.Context, raw map[string]any) error {
	world := ontapsim.New(ontapsim.Options{})
	cert, certPEM, err := ontapsim.SelfSignedCertificate([]string{"127.0.0.1", "localhost"})
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	caFile := filepath.Join(d.dir, "sim-ca.pem")
	passFile := filepath.Join(d.dir, "sim.password")
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	if err := os.WriteFile(passFile, []byte(ontapsim.DefaultPassword+"\n"), 0o600); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	ipspaces := definedIpspaces(d.defsDir)
	clusters, _ := raw["clusters"].([]any)
	for _, c := range clusters {
		cm, ok := c.(map[string]any)
		if !ok {
			return errors.New("dev: clusters: every entry must be a mapping")
		}
		name, _ := cm["name"].(string)
		sim, err := world.AddCluster(ontapsim.ClusterConfig{Name: name, Ipspaces: ipspaces[name]})
		if err != nil {
			return fmt.Errorf("dev: simulate %q: %w", name, err)
		}
		url, err := d.serve(ctx, sim.Handler(), cert)
		if err != nil {
			return err
		}
		d.clusters = append(d.clusters, devCluster{name: name, url: url})
		cm["url"], cm["ca_file"], cm["password_file"] = url, caFile, passFile
		cm["username"] = ontapsim.DefaultUsername
		delete(cm, "password_env")
		delete(cm, "insecure_skip_verify")
	}
	delete(raw, "listen") // --listen (or the default) decides
	out, err := yaml.Marshal(raw)
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	d.configPath = filepath.Join(d.dir, "peerd.yaml")
	if err := os.WriteFile(d.configPath, out, 0o600); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	return nil
}

// definedIpspaces reads the definition files loosely (the daemon validates
// them) and returns, per cluster, the IPspaces besides Default that they
// name, so that the simulated clusters have them (without intercluster
// LIFs: local_network bootstraps them).
func definedIpspaces(dir string) map[string][]string {
	out := map[string][]string{}
	add := func(side any) {
		m, _ := side.(map[string]any)
		cluster, _ := m["cluster"].(string)
		ipspace, _ := m["ipspace"].(string)
		if cluster != "" && ipspace != "" && ipspace != "Default" && !slices.Contains(out[cluster], ipspace) {
			out[cluster] = append(out[cluster], ipspace)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.y*ml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc map[string]any
			if dec.Decode(&doc) != nil {
				break
			}
			add(doc["local"])
			add(doc["remote"])
		}
	}
	return out
}

// serve runs h on a loopback HTTPS listener and returns its URL.
func (d *devWorld) serve(ctx context.Context, h http.Handler, cert tls.Certificate) (string, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("dev: listen: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	d.servers = append(d.servers, srv)
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	return "https://" + ln.Addr().String(), nil
}

// Close stops the simulated clusters and removes the temporary files.
func (d *devWorld) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, s := range d.servers {
		_ = s.Shutdown(ctx)
	}
	_ = os.RemoveAll(d.dir)
}

// printBanner tells a newcomer where to look.
func (d *devWorld) printBanner(w io.Writer, listen string) {
	metricsURL := "http://" + listen + "/metrics"
	fmt.Fprintf(w, "peerd -dev: a simulated ONTAP world on loopback, reconciled by peerd.\n\n")
	fmt.Fprintf(w, "  definitions  %s  (edit, add or remove files: peerd reacts within a second)\n", d.defsDir)
	fmt.Fprintf(w, "  config       %s\n", d.configPath)
	for _, c := range d.clusters {
		fmt.Fprintf(w, "  %-12s %s  (user %s, password in %s)\n", c.name, c.url, ontapsim.DefaultUsername, filepath.Join(d.dir, "sim.password"))
	}
	fmt.Fprintf(w, "  metrics      %s\n\n", metricsURL)
	fmt.Fprintf(w, "Watch the peering become available:\n")
	fmt.Fprintf(w, "  curl -s %s | grep '^peerd_peer_availability.*state=\"available\"'\n", metricsURL)
	if len(d.clusters) > 0 {
		c := d.clusters[0]
		fmt.Fprintf(w, "Ask the simulated %s directly:\n", c.name)
		fmt.Fprintf(w, "  curl -s --cacert %s -u %s:\"$(cat %s)\" '%s/api/cluster/peers?fields=name,status.state,authentication.state'\n",
			filepath.Join(d.dir, "sim-ca.pem"), ontapsim.DefaultUsername, filepath.Join(d.dir, "sim.password"), c.url)
	}
	fmt.Fprintf(w, "Stop with Ctrl-C.\n\n")
}
