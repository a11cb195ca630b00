package daemon

import (
	"context"
	"errors"
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

func TestLoopStartsAndNotifiesReady(t *testing.T) {
	h := start(t, &fakePass{results: []PassResult{{Planned: 2, Applied: 2, Summary: "2 peers in sync"}}}, nil)
	h.waitPasses(t, 1)
	waitFor(t, "READY", func() bool { return h.rec.count("READY=1") == 1 })
	states, _ := h.rec.snapshot()
	if want := "READY=1\nSTATUS=pass 1: 2 peers in sync"; states[0] != want {
		t.Fatalf("first notification %q, want %q", states[0], want)
	}
	if !h.loop.Ready() {
		t.Fatal("not ready after the first pass")
	}
	if got := h.pass.seen(); !slices.Equal(got, []Trigger{TriggerStart}) {
		t.Fatalf("triggers %v", got)
	}
}

func TestLoopCoalescesTriggersDuringAPass(t *testing.T) {
	p := &fakePass{block: make(chan struct{})}
	h := start(t, p, func(o *Options) {
		o.LoadConfig = func() (*desired.Config, error) { return &desired.Config{Path: "/etc/peerd/peerd.yaml"}, nil }
	})
	waitFor(t, "first pass running", func() bool { return p.running.Load() == 1 })
	h.watch.fire()
	h.reload <- struct{}{}
	waitFor(t, "triggers queued", func() bool { return len(h.watch.ch) == 1 && len(h.reload) == 1 })
	p.block <- struct{}{} // finish pass 1
	waitFor(t, "follow-up pass running", func() bool { return len(p.seen()) == 2 })
	p.block <- struct{}{} // finish pass 2
	h.waitPasses(t, 2)
	h.watch.fire()
	waitFor(t, "third pass running", func() bool { return len(p.seen()) == 3 })
	got := p.seen()
	if want := []Trigger{TriggerStart, TriggerReload, TriggerChange}; !slices.Equal(got, want) {
		t.Fatalf("triggers %v, want %v (a change and a reload during a pass give one follow-up pass)", got, want)
	}
	if p.overlap.Load() {
		t.Fatal("passes overlapped")
	}
}

func TestLoopRetriesFailuresWithBackoff(t *testing.T) {
	fail := PassResult{Failed: []string{"a-b"}}
	p := &fakePass{results: []PassResult{fail, fail, fail, {}}}
	h := start(t, p, func(o *Options) { o.RetryBase, o.RetryMax = 20*time.Millisecond, 40*time.Millisecond })
	h.waitPasses(t, 4)
	got := p.seen()[:4]
	if want := []Trigger{TriggerStart, TriggerRetry, TriggerRetry, TriggerRetry}; !slices.Equal(got, want) {
		t.Fatalf("triggers %v, want %v", got, want)
	}
	h.stop(t)
	if n := h.loop.retry.failures("a-b"); n != 0 {
		t.Fatalf("failures after success = %d, want 0", n)
	}
}

func TestLoopResyncs(t *testing.T) {
	p := &fakePass{}
	h := start(t, p, func(o *Options) { o.Config.ResyncInterval = desired.Duration(30 * time.Millisecond) })
	h.waitPasses(t, 3)
	if got := p.seen()[1:3]; !slices.Equal(got, []Trigger{TriggerResync, TriggerResync}) {
		t.Fatalf("triggers %v, want resyncs", got)
	}
}

func TestLoopReload(t *testing.T) {
	good := &desired.Config{Path: "/etc/peerd/peerd.yaml", Listen: "new"}
	var calls atomic.Int32
	var reloaded atomic.Pointer[desired.Config]
	p := &fakePass{}
	h := start(t, p, func(o *Options) {
		o.LoadConfig = func() (*desired.Config, error) {
			if calls.Add(1) == 1 {
				return nil, errors.New("peerd.yaml:3: clusters: must not be empty")
			}
			return good, nil
		}
		o.OnReload = func(_, cur *desired.Config) { reloaded.Store(cur) }
	})
	h.waitPasses(t, 1)
	first := h.loop.Config()

	h.reload <- struct{}{}
	h.waitPasses(t, 2)
	if h.loop.Config() != first {
		t.Fatal("a config that fails to load replaced the running one")
	}
	h.reload <- struct{}{}
	h.waitPasses(t, 3)
	if h.loop.Config() != good || reloaded.Load() != good {
		t.Fatal("a good config was not taken on reload")
	}
	p.mu.Lock()
	lastCfg := p.configs[len(p.configs)-1]
	p.mu.Unlock()
	if lastCfg != good {
		t.Fatal("the pass after the reload did not get the new config")
	}
	_, reloads := h.rec.snapshot()
	if !slices.Equal(reloads, []bool{false, true}) {
		t.Fatalf("reload reports %v, want [false true]", reloads)
	}
	if n := h.rec.count("RELOADING=1\nMONOTONIC_USEC="); n != 2 {
		t.Fatalf("%d RELOADING notifications, want 2", n)
	}
	if n := h.rec.count("READY=1"); n != 3 { // first pass, then after each reload
		t.Fatalf("%d READY notifications, want 3", n)
	}
}

type gate struct{ open atomic.Bool }

func (g *gate) MayWrite(context.Context) bool { return g.open.Load() }

func TestLoopWritePermission(t *testing.T) {
	cases := []struct {
		name      string
		flagDry   bool
		configDry bool
		gateOpen  bool
		want      bool
	}{
		{name: "default", gateOpen: true, want: true},
		{name: "--dry-run", flagDry: true, gateOpen: true},
		{name: "dry_run in config", configDry: true, gateOpen: true},
		{name: "gate closed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := &gate{}
			g.open.Store(tc.gateOpen)
			p := &fakePass{}
			h := start(t, p, func(o *Options) {
				o.DryRun, o.Config.DryRun, o.Gate = tc.flagDry, tc.configDry, g
			})
			h.waitPasses(t, 1)
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.writable[0] != tc.want {
				t.Fatalf("MayWrite = %v, want %v", p.writable[0], tc.want)
			}
		})
	}
}

