package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/metrics"
	"github.com/peerd/peerd/reconcile"
)

// ClientsFunc builds one ONTAP client per configured cluster.
type ClientsFunc func(cfg *desired.Config) (map[string]reconcile.ClusterAPI, error)

// ReconcilerOptions configure a Reconciler. Clients and Metrics are required.
type ReconcilerOptions struct {
	Clients ClientsFunc
	Metrics *metrics.Metrics
	// Log receives one line per applied action and per broken file.
	Log hclog.Logger
	// PlanOut, when set, receives each pass's plan, rendered.
	PlanOut io.Writer
	// Now is the clock of Diff (default time.Now).
	Now func() time.Time
}

// Reconciler is the real pass: load the definitions, observe every cluster,
// diff, record metrics and, when writes are allowed, apply the plan. It keeps
// the definition loader (which remembers the last good content of broken
// files) and the clients across passes, and rebuilds both when the
// configuration changes.
type Reconciler struct {
	opts ReconcilerOptions
	log  hclog.Logger

	mu         sync.Mutex // passes never overlap; this guards against misuse
	cfg        *desired.Config
	loader     *desired.Loader
	clients    map[string]reconcile.ClusterAPI
	remembered map[string]string
}

// NewReconciler returns a Reconciler.
func NewReconciler(opts ReconcilerOptions) *Reconciler {
	if opts.Log == nil {
		opts.Log = hclog.NewNullLogger()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Reconciler{opts: opts, log: opts.Log, remembered: map[string]string{}}
}

// Pass runs one pass; it is a PassFunc.
func (r *Reconciler) Pass(ctx context.Context, in PassInput) PassResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	res, reason := r.pass(ctx, in)
	if reason == "" {
		reason = metrics.ResultSuccess
	}
	r.opts.Metrics.ObservePass(reason, time.Since(start), time.Now())
	return res
}

func (r *Reconciler) pass(ctx context.Context, in PassInput) (PassResult, string) {
	if in.Config != r.cfg {
		clients, err := r.opts.Clients(in.Config)
		if err != nil {
			return PassResult{Err: fmt.Errorf("build ONTAP clients: %w", err)}, metrics.PassClients
		}
		r.forgetClusters(in.Config)
		if r.loader == nil {
			r.loader = desired.NewLoader(in.Config)
		} else {
			r.loader.SetConfig(in.Config) // keeps broken files' last good content
		}
		r.cfg, r.clients = in.Config, clients
		labels := make(map[string]map[string]string, len(in.Config.Clusters))
		for _, c := range in.Config.Clusters {
			labels[c.Name] = c.Labels
		}
		r.opts.Metrics.SetClusterLabels(labels)
	}
	set, err := r.loader.Load()
	if err != nil {
		return PassResult{Err: fmt.Errorf("load definitions: %w", err)}, metrics.PassLoad
	}
	r.recordDefinitions(set)

	obs := reconcile.Observe(ctx, r.clients, set, reconcile.ObserveOptions{
		Concurrency: in.Config.Concurrency, Remembered: r.remembered,
	})
	plan := reconcile.Diff(set, obs, r.opts.Now())
	failed := r.recordObservation(set, obs, plan)

	res := PassResult{Failed: failed, Incomplete: incomplete(in.Config, set, obs)}
	sum := plan.Summary()
	res.Planned = sum.Create + sum.Update + sum.Delete
	if r.opts.PlanOut != nil {
		_ = plan.Render(r.opts.PlanOut, reconcile.RenderOptions{})
	}
	if !plan.HasChanges() {
		r.opts.Metrics.SetPendingActions(nil)
		res.Summary = summary(set, plan, res, false)
		return res, unobservedReason(obs)
	}
	if !in.MayWrite(ctx) {
		r.logWouldApply(plan)
		res.Pending = res.Planned
		r.opts.Metrics.SetPendingActions(pendingKinds(plan, nil))
		res.Summary = summary(set, plan, res, true)
		return res, unobservedReason(obs)
	}
	results := reconcile.Apply(ctx, gated(r.clients, in.MayWrite), plan, reconcile.Options{
		Desired:     set,
		Concurrency: in.Config.Concurrency,
		Log:         r.log.Named("apply"),
	})
	reconcile.Remember(r.remembered, results)
	res.Requeue = true // observe what was written on the next pass
	for _, ar := range results {
		if ar.Kind != reconcile.KindVerify && ar.Outcome != reconcile.OutcomeRefused {
			r.opts.Metrics.ObserveAction(string(ar.Kind), actionResult(ar.Outcome))
		}
		switch ar.Outcome {
		case reconcile.OutcomeOK:
			if ar.Kind != reconcile.KindVerify {
				res.Applied++
			}
		case reconcile.OutcomeFailed, reconcile.OutcomeSkipped:
			res.Failed = appendOnce(res.Failed, ar.Relationship)
		}
	}
	res.Pending = max(res.Planned-res.Applied, 0)
	r.opts.Metrics.SetPendingActions(pendingKinds(plan, results))
	res.Summary = summary(set, plan, res, false)
	if len(res.Failed) > 0 {
		return res, metrics.PassApply
	}
	return res, unobservedReason(obs)
}

