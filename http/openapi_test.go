package http_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"mime"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	accordhttp "github.com/accord-project/accord/http"
	"github.com/accord-project/accord/match"
	"github.com/accord-project/accord/screening"
	"github.com/accord-project/accord/sqlstore"
)

// The tests in this file hold openapi.json to the server: the route table
// and the document list the same operations (TestOpenAPIRoutes), the
// document is well formed (TestOpenAPIDocument), its vocabularies and
// object shapes are the Go ones (TestOpenAPIVocabulary,
// TestOpenAPIWireTypes), and a real server answers every operation as
// documented (TestOpenAPIConformance, in openapi_conformance_test.go).

// openAPI is openapi.json, decoded.
type openAPI struct {
	root map[string]any
	sc   *schemaChecker
	ops  map[string]*operation // by "METHOD /path/{template}"
}

// operation is one operation of the document.
type operation struct {
	key    string // "GET /api/v1/clients/{id}"
	method string
	path   string
	m      map[string]any
	params []map[string]any // resolved
}

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := decodeJSON(b, &root); err != nil {
		t.Fatalf("openapi.json is not one JSON object: %v", err)
	}
	d := &openAPI{root: root, sc: newSchemaChecker(root), ops: map[string]*operation{}}
	paths, _ := root["paths"].(map[string]any)
	for _, p := range sortedKeys(paths) {
		item, _ := paths[p].(map[string]any)
		for _, method := range sortedKeys(item) {
			m, ok := item[method].(map[string]any)
			if !ok || !slices.Contains([]string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}, method) {
				continue
			}
			op := &operation{method: strings.ToUpper(method), path: p, m: m}
			op.key = op.method + " " + p
			for _, raw := range slices.Concat(list(item["parameters"]), list(m["parameters"])) {
				op.params = append(op.params, d.deref(t, raw))
			}
			d.ops[op.key] = op
		}
	}
	return d
}

// deref resolves a Reference Object (a map with $ref), or returns the map.
func (d *openAPI) deref(t *testing.T, v any) map[string]any {
	t.Helper()
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("expected an object, got %T", v)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var err error
		if v, err = d.sc.resolve(ref); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("$ref chain too long")
	return nil
}

// param returns the operation's parameter, or nil.
func (op *operation) param(in, name string) map[string]any {
	for _, p := range op.params {
		if p["in"] == in && strings.EqualFold(fmt.Sprint(p["name"]), name) {
			return p
		}
	}
	return nil
}

func (op *operation) public() bool {
	sec, ok := op.m["security"].([]any)
	return ok && len(sec) == 0
}

func list(v any) []any { l, _ := v.([]any); return l }

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// documentedRoute reports whether a route of the route table belongs in the
// document: the API and the health checks, not the HTML landing page.
func documentedRoute(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return strings.HasPrefix(path, "/api/v1/") || path == "/healthz" || path == "/readyz"
}

