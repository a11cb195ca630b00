package ontapsim

import (
	"fmt"
	"sync"
	"testing"
)

func TestAddClusterAndAddresses(t *testing.T) {
	w := New(Options{Seed: 9})
	for _, name := range []string{"zeta", "alpha"} {
		if _, err := w.AddCluster(ClusterConfig{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []ClusterConfig{{Name: "alpha"}, {Name: ""}, {Name: "9x"}, {Name: "v", Version: "9.x"}, {Name: "n", Nodes: -1}} {
		if _, err := w.AddCluster(bad); err == nil {
			t.Errorf("AddCluster(%+v) succeeded", bad)
		}
	}
	cs := w.Clusters()
	if len(cs) != 2 || cs[0].Name() != "alpha" || w.Cluster("zeta") != cs[1] || w.Cluster("nope") != nil {
		t.Fatalf("Clusters() = %v", cs)
	}
	// Deterministic allocation from the documentation ranges, in creation order.
	if got := w.Cluster("zeta").InterclusterAddresses(""); fmt.Sprint(got) != "[192.0.2.1 192.0.2.2]" {
		t.Errorf("zeta addresses %v", got)
	}
	if got := w.Cluster("alpha").InterclusterAddresses("Default"); fmt.Sprint(got) != "[192.0.2.3 192.0.2.4]" {
		t.Errorf("alpha addresses %v", got)
	}
	if cs[0].UUID() == cs[1].UUID() || cs[0].SerialNumber() == cs[1].SerialNumber() {
		t.Error("clusters share an identity")
	}
	// 762 documentation addresses: the pool runs out after 381 two-node clusters.
	big := New(Options{Seed: 1})
	var err error
	n := 0
	for ; err == nil; n++ {
		_, err = big.AddCluster(ClusterConfig{Name: fmt.Sprintf("c%d", n)})
	}
	if n-1 != 381 {
		t.Errorf("pool held %d clusters, want 381", n-1)
	}
	if got := big.Cluster("c380").InterclusterAddresses(""); fmt.Sprint(got) != "[203.0.113.253 203.0.113.254]" {
		t.Errorf("last addresses %v", got)
	}
}

func TestConcurrentClients(t *testing.T) {
	e := newEnv(t, Options{}, ClusterConfig{Name: "cluster-a"}, ClusterConfig{Name: "cluster-b"}, ClusterConfig{Name: "cluster-c"})
	var wg sync.WaitGroup
	for i, c := range []string{"cluster-a", "cluster-b", "cluster-c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				r := e.do(c, "POST", "/api/cluster/peers", map[string]any{"name": fmt.Sprintf("o-%d-%d", i, j)})
				if r.status != 201 {
					t.Errorf("POST: %d %s", r.status, r.raw)
					return
				}
				if r := e.do(c, "GET", "/api/cluster/peers?fields=*", nil); r.status != 200 {
					t.Errorf("GET: %d", r.status)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			e.w.CutNodes("cluster-a", "cluster-b", 1)
			e.clock.Advance(1)
			e.w.RestoreLink("cluster-a", "cluster-b")
		}
	}()
	wg.Wait()
	for _, c := range e.w.Clusters() {
		if n := len(c.Peers()); n != 20 {
			t.Errorf("%s has %d records", c.Name(), n)
		}
	}
}
