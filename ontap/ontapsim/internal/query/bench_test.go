package query

import (
	"fmt"
	"testing"
)

// BenchmarkMatchProject runs one filtered, projected pass over 10,000 peer
// records per iteration.
func BenchmarkMatchProject(b *testing.B) {
	base := peers(b)
	recs := make([]map[string]any, 0, 10000)
	for i := 0; i < 10000; i++ {
		rec := peers(b)[i%len(base)]
		rec["uuid"] = fmt.Sprintf("%08d", i)
		rec["name"] = fmt.Sprintf("peer-%05d", i)
		recs = append(recs, rec)
	}
	b.Run("match only", func(b *testing.B) {
		r := mustParse(b, "status.state=!available|pending&name=*1*&version.minor=3..12", peerSchema)
		b.ReportAllocs()
		for b.Loop() {
			for _, rec := range recs {
				r.Match(rec)
			}
		}
	})
	for _, bc := range []struct{ name, query string }{
		{"defaults", ""},
		{"filters", "status.state=!available|pending&name=*1*&version.minor=3..12&fields=remote.{name,ip_addresses},status"},
		{"all fields", "fields=**&remote.ip_addresses=10.*"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := mustParse(b, bc.query, peerSchema)
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for _, rec := range recs {
					if r.Match(rec) {
						_ = r.Project(rec)
						n++
					}
				}
				if n == 0 {
					b.Fatal("nothing matched")
				}
			}
		})
	}
}
