package auditlog

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/google/go-cmp/cmp"
	"github.com/transparency-dev/merkle/rfc6962"
)

func TestEncodeLeaf(t *testing.T) {
	zero := 0
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name  string
		entry accord.AuditEntry
		want  string
	}{
		{
			name:  "minimal",
			entry: accord.AuditEntry{Time: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC), Kind: accord.AuditLogin, ActorID: "stf_1", Action: "login.success"},
			want:  `{"time":"2026-11-22T09:30:00Z","kind":"login","actor":"stf_1","action":"login.success"}`,
		},
		{
			name: "decision, time in another zone, index ignored",
			entry: accord.AuditEntry{
				Index: 99, Time: time.Date(2026, 11, 22, 10, 30, 0, 123456789, paris), Kind: accord.AuditDecision,
				ActorID: "stf_1", ActorOrganizationID: "org_1", ClientID: "cli_1", HolderID: "org_2",
				Category: "clinical_summary", Purpose: "TREAT", Effect: "deny", Reason: "no_agreement",
				Provision: &zero, Obligations: []string{"audit", "review"}, RequestID: "req_1",
			},
			want: `{"time":"2026-11-22T09:30:00.123456789Z","kind":"decision","actor":"stf_1","actor_org":"org_1","client":"cli_1",` +
				`"holder":"org_2","category":"clinical_summary","purpose":"TREAT","effect":"deny","reason":"no_agreement",` +
				`"provision":0,"obligations":["audit","review"],"request":"req_1"}`,
		},
		{
			name:  "escapes",
			entry: accord.AuditEntry{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Kind: accord.AuditChange, ObjectID: "<a&b>\"é"},
			want:  `{"time":"2026-01-02T03:04:05Z","kind":"change","object":"\u003ca\u0026b\u003e\"é"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeLeaf(&tt.entry)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("EncodeLeaf (-want +got):\n%s", diff)
			}
			back, err := DecodeLeaf(got)
			if err != nil {
				t.Fatalf("DecodeLeaf(EncodeLeaf()): %v", err)
			}
			want := tt.entry
			want.Index, want.Time = 0, want.Time.UTC()
			if diff := cmp.Diff(want, back); diff != "" {
				t.Errorf("DecodeLeaf(EncodeLeaf()) (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := EncodeLeaf(&accord.AuditEntry{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); accord.ErrorCode(err) != accord.EINVALID {
		t.Errorf("EncodeLeaf(year 10000) = %v, want an EINVALID error", err)
	}
}

func TestDecodeLeafRejects(t *testing.T) {
	ok := `{"time":"2026-11-22T09:30:00Z","kind":"login","actor":"stf_1"}`
	if _, err := DecodeLeaf([]byte(ok)); err != nil {
		t.Fatalf("DecodeLeaf(%s): %v", ok, err)
	}
	tests := []struct{ name, leaf string }{
		{"empty", ``},
		{"not JSON", `time`},
		{"array", `[]`},
		{"unknown field", `{"time":"2026-11-22T09:30:00Z","kind":"login","actor":"stf_1","name":"Ada"}`},
		{"trailing data", ok + `{}`},
		{"trailing newline", ok + "\n"},
		{"leading space", " " + ok},
		{"space after colon", `{"time": "2026-11-22T09:30:00Z","kind":"login","actor":"stf_1"}`},
		{"keys reordered", `{"kind":"login","time":"2026-11-22T09:30:00Z","actor":"stf_1"}`},
		{"key in other case", `{"Time":"2026-11-22T09:30:00Z","kind":"login","actor":"stf_1"}`},
		{"duplicate key", `{"time":"2026-11-22T09:30:00Z","kind":"login","actor":"stf_0","actor":"stf_1"}`},
		{"time not UTC", `{"time":"2026-11-22T10:30:00+01:00","kind":"login","actor":"stf_1"}`},
		{"empty value not omitted", `{"time":"2026-11-22T09:30:00Z","kind":"login","actor":"stf_1","client":""}`},
		{"unescaped <", `{"time":"2026-11-22T09:30:00Z","kind":"login","actor":"<"}`},
		{"escaped letter", `{"time":"2026-11-22T09:30:00Z","kind":"login","actor":"\u0073tf_1"}`},
		{"invalid UTF-8", "{\"time\":\"2026-11-22T09:30:00Z\",\"kind\":\"login\",\"actor\":\"\xff\"}"},
		{"float count", `{"time":"2026-11-22T09:30:00Z","kind":"export","count":1.0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := DecodeLeaf([]byte(tt.leaf))
			if accord.ErrorCode(err) != accord.EINVALID {
				t.Errorf("DecodeLeaf(%q) = %+v, %v; want an EINVALID error", tt.leaf, e, err)
			}
		})
	}
}

func TestLeafHash(t *testing.T) {
	for _, leaf := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("entry"), 100)} {
		if diff := cmp.Diff(rfc6962.DefaultHasher.HashLeaf(leaf), LeafHash(leaf)); diff != "" {
			t.Errorf("LeafHash(%q) (-rfc6962 +got):\n%s", leaf, diff)
		}
	}
}

func FuzzDecodeLeaf(f *testing.F) {
	for _, l := range testLeaves(f, 3) {
		f.Add(l)
	}
	f.Add([]byte(`{"time":"2026-11-22T09:30:00Z","kind":"login","actor":"stf_1"}`))
	f.Add([]byte(`{"time":"2026-11-22T09:30:00Z","kind":"export","count":3,"obligations":[]}`))
	f.Add([]byte(`{"time":"0001-01-01T00:00:00Z","kind":"","provision":-1}`))
	f.Fuzz(func(t *testing.T, leaf []byte) {
		e, err := DecodeLeaf(leaf)
		if err != nil {
			if accord.ErrorCode(err) != accord.EINVALID || strings.TrimSpace(err.Error()) == "" {
				t.Fatalf("DecodeLeaf error %v is not an EINVALID error", err)
			}
			return
		}
		again, err := EncodeLeaf(&e)
		if err != nil {
			t.Fatalf("EncodeLeaf(DecodeLeaf(%q)): %v", leaf, err)
		}
		if !bytes.Equal(again, leaf) {
			t.Fatalf("EncodeLeaf(DecodeLeaf(%q)) = %q", leaf, again)
		}
		e2, err := DecodeLeaf(again)
		if err != nil {
			t.Fatalf("DecodeLeaf(EncodeLeaf(DecodeLeaf(%q))): %v", leaf, err)
		}
		if diff := cmp.Diff(e, e2); diff != "" {
			t.Fatalf("decode∘encode does not round-trip (-first +second):\n%s", diff)
		}
	})
}