// TestOpenAPIRoutes checks that every route of the route table has exactly
// one operation in openapi.json and vice versa, that each operation is
// named for its handler, that Accord-Purpose is documented exactly on the
// operations whose handler calls purposeOf, If-Match (with its 412 and 428)
// exactly on those that call ifMatch, and the ETag header on the successes
// of those that call etag.
func TestOpenAPIRoutes(t *testing.T) {
	d := loadOpenAPI(t)
	var routes []string
	for _, r := range accordhttp.Routes() {
		if documentedRoute(r) {
			routes = append(routes, r)
		}
	}
	slices.Sort(routes)
	if len(slices.Compact(slices.Clone(routes))) != len(routes) {
		t.Errorf("the route table lists a route twice: %v", routes)
	}
	ops := sortedKeys(d.ops)
	if diff := cmp.Diff(routes, ops); diff != "" {
		t.Errorf("routes (-routeTable +openapi.json):\n%s", diff)
	}

	handlers := routeHandlers(t)
	all := accordhttp.Routes()
	slices.Sort(all)
	if diff := cmp.Diff(sortedKeys(handlers), all); diff != "" {
		t.Fatalf("routes.go as parsed (-) does not match routeTable (+); has the table's form changed?\n%s", diff)
	}
	callsPurposeOf := methodsCalling(t, "purposeOf")
	callsIfMatch := methodsCalling(t, "ifMatch")
	callsETag := methodsCalling(t, "etag")
	for _, key := range ops {
		op := d.ops[key]
		rh := handlers[key]
		h := rh.name
		if id := op.m["operationId"]; id != h {
			t.Errorf("%s: operationId %v, want the handler's name %q", key, id, h)
		}
		// The handler reads the purpose itself, or a wrapper does for it
		// (updateCase reads it for every kind of case change).
		usesPurpose := callsPurposeOf[h] || slices.ContainsFunc(rh.wrappers, func(w string) bool { return callsPurposeOf[w] })
		p := op.param("header", "Accord-Purpose")
		switch {
		case usesPurpose && p == nil:
			t.Errorf("%s: handler %s calls purposeOf, but the operation does not document the Accord-Purpose header", key, h)
		case usesPurpose && p["required"] != true:
			t.Errorf("%s: Accord-Purpose must be required", key)
		case !usesPurpose && p != nil:
			t.Errorf("%s: documents Accord-Purpose, but handler %s does not read it", key, h)
		}
		// If-Match: the reusable parameter, and its two refusals, exactly
		// where the handler (or a wrapper) reads it.
		usesIfMatch := callsIfMatch[h] || slices.ContainsFunc(rh.wrappers, func(w string) bool { return callsIfMatch[w] })
		var ifMatchRef any
		for _, raw := range list(op.m["parameters"]) {
			if d.deref(t, raw)["name"] == "If-Match" {
				ifMatchRef = obj(raw)["$ref"]
			}
		}
		resps := obj(op.m["responses"])
		switch {
		case usesIfMatch && ifMatchRef != "#/components/parameters/IfMatch":
			t.Errorf("%s: handler %s reads If-Match, but the operation does not document the IfMatch parameter", key, h)
		case usesIfMatch && (resps["412"] == nil || obj(resps["428"])["$ref"] != "#/components/responses/PreconditionRequired"):
			t.Errorf("%s: an operation that takes If-Match must document 412 and the PreconditionRequired 428", key)
		case !usesIfMatch && (ifMatchRef != nil || resps["428"] != nil):
			t.Errorf("%s: documents If-Match, but handler %s does not read it", key, h)
		}
		// ETag: documented on the success of every handler that sets it.
		if usesETag := callsETag[h] || slices.ContainsFunc(rh.wrappers, func(w string) bool { return callsETag[w] }); usesETag {
			for _, status := range sortedKeys(resps) {
				if status[0] == '2' && obj(obj(d.deref(t, resps[status])["headers"])["ETag"])["$ref"] != "#/components/headers/ETag" {
					t.Errorf("%s %s: handler %s sets an ETag, but the response does not document the ETag header", key, status, h)
				}
			}
		}
	}
	params := obj(obj(d.root["components"])["parameters"])
	if p := obj(params["IfMatch"]); p["name"] != "If-Match" || p["in"] != "header" || p["required"] != true {
		t.Errorf("parameters.IfMatch = %v, want the required If-Match header", p)
	}
}

// routeHandler is the handler of one route: the method named in the route
// table, inside any wrappers ({"POST", "/api/v1/cases/{id}/goals",
// s.authed(s.updateCase(s.addGoal))} → addGoal, wrapped by updateCase).
type routeHandler struct {
	name     string
	wrappers []string
}

