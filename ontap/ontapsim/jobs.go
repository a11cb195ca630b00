package ontapsim

import (
	"net/http"
	"strconv"
	"time"

	"github.com/peerd/peerd/ontap/ontapsim/internal/query"
)

// job is an asynchronous mutation (Faults.Async). Its effect happened when
// the request was served; polls walk it through queued -> running ->
// success/failure.
type job struct {
	uuid, description string
	start             time.Time
	polls             int
	err               *apiError
}

var jobSchema = query.Schema{
	Key: "uuid",
	Fields: []string{"uuid", "description", "state", "message", "code", "start_time", "end_time",
		"error.code", "error.message", "error.target", "_links.self.href"},
	Default:  []string{"uuid", "_links"},
	Standard: []string{"uuid", "description", "state", "message", "code", "start_time", "end_time", "error", "_links"},
}

// newJob records a job for a mutation's outcome and returns the 202 answer.
func (c *Cluster) newJob(method, path string, done *response, failed *apiError) *response {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	now := c.w.clock.Now()
	c.purgeJobs(now)
	j := &job{uuid: c.w.newUUID(), description: method + " " + path, start: now, err: failed}
	c.jobs[j.uuid] = j
	href := "/api/cluster/jobs/" + j.uuid
	loc := href
	if done != nil && done.location != "" {
		loc = done.location
	}
	return &response{status: http.StatusAccepted, location: loc,
		body: map[string]any{"job": map[string]any{"uuid": j.uuid, "_links": links(href)}}}
}

// jobRetention is how long jobs are kept after they started. ONTAP purges
// jobs about 300 s after they end; the simulator is more patient with slow
// pollers.
const jobRetention = 15 * time.Minute

// purgeJobs drops jobs older than jobRetention. It scans only when the
// table doubled since the last scan, so creating jobs stays O(1) amortized.
// Callers hold w.mu.
func (c *Cluster) purgeJobs(now time.Time) {
	if len(c.jobs) < 2*c.jobsAfterPurge+64 {
		return
	}
	for id, j := range c.jobs {
		if now.Sub(j.start) > jobRetention {
			delete(c.jobs, id)
		}
	}
	c.jobsAfterPurge = len(c.jobs)
}

// render advances nothing; callers count polls. Callers hold w.mu.
func (j *job) render(now time.Time) map[string]any {
	m := map[string]any{"uuid": j.uuid, "description": j.description, "start_time": formatTime(j.start),
		"_links": links("/api/cluster/jobs/" + j.uuid)}
	switch {
	case j.polls <= 1:
		m["state"], m["message"] = "queued", "Queued"
	case j.polls == 2:
		m["state"], m["message"] = "running", "Running"
	case j.err != nil:
		m["state"], m["message"], m["code"] = "failure", j.err.message, jobCode(j.err.code)
		m["error"] = map[string]any{"code": j.err.code, "message": j.err.message, "target": j.err.target}
		m["end_time"] = formatTime(now)
	default:
		m["state"], m["message"], m["code"] = "success", "Complete: Successful", float64(0)
		m["end_time"] = formatTime(now)
	}
	return m
}

// jobCode is a job's numeric error code.
func jobCode(code string) float64 {
	n, _ := strconv.Atoi(code)
	return float64(n)
}

// getJob serves GET /api/cluster/jobs/{uuid}.
func (c *Cluster) getJob(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	j := c.jobs[r.id]
	var rec map[string]any
	if j != nil {
		j.polls++
		rec = j.render(c.w.clock.Now())
	}
	c.w.mu.Unlock()
	if j == nil {
		return nil, notFound("uuid")
	}
	return getRecord(r, jobSchema, rec)
}

// listJobs serves GET /api/cluster/jobs.
func (c *Cluster) listJobs(r *request) (*response, *apiError) {
	c.w.mu.Lock()
	now := c.w.clock.Now()
	recs := make([]map[string]any, 0, len(c.jobs))
	for _, j := range c.jobs {
		recs = append(recs, j.render(now))
	}
	c.w.mu.Unlock()
	return listRecords(r, jobSchema, recs)
}
