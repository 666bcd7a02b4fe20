package enforce

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
)

func TestReceiptSignAndVerify(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	s := NewReceiptSigner(key, "GB", "https://example.org/privacy")
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &accord.Consent{ID: "cns_x", ClientID: "cli_x", Status: accord.ConsentActive, Method: accord.MethodVerbalInterpreter,
		Language: "ar", InterpreterID: "stf_i", CollectedBy: "stf_n", OrganizationID: "org_c", CreatedAt: time.Unix(1700000000, 0).UTC(),
		Start: time.Unix(1700000000, 0).UTC(), End: &end, Provisions: []accord.Provision{
			{Type: accord.ProvisionPermit, Organizations: []string{"org_l"}, Purposes: []accord.Purpose{accord.PurposeLegalAid},
				Categories: []accord.Category{accord.CatClinicalSummary}, Sensitivity: []accord.Sensitivity{accord.SensPSY}},
			{Type: accord.ProvisionDeny, Purposes: []accord.Purpose{accord.PurposeResearch}},
		}}
	r := s.BuildReceipt(c, func(id string) string { return map[string]string{"org_c": "Clinic", "org_l": "Legal Aid"}[id] })
	if r.PIIPrincipalID != "cli_x" || r.Version != "KI-CR-v1.1.0" || !r.Sensitive || r.Services[0].Purposes[0].ThirdPartyName != "Legal Aid" {
		t.Errorf("receipt = %+v", r)
	}
	jws, err := s.Sign(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := VerifyReceipt(jws, s.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("verified receipt differs (-signed +verified):\n%s", diff)
	}
	parts := strings.Split(jws, ".")
	tampered := parts[0] + "." + parts[1][:len(parts[1])-2] + "AA." + parts[2]
	if _, err := VerifyReceipt(tampered, s.PublicKey()); err == nil {
		t.Error("a tampered receipt verified")
	}
	_, other, _ := ed25519.GenerateKey(nil)
	if _, err := VerifyReceipt(jws, other.Public().(ed25519.PublicKey)); err == nil {
		t.Error("a receipt verified under another key")
	}
}

func FuzzVerifyReceipt(f *testing.F) {
	_, key, _ := ed25519.GenerateKey(nil)
	s := NewReceiptSigner(key, "GB", "")
	jws, _ := s.Sign(Receipt{Version: "KI-CR-v1.1.0"})
	f.Add(jws)
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, in string) {
		VerifyReceipt(in, s.PublicKey()) // must not panic
	})
}
