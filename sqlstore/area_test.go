package sqlstore_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
)

// TestAreas: the partnership's list of areas, and a client's area checked
// against it — a code not on the list, or of the wrong shape, is refused
// with the field named and nothing stored.
func TestAreas(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		for _, a := range []accord.Area{{Code: "riverside", Name: "Riverside"}, {Code: "mill-island", Name: "Mill Island"}} {
			if err := fx.db.CreateArea(ctx, fx.admin, &a); err != nil {
				t.Fatal(err)
			}
		}
		bad := []struct {
			name        string
			area        accord.Area
			code, field string
		}{
			{"taken code", accord.Area{Code: "riverside", Name: "Riverside again"}, accord.ECONFLICT, "code"},
			{"upper case code", accord.Area{Code: "Riverside", Name: "R"}, accord.EINVALID, "code"},
			{"reserved code", accord.Area{Code: accord.NotRecorded, Name: "Nowhere"}, accord.EINVALID, "code"},
			{"no name", accord.Area{Code: "east", Name: " "}, accord.EINVALID, "name"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				err := fx.db.CreateArea(ctx, fx.admin, &tc.area)
				if e := accord.AsError(err); e == nil || e.Code != tc.code || e.Field != tc.field {
					t.Errorf("err = %v, want %s on %s", err, tc.code, tc.field)
				}
			})
		}
		got, err := fx.db.Areas(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, a := range got {
			codes = append(codes, a.Code+"="+a.Name)
		}
		if diff := cmp.Diff([]string{"mill-island=Mill Island", "riverside=Riverside"}, codes); diff != "" {
			t.Errorf("areas (-want +got):\n%s", diff)
		}

		c := &accord.Client{GivenName: "Ana", Gender: accord.GenderWoman, PreferredLanguage: "es", Area: "riverside"}
		if err := fx.db.CreateClient(ctx, fx.actor(), c); err != nil {
			t.Fatal(err)
		}
		back, err := fx.db.FindClient(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if back.Area != "riverside" {
			t.Errorf("area read back = %q", back.Area)
		}
		unknown := &accord.Client{GivenName: "Ben", Gender: accord.GenderMan, PreferredLanguage: "en", Area: "atlantis"}
		err = fx.db.CreateClient(ctx, fx.actor(), unknown)
		if e := accord.AsError(err); e == nil || e.Code != accord.EINVALID || e.Field != "area" {
			t.Errorf("client in an unknown area: err = %v, want EINVALID on area", err)
		}
		if unknown.ID != "" {
			if _, err := fx.db.FindClient(ctx, unknown.ID); accord.ErrorCode(err) != accord.ENOTFOUND {
				t.Errorf("the refused client was stored: %v", err)
			}
		}
		if err := fx.db.EraseClient(ctx, fx.actor(), c.ID, accord.ErasureClientRequest); err != nil {
			t.Fatal(err)
		}
		var area string
		if err := rawDB(t, fx).QueryRowContext(ctx, `SELECT area FROM clients WHERE id = $1`, c.ID).Scan(&area); err != nil {
			t.Fatal(err)
		}
		if area != "" {
			t.Errorf("an erased client keeps area %q", area)
		}
	})
}
