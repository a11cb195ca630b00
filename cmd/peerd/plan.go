package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/reconcile"
)

// planFlags are the flags of `peerd plan`.
type planFlags struct {
	config   string
	output   string
	detailed bool
}

func newPlanCmd() *cobra.Command {
	var f planFlags
	cmd := &cobra.Command{
		Use:   "plan --config FILE [--output text|json] [--detailed-exitcode]",
		Short: "Show what apply would change, without changing anything",
		Long: `plan reads the configuration and definitions, observes every cluster and
prints what peerd would create, update and delete. It never writes to ONTAP.

Exit codes: 0 success; 1 error (including broken definition files and
clusters that cannot be observed, after the plan is printed). With
--detailed-exitcode: 0 no changes, 1 error, 2 changes pending.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.output != "text" && f.output != "json" {
				return exitCodeError{code: 1, err: fmt.Errorf("--output must be text or json, not %q", f.output)}
			}
			pc, err := preparePlan(cmd.Context(), f.config, cmd.ErrOrStderr())
			if err != nil {
				return exitCodeError{code: 1, err: err}
			}
			out := cmd.OutOrStdout()
			if f.output == "json" {
				err = pc.plan.RenderJSON(out)
			} else {
				err = pc.plan.Render(out, reconcile.RenderOptions{Color: colorOutput(out)})
			}
			if err != nil {
				return exitCodeError{code: 1, err: fmt.Errorf("write plan: %w", err)}
			}
			if err := pc.incomplete(); err != nil {
				return exitCodeError{code: 1, err: err}
			}
			if f.detailed && pc.plan.HasChanges() {
				return exitCodeError{code: 2}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "/etc/peerd/peerd.yaml", "daemon configuration file")
	fl.StringVarP(&f.output, "output", "o", "text", "plan format: text or json")
	fl.BoolVar(&f.detailed, "detailed-exitcode", false, "exit 2 when changes are pending, 0 when none")
	return cmd
}

// planContext is a computed plan with what is needed to apply it.
type planContext struct {
	cfg  *desired.Config
	set  *desired.Set
	obs  *reconcile.Observed
	plan reconcile.Plan
	apis map[string]reconcile.ClusterAPI
	log  hclog.Logger
}

// preparePlan loads the configuration and definitions, observes the
// clusters and diffs. Logs go to stderr.
func preparePlan(ctx context.Context, configPath string, stderr io.Writer) (*planContext, error) {
	cfg, err := desired.LoadConfig(configPath)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	log := cliLogger(cfg, stderr)
	for _, w := range cfg.Warnings() {
		log.Warn("config warning", "warning", w)
	}
	set, err := desired.NewLoader(cfg).Load()
	if err != nil {
		return nil, fmt.Errorf("load definitions: %w", err)
	}
	clients, err := newClients(cfg, log.Named("ontap"), nil)
	if err != nil {
		return nil, err
	}
	apis := make(map[string]reconcile.ClusterAPI, len(clients))
	for name, c := range clients {
		apis[name] = c
	}
	obs := reconcile.Observe(ctx, apis, set, reconcile.ObserveOptions{Concurrency: cfg.Concurrency})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &planContext{
		cfg: cfg, set: set, obs: obs, apis: apis, log: log,
		plan: reconcile.Diff(set, obs, time.Now()),
	}, nil
}

// incomplete reports why the plan does not cover everything declared:
// broken definition files or clusters that could not be observed.
func (pc *planContext) incomplete() error {
	var errs []error
	for _, b := range pc.set.Broken {
		errs = append(errs, fmt.Errorf("definition file %s is broken: %w", b.File, b.Err))
	}
	for _, c := range pc.cfg.Clusters {
		if cs := pc.obs.Clusters[c.Name]; cs == nil || cs.Error != "" {
			errs = append(errs, fmt.Errorf("cluster %s could not be observed", c.Name))
		}
	}
	return errors.Join(errs...)
}

// colorOutput reports whether w is a terminal that accepts colours
// (NO_COLOR unset).
func colorOutput(w io.Writer) bool {
	_, noColor := os.LookupEnv("NO_COLOR")
	return !noColor && terminal(w)
}

// cliLogger is the logger of plan and apply: text on stderr unless the
// configuration asks for JSON, at the configured level (default info).
func cliLogger(cfg *desired.Config, stderr io.Writer) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       "peerd",
		Level:      hclog.LevelFromString(cfg.Log.Level),
		Output:     stderr,
		JSONFormat: cfg.Log.Format == "json",
		Color:      hclog.ColorOff,
	})
}
