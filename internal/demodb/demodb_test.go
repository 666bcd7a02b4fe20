package demodb

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

func open(t *testing.T, path string, opts sqlstore.Options) *sqlstore.DB {
	t.Helper()
	opts.Now = func() time.Time { return Now }
	db, err := sqlstore.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A copy is what loading the partnership writes: the same partnership, the
// same audit log, sealed data readable under the keyring it comes with.
func TestCopyIsALoad(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	loadedDB := open(t, filepath.Join(dir, "loaded.db"), sqlstore.Options{Keyring: sealing.GenerateKeyring()})
	loaded, err := Load(ctx, loadedDB)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"first.db", "second.db"} { // the template, then a copy of it
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			p, k := SQLite(t, path)
			// What a load makes at random: the ids of a complaint's events
			// and attachments.
			randomIDs := cmp.Options{
				cmpopts.IgnoreFields(accord.GrievanceEvent{}, "ID"),
				cmpopts.IgnoreFields(accord.GrievanceAttachment{}, "ID", "EventID"),
			}
			if diff := cmp.Diff(loaded, p, randomIDs); diff != "" {
				t.Fatalf("partnership differs from a load (-load +copy):\n%s", diff)
			}
			db := open(t, path, sqlstore.Options{Keyring: k})
			for _, engine := range []*sqlstore.DB{loadedDB, db} {
				size, err := engine.AuditSize(ctx)
				if err != nil || size == 0 {
					t.Fatalf("AuditSize = %d, %v", size, err)
				}
			}
			want, _ := loadedDB.AuditSize(ctx)
			got, _ := db.AuditSize(ctx)
			wantRoot, err1 := loadedDB.RootAt(ctx, want)
			gotRoot, err2 := db.RootAt(ctx, got)
			if err1 != nil || err2 != nil || got != want || !bytes.Equal(gotRoot, wantRoot) {
				t.Fatalf("audit log: %d entries, root %x (%v); a load has %d, root %x (%v)", got, gotRoot, err2, want, wantRoot, err1)
			}
			sealed := 0
			for _, r := range p.Records {
				if r.Category != accord.CatImmigrationStatus && r.Note == "" {
					continue
				}
				sealed++
				stored, err := db.OpenRecords(ctx, r.ClientID, []string{r.ID})
				if err != nil || len(stored) != 1 {
					t.Fatalf("OpenRecords(%s) = %d records, %v", r.ID, len(stored), err)
				}
				if stored[0].Content != r.Content || stored[0].Note != r.Note {
					t.Fatalf("record %s unsealed as %q, %q; want %q, %q", r.ID, stored[0].Content, stored[0].Note, r.Content, r.Note)
				}
			}
			if sealed == 0 {
				t.Fatal("the partnership has no sealed records to open")
			}
		})
	}
}

// Each test's partnership is its own: changing one changes no other.
func TestCopiesShareNothing(t *testing.T) {
	dir := t.TempDir()
	a, _ := SQLite(t, filepath.Join(dir, "a.db"))
	b, _ := SQLite(t, filepath.Join(dir, "b.db"))
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("two copies differ:\n%s", diff)
	}
	// A client with languages and a care team, a consent with purposes:
	// what a shared slice, map or pointer would carry from a to b.
	i := slices.IndexFunc(a.Clients, func(c accord.Client) bool { return len(c.Languages) > 0 && len(a.CareTeams[c.ID]) > 0 })
	j := slices.IndexFunc(a.Consents, func(c accord.Consent) bool { return len(c.Provisions) > 0 && len(c.Provisions[0].Purposes) > 0 })
	if i < 0 || j < 0 {
		t.Fatal("the partnership has no client with languages and a care team, or no consent with purposes")
	}
	id := a.Clients[i].ID
	wantLang, wantTeam, wantPurpose, wantRole := b.Clients[i].Languages[0], b.CareTeams[id][0], b.Consents[j].Provisions[0].Purposes[0], b.Staff[0].Roles[0]
	a.Clients[i].Languages[0] = "changed"
	a.CareTeams[id][0] = "changed"
	a.Consents[j].Provisions[0].Purposes[0] = "changed"
	a.Staff[0].Roles[0] = "changed"
	for _, c := range []struct{ what, got, want string }{
		{"a client's language", b.Clients[i].Languages[0], wantLang},
		{"a care team", b.CareTeams[id][0], wantTeam},
		{"a consent provision's purpose", string(b.Consents[j].Provisions[0].Purposes[0]), string(wantPurpose)},
		{"a staff member's role", string(b.Staff[0].Roles[0]), string(wantRole)},
	} {
		if c.got != c.want {
			t.Errorf("changing %s in one copy changed another: %q, want %q", c.what, c.got, c.want)
		}
	}
}
