package http

import (
	"errors"
	"testing"
	"time"

	"github.com/accord-project/accord"
)

// FuzzDecodeJSON feeds arbitrary bytes to the request body decoder and the
// validation behind every write: it must never panic, and anything it
// refuses must be a client error with a stable code, never internal.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"given_name":"Amal","preferred_language":"ar","gender":"not_stated"}`,
		`{"method":"written","language":"es","provisions":[{"type":"permit","organizations":["org_aaaaaaaaaaaaaaaaaaaaaaaaaa"],"purposes":["LEGALAID"],"categories":["clinical_summary"]}]}`,
		`{"title":"MLP","parties":["org_aaaaaaaaaaaaaaaaaaaaaaaaaa","org_bbbbbbbbbbbbbbbbbbbbbbbbbb"],"purposes":["COC"],"categories":["contact"],"roles":["navigator"],"retention_days":30,"effective_from":"2026-01-01T00:00:00Z","effective_until":"2027-01-01T00:00:00Z","review_date":"2026-06-01T00:00:00Z"}`,
		`{"kind":"court_order","client_id":"cli_aaaaaaaaaaaaaaaaaaaaaaaaaa","categories":["immigration_status"],"recipient_organization_id":"org_aaaaaaaaaaaaaaaaaaaaaaaaaa","reference":"X","issuer":"Y","reason":"Z","expires_at":"2027-01-01T00:00:00Z"}`,
		`{"a":1}{"b":2}`, `[]`, `null`, "\xff\xfe", `{"given_name":1}`, `{"start":"yesterday"}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(err error) {
			if err != nil && accord.ErrorCode(err) == accord.EINTERNAL {
				t.Fatalf("internal error for client input: %v", err)
			}
			var e *accord.Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("error without a code: %v", err)
			}
		}
		var c clientInput
		if err := decodeJSON(body, &c); err != nil {
			check(err)
		} else {
			cl := accord.Client{GivenName: c.GivenName, FamilyName: c.FamilyName, BirthDate: c.BirthDate, Gender: c.Gender,
				GenderText: c.GenderText, PreferredLanguage: c.PreferredLanguage, Languages: c.Languages, Disabilities: c.Disabilities,
				Identifiers: c.Identifiers, Phone: c.Phone, Email: c.Email, Address: c.Address}
			check(cl.Validate(now))
		}
		var cn consentInput
		if err := decodeJSON(body, &cn); err != nil {
			check(err)
		} else {
			k := accord.Consent{Provisions: cn.Provisions, Method: cn.Method, Language: cn.Language, InterpreterID: cn.InterpreterID, Guardian: cn.Guardian, End: cn.End}
			check(k.Validate(30, true))
			check(k.Validate(10, true))
		}
		var a agreementInput
		if err := decodeJSON(body, &a); err != nil {
			check(err)
		} else {
			ag := a.agreement()
			check(ag.Validate())
			ag.Status = accord.AgreementDraft
			check(ag.CheckTransition(accord.AgreementActive, now))
		}
		var b legalBasisInput
		if err := decodeJSON(body, &b); err != nil {
			check(err)
		} else {
			lb := accord.LegalBasis{Kind: b.Kind, ClientID: b.ClientID, Categories: b.Categories, RecipientOrganizationID: b.RecipientOrganizationID,
				HolderOrganizationID: b.HolderOrganizationID, Purposes: b.Purposes, Reference: b.Reference, Issuer: b.Issuer, Reason: b.Reason, ExpiresAt: b.ExpiresAt}
			check(lb.Validate())
		}
	})
}