func TestLoopShutdownDuringPass(t *testing.T) {
	var mayWrite func(context.Context) bool
	var passCtx context.Context
	entered := make(chan struct{})
	hang := func(ctx context.Context, in PassInput) PassResult {
		mayWrite, passCtx = in.MayWrite, ctx
		close(entered)
		<-ctx.Done() // an API call that only ends when its context does
		return PassResult{}
	}
	l, err := New(Options{
		Config:          &desired.Config{},
		Pass:            hang,
		Watch:           func(context.Context, *desired.Config) (Changes, error) { return nil, nil },
		ShutdownTimeout: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	<-entered
	if !mayWrite(passCtx) {
		t.Fatal("writes refused before shutdown")
	}
	cancel()
	waitFor(t, "writes refused after shutdown began", func() bool { return !mayWrite(context.Background()) })
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Run did not return after shutdown")
	}
	if passCtx.Err() == nil {
		t.Fatal("the abandoned pass's context was not cancelled")
	}
}

func TestLoopShutdownLetsRunningCallFinish(t *testing.T) {
	finished := make(chan struct{})
	var cancelRun context.CancelFunc
	call := func(ctx context.Context, _ PassInput) PassResult {
		cancelRun() // shutdown begins while the call is in flight
		select {
		case <-time.After(50 * time.Millisecond): // the call completes
			close(finished)
		case <-ctx.Done():
		}
		return PassResult{Applied: 1}
	}
	l, err := New(Options{Config: &desired.Config{}, Pass: call,
		Watch: func(context.Context, *desired.Config) (Changes, error) { return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancelRun = cancel
	if err := l.Run(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-finished:
	default:
		t.Fatal("the running call was cut off by shutdown")
	}
}

func TestWatchDirs(t *testing.T) {
	cases := []struct {
		cfg  desired.Config
		want []string
	}{
		{desired.Config{Path: "/etc/peerd/peerd.yaml", Definitions: "peers.d"}, []string{"/etc/peerd", "/etc/peerd/peers.d"}},
		{desired.Config{Path: "/etc/peerd/peerd.yaml", Definitions: "/srv/peers"}, []string{"/etc/peerd", "/srv/peers"}},
		{desired.Config{Definitions: "peers.d"}, []string{"peers.d"}},
	}
	for _, tc := range cases {
		if got := WatchDirs(&tc.cfg); !slices.Equal(got, tc.want) {
			t.Errorf("WatchDirs(%+v) = %v, want %v", tc.cfg, got, tc.want)
		}
	}
}
