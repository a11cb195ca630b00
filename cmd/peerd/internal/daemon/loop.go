// Package daemon owns peerd's long-running loop: what triggers a
// reconciliation pass (start, definition changes, the resync interval,
// SIGHUP, retries after failures), that passes never overlap, config
// reloads, shutdown, systemd notification and the HTTP endpoints. What a
// pass does is injected (PassFunc), so the loop is testable without ONTAP.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/peerd/peerd/desired"
)

// Defaults of Options.
const (
	DefaultResync          = 5 * time.Minute
	DefaultShutdownTimeout = 10 * time.Second
	DefaultPassTimeout     = 5 * time.Minute
	DefaultRetryBase       = 2 * time.Second
	DefaultRetryMax        = 5 * time.Minute
)

// PassFunc runs one reconciliation pass. It must honour ctx and must not
// write to ONTAP when in.MayWrite reports false.
type PassFunc func(ctx context.Context, in PassInput) PassResult

// PassInput is what a pass is given.
type PassInput struct {
	// Config is the configuration in force.
	Config *desired.Config
	// Trigger says why the pass runs (for logs).
	Trigger Trigger
	// MayWrite reports whether the pass may write now: false in dry-run,
	// when the Gate refuses, or once shutdown has begun. Ask it before
	// every write.
	MayWrite func(ctx context.Context) bool
}

// PassResult is what a pass reports back to the loop.
type PassResult struct {
	// Err is set when the pass could not run to its end (for example the
	// config's definitions could not be listed or no cluster answered).
	Err error
	// Planned is the number of actions the pass planned.
	Planned int
	// Applied is the number of actions written successfully.
	Applied int
	// Pending is the number of planned actions not written (dry-run, gate,
	// shutdown).
	Pending int
	// Failed names the relationships whose actions or observation failed;
	// each is retried with a capped exponential backoff.
	Failed []string
	// Summary is a one-line human summary (systemd STATUS=, logs).
	Summary string
	// Incomplete says why the plan did not cover everything declared:
	// broken definition files, clusters that could not be observed (as
	// `peerd plan` reports them). The loop does not retry for it; --once
	// exits 1 on it.
	Incomplete error
	// Requeue asks for an early follow-up pass (after writes, to observe
	// their effect); repeated requeues back off like failures.
	Requeue bool
}

// Trigger says why a pass runs.
type Trigger string

// Pass triggers.
const (
	TriggerStart  Trigger = "start"
	TriggerChange Trigger = "change"
	TriggerResync Trigger = "resync"
	TriggerReload Trigger = "reload"
	TriggerRetry  Trigger = "retry"
	// TriggerFollowUp is the early pass that observes a pass's writes.
	TriggerFollowUp Trigger = "follow-up"
)

// Gate is consulted before a pass writes (active/standby); all state stays
// in ONTAP, so a standby only needs to stop writing.
type Gate interface {
	MayWrite(ctx context.Context) bool
}

// AlwaysWrite is the default Gate.
type AlwaysWrite struct{}

// MayWrite always reports true.
func (AlwaysWrite) MayWrite(context.Context) bool { return true }

// Changes is a running watch of the definition and config directories.
type Changes interface {
	Changes() <-chan struct{}
	Close() error
}

// WatchFunc starts watching what cfg reads from.
type WatchFunc func(ctx context.Context, cfg *desired.Config) (Changes, error)

// Reporter records loop events as metrics.
type Reporter interface {
	ConfigReloaded(ok bool, t time.Time)
}

// Options configure a Loop. Config and Pass are required.
type Options struct {
	// Config is the configuration loaded at start.
	Config *desired.Config
	// LoadConfig re-reads the configuration on reload (SIGHUP); nil
	// disables reloads.
	LoadConfig func() (*desired.Config, error)
	// Reload delivers reload requests (SIGHUP).
	Reload <-chan struct{}
	// Pass runs one pass.
	Pass PassFunc
	// Watch starts the file watcher (default DirWatch); return nil Changes
	// to run without one.
	Watch WatchFunc
	// DryRun forbids writes (the config's dry_run does too).
	DryRun bool
	// Gate is asked before writes (default AlwaysWrite).
	Gate Gate
	// Log is the loop's logger (default: discarded).
	Log hclog.Logger
	// Notifier receives systemd notifications (default: none).
	Notifier Notifier
	// Reporter records reloads (optional).
	Reporter Reporter
	// ShutdownTimeout bounds how long a running pass may take to finish
	// after shutdown began (default 10s).
	ShutdownTimeout time.Duration
	// PassTimeout bounds one pass (default 5m); a pass running longer than
	// this plus ShutdownTimeout counts as stuck for the watchdog.
	PassTimeout time.Duration
	// RetryBase and RetryMax bound the retry backoff (default 2s, 5m).
	RetryBase, RetryMax time.Duration
	// Watchdog is systemd's WatchdogSec (WATCHDOG_USEC); the loop pets it
	// at half that while healthy. Zero disables it.
	Watchdog time.Duration
	// OnReload is called after a successful reload (optional).
	OnReload func(old, cur *desired.Config)
}

// Loop runs passes until its context ends. Its exported methods are safe
// for concurrent use (HTTP handlers read its state).
type Loop struct {
	opts Options
	log  hclog.Logger

	cfg atomic.Pointer[desired.Config]

	mu        sync.Mutex
	passes    int
	last      PassResult
	lastEnd   time.Time
	running   bool
	passStart time.Time

	retry *backoff // owned by Run's goroutine
}

