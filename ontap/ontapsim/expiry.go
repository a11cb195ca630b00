package ontapsim

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Expiry limits of a passphrase offer.
const (
	defaultExpiry = time.Hour
	maxExpiry     = 7 * 24 * time.Hour
)

// timeLayout renders times as ISO-8601 with a numeric UTC offset, as ONTAP does.
const timeLayout = "2006-01-02T15:04:05-07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

var durationRE = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// parseExpiry reads an expiry_time input: an ISO-8601 duration (PnW,
// PnDTnHnMnS; years count 365 days and months 30), an ISO-8601 date-time
// (UTC when no offset is given) or "MM/DD/YYYY HH:MM:SS" (UTC, the
// simulated clusters' time zone). It returns the absolute expiry.
func parseExpiry(s string, now time.Time) (time.Time, *apiError) {
	const target = "authentication.expiry_time"
	if m := durationRE.FindStringSubmatch(s); m != nil && s != "P" && s != "PT" && s[len(s)-1] != 'T' {
		units := []time.Duration{365 * 24 * time.Hour, 30 * 24 * time.Hour, 7 * 24 * time.Hour, 24 * time.Hour,
			time.Hour, time.Minute, time.Second}
		var d time.Duration
		for i, u := range units {
			if m[i+1] == "" {
				continue
			}
			n, err := strconv.ParseInt(m[i+1], 10, 64)
			if err != nil || n > 100000 {
				return time.Time{}, badRequest(codeExpiryTooFar, target, "The expiry time cannot be more than 7 days in the future.")
			}
			d += time.Duration(n) * u
		}
		return checkExpiry(now.Add(d), now)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "01/02/2006 15:04:05", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return checkExpiry(t, now)
		}
	}
	return time.Time{}, badRequest(codeInvalidFieldValue, target,
		"Invalid value for field %q: %s", target, fmt.Sprintf("expected an ISO-8601 duration or date-time, got %d characters", len(s)))
}

func checkExpiry(t, now time.Time) (time.Time, *apiError) {
	const target = "authentication.expiry_time"
	if !t.After(now) {
		return time.Time{}, badRequest(codeExpiryObsolete, target, "The expiry time value is obsolete.")
	}
	if t.Sub(now) > maxExpiry {
		return time.Time{}, badRequest(codeExpiryTooFar, target, "The expiry time cannot be more than 7 days in the future.")
	}
	return t.Truncate(time.Second), nil
}
