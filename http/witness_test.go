package http_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
	"github.com/accord-project/accord/sqlstore"
)

// cosignLatest signs a checkpoint with the server's key and returns it
// with a cosignature by key appended, changed by edit first if set.
func cosignLatest(t *testing.T, srv *testserver.Server, key *auditlog.WitnessKey, edit func(auditlog.Checkpoint) auditlog.Checkpoint) []byte {
	t.Helper()
	msg, err := srv.DB.SignCheckpoint(context.Background(), srv.Signer.Name(), srv.Signer)
	if err != nil {
		t.Fatal(err)
	}
	text, _, _ := bytes.Cut(msg, []byte("\n\n"))
	c, err := auditlog.ParseCheckpoint(append(text, '\n'))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		c = edit(c)
		msg = append(c.Marshal(), msg[len(text)+1:]...)
	}
	line, err := key.Cosign(c, srv.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return append(msg, line...)
}

func jsonString(s []byte) string {
	b, _ := json.Marshal(string(s))
	return string(b)
}

func newWitnessKey(t *testing.T, name string) (*auditlog.WitnessKey, string) {
	t.Helper()
	skey, vkey, err := auditlog.GenerateWitnessKey(name)
	if err != nil {
		t.Fatal(err)
	}
	k, err := auditlog.ParseWitnessKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	return k, vkey
}

