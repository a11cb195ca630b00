package ontap

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peerd/peerd/ontap/ontapsim"
)

// TestJobThatNeverEnds answers a PATCH with a job that stays paused: the
// client must give up after JobTimeout with an error naming the job and
// its state, not poll until the caller's context ends.
func TestJobThatNeverEnds(t *testing.T) {
	w := newWorld(t, ontapsim.Options{}, ontapsim.ClusterConfig{Name: "cluster-a"})
	stuck := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == http.MethodPatch:
				rw.Header().Set("Content-Type", "application/json")
				rw.WriteHeader(http.StatusAccepted)
				_, _ = rw.Write([]byte(`{"job":{"uuid":"j-1"}}`))
			case strings.HasPrefix(r.URL.Path, "/api/cluster/jobs/"):
				rw.Header().Set("Content-Type", "application/json")
				_, _ = rw.Write([]byte(`{"uuid":"j-1","state":"paused","message":"waiting"}`))
			default:
				next.ServeHTTP(rw, r)
			}
		})
	}
	s := serve(t, w.Cluster("cluster-a"), stuck)
	c := s.client(t, func(c *Config) {
		c.JobPollInterval = 5 * time.Millisecond
		c.JobTimeout = 100 * time.Millisecond
	})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	name := "renamed"
	_, err := c.PatchPeer(ctx, "u-1", PatchPeerRequest{Name: &name})
	if err == nil {
		t.Fatal("PatchPeer of a job that never ends succeeded")
	}
	if ctx.Err() != nil || time.Since(start) > 5*time.Second {
		t.Fatalf("PatchPeer waited for the caller's context (%s): %v", time.Since(start), err)
	}
	if !strings.Contains(err.Error(), "j-1") || !strings.Contains(err.Error(), "paused") {
		t.Errorf("error %q does not name the job and its state", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Method != http.MethodPatch || e.Path != "/api/cluster/peers/{uuid}" {
		t.Errorf("error %#v, want the PATCH's method and path template", e)
	}
}
