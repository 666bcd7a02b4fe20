package indicator_test

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// TestDemoReleaseRecoversNothing runs the adversary of
// TestReleaseRecoversNothing on the release the demo partnership publishes
// — its last full quarter, built from its database as accord demo and
// accord report build do — under both profiles: no count from 1 to the
// threshold is published, no rate without both its counts, and (exact
// counts) nothing hidden can be worked out from every table of the release
// together.
func TestDemoReleaseRecoversNothing(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), sqlstore.Options{Keyring: sealing.GenerateKeyring(), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := demo.Generate(demo.Options{Seed: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Import(ctx, accord.Actor{StaffID: "system"}, "demo.load", func(im *sqlstore.Importer) error {
		return p.Load(im, func(string) string { return "" }, time.Hour)
	}); err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	svc, err := enforce.New(ctx, enforce.Config{DB: db, Now: clock, Receipts: enforce.NewReceiptSigner(key, "", "")})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"standard", "round5", "dp"} {
		t.Run(name, func(t *testing.T) {
			opts := enforce.ReleaseOptions{Profile: name}
			if name == "dp" {
				opts.Epsilon = 4
			}
			rep, err := svc.BuildRelease(ctx, accord.PeriodOf(now).Prev(), opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			prof := rep.Release.Profile
			shown, hidden := checkRelease(t, rep.Release, prof)
			if shown == 0 || hidden == 0 {
				t.Errorf("the demo release should have both shown (%d) and hidden (%d) figures", shown, hidden)
			}
			// Rounded counts are not exact, so subtraction recovers
			// nothing exact from them; the exact profile is the test.
			if got := recover(rep.Release); prof.RoundTo == 0 && len(got) > 0 {
				t.Errorf("the adversary recovered %v from the demo release", got)
			}
		})
	}
}
