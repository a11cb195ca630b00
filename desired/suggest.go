package desired

import (
	"reflect"
	"strings"
)

// yamlTypes are the structs a strict-decoding message can name.
var yamlTypes = map[string]reflect.Type{
	"desired.Config":       reflect.TypeFor[Config](),
	"desired.PrunePolicy":  reflect.TypeFor[PrunePolicy](),
	"desired.LogConfig":    reflect.TypeFor[LogConfig](),
	"desired.Cluster":      reflect.TypeFor[Cluster](),
	"desired.RateLimit":    reflect.TypeFor[RateLimit](),
	"desired.Peer":         reflect.TypeFor[Peer](),
	"desired.Side":         reflect.TypeFor[Side](),
	"desired.Remote":       reflect.TypeFor[Remote](),
	"desired.Offer":        reflect.TypeFor[Offer](),
	"desired.LocalNetwork": reflect.TypeFor[LocalNetwork](),
}

// yamlKeys lists the keys a struct accepts, inlined structs included.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case name == "-" || !f.IsExported():
		case opts == "inline":
			keys = append(keys, yamlKeys(f.Type)...)
		case name != "":
			keys = append(keys, name)
		}
	}
	return keys
}

// suggestKey returns the key of typeName closest to an unknown one, or ""
// when none is close (at most a third of its letters differ).
func suggestKey(typeName, unknown string) string {
	t, ok := yamlTypes[typeName]
	if !ok {
		return ""
	}
	best, bestDist := "", len(unknown)/3+1
	for _, k := range yamlKeys(t) {
		if d := editDistance(unknown, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
