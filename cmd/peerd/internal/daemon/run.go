package daemon

import (
	"context"
	"fmt"
	"slices"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"

	"github.com/peerd/peerd/desired"
)

// Run passes until ctx ends: once at start, then on every debounced file
// change, reload, resync tick and due retry. Passes never overlap; triggers
// that arrive during a pass coalesce into one follow-up pass. When ctx ends
// during a pass, writes are refused from then on and the pass is given
// ShutdownTimeout to finish. Run returns nil on shutdown.
func (l *Loop) Run(ctx context.Context) error {
	w, err := l.startWatch(ctx, l.Config())
	if err != nil {
		return err
	}
	defer func() { closeWatch(w) }()
	defer l.startWatchdog(ctx)()

	resync := time.NewTimer(time.Hour)
	resync.Stop()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer resync.Stop()
	defer retry.Stop()

	why := TriggerStart
	retryWhy := TriggerRetry
	for {
		res := l.runPass(ctx, why)
		if ctx.Err() != nil {
			l.notify("STOPPING=1")
			return nil
		}
		n, _ := l.Last()
		status := "STATUS=" + statusLine(n, res, l.dryRun())
		if n == 1 {
			status = "READY=1\n" + status
		}
		l.notify(status)

		retry.Stop()
		keys := failedKeys(res)
		if d, ok := l.retry.update(keys); ok {
			retryWhy = TriggerRetry
			if len(keys) == 1 && keys[0] == keyRequeue {
				retryWhy = TriggerFollowUp
			}
			l.log.Debug("early pass scheduled", "trigger", retryWhy, "in", d.Round(time.Millisecond).String())
			retry.Reset(d)
		}
		resync.Reset(jitter(resyncInterval(l.Config()), 0.1))

		why = l.wait(ctx, &w, resync.C, retry.C, retryWhy)
		if why == "" {
			l.notify("STOPPING=1")
			return nil
		}
	}
}

// rank orders triggers by how much they tell about a pass.
func rank(t Trigger) int {
	switch t {
	case TriggerResync:
		return 1
	case TriggerRetry, TriggerFollowUp:
		return 2
	case TriggerChange:
		return 3
	case TriggerReload:
		return 4
	}
	return 0
}

func resyncInterval(cfg *desired.Config) time.Duration {
	if d := time.Duration(cfg.ResyncInterval); d > 0 {
		return d
	}
	return DefaultResync
}

// wait blocks until something triggers a pass and returns why; "" means ctx
// ended. Every other trigger already pending is consumed too, so that they
// all lead to this one pass.
func (l *Loop) wait(ctx context.Context, w *Changes, resync, retry <-chan time.Time, retryWhy Trigger) Trigger {
	why := Trigger("")
	for {
		var changes <-chan struct{}
		if *w != nil {
			changes = (*w).Changes()
		}
		block := why == ""
		var got Trigger
		if block {
			select {
			case <-ctx.Done():
				return ""
			case <-changes:
				got = TriggerChange
			case <-l.opts.Reload:
				l.reload(ctx, w)
				got = TriggerReload
			case <-resync:
				got = TriggerResync
			case <-retry:
				got = retryWhy
			}
		} else {
			select {
			case <-changes:
				got = TriggerChange
			case <-l.opts.Reload:
				l.reload(ctx, w)
				got = TriggerReload
			case <-resync:
				got = TriggerResync
			case <-retry:
				got = retryWhy
			default:
				return why
			}
		}
		if rank(got) > rank(why) {
			why = got // the more telling reason names the pass
		}
	}
}

// reload re-reads the configuration; one that fails to load or validate
// leaves the running configuration in force.
func (l *Loop) reload(ctx context.Context, w *Changes) {
	if l.opts.LoadConfig == nil {
		l.log.Warn("reload requested but this daemon cannot reload its configuration")
		return
	}
	l.notify("RELOADING=1\n" + sd.SdNotifyMonotonicUsec())
	defer l.notify("READY=1")
	cfg, err := l.opts.LoadConfig()
	if l.opts.Reporter != nil {
		l.opts.Reporter.ConfigReloaded(err == nil, time.Now())
	}
	if err != nil {
		l.log.Error("config reload failed; keeping the running configuration", "error", err)
		return
	}
	old := l.cfg.Swap(cfg)
	l.log.Info("config reloaded", "path", cfg.Path)
	if !slices.Equal(WatchDirs(old), WatchDirs(cfg)) {
		nw, err := l.startWatch(ctx, cfg)
		if err != nil {
			l.log.Error("watch the reloaded configuration's directories; keeping the old watch", "error", err)
		} else {
			closeWatch(*w)
			*w = nw
		}
	}
	if l.opts.OnReload != nil {
		l.opts.OnReload(old, cfg)
	}
}

func (l *Loop) startWatch(ctx context.Context, cfg *desired.Config) (Changes, error) {
	w, err := l.opts.Watch(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("watch %v: %w", WatchDirs(cfg), err)
	}
	return w, nil
}

func closeWatch(w Changes) {
	if w != nil {
		_ = w.Close()
	}
}
