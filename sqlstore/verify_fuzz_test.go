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