// witnessCalls are the conformance calls of the witness's endpoint; their
// bodies are made just before each call, into vars.
func witnessCalls(srv *testserver.Server, vars map[string]string) []apiCall {
	const op = "POST /api/v1/audit/cosignatures"
	body := `{"checkpoint": $cosigned}`
	set := func(f func(t *testing.T) []byte) func(t *testing.T) {
		return func(t *testing.T) { vars["cosigned"] = jsonString(f(t)) }
	}
	trusted := func(t *testing.T) []byte { return cosignLatest(t, srv, srv.Witness, nil) }
	return []apiCall{
		{op: op, path: "/api/v1/audit/cosignatures", user: "c.achebe", body: body, want: 200, before: set(trusted),
			check: func(t *testing.T, a *answer) {
				cp, _ := a.field("checkpoint").(string)
				if !strings.Contains(cp, "\n— witness.test/oversight ") || len(list(a.field("witnesses"))) != 1 {
					t.Errorf("the cosignature is not kept:\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/audit/checkpoint", note: "cosigned", path: "/api/v1/audit/checkpoint", user: "j.okafor", want: 200,
			check: func(t *testing.T, a *answer) {
				if !bytes.Contains(a.Body, []byte("\n— witness.test/oversight ")) {
					t.Errorf("the latest checkpoint is served without its cosignature:\n%s", a.Body)
				}
			}},
		{op: op, note: "by a privacy officer, again", path: "/api/v1/audit/cosignatures", user: "i.larsen", body: body, want: 200, before: set(trusted)},
		{op: op, note: "not the oversight body", path: "/api/v1/audit/cosignatures", user: "p.nowak", body: body, want: 403, code: accord.EFORBIDDEN, before: set(trusted)},
		{op: op, note: "an untrusted witness", path: "/api/v1/audit/cosignatures", user: "c.achebe", body: body, want: 403, code: accord.EFORBIDDEN,
			before: set(func(t *testing.T) []byte {
				k, _ := newWitnessKey(t, "witness.test/stranger")
				return cosignLatest(t, srv, k, nil)
			})},
		{op: op, note: "not a checkpoint", path: "/api/v1/audit/cosignatures", user: "c.achebe", body: `{"checkpoint": "hello"}`, want: 400, code: accord.EINVALID},
		{op: op, note: "a bad cosignature", path: "/api/v1/audit/cosignatures", user: "c.achebe", body: body, want: 400, code: accord.EINVALID,
			before: set(func(t *testing.T) []byte {
				msg := cosignLatest(t, srv, srv.Witness, nil)
				i := bytes.LastIndex(msg, []byte(" "))
				sig, _ := base64.StdEncoding.DecodeString(string(msg[i+1 : len(msg)-1]))
				sig[len(sig)-1] ^= 1
				return append(msg[:i+1], base64.StdEncoding.EncodeToString(sig)+"\n"...)
			})},
		{op: op, note: "dated in the future", path: "/api/v1/audit/cosignatures", user: "c.achebe", body: body, want: 400, code: accord.EINVALID,
			before: set(func(t *testing.T) []byte {
				msg, _ := srv.DB.SignCheckpoint(context.Background(), srv.Signer.Name(), srv.Signer)
				text, _, _ := bytes.Cut(msg, []byte("\n\n"))
				c, _ := auditlog.ParseCheckpoint(append(text, '\n'))
				line, _ := srv.Witness.Cosign(c, srv.Clock.Now().Add(time.Hour))
				return append(msg, line...)
			})},
		{op: op, note: "no such checkpoint", path: "/api/v1/audit/cosignatures", user: "c.achebe", body: body, want: 404, code: accord.ENOTFOUND,
			before: set(func(t *testing.T) []byte {
				return cosignLatest(t, srv, srv.Witness, func(c auditlog.Checkpoint) auditlog.Checkpoint { c.Size += 1000; return c })
			})},
		{op: op, note: "another root at that size", path: "/api/v1/audit/cosignatures", user: "c.achebe", body: body, want: 409, code: accord.ECONFLICT,
			before: set(func(t *testing.T) []byte {
				return cosignLatest(t, srv, srv.Witness, func(c auditlog.Checkpoint) auditlog.Checkpoint {
					c.Hash = bytes.Repeat([]byte{7}, 32)
					return c
				})
			})},
	}
}

// TestCosignaturesShown follows a cosignature from the witness's post to
// the API's checkpoints and the checkpoints page.
func TestCosignaturesShown(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	msg := cosignLatest(t, srv, srv.Witness, nil)
	r := srv.Do(t, testserver.Request{User: "c.achebe", Method: "POST", Path: "/api/v1/audit/cosignatures", Body: `{"checkpoint": ` + jsonString(msg) + `}`})
	if r.Status != 200 {
		t.Fatalf("posting the cosignature: %d %s", r.Status, r.Body)
	}
	// A cosignature by a witness the server does not trust, stored by
	// hand: shown, but not as checked.
	text, _, _ := bytes.Cut(msg, []byte("\n\n"))
	c, err := auditlog.ParseCheckpoint(append(text, '\n'))
	if err != nil {
		t.Fatal(err)
	}
	stranger, _ := newWitnessKey(t, "witness.test/stranger")
	line, err := stranger.Cosign(c, srv.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.DB.AddCosignature(context.Background(), sqlstore.Cosignature{Size: c.Size, Witness: stranger.Name(), Line: line, SignedAt: srv.Clock.Now()}); err != nil {
		t.Fatal(err)
	}

	r = srv.Do(t, testserver.Request{User: "j.okafor", Method: "GET", Path: "/api/v1/audit/checkpoints"})
	var list struct{ Checkpoints []string }
	r.JSON(t, &list)
	if len(list.Checkpoints) == 0 || !strings.HasPrefix(list.Checkpoints[0], string(msg[:len(msg)-len(line)])) ||
		strings.Count(list.Checkpoints[0], "\n— ") != 3 {
		t.Errorf("checkpoints: %q, want the log's signature and two cosignatures", list.Checkpoints)
	}

	b := srv.Browser(t)
	b.SignIn(t, "c.achebe")
	p := b.Get(t, "/audit/checkpoints")
	row := regexp.MustCompile(`(?s)<tr>\s*<th scope="row">` + strconv.FormatUint(c.Size, 10) + `</th>.*?</tr>`).FindString(p.Body)
	text2 := (&testserver.Page{Body: row}).Text()
	for _, want := range []string{"Valid witness.test/oversight", "Not checked witness.test/stranger"} {
		if !strings.Contains(text2, want) {
			t.Errorf("the checkpoint's row lacks %q: %s", want, text2)
		}
	}
	if !p.Contains("A witness run by the oversight body") {
		t.Errorf("the page does not say what a witness does: %s", p.Text())
	}
}
