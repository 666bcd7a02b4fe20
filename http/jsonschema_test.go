package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// schemaChecker validates JSON values against JSON Schema (2020-12, the
// dialect of OpenAPI 3.1) — only the subset openapi.json is written in, so
// that the tests need no dependency. lint refuses any keyword the checker
// does not know, so the document cannot use one that would be silently
// ignored here.
//
// Values are as encoding/json decodes them with UseNumber: nil, bool,
// string, json.Number, []any and map[string]any.
type schemaChecker struct {
	doc map[string]any // the document $refs point into
	res map[string]*regexp.Regexp
}

func newSchemaChecker(doc map[string]any) *schemaChecker {
	return &schemaChecker{doc: doc, res: map[string]*regexp.Regexp{}}
}

// schemaKeywords are the keywords check applies.
var schemaKeywords = map[string]bool{
	"$ref": true, "type": true, "enum": true, "const": true,
	"properties": true, "required": true, "additionalProperties": true,
	"items": true, "minItems": true, "maxItems": true, "uniqueItems": true,
	"minLength": true, "maxLength": true, "pattern": true, "format": true,
	"minimum": true, "maximum": true, "oneOf": true, "anyOf": true, "allOf": true,
}

// schemaAnnotations are keywords that do not constrain a value.
var schemaAnnotations = map[string]bool{
	"title": true, "description": true, "default": true, "examples": true,
	"deprecated": true, "readOnly": true, "writeOnly": true, "$comment": true,
}

var schemaTypes = []string{"null", "boolean", "object", "array", "number", "string", "integer"}

// validate returns what is wrong with v under schema, one line each, or nil.
func (c *schemaChecker) validate(schema, v any) []string {
	var errs []string
	c.check(schema, v, "$", &errs)
	return errs
}

func (c *schemaChecker) check(schema, v any, at string, errs *[]string) {
	fail := func(format string, args ...any) { *errs = append(*errs, at+": "+fmt.Sprintf(format, args...)) }
	s, ok := schema.(map[string]any)
	if !ok {
		fail("schema is a %T, not an object", schema)
		return
	}
	if ref, ok := s["$ref"].(string); ok {
		target, err := c.resolve(ref)
		if err != nil {
			fail("%v", err)
			return
		}
		c.check(target, v, at, errs)
	}
	if t, ok := s["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, fmt.Sprint(x))
			}
		}
		if !slices.ContainsFunc(types, func(t string) bool { return hasType(t, v) }) {
			fail("want %s, got %s", strings.Join(types, " or "), describe(v))
			return // the other keywords would only repeat it
		}
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return jsonEqual(x, v) }) {
		fail("%s is not one of %v", describe(v), e)
	}
	if k, ok := s["const"]; ok && !jsonEqual(k, v) {
		fail("%s is not %v", describe(v), k)
	}
	switch v := v.(type) {
	case string:
		n := utf8.RuneCountInString(v)
		if m, ok := bound(s, "minLength"); ok && big.NewRat(int64(n), 1).Cmp(m) < 0 {
			fail("%q is shorter than %s characters", v, m.RatString())
		}
		if m, ok := bound(s, "maxLength"); ok && big.NewRat(int64(n), 1).Cmp(m) > 0 {
			fail("%.40q… is longer than %s characters", v, m.RatString())
		}
		if p, ok := s["pattern"].(string); ok {
			re, err := c.regexp(p)
			if err != nil {
				fail("%v", err)
			} else if !re.MatchString(v) {
				fail("%q does not match %s", v, p)
			}
		}
		if f, _ := s["format"].(string); f == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				fail("%q is not an RFC 3339 date-time", v)
			}
		}
	case json.Number:
		n, _ := new(big.Rat).SetString(string(v))
		if m, ok := bound(s, "minimum"); ok && n.Cmp(m) < 0 {
			fail("%s is less than %s", v, m.RatString())
		}
		if m, ok := bound(s, "maximum"); ok && n.Cmp(m) > 0 {
			fail("%s is more than %s", v, m.RatString())
		}
	case []any:
		if m, ok := bound(s, "minItems"); ok && big.NewRat(int64(len(v)), 1).Cmp(m) < 0 {
			fail("%d items, want at least %s", len(v), m.RatString())
		}
		if m, ok := bound(s, "maxItems"); ok && big.NewRat(int64(len(v)), 1).Cmp(m) > 0 {
			fail("%d items, want at most %s", len(v), m.RatString())
		}
		if u, _ := s["uniqueItems"].(bool); u {
			for i := range v {
				for j := range i {
					if jsonEqual(v[i], v[j]) {
						fail("items %d and %d are equal", j, i)
					}
				}
			}
		}
		if items, ok := s["items"]; ok {
			for i, x := range v {
				c.check(items, x, at+"["+strconv.Itoa(i)+"]", errs)
			}
		}
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := v[fmt.Sprint(r)]; !ok {
					fail("missing required property %q", r)
				}
			}
		}
		for _, k := range sortedKeys(v) {
			if p, ok := props[k]; ok {
				c.check(p, v[k], at+"."+k, errs)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					fail("property %q is not in the schema", k)
				}
			case map[string]any:
				c.check(ap, v[k], at+"."+k, errs)
			}
		}
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			c.check(sub, v, at, errs)
		}
	}
	if anyOf, ok := s["anyOf"].([]any); ok && c.matches(anyOf, v) == 0 {
		fail("%s matches none of anyOf", describe(v))
	}
	if oneOf, ok := s["oneOf"].([]any); ok {
		if n := c.matches(oneOf, v); n != 1 {
			fail("%s matches %d of oneOf, want exactly 1", describe(v), n)
		}
	}
}

