package reconcile

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/examples"
	"github.com/peerd/peerd/ontap"
	"github.com/peerd/peerd/ontap/ontapsim"
)

// loadExample copies examples/<name> to a temporary directory with its
// secrets and loads it with the real loader.
func loadExample(t *testing.T, name string) *desired.Set {
	t.Helper()
	path, err := examples.Copy(t.TempDir(), name, "example-secret-1234")
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range examples.PasswordEnv() {
		t.Setenv(env, "netapp1!")
	}
	cfg, err := desired.LoadConfig(path)
	if err != nil {
		t.Fatalf("load %s config: %v", name, err)
	}
	set, err := desired.NewLoader(cfg).Load()
	if err != nil || len(set.Broken) > 0 {
		t.Fatalf("load %s definitions: %v %v", name, err, set.Broken)
	}
	return set
}

// exampleWorld creates the example's managed clusters (with the IPspaces
// its definitions name) and its unmanaged remotes, and points unmanaged
// remote addresses at the simulated remotes' intercluster LIFs.
func exampleWorld(t *testing.T, set *desired.Set) (*simEnv, []string) {
	t.Helper()
	e := newSimEnv(t, 200*1e6) // a 200 ms route propagation window
	spaces := map[string][]string{}
	for _, p := range set.Peers {
		for _, s := range []desired.Side{p.Local, p.Remote.Side} {
			if s.Cluster != "" && s.Ipspace != "" && s.Ipspace != DefaultIpspace && !slices.Contains(spaces[s.Cluster], s.Ipspace) {
				spaces[s.Cluster] = append(spaces[s.Cluster], s.Ipspace)
			}
		}
	}
	var managed []string
	for _, c := range set.Config.Clusters {
		e.add(ontapsim.ClusterConfig{Name: c.Name, Ipspaces: spaces[c.Name]}, 0)
		managed = append(managed, c.Name)
	}
	for i := range set.Peers {
		p := &set.Peers[i]
		if p.Remote.Managed() {
			continue
		}
		rc := e.add(ontapsim.ClusterConfig{Name: p.Remote.Name}, 0)
		if len(p.Remote.IPAddresses) > 0 {
			p.Remote.IPAddresses = rc.InterclusterAddresses("")
		}
	}
	return e, managed
}

// acceptAsRemoteAdmin does what an unmanaged remote's administrator does:
// create the remote's record toward the local cluster with the agreed or
// handed-over passphrase.
func acceptAsRemoteAdmin(t *testing.T, e *simEnv, p desired.Peer) {
	t.Helper()
	pass := p.Remote.Passphrase
	if p.Remote.Offer != nil {
		b, err := os.ReadFile(p.Remote.Offer.HandoverFile)
		if err != nil {
			t.Fatalf("read handover file: %v", err)
		}
		st, _ := os.Stat(p.Remote.Offer.HandoverFile)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("handover file mode %v, want 0600", st.Mode().Perm())
		}
		pass = ontap.Secret(strings.TrimSpace(string(b)))
	}
	local := e.world.Cluster(p.Local.Cluster)
	_, err := e.clients[p.Remote.Name].CreatePeer(t.Context(), ontap.CreatePeerRequest{
		Remote:         &ontap.CreateRemote{IPAddresses: local.InterclusterAddresses(p.Local.Ipspace)},
		Authentication: &ontap.CreateAuthentication{Passphrase: pass},
	})
	if err != nil {
		t.Fatalf("remote admin of %s: %v", p.Remote.Name, err)
	}
}

// TestExamplesConverge takes every example from empty simulated clusters
// to two-sided available peers, then checks that a second pass plans
// nothing and writes nothing.
func TestExamplesConverge(t *testing.T) {
	for _, name := range []string{"quickstart", "ipspaces-bootstrap", "unmanaged-passphrase", "offer", "absent"} {
		t.Run(name, func(t *testing.T) {
			set := loadExample(t, name)
			e, managed := exampleWorld(t, set)
			apis := e.apis(managed...)
			_, results := e.pass(t.Context(), set, apis, Options{})
			requireOK(t, results)
			for _, p := range set.Peers {
				if p.State != desired.Absent && !p.Remote.Managed() {
					acceptAsRemoteAdmin(t, e, p)
				}
			}
			for _, p := range set.Peers {
				remote := p.Remote.Cluster
				if remote == "" {
					remote = p.Remote.Name
				}
				a, b := e.world.Cluster(p.Local.Cluster), e.world.Cluster(remote)
				if p.State == desired.Absent {
					if _, n := peerTo(a, remote); n != 0 {
						t.Errorf("%s: absent relationship has records", p.Name)
					}
					continue
				}
				requireAvailable(t, a, b)
			}

			for _, c := range e.world.Clusters() {
				c.ResetCounters()
			}
			obs := Observe(t.Context(), apis, set, ObserveOptions{})
			plan := Diff(set, obs, e.now())
			if plan.HasChanges() {
				var sb strings.Builder
				_ = plan.Render(&sb, RenderOptions{})
				t.Fatalf("second plan has changes:\n%s", sb.String())
			}
			requireOK(t, Apply(t.Context(), apis, plan, Options{Desired: set}))
			for _, c := range e.world.Clusters() {
				if n := writes(c); n != 0 {
					t.Errorf("%s: %d writes on a no-op pass", c.Name(), n)
				}
				if n := c.RequestCount("GET", "/api/network/ip/interfaces"); n != 0 {
					t.Errorf("%s: %d interface lists on a no-op pass", c.Name(), n)
				}
			}
		})
	}
}
