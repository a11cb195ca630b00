package desired

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/peerd/peerd/examples"
)

// testSecret is the content written to every example secret file.
const testSecret = "example-secret-1234"

// copyExample copies examples/<name> to a temporary directory with its
// secret files and sets the password variables the examples use. It
// returns the copy's config path.
func copyExample(t *testing.T, name string) string {
	t.Helper()
	cfg, err := examples.Copy(t.TempDir(), name, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range examples.PasswordEnv() {
		t.Setenv(env, "netapp1!")
	}
	return cfg
}

func writeSecret(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil { // in case it existed
		t.Fatal(err)
	}
}

// TestExamples loads every example (config and definitions) and checks
// what it declares, defaults included, so the examples cannot rot.
func TestExamples(t *testing.T) {
	type want struct {
		clusters int
		peers    map[string]string // name -> summary
	}
	summary := func(p Peer) string {
		s := fmt.Sprintf("%s %s/%s/%s -> ", p.State, p.Local.Cluster, p.Local.Ipspace, p.Local.PeerName)
		if p.Remote.Managed() {
			s += fmt.Sprintf("%s/%s/%s", p.Remote.Cluster, p.Remote.Ipspace, p.Remote.PeerName)
		} else {
			s += fmt.Sprintf("%s %v", p.Remote.Name, p.Remote.IPAddresses)
			if p.Remote.Offer != nil {
				s += " offer " + filepath.Base(p.Remote.Offer.HandoverFile)
			}
			if p.Remote.Passphrase != "" {
				s += " passphrase"
			}
		}
		return s + fmt.Sprintf(" %s %v expiry=%s", p.Encryption, p.PeerApplications, p.OfferExpiry)
	}
	tests := map[string]want{
		"quickstart": {2, map[string]string{
			"a-b": "present cluster-a/Default/cluster-b -> cluster-b/Default/cluster-a tls_psk [snapmirror] expiry=1h0m0s",
		}},
		"ipspaces-bootstrap": {2, map[string]string{
			"a-b-replication": "present cluster-a/replication/cluster-b -> cluster-b/ic-b/cluster-a tls_psk [snapmirror flexcache] expiry=2h0m0s",
		}},
		"unmanaged-passphrase": {1, map[string]string{
			"a-partner-x": "present cluster-a/Default/partner-x -> partner-x [203.0.113.7 203.0.113.8] passphrase tls_psk [snapmirror] expiry=1h0m0s",
		}},
		"offer": {1, map[string]string{
			"a-partner-y": "present cluster-a/Default/partner-y -> partner-y [2001:db8::7 2001:db8::8] offer partner-y.passphrase tls_psk [] expiry=2d",
			"a-partner-z": "present cluster-a/Default/partner-z -> partner-z [] offer partner-z.passphrase none [] expiry=1h0m0s",
		}},
		"absent": {3, map[string]string{
			"a-b": "absent cluster-a/Default/cluster-b -> cluster-b/Default/cluster-a tls_psk [] expiry=1h0m0s",
			"a-c": "present cluster-a/Default/cluster-c -> cluster-c/Default/cluster-a tls_psk [] expiry=1h0m0s",
		}},
	}
	for _, name := range examples.Names() {
		if _, ok := tests[name]; !ok {
			t.Errorf("examples/%s is not covered by this test", name)
		}
	}
	for name, w := range tests {
		t.Run(name, func(t *testing.T) {
			cfg, err := LoadConfig(copyExample(t, name))
			if err != nil {
				t.Fatalf("config: %v", err)
			}
			if len(cfg.Clusters) != w.clusters {
				t.Errorf("%d clusters, want %d", len(cfg.Clusters), w.clusters)
			}
			if len(cfg.Warnings()) != 0 {
				t.Errorf("warnings: %v", cfg.Warnings())
			}
			peers, errs := LoadDir(cfg)
			for _, fe := range errs {
				t.Errorf("%s: %v", fe.File, fe.Err)
			}
			got := map[string]string{}
			for _, p := range peers {
				got[p.Name] = summary(p)
				if p.Remote.Passphrase != "" && p.Remote.Passphrase.Reveal() != testSecret {
					t.Errorf("%s: passphrase not read from its file", p.Name)
				}
			}
			if diff := cmp.Diff(w.peers, got); diff != "" {
				t.Errorf("peers (-want +got):\n%s", diff)
			}
		})
	}
}