// matches counts the schemas v is valid under.
func (c *schemaChecker) matches(schemas []any, v any) int {
	n := 0
	for _, sub := range schemas {
		if len(c.validate(sub, v)) == 0 {
			n++
		}
	}
	return n
}

// resolve follows a local JSON pointer ("#/components/schemas/Client").
func (c *schemaChecker) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("$ref %q is not a local JSON pointer", ref)
	}
	var cur any = c.doc
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
	}
	return cur, nil
}

func (c *schemaChecker) regexp(p string) (*regexp.Regexp, error) {
	if re, ok := c.res[p]; ok {
		return re, nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %v", p, err)
	}
	c.res[p] = re
	return re, nil
}

// lint reports what is wrong with a schema itself: keywords check does not
// apply, $refs that do not resolve, malformed keyword values, required
// properties that are not declared, and defaults or examples the schema
// refuses. It does not follow $refs; lint each target on its own.
func (c *schemaChecker) lint(schema any, at string) []string {
	var errs []string
	c.lintInto(schema, at, &errs)
	return errs
}

func (c *schemaChecker) lintInto(schema any, at string, errs *[]string) {
	fail := func(format string, args ...any) { *errs = append(*errs, at+": "+fmt.Sprintf(format, args...)) }
	s, ok := schema.(map[string]any)
	if !ok {
		fail("schema is a %T, not an object", schema)
		return
	}
	for _, k := range sortedKeys(s) {
		if !schemaKeywords[k] && !schemaAnnotations[k] && !strings.HasPrefix(k, "x-") {
			fail("keyword %q is not supported by the test's schema checker", k)
		}
	}
	if ref, ok := s["$ref"]; ok {
		r, _ := ref.(string)
		if _, err := c.resolve(r); err != nil {
			fail("%v", err)
		}
	}
	if t, ok := s["type"]; ok {
		var types []any
		switch t := t.(type) {
		case string:
			types = []any{t}
		case []any:
			types = t
		}
		if len(types) == 0 {
			fail("type must be a type name or a list of them")
		}
		for _, x := range types {
			if n, _ := x.(string); !slices.Contains(schemaTypes, n) {
				fail("unknown type %v", x)
			}
		}
	}
	if f, ok := s["format"]; ok && f != "date-time" {
		fail("format %v is not checked by the test's schema checker; use date-time or a pattern", f)
	}
	if p, ok := s["pattern"]; ok {
		ps, _ := p.(string)
		if _, err := c.regexp(ps); err != nil {
			fail("%v", err)
		}
	}
	if e, ok := s["enum"]; ok {
		if list, _ := e.([]any); len(list) == 0 {
			fail("enum must be a non-empty list")
		}
	}
	for _, k := range []string{"minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"} {
		if _, ok := s[k]; ok {
			if _, ok := bound(s, k); !ok {
				fail("%s must be a number", k)
			}
		}
	}
	props, hasProps := s["properties"].(map[string]any)
	if _, ok := s["properties"]; ok && !hasProps {
		fail("properties must be an object")
	}
	for _, k := range sortedKeys(props) {
		c.lintInto(props[k], at+".properties."+k, errs)
	}
	if req, ok := s["required"]; ok {
		list, ok := req.([]any)
		if !ok {
			fail("required must be a list")
		}
		for _, r := range list {
			if _, ok := props[fmt.Sprint(r)]; hasProps && !ok {
				fail("required property %q is not declared", r)
			}
		}
	}
	switch ap := s["additionalProperties"].(type) {
	case nil, bool:
	case map[string]any:
		c.lintInto(ap, at+".additionalProperties", errs)
	default:
		fail("additionalProperties must be a boolean or a schema")
	}
	if items, ok := s["items"]; ok {
		c.lintInto(items, at+".items", errs)
	}
	for _, k := range []string{"oneOf", "anyOf", "allOf"} {
		if x, ok := s[k]; ok {
			list, _ := x.([]any)
			if len(list) == 0 {
				fail("%s must be a non-empty list", k)
			}
			for i, sub := range list {
				c.lintInto(sub, at+"."+k+"["+strconv.Itoa(i)+"]", errs)
			}
		}
	}
	if d, ok := s["default"]; ok {
		for _, e := range c.validate(s, d) {
			fail("default: %s", e)
		}
	}
	if ex, ok := s["examples"]; ok {
		list, _ := ex.([]any)
		for i, x := range list {
			for _, e := range c.validate(s, x) {
				fail("examples[%d]: %s", i, e)
			}
		}
	}
}

