package sqlstore

import (
	"bytes"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
)

// FuzzCheckColumns feeds checkColumns stored leaves it did not write: it
// must not panic, and must agree with looking each key up from the start
// of the leaf (what it did before it looked for the keys in order).
func FuzzCheckColumns(f *testing.F) {
	e := accord.AuditEntry{Time: time.Date(2026, 11, 22, 9, 0, 0, 5000, time.UTC), Kind: accord.AuditDecision,
		ActorID: "stf_a", ActorOrganizationID: "org_b", ClientID: "cli_c", Effect: "permit"}
	leaf, err := auditlog.EncodeLeaf(&e)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(leaf, e.Time.UnixMicro(), string(e.Kind), e.ActorID, e.ClientID)
	f.Add([]byte(`{"kind":"x","time":"2026-11-22T09:00:00Z","client":"c","actor":"a"}`), int64(0), "x", "a", "c")
	f.Add([]byte(`{"time":"`), int64(0), "", "", "")
	f.Fuzz(func(t *testing.T, leaf []byte, us int64, kind, actor, client string) {
		got := checkColumns(leaf, us, kind, actor, client)
		if want := checkColumnsFromStart(leaf, us, kind, actor, client); got != want && canonicalOrder(leaf) {
			t.Errorf("checkColumns(%q) = %q, looking up from the start %q", leaf, got, want)
		}
	})
}

// checkColumnsFromStart is checkColumns looking each key up from the start.
func checkColumnsFromStart(leaf []byte, us int64, kind, actor, client string) string {
	value := func(key []byte) string { v, _ := leafValue(leaf, key, 0); return string(v) }
	switch {
	case value(keyKind) != kind:
		return "its kind column does not match its leaf"
	case value(keyActor) != actor:
		return "its actor column does not match its leaf"
	case value(keyClient) != client:
		return "its client column does not match its leaf"
	}
	t, err := time.Parse(time.RFC3339Nano, value(keyTime))
	if err != nil || t.UnixMicro() != us {
		return "its time column does not match its leaf"
	}
	return ""
}

// canonicalOrder reports whether each of the keys checkColumns reads
// occurs at most once, after the ones before it: as in every leaf
// EncodeLeaf writes.
func canonicalOrder(leaf []byte) bool {
	at := -1
	for _, k := range [][]byte{keyTime, keyKind, keyActor, keyClient} {
		if bytes.Count(leaf, k) > 1 {
			return false
		}
		i := bytes.Index(leaf, k)
		if i < 0 {
			continue
		}
		if i < at {
			return false
		}
		at = i
	}
	return true
}

// BenchmarkCheckColumns is the column check verify makes on every entry.
func BenchmarkCheckColumns(b *testing.B) {
	p := 1
	e := accord.AuditEntry{Time: time.Date(2026, 11, 22, 9, 0, 0, 5000, time.UTC), Kind: accord.AuditDecision,
		ActorID: "stf_4v2hq7kq3m5b6fxw2yzd3ndbqe", ActorOrganizationID: "org_h54csyy5uadyozfvo6snig67a4",
		ClientID: "cli_00000000000000000000000005", HolderID: "org_ka3pv6dwv2x3l4s5q6r7t8u9wy",
		Category: accord.CatClinicalSummary, Purpose: accord.PurposeLegalAid, Effect: "permit",
		Reason: accord.ReasonAgreementConsent, Released: true, AgreementID: "agr_mq4zc2bndx5gf6hj7k8l9m2n3p",
		AgreementVersion: 2, ConsentID: "cns_ftkjexqqmmtodk5fts7qlhuyzm", Provision: &p, Obligations: []string{"audit"}}
	leaf, err := auditlog.EncodeLeaf(&e)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if p := checkColumns(leaf, e.Time.UnixMicro(), string(e.Kind), e.ActorID, e.ClientID); p != "" {
			b.Fatal(p)
		}
	}
}

// FuzzRFC3339Micro: rfc3339Micro agrees with time.Parse wherever it gives
// an answer.
func FuzzRFC3339Micro(f *testing.F) {
	for _, s := range []string{"2026-11-22T09:00:00.5Z", "2026-11-22T09:00:00Z", "0000-01-01T00:00:00Z",
		"9999-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.999999Z", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z",
		"1600-03-01T00:00:00.000001Z", "2026-11-22T09:00:00.Z", "2026-11-22T09:00:00.1234567890Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := rfc3339Micro([]byte(s))
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("rfc3339Micro(%q) = %d, time.Parse refuses it: %v", s, got, err)
		}
		if got != want.UnixMicro() {
			t.Fatalf("rfc3339Micro(%q) = %d, time.Parse gives %d", s, got, want.UnixMicro())
		}
	})
}

// TestColumnsAtHead: every leaf EncodeLeaf writes is confirmed on the fast
// path (so verify does not fall back to searching), and a column that
// differs is not.
func TestColumnsAtHead(t *testing.T) {
	p := 0
	for _, tc := range []struct {
		name string
		e    accord.AuditEntry
	}{
		{"decision", accord.AuditEntry{Time: time.Date(2026, 11, 22, 9, 0, 0, 500_000_000, time.UTC), Kind: accord.AuditDecision,
			ActorID: "stf_a", ActorOrganizationID: "org_b", ClientID: "cli_c", Effect: "permit", Provision: &p}},
		{"no client", accord.AuditEntry{Time: time.Date(2026, 2, 28, 23, 59, 59, 999_999_999, time.UTC), Kind: accord.AuditLogin,
			ActorID: "stf_a", ActorOrganizationID: "org_b", Action: "login.success"}},
		{"no actor organisation", accord.AuditEntry{Time: time.Date(1969, 12, 31, 0, 0, 0, 1000, time.UTC), Kind: accord.AuditChange,
			ActorID: "system", ClientID: "cli_c", Action: "client.erase"}},
		{"no actor", accord.AuditEntry{Time: time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC), Kind: accord.AuditChange, Action: "x"}},
		{"year 1", accord.AuditEntry{Time: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), Kind: accord.AuditChange, ClientID: "cli_c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf, err := auditlog.EncodeLeaf(&tc.e)
			if err != nil {
				t.Fatal(err)
			}
			us, kind := tc.e.Time.UnixMicro(), string(tc.e.Kind)
			if !columnsAtHead(leaf, us, kind, tc.e.ActorID, tc.e.ClientID) {
				t.Errorf("the columns of %s are not confirmed on the fast path", leaf)
			}
			for name, ok := range map[string]bool{
				"time":   columnsAtHead(leaf, us+1, kind, tc.e.ActorID, tc.e.ClientID),
				"kind":   columnsAtHead(leaf, us, kind+"x", tc.e.ActorID, tc.e.ClientID),
				"actor":  columnsAtHead(leaf, us, kind, tc.e.ActorID+"x", tc.e.ClientID),
				"client": columnsAtHead(leaf, us, kind, tc.e.ActorID, tc.e.ClientID+"x"),
			} {
				if ok {
					t.Errorf("another %s column is confirmed for %s", name, leaf)
				}
			}
		})
	}
}