// routeHandlers reads the route table in routes.go and returns the handler
// method of each entry ({"GET", "/api/v1/me", s.authed(s.me)} → "me"),
// unwrapping method calls that take it (s.authed(s.updateCase(s.addGoal))
// → "addGoal", wrapped by "updateCase").
func routeHandlers(t *testing.T) map[string]routeHandler {
	t.Helper()
	// The API's table is in routes.go; each page group's in its web_*.go.
	pages, _ := filepath.Glob("web*.go")
	out := map[string]routeHandler{}
	for _, name := range append([]string{"routes.go"}, pages...) {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok || len(lit.Elts) != 3 {
				return true
			}
			method, ok1 := stringLit(lit.Elts[0])
			path, ok2 := stringLit(lit.Elts[1])
			call, ok3 := lit.Elts[2].(*ast.CallExpr)
			if !ok1 || !ok2 || !ok3 || len(call.Args) != 1 {
				return true
			}
			var rh routeHandler
			arg := call.Args[0]
			for {
				inner, ok := arg.(*ast.CallExpr)
				if !ok || len(inner.Args) != 1 {
					break
				}
				if sel, ok := inner.Fun.(*ast.SelectorExpr); ok {
					rh.wrappers = append(rh.wrappers, sel.Sel.Name)
				}
				arg = inner.Args[0]
			}
			if sel, ok := arg.(*ast.SelectorExpr); ok {
				rh.name = sel.Sel.Name
				out[method+" "+path] = rh
			}
			return false
		})
	}
	return out
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// methodsCalling returns the methods of the package (non-test files) whose
// body calls the function fn.
func methodsCalling(t *testing.T, fn string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if id, ok := call.Fun.(*ast.Ident); ok && id.Name == fn {
						out[fd.Name.Name] = true
					}
				}
				return true
			})
		}
	}
	return out
}

