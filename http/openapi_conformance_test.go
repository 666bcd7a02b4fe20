package http_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	accordhttp "github.com/accord-project/accord/http"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// apiCall is one request of the conformance test and the answer it must get.
type apiCall struct {
	op      string // the operation, "METHOD /path/{template}"
	note    string // tells calls of one operation and status apart
	path    string // the concrete path and query; $vars are expanded
	user    string // demo username whose API token to send
	bearer  string // or this bearer secret ($vars expanded)
	purpose accord.Purpose
	body    string // JSON; $vars are expanded
	header  map[string]string
	want    int
	code    string // the error code, for an error
	// docRejects says the document alone predicts the server's refusal
	// (a missing required parameter, a value outside its schema, an
	// unknown field): the request must fail the documented request
	// schema. Without it, a 2xx request must pass it.
	docRejects bool
	before     func(t *testing.T)            // runs first
	save       map[string]string             // var name -> field of the JSON response ("id", "client.id")
	saveETag   string                        // var name for the response's ETag header, for a later If-Match
	check      func(t *testing.T, r *answer) // further checks
	// invalidWithDecision marks an invalid (400) answer that carries the
	// decision refusing an organisation named in the body (a case
	// participant, an escalation's responsible organisation): the one
	// exception to "an error carries a decision exactly when it is denied".
	invalidWithDecision bool
}

// answer is a response as the test sees it.
type answer struct {
	*testserver.Response
	json any               // the decoded JSON body, if any
	vars map[string]string // the harness's vars, for checks
}

// field returns a dotted field of the JSON body ("error.code"), or nil.
func (a *answer) field(path string) any {
	var v any = a.json
	for _, k := range strings.Split(path, ".") {
		v = obj(v)[k]
	}
	return v
}

// TestOpenAPIConformance starts a real server on the demo partnership and
// calls every documented operation — successes and the errors each
// documents — checking every answer against openapi.json: the status must
// be documented for the operation, the body must match the documented
// schema for its media type (undeclared fields fail), documented required
// headers must be present, and error codes must map to their status. Each
// request is also checked against the documented parameters and request
// schema, so the document neither refuses what the server accepts nor
// accepts what the server refuses for reasons a schema can express. At the
// end, every documented status of every operation must have been seen.
// Requests no operation matches (an unknown path, a method a path does not
// take) are checked against the reusable responses that document them.
func TestOpenAPIConformance(t *testing.T) {
	d := loadOpenAPI(t)
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := testserver.Start(t, e.DSN(t))
			h := &harness{d: d, srv: srv, vars: demoVars(t, srv), seen: map[string]map[string]bool{}}
			calls := append(conformanceCalls(srv), caseworkCalls(srv)...)
			calls = append(calls, breachCalls(srv)...)
			calls = append(calls, witnessCalls(srv, h.vars)...)
			calls = append(calls, oversightCalls(srv)...)
			calls = append(calls, anomalyCalls(srv)...)
			calls = append(calls, retentionCalls(srv)...)
			for _, c := range calls {
				h.run(t, c)
			}
			// The errors any request can meet, derived from the document
			// and each operation's first successful call.
			for _, c := range h.derivedCalls(t, calls) {
				h.run(t, c)
			}
			for _, c := range unmatchedCalls() {
				h.runUnmatched(t, c)
			}
			for _, c := range finalCalls(srv) {
				h.run(t, c)
			}
			h.checkCoverage(t)
		})
	}
}

type harness struct {
	d    *openAPI
	srv  *testserver.Server
	vars map[string]string
	seen map[string]map[string]bool // op -> statuses answered
}

// demoVars names the demo partnership's objects the calls refer to.
func demoVars(t *testing.T, srv *testserver.Server) map[string]string {
	v := map[string]string{}
	for _, o := range srv.P.Organizations {
		switch o.Sector {
		case accord.SectorHealth:
			v["clinic"] = o.ID
		case accord.SectorLegal:
			v["legalAid"] = o.ID
		case accord.SectorSocial:
			v["social"] = o.ID
		case accord.SectorCivilSociety:
			v["ngo"] = o.ID
		case accord.SectorLawEnforcement:
			v["police"] = o.ID
		case accord.SectorImmigrationAuthority:
			v["immigration"] = o.ID
		}
	}
	for _, s := range srv.P.Staff {
		v["id:"+s.Username] = s.ID
		v["pw:"+s.Username] = s.Password
	}
	for _, sc := range srv.P.Scenarios {
		switch sc.ID {
		case "clinician-reads-clinical-summary":
			v["x"] = sc.ClientID
		case "court-order-permits":
			// A High Court order lets the immigration agency see this
			// client's immigration status, held by legal aid, for HLEGAL.
			v["courtOrder"] = sc.ClientID
		}
	}
	for _, c := range srv.P.Clients {
		if c.ID == v["x"] {
			v["xName"] = c.GivenName
		}
	}
	for _, a := range srv.P.Agreements {
		if strings.HasPrefix(a.Title, "Medical-Legal Partnership") {
			v["mlp"] = a.ID
		}
	}
	for _, k := range []string{"clinic", "legalAid", "social", "ngo", "police", "immigration", "x", "xName", "courtOrder", "mlp"} {
		if v[k] == "" {
			t.Fatalf("the demo partnership has no %s", k)
		}
	}
	// Well-formed ids of nothing.
	for _, p := range []string{accord.PrefixOrganization, accord.PrefixStaff, accord.PrefixClient, accord.PrefixAgreement, accord.PrefixConsent,
		accord.PrefixCase, accord.PrefixTask, accord.PrefixReferral, accord.PrefixEscalation, accord.PrefixService, accord.PrefixGoal} {
		v["no:"+p] = p + "_" + strings.Repeat("a", 26)
	}
	return v
}

// expand replaces $name and ${name} with the harness's vars.
func (h *harness) expand(t *testing.T, s string) string {
	return os.Expand(s, func(k string) string {
		v, ok := h.vars[k]
		if !ok {
			t.Fatalf("no value for $%s (did an earlier call fail?)", k)
		}
		return v
	})
}

func (h *harness) run(t *testing.T, c apiCall) {
	name := c.op + " " + strconv.Itoa(c.want)
	if c.note != "" {
		name += " " + c.note
	}
	t.Run(name, func(t *testing.T) {
		op := h.d.ops[c.op]
		if op == nil {
			t.Fatalf("openapi.json has no operation %s", c.op)
		}
		if c.before != nil {
			c.before(t)
		}
		req := testserver.Request{User: c.user, Method: op.method, Path: h.expand(t, c.path), Purpose: c.purpose,
			Body: h.expand(t, c.body), Header: map[string]string{}}
		for k, v := range c.header {
			req.Header[k] = h.expand(t, v)
		}
		if c.bearer != "" {
			req.Header["Authorization"] = "Bearer " + h.expand(t, c.bearer)
		}

		problems := h.checkRequest(t, op, req)
		switch {
		case c.docRejects && len(problems) == 0:
			t.Errorf("the server should refuse this request for a reason the document can say, but the document accepts it: %s %s %.200s", req.Method, req.Path, req.Body)
		case !c.docRejects && c.want/100 == 2 && len(problems) > 0:
			t.Errorf("the document refuses a request the server accepts:\n\t%s", strings.Join(problems, "\n\t"))
		}

		resp := h.srv.Do(t, req)
		a := &answer{Response: resp, vars: h.vars}
		if mediaType(resp.Header.Get("Content-Type")) == "application/json" {
			if err := decodeJSON(resp.Body, &a.json); err != nil {
				t.Fatalf("the body is not JSON: %v\n%s", err, resp.Body)
			}
		}
		if resp.Status != c.want {
			t.Fatalf("status %d, want %d\n%s", resp.Status, c.want, resp.Body)
		}
		if h.seen[c.op] == nil {
			h.seen[c.op] = map[string]bool{}
		}
		h.seen[c.op][strconv.Itoa(resp.Status)] = true
		if problems := h.checkResponse(t, op, a); len(problems) > 0 {
			if len(problems) > 10 {
				problems = append(problems[:10], fmt.Sprintf("… and %d more", len(problems)-10))
			}
			t.Errorf("the answer does not match openapi.json:\n\t%s", strings.Join(problems, "\n\t"))
		}
		if c.want >= 400 {
			checkError(t, a, c.code, c.invalidWithDecision)
		}
		checkETag(t, a)
		if c.saveETag != "" {
			if a.Header.Get("ETag") == "" {
				t.Fatalf("no ETag in the response to save as $%s", c.saveETag)
			}
			h.vars[c.saveETag] = a.Header.Get("ETag")
		}
		for k, path := range c.save {
			v, ok := a.field(path).(string)
			if !ok || v == "" {
				t.Fatalf("no %s in the response to save as $%s", path, k)
			}
			h.vars[k] = v
		}
		if c.check != nil {
			c.check(t, a)
		}
	})
}

