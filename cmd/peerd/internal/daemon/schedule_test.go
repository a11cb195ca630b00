package daemon

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	b := newBackoff(time.Second, 20*time.Second)
	within := func(d, want time.Duration) bool {
		return d >= want-want/10 && d <= want+want/10
	}
	steps := []struct {
		failed []string
		want   time.Duration // 0: no retry
	}{
		{[]string{"a"}, time.Second},
		{[]string{"a"}, 2 * time.Second},
		{[]string{"a", "b"}, time.Second}, // b's first failure is due first
		{[]string{"a", "b"}, 2 * time.Second},
		{[]string{"a"}, 16 * time.Second}, // b recovered and is forgotten
		{[]string{"a"}, 20 * time.Second}, // capped
		{[]string{"a"}, 20 * time.Second},
		{nil, 0},
		{[]string{"a"}, time.Second}, // a recovered: starts over
	}
	for i, s := range steps {
		d, ok := b.update(s.failed)
		if ok != (s.want != 0) || (ok && !within(d, s.want)) {
			t.Fatalf("step %d: update(%v) = %v, %v; want %v ±10%%", i, s.failed, d, ok, s.want)
		}
	}
}

func TestJitterStaysWithinTenPercent(t *testing.T) {
	for range 1000 {
		if d := jitter(time.Minute, 0.1); d < 54*time.Second || d > 66*time.Second {
			t.Fatalf("jitter(1m) = %v", d)
		}
	}
}
