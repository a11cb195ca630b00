package daemon

import (
	"testing"
	"time"
)

func TestWatchdogStopsWhenStuck(t *testing.T) {
	p := &fakePass{block: make(chan struct{}), stuck: true}
	h := start(t, p, func(o *Options) {
		o.Watchdog = 100 * time.Millisecond
		o.PassTimeout, o.ShutdownTimeout = 50*time.Millisecond, 50*time.Millisecond
	})
	// The first pass hangs beyond its timeout, ignoring its context; the
	// watchdog must stop petting.
	waitFor(t, "stuck pass", func() bool {
		h.loop.mu.Lock()
		defer h.loop.mu.Unlock()
		return h.loop.running && time.Since(h.loop.passStart) > 400*time.Millisecond
	})
	before := h.rec.count("WATCHDOG=1")
	time.Sleep(300 * time.Millisecond)
	if after := h.rec.count("WATCHDOG=1"); after != before {
		t.Fatalf("watchdog petted %d times while the loop was stuck", after-before)
	}
}

func TestWatchdogPetsWhileHealthy(t *testing.T) {
	h := start(t, &fakePass{}, func(o *Options) { o.Watchdog = 40 * time.Millisecond })
	waitFor(t, "watchdog pets", func() bool { return h.rec.count("WATCHDOG=1") >= 3 })
}
