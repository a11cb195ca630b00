package ontapsim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"
)

// faultsJSON is the /_sim/faults document.
type faultsJSON struct {
	Latency              string  `json:"latency"`
	ErrorRate            float64 `json:"error_rate"`
	HangRate             float64 `json:"hang_rate"`
	AfterEffectErrorRate float64 `json:"after_effect_error_rate"`
	Async                bool    `json:"async"`
}

// linkJSON is the body of /_sim/links/cut and /_sim/links/restore.
type linkJSON struct {
	Remote string `json:"remote"`
	Pairs  int    `json:"pairs"` // 0 = every node pair
}

// serveControl serves the /_sim control surface (see doc.go).
func (c *Cluster) serveControl(w http.ResponseWriter, r *http.Request) {
	ctlErr := func(status int, msg string) {
		writeJSON(w, status, (&apiError{code: "2", message: msg}).body())
	}
	decode := func(dst any) bool {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		dec.DisallowUnknownFields()
		if err := dec.Decode(dst); err != nil {
			ctlErr(http.StatusBadRequest, "invalid control body: "+err.Error())
			return false
		}
		return true
	}
	route := r.Method + " " + strings.TrimSuffix(r.URL.Path, "/")
	switch route {
	case "GET /_sim/state":
		writeJSON(w, http.StatusOK, c.controlState())
	case "GET /_sim/counters":
		writeJSON(w, http.StatusOK, c.countersJSON())
	case "POST /_sim/counters/reset":
		c.ResetCounters()
		writeJSON(w, http.StatusOK, map[string]any{})
	case "GET /_sim/faults":
		c.w.mu.Lock()
		f := c.faults
		c.w.mu.Unlock()
		writeJSON(w, http.StatusOK, toFaultsJSON(f))
	case "PUT /_sim/faults", "POST /_sim/faults":
		var fj faultsJSON
		if !decode(&fj) {
			return
		}
		f := Faults{ErrorRate: fj.ErrorRate, HangRate: fj.HangRate, AfterEffectErrorRate: fj.AfterEffectErrorRate, Async: fj.Async}
		if fj.Latency != "" {
			d, err := time.ParseDuration(fj.Latency)
			if err != nil || d < 0 {
				ctlErr(http.StatusBadRequest, "invalid latency")
				return
			}
			f.Latency = d
		}
		for _, rate := range []float64{f.ErrorRate, f.HangRate, f.AfterEffectErrorRate} {
			if rate < 0 || rate > 1 {
				ctlErr(http.StatusBadRequest, "rates must be within 0..1")
				return
			}
		}
		c.SetFaults(f)
		writeJSON(w, http.StatusOK, toFaultsJSON(f))
	case "GET /_sim/clock":
		writeJSON(w, http.StatusOK, map[string]any{"now": formatTime(c.w.clock.Now())})
	case "POST /_sim/clock/advance":
		var body struct {
			Duration string `json:"duration"`
		}
		if !decode(&body) {
			return
		}
		d, err := time.ParseDuration(body.Duration)
		if err != nil || d < 0 {
			ctlErr(http.StatusBadRequest, "invalid duration")
			return
		}
		fc, ok := c.w.clock.(*FakeClock)
		if !ok {
			ctlErr(http.StatusConflict, "the simulator runs on real time; start it with a fake clock to advance time")
			return
		}
		fc.Advance(d)
		writeJSON(w, http.StatusOK, map[string]any{"now": formatTime(fc.Now())})
	case "POST /_sim/links/cut", "POST /_sim/links/restore":
		var body linkJSON
		if !decode(&body) {
			return
		}
		if body.Remote == "" || c.w.Cluster(body.Remote) == nil || body.Remote == c.name {
			ctlErr(http.StatusNotFound, "unknown remote cluster")
			return
		}
		switch {
		case strings.HasSuffix(route, "restore"):
			c.w.RestoreLink(c.name, body.Remote)
		case body.Pairs > 0:
			c.w.CutNodes(c.name, body.Remote, body.Pairs)
		default:
			c.w.CutLink(c.name, body.Remote)
		}
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		writeJSON(w, http.StatusNotFound, (&apiError{code: codeNotFound, message: "unknown control endpoint"}).body())
	}
}

func toFaultsJSON(f Faults) faultsJSON {
	return faultsJSON{Latency: f.Latency.String(), ErrorRate: f.ErrorRate, HangRate: f.HangRate,
		AfterEffectErrorRate: f.AfterEffectErrorRate, Async: f.Async}
}

func (c *Cluster) countersJSON() map[string]any {
	c.cmu.Lock()
	list := make([]map[string]any, 0, len(c.counts))
	total := 0
	for k, v := range c.counts {
		list = append(list, map[string]any{"method": k.method, "path": k.tmpl, "count": v})
		total += v
	}
	c.cmu.Unlock()
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a["path"] != b["path"] {
			return a["path"].(string) < b["path"].(string)
		}
		return a["method"].(string) < b["method"].(string)
	})
	return map[string]any{"total": total, "requests": list}
}

func (c *Cluster) controlState() map[string]any {
	peers := []any{}
	for _, p := range c.Peers() {
		m := map[string]any{"uuid": p.UUID, "name": p.Name, "ipspace": p.Ipspace, "remote_name": p.RemoteName,
			"remote_serial_number": p.RemoteSerial, "remote_ip_addresses": p.RemoteIPs, "state": p.State,
			"auth_state": p.AuthState, "auth_in_use": p.AuthInUse, "encryption_proposed": p.EncryptionProposed,
			"encryption_state": p.EncryptionState}
		if !p.ExpiryTime.IsZero() {
			m["expiry_time"] = formatTime(p.ExpiryTime)
		}
		peers = append(peers, m)
	}
	c.w.mu.Lock()
	ic := map[string]any{}
	for _, s := range c.ipspaces {
		ic[s.name] = c.icAddrs(s)
	}
	f := c.faults
	c.w.mu.Unlock()
	return map[string]any{
		"name": c.name, "uuid": c.uuid, "serial_number": c.serial, "version": c.version.full,
		"now": formatTime(c.w.clock.Now()), "intercluster_addresses": ic, "peers": peers,
		"faults": toFaultsJSON(f), "counters": c.countersJSON(),
	}
}
