package desired

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestDurationYAML(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "90s", want: 90 * time.Second},
		{in: "15m", want: 15 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "2d", want: 48 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: `"7d"`, want: 7 * 24 * time.Hour},
		{in: "30", wantErr: "line 1: column 4: duration 30 has no unit: write e.g. 30s"},
		{in: "1.5", wantErr: "duration 1.5 has no unit"},
		{in: "1.5d", wantErr: `invalid duration "1.5d": days must be a whole number`},
		{in: "2d-1h", wantErr: `invalid duration`},
		{in: "soon", wantErr: `invalid duration "soon": want e.g. 90s, 15m, 1h or 2d`},
		{in: "[1h]", wantErr: "want a duration such as 90s"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var v struct {
				D Duration `yaml:"d"`
			}
			err := yaml.Unmarshal([]byte("d: "+tt.in), &v)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.D.Std() != tt.want {
				t.Errorf("got %s, want %s", v.D.Std(), tt.want)
			}
		})
	}
}

func TestDurationRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{time.Hour, 48 * time.Hour, 90 * time.Second, 36 * time.Hour} {
		out, err := yaml.Marshal(Duration(d))
		if err != nil {
			t.Fatal(err)
		}
		var back Duration
		if err := yaml.Unmarshal(out, &back); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if back.Std() != d {
			t.Errorf("%s -> %q -> %s", d, out, back.Std())
		}
	}
	if got := Duration(48 * time.Hour).String(); got != "2d" {
		t.Errorf("String = %q, want 2d", got)
	}
}
