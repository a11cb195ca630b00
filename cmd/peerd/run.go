package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/peerd/peerd/cmd/peerd/internal/daemon"
	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/metrics"
	"github.com/peerd/peerd/ontap"
	"github.com/peerd/peerd/reconcile"
)

// runFlags are the flags of `peerd run`.
type runFlags struct {
	config string
	dryRun bool
	once   bool
	listen string
	dev    bool
	dir    string
}

// httpShutdownTimeout bounds the HTTP server's shutdown after the loop
// stopped; with the loop's bound it keeps shutdown under ~10s.
const httpShutdownTimeout = 2 * time.Second

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [--config FILE] [--dry-run] [--once] [--listen ADDR] [-dev [--dir DIR]]",
		Short: "Run the reconciliation daemon",
		Long: `run keeps ONTAP peering in the state the definition files declare. A pass
re-reads the definitions, reads every cluster, plans and applies; passes run
at start, on every change under the config and definition directories, every
resync_interval, on SIGHUP (which also reloads the configuration) and, after
failures, with backoff. SIGINT or SIGTERM stops it.

--dry-run plans and reports but never writes. --once runs one pass and exits:
0 when nothing is left to do, 1 on errors, 2 when changes are pending
(--once --dry-run with a plan). /metrics, /healthz and /readyz are served on
the listen address (not with --once).

-dev (or --dev) starts a simulated two-cluster ONTAP world on loopback, runs
the daemon against it with the examples/quickstart definitions (or --dir) and
prints where to look.`,
		Args:               cobra.ArbitraryArgs,
		DisableFlagParsing: true, // to accept the single-dash -dev
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmd.Flags().Parse(normalizeRunArgs(args)); err != nil {
				return exitCodeError{code: 1, err: fmt.Errorf("%w\nSee 'peerd run --help'", err)}
			}
			if help, _ := cmd.Flags().GetBool("help"); help {
				return cmd.Help()
			}
			if rest := cmd.Flags().Args(); len(rest) > 0 {
				return exitCodeError{code: 1, err: fmt.Errorf("run takes no arguments, got %q", rest)}
			}
			if f.dev && cmd.Flags().Changed("config") {
				return exitCodeError{code: 1, err: fmt.Errorf("-dev makes its own configuration from --dir; it takes no --config")}
			}
			if !f.dev && cmd.Flags().Changed("dir") {
				return exitCodeError{code: 1, err: fmt.Errorf("--dir goes with -dev; without it use --config")}
			}
			return runDaemon(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "/etc/peerd/peerd.yaml", "daemon configuration file")
	fl.BoolVar(&f.dryRun, "dry-run", false, "plan and report, never write to ONTAP")
	fl.BoolVar(&f.once, "once", false, "run one pass and exit (0 done, 1 error, 2 changes pending)")
	fl.StringVar(&f.listen, "listen", "", "address of /metrics, /healthz and /readyz (default: the config's listen, else "+daemon.DefaultListen+")")
	fl.BoolVar(&f.dev, "dev", false, "run against an in-process simulated ONTAP world (also -dev)")
	fl.StringVar(&f.dir, "dir", "examples/quickstart", "with -dev: example directory (peerd.yaml + peers.d) or definition directory")
	fl.BoolP("help", "h", false, "help for run")
	return cmd
}

// normalizeRunArgs turns the single-dash -dev (and -dev=...) into --dev.
func normalizeRunArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		if a == "-dev" || strings.HasPrefix(a, "-dev=") {
			a = "-" + a
		}
		out = append(out, a)
	}
	return out
}

