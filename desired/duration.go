package desired

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

const day = 24 * time.Hour

// ParseDuration parses a Go duration ("90s", "15m", "1h30m") optionally led
// by a whole number of days ("2d", "1d12h"). A unit is always required.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty duration")
	}
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 16)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: days must be a whole number, as in 2d or 1d12h", s)
		}
		days = time.Duration(n) * day
		s = s[i+1:]
		if s == "" {
			return days, nil
		}
		if s[0] == '-' || s[0] == '+' {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if _, nerr := strconv.ParseFloat(s, 64); nerr == nil && days == 0 {
			return 0, fmt.Errorf("duration %q has no unit: write e.g. %ss", s, s)
		}
		return 0, fmt.Errorf("invalid duration %q: want e.g. 90s, 15m, 1h or 2d", s)
	}
	return days + d, nil
}

// UnmarshalYAML reads a duration string such as "90s", "15m", "1h" or "2d".
// Bare YAML numbers are refused: whether 30 means seconds or nanoseconds is
// a guess peerd does not make. It only handles a scalar, so strict decoding
// (KnownFields) of the enclosing structs is unaffected.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	fail := func(reason string) error {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: %s", n.Line, n.Column, reason)}}
	}
	if n.Kind != yaml.ScalarNode {
		return fail("want a duration such as 90s, 15m, 1h or 2d")
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return fail(fmt.Sprintf("duration %s has no unit: write e.g. %ss", n.Value, n.Value))
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fail(err.Error())
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration in the form UnmarshalYAML reads.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// String renders whole days as "Nd" and anything else as time.Duration does.
func (d Duration) String() string {
	v := time.Duration(d)
	if v > 0 && v%day == 0 {
		return strconv.FormatInt(int64(v/day), 10) + "d"
	}
	return v.String()
}

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }
