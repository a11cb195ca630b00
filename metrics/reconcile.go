package metrics

import "time"

// Results of passes, actions and reloads. Any result other than
// ResultSuccess passed to ObservePass or ObserveAction is a failure; it must
// be a short fixed word (a reason such as "unreachable"), never error text.
const (
	ResultSuccess = "success"
	ResultError   = "error"
	ResultFailure = "failure"
)

// Reasons a pass fails, the result label of peerd_reconcile_passes_total.
const (
	PassLoad        = "load"        // the definitions could not be read at all
	PassClients     = "clients"     // the ONTAP clients could not be built
	PassUnreachable = "unreachable" // a managed cluster could not be observed
	PassApply       = "apply"       // an applied action failed
)

// PassResults lists every result of peerd_reconcile_passes_total; each series
// exists from the start so that rate() and increase() see the first failure.
var PassResults = []string{ResultSuccess, PassLoad, PassClients, PassUnreachable, PassApply}

// States of peerd_definition_files.
const (
	FilesLoaded = "loaded"
	FilesBroken = "broken"
)

// ObservePass records a finished reconcile pass: its result (ResultSuccess,
// or a short fixed reason such as ResultError; never error text), its
// duration and the time it ended.
func (m *Metrics) ObservePass(result string, d time.Duration, end time.Time) {
	m.Passes.WithLabelValues(result).Inc()
	m.PassDuration.Observe(d.Seconds())
	ok := result == ResultSuccess
	m.LastPassSuccessful.Set(boolValue(ok))
	if ok {
		m.LastSuccessTimestamp.Set(unixSeconds(end))
	}
}

// ObserveAction records one applied plan action by kind (create, patch,
// delete, ...) and result (ResultSuccess, or a short fixed reason).
func (m *Metrics) ObserveAction(kind, result string) {
	m.Actions.WithLabelValues(kind, result).Inc()
}

// SetDefinitionFiles records how many definition files are in force and how
// many are broken.
func (m *Metrics) SetDefinitionFiles(loaded, broken int) {
	m.DefinitionFiles.WithLabelValues(FilesLoaded).Set(float64(loaded))
	m.DefinitionFiles.WithLabelValues(FilesBroken).Set(float64(broken))
}

// ConfigReloaded records a configuration load or reload at t: the success
// gauge follows ok, and the timestamp moves only on success.
func (m *Metrics) ConfigReloaded(ok bool, t time.Time) {
	m.ConfigReloadOK.Set(boolValue(ok))
	if ok {
		m.ConfigReloads.WithLabelValues(ResultSuccess).Inc()
		m.ConfigReloadTime.Set(unixSeconds(t))
		return
	}
	m.ConfigReloads.WithLabelValues(ResultFailure).Inc()
}
