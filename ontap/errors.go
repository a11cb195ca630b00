package ontap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// CodeIntroductoryRPCFailed is the ONTAP error code for "introductory RPC to
// the peer address failed to connect". ONTAP returns it while the remote is
// unreachable and during the route-propagation window right after
// local_network created intercluster LIFs; it is treated as transient.
const CodeIntroductoryRPCFailed = "4653215"

// Error is a failed ONTAP request: an HTTP error status with ONTAP's error
// object, a failed job, or a transport failure (HTTPStatus 0).
type Error struct {
	// HTTPStatus is the response status; 0 when no response arrived.
	HTTPStatus int
	// Code is ONTAP's error code (digits in a string), if any.
	Code string
	// Message is ONTAP's message, or the transport error text.
	Message string
	// Target is the input field ONTAP blamed, if any.
	Target string
	// Method is the HTTP method of the request.
	Method string
	// Path is the request's path template ("/api/cluster/peers/{uuid}"),
	// never a query string.
	Path string

	err error // transport cause, for errors.Is/As
}

// Error renders the failure without any request body or query.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ontap %s %s: ", e.Method, e.Path)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, "HTTP %d: ", e.HTTPStatus)
	}
	b.WriteString(e.Message)
	if e.Code != "" || e.Target != "" {
		b.WriteString(" (")
		if e.Code != "" {
			b.WriteString("code " + e.Code)
		}
		if e.Target != "" {
			if e.Code != "" {
				b.WriteString(", ")
			}
			b.WriteString("target " + e.Target)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.err }

// transient reports whether retrying the same request may succeed.
func (e *Error) transient() bool {
	switch {
	case e.Code == CodeIntroductoryRPCFailed:
		return true
	case e.HTTPStatus == http.StatusTooManyRequests:
		return true
	case e.HTTPStatus >= 500 && e.HTTPStatus != http.StatusNotImplemented:
		return true
	case e.HTTPStatus == 0 && e.err != nil:
		return transportTransient(e.err)
	}
	return false
}

// IsNotFound reports whether err is an ONTAP 404 (entry doesn't exist).
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.HTTPStatus == http.StatusNotFound
}

// IsAuth reports whether ONTAP refused the credentials (401) or the
// account's role (403).
func IsAuth(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden)
}

// IsTransient reports whether err may go away on its own: 5xx, 429,
// connection errors, timeouts and ONTAP code 4653215. Any other error is
// terminal for the action that caused it.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.transient()
	}
	return transportTransient(err)
}

// transportTransient classifies an error that came without a response.
func transportTransient(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	if certificateError(err) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// certificateError reports TLS failures that never heal by retrying:
// certificate verification, a TLS alert from the server (e.g. a client
// certificate required or refused) and a server that does not speak TLS.
func certificateError(err error) bool {
	var (
		verr  *tls.CertificateVerificationError
		uerr  x509.UnknownAuthorityError
		herr  x509.HostnameError
		ierr  x509.CertificateInvalidError
		alert tls.AlertError
		rerr  tls.RecordHeaderError
	)
	if errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) || errors.As(err, &ierr) ||
		errors.As(err, &alert) || errors.As(err, &rerr) {
		return true
	}
	// crypto/tls reports alerts over TCP as net.OpError "remote error"
	// (sent by the server) or "local error" (sent by us).
	var oe *net.OpError
	return errors.As(err, &oe) && (oe.Op == "remote error" || oe.Op == "local error")
}

// dialError reports whether err happened while connecting, i.e. the request
// certainly never reached ONTAP.
func dialError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// apiErrorBody is ONTAP's error object.
type apiErrorBody struct {
	Error *struct {
		Message string `json:"message"`
		Code    string `json:"code"`
		Target  string `json:"target"`
	} `json:"error"`
}

// newHTTPError builds an *Error from an error response.
func newHTTPError(method, path string, status int, body []byte) *Error {
	e := &Error{HTTPStatus: status, Method: method, Path: path}
	var eb apiErrorBody
	if json.Unmarshal(body, &eb) == nil && eb.Error != nil {
		e.Code, e.Message, e.Target = eb.Error.Code, eb.Error.Message, eb.Error.Target
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// errorCode returns the ONTAP error code of an error body, if any.
func errorCode(body []byte) string {
	var eb apiErrorBody
	if json.Unmarshal(body, &eb) == nil && eb.Error != nil {
		return eb.Error.Code
	}
	return ""
}
