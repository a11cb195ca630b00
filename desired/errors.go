package desired

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error is one problem in a config or definition file, with its place:
//
//	file:line:col: peer "x": field: reason
//	file:line:col: cluster "x": field: reason
//	file:line:col: field: reason
//
// Line and Column are 1-based; a zero Column (YAML syntax errors only report
// a line) or Line is left out of the rendering. Reason never holds a secret.
type Error struct {
	File   string
	Line   int
	Column int
	// Peer is the relationship name, for problems in a definition.
	Peer string
	// Cluster is the cluster name, for problems in a config's cluster entry.
	Cluster string
	// Field is the YAML path of the offending setting, e.g.
	// "remote.ip_addresses[1]"; empty for whole-file problems.
	Field  string
	Reason string
	// Err is the underlying error (e.g. from os), if any; it is rendered
	// after Reason.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
			if e.Column > 0 {
				b.WriteString(":" + strconv.Itoa(e.Column))
			}
		}
		b.WriteString(": ")
	}
	switch {
	case e.Peer != "":
		fmt.Fprintf(&b, "peer %q: ", e.Peer)
	case e.Cluster != "":
		fmt.Fprintf(&b, "cluster %q: ", e.Cluster)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Problems flattens err (as returned by LoadConfig, or a FileError's Err)
// into its individual problems, in order.
func Problems(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	}
	return []error{err}
}

// joinErrors is errors.Join over typed problems.
func joinErrors(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	list := make([]error, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	return errors.Join(list...)
}
