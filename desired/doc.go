// Package desired reads and validates peerd's daemon configuration and the
// directory of peer definitions. It does no network I/O.
package desired
