package daemon

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peerd/peerd/desired"
)

const waitLimit = 15 * time.Second

// fakeWatch is a Changes the test fires by hand.
type fakeWatch struct {
	ch     chan struct{}
	closed atomic.Bool
}

func (w *fakeWatch) Changes() <-chan struct{} { return w.ch }
func (w *fakeWatch) Close() error             { w.closed.Store(true); return nil }
func (w *fakeWatch) fire() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// recorder is a Notifier and Reporter that keeps what it was told.
type recorder struct {
	mu      sync.Mutex
	states  []string
	reloads []bool
}

func (r *recorder) Notify(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, s)
	return nil
}

func (r *recorder) ConfigReloaded(ok bool, _ time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reloads = append(r.reloads, ok)
}

func (r *recorder) snapshot() ([]string, []bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.states), slices.Clone(r.reloads)
}

func (r *recorder) count(prefix string) int {
	states, _ := r.snapshot()
	n := 0
	for _, s := range states {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// fakePass records passes; results and gates are set per test.
type fakePass struct {
	mu       sync.Mutex
	triggers []Trigger
	configs  []*desired.Config
	writable []bool
	results  []PassResult  // consumed in order; the zero result afterwards
	block    chan struct{} // when set, each pass waits for a receive (or ctx)
	stuck    bool          // wait for block even when ctx ends
	running  atomic.Int32
	overlap  atomic.Bool
}

func (p *fakePass) pass(ctx context.Context, in PassInput) PassResult {
	if p.running.Add(1) > 1 {
		p.overlap.Store(true)
	}
	defer p.running.Add(-1)
	p.mu.Lock()
	p.triggers = append(p.triggers, in.Trigger)
	p.configs = append(p.configs, in.Config)
	p.writable = append(p.writable, in.MayWrite(ctx))
	var res PassResult
	if len(p.results) > 0 {
		res, p.results = p.results[0], p.results[1:]
	}
	block := p.block
	p.mu.Unlock()
	if block != nil && p.stuck {
		<-block
	} else if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
		}
	}
	return res
}

func (p *fakePass) seen() []Trigger {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.triggers)
}

type harness struct {
	loop   *Loop
	pass   *fakePass
	watch  *fakeWatch
	rec    *recorder
	reload chan struct{}
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, p *fakePass, tweak func(*Options)) *harness {
	t.Helper()
	h := &harness{pass: p, watch: &fakeWatch{ch: make(chan struct{}, 1)}, rec: &recorder{}, reload: make(chan struct{}, 1)}
	opts := Options{
		Config:   &desired.Config{Path: "/etc/peerd/peerd.yaml", ResyncInterval: desired.Duration(time.Hour)},
		Pass:     p.pass,
		Watch:    func(context.Context, *desired.Config) (Changes, error) { return h.watch, nil },
		Reload:   h.reload,
		Notifier: h.rec,
		Reporter: h.rec,
	}
	if tweak != nil {
		tweak(&opts)
	}
	l, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.loop = l
	ctx, cancel := context.WithCancel(t.Context())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- l.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if p.block != nil {
			close(p.block)
		}
		<-h.done
	})
	return h
}

// stop ends Run and waits for it.
func (h *harness) stop(t *testing.T) {
	t.Helper()
	h.cancel()
	select {
	case <-h.done:
		h.done <- nil // for the cleanup
	case <-time.After(waitLimit):
		t.Fatal("Run did not return")
	}
}

// waitFor polls cond until it holds or the test's patience runs out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) waitPasses(t *testing.T, n int) {
	t.Helper()
	waitFor(t, "pass count", func() bool { c, _ := h.loop.Last(); return c >= n })
}
