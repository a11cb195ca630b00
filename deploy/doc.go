// Package deploy holds peerd's operations kit: the systemd unit, the example
// configuration and environment file, Prometheus alert rules and their unit
// tests, the Grafana dashboard and the nfpm recipe of the Debian package. Its
// Go tests keep these files consistent with the code: the metric names the
// rules and the dashboard use are the ones package metrics exports, and the
// example configuration loads.
package deploy
