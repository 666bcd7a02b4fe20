package http

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

var errInternal = accord.Errorf(accord.EINTERNAL, "something went wrong on our side; the error has been logged")

// statusOf maps error codes to HTTP statuses.
var statusOf = map[string]int{
	accord.EINVALID:          http.StatusBadRequest,
	accord.ENOTFOUND:         http.StatusNotFound,
	accord.ECONFLICT:         http.StatusConflict,
	accord.EPRECONDITION:     http.StatusPreconditionFailed,
	accord.EFORBIDDEN:        http.StatusForbidden,
	accord.EDENIED:           http.StatusForbidden,
	accord.EUNAUTHENTICATED:  http.StatusUnauthorized,
	accord.ETOOLARGE:         http.StatusRequestEntityTooLarge,
	accord.ERATELIMITED:      http.StatusTooManyRequests,
	accord.EUNSUPPORTEDMEDIA: http.StatusUnsupportedMediaType,
	accord.EUNAVAILABLE:      http.StatusServiceUnavailable,
	accord.EINTERNAL:         http.StatusInternalServerError,
	accord.EMETHOD:           http.StatusMethodNotAllowed,
	accord.EPRECONDREQUIRED:  http.StatusPreconditionRequired,
}

// retryAfter is an error that says when to try again.
type retryAfter struct {
	err   *accord.Error
	after time.Duration
}

func (e *retryAfter) Error() string { return e.err.Error() }
func (e *retryAfter) Unwrap() error { return e.err }

// errorBody is the JSON shape of every error.
type errorBody struct {
	Error struct {
		Code     string        `json:"code"`
		Message  string        `json:"message"`
		Field    string        `json:"field,omitempty"`
		Accepted []string      `json:"accepted,omitempty"`
		Decision *decisionJSON `json:"decision,omitempty"`
		Request  string        `json:"request_id"`
	} `json:"error"`
}

// writeError turns any error into a response: the status from its code,
// the message in the caller's language. Only internal errors are logged in
// detail, and their detail is never shown.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := accord.ErrorCode(err)
	e := accord.AsError(err)
	if code == accord.EINTERNAL || e == nil {
		s.logger.Error("internal error", "request_id", requestID(r.Context()), "route", r.Pattern, "err", err)
		e, code = errInternal, accord.EINTERNAL
	}
	p := s.printer(r)
	var body errorBody
	body.Error.Code = code
	body.Error.Message = p.Sprintf(e.Format, e.Args...)
	body.Error.Field = e.Field
	body.Error.Request = requestID(r.Context())
	body.Error.Accepted = e.Accepted
	if d := enforce.AsDenied(err); d != nil {
		dj := s.decisionJSON(p, &d.Decided)
		body.Error.Decision = &dj
	}
	var ra *retryAfter
	if errors.As(err, &ra) {
		w.Header().Set("Retry-After", strconv.Itoa(int(ra.after.Seconds())+1))
	}
	if code == accord.EUNAUTHENTICATED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="accord"`)
	}
	writeJSON(w, statusOf[code], body)
}

func (s *Server) printer(r *http.Request) *i18n.Printer {
	return s.cat.Printer(s.cat.Match(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language")))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
