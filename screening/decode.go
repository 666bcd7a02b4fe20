package screening

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/accord-project/accord"
)

// decodeStrict decodes the one JSON value in b into v. Beyond
// DisallowUnknownFields it refuses what encoding/json lets through: a field
// name in another case than its own ("LinkId"), a field given twice, and
// anything after the value. FHIR JSON is case-sensitive, and a field given
// twice would mean one reader sees another value than the next.
func decodeStrict(b []byte, v any) error {
	if !utf8.Valid(b) {
		return accord.Errorf(accord.EINVALID, "the JSON is not valid UTF-8")
	}
	if err := checkKeys(b); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	return nil
}

// checkKeys walks the tokens of b, refusing duplicate keys in an object,
// keys that differ only in case from a field name of this package's types,
// and more than one top-level value.
func checkKeys(b []byte) error {
	names := fieldNames()
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		object  bool
		wantKey bool
		seen    map[string]bool
	}
	var stack []frame
	values := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if values == 0 {
				return accord.Errorf(accord.EINVALID, "the JSON is empty")
			}
			return nil
		}
		if err != nil {
			return jsonError(err)
		}
		if len(stack) == 0 {
			if values++; values > 1 {
				return accord.Errorf(accord.EINVALID, "the JSON holds more than one value")
			}
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if k, ok := tok.(string); ok {
				top := &stack[n-1]
				if top.seen[k] {
					return accord.FieldErrorf(k, "field %q is given twice", k)
				}
				top.seen[k] = true
				for _, name := range names {
					if name != k && strings.EqualFold(name, k) {
						return accord.FieldErrorf(k, "unknown field %q", k)
					}
				}
				top.wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true, seen: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: in an object, a key comes next.
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
}

// fieldNames returns the JSON field names of the package's types.
var fieldNames = sync.OnceValue(func() []string {
	var names []string
	var walk func(t reflect.Type)
	seen := map[reflect.Type]bool{}
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" && !slices.Contains(names, name) {
				names = append(names, name)
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Questionnaire]())
	walk(reflect.TypeFor[Response]())
	return names
})

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return accord.Errorf(accord.EINVALID, "the JSON is not valid (at byte %d)", int(syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the JSON"
		}
		return accord.FieldErrorf(typ.Field, "%s must be a JSON %s", field, jsonKind(typ.Type))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return accord.Errorf(accord.EINVALID, "the JSON is cut short")
	}
	const unknown = "json: unknown field "
	if msg := err.Error(); strings.HasPrefix(msg, unknown) {
		f, _ := strconv.Unquote(msg[len(unknown):])
		return accord.FieldErrorf(f, "unknown field %q", f)
	}
	return accord.Errorf(accord.EINVALID, "the JSON does not have the expected shape")
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Int32:
		return "integer"
	}
	return "number"
}
