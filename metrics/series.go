package metrics

import (
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// sample is one series of a gaugeSet: its label values and its value.
type sample struct {
	labels []string
	value  float64
}

// combineFunc merges the value of a second sample with the same label values
// into the first (two ONTAP records can share a name, e.g. unnamed offers).
type combineFunc func(old, new float64) float64

func maxOf(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

func minOf(a, b float64) float64 {
	if b < a {
		return b
	}
	return a
}

// gaugeSet remembers which series of a GaugeVec it wrote for each group
// (usually a cluster), so that a complete new set of series replaces the old
// one: series that are still present are overwritten in place and only those
// that disappeared are deleted. A scrape never sees a group half empty.
type gaugeSet struct {
	mu      sync.Mutex
	vec     *prometheus.GaugeVec
	combine combineFunc
	last    map[string]map[string][]string // group -> key -> label values
}

func newGaugeSet(vec *prometheus.GaugeVec, combine combineFunc) *gaugeSet {
	return &gaugeSet{vec: vec, combine: combine, last: map[string]map[string][]string{}}
}

// replace makes samples the only series of group.
func (s *gaugeSet) replace(group string, samples []sample) {
	merged := map[string]sample{}
	order := make([]string, 0, len(samples))
	for _, sm := range samples {
		k := seriesKey(sm.labels)
		if prev, ok := merged[k]; ok {
			prev.value = s.combine(prev.value, sm.value)
			merged[k] = prev
			continue
		}
		merged[k] = sm
		order = append(order, k)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := make(map[string][]string, len(merged))
	for _, k := range order {
		sm := merged[k]
		s.vec.WithLabelValues(sm.labels...).Set(sm.value)
		now[k] = sm.labels
	}
	for k, lv := range s.last[group] {
		if _, ok := now[k]; !ok {
			s.vec.DeleteLabelValues(lv...)
		}
	}
	if len(now) == 0 {
		delete(s.last, group)
		return
	}
	s.last[group] = now
}

// forget deletes every series of group.
func (s *gaugeSet) forget(group string) { s.replace(group, nil) }

// seriesKey joins label values with a byte that cannot appear in valid UTF-8.
func seriesKey(labels []string) string { return strings.Join(labels, "\xff") }
