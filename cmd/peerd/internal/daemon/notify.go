package daemon

import (
	"context"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"
)

// Notifier sends sd_notify(3) state strings.
type Notifier interface {
	Notify(state string) error
}

// NopNotifier drops notifications.
type NopNotifier struct{}

// Notify does nothing.
func (NopNotifier) Notify(string) error { return nil }

// SystemdNotifier notifies systemd through $NOTIFY_SOCKET; without one it
// does nothing.
type SystemdNotifier struct{}

// Notify sends state to systemd.
func (SystemdNotifier) Notify(state string) error {
	_, err := sd.SdNotify(false, state)
	return err
}

// WatchdogInterval returns systemd's watchdog period for this process
// (WATCHDOG_USEC), or 0 when none is set.
func WatchdogInterval() time.Duration {
	d, err := sd.SdWatchdogEnabled(false)
	if err != nil {
		return 0
	}
	return d
}

func (l *Loop) notify(state string) {
	if err := l.opts.Notifier.Notify(state); err != nil {
		l.log.Debug("systemd notify failed", "error", err)
	}
}

// startWatchdog pets the systemd watchdog at half its period while the
// loop is healthy; a pass stuck far beyond its timeout stops the petting so
// that systemd restarts the service. The returned func stops it.
func (l *Loop) startWatchdog(ctx context.Context) func() {
	if l.opts.Watchdog <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(l.opts.Watchdog / 2)
		defer t.Stop()
		warned := false
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				if l.healthy(now) {
					l.notify("WATCHDOG=1")
					warned = false
				} else if !warned {
					l.log.Error("pass is stuck; no longer petting the systemd watchdog")
					warned = true
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}
