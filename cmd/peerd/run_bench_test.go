package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// passes is the number of finished passes the daemon at addr reports.
func passes(b *testing.B, addr string) float64 {
	f := scrape(b, addr)["peerd_reconcile_passes_total"]
	total := 0.0
	for _, m := range f.GetMetric() {
		total += m.GetCounter().GetValue()
	}
	return total
}

// BenchmarkDaemon measures, against the simulator, how long a definition
// edit takes to reach ONTAP (debounce included) and how many passes a burst
// of 1,000 file events causes.
func BenchmarkDaemon(b *testing.B) {
	e := newSimEnv(b)
	e.define(b, "a-b.yaml", pairAB)
	d := startInProcess(b, "--config", e.config)
	waitUntil(b, "both sides available", func() bool {
		return established(e.a, "cluster-b") && established(e.b, "cluster-a")
	})

	edits := 0 // across the runs b.Run makes, so every edit changes the name
	b.Run("edit-to-first-write", func(b *testing.B) {
		var total time.Duration
		for range b.N {
			edits++
			patches := e.b.RequestCount("PATCH", "/api/cluster/peers/{uuid}")
			name := fmt.Sprintf("b-dr-%d", edits)
			start := time.Now()
			e.define(b, "a-b.yaml", strings.Replace(pairAB, "cluster: cluster-b\n", "cluster: cluster-b\n  peer_name: "+name+"\n", 1))
			waitUntil(b, "the PATCH", func() bool { return e.b.RequestCount("PATCH", "/api/cluster/peers/{uuid}") > patches })
			total += time.Since(start)
			waitUntil(b, "the edit to settle", func() bool { return established(e.b, name) })
		}
		b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/edit-to-write")
		b.ReportMetric(0, "ns/op")
	})

	b.Run("passes-per-1000-events", func(b *testing.B) {
		var sum float64
		for range b.N {
			settle(b, d.addr)
			before := passes(b, d.addr)
			for i := range 250 { // create, write, rename, remove: ~1,000 events
				tmp := filepath.Join(e.defs, fmt.Sprintf(".noise-%d.tmp", i))
				writeTestFile(b, tmp, "# noise\n")
				final := filepath.Join(e.defs, fmt.Sprintf(".noise-%d", i))
				if err := os.Rename(tmp, final); err != nil {
					b.Fatal(err)
				}
				if err := os.Remove(final); err != nil {
					b.Fatal(err)
				}
			}
			sum += settle(b, d.addr) - before
		}
		b.ReportMetric(sum/float64(b.N), "passes/1000-events")
		b.ReportMetric(0, "ns/op")
	})
}

// settle waits until no pass has finished for two seconds (well beyond the
// watcher's debounce) and returns the pass count.
func settle(b *testing.B, addr string) float64 {
	last, since := passes(b, addr), time.Now()
	for time.Since(since) < 2*time.Second {
		time.Sleep(100 * time.Millisecond)
		if n := passes(b, addr); n != last {
			last, since = n, time.Now()
		}
	}
	return last
}
