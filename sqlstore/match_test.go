package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/match"
)

// TestMatchCandidatesKeepsTheBestSharers: when more clients share a key
// than the search may gather (a common name), those sharing the most keys
// with the typed person come first, so the person registered with the
// same name, birth date and phone is among them and a namesake who shares
// only the name is the one left out.
func TestMatchCandidatesKeepsTheBestSharers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		add := func(birth, phone string) string {
			t.Helper()
			c := &accord.Client{GivenName: "Ahmed", FamilyName: "Mohamed", BirthDate: birth, Phone: phone,
				Gender: accord.GenderMan, PreferredLanguage: "ar"}
			if err := fx.db.CreateClient(ctx, fx.actor(), c); err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		// Namesakes first, so that insertion order would put them ahead.
		for i := range 8 {
			add(fmt.Sprintf("19%02d-0%d-1%d", 60+i, 1+i%9, i), "")
		}
		person := add("1990-03-04", "+44 7700 900123")
		query := match.Person{GivenName: "Ahmed", FamilyName: "Mohamed", BirthDate: "1990-03-04", Phone: "07700 900123"}
		for _, limit := range []int{1, 3, 20} {
			got, err := fx.db.MatchCandidates(ctx, query, limit)
			if err != nil {
				t.Fatal(err)
			}
			if want := min(limit, 9); len(got) != want {
				t.Errorf("limit %d: %d candidates, want %d", limit, len(got), want)
			}
			if len(got) == 0 || got[0].ID != person {
				var ids []string
				for _, c := range got {
					ids = append(ids, c.ID)
				}
				t.Errorf("limit %d: candidates %v, want the person %s first", limit, ids, person)
			}
		}
	})
}

