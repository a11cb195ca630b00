package query

import (
	"fmt"
	"net/http"
)

// ONTAP error codes produced by this package (conventions.md §7).
const (
	CodeUnexpectedException = "262145" // HTTP 500: the Schema passed to Parse is invalid
	CodeUnexpectedArgument  = "262179" // unknown field in fields=, a filter or an unknown parameter
	CodeSpecifiedTwice      = "262188" // a control parameter (max_records, order_by, ...) given twice
	CodeInvalidValue        = "262197" // a bad value: max_records, return_timeout, a malformed filter, a bad token
	CodeNotReadable         = "262249" // a write-only field asked for in fields=
	CodeNotQueryable        = "262250" // a write-only field used in a filter
	CodeNotSortable         = "262268" // order_by on an unknown, write-only or object field
	CodeMismatchedBraces    = "262286" // unbalanced braces in fields=
)

// Error is a request error in ONTAP terms; the simulator renders it as
// {"error":{"message":..,"code":..,"target":..}} with HTTP status Status.
// Messages never contain a filter value, so a secret typed into a query
// cannot leak through an error.
type Error struct {
	Status  int
	Code    string
	Message string
	Target  string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Target == "" {
		return fmt.Sprintf("ontap error %s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("ontap error %s: %s (target %q)", e.Code, e.Message, e.Target)
}

func badRequest(code, target, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...), Target: target}
}

func unexpectedArgument(name string) *Error {
	return badRequest(CodeUnexpectedArgument, name, "Unexpected argument %q.", name)
}

func invalidValue(field, why string) *Error {
	return badRequest(CodeInvalidValue, field, "Invalid value for field %q: %s.", field, why)
}