// TestOpenAPIDocument checks the document is well-formed OpenAPI 3.1 as
// this project writes it: every $ref resolves, every operation is named,
// summarised, described and answers with documented shapes, every schema
// uses only what the test's schema checker checks, and every object that
// crosses the wire refuses undeclared properties.
func TestOpenAPIDocument(t *testing.T) {
	d := loadOpenAPI(t)
	r := d.root
	if v, _ := r["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	info := obj(r["info"])
	if info["title"] != "Accord" || info["version"] == nil || info["version"] == "" {
		t.Errorf("info: title %v, version %v; want Accord and a version", info["title"], info["version"])
	}
	if desc, _ := info["description"].(string); !strings.Contains(desc, "Accord-Purpose") {
		t.Errorf("info.description does not explain the Accord-Purpose rule")
	}
	servers := list(r["servers"])
	if len(servers) == 0 {
		t.Errorf("no servers")
	}
	for _, s := range servers {
		if u, _ := obj(s)["url"].(string); u == "" || strings.Contains(u, "://") {
			t.Errorf("server url %q, want a relative URL", u)
		}
	}
	comp := obj(r["components"])
	schemes := obj(comp["securitySchemes"])
	if b := obj(schemes["bearer"]); b["type"] != "http" || b["scheme"] != "bearer" {
		t.Errorf("securitySchemes.bearer = %v, want HTTP bearer", b)
	}
	if c := obj(schemes["session"]); c["type"] != "apiKey" || c["in"] != "cookie" || c["name"] != "accord_session" {
		t.Errorf("securitySchemes.session = %v, want the accord_session cookie", c)
	}
	checkSecurity := func(at string, sec []any) {
		for _, req := range sec {
			for name := range obj(req) {
				if _, ok := schemes[name]; !ok {
					t.Errorf("%s: security scheme %q is not defined", at, name)
				}
			}
		}
	}
	checkSecurity("security", list(r["security"]))
	if len(list(r["security"])) == 0 {
		t.Errorf("no global security requirement: operations would be public by default")
	}

	// Every $ref resolves.
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if _, err := d.sc.resolve(ref); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for _, k := range sortedKeys(v) {
				walk(at+"/"+k, v[k])
			}
		case []any:
			for i, x := range v {
				walk(at+"/"+strconv.Itoa(i), x)
			}
		}
	}
	walk("#", r)

	// Schemas use only what the checker checks; objects are closed.
	lint := func(at string, s any) {
		for _, e := range d.sc.lint(s, at) {
			t.Error(e)
		}
		closedObjects(t, at, s)
	}
	schemas := obj(comp["schemas"])
	for _, name := range sortedKeys(schemas) {
		if name == "OpenAPIDocument" {
			continue // this document itself: open by nature
		}
		lint("#/components/schemas/"+name, schemas[name])
	}

	// Reusable responses: those for requests no operation matches (which
	// no operation lists) must exist, and every one is checked as an
	// operation's response would be.
	responses := obj(comp["responses"])
	for _, name := range []string{"NotFound", "MethodNotAllowed", "CrossOrigin"} {
		if responses[name] == nil {
			t.Errorf("no components/responses/%s", name)
		}
	}
	if h := obj(obj(obj(responses["MethodNotAllowed"])["headers"])["Allow"]); h["$ref"] != "#/components/headers/Allow" {
		t.Errorf("components/responses/MethodNotAllowed must document the Allow header")
	}
	lintResponse := func(at string, resp map[string]any) {
		if s, _ := resp["description"].(string); s == "" {
			t.Errorf("%s: no description", at)
		}
		for name, h := range obj(resp["headers"]) {
			if h := d.deref(t, h); h["schema"] == nil {
				t.Errorf("%s: header %s has no schema", at, name)
			} else {
				lint(at+" header "+name, h["schema"])
			}
		}
		for _, mt := range sortedKeys(obj(resp["content"])) {
			if s := obj(obj(resp["content"])[mt])["schema"]; s == nil {
				t.Errorf("%s %s: no schema", at, mt)
			} else {
				lint(at+" "+mt, s)
			}
		}
	}
	for _, name := range sortedKeys(responses) {
		lintResponse("#/components/responses/"+name, obj(responses[name]))
	}

	tags := map[string]bool{}
	for _, tag := range list(r["tags"]) {
		tags[fmt.Sprint(obj(tag)["name"])] = true
	}
	ids := map[string]string{}
	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	for _, key := range sortedKeys(d.ops) {
		op := d.ops[key]
		m := op.m
		id, _ := m["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", key)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s: operationId %q is also used by %s", key, id, other)
		}
		ids[id] = key
		for _, f := range []string{"summary", "description"} {
			if s, _ := m[f].(string); strings.TrimSpace(s) == "" {
				t.Errorf("%s: no %s", key, f)
			}
		}
		for _, tag := range list(m["tags"]) {
			if !tags[fmt.Sprint(tag)] {
				t.Errorf("%s: tag %v is not declared", key, tag)
			}
		}
		if sec, ok := m["security"]; ok {
			checkSecurity(key, list(sec))
		}

		// Parameters: path parameters exactly those of the template.
		var want, got []string
		for _, p := range pathParam.FindAllStringSubmatch(op.path, -1) {
			want = append(want, p[1])
		}
		for i, p := range op.params {
			at := fmt.Sprintf("%s parameter %d", key, i)
			name, _ := p["name"].(string)
			in, _ := p["in"].(string)
			if name == "" || !slices.Contains([]string{"path", "query", "header", "cookie"}, in) {
				t.Errorf("%s: name %q in %q", at, name, in)
			}
			if in == "path" {
				got = append(got, name)
				if p["required"] != true {
					t.Errorf("%s: path parameter %s must be required", at, name)
				}
			}
			if s, _ := p["description"].(string); s == "" {
				t.Errorf("%s (%s): no description", at, name)
			}
			if p["schema"] == nil {
				t.Errorf("%s (%s): no schema", at, name)
			} else {
				lint(at+" ("+name+")", p["schema"])
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: path parameters %v, want %v", key, got, want)
		}
		for _, raw := range list(m["parameters"]) {
			if p := d.deref(t, raw); p["name"] == "Accord-Purpose" {
				ref, _ := obj(raw)["$ref"].(string)
				if !strings.HasPrefix(ref, "#/components/parameters/AccordPurpose") {
					t.Errorf("%s: Accord-Purpose must be the reusable parameter, not %v", key, raw)
				}
			}
		}

		// Request body: JSON only, a closed *Input object.
		if rb, ok := m["requestBody"]; ok {
			body := d.deref(t, rb)
			if body["required"] != true {
				t.Errorf("%s: requestBody must be required (an empty body is 400)", key)
			}
			content := obj(body["content"])
			if len(content) != 1 || content["application/json"] == nil {
				t.Errorf("%s: requestBody content %v, want application/json only", key, sortedKeys(content))
			}
			schema := obj(obj(content["application/json"])["schema"])
			ref, _ := schema["$ref"].(string)
			if !strings.HasPrefix(ref, "#/components/schemas/") || !strings.HasSuffix(ref, "Input") {
				t.Errorf("%s: request schema %v, want a $ref to a components schema named *Input", key, schema)
			} else if target := d.deref(t, schema); target["type"] != "object" || target["additionalProperties"] != false {
				t.Errorf("%s: %s must be an object with additionalProperties false (the server refuses unknown fields)", key, ref)
			}
		}

		// Responses: every status described, errors in the error shape.
		resps := obj(m["responses"])
		success := false
		for _, status := range sortedKeys(resps) {
			at := key + " " + status
			if !statusKey.MatchString(status) {
				t.Errorf("%s: status must be a code or 5XX (no default)", at)
				continue
			}
			success = success || status[0] == '2'
			resp := d.deref(t, resps[status])
			lintResponse(at, resp)
			content := obj(resp["content"])
			if status == "204" && len(content) > 0 {
				t.Errorf("%s: a 204 has no content", at)
			}
			for _, mt := range sortedKeys(content) {
				s := obj(content[mt])["schema"]
				if s == nil {
					continue
				}
				if status[0] >= '4' {
					if ref, _ := obj(s)["$ref"].(string); mt != "application/json" || ref != "#/components/schemas/Error" {
						t.Errorf("%s: an error response must be application/json with the Error schema", at)
					}
				}
			}
		}
		if !success {
			t.Errorf("%s: no 2xx response", key)
		}
	}
}