// hasType reports whether v is of JSON Schema type t.
func hasType(t string, v any) bool {
	switch v := v.(type) {
	case nil:
		return t == "null"
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case json.Number:
		if t == "integer" {
			r, ok := new(big.Rat).SetString(string(v))
			return ok && r.IsInt()
		}
		return t == "number"
	case []any:
		return t == "array"
	case map[string]any:
		return t == "object"
	}
	return false
}

// bound returns a numeric keyword's value.
func bound(s map[string]any, k string) (*big.Rat, bool) {
	switch n := s[k].(type) {
	case json.Number:
		return new(big.Rat).SetString(string(n))
	case float64:
		return new(big.Rat).SetFloat64(n), true
	}
	return nil, false
}

// jsonEqual reports whether two decoded JSON values are equal, comparing
// numbers by value.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, ok1 := new(big.Rat).SetString(string(a))
		y, ok2 := new(big.Rat).SetString(string(b))
		return ok1 && ok2 && x.Cmp(y) == 0
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, jsonEqual)
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, x := range a {
			if y, ok := b[k]; !ok || !jsonEqual(x, y) {
				return false
			}
		}
		return true
	}
	return a == b
}

// describe shows a value briefly in an error.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		if len(v) > 40 {
			return strconv.Quote(v[:40]) + "…"
		}
		return strconv.Quote(v)
	case json.Number:
		return "number " + string(v)
	case bool:
		return "boolean " + strconv.FormatBool(v)
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestSchemaChecker holds the checker to the rules the OpenAPI tests rely on.
func TestSchemaChecker(t *testing.T) {
	doc := map[string]any{}
	if err := decodeJSON([]byte(`{"components": {"schemas": {
		"ID": {"type": "string", "pattern": "^cli_[a-z2-7]{26}$"},
		"Thing": {"type": "object", "additionalProperties": false, "required": ["id", "n"], "properties": {
			"id": {"$ref": "#/components/schemas/ID"},
			"n": {"type": "integer", "minimum": 1, "maximum": 4611686018427387904},
			"at": {"type": "string", "format": "date-time"},
			"tags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 2, "uniqueItems": true},
			"maybe": {"type": ["string", "null"], "maxLength": 3},
			"either": {"oneOf": [{"type": "string"}, {"type": "integer"}]}
		}}
	}}}`), &doc); err != nil {
		t.Fatal(err)
	}
	c := newSchemaChecker(doc)
	thing := map[string]any{"$ref": "#/components/schemas/Thing"}
	tests := []struct {
		value string
		ok    bool
	}{
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 1}`, true},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 4611686018427387904, "at": "2026-11-22T10:00:00.123Z", "tags": ["a", "b"], "maybe": null, "either": 3}`, true},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 1, "extra": true}`, false},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa"}`, false},
		{`{"id": "cli_AAAAAAAAAAAAAAAAAAAAAAAAAA", "n": 1}`, false},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 1.5}`, false},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 0}`, false},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 4611686018427387905}`, false},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": "1"}`, false},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 1, "at": "22/11/2026"}`, false},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 1, "tags": ["c"]}`, false},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 1, "tags": ["a", "a"]}`, false},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 1, "maybe": "long"}`, false},
		{`{"id": "cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", "n": 1, "either": true}`, false},
		{`null`, false},
	}
	for _, tt := range tests {
		var v any
		if err := decodeJSON([]byte(tt.value), &v); err != nil {
			t.Fatal(err)
		}
		if errs := c.validate(thing, v); (len(errs) == 0) != tt.ok {
			t.Errorf("validate(%s) = %q, want ok %v", tt.value, errs, tt.ok)
		}
	}
	for _, bad := range []string{
		`{"type": "text"}`,
		`{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]}`,
		`{"type": "string", "format": "email"}`,
		`{"type": "string", "pattern": "("}`,
		`{"type": "integer", "minimum": 1, "default": 0}`,
		`{"$ref": "#/components/schemas/Nope"}`,
		`{"type": "object", "patternProperties": {}}`,
	} {
		var s any
		if err := decodeJSON([]byte(bad), &s); err != nil {
			t.Fatal(err)
		}
		if errs := c.lint(s, "$"); len(errs) == 0 {
			t.Errorf("lint(%s) found nothing wrong", bad)
		}
	}
}

// decodeJSON decodes one JSON value, numbers as json.Number.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("more than one JSON value")
	}
	return nil
}