var integerText = regexp.MustCompile(`^-?[0-9]+$`)

// checkRequest returns how the request breaks the operation's documented
// parameters and request body, or nil.
func (h *harness) checkRequest(t *testing.T, op *operation, req testserver.Request) []string {
	var out []string
	u, err := url.Parse(req.Path)
	if err != nil {
		t.Fatal(err)
	}
	// Path parameters.
	tmpl, segs := strings.Split(op.path, "/"), strings.Split(u.Path, "/")
	if len(tmpl) != len(segs) {
		t.Fatalf("path %s does not fit %s", u.Path, op.path)
	}
	for i, s := range tmpl {
		if strings.HasPrefix(s, "{") {
			name := strings.Trim(s, "{}")
			if p := op.param("path", name); p == nil {
				t.Fatalf("path parameter %s is not documented", name)
			} else {
				out = append(out, prefix("path parameter "+name, h.d.sc.validate(p["schema"], segs[i]))...)
			}
		} else if s != segs[i] {
			t.Fatalf("path %s does not fit %s", u.Path, op.path)
		}
	}
	// Query parameters.
	q := u.Query()
	for _, name := range sortedKeys(q) {
		if op.param("query", name) == nil {
			out = append(out, "query parameter "+name+" is not documented")
		}
	}
	for _, p := range op.params {
		name := fmt.Sprint(p["name"])
		var values []string
		switch p["in"] {
		case "query":
			values = q[name]
		case "header":
			if name == "Accord-Purpose" {
				if req.Purpose != "" {
					values = []string{string(req.Purpose)}
				}
				break
			}
			for k, v := range req.Header {
				if strings.EqualFold(k, name) {
					values = []string{v}
				}
			}
		default:
			continue
		}
		if len(values) == 0 {
			if p["required"] == true {
				out = append(out, fmt.Sprintf("required %s parameter %s is missing", p["in"], name))
			}
			continue
		}
		schema := h.d.deref(t, p["schema"])
		var v any = values[0]
		switch schema["type"] {
		case "integer":
			if integerText.MatchString(values[0]) {
				v = jsonNumber(values[0])
			}
		case "array":
			var items []any
			for _, x := range values {
				for _, s := range strings.Split(x, ",") {
					items = append(items, s)
				}
			}
			v = items
		}
		out = append(out, prefix(fmt.Sprintf("%s parameter %s", p["in"], name), h.d.sc.validate(schema, v))...)
	}
	if req.Purpose != "" && op.param("header", "Accord-Purpose") == nil {
		out = append(out, "Accord-Purpose is not documented")
	}
	// Body.
	rb, hasBody := op.m["requestBody"]
	switch {
	case !hasBody && req.Body != "":
		out = append(out, "a body is not documented")
	case hasBody && req.Body == "":
		out = append(out, "the body is required")
	case hasBody:
		ct := req.Header["Content-Type"]
		if ct == "" {
			ct = "application/json"
		}
		media := obj(obj(h.d.deref(t, rb)["content"])[mediaType(ct)])
		if media == nil {
			out = append(out, "content type "+ct+" is not documented")
			break
		}
		var v any
		if err := decodeJSON([]byte(req.Body), &v); err != nil {
			out = append(out, "the body is not JSON: "+err.Error())
			break
		}
		out = append(out, prefix("body", h.d.sc.validate(media["schema"], v))...)
	}
	return out
}

// checkError checks an error answer: its code (want, when given) maps to
// its status, it echoes the request id, and it carries a decision exactly
// when it is denied — or, when invalidWithDecision, it is invalid and
// carries the decision that refused an organisation named in the body.
func checkError(t *testing.T, a *answer, want string, invalidWithDecision bool) {
	t.Helper()
	if got := a.field("error.code"); want != "" && got != want {
		t.Errorf("error code %v, want %s\n%s", got, want, a.Body)
	}
	if code, _ := a.field("error.code").(string); accordhttp.StatusOf[code] != a.Status {
		t.Errorf("error code %q is status %d, not %d", code, accordhttp.StatusOf[code], a.Status)
	}
	if id := a.field("error.request_id"); id != a.Header.Get("Accord-Request-Id") {
		t.Errorf("error.request_id %v, header Accord-Request-Id %q", id, a.Header.Get("Accord-Request-Id"))
	}
	code := a.field("error.code")
	if invalidWithDecision {
		if code != accord.EINVALID || a.field("error.decision") == nil {
			t.Errorf("want an invalid error with the refusing decision, got a %v error, decision %v", code, a.field("error.decision"))
		}
		return
	}
	if (code == accord.EDENIED) != (a.field("error.decision") != nil) {
		t.Errorf("a %v error must carry a decision exactly when it is denied", code)
	}
}

// checkETag checks that an answer's ETag, when it has one, is the quoted
// version of the object it carries (the object itself, or the client or
// referral of a view).
func checkETag(t *testing.T, a *answer) {
	t.Helper()
	tag := a.Header.Get("ETag")
	if tag == "" || a.Status >= 300 {
		return
	}
	for _, path := range []string{"version", "referral.version", "client.version"} {
		if v := a.field(path); v != nil {
			if want := fmt.Sprintf("%q", fmt.Sprint(v)); tag != want {
				t.Errorf("ETag %s, but the %s is %v", tag, path, v)
			}
			return
		}
	}
	t.Errorf("an ETag (%s) on an answer without a version", tag)
}

// checkResponse returns how the answer breaks the operation's documented
// responses, or nil.
func (h *harness) checkResponse(t *testing.T, op *operation, a *answer) []string {
	status := strconv.Itoa(a.Status)
	raw, ok := obj(op.m["responses"])[status]
	if !ok && a.Status >= 500 {
		raw, ok = obj(op.m["responses"])["5XX"]
	}
	if !ok {
		return []string{"status " + status + " is not documented for " + op.key}
	}
	return h.checkAnswer(t, h.d.deref(t, raw), a)
}

// checkAnswer returns how the answer breaks one documented response (a
// Response Object), or nil.
func (h *harness) checkAnswer(t *testing.T, resp map[string]any, a *answer) []string {
	var out []string
	for name, hdr := range obj(resp["headers"]) {
		hdr := h.d.deref(t, hdr)
		v := a.Header.Get(name)
		if v == "" {
			if hdr["required"] == true {
				out = append(out, "documented header "+name+" is missing")
			}
			continue
		}
		var x any = v
		if obj(hdr["schema"])["type"] == "integer" {
			x = jsonNumber(v)
		}
		out = append(out, prefix("header "+name, h.d.sc.validate(hdr["schema"], x))...)
	}
	content := obj(resp["content"])
	if len(content) == 0 {
		if len(a.Body) > 0 {
			out = append(out, "the response has a body but documents none")
		}
		return out
	}
	mt := mediaType(a.Header.Get("Content-Type"))
	media := obj(content[mt])
	if media == nil {
		return append(out, fmt.Sprintf("content type %q is not documented (have %v)", mt, sortedKeys(content)))
	}
	var v any = string(a.Body)
	if mt == "application/json" {
		v = a.json
	}
	return append(out, prefix("body", h.d.sc.validate(media["schema"], v))...)
}

func prefix(p string, errs []string) []string {
	for i := range errs {
		errs[i] = p + " " + errs[i]
	}
	return errs
}

