package main

import (
	"strings"
	"testing"
)

// Flags that the chosen mode would ignore are refused, not dropped silently.
func TestRunRefusesFlagsOfTheOtherMode(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "-dev", "--config", "peerd.yaml"}, "it takes no --config"},
		{[]string{"run", "--dir", "examples/absent"}, "--dir goes with -dev"},
		{[]string{"run", "extra"}, "run takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, tt.want)
			}
		})
	}
}