// forgetClusters drops the metrics of clusters the new config no longer has.
func (r *Reconciler) forgetClusters(next *desired.Config) {
	if r.cfg == nil {
		return
	}
	keep := map[string]bool{}
	for _, c := range next.Clusters {
		keep[c.Name] = true
	}
	for _, c := range r.cfg.Clusters {
		if !keep[c.Name] {
			r.opts.Metrics.RemoveCluster(c.Name)
		}
	}
}

func (r *Reconciler) recordDefinitions(set *desired.Set) {
	files := map[string]bool{}
	for _, p := range set.Peers {
		if !p.Frozen {
			files[p.Source.File] = true
		}
	}
	for _, b := range set.Broken {
		r.log.Warn("definition file is broken; its last good definitions stay frozen", "file", b.File, "error", b.Err)
	}
	r.opts.Metrics.SetDefinitionFiles(len(files), len(set.Broken))
}

func (r *Reconciler) logWouldApply(plan reconcile.Plan) {
	for _, rel := range plan.Relationships {
		for _, a := range rel.Actions {
			if a.Applicable() {
				r.log.Info("would apply action (no writes)", "relationship", rel.Name, "cluster", a.Cluster,
					"kind", a.Kind, "reason", a.Reason)
			}
		}
	}
}

func actionResult(o reconcile.Outcome) string {
	if o == reconcile.OutcomeOK {
		return metrics.ResultSuccess
	}
	return string(o)
}

// incomplete reports the broken definition files and the clusters that
// could not be observed, as `peerd plan` does.
func incomplete(cfg *desired.Config, set *desired.Set, obs *reconcile.Observed) error {
	var errs []error
	for _, b := range set.Broken {
		errs = append(errs, fmt.Errorf("definition file %s is broken: %w", b.File, b.Err))
	}
	for _, c := range cfg.Clusters {
		if cs := obs.Clusters[c.Name]; cs == nil || cs.Error != "" {
			errs = append(errs, fmt.Errorf("cluster %s could not be observed", c.Name))
		}
	}
	return errors.Join(errs...)
}

// unobservedReason is the pass result reason when a cluster could not be read.
func unobservedReason(obs *reconcile.Observed) string {
	for _, cs := range obs.Clusters {
		if cs.Error != "" {
			return metrics.PassUnreachable
		}
	}
	return ""
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func summary(set *desired.Set, plan reconcile.Plan, res PassResult, wouldApply bool) string {
	sum := plan.Summary()
	s := fmt.Sprintf("%d relationships, %d to create, %d to update, %d to delete", len(set.Peers), sum.Create, sum.Update, sum.Delete)
	if res.Applied > 0 {
		s += fmt.Sprintf(", %d applied", res.Applied)
	}
	if wouldApply {
		s += ", not applied"
	}
	if n := len(res.Failed); n > 0 {
		s += fmt.Sprintf(", %d failing", n)
	}
	if n := len(set.Broken); n > 0 {
		s += fmt.Sprintf(", %d broken files", n)
	}
	return s
}
