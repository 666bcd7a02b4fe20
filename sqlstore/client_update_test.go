package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/match"
	"github.com/accord-project/accord/sqlstore"
)

// TestUpdateClient: a change to a client's details applies to the version
// it was made on and to nothing else, is audited, and moves the client's
// search keys with it: intake finds the client by the new spelling and no
// longer by the old one, while a merge survivor is still found by the
// spelling of the duplicate merged into it. A refused change (stale
// version, invalid details, erased client) changes nothing, and neither
// does saving the details unchanged.
func TestUpdateClient(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		mk := func(given, family, birth, phone string) *accord.Client {
			t.Helper()
			c := &accord.Client{GivenName: given, FamilyName: family, BirthDate: birth, Phone: phone,
				Gender: accord.GenderWoman, PreferredLanguage: "so", Address: "7 Quay Street"}
			if err := fx.db.CreateClient(ctx, fx.actor(), c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		found := func(p match.Person, id string) bool {
			t.Helper()
			got, err := fx.db.MatchCandidates(ctx, p, 20)
			if err != nil {
				t.Fatal(err)
			}
			return slices.ContainsFunc(got, func(c match.Candidate) bool { return c.ID == id })
		}
		hodan := mk("Hodan", "Warsame", "1990-04-12", "+44 7700 900100")
		dup := mk("Xaawo", "Cali", "1991", "") // the same woman registered under her other name
		if err := fx.db.MergeClients(ctx, fx.actor(), hodan.ID, dup.ID); err != nil {
			t.Fatal(err)
		}
		current, err := fx.db.FindClient(ctx, hodan.ID)
		if err != nil {
			t.Fatal(err)
		}

		// The family name was taken down wrongly at registration (her husband's):
		// it is Duale; she has a new phone and needs an interpreter.
		got, err := fx.db.UpdateClient(ctx, fx.actor(), hodan.ID, current.Version, func(c *accord.Client) error {
			c.FamilyName, c.Phone, c.InterpreterNeeded = "Duale", "+44 7700 900200", true
			c.HomeOrganizationID, c.ID = "org_elsewhere", "cli_elsewhere" // not the caller's to change
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := *current
		want.FamilyName, want.Phone, want.InterpreterNeeded, want.Version = "Duale", "+44 7700 900200", true, current.Version+1
		stored, err := fx.db.FindClient(ctx, hodan.ID)
		if err != nil {
			t.Fatal(err)
		}
		ignoreTime := cmpopts.IgnoreFields(accord.Client{}, "UpdatedAt")
		if diff := cmp.Diff(&want, stored, ignoreTime, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("stored client (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(stored, got, ignoreTime, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("returned client differs from the stored one (-stored +returned):\n%s", diff)
		}
		if !found(match.Person{GivenName: "Hodan", FamilyName: "Duale"}, hodan.ID) {
			t.Error("intake does not find the client by the corrected name")
		}
		if found(match.Person{GivenName: "Hodan", FamilyName: "Warsame", Phone: "+44 7700 900100"}, hodan.ID) {
			t.Error("intake still finds the client by the wrong name and old phone")
		}
		if !found(match.Person{GivenName: "Xaawo", FamilyName: "Cali"}, hodan.ID) {
			t.Error("after the change the survivor is no longer found by the name of the duplicate merged into it")
		}
		entries, err := fx.db.AuditEntries(ctx, sqlstore.AuditFilter{ClientID: hodan.ID, After: -1, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(entries, func(e accord.AuditEntry) bool {
			return e.Action == "client.update" && e.ObjectID == hodan.ID && e.ActorID == fx.actor().StaffID
		}) {
			t.Error("no client.update audit entry by the actor")
		}

		// Saving the details as they are (an empty list for none) changes
		// nothing: no new version, no audit entry.
		updates := func() int {
			t.Helper()
			entries, err := fx.db.AuditEntries(ctx, sqlstore.AuditFilter{ClientID: hodan.ID, After: -1, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range entries {
				if e.Action == "client.update" {
					n++
				}
			}
			return n
		}
		before := updates()
		same, err := fx.db.UpdateClient(ctx, fx.actor(), hodan.ID, stored.Version, func(c *accord.Client) error {
			c.FamilyName, c.Languages = "Duale", []string{}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if same.Version != stored.Version || updates() != before {
			t.Errorf("an unchanged save: version %d, %d client.update entries; want version %d, %d entries", same.Version, updates(), stored.Version, before)
		}
		if after, err := fx.db.FindClient(ctx, hodan.ID); err != nil || !cmp.Equal(stored, after, cmpopts.EquateEmpty()) {
			t.Errorf("an unchanged save changed the client: %v\n%s", err, cmp.Diff(stored, after, cmpopts.EquateEmpty()))
		}

		refused := []struct {
			name    string
			id      string
			version int
			change  func(*accord.Client) error
			code    string
		}{
			{"stale version", hodan.ID, current.Version, func(c *accord.Client) error { c.Phone = "+44 7700 900300"; return nil }, accord.EPRECONDITION},
			{"birth date in the future", hodan.ID, stored.Version, func(c *accord.Client) error { c.BirthDate = "2999"; return nil }, accord.EINVALID},
			{"no given name", hodan.ID, stored.Version, func(c *accord.Client) error { c.GivenName = ""; return nil }, accord.EINVALID},
			{"unknown area", hodan.ID, stored.Version, func(c *accord.Client) error { c.Area = "atlantis"; return nil }, accord.EINVALID},
			{"the change fails", hodan.ID, stored.Version, func(c *accord.Client) error {
				c.Phone = "+44 7700 900300"
				return accord.Errorf(accord.ECONFLICT, "no")
			}, accord.ECONFLICT},
			{"identifiers too large for the search index", hodan.ID, stored.Version, func(c *accord.Client) error {
				c.Identifiers = manyIdentifiers(30)
				return nil
			}, accord.EINVALID},
			{"merged away", dup.ID, 2, func(c *accord.Client) error { return nil }, accord.ENOTFOUND},
			{"no such client", "cli_nosuchclient", 1, func(c *accord.Client) error { return nil }, accord.ENOTFOUND},
		}
		for _, tc := range refused {
			t.Run(tc.name, func(t *testing.T) {
				_, err := fx.db.UpdateClient(ctx, fx.actor(), tc.id, tc.version, tc.change)
				if accord.ErrorCode(err) != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				after, err := fx.db.FindClient(ctx, hodan.ID)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(stored, after, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("a refused change changed the client (-before +after):\n%s", diff)
				}
			})
		}

		// The same bound when registering: on PostgreSQL the client would
		// not fit in the search index (a 500 instead of a clear error).
		big := &accord.Client{GivenName: "Amal", Gender: accord.GenderWoman, PreferredLanguage: "ar", Identifiers: manyIdentifiers(30)}
		if err := fx.db.CreateClient(ctx, fx.actor(), big); accord.ErrorCode(err) != accord.EINVALID {
			t.Errorf("registering a client with 30 long identifiers: %v, want %s", err, accord.EINVALID)
		}
		big.Identifiers = manyIdentifiers(5)
		if err := fx.db.CreateClient(ctx, fx.actor(), big); err != nil {
			t.Errorf("registering a client with 5 long identifiers: %v", err)
		}

		if err := fx.db.EraseClient(ctx, fx.actor(), hodan.ID, accord.ErasureClientRequest); err != nil {
			t.Fatal(err)
		}
		_, err = fx.db.UpdateClient(ctx, fx.actor(), hodan.ID, stored.Version+1, func(c *accord.Client) error { return errors.New("not called") })
		if accord.ErrorCode(err) != accord.ENOTFOUND {
			t.Errorf("changing an erased client: %v, want %s", err, accord.ENOTFOUND)
		}
	})
}

// manyIdentifiers returns n identifiers of the longest allowed system and
// value.
func manyIdentifiers(n int) []accord.Identifier {
	out := make([]accord.Identifier, n)
	for i := range out {
		out[i] = accord.Identifier{System: strings.Repeat("s", 98) + fmt.Sprint(10+i), Value: strings.Repeat("v", 100)}
	}
	return out
}
