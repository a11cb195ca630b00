package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// simFlags are the options of `peerd sim`.
type simFlags struct {
	clusters     []string
	nodes        int
	plainHTTP    bool
	username     string
	passwordFile string
	certOut      string
}

// defaultSimClusters are served when no --cluster is given.
var defaultSimClusters = []string{"cluster-a=127.0.0.1:9443", "cluster-b=127.0.0.1:9444"}

func newSimCmd() *cobra.Command {
	var f simFlags
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Serve simulated ONTAP clusters that can peer with each other",
		Long: `sim serves a world of simulated ONTAP clusters, each on its own listener with
the ONTAP REST API (/api/cluster, nodes, IPspaces, intercluster interfaces and
cluster peers) and the /_sim control surface. Clusters peer with each other
through their (documentation-range, never dialled) intercluster addresses.

It prints one line per cluster (name, base URL, intercluster addresses), then
"ready", and serves until interrupted. Without --cluster it serves cluster-a
on 127.0.0.1:9443 and cluster-b on 127.0.0.1:9444. HTTPS uses a self-signed
certificate made at start; --cert-out writes it for clients' CA files.
The default credentials are admin / netapp1!.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSim(cmd.Context(), f, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.clusters, "cluster", nil, "a cluster to serve as NAME=HOST:PORT (repeatable)")
	fl.IntVar(&f.nodes, "nodes", ontapsim.DefaultNodes, "nodes per cluster (one intercluster LIF each)")
	fl.BoolVar(&f.plainHTTP, "http", false, "serve plain HTTP instead of HTTPS")
	fl.StringVar(&f.username, "username", ontapsim.DefaultUsername, "basic-auth user name")
	fl.StringVar(&f.passwordFile, "password-file", "", "file holding the basic-auth password (default password: netapp1!)")
	fl.StringVar(&f.certOut, "cert-out", "", "write the self-signed certificate (PEM) to this file")
	return cmd
}

// simCluster is one parsed --cluster.
type simCluster struct{ name, host, port string }

func parseSimClusters(specs []string) ([]simCluster, error) {
	if len(specs) == 0 {
		specs = defaultSimClusters
	}
	seen := map[string]bool{}
	out := make([]simCluster, 0, len(specs))
	for _, s := range specs {
		name, addr, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--cluster %q: want NAME=HOST:PORT", s)
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("--cluster %q: %w", s, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("--cluster %q: cluster %s given twice", s, name)
		}
		seen[name] = true
		out = append(out, simCluster{name: name, host: host, port: port})
	}
	return out, nil
}

func readSimPassword(path string) (string, error) {
	if path == "" {
		return ontapsim.DefaultPassword, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read password file: %w", err)
	}
	p := strings.TrimRight(string(b), "\r\n")
	if p == "" {
		return "", fmt.Errorf("password file %s is empty", path)
	}
	return p, nil
}

// runSim serves the simulated clusters until ctx is cancelled.
func runSim(ctx context.Context, f simFlags, stdout io.Writer) error {
	specs, err := parseSimClusters(f.clusters)
	if err != nil {
		return err
	}
	password, err := readSimPassword(f.passwordFile)
	if err != nil {
		return err
	}
	world := ontapsim.New(ontapsim.Options{Username: f.username, Password: password})
	var tlsConf *tls.Config
	if !f.plainHTTP {
		hosts := make([]string, 0, len(specs))
		for _, s := range specs {
			hosts = append(hosts, s.host)
		}
		cert, certPEM, err := ontapsim.SelfSignedCertificate(hosts)
		if err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if f.certOut != "" {
			if err := os.WriteFile(f.certOut, certPEM, 0o644); err != nil {
				return fmt.Errorf("sim: write certificate: %w", err)
			}
		}
	} else if f.certOut != "" {
		return errors.New("sim: --cert-out needs HTTPS (drop --http)")
	}

	var servers []*http.Server
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, s := range servers {
			_ = s.Shutdown(sctx)
		}
	}()
	errc := make(chan error, len(specs))
	var lines []string
	for _, s := range specs {
		c, err := world.AddCluster(ontapsim.ClusterConfig{Name: s.name, Nodes: f.nodes})
		if err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(s.host, s.port))
		if err != nil {
			return fmt.Errorf("sim: cluster %s: %w", s.name, err)
		}
		srv := &http.Server{Handler: c.Handler(), ReadHeaderTimeout: 10 * time.Second, TLSConfig: tlsConf}
		servers = append(servers, srv)
		scheme := "http"
		if tlsConf != nil {
			scheme = "https"
			ln = tls.NewListener(ln, tlsConf)
		}
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("sim: cluster %s: %w", s.name, err)
			}
		}()
		host := s.host
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1" // listening on every address; print a reachable one
		}
		lines = append(lines, fmt.Sprintf("%s %s://%s %s", s.name, scheme, net.JoinHostPort(host, port),
			strings.Join(c.InterclusterAddresses(""), ",")))
	}
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	fmt.Fprintln(stdout, "ready")
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}
