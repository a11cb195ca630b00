// Package desired owns peerd's desired state: it reads and validates the
// daemon configuration (LoadConfig) and the directory of peer definitions
// (Loader, LoadDir), reports every problem with its file, line and column
// (Error), keeps the last good definitions of a broken file in force but
// frozen, and embeds the JSON Schemas editors use (PeerSchema,
// ConfigSchema). It does no network I/O. Watch reports changes in the
// directories it reads.
package desired
