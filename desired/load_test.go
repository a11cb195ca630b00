package desired

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// caseDir copies testdata/defs/<name> to <tmp>/peers.d next to a copy of
// testdata/peerd.yaml and returns the loaded config.
func caseConfig(t *testing.T, name string) (*Config, string) {
	t.Helper()
	t.Setenv("PEERD_TEST_PASSWORD", "test-password")
	tmp := t.TempDir()
	b, err := os.ReadFile("testdata/peerd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "peerd.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	defs := filepath.Join(tmp, "peers.d")
	if err := os.MkdirAll(defs, 0o755); err != nil {
		t.Fatal(err)
	}
	if name != "" {
		entries, err := os.ReadDir(filepath.Join("testdata/defs", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join("testdata/defs", name, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(defs, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cfg, err := LoadConfig(filepath.Join(tmp, "peerd.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, tmp
}

// problemLines renders every problem of errs, one per line, with paths
// relative to dir.
func problemLines(dir string, errs []FileError) []string {
	var out []string
	for _, fe := range errs {
		for _, e := range Problems(fe.Err) {
			out = append(out, strings.ReplaceAll(e.Error(), dir+string(filepath.Separator), ""))
		}
	}
	return out
}

func TestLoadDirProblems(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  []string
	}{
		{name: "unknown-key", want: []string{
			`peers.d/peer.yaml:6:3: peer "a-b": remote.ipspcae: unknown field (did you mean ipspace?)`,
		}},
		{name: "bad-ip", want: []string{
			`peers.d/peer.yaml:6:31: peer "a-x": remote.ip_addresses[1]: invalid IP address "203.0.113.300"`,
		}},
		{name: "ip-family-mix", want: []string{
			`peers.d/peer.yaml:8:7: peer "a-x": remote.ip_addresses[1]: 2001:db8::7 is IPv6 but 203.0.113.7 is IPv4: use one address family`,
		}},
		{name: "unknown-cluster", want: []string{
			`peers.d/peer.yaml:5:12: peer "a-z": remote.cluster: unknown cluster "cluster-z": configured clusters are cluster-a, cluster-b, cluster-c`,
		}},
		{name: "enum-typo", want: []string{
			`peers.d/peer.yaml:2:8: peer "a-b": state: unknown state "presnt": want present or absent`,
			`peers.d/peer.yaml:7:13: peer "a-b": encryption: unknown encryption "tls": want tls_psk or none`,
			`peers.d/peer.yaml:8:33: peer "a-b": peer_applications[1]: unknown value "flexcash": want one of snapmirror, flexcache`,
		}},
		{name: "duplicate-relationship", want: []string{
			`peers.d/a-b.yaml:4:1: peer "a-b": remote: relationship cluster-a <-> cluster-b declared twice; also in peer "b-a" at b-a.yaml:2:1`,
			`peers.d/b-a.yaml:5:1: peer "b-a": remote: relationship cluster-a <-> cluster-b declared twice; also in peer "a-b" at a-b.yaml:1:1`,
		}},
		{name: "duplicate-name", want: []string{
			`peers.d/one.yaml:1:7: peer "link": name: relationship name used twice; also in peer "link" at two.yaml:1:1`,
			`peers.d/two.yaml:1:7: peer "link": name: relationship name used twice; also in peer "link" at one.yaml:1:1`,
		}},
		{name: "fighting-side", want: []string{
			`peers.d/managed.yaml:4:1: peer "a-b": remote: two definitions manage cluster-a's peer record for cluster-b; also in peer "a-b-offer" at unmanaged.yaml:2:1`,
			`peers.d/unmanaged.yaml:5:1: peer "a-b-offer": remote: two definitions manage cluster-a's peer record for cluster-b; also in peer "a-b" at managed.yaml:1:1`,
		}},
		{name: "same-remote-address", want: []string{
			`peers.d/x.yaml:6:18: peer "a-x": remote.ip_addresses[0]: remote address 203.0.113.7 used by two definitions on cluster cluster-a; also in peer "a-y" at y.yaml:1:1`,
			`peers.d/y.yaml:6:31: peer "a-y": remote.ip_addresses[1]: remote address 203.0.113.7 used by two definitions on cluster cluster-a; also in peer "a-x" at x.yaml:1:1`,
		}},
		{name: "same-peer-name", want: []string{
			`peers.d/peers.yaml:4:14: peer "a-b": local.peer_name: peer name "partner" used twice on cluster cluster-a; also in peer "a-c" at peers.yaml:8:1`,
			`peers.d/peers.yaml:11:14: peer "a-c": local.peer_name: peer name "partner" used twice on cluster cluster-a; also in peer "a-b" at peers.yaml:1:1`,
		}},
		{name: "expiry-too-long", want: []string{
			`peers.d/peer.yaml:6:15: peer "a-b": offer_expiry: 8d is more than ONTAP's limit of 7d`,
		}},
		{name: "expiry-not-positive", want: []string{
			`peers.d/peer.yaml:6:15: peer "a-b": offer_expiry: must be positive`,
		}},
		{name: "expiry-no-unit", want: []string{
			`peers.d/peer.yaml:6:15: peer "a-b": offer_expiry: duration 3600 has no unit: write e.g. 3600s`,
		}},
		{name: "inline-secret", want: []string{
			`peers.d/peer.yaml:7:3: peer "a-x": remote.passphrase: inline passphrases are not allowed: use passphrase_file or offer`,
		}},
		{name: "secret-missing", want: []string{
			`peers.d/peer.yaml:7:20: peer "a-x": remote.passphrase_file: cannot read secrets/missing.passphrase: no such file or directory`,
		}},
		{name: "secret-world-readable", setup: func(t *testing.T, dir string) {
			p := filepath.Join(dir, "secrets/open.passphrase")
			writeSecret(t, p, "passphrase-1234")
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, want: []string{
			`peers.d/peer.yaml:7:20: peer "a-x": remote.passphrase_file: secrets/open.passphrase is accessible by group or others (mode 0644): chmod 600 it`,
		}},
		{name: "secret-too-short", setup: func(t *testing.T, dir string) {
			writeSecret(t, filepath.Join(dir, "secrets/short.passphrase"), "short")
		}, want: []string{
			`peers.d/peer.yaml:7:20: peer "a-x": remote.passphrase_file: the passphrase is shorter than 8 characters`,
		}},
		{name: "truncated", want: []string{
			`peers.d/peer.yaml:4: invalid YAML: did not find expected ',' or '}'`,
		}},
		{name: "same-cluster", want: []string{
			`peers.d/peer.yaml:4:1: peer "a-a": remote: local and remote are the same cluster cluster-a`,
		}},
		{name: "remote-kind", want: []string{
			`peers.d/peer.yaml:4:1: peer "both": remote: set remote.cluster (a managed cluster) or remote.name (an unmanaged one), not both`,
			`peers.d/peer.yaml:11:1: peer "neither": remote: set remote.cluster (a managed cluster) or remote.name (an unmanaged one)`,
			`peers.d/peer.yaml:17:1: peer "no-secret": remote: an unmanaged remote needs passphrase_file or offer`,
			`peers.d/peer.yaml:26:3: peer "managed-extras": remote.ip_addresses: only for an unmanaged remote (remote.name); peerd finds a managed cluster's addresses and handles its passphrase`,
		}},
		{name: "local-network", want: []string{
			`peers.d/peer.yaml:6:14: peer "a-b": local.local_network.netmask: invalid netmask "255.0.255.0": the mask bits must be contiguous`,
			`peers.d/peer.yaml:4:3: peer "a-b": local.local_network.broadcast_domain: required`,
			`peers.d/peer.yaml:14:14: peer "a-b": remote.local_network.gateway: 198.51.101.1 is outside 198.51.100.0/24, the subnet of ip_addresses`,
		}},
		{name: "not-a-mapping", want: []string{
			`peers.d/peer.yaml:1:1: want a peer definition (a mapping), got a list`,
		}},
		{name: "wrong-types", want: []string{
			`peers.d/peer.yaml:3:12: peer "a-b": local.cluster: want a string, got a list`,
			`peers.d/peer.yaml:6:16: peer "a-b": allow_replace: want true or false, got a string`,
			`peers.d/peer.yaml:7:15: peer "a-b": offer_expiry: invalid duration "soon": want e.g. 90s, 15m, 1h or 2d`,
		}},
		{name: "same-handover-file", want: []string{
			`peers.d/offers.yaml:5:26: peer "a-x": remote.offer.handover_file: handover file offers/partner.passphrase used by two offers; also in peer "a-y" at offers.yaml:7:1`,
			`peers.d/offers.yaml:11:26: peer "a-y": remote.offer.handover_file: handover file offers/partner.passphrase used by two offers; also in peer "a-x" at offers.yaml:1:1`,
		}},
		{name: "empty-file"},
		{name: "swap-files-ignored", setup: func(t *testing.T, dir string) {
			for _, name := range []string{".good.yaml.swp", "good.yaml~", "#good.yaml#", ".#good.yaml", ".hidden.yaml", "good.yaml.swp"} {
				if err := os.WriteFile(filepath.Join(dir, "peers.d", name), []byte("name: [broken\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, dir := caseConfig(t, tt.name)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			peers, errs := LoadDir(cfg)
			got := problemLines(dir, errs)
			for _, line := range got {
				for _, secret := range []string{"hunter2", "passphrase-1234", "test-password"} {
					if strings.Contains(line, secret) {
						t.Errorf("problem shows a secret: %s", line)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if len(errs) > 0 && len(peers) > 0 {
				for _, p := range peers {
					for _, fe := range errs {
						if p.Source.File == fe.File {
							t.Errorf("peer %q of broken file %s is in force", p.Name, fe.File)
						}
					}
				}
			}
		})
	}
}
