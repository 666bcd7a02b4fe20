package sqlstore

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
)

// FuzzAnomalyLeaf: whenever the one-pass scanner accepts a leaf, it reads
// what encoding/json reads from it; leaves the log writes are accepted.
func FuzzAnomalyLeaf(f *testing.F) {
	p := 2
	for _, e := range []accord.AuditEntry{
		{Time: time.Date(2026, 1, 15, 22, 4, 5, 6000, time.UTC), Kind: accord.AuditDecision, ActorID: "stf_a", ActorOrganizationID: "org_b", ClientID: "cli_c",
			HolderID: "org_d", Category: accord.CatClinicalNote, Purpose: accord.PurposeTreatment, Effect: "permit", Reason: accord.ReasonAgreementConsent,
			Released: true, AgreementID: "agr_e", AgreementVersion: 3, ConsentID: "cns_f", Provision: &p, Obligations: []string{"audit", "notify"}, RequestID: "r1"},
		{Time: time.Date(2026, 1, 15, 1, 0, 0, 0, time.UTC), Kind: accord.AuditDecision, ActorID: "stf_a", ClientID: "cli_c", Effect: "deny", Action: "explain"},
		{Time: time.Date(2026, 1, 15, 1, 0, 0, 0, time.UTC), Kind: accord.AuditChange, ActorID: "system", Action: "anomaly.detect", ObjectID: "2026-01-14", Count: 3},
	} {
		leaf, err := auditlog.EncodeLeaf(&e)
		if err != nil {
			f.Fatal(err)
		}
		var l anomalyLeaf
		if !l.scan(leaf, interner{}) {
			f.Errorf("a leaf the log writes is refused: %s", leaf)
		}
		f.Add(leaf)
	}
	f.Add([]byte(`{"kind":"decision","actor":"a\u0062","client":"c"}`))
	f.Add([]byte(`{"KIND":"decision","obligations":[{"x":"}"}],"client":"c"}`))
	f.Fuzz(func(t *testing.T, leaf []byte) {
		var got anomalyLeaf
		if !got.scan(leaf, interner{}) {
			return
		}
		if got.client != nil && got.ClientID != "" {
			t.Errorf("both the client's bytes and string are set")
		}
		var want anomalyLeaf
		if err := json.Unmarshal(leaf, &want); err != nil {
			return // not JSON: the log never writes it
		}
		if got.ClientID == "" {
			got.ClientID = string(got.client)
		}
		got.client = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("scan(%s) = %+v, encoding/json reads %+v", leaf, got, want)
		}
	})
}
