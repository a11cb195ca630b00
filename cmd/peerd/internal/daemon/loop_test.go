package daemon

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peerd/peerd/desired"
)

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

func TestLoopReloadRewatchesMovedDirectories(t *testing.T) {
	var mu sync.Mutex
	var watched [][]string
	var watches []*fakeWatch
	p := &fakePass{}
	h := start(t, p, func(o *Options) {
		o.Config.Definitions = "peers.d"
		o.Watch = func(_ context.Context, cfg *desired.Config) (Changes, error) {
			mu.Lock()
			defer mu.Unlock()
			watched = append(watched, WatchDirs(cfg))
			w := &fakeWatch{ch: make(chan struct{}, 1)}
			watches = append(watches, w)
			return w, nil
		}
		o.LoadConfig = func() (*desired.Config, error) {
			return &desired.Config{Path: "/etc/peerd/peerd.yaml", Definitions: "/srv/peers"}, nil
		}
	})
	h.waitPasses(t, 1)
	h.reload <- struct{}{}
	h.waitPasses(t, 2)
	mu.Lock()
	defer mu.Unlock()
	if len(watched) != 2 || !slices.Equal(watched[1], []string{"/etc/peerd", "/srv/peers"}) {
		t.Fatalf("watched %v, want a second watch of the new directories", watched)
	}
	if !watches[0].closed.Load() || watches[1].closed.Load() {
		t.Fatal("the old watch was not closed, or the new one was")
	}
}