var statusKey = regexp.MustCompile(`^([1-5][0-9][0-9]|5XX)$`)

// closedObjects reports inline object schemas with properties but without
// additionalProperties false: on the wire every object is closed (the
// server refuses unknown request fields, and a response field the document
// does not declare must fail the conformance test).
func closedObjects(t *testing.T, at string, s any) {
	m := obj(s)
	if m == nil {
		return
	}
	if _, ok := m["properties"]; ok && m["additionalProperties"] != false {
		t.Errorf("%s: an object schema must set additionalProperties false", at)
	}
	for k, p := range obj(m["properties"]) {
		closedObjects(t, at+".properties."+k, p)
	}
	if items, ok := m["items"]; ok {
		closedObjects(t, at+".items", items)
	}
	for _, k := range []string{"oneOf", "anyOf", "allOf"} {
		for i, sub := range list(m[k]) {
			closedObjects(t, fmt.Sprintf("%s.%s[%d]", at, k, i), sub)
		}
	}
}

// TestOpenAPIVocabulary checks the document's enums are the Go vocabulary,
// in the same order, and that the codes clients switch on are each
// described.
func TestOpenAPIVocabulary(t *testing.T) {
	d := loadOpenAPI(t)
	schemas := obj(obj(d.root["components"])["schemas"])
	tests := []struct {
		schema    string
		want      []string
		described bool // each value is explained in the description
	}{
		{"Sector", strs(accord.Sectors), false},
		{"Role", strs(accord.Roles), false},
		{"Category", strs(accord.Categories), false},
		{"Purpose", strs(accord.Purposes), true},
		{"Sensitivity", strs(accord.Sensitivities), false},
		{"Confidentiality", goConsts(t, "vocab.go", "Confidentiality"), false},
		{"Reason", goConsts(t, "decision.go", "Reason"), true},
		{"Effect", []string{accord.Permit.String(), accord.Deny.String()}, false},
		{"Obligation", accord.Obligations(1<<8 - 1).List(), false},
		{"ErrorCode", accord.Codes, true},
		{"AgreementStatus", goConsts(t, "agreement.go", "AgreementStatus"), false},
		{"ConsentStatus", goConsts(t, "consent.go", "ConsentStatus"), false},
		{"ConsentMethod", strs(accord.ConsentMethods), false},
		{"ProvisionType", goConsts(t, "consent.go", "ProvisionType"), false},
		{"LegalBasisKind", strs(accord.LegalBasisKinds), false},
		{"ReviewStatus", goConsts(t, "legalbasis.go", "ReviewStatus"), false},
		{"AuditKind", goConsts(t, "audit.go", "AuditKind"), false},
		{"Gender", strs(accord.Genders), false},
		{"Disability", strs(accord.Disabilities), false},
		{"ErasureReason", strs(accord.ErasureReasons), true},
		{"CaseStatus", goConsts(t, "casework.go", "CaseStatus"), false},
		{"GoalStatus", goConsts(t, "casework.go", "GoalStatus"), false},
		{"TaskStatus", goConsts(t, "casework.go", "TaskStatus"), false},
		{"HealthOutcome", accord.HealthOutcomes, false},
		{"LegalOutcome", accord.LegalOutcomes, false},
		{"ReferralStatus", goConsts(t, "referral.go", "ReferralStatus"), true},
		{"Urgency", strs(accord.Urgencies), false},
		{"EscalationKind", strs(accord.EscalationKinds), false},
		{"EscalationStatus", goConsts(t, "escalation.go", "EscalationStatus"), false},
		{"NeedCode", strs(screening.Needs), false},
		{"NeedUrgency", strs(screening.Urgencies), false},
		{"QuestionnaireItemType", strs(screening.ItemTypes), false},
		{"QuestionnaireResponseStatus", []string{screening.StatusCompleted, screening.StatusInProgress}, false},
		{"MatchField", goConsts(t, "match/match.go", "Field"), false},
		{"MatchKind", goConsts(t, "match/match.go", "Kind"), false},
		{"BreachSubject", strs(accord.BreachSubjects), false},
		{"BreachStatus", goConsts(t, "breach.go", "BreachStatus"), false},
	}
	for _, tt := range tests {
		s := obj(schemas[tt.schema])
		var got []string
		for _, v := range list(s["enum"]) {
			got = append(got, fmt.Sprint(v))
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s enum (-Go +openapi.json):\n%s", tt.schema, diff)
		}
		desc, _ := s["description"].(string)
		for _, v := range tt.want {
			if tt.described && !strings.Contains(desc, "`"+v+"`") {
				t.Errorf("%s: %s is not described", tt.schema, v)
			}
		}
	}
	params := obj(obj(d.root["components"])["parameters"])
	p := obj(params["AccordPurpose"])
	if p["name"] != "Accord-Purpose" || p["in"] != "header" || p["required"] != true ||
		obj(p["schema"])["$ref"] != "#/components/schemas/Purpose" {
		t.Errorf("parameters.AccordPurpose = %v, want the required Accord-Purpose header with the Purpose schema", p)
	}
	detail := obj(obj(schemas["ErrorDetail"])["properties"])
	if obj(detail["code"])["$ref"] != "#/components/schemas/ErrorCode" {
		t.Errorf("ErrorDetail.code must be an ErrorCode")
	}
}

