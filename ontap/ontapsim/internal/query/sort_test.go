package query

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSort(t *testing.T) {
	tests := []struct {
		orderBy string
		want    []string
	}{
		{"", []string{"u1", "u2", "u3", "u4", "u5", "u6"}},
		{"uuid desc", []string{"u6", "u5", "u4", "u3", "u2", "u1"}},
		// case-insensitive alphabetical; '|' sorts after letters
		{"name", []string{"u5", "u1", "u4", "u2", "u3", "u6"}},
		{"name asc", []string{"u5", "u1", "u4", "u2", "u3", "u6"}},
		{"name desc", []string{"u6", "u3", "u2", "u4", "u1", "u5"}},
		{"name DESC", []string{"u6", "u3", "u2", "u4", "u1", "u5"}},
		// ties by key; unset last in asc
		{"version.major", []string{"u2", "u1", "u5", "u6", "u3", "u4"}},
		// unset first in desc; second key breaks ties
		{"version.major desc,version.minor", []string{"u4", "u3", "u1", "u6", "u5", "u2"}},
		{"version.major desc, version.minor desc", []string{"u4", "u3", "u5", "u6", "u1", "u2"}},
		// numbers numerically (12 > 3)
		{"version.minor", []string{"u3", "u1", "u6", "u2", "u5", "u4"}},
		// enums alphabetically
		{"status.state", []string{"u1", "u6", "u2", "u4", "u3", "u5"}},
		// bools false < true
		{"tls_enabled", []string{"u2", "u1", "u3", "u4", "u5", "u6"}},
		// arrays element by element
		{"remote.ip_addresses", []string{"u1", "u2", "u4", "u6", "u3", "u5"}},
		// equal ignoring case: exact bytes decide ("ClusterB" < "clusterB"); unset ties by the second key
		{"remote.name,uuid desc", []string{"u6", "u1", "u5", "u4", "u3", "u2"}},
	}
	for _, tt := range tests {
		t.Run(tt.orderBy, func(t *testing.T) {
			q := mustValues(t, "")
			if tt.orderBy != "" {
				q.Set("order_by", tt.orderBy)
			}
			r, err := Parse(q, peerSchema)
			if err != nil {
				t.Fatal(err)
			}
			recs := peers(t)
			for i := 0; i < 5; i++ {
				rand.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
				r.Sort(recs)
				if diff := cmp.Diff(tt.want, uuids(recs)); diff != "" {
					t.Fatalf("Sort(%q) mismatch (-want +got):\n%s", tt.orderBy, diff)
				}
			}
		})
	}
}

func TestCompareScalarsMixedTypes(t *testing.T) {
	ordered := []any{false, true, -1.5, 2.0, 10.0, "A", "a", "b"}
	for i := range ordered {
		for j := range ordered {
			got := compareScalars(ordered[i], ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("compareScalars(%v, %v) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}