// derivedCalls returns, for each operation, the errors any request can
// meet, built from the document and the operation's first successful call:
// no credentials (401), no Accord-Purpose (400), for a state-changing
// method a cross-origin browser request (403), and for a body the wrong
// media type (415), an unknown field (400) and too many bytes (413). A
// change to a versioned object keeps the base call's If-Match, so that
// these are answered and not 428.
func (h *harness) derivedCalls(t *testing.T, calls []apiCall) []apiCall {
	base := map[string]apiCall{}
	for _, c := range calls {
		if _, ok := base[c.op]; !ok && c.want/100 == 2 {
			base[c.op] = c
		}
	}
	var out []apiCall
	for _, key := range sortedKeys(h.d.ops) {
		op := h.d.ops[key]
		b, ok := base[key]
		if !ok {
			t.Errorf("%s: no successful call", key)
			continue
		}
		ifMatch := b.header["If-Match"]
		headers := func(kv ...string) map[string]string {
			m := map[string]string{}
			if ifMatch != "" {
				m["If-Match"] = ifMatch
			}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i]] = kv[i+1]
			}
			return m
		}
		b.note, b.before, b.save, b.saveETag, b.check, b.docRejects, b.invalidWithDecision = "", nil, nil, "", nil, false, false
		b.header = headers()
		if !op.public() {
			c := b
			c.user, c.bearer, c.want, c.code, c.note = "", "", 401, accord.EUNAUTHENTICATED, "no credentials"
			out = append(out, c)
		}
		if op.param("header", "Accord-Purpose") != nil {
			c := b
			c.purpose, c.want, c.code, c.note, c.docRejects = "", 400, accord.EINVALID, "no Accord-Purpose", true
			c.check = func(t *testing.T, a *answer) {
				if a.field("error.field") != "Accord-Purpose" || len(list(a.field("error.accepted"))) != len(accord.Purposes) {
					t.Errorf("want field Accord-Purpose and the accepted codes:\n%s", a.Body)
				}
			}
			out = append(out, c)
		}
		if op.method != "GET" {
			// What a browser sends with a request from another site: Go's
			// cross-origin protection refuses it before authentication.
			c := b
			c.header, c.want, c.code, c.note = headers("Sec-Fetch-Site", "cross-site"), 403, accord.EFORBIDDEN, "cross-origin"
			out = append(out, c)
		}
		if _, ok := op.m["requestBody"]; ok {
			c := b
			c.header, c.want, c.code, c.note, c.docRejects = headers("Content-Type", "text/plain"), 415, accord.EUNSUPPORTEDMEDIA, "text body", true
			out = append(out, c)
			c = b
			c.body, c.want, c.code, c.note, c.docRejects = `{"surplus": 1}`, 400, accord.EINVALID, "unknown field", true
			c.check = func(t *testing.T, a *answer) {
				if a.field("error.field") != "surplus" {
					t.Errorf("want field surplus:\n%s", a.Body)
				}
			}
			out = append(out, c)
			c = b
			c.body = `{"surplus": "` + strings.Repeat("a", accordhttp.MaxBody+1-len(`{"surplus": ""}`)) + `"}`
			c.want, c.code, c.note, c.docRejects = 413, accord.ETOOLARGE, "1 MiB and a byte", true
			out = append(out, c)
		}
	}
	return out
}

// checkCoverage fails for every documented status no call was answered
// with, but for those no test can reasonably provoke.
func (h *harness) checkCoverage(t *testing.T) {
	for _, key := range sortedKeys(h.d.ops) {
		op := h.d.ops[key]
		for _, status := range sortedKeys(obj(op.m["responses"])) {
			switch {
			case h.seen[key][status]:
			case status == "5XX":
				// Server faults: any 5xx fails the calls above.
			case status == "429" && !op.public() && key != "GET /api/v1/me":
				// The bearer rate limit is one code path for every
				// authenticated route; provoked on GET /api/v1/me.
			default:
				t.Errorf("%s: documented status %s was never answered", key, status)
			}
		}
		errs := 0
		for status := range h.seen[key] {
			if status[0] >= '4' {
				errs++
			}
		}
		if errs == 0 && len(obj(op.m["responses"])) > 1 {
			t.Errorf("%s: no error was provoked", key)
		}
	}
}

// jsonNumber makes a query or header value a JSON number for the checker.
func jsonNumber(s string) any {
	var v any
	if err := decodeJSON([]byte(s), &v); err != nil {
		return s
	}
	return v
}

// signCheckpoint signs a checkpoint of the audit log, as the server's
// checkpointer does on a timer.
func signCheckpoint(t *testing.T, srv *testserver.Server) {
	skey, _, err := auditlog.GenerateKey("accord.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.DB.SignCheckpoint(context.Background(), "accord.test/audit", signer); err != nil {
		t.Fatal(err)
	}
}

// unmatchedCall is a request no operation of the document matches, and
// the reusable response (components/responses) that documents its answer.
type unmatchedCall struct {
	method, path string
	want         int
	code         string
	response     string // the name under components/responses
	allow        string // the Allow header of a 405
}

// unmatchedCalls are requests for paths no operation has, and for paths
// that exist with a method they do not take.
func unmatchedCalls() []unmatchedCall {
	return []unmatchedCall{
		{method: "GET", path: "/api/v1/nothing", want: 404, code: accord.ENOTFOUND, response: "NotFound"},
		{method: "POST", path: "/api/v1/clients/cli_aaaaaaaaaaaaaaaaaaaaaaaaaa/notes", want: 404, code: accord.ENOTFOUND, response: "NotFound"},
		{method: "PUT", path: "/api/v1/clients", want: 405, code: accord.EMETHOD, response: "MethodNotAllowed", allow: "GET, POST"},
		{method: "DELETE", path: "/api/v1/clients/cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", want: 405, code: accord.EMETHOD, response: "MethodNotAllowed", allow: "GET"},
		{method: "PATCH", path: "/api/v1/policies/local", want: 405, code: accord.EMETHOD, response: "MethodNotAllowed", allow: "GET, PUT"},
	}
}

// runUnmatched makes an unmatched request, without credentials (the answer
// comes before authentication), and checks the answer against the reusable
// response that documents it.
func (h *harness) runUnmatched(t *testing.T, c unmatchedCall) {
	t.Run(fmt.Sprintf("%s %s %d", c.method, c.path, c.want), func(t *testing.T) {
		for _, op := range h.d.ops {
			if op.method == c.method && pathFits(op.path, c.path) {
				t.Fatalf("%s matches the documented operation %s", c.path, op.key)
			}
		}
		resp := h.srv.Do(t, testserver.Request{Method: c.method, Path: c.path})
		a := &answer{Response: resp}
		if err := decodeJSON(resp.Body, &a.json); err != nil {
			t.Fatalf("the body is not JSON: %v\n%s", err, resp.Body)
		}
		if resp.Status != c.want {
			t.Fatalf("status %d, want %d\n%s", resp.Status, c.want, resp.Body)
		}
		documented := h.d.deref(t, map[string]any{"$ref": "#/components/responses/" + c.response})
		if problems := h.checkAnswer(t, documented, a); len(problems) > 0 {
			t.Errorf("the answer does not match components/responses/%s:\n\t%s", c.response, strings.Join(problems, "\n\t"))
		}
		checkError(t, a, c.code, false)
		if got := resp.Header.Get("Allow"); got != c.allow {
			t.Errorf("Allow %q, want %q", got, c.allow)
		}
	})
}

// pathFits reports whether a concrete path fits a path template.
func pathFits(template, path string) bool {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if !strings.HasPrefix(ts[i], "{") && ts[i] != ps[i] {
			return false
		}
	}
	return true
}

// wantField checks an error names the input that was wrong.
func wantField(field string) func(t *testing.T, a *answer) {
	return func(t *testing.T, a *answer) {
		if got := a.field("error.field"); got != field {
			t.Errorf("error.field %v, want %s\n%s", got, field, a.Body)
		}
	}
}

// wantHolder checks a legal basis names the organisation (a $var) whose data
// it discloses.
func wantHolder(org string) func(t *testing.T, a *answer) {
	return func(t *testing.T, a *answer) {
		if got, want := a.field("holder_organization_id"), a.vars[strings.TrimPrefix(org, "$")]; got != want {
			t.Errorf("holder_organization_id %v, want %s (%s)", got, want, org)
		}
	}
}

// wantAccepted checks an error names the input that was wrong and lists
// exactly the values that would have been accepted.
func wantAccepted[S ~string](field string, accepted []S) func(t *testing.T, a *answer) {
	return func(t *testing.T, a *answer) {
		var got []string
		for _, v := range list(a.field("error.accepted")) {
			got = append(got, fmt.Sprint(v))
		}
		if a.field("error.field") != field || !slices.Equal(got, strs(accepted)) {
			t.Errorf("want field %s and accepted %v:\n%s", field, accepted, a.Body)
		}
	}
}