func strs[S ~string](xs []S) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// goConsts returns the values of the string constants of type typ declared
// in file (relative to the module root: "referral.go", "match/match.go"),
// in order: for the vocabularies that have no list of their own.
func goConsts(t *testing.T, file, typ string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", file), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != typ {
				continue
			}
			for _, v := range vs.Values {
				if s, ok := stringLit(v); ok {
					out = append(out, s)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no constants of type %s in %s", typ, file)
	}
	return out
}

// TestOpenAPIWireTypes checks that the schemas of Go types encoded or
// decoded by the API declare exactly the types' JSON fields, and (for
// responses) require exactly the fields that are never omitted.
func TestOpenAPIWireTypes(t *testing.T) {
	d := loadOpenAPI(t)
	schemas := obj(obj(d.root["components"])["schemas"])
	types := map[string]any{
		"Organization":      accord.Organization{},
		"Staff":             accord.Staff{},
		"Client":            accord.Client{},
		"Identifier":        accord.Identifier{},
		"Record":            accord.Record{},
		"Signatory":         accord.Signatory{},
		"Consent":           accord.Consent{},
		"Provision":         accord.Provision{},
		"Guardian":          accord.Guardian{},
		"LegalBasis":        accord.LegalBasis{},
		"ConsentReceipt":    enforce.Receipt{},
		"ReceiptController": enforce.ReceiptController{},
		"ReceiptService":    enforce.ReceiptService{},
		"ReceiptPurpose":    enforce.ReceiptPurpose{},

		"Case":                      accord.Case{},
		"Participant":               accord.Participant{},
		"Goal":                      accord.Goal{},
		"Outcome":                   accord.Outcome{},
		"CaseEvent":                 accord.CaseEvent{},
		"Task":                      accord.Task{},
		"Conference":                accord.Conference{},
		"Referral":                  accord.Referral{},
		"Escalation":                accord.Escalation{},
		"FieldMatch":                match.FieldMatch{},
		"Screening":                 sqlstore.Screening{},
		"ScreenedNeed":              sqlstore.ScreenedNeed{},
		"Notification":              sqlstore.Notification{},
		"Questionnaire":             screening.Questionnaire{},
		"QuestionnaireItem":         screening.Item{},
		"QuestionnaireAnswerOption": screening.AnswerOption{},
		"QuestionnaireOptionCoding": screening.Option{},
		"QuestionnaireCondition":    screening.Condition{},
		"QuestionnaireRule":         screening.Rule{},
		"QuestionnaireOption":       screening.OptionView{},
		"QuestionnaireResponse":     screening.Response{},
		"QuestionnaireResponseItem": screening.ResponseItem{},
		"Answer":                    screening.Answer{},
		"Coding":                    screening.Coding{},
		"NeedUrgencyChange":         screening.UrgencyChange{},

		"Breach":         accord.Breach{},
		"BreachImpact":   accord.BreachImpact{},
		"AffectedClient": accord.AffectedClient{},
		"CategoryCount":  accord.CategoryCount{},
		"BreachEvent":    accord.BreachEvent{},
		"BreachNotice":   enforce.BreachNotice{},
	}
	for name, v := range accordhttp.WireTypes {
		types[name] = v
	}
	for _, name := range sortedKeys(types) {
		s := obj(schemas[name])
		if s == nil {
			t.Errorf("no schema %s", name)
			continue
		}
		fields := jsonFields(reflect.TypeOf(types[name]))
		var names, always []string
		for _, f := range fields {
			names = append(names, f.name)
			if !f.omitempty {
				always = append(always, f.name)
			}
		}
		slices.Sort(names)
		if diff := cmp.Diff(names, sortedKeys(obj(s["properties"]))); diff != "" {
			t.Errorf("%s properties (-Go %T +openapi.json):\n%s", name, types[name], diff)
		}
		if strings.HasSuffix(name, "Input") {
			continue // what is required is the validators' business
		}
		var required []string
		for _, r := range list(s["required"]) {
			required = append(required, fmt.Sprint(r))
		}
		slices.Sort(required)
		slices.Sort(always)
		if diff := cmp.Diff(always, required); diff != "" {
			t.Errorf("%s required (-never omitted in Go +openapi.json):\n%s", name, diff)
		}
	}
}

