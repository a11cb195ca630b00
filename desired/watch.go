package desired

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/hashicorp/go-hclog"
)

// Watch defaults.
const (
	DefaultDebounce    = 250 * time.Millisecond
	defaultMaxDelayMul = 8
	defaultPollMin     = 50 * time.Millisecond
	defaultPollMax     = 5 * time.Second
)

// WatchOptions tunes a Watcher. The zero value is ready to use.
type WatchOptions struct {
	// Debounce is the quiet time after the last event before a change is
	// reported (default 250ms).
	Debounce time.Duration
	// MaxDelay bounds how long a steady stream of events can hold back a
	// report (default 8×Debounce).
	MaxDelay time.Duration
	// PollMax caps the backoff between checks for a watched directory that
	// is missing (default 5s; the first check is after 50ms).
	PollMax time.Duration
	// Log receives watch problems (default: discarded).
	Log hclog.Logger
}

// Watcher reports "something changed" under a set of directories. It
// watches the directories, not the files in them, so that editors'
// rename-and-replace saves and symlink swaps (as a Kubernetes ConfigMap's
// ..data flip) are seen; a watched directory that is removed or replaced is
// watched again once it reappears.
type Watcher struct {
	fs      *fsnotify.Watcher
	dirs    []string
	parents map[string]bool // parents watched only to see dirs replaced
	opts    WatchOptions
	changes chan struct{}
	back    chan string // directories watched again after a loss

	mu      sync.Mutex
	polling map[string]bool // directories being polled for

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Watch starts watching dirs (duplicates are ignored; a directory that does
// not exist yet is polled for). The Watcher runs until ctx is done or Close
// is called.
func Watch(ctx context.Context, dirs []string, opts WatchOptions) (*Watcher, error) {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = defaultMaxDelayMul * opts.Debounce
	}
	if opts.PollMax <= 0 {
		opts.PollMax = defaultPollMax
	}
	if opts.Log == nil {
		opts.Log = hclog.NewNullLogger()
	}
	clean, err := cleanDirs(dirs)
	if err != nil {
		return nil, err
	}
	fw, err := fsnotify.NewBufferedWatcher(1024)
	if err != nil {
		return nil, fmt.Errorf("start file watcher: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Watcher{
		fs:      fw,
		dirs:    clean,
		parents: map[string]bool{},
		opts:    opts,
		changes: make(chan struct{}, 1),
		back:    make(chan string, len(clean)),
		polling: make(map[string]bool),
		cancel:  cancel,
	}
	for _, dir := range clean {
		switch err := fw.Add(dir); {
		case err == nil:
		case errors.Is(err, fs.ErrNotExist):
			w.startPoll(ctx, dir)
		default:
			cancel()
			w.wg.Wait()
			_ = fw.Close()
			return nil, fmt.Errorf("watch %s: %w", dir, err)
		}
	}
	// Watch each directory's parent too, for the directory's own name only:
	// a symlink swapped there (a release directory flipped with ln -sfn)
	// replaces the directory without any event inside it. Best effort.
	for _, dir := range clean {
		parent := filepath.Dir(dir)
		if parent == dir || w.isWatchedDir(parent) || w.parents[parent] {
			continue
		}
		if err := fw.Add(parent); err != nil {
			opts.Log.Debug("cannot watch parent directory", "dir", parent, "error", err)
			continue
		}
		w.parents[parent] = true
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.loop(ctx)
	}()
	return w, nil
}

// Changes delivers one value per debounced batch of changes. It is buffered:
// changes that arrive before the receiver reads coalesce into one.
func (w *Watcher) Changes() <-chan struct{} { return w.changes }

// Close stops the watcher and waits for its goroutines.
func (w *Watcher) Close() error {
	w.cancel()
	w.wg.Wait()
	return nil
}

func cleanDirs(dirs []string) ([]string, error) {
	seen := make(map[string]bool, len(dirs))
	var out []string
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, fmt.Errorf("watch %s: %w", d, err)
		}
		if !seen[abs] {
			seen[abs] = true
			out = append(out, abs)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("watch: no directories")
	}
	return out, nil
}

// loop owns the fsnotify watcher and the debounce timer.
func (w *Watcher) loop(ctx context.Context) {
	defer func() { _ = w.fs.Close() }()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var first time.Time // start of the pending batch; zero when none
	mark := func() {
		now := time.Now()
		if first.IsZero() {
			first = now
		}
		wait := w.opts.Debounce
		if rest := w.opts.MaxDelay - now.Sub(first); rest < wait {
			wait = max(rest, 0)
		}
		timer.Reset(wait)
	}
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if !w.isWatchedDir(ev.Name) && w.parents[filepath.Dir(ev.Name)] {
				continue // beside a watched directory: not ours
			}
			switch {
			case !w.isWatchedDir(ev.Name):
			case ev.Has(fsnotify.Remove | fsnotify.Rename):
				w.opts.Log.Warn("watched directory went away; polling for it", "dir", ev.Name)
				_ = w.fs.Remove(ev.Name)
				w.startPoll(ctx, ev.Name)
			case ev.Has(fsnotify.Create):
				// The name was replaced under the parent's watch (a symlink
				// renamed over it, a directory moved in): the watch still
				// follows the old directory, so watch what the name is now.
				_ = w.fs.Remove(ev.Name)
				if err := w.fs.Add(ev.Name); err != nil {
					w.startPoll(ctx, ev.Name)
				}
			}
			mark()
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				w.opts.Log.Warn("file watch error", "error", err)
			}
			mark() // an overflow lost events: assume a change
		case dir := <-w.back:
			w.opts.Log.Info("watched directory is back", "dir", dir)
			mark()
		case <-timer.C:
			first = time.Time{}
			select {
			case w.changes <- struct{}{}:
			default: // one is pending already
			}
		}
	}
}

func (w *Watcher) isWatchedDir(name string) bool {
	for _, d := range w.dirs {
		if d == name {
			return true
		}
	}
	return false
}

// startPoll re-adds dir once it exists again, checking with a capped
// exponential backoff, and reports it on w.back. One poller runs per
// directory at a time.
func (w *Watcher) startPoll(ctx context.Context, dir string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.polling[dir] {
		return
	}
	w.polling[dir] = true
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if w.pollUntilBack(ctx, dir) {
			select {
			case w.back <- dir:
			case <-ctx.Done():
			}
		}
	}()
}

// pollUntilBack waits for dir to exist again and re-adds its watch; false
// means ctx ended first. Either way dir is no longer marked as polled.
func (w *Watcher) pollUntilBack(ctx context.Context, dir string) bool {
	defer func() {
		w.mu.Lock()
		delete(w.polling, dir)
		w.mu.Unlock()
	}()
	delay := defaultPollMin
	t := time.NewTimer(delay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			err := w.fs.Add(dir)
			if err == nil {
				return true
			}
			if !errors.Is(err, fs.ErrNotExist) {
				w.opts.Log.Warn("re-watch directory", "dir", dir, "error", err)
			}
		}
		delay = min(2*delay, w.opts.PollMax)
		t.Reset(delay)
	}
}