// New checks opts and returns a Loop.
func New(opts Options) (*Loop, error) {
	if opts.Config == nil {
		return nil, errors.New("daemon: no config")
	}
	if opts.Pass == nil {
		return nil, errors.New("daemon: no pass function")
	}
	if opts.Watch == nil {
		opts.Watch = DirWatch(opts.Log)
	}
	if opts.Gate == nil {
		opts.Gate = AlwaysWrite{}
	}
	if opts.Log == nil {
		opts.Log = hclog.NewNullLogger()
	}
	if opts.Notifier == nil {
		opts.Notifier = NopNotifier{}
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.PassTimeout <= 0 {
		opts.PassTimeout = DefaultPassTimeout
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = DefaultRetryBase
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = DefaultRetryMax
	}
	l := &Loop{opts: opts, log: opts.Log, retry: newBackoff(opts.RetryBase, opts.RetryMax)}
	l.cfg.Store(opts.Config)
	return l, nil
}

// DirWatch watches the config file's directory and the definition
// directory with desired.Watch.
func DirWatch(log hclog.Logger) WatchFunc {
	return func(ctx context.Context, cfg *desired.Config) (Changes, error) {
		return desired.Watch(ctx, WatchDirs(cfg), desired.WatchOptions{Log: log})
	}
}

// WatchDirs lists the directories whose changes trigger a pass: the config
// file's directory and the definition directory (relative to the former).
func WatchDirs(cfg *desired.Config) []string {
	var dirs []string
	base := "."
	if cfg.Path != "" {
		base = filepath.Dir(cfg.Path)
		dirs = append(dirs, base)
	}
	if cfg.Definitions != "" {
		d := cfg.Definitions
		if !filepath.IsAbs(d) {
			d = filepath.Join(base, d)
		}
		dirs = append(dirs, filepath.Clean(d))
	}
	return dirs
}

// Config returns the configuration in force.
func (l *Loop) Config() *desired.Config { return l.cfg.Load() }

// Ready reports whether a pass has completed since the loop started.
func (l *Loop) Ready() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.passes > 0
}

// Last returns the number of completed passes and the last result.
func (l *Loop) Last() (int, PassResult) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.passes, l.last
}

// healthy reports false when a pass has run far longer than it may.
func (l *Loop) healthy(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.running || now.Sub(l.passStart) < l.opts.PassTimeout+l.opts.ShutdownTimeout
}

func (l *Loop) dryRun() bool { return l.opts.DryRun || l.Config().DryRun }

// mayWrite is the PassInput.MayWrite of passes run while stop is open.
func (l *Loop) mayWrite(stop <-chan struct{}) func(context.Context) bool {
	return func(ctx context.Context) bool {
		select {
		case <-stop:
			return false
		default:
		}
		return ctx.Err() == nil && !l.dryRun() && l.opts.Gate.MayWrite(ctx)
	}
}

// RunOnce runs a single pass and returns its result.
func (l *Loop) RunOnce(ctx context.Context) PassResult {
	return l.runPass(ctx, TriggerStart)
}

// runPass runs one pass to its end, or abandons it ShutdownTimeout after
// ctx ends (its writes already refused by then).
func (l *Loop) runPass(ctx context.Context, why Trigger) PassResult {
	stop := make(chan struct{})
	passCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.opts.PassTimeout)
	defer cancel()
	start := time.Now()
	l.mu.Lock()
	l.running, l.passStart = true, start
	l.mu.Unlock()

	done := make(chan PassResult, 1)
	go func() {
		done <- l.opts.Pass(passCtx, PassInput{Config: l.Config(), Trigger: why, MayWrite: l.mayWrite(stop)})
	}()
	var res PassResult
	select {
	case res = <-done:
	case <-ctx.Done():
		close(stop) // no new writes; the running call may finish
		grace := time.NewTimer(l.opts.ShutdownTimeout)
		select {
		case res = <-done:
		case <-grace.C:
			cancel()
			res = PassResult{Err: fmt.Errorf("pass abandoned at shutdown after %s", l.opts.ShutdownTimeout)}
		}
		grace.Stop()
	}
	l.mu.Lock()
	l.running = false
	l.passes++
	l.last, l.lastEnd = res, time.Now()
	l.mu.Unlock()
	l.logResult(why, res, time.Since(start))
	return res
}

func (l *Loop) logResult(why Trigger, res PassResult, d time.Duration) {
	args := []any{"trigger", why, "duration", d.Round(time.Millisecond).String(), "planned", res.Planned,
		"applied", res.Applied, "pending", res.Pending, "failed", len(res.Failed)}
	switch {
	case res.Err != nil:
		l.log.Error("pass failed", append(args, "error", res.Err)...)
	case len(res.Failed) > 0:
		l.log.Warn("pass finished with failures", append(args, "relationships", res.Failed)...)
	default:
		l.log.Info("pass finished", args...)
	}
}

// statusLine is the systemd STATUS= text for a result.
func statusLine(n int, res PassResult, dry bool) string {
	s := res.Summary
	if s == "" {
		s = fmt.Sprintf("%d planned, %d applied, %d pending, %d failed", res.Planned, res.Applied, res.Pending, len(res.Failed))
	}
	if res.Err != nil {
		s = "error: " + s
	}
	if dry {
		s = "dry-run: " + s
	}
	return fmt.Sprintf("pass %d: %s", n, s)
}

// Keys of the retry backoff besides relationship names (which cannot
// contain a NUL).
const (
	keyPass    = "\x00pass"
	keyRequeue = "\x00requeue"
)

// failedKeys lists what the retry backoff tracks for a result: each failed
// relationship, the pass itself when it failed, and a requeue.
func failedKeys(res PassResult) []string {
	keys := slices.Clone(res.Failed)
	if res.Err != nil {
		keys = append(keys, keyPass)
	}
	if res.Requeue {
		keys = append(keys, keyRequeue)
	}
	return keys
}
