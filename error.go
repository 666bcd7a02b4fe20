package accord

import (
	"errors"
	"fmt"
)

// Error codes. The vocabulary is closed and append-only: clients of the API
// switch on these strings, so a code is never renamed or reused.
const (
	EINVALID          = "invalid"             // the input is malformed or breaks a rule
	ENOTFOUND         = "not_found"           // no such object, or not visible to the caller
	ECONFLICT         = "conflict"            // the change clashes with the current state
	EPRECONDITION     = "precondition_failed" // If-Match / version no longer current
	EFORBIDDEN        = "forbidden"           // the caller's role does not allow the operation
	EDENIED           = "denied"              // the decision point refused access to client data
	EUNAUTHENTICATED  = "unauthenticated"     // no or bad credentials
	ETOOLARGE         = "too_large"           // the request body is too large
	ERATELIMITED      = "rate_limited"        // too many attempts; retry later
	EUNSUPPORTEDMEDIA = "unsupported_media_type"
	EUNAVAILABLE      = "unavailable"           // the service is not ready (e.g. shutting down)
	EINTERNAL         = "internal"              // anything else; details are logged, never shown
	EMETHOD           = "method_not_allowed"    // the endpoint exists but not for this method
	EPRECONDREQUIRED  = "precondition_required" // an update must say which version it changes (If-Match)
)

// Codes lists every error code, in the order they were added.
var Codes = []string{
	EINVALID, ENOTFOUND, ECONFLICT, EPRECONDITION, EFORBIDDEN, EDENIED,
	EUNAUTHENTICATED, ETOOLARGE, ERATELIMITED, EUNSUPPORTEDMEDIA, EUNAVAILABLE, EINTERNAL, EMETHOD, EPRECONDREQUIRED,
}

// Error is an error that is safe to show to a user. Format is an English
// message with fmt verbs; it doubles as the key into the message catalogue,
// so that the same message can be shown in the user's language.
type Error struct {
	Code   string
	Format string
	Args   []any
	// Field names the input that was wrong, when one was ("consent.provisions[0].purposes").
	Field string
	// Accepted lists the values that would have been accepted, when the
	// input was one value of a closed set (a purpose of use, say).
	Accepted []string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message() }

// Message returns the English message.
func (e *Error) Message() string {
	if len(e.Args) == 0 {
		return e.Format
	}
	return fmt.Sprintf(e.Format, e.Args...)
}

// Errorf returns an *Error with the given code. The format string must be a
// constant: it is the message catalogue key.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Format: format, Args: args}
}

// FieldErrorf returns an EINVALID *Error about one input field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Format: format, Args: args, Field: field}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// AsError returns the first *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Wrap adds context to *errp when it is non-nil, keeping the chain:
//
//	defer accord.Wrap(&err, "CreateConsent(%s)", clientID)
func Wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}