type jsonField struct {
	name      string
	omitempty bool
}

// jsonFields returns the fields encoding/json writes for struct type t,
// embedded structs flattened, the shallower field winning a name.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	seen := map[string]bool{}
	type level struct {
		t     reflect.Type
		depth int
	}
	queue := []level{{t, 0}}
	for len(queue) > 0 {
		l := queue[0]
		queue = queue[1:]
		var next []level
		for i := range l.t.NumField() {
			f := l.t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				next = append(next, level{f.Type, l.depth + 1})
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, jsonField{name, strings.Contains(","+opts+",", ",omitempty,")})
			}
		}
		queue = append(queue, next...)
	}
	return out
}

// mediaType returns the media type of a Content-Type header.
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return mt
}

// TestOpenAPIRequestBodies checks that an operation documents a request
// body exactly when its handler decodes one, and that the body's schema
// declares exactly the JSON fields of what the handler decodes. (Most
// handlers decode an anonymous struct, which TestOpenAPIWireTypes cannot
// reach: the fields are read from the source instead.)
func TestOpenAPIRequestBodies(t *testing.T) {
	d := loadOpenAPI(t)
	handlers := routeHandlers(t)
	decoded := decodedFields(t)
	for _, key := range sortedKeys(d.ops) {
		op := d.ops[key]
		rh, ok := handlers[key]
		if !ok {
			continue // not in the route table: TestOpenAPIRoutes says so
		}
		fields, decodes := decoded[rh.name]
		rb, documented := op.m["requestBody"]
		switch {
		case decodes && !documented:
			t.Errorf("%s: handler %s decodes a body %v, but the operation documents none", key, rh.name, fields)
		case !decodes && documented:
			t.Errorf("%s: documents a request body, but handler %s decodes none", key, rh.name)
		case decodes:
			schema := d.deref(t, obj(obj(d.deref(t, rb)["content"])["application/json"])["schema"])
			if diff := cmp.Diff(fields, sortedKeys(obj(schema["properties"]))); diff != "" {
				t.Errorf("%s: request body properties (-%s decodes +openapi.json):\n%s", key, rh.name, diff)
			}
		}
	}
}

