package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/accord-project/accord"
)

// maxBody bounds every request body.
const maxBody = 1 << 20

// decodeBody decodes a JSON request body into v strictly: the content type
// must be JSON, the body at most maxBody bytes of valid UTF-8 holding one
// object with no unknown fields and the right types. It changes nothing on
// failure; the error names what was wrong.
func decodeBody(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return accord.Errorf(accord.EUNSUPPORTEDMEDIA, "send the request body as application/json")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return accord.Errorf(accord.EINVALID, "the request body could not be read")
	}
	return decodeJSON(body, v)
}

// decodeJSON is the decoder behind decodeBody; it is fuzzed.
func decodeJSON(body []byte, v any) error {
	if len(body) > maxBody {
		return accord.Errorf(accord.ETOOLARGE, "the request body is larger than %d bytes", maxBody)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return accord.Errorf(accord.EINVALID, "the request body is empty; send a JSON object")
	}
	if !utf8.Valid(body) {
		return accord.Errorf(accord.EINVALID, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return accord.Errorf(accord.EINVALID, "the request body holds more than one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return accord.Errorf(accord.EINVALID, "the request body is not valid JSON (at byte %d)", int(syn.Offset))
	case errors.As(err, &typ):
		e := accord.FieldErrorf(typ.Field, "%s must be a JSON %s", fieldName(typ.Field), jsonKind(typ.Type.Kind().String()))
		return e
	case errors.Is(err, io.ErrUnexpectedEOF):
		return accord.Errorf(accord.EINVALID, "the request body is cut short")
	}
	var tErr *time.ParseError
	if errors.As(err, &tErr) {
		return accord.Errorf(accord.EINVALID, "a time in the request body is not in RFC 3339 form (2026-01-31T09:00:00Z)")
	}
	msg := err.Error()
	const unknown = "json: unknown field "
	if len(msg) > len(unknown) && msg[:len(unknown)] == unknown {
		f, _ := strconv.Unquote(msg[len(unknown):])
		return accord.FieldErrorf(f, "unknown field %q", f)
	}
	return accord.Errorf(accord.EINVALID, "the request body does not match the expected shape")
}

func fieldName(f string) string {
	if f == "" {
		return "the body"
	}
	return f
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	default:
		return "number"
	}
}

// queryInt parses an integer query parameter within [min, max], def when absent.
func queryInt(r *http.Request, name string, def, lo, hi int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		return 0, accord.FieldErrorf(name, "%s must be a whole number from %d to %d", name, lo, hi)
	}
	return v, nil
}
