package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

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