// outsiderRefusal checks a denied answer to someone who may not see the
// client: it was refused for reason, and neither the decision nor the
// message names an organisation holding the client's data, an agreement or
// a consent.
func outsiderRefusal(srv *testserver.Server, reason accord.Reason) func(t *testing.T, a *answer) {
	return func(t *testing.T, a *answer) {
		d := obj(a.field("error.decision"))
		if d["reason"] != string(reason) {
			t.Errorf("reason %v, want %s", d["reason"], reason)
		}
		if got := obj(d["request"])["holder_id"]; got != "" {
			t.Errorf("decision.request.holder_id %v, want empty for an outsider", got)
		}
		for _, k := range []string{"agreement_id", "agreement_version", "consent_id", "consent_provision", "policy_id"} {
			if v, ok := d[k]; ok {
				t.Errorf("decision.%s is %v: an outsider's refusal names none", k, v)
			}
		}
		for _, o := range srv.P.Organizations {
			for _, text := range []any{d["explanation"], a.field("error.message")} {
				if s, _ := text.(string); strings.Contains(s, o.Name) {
					t.Errorf("the refusal names %s: %q", o.Name, s)
				}
			}
		}
	}
}

// recordsAccounted checks a records answer: every record returned is of a
// group listed in shared, and withheld has that many items (any number
// when it is -1).
func recordsAccounted(withheld int) func(t *testing.T, a *answer) {
	return func(t *testing.T, a *answer) {
		shared := map[string]bool{}
		for _, s := range list(a.field("shared")) {
			shared[fmt.Sprint(obj(s)["holder_id"], " ", obj(s)["category"])] = true
		}
		records := list(a.field("records"))
		if len(records) == 0 {
			t.Errorf("no records")
		}
		for _, r := range records {
			if k := fmt.Sprint(obj(r)["organization_id"], " ", obj(r)["category"]); !shared[k] {
				t.Errorf("record %v (%s) is not accounted for in shared", obj(r)["id"], k)
			}
		}
		if got := len(list(a.field("withheld"))); withheld >= 0 && got != withheld {
			t.Errorf("%d withheld, want %d\n%s", got, withheld, a.Body)
		}
	}
}

// finalCalls are the calls that spoil the server for others: rate limits
// and a closed database.
func finalCalls(srv *testserver.Server) []apiCall {
	unknownToken := "acc_" + strings.Repeat("a", 32)
	return []apiCall{
		{op: "GET /api/v1/me", note: "failed bearer tokens", path: "/api/v1/me", bearer: unknownToken, want: 429, code: accord.ERATELIMITED,
			before: func(t *testing.T) {
				for range 40 {
					srv.Do(t, testserver.Request{Method: "GET", Path: "/api/v1/me", Header: map[string]string{"Authorization": "Bearer " + unknownToken}})
				}
			}},
		{op: "POST /api/v1/sessions", note: "sign-in attempts", path: "/api/v1/sessions", body: `{"username": "p.nowak", "password": "not-her-password"}`,
			want: 429, code: accord.ERATELIMITED,
			before: func(t *testing.T) {
				for range 10 {
					srv.Do(t, testserver.Request{Method: "POST", Path: "/api/v1/sessions", Body: `{"username": "p.nowak", "password": "not-her-password"}`})
				}
			}},
		{op: "GET /readyz", note: "database closed", path: "/readyz", want: 503, code: accord.EUNAVAILABLE,
			before: func(t *testing.T) { srv.DB.Close() }},
	}
}

