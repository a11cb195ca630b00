package daemon

import (
	"math/rand/v2"
	"time"
)

// jitter spreads d by ±frac so that many daemons do not pass in lockstep.
func jitter(d time.Duration, frac float64) time.Duration {
	if d <= 0 || frac <= 0 {
		return d
	}
	spread := float64(d) * frac
	return d + time.Duration((rand.Float64()*2-1)*spread)
}

// backoff tracks consecutive failures per key (a relationship name, or ""
// for the whole pass) and says when the earliest retry is due.
type backoff struct {
	base, max time.Duration
	fails     map[string]int
}

func newBackoff(base, maxDelay time.Duration) *backoff {
	return &backoff{base: base, max: maxDelay, fails: map[string]int{}}
}

// update records the keys that failed in the last pass (others are
// forgotten: they succeeded or are no longer declared) and returns the delay
// until the earliest retry; ok is false when nothing needs one.
func (b *backoff) update(failed []string) (delay time.Duration, ok bool) {
	next := make(map[string]int, len(failed))
	fewest := 0
	for _, k := range failed {
		n := b.fails[k] + 1
		next[k] = n
		if fewest == 0 || n < fewest {
			fewest = n
		}
	}
	b.fails = next
	if fewest == 0 {
		return 0, false
	}
	return jitter(b.delay(fewest), 0.1), true
}

// delay is base·2^(n-1), capped at max.
func (b *backoff) delay(n int) time.Duration {
	d := b.base
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max)
}

// failures returns the consecutive failure count of key.
func (b *backoff) failures(key string) int { return b.fails[key] }