func runDaemon(ctx context.Context, f runFlags, stdout, stderr io.Writer) error {
	var dev *devWorld
	if f.dev {
		var err error
		if dev, err = startDevWorld(ctx, f); err != nil {
			return exitCodeError{code: 1, err: err}
		}
		defer dev.Close()
		f.config = dev.configPath
	}
	cfg, err := desired.LoadConfig(f.config)
	if err != nil {
		return exitCodeError{code: 1, err: fmt.Errorf("load config: %w", err)}
	}
	log := newLogger(cfg, stderr)
	for _, w := range cfg.Warnings() {
		log.Warn("config warning", "warning", w)
	}

	reg := metrics.NewRegistry(buildVersion())
	m := metrics.New(reg)
	m.ConfigReloaded(true, time.Now())
	var planOut io.Writer
	if f.once {
		planOut = stdout
	}
	rec := daemon.NewReconciler(daemon.ReconcilerOptions{
		Clients: func(c *desired.Config) (map[string]reconcile.ClusterAPI, error) {
			return clusterAPIs(c, log.Named("ontap"), m)
		},
		Metrics: m,
		Log:     log.Named("reconcile"),
		PlanOut: planOut,
	})
	hup := forwardSignal(ctx, syscall.SIGHUP)
	loop, err := daemon.New(daemon.Options{
		Config:     cfg,
		LoadConfig: func() (*desired.Config, error) { return reloadConfig(f.config) },
		Reload:     hup,
		Pass:       rec.Pass,
		DryRun:     f.dryRun,
		Log:        log.Named("daemon"),
		Notifier:   daemon.SystemdNotifier{},
		Reporter:   m,
		Watchdog:   daemon.WatchdogInterval(),
		OnReload: func(old, cur *desired.Config) {
			if cur.Listen != old.Listen || cur.WebConfigFile != old.WebConfigFile || cur.Log != old.Log {
				log.Warn("listen, web_config_file and log changes take effect at restart")
			}
		},
		ShutdownTimeout: daemon.DefaultShutdownTimeout - httpShutdownTimeout,
	})
	if err != nil {
		return exitCodeError{code: 1, err: err}
	}
	if f.once {
		return onceExit(loop.RunOnce(ctx), f.dryRun || cfg.DryRun)
	}

	listen := f.listen
	if listen == "" {
		listen = cfg.Listen
	}
	srv, err := daemon.Listen(listen, cfg.WebConfigFile, daemon.Handler(reg, loop, log), log.Named("http"))
	if err != nil {
		if dev != nil {
			err = fmt.Errorf("%w (pick another address with --listen)", err)
		}
		return exitCodeError{code: 1, err: err}
	}
	if dev != nil {
		dev.printBanner(stdout, srv.Addr())
	}
	log.Info("peerd started", "version", buildVersion(), "config", cfg.Path, "listen", srv.Addr(),
		"dry_run", f.dryRun || cfg.DryRun, "clusters", len(cfg.Clusters))
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	runErr := make(chan error, 1)
	go func() { runErr <- loop.Run(loopCtx) }()
	select {
	case err = <-runErr:
	case err = <-srv.Done():
		if err == nil {
			err = errors.New("http server stopped")
		}
		err = fmt.Errorf("serve %s: %w", listen, err)
		log.Error("http server failed; stopping", "error", err)
		stopLoop()
		<-runErr
	}
	if serr := srv.Shutdown(httpShutdownTimeout); serr != nil {
		log.Warn("http shutdown", "error", serr)
	}
	if err != nil {
		return exitCodeError{code: 1, err: err}
	}
	log.Info("peerd stopped")
	return nil
}

// reloadConfig loads the configuration for a reload and refuses one whose
// ONTAP clients cannot be built (a missing or unreadable ca_file, a bad
// client certificate): taking it would stop every pass, so the running
// configuration stays in force instead.
func reloadConfig(path string) (*desired.Config, error) {
	cfg, err := desired.LoadConfig(path)
	if err != nil {
		return nil, err
	}
	if _, err := newClients(cfg, nil, nil); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// onceExit maps a --once pass to the exit codes of plan: 0 nothing left to
// do, 1 an error, 2 changes pending.
func onceExit(res daemon.PassResult, dry bool) error {
	switch {
	case res.Err != nil:
		return exitCodeError{code: 1, err: res.Err}
	case len(res.Failed) > 0:
		return exitCodeError{code: 1, err: fmt.Errorf("relationships failed: %s", strings.Join(res.Failed, ", "))}
	case res.Incomplete != nil:
		return exitCodeError{code: 1, err: res.Incomplete}
	case res.Pending > 0 && dry:
		return exitCodeError{code: 2}
	case res.Pending > 0:
		return exitCodeError{code: 2, err: errors.New("changes pending: writes were not allowed")}
	}
	return nil
}

// clusterAPIs adapts newClients' clients to reconcile's interface.
func clusterAPIs(cfg *desired.Config, log hclog.Logger, obs ontap.Observer) (map[string]reconcile.ClusterAPI, error) {
	clients, err := newClients(cfg, log, obs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]reconcile.ClusterAPI, len(clients))
	for name, c := range clients {
		out[name] = c
	}
	return out, nil
}

// forwardSignal delivers sig as a value on the returned channel (buffered:
// signals during a pass coalesce) until ctx ends.
func forwardSignal(ctx context.Context, sig os.Signal) <-chan struct{} {
	in := make(chan os.Signal, 1)
	out := make(chan struct{}, 1)
	signal.Notify(in, sig)
	go func() {
		defer signal.Stop(in)
		for {
			select {
			case <-ctx.Done():
				return
			case <-in:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out
}

// newLogger builds the root logger: JSON when log.format is json, or auto and
// stderr is not a terminal (journald); text otherwise.
func newLogger(cfg *desired.Config, stderr io.Writer) hclog.Logger {
	asJSON := cfg.Log.Format == "json" || ((cfg.Log.Format == "" || cfg.Log.Format == "auto") && !isTerminal(stderr))
	return hclog.New(&hclog.LoggerOptions{
		Name:       "peerd",
		Level:      hclog.LevelFromString(cfg.Log.Level),
		Output:     stderr,
		JSONFormat: asJSON,
		Color:      hclog.ColorOff,
	})
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
