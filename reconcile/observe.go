package reconcile

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/peerd/peerd/desired"
)

// DefaultObserveConcurrency bounds how many clusters are read at once.
const DefaultObserveConcurrency = 8

// ObserveOptions tunes Observe.
type ObserveOptions struct {
	// Concurrency bounds clusters read in parallel (default 8).
	Concurrency int
	// Remembered is copied into Observed.Remembered (see Remember).
	Remembered map[string]string
}

// Observe reads every configured cluster: its identity (whose name must be
// the configured one) and one paged list of peer records with PeerFields;
// then, only for what the plan of this observation needs (creates,
// re-keys, records not yet identified), the intercluster addresses of the
// IPspaces involved. A cluster that cannot be read is recorded with its
// error, never guessed.
func Observe(ctx context.Context, clusters map[string]ClusterAPI, set *desired.Set, opts ObserveOptions) *Observed {
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultObserveConcurrency
	}
	obs := &Observed{Clusters: map[string]*ClusterState{}, Remembered: map[string]string{}}
	for k, v := range opts.Remembered {
		obs.Remembered[k] = v
	}
	for _, name := range clusterNames(clusters, set) {
		obs.Clusters[name] = &ClusterState{Name: name}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Concurrency)
	for name, cs := range obs.Clusters {
		api := clusters[name]
		g.Go(func() error {
			if api == nil {
				cs.Error = "no client is configured"
				return nil
			}
			if err := observePeers(gctx, api, cs); err != nil {
				cs.Error = err.Error()
				cs.Peers = nil
			}
			return nil
		})
	}
	_ = g.Wait()

	d := newDiffer(set, obs)
	_ = d.diff(time.Time{})
	needs := make([]lifKey, 0, len(d.needs))
	for k := range d.needs {
		if obs.Clusters[k.cluster].observed() {
			needs = append(needs, k)
		}
	}
	var mu sync.Mutex
	failed := map[string]string{}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(opts.Concurrency)
	for _, k := range needs {
		api := clusters[k.cluster]
		g.Go(func() error {
			addrs, err := interclusterAddresses(gctx, api, k.ipspace)
			mu.Lock()
			defer mu.Unlock()
			cs := obs.Clusters[k.cluster]
			if err != nil {
				failed[k.cluster] = err.Error()
				return nil
			}
			if cs.Addresses == nil {
				cs.Addresses = map[string][]string{}
			}
			cs.Addresses[k.ipspace] = addrs
			return nil
		})
	}
	_ = g.Wait()
	for name, msg := range failed {
		obs.Clusters[name].Error = msg
	}
	return obs
}

// observePeers reads a cluster's identity and peer records.
func observePeers(ctx context.Context, api ClusterAPI, cs *ClusterState) error {
	c, err := api.Cluster(ctx)
	if err != nil {
		return err
	}
	if c.Name != cs.Name {
		return fmt.Errorf("cluster at the configured URL is named %q, not %q", c.Name, cs.Name)
	}
	cs.UUID, cs.SerialNumber = c.UUID, c.SerialNumber
	peers, err := api.ListPeers(ctx, PeerFields())
	if err != nil {
		return err
	}
	sort.SliceStable(peers, func(i, j int) bool {
		if peers[i].Name != peers[j].Name {
			return peers[i].Name < peers[j].Name
		}
		return peers[i].UUID < peers[j].UUID
	})
	cs.Peers = peers
	return nil
}

func interclusterAddresses(ctx context.Context, api ClusterAPI, ipspace string) ([]string, error) {
	lifs, err := api.InterclusterInterfaces(ctx, ipspace)
	if err != nil {
		return nil, err
	}
	addrs := []string{}
	for _, l := range lifs {
		if l.IP != nil && l.IP.Address != "" {
			addrs = append(addrs, l.IP.Address)
		}
	}
	slices.Sort(addrs)
	return slices.Compact(addrs), nil
}

// clusterNames are the configured clusters, or the clients' when there is
// no configuration.
func clusterNames(clusters map[string]ClusterAPI, set *desired.Set) []string {
	var names []string
	if set != nil && set.Config != nil && len(set.Config.Clusters) > 0 {
		for _, c := range set.Config.Clusters {
			names = append(names, c.Name)
		}
	} else {
		for n := range clusters {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