// conformanceCalls are the calls, in order: later calls use what earlier
// ones created ($newClient …).
func conformanceCalls(srv *testserver.Server) []apiCall {
	const (
		treat, coc, legalAid, hlegal, etreat, patrqt, oversight = accord.PurposeTreatment, accord.PurposeCoordination, accord.PurposeLegalAid,
			accord.PurposeLegal, accord.PurposeEmergencyTreatment, accord.PurposePatientRequest, accord.PurposeOversight
		invalid, notFound, conflict, forbidden, denied, unauthenticated = accord.EINVALID, accord.ENOTFOUND, accord.ECONFLICT,
			accord.EFORBIDDEN, accord.EDENIED, accord.EUNAUTHENTICATED
	)
	agreement := `{"title": "Screening Referral Pilot", "parties": ["$clinic", "$legalAid"], "purposes": ["PUBHLTH"],
		"categories": ["screening"], "roles": ["navigator"], "retention_days": 365,
		"effective_from": "2026-11-01T00:00:00Z", "effective_until": "2027-11-01T00:00:00Z", "review_date": "2027-06-01T00:00:00Z"}`
	mlp := `{"title": "Medical-Legal Partnership Memorandum of Understanding", "parties": ["$clinic", "$legalAid"], "purposes": ["LEGALAID", "COC"],
		"categories": ["demographics", "contact", "clinical_summary", "screening"], "roles": ["legal_advocate", "supervisor"], "retention_days": 2555,
		"effective_from": "2027-01-01T00:00:00Z", "effective_until": "2029-01-01T00:00:00Z", "review_date": "2028-06-01T00:00:00Z",
		"prohibited_recipients": ["$police"]}`
	client := `{"given_name": "Nadia", "family_name": "Haddad", "birth_date": "1990-04", "gender": "woman",
		"preferred_language": "ar", "languages": ["ar", "fr"], "interpreter_needed": true, "disabilities": ["hearing"],
		"identifiers": [{"system": "clinic-mrn", "value": "MRN-0042"}],
		"phone": "+44 7700 900123", "email": "nadia.haddad@example.org", "address": "1 Test Street, RV1 1AA"}`
	consent := `{"provisions": [
			{"type": "permit", "organizations": ["$legalAid"], "purposes": ["LEGALAID"], "categories": ["demographics", "contact", "screening"]},
			{"type": "deny", "sectors": ["law_enforcement", "immigration_authority"]}],
		"method": "verbal_interpreter", "language": "ar", "interpreter_id": "${id:layla.interpreter}"}`
	explainX := `{"client_id": "$x", "category": "clinical_summary", "holder_id": "$clinic"}`
	revoke := `{"reason": "The client changed her mind."}`
	basis := `{"kind": "statutory_duty", "client_id": "$newClient", "categories": ["screening"], "recipient_organization_id": "$social",
		"reference": "Care Act 2014, s. 42", "reason": "Adult safeguarding enquiry.", "expires_at": "2027-01-31T00:00:00Z"}`
	policy := `{"policies": "@id(\"no-research-on-notes\")\nforbid (principal, action, resource)\nwhen { context.purpose == \"HRESCH\" && resource.category == \"clinical_note\" };\n"}`
	erase := `{"reason": "client_request"}`
	policeAdmin := `{"organization_id": "$police", "username": "q.admin", "display_name": "Quinn Admin", "roles": ["partnership_admin"],
		"password": "a-long-enough-password"}`

	return []apiCall{
		{op: "GET /healthz", path: "/healthz", want: 200},
		{op: "GET /readyz", path: "/readyz", want: 200},
		{op: "GET /api/v1/openapi.json", path: "/api/v1/openapi.json", want: 200, check: func(t *testing.T, a *answer) {
			if b, _ := os.ReadFile("openapi.json"); !bytes.Equal(bytes.TrimSpace(b), a.Body) {
				t.Errorf("the server does not serve openapi.json as it is")
			}
		}},

		// Sessions.
		{op: "POST /api/v1/sessions", path: "/api/v1/sessions", body: `{"username": "r.mensah", "password": "${pw:r.mensah}"}`, want: 201,
			save: map[string]string{"session": "token"}},
		{op: "POST /api/v1/sessions", note: "no password", path: "/api/v1/sessions", body: `{"username": "r.mensah"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/sessions", note: "wrong password", path: "/api/v1/sessions", body: `{"username": "r.mensah", "password": "not-the-password"}`, want: 401, code: unauthenticated},
		{op: "POST /api/v1/sessions", note: "deactivated", path: "/api/v1/sessions", body: `{"username": "k.yilmaz", "password": "${pw:k.yilmaz}"}`, want: 401, code: unauthenticated},
		{op: "GET /api/v1/me", note: "session", path: "/api/v1/me", bearer: "$session", want: 200},
		{op: "DELETE /api/v1/sessions/current", path: "/api/v1/sessions/current", bearer: "$session", want: 204},
		{op: "GET /api/v1/me", note: "signed out", path: "/api/v1/me", bearer: "$session", want: 401, code: unauthenticated},
		{op: "DELETE /api/v1/sessions/current", note: "API token", path: "/api/v1/sessions/current", user: "j.okafor", want: 409, code: conflict},
		{op: "GET /api/v1/me", note: "API token still valid", path: "/api/v1/me", user: "j.okafor", want: 200},

		// Organisations and staff.
		{op: "GET /api/v1/organizations", path: "/api/v1/organizations", user: "t.reid", want: 200},
		{op: "POST /api/v1/organizations", path: "/api/v1/organizations", user: "r.mensah", want: 201,
			body: `{"name": "Eastside Food Bank", "sector": "civil_society", "country": "GB"}`, save: map[string]string{"newOrg": "id"}},
		{op: "POST /api/v1/organizations", note: "unknown sector", path: "/api/v1/organizations", user: "r.mensah", body: `{"name": "Eastside Bakery", "sector": "bakery"}`,
			want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/organizations", note: "country not letters", path: "/api/v1/organizations", user: "r.mensah",
			body: `{"name": "Eastside Bakery", "sector": "civil_society", "country": "G1"}`, want: 400, code: invalid, docRejects: true, check: wantField("country")},
		{op: "POST /api/v1/organizations", path: "/api/v1/organizations", user: "f.rahimi", body: `{"name": "Eastside Food Bank", "sector": "civil_society"}`,
			want: 403, code: forbidden},
		{op: "GET /api/v1/organizations/{id}", path: "/api/v1/organizations/$newOrg", user: "f.rahimi", want: 200},
		{op: "GET /api/v1/organizations/{id}", path: "/api/v1/organizations/${no:org}", user: "f.rahimi", want: 404, code: notFound},
		{op: "GET /api/v1/staff", path: "/api/v1/staff", user: "j.okafor", want: 200},
		{op: "GET /api/v1/staff", note: "all", path: "/api/v1/staff?organization_id=all", user: "c.achebe", want: 200},
		{op: "GET /api/v1/staff", path: "/api/v1/staff?organization_id=$legalAid", user: "j.okafor", want: 403, code: forbidden},
		{op: "GET /api/v1/staff", note: "immigration authority", path: "/api/v1/staff?organization_id=$clinic", user: "n.price", want: 403, code: forbidden},
		{op: "POST /api/v1/staff", path: "/api/v1/staff", user: "r.mensah", want: 201, save: map[string]string{"newStaff": "id"},
			body: `{"organization_id": "$newOrg", "username": "e.volunteer", "display_name": "Eve Volunteer", "roles": ["navigator"], "languages": ["en", "pl"], "password": "a-long-enough-password"}`},
		{op: "POST /api/v1/staff", note: "username taken", path: "/api/v1/staff", user: "r.mensah", want: 409, code: conflict, check: wantField("username"),
			body: `{"organization_id": "$newOrg", "username": "e.volunteer", "display_name": "Eve Again", "roles": ["navigator"]}`},
		{op: "POST /api/v1/staff", note: "no roles", path: "/api/v1/staff", user: "r.mensah", want: 400, code: invalid, docRejects: true,
			body: `{"organization_id": "$newOrg", "username": "n.oroles", "display_name": "No Roles", "roles": []}`},
		{op: "POST /api/v1/staff", path: "/api/v1/staff", user: "p.nowak", want: 403, code: forbidden,
			body: `{"organization_id": "$clinic", "username": "p.nowak2", "display_name": "Another Me", "roles": ["partnership_admin"]}`},
		// A partnership administrator of the police takes no part in governance.
		{op: "POST /api/v1/staff", note: "a police partnership admin", path: "/api/v1/staff", user: "r.mensah", body: policeAdmin, want: 201},
		{op: "POST /api/v1/sessions", note: "police partnership admin", path: "/api/v1/sessions", body: `{"username": "q.admin", "password": "a-long-enough-password"}`,
			want: 201, save: map[string]string{"policeAdmin": "token"}},
		{op: "POST /api/v1/staff", note: "law enforcement", path: "/api/v1/staff", bearer: "$policeAdmin", want: 403, code: forbidden,
			body: `{"organization_id": "$police", "username": "q.other", "display_name": "Another Admin", "roles": ["partnership_admin"]}`},
		{op: "POST /api/v1/organizations", note: "law enforcement", path: "/api/v1/organizations", bearer: "$policeAdmin", want: 403, code: forbidden,
			body: `{"name": "Eastside Police Federation", "sector": "law_enforcement"}`},
		{op: "GET /api/v1/staff/{id}", path: "/api/v1/staff/$newStaff", user: "c.achebe", want: 200},
		{op: "GET /api/v1/staff/{id}", note: "another organisation's", path: "/api/v1/staff/${id:f.rahimi}", user: "j.okafor", want: 404, code: notFound},
		{op: "GET /api/v1/staff/{id}", note: "immigration authority", path: "/api/v1/staff/${id:j.okafor}", user: "n.price", want: 404, code: notFound},

		// Agreements.
		{op: "GET /api/v1/agreements", path: "/api/v1/agreements", user: "t.reid", want: 200},
		{op: "POST /api/v1/agreements", path: "/api/v1/agreements", user: "r.mensah", body: agreement, want: 201, save: map[string]string{"newAgr": "id"}},
		{op: "POST /api/v1/agreements", note: "one party", path: "/api/v1/agreements", user: "r.mensah", want: 400, code: invalid, docRejects: true,
			body: strings.Replace(agreement, `"$clinic", "$legalAid"`, `"$clinic"`, 1)},
		{op: "POST /api/v1/agreements", note: "unknown party", path: "/api/v1/agreements", user: "r.mensah", want: 400, code: invalid,
			body: strings.Replace(agreement, `"$legalAid"`, `"${no:org}"`, 1)},
		{op: "POST /api/v1/agreements", path: "/api/v1/agreements", user: "p.nowak", body: agreement, want: 403, code: forbidden},
		{op: "POST /api/v1/agreements", note: "law enforcement", path: "/api/v1/agreements", bearer: "$policeAdmin", body: agreement, want: 403, code: forbidden},
		{op: "GET /api/v1/agreements/{id}", path: "/api/v1/agreements/$newAgr", user: "f.rahimi", want: 200},
		{op: "GET /api/v1/agreements/{id}", path: "/api/v1/agreements/${no:agr}", user: "f.rahimi", want: 404, code: notFound},
		{op: "POST /api/v1/agreements/{id}/versions", path: "/api/v1/agreements/$mlp/versions", user: "r.mensah", body: mlp, want: 201},
		{op: "POST /api/v1/agreements/{id}/versions", note: "latest is a draft", path: "/api/v1/agreements/$newAgr/versions", user: "r.mensah", body: agreement, want: 409, code: conflict},
		{op: "POST /api/v1/agreements/{id}/versions", path: "/api/v1/agreements/${no:agr}/versions", user: "r.mensah", body: agreement, want: 404, code: notFound},
		{op: "POST /api/v1/agreements/{id}/versions", path: "/api/v1/agreements/$mlp/versions", user: "p.nowak", body: mlp, want: 403, code: forbidden},
		{op: "POST /api/v1/agreements/{id}/versions", note: "law enforcement", path: "/api/v1/agreements/$mlp/versions", bearer: "$policeAdmin", body: mlp,
			want: 403, code: forbidden},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/signatures", path: "/api/v1/agreements/$newAgr/versions/1/signatures", user: "r.mensah",
			body: `{"title": "Partnership administrator"}`, want: 200},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/signatures", note: "signed already", path: "/api/v1/agreements/$newAgr/versions/1/signatures", user: "r.mensah",
			body: `{}`, want: 409, code: conflict},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/signatures", note: "role", path: "/api/v1/agreements/$newAgr/versions/1/signatures", user: "f.rahimi",
			body: `{}`, want: 403, code: forbidden},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/signatures", note: "not a party", path: "/api/v1/agreements/$newAgr/versions/1/signatures", user: "i.larsen",
			body: `{}`, want: 403, code: forbidden},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/signatures", note: "immigration authority", path: "/api/v1/agreements/$newAgr/versions/1/signatures",
			user: "n.price", body: `{}`, want: 403, code: forbidden},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/signatures", note: "not a version", path: "/api/v1/agreements/$newAgr/versions/first/signatures", user: "k.patel",
			body: `{}`, want: 404, code: notFound},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/signatures", note: "title too long", path: "/api/v1/agreements/$newAgr/versions/1/signatures", user: "k.patel",
			body: `{"title": "` + strings.Repeat("x", 201) + `"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/status", note: "unsigned", path: "/api/v1/agreements/$newAgr/versions/1/status", user: "p.nowak",
			body: `{"status": "active"}`, want: 409, code: conflict},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/signatures", path: "/api/v1/agreements/$newAgr/versions/1/signatures", user: "k.patel",
			body: `{"title": "Data protection officer"}`, want: 200},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/status", note: "not a person's to set", path: "/api/v1/agreements/$newAgr/versions/1/status", user: "p.nowak",
			body: `{"status": "expired"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/status", note: "role", path: "/api/v1/agreements/$newAgr/versions/1/status", user: "f.rahimi",
			body: `{"status": "active"}`, want: 403, code: forbidden},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/status", note: "not a party", path: "/api/v1/agreements/$newAgr/versions/1/status", user: "i.larsen",
			body: `{"status": "active"}`, want: 403, code: forbidden},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/status", note: "immigration authority", path: "/api/v1/agreements/$newAgr/versions/1/status",
			user: "n.price", body: `{"status": "active"}`, want: 403, code: forbidden},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/status", path: "/api/v1/agreements/$newAgr/versions/7/status", user: "p.nowak",
			body: `{"status": "active"}`, want: 404, code: notFound},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/status", path: "/api/v1/agreements/$newAgr/versions/1/status", user: "p.nowak",
			body: `{"status": "active"}`, want: 200},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/status", note: "active already", path: "/api/v1/agreements/$newAgr/versions/1/status", user: "p.nowak",
			body: `{"status": "active"}`, want: 409, code: conflict},
		{op: "POST /api/v1/agreements/{id}/versions/{version}/status", note: "suspend without a reason", path: "/api/v1/agreements/$newAgr/versions/1/status", user: "p.nowak",
			body: `{"status": "suspended"}`, want: 400, code: invalid},

		// Clients and records.
		{op: "GET /api/v1/clients", path: "/api/v1/clients?q=$xName&limit=5", user: "j.okafor", purpose: treat, want: 200},
		{op: "GET /api/v1/clients", note: "limit 0", path: "/api/v1/clients?q=$xName&limit=0", user: "j.okafor", purpose: treat, want: 400, code: invalid, docRejects: true},
		{op: "GET /api/v1/clients", note: "no q", path: "/api/v1/clients", user: "j.okafor", purpose: treat, want: 400, code: invalid, docRejects: true},
		{op: "GET /api/v1/clients", path: "/api/v1/clients?q=$xName", user: "c.achebe", purpose: oversight, want: 403, code: forbidden},
		{op: "POST /api/v1/clients", path: "/api/v1/clients", user: "amina.navigator", purpose: coc, body: client, want: 201,
			save: map[string]string{"newClient": "id"}, check: func(t *testing.T, a *answer) {
				if loc, id := a.Header.Get("Location"), a.field("id"); loc != fmt.Sprint("/api/v1/clients/", id) {
					t.Errorf("Location %q for client %v", loc, id)
				}
			}},
		{op: "POST /api/v1/clients", note: "no given name", path: "/api/v1/clients", user: "amina.navigator", purpose: coc,
			body: `{"family_name": "Haddad", "preferred_language": "ar"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/clients", note: "not a language", path: "/api/v1/clients", user: "amina.navigator", purpose: coc,
			body: `{"given_name": "Nadia", "preferred_language": "not a tag!"}`, want: 400, code: invalid},
		{op: "POST /api/v1/clients", path: "/api/v1/clients", user: "p.nowak", purpose: patrqt, body: client, want: 403, code: forbidden},
		{op: "GET /api/v1/clients/{id}", path: "/api/v1/clients/$newClient", user: "amina.navigator", purpose: coc, want: 200},
		{op: "GET /api/v1/clients/{id}", note: "in Spanish", path: "/api/v1/clients/$x?lang=es", user: "f.rahimi", purpose: legalAid, want: 200},
		{op: "GET /api/v1/clients/{id}", note: "outsider", path: "/api/v1/clients/$x", user: "t.reid", purpose: hlegal, want: 403, code: denied,
			check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/clients/{id}", path: "/api/v1/clients/${no:cli}", user: "j.okafor", purpose: treat, want: 404, code: notFound},
		{op: "GET /api/v1/clients/{id}/records", path: "/api/v1/clients/$x/records?category=clinical_summary", user: "j.okafor", purpose: treat, want: 200,
			check: recordsAccounted(0)},
		{op: "GET /api/v1/clients/{id}/records", note: "several categories", path: "/api/v1/clients/$x/records?category=clinical_summary,legal_privileged_note&category=screening",
			user: "f.rahimi", purpose: legalAid, want: 200, check: recordsAccounted(-1)},
		{op: "GET /api/v1/clients/{id}/records", note: "insider, some withheld", path: "/api/v1/clients/$x/records", user: "j.okafor", purpose: treat, want: 200,
			check: func(t *testing.T, a *answer) {
				recordsAccounted(-1)(t, a)
				if len(list(a.field("withheld"))) == 0 {
					t.Errorf("nothing withheld from a clinician reading every category (legal aid's privileged note, say)\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/clients/{id}/records", note: "outsider under a court order", path: "/api/v1/clients/$courtOrder/records", user: "m.hughes", purpose: hlegal,
			want: 200, check: func(t *testing.T, a *answer) {
				recordsAccounted(0)(t, a)
				for _, s := range list(a.field("shared")) {
					if s := obj(s); s["reason"] != string(accord.ReasonCourtOrder) || s["legal_basis_id"] == nil {
						t.Errorf("shared %v, want only what the court order releases", s)
					}
				}
			}},
		{op: "GET /api/v1/clients/{id}/records", note: "outsider, nothing released", path: "/api/v1/clients/$x/records", user: "t.reid", purpose: hlegal,
			want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/clients/{id}/records", note: "outsider, firewall", path: "/api/v1/clients/$x/records?category=clinical_summary", user: "t.reid", purpose: hlegal,
			want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonFirewall)},
		{op: "GET /api/v1/clients/{id}/records", note: "outsider, court order for another purpose", path: "/api/v1/clients/$courtOrder/records?category=immigration_status",
			user: "m.hughes", purpose: coc, want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonFirewall)},
		{op: "GET /api/v1/clients/{id}/records", note: "unknown category", path: "/api/v1/clients/$x/records?category=diary", user: "j.okafor", purpose: treat,
			want: 400, code: invalid, docRejects: true},
		{op: "GET /api/v1/clients/{id}/records", path: "/api/v1/clients/${no:cli}/records", user: "j.okafor", purpose: treat, want: 404, code: notFound},
		{op: "POST /api/v1/clients/{id}/records", path: "/api/v1/clients/$newClient/records", user: "amina.navigator", purpose: coc, want: 201,
			body: `{"category": "screening", "confidentiality": "R", "sensitivity": ["SDV"], "content": "Screening: housing insecure.", "note": "Asked for a female interpreter."}`},
		{op: "POST /api/v1/clients/{id}/records", note: "a navigator's clinical note", path: "/api/v1/clients/$newClient/records", user: "amina.navigator", purpose: coc,
			body: `{"category": "clinical_note", "content": "Seems unwell."}`, want: 403, code: denied},
		{op: "POST /api/v1/clients/{id}/records", note: "no content", path: "/api/v1/clients/$newClient/records", user: "amina.navigator", purpose: coc,
			body: `{"category": "screening"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/clients/{id}/records", path: "/api/v1/clients/${no:cli}/records", user: "amina.navigator", purpose: coc,
			body: `{"category": "screening", "content": "x"}`, want: 404, code: notFound},

		// Consents.
		{op: "POST /api/v1/clients/{id}/consents", path: "/api/v1/clients/$newClient/consents", user: "amina.navigator", purpose: coc, body: consent, want: 201,
			save: map[string]string{"newConsent": "id"}},
		{op: "POST /api/v1/clients/{id}/consents", note: "no provisions", path: "/api/v1/clients/$newClient/consents", user: "amina.navigator", purpose: coc,
			body: `{"provisions": [], "method": "written", "language": "ar"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/clients/{id}/consents", note: "blanket permit", path: "/api/v1/clients/$newClient/consents", user: "amina.navigator", purpose: coc,
			body: `{"provisions": [{"type": "permit", "purposes": ["COC"], "categories": ["screening"]}], "method": "written", "language": "ar"}`, want: 400, code: invalid},
		{op: "POST /api/v1/clients/{id}/consents", note: "interpreter", path: "/api/v1/clients/$newClient/consents", user: "l.fernandez", purpose: coc, body: consent,
			want: 403, code: forbidden},
		{op: "POST /api/v1/clients/{id}/consents", note: "police", path: "/api/v1/clients/$x/consents", user: "t.reid", purpose: hlegal, body: consent, want: 403, code: denied,
			check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "POST /api/v1/clients/{id}/consents", path: "/api/v1/clients/${no:cli}/consents", user: "amina.navigator", purpose: coc, body: consent, want: 404, code: notFound},
		{op: "GET /api/v1/clients/{id}/consents", path: "/api/v1/clients/$newClient/consents", user: "amina.navigator", purpose: coc, want: 200},
		{op: "GET /api/v1/clients/{id}/consents", path: "/api/v1/clients/$x/consents", user: "t.reid", purpose: hlegal, want: 403, code: denied,
			check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/clients/{id}/consents", path: "/api/v1/clients/${no:cli}/consents", user: "j.okafor", purpose: treat, want: 404, code: notFound},
		{op: "GET /api/v1/consents/{id}/receipt", path: "/api/v1/consents/$newConsent/receipt", user: "amina.navigator", purpose: coc, want: 200},
		{op: "GET /api/v1/consents/{id}/receipt", note: "as JWS", path: "/api/v1/consents/$newConsent/receipt", user: "amina.navigator", purpose: coc, want: 200,
			header: map[string]string{"Accept": "application/jose"}},
		{op: "GET /api/v1/consents/{id}/receipt", path: "/api/v1/consents/$newConsent/receipt", user: "t.reid", purpose: hlegal, want: 403, code: denied,
			check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/consents/{id}/receipt", path: "/api/v1/consents/${no:cns}/receipt", user: "amina.navigator", purpose: coc, want: 404, code: notFound},
		{op: "POST /api/v1/consents/{id}/revoke", note: "another organisation", path: "/api/v1/consents/$newConsent/revoke", user: "t.reid", body: revoke, want: 403, code: forbidden},
		{op: "POST /api/v1/consents/{id}/revoke", note: "interpreter", path: "/api/v1/consents/$newConsent/revoke", user: "l.fernandez", body: revoke, want: 403, code: forbidden},
		{op: "POST /api/v1/consents/{id}/revoke", note: "reason too long", path: "/api/v1/consents/$newConsent/revoke", user: "amina.navigator",
			body: `{"reason": "` + strings.Repeat("x", 2001) + `"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/consents/{id}/revoke", path: "/api/v1/consents/${no:cns}/revoke", user: "amina.navigator", body: revoke, want: 404, code: notFound},
		{op: "POST /api/v1/consents/{id}/revoke", path: "/api/v1/consents/$newConsent/revoke", user: "amina.navigator", body: revoke, want: 200},
		{op: "POST /api/v1/consents/{id}/revoke", note: "revoked already", path: "/api/v1/consents/$newConsent/revoke", user: "amina.navigator", body: revoke, want: 409, code: conflict},

		// Legal bases.
		{op: "GET /api/v1/clients/{id}/legal-bases", path: "/api/v1/clients/$x/legal-bases", user: "j.okafor", purpose: treat, want: 200},
		{op: "GET /api/v1/clients/{id}/legal-bases", note: "auditor", path: "/api/v1/clients/$x/legal-bases", user: "c.achebe", purpose: oversight, want: 200},
		{op: "GET /api/v1/clients/{id}/legal-bases", note: "outsider", path: "/api/v1/clients/$x/legal-bases", user: "t.reid", purpose: hlegal, want: 403, code: denied,
			check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/clients/{id}/legal-bases", note: "privacy officer, not oversight", path: "/api/v1/clients/$courtOrder/legal-bases", user: "n.price",
			purpose: hlegal, want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/clients/{id}/legal-bases", path: "/api/v1/clients/${no:cli}/legal-bases", user: "j.okafor", purpose: treat, want: 404, code: notFound},
		{op: "POST /api/v1/clients/{id}/break-glass", path: "/api/v1/clients/$x/break-glass", user: "j.okafor", purpose: etreat, want: 201,
			body: `{"reason": "Unconscious on arrival; allergy history needed.", "minutes": 30}`},
		{op: "POST /api/v1/clients/{id}/break-glass", note: "for TREAT", path: "/api/v1/clients/$x/break-glass", user: "j.okafor", purpose: treat,
			body: `{"reason": "Routine."}`, want: 400, code: invalid, docRejects: true, check: wantAccepted("Accord-Purpose", []accord.Purpose{etreat})},
		{op: "POST /api/v1/clients/{id}/break-glass", note: "too long", path: "/api/v1/clients/$x/break-glass", user: "j.okafor", purpose: etreat,
			body: `{"reason": "Long surgery.", "minutes": 999}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/clients/{id}/break-glass", path: "/api/v1/clients/$x/break-glass", user: "amina.navigator", purpose: etreat,
			body: `{"reason": "Emergency."}`, want: 403, code: forbidden},
		{op: "POST /api/v1/clients/{id}/break-glass", path: "/api/v1/clients/${no:cli}/break-glass", user: "j.okafor", purpose: etreat,
			body: `{"reason": "Emergency."}`, want: 404, code: notFound},
		{op: "GET /api/v1/legal-bases", path: "/api/v1/legal-bases", user: "c.achebe", want: 200},
		{op: "GET /api/v1/legal-bases", path: "/api/v1/legal-bases", user: "j.okafor", want: 403, code: forbidden},
		{op: "GET /api/v1/legal-bases", note: "a member's privacy officer", path: "/api/v1/legal-bases", user: "p.nowak", want: 403, code: forbidden},
		{op: "GET /api/v1/legal-bases", note: "partnership admin", path: "/api/v1/legal-bases", user: "r.mensah", want: 403, code: forbidden},
		{op: "POST /api/v1/legal-bases", path: "/api/v1/legal-bases", user: "p.nowak", body: basis, want: 201, check: wantHolder("$clinic")},
		{op: "POST /api/v1/legal-bases", note: "oversight, for a holder", path: "/api/v1/legal-bases", user: "i.larsen", want: 201, check: wantHolder("$clinic"),
			body: strings.Replace(basis, `"categories"`, `"holder_organization_id": "$clinic", "categories"`, 1)},
		{op: "POST /api/v1/legal-bases", note: "oversight, no holder", path: "/api/v1/legal-bases", user: "i.larsen", body: basis, want: 400, code: invalid,
			check: wantField("holder_organization_id")},
		{op: "POST /api/v1/legal-bases", note: "another organisation's data", path: "/api/v1/legal-bases", user: "p.nowak", want: 400, code: invalid,
			body: strings.Replace(basis, `"categories"`, `"holder_organization_id": "$legalAid", "categories"`, 1), check: wantField("holder_organization_id")},
		{op: "POST /api/v1/legal-bases", note: "to the caller's organisation", path: "/api/v1/legal-bases", user: "p.nowak", want: 400, code: invalid,
			body: strings.Replace(basis, `"$social"`, `"$clinic"`, 1), check: wantField("recipient_organization_id")},
		{op: "POST /api/v1/legal-bases", note: "emergency", path: "/api/v1/legal-bases", user: "p.nowak", want: 400, code: invalid, docRejects: true,
			body: strings.Replace(basis, "statutory_duty", "emergency", 1)},
		{op: "POST /api/v1/legal-bases", note: "unknown client", path: "/api/v1/legal-bases", user: "p.nowak", want: 400, code: invalid,
			body: strings.Replace(basis, "$newClient", "${no:cli}", 1)},
		{op: "POST /api/v1/legal-bases", path: "/api/v1/legal-bases", user: "j.okafor", body: basis, want: 403, code: forbidden},
		{op: "POST /api/v1/legal-bases", note: "partnership admin", path: "/api/v1/legal-bases", user: "r.mensah", body: basis, want: 403, code: forbidden},
		{op: "POST /api/v1/legal-bases", note: "immigration authority", path: "/api/v1/legal-bases", user: "n.price", want: 403, code: forbidden,
			body: strings.Replace(basis, `"categories"`, `"holder_organization_id": "$immigration", "categories"`, 1)},

		// Access reports.
		{op: "GET /api/v1/clients/{id}/access-report", path: "/api/v1/clients/$x/access-report", user: "p.nowak", purpose: patrqt, want: 200},
		{op: "GET /api/v1/clients/{id}/access-report", note: "download in French", path: "/api/v1/clients/$x/access-report?download=1&lang=fr", user: "c.achebe",
			purpose: oversight, want: 200, check: func(t *testing.T, a *answer) {
				if a.Header.Get("Content-Disposition") == "" || a.field("language") != "fr" {
					t.Errorf("want a French attachment: Content-Disposition %q, language %v", a.Header.Get("Content-Disposition"), a.field("language"))
				}
			}},
		{op: "GET /api/v1/clients/{id}/access-report", path: "/api/v1/clients/$x/access-report", user: "j.okafor", purpose: treat, want: 403, code: forbidden},
		{op: "GET /api/v1/clients/{id}/access-report", note: "immigration authority", path: "/api/v1/clients/$courtOrder/access-report", user: "n.price", purpose: hlegal,
			want: 403, code: forbidden},
		{op: "GET /api/v1/clients/{id}/access-report", path: "/api/v1/clients/${no:cli}/access-report", user: "p.nowak", purpose: patrqt, want: 404, code: notFound},

		// Decisions and local policies.
		{op: "POST /api/v1/decisions/explain", path: "/api/v1/decisions/explain", user: "f.rahimi", purpose: legalAid, body: explainX, want: 200},
		{op: "POST /api/v1/decisions/explain", note: "about a clinician", path: "/api/v1/decisions/explain", user: "p.nowak", purpose: oversight, want: 200,
			body: `{"client_id": "$x", "category": "clinical_note", "purpose": "TREAT", "staff_id": "${id:j.okafor}"}`},
		{op: "POST /api/v1/decisions/explain", note: "about someone else", path: "/api/v1/decisions/explain", user: "j.okafor", purpose: treat, want: 403, code: forbidden,
			body: `{"client_id": "$x", "category": "clinical_summary", "staff_id": "${id:f.rahimi}"}`},
		{op: "POST /api/v1/decisions/explain", note: "immigration authority, about someone else", path: "/api/v1/decisions/explain", user: "n.price", purpose: hlegal,
			want: 403, code: forbidden, body: `{"client_id": "$courtOrder", "category": "immigration_status", "staff_id": "${id:m.hughes}"}`},
		{op: "POST /api/v1/decisions/explain", path: "/api/v1/decisions/explain", user: "f.rahimi", purpose: legalAid, want: 404, code: notFound,
			body: `{"client_id": "${no:cli}", "category": "clinical_summary"}`},
		{op: "POST /api/v1/decisions/explain", note: "unknown purpose", path: "/api/v1/decisions/explain", user: "f.rahimi", purpose: legalAid, want: 400, code: invalid,
			docRejects: true, body: `{"client_id": "$x", "category": "clinical_summary", "purpose": "CURIOSITY"}`,
			check: func(t *testing.T, a *answer) {
				if a.field("error.field") != "purpose" || len(list(a.field("error.accepted"))) == 0 {
					t.Errorf("want field purpose and the accepted codes:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/decisions/explain", note: "unknown holder", path: "/api/v1/decisions/explain", user: "f.rahimi", purpose: legalAid, want: 400, code: invalid,
			body: `{"client_id": "$x", "category": "clinical_summary", "holder_id": "${no:org}"}`},
		{op: "GET /api/v1/policies/local", path: "/api/v1/policies/local", user: "t.reid", want: 200},
		{op: "PUT /api/v1/policies/local", path: "/api/v1/policies/local", user: "p.nowak", body: policy, want: 200},
		{op: "PUT /api/v1/policies/local", note: "a permit", path: "/api/v1/policies/local", user: "p.nowak", want: 400, code: invalid,
			body: `{"policies": "permit (principal, action, resource);"}`},
		{op: "PUT /api/v1/policies/local", path: "/api/v1/policies/local", user: "f.rahimi", body: policy, want: 403, code: forbidden},
		{op: "PUT /api/v1/policies/local", note: "immigration authority", path: "/api/v1/policies/local", user: "n.price", body: policy, want: 403, code: forbidden},

		// Erasure.
		{op: "POST /api/v1/clients/{id}/erase", note: "no reason", path: "/api/v1/clients/$newClient/erase", user: "p.nowak", purpose: patrqt, body: `{}`,
			want: 400, code: invalid, docRejects: true, check: wantAccepted("reason", accord.ErasureReasons)},
		{op: "POST /api/v1/clients/{id}/erase", note: "free-text reason", path: "/api/v1/clients/$newClient/erase", user: "p.nowak", purpose: patrqt,
			body: `{"reason": "The client asked to be forgotten."}`, want: 400, code: invalid, docRejects: true, check: wantAccepted("reason", accord.ErasureReasons)},
		{op: "POST /api/v1/clients/{id}/erase", note: "navigator", path: "/api/v1/clients/$newClient/erase", user: "amina.navigator", purpose: patrqt, body: erase,
			want: 403, code: forbidden},
		{op: "POST /api/v1/clients/{id}/erase", note: "another organisation", path: "/api/v1/clients/$newClient/erase", user: "k.patel", purpose: patrqt, body: erase,
			want: 403, code: forbidden},
		{op: "POST /api/v1/clients/{id}/erase", note: "immigration authority", path: "/api/v1/clients/$newClient/erase", user: "n.price", purpose: hlegal, body: erase,
			want: 403, code: forbidden},
		{op: "POST /api/v1/clients/{id}/erase", path: "/api/v1/clients/${no:cli}/erase", user: "p.nowak", purpose: patrqt, body: erase, want: 404, code: notFound},
		{op: "POST /api/v1/clients/{id}/erase", path: "/api/v1/clients/$newClient/erase", user: "p.nowak", purpose: patrqt, body: erase, want: 204},
		{op: "GET /api/v1/clients/{id}", note: "erased", path: "/api/v1/clients/$newClient", user: "amina.navigator", purpose: coc, want: 404, code: notFound},

		// Audit log.
		{op: "GET /api/v1/audit/entries", path: "/api/v1/audit/entries?client_id=$x&limit=50", user: "c.achebe", want: 200},
		{op: "GET /api/v1/audit/entries", note: "everything", path: "/api/v1/audit/entries?after=-1&limit=1000&actor_id=${id:j.okafor}", user: "i.larsen", want: 200},
		{op: "GET /api/v1/audit/entries", path: "/api/v1/audit/entries?limit=0", user: "c.achebe", want: 400, code: invalid, docRejects: true},
		{op: "GET /api/v1/audit/entries", path: "/api/v1/audit/entries", user: "j.okafor", want: 403, code: forbidden},
		{op: "GET /api/v1/audit/entries", note: "partnership admin", path: "/api/v1/audit/entries", user: "r.mensah", want: 403, code: forbidden},
		{op: "GET /api/v1/audit/entries", note: "a member's privacy officer", path: "/api/v1/audit/entries?client_id=$x", user: "p.nowak", want: 403, code: forbidden},
		{op: "GET /api/v1/audit/checkpoint", note: "none signed", path: "/api/v1/audit/checkpoint", user: "j.okafor", want: 404, code: notFound},
		{op: "GET /api/v1/audit/checkpoint", path: "/api/v1/audit/checkpoint", user: "j.okafor", want: 200, before: func(t *testing.T) { signCheckpoint(t, srv) }},
		{op: "GET /api/v1/audit/checkpoints", path: "/api/v1/audit/checkpoints", user: "j.okafor", want: 200},
		{op: "GET /api/v1/audit/checkpoints", path: "/api/v1/audit/checkpoints?limit=5000", user: "j.okafor", want: 400, code: invalid, docRejects: true},
		{op: "GET /api/v1/audit/proofs/inclusion", path: "/api/v1/audit/proofs/inclusion?index=0&size=2", user: "j.okafor", want: 200,
			check: func(t *testing.T, a *answer) {
				if leaf := a.field("leaf"); leaf != nil {
					t.Errorf("the entry's leaf is shown to someone outside the oversight body")
				}
			}},
		{op: "GET /api/v1/audit/proofs/inclusion", note: "oversight", path: "/api/v1/audit/proofs/inclusion?index=0&size=2", user: "c.achebe", want: 200,
			check: func(t *testing.T, a *answer) {
				leaf, _ := a.field("leaf").(string)
				if leaf == "" || base64.StdEncoding.EncodeToString(auditlog.LeafHash([]byte(leaf))) != a.field("leaf_hash") {
					t.Errorf("want the leaf, hashing to leaf_hash\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/audit/proofs/inclusion", note: "no index", path: "/api/v1/audit/proofs/inclusion?size=2", user: "j.okafor", want: 400, code: invalid, docRejects: true},
		{op: "GET /api/v1/audit/proofs/inclusion", note: "index past size", path: "/api/v1/audit/proofs/inclusion?index=2&size=2", user: "j.okafor", want: 400, code: invalid},
		{op: "GET /api/v1/audit/proofs/consistency", path: "/api/v1/audit/proofs/consistency?old=1&new=2", user: "j.okafor", want: 200},
		{op: "GET /api/v1/audit/proofs/consistency", note: "no new", path: "/api/v1/audit/proofs/consistency?old=1", user: "j.okafor", want: 400, code: invalid, docRejects: true},
		{op: "GET /api/v1/audit/proofs/consistency", note: "old after new", path: "/api/v1/audit/proofs/consistency?old=3&new=2", user: "j.okafor", want: 400, code: invalid},
	}
}