// decodedFields returns, for each method of the package (non-test files)
// that calls decodeBody(r, &v), the JSON field names of v's type, sorted:
// v declared in the method as "var v struct{…}" or "var v namedStruct".
func decodedFields(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var parsed []*ast.File
	structs := map[string]*ast.StructType{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if st, ok := ts.Type.(*ast.StructType); ok {
					structs[ts.Name.Name] = st
				}
			}
			return true
		})
	}
	out := map[string][]string{}
	for _, f := range parsed {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Body == nil {
				continue
			}
			vars := map[string]ast.Expr{} // local var -> its declared type
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ValueSpec:
					for _, id := range n.Names {
						if n.Type != nil {
							vars[id.Name] = n.Type
						}
					}
				case *ast.CallExpr:
					fn, ok := n.Fun.(*ast.Ident)
					if !ok || fn.Name != "decodeBody" || len(n.Args) != 2 {
						return true
					}
					u, ok := n.Args[1].(*ast.UnaryExpr)
					if !ok || u.Op != token.AND {
						t.Fatalf("%s: decodeBody's second argument is not &variable", fd.Name.Name)
					}
					id, ok := u.X.(*ast.Ident)
					if !ok {
						t.Fatalf("%s: decodeBody's second argument is not &variable", fd.Name.Name)
					}
					var st *ast.StructType
					switch typ := vars[id.Name].(type) {
					case *ast.StructType:
						st = typ
					case *ast.Ident:
						st = structs[typ.Name]
					}
					if st == nil {
						t.Fatalf("%s: cannot find the struct type of %s, which it decodes", fd.Name.Name, id.Name)
					}
					out[fd.Name.Name] = structFields(t, st)
				}
				return true
			})
		}
	}
	return out
}

// structFields returns the JSON names of a struct type's fields, sorted.
func structFields(t *testing.T, st *ast.StructType) []string {
	var names []string
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			t.Fatalf("an embedded field in a decoded struct: not supported here")
		}
		tag := ""
		if f.Tag != nil {
			s, err := strconv.Unquote(f.Tag.Value)
			if err != nil {
				t.Fatal(err)
			}
			tag = reflect.StructTag(s).Get("json")
		}
		name, _, _ := strings.Cut(tag, ",")
		for _, id := range f.Names {
			switch {
			case name == "-" || !id.IsExported():
			case name != "":
				names = append(names, name)
			default:
				names = append(names, id.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}