// TestRefreshMatchKeys: when the stored keys were computed by another
// version of match.Keys, the next refresh gives every client the current
// version's keys, keeps the keys a survivor inherited from the duplicates
// merged into it (their own fields are wiped and cannot be recomputed),
// and records the version, so the refresh after it does nothing.
func TestRefreshMatchKeys(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		mk := func(given, family, birth string) *accord.Client {
			t.Helper()
			c := &accord.Client{GivenName: given, FamilyName: family, BirthDate: birth, Gender: accord.GenderWoman, PreferredLanguage: "fa"}
			if err := fx.db.CreateClient(ctx, fx.actor(), c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		zahra := mk("Zahra", "Ahmadi", "1991-06-02")
		survivor := mk("Fatemeh", "Rezaei", "1985-11-20")
		dup := mk("Maryam", "Karimi", "1985-11-20") // registered under another name
		if err := fx.db.MergeClients(ctx, fx.actor(), survivor.ID, dup.ID); err != nil {
			t.Fatal(err)
		}
		found := func(p match.Person, id string) bool {
			t.Helper()
			got, err := fx.db.MatchCandidates(ctx, p, 20)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range got {
				if c.ID == id {
					return true
				}
			}
			return false
		}
		zq := match.Person{GivenName: "Zahra", FamilyName: "Ahmadi", BirthDate: "1991-06-02"}
		dq := match.Person{GivenName: "Maryam", FamilyName: "Karimi"} // the duplicate's name, no date
		if n, err := fx.db.RefreshMatchKeys(ctx); err != nil || n != 0 {
			t.Fatalf("refresh with current keys = %d, %v; want 0, nil", n, err)
		}
		// Keys computed by an older version: none of Zahra's match today's.
		raw := rawDB(t, fx)
		for _, q := range []string{
			`DELETE FROM client_match_keys WHERE client_id = '` + zahra.ID + `'`,
			`INSERT INTO meta (key, value) VALUES ('match_keys_version', '0') ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		if found(zq, zahra.ID) {
			t.Fatal("set-up: Zahra is found without keys")
		}
		if !found(dq, survivor.ID) {
			t.Fatal("set-up: the survivor is not found by the merged duplicate's name")
		}
		n, err := fx.db.RefreshMatchKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n < 2 {
			t.Errorf("refresh went through %d clients, want every client not merged or erased", n)
		}
		if !found(zq, zahra.ID) {
			t.Error("after the refresh Zahra is not found by her own name and birth date")
		}
		if !found(dq, survivor.ID) {
			t.Error("after the refresh the survivor is no longer found by the merged duplicate's spelling")
		}
		if n, err := fx.db.RefreshMatchKeys(ctx); err != nil || n != 0 {
			t.Errorf("second refresh = %d, %v; want 0, nil (the version is recorded)", n, err)
		}
	})
}

// TestMatchCandidatesCarryTheComparedFields: a candidate holds what Rank
// compares (names, birth date, phone, identifiers) as registered, and
// ClientsByID then reads the records of those shown, in the order asked,
// leaving out an erased or merged client, an unknown id and a repeat.
func TestMatchCandidatesCarryTheComparedFields(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		mk := func(given, family string) *accord.Client {
			t.Helper()
			c := &accord.Client{GivenName: given, FamilyName: family, BirthDate: "1979-08", Phone: "+33 6 12 34 56 78",
				Identifiers: []accord.Identifier{{System: "urn:accord:unhcr", Value: "123-45C00012"}},
				Gender:      accord.GenderNonBinary, PreferredLanguage: "fr", Address: "4 rue des Lilas, Lyon"}
			if err := fx.db.CreateClient(ctx, fx.actor(), c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		a, b, erased, merged := mk("Amina", "Diallo"), mk("Aminata", "Diallo"), mk("Awa", "Diallo"), mk("Aminah", "Diallo")
		if err := fx.db.EraseClient(ctx, fx.actor(), erased.ID, accord.ErasureClientRequest); err != nil {
			t.Fatal(err)
		}
		if err := fx.db.MergeClients(ctx, fx.actor(), a.ID, merged.ID); err != nil {
			t.Fatal(err)
		}
		got, err := fx.db.MatchCandidates(ctx, match.Person{GivenName: "Amina", FamilyName: "Diallo", BirthDate: "1979"}, 20)
		if err != nil {
			t.Fatal(err)
		}
		want := match.FromClient(a)
		if len(got) == 0 || got[0].ID != a.ID {
			t.Fatalf("candidates %+v, want %s first", got, a.ID)
		}
		if diff := cmp.Diff(want, got[0].Person); diff != "" {
			t.Errorf("candidate's fields (-registered +got):\n%s", diff)
		}
		for _, c := range got {
			if c.ID == erased.ID || c.ID == merged.ID {
				t.Errorf("candidate %s is erased or merged", c.ID)
			}
		}

		// Among one organisation's clients only (for merging): a namesake
		// registered by legal aid is left out there, and found otherwise.
		elsewhere := &accord.Client{GivenName: "Amina", FamilyName: "Diallo", BirthDate: "1979-08", HomeOrganizationID: fx.legal.ID,
			Gender: accord.GenderWoman, PreferredLanguage: "fr"}
		if err := fx.db.CreateClient(ctx, accord.Actor{OrganizationID: fx.legal.ID}, elsewhere); err != nil {
			t.Fatal(err)
		}
		q := match.Person{GivenName: "Amina", FamilyName: "Diallo", BirthDate: "1979"}
		for _, tc := range []struct {
			home string
			want bool
		}{{fx.clinic.ID, false}, {fx.legal.ID, true}, {"", true}} {
			got, err := fx.db.MatchCandidatesOf(ctx, q, tc.home, 20)
			if err != nil {
				t.Fatal(err)
			}
			has := slices.ContainsFunc(got, func(c match.Candidate) bool { return c.ID == elsewhere.ID })
			hasA := slices.ContainsFunc(got, func(c match.Candidate) bool { return c.ID == a.ID })
			if has != tc.want || hasA != (tc.home != fx.legal.ID) {
				t.Errorf("among %q: legal aid's namesake found %v (want %v), the clinic's found %v", tc.home, has, tc.want, hasA)
			}
		}

		shown, err := fx.db.ClientsByID(ctx, []string{b.ID, erased.ID, a.ID, "cli_nosuchclient", merged.ID, b.ID})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range shown {
			ids = append(ids, c.ID)
		}
		if diff := cmp.Diff([]string{b.ID, a.ID}, ids); diff != "" {
			t.Errorf("ClientsByID (-want +got):\n%s", diff)
		}
		if len(shown) == 2 && shown[1].Address != a.Address {
			t.Errorf("ClientsByID read address %q, want the whole record (%q)", shown[1].Address, a.Address)
		}
		if _, err := fx.db.ClientsByID(ctx, make([]string, 101)); accord.ErrorCode(err) != accord.EINVALID {
			t.Errorf("101 ids: %v, want %s", err, accord.EINVALID)
		}
	})
}
