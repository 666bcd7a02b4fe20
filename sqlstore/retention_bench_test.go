package sqlstore_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/internal/cputime"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// BenchmarkRetentionPurge plans and purges 10,000 due clients, each with a
// record at the clinic and one at legal aid under an agreement whose
// 365-day period ended long ago, plus 10,000 clients still in use: the
// plan reads all 20,000, the purge erases the 10,000 (one transaction and
// one audit entry each). It reports the plan and the purge separately,
// with CPU time.
//
//	go test ./sqlstore -run '^$' -bench RetentionPurge -benchtime 1x
func BenchmarkRetentionPurge(b *testing.B) {
	due, kept := benchRetentionClients(), benchRetentionClients()
	for _, e := range testdb.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				ctx := context.Background()
				now := t0.AddDate(0, 0, -800)
				db, err := sqlstore.Open(ctx, e.DSN(b), sqlstore.Options{Keyring: sealing.GenerateKeyring(), Now: func() time.Time { return now }})
				if err != nil {
					b.Fatal(err)
				}
				system := accord.Actor{StaffID: "system"}
				clinic := accord.Organization{Name: "Clinic", Sector: accord.SectorHealth}
				legal := accord.Organization{Name: "Legal Aid", Sector: accord.SectorLegal}
				a := &accord.Agreement{Title: "MLP", Parties: []string{}, Purposes: []accord.Purpose{accord.PurposeLegalAid},
					Categories: []accord.Category{accord.CatClinicalSummary}, Roles: []accord.Role{accord.RoleLegalAdvocate}, RetentionDays: 365,
					EffectiveFrom: t0.AddDate(-3, 0, 0), EffectiveUntil: t0.AddDate(1, 0, 0), ReviewDate: t0.AddDate(0, 6, 0),
					Status: accord.AgreementActive}
				nurse := accord.NewID(accord.PrefixStaff, nil)
				load := func(n int, at time.Time) {
					if err := db.Import(ctx, system, "bench.load", func(im *sqlstore.Importer) error {
						for range n {
							c := &accord.Client{ID: accord.NewID(accord.PrefixClient, nil), HomeOrganizationID: clinic.ID, GivenName: "Ana",
								Gender: accord.GenderNotStated, PreferredLanguage: "en", CreatedAt: at}
							if err := im.Client(c); err != nil {
								return err
							}
							for _, org := range []string{clinic.ID, legal.ID} {
								if err := im.Record(&accord.Record{ID: accord.NewID(accord.PrefixRecord, nil), ClientID: c.ID, OrganizationID: org,
									Category: accord.CatClinicalSummary, Content: "Seen; well.", RecordedBy: nurse, RecordedAt: at}); err != nil {
									return err
								}
							}
						}
						return nil
					}); err != nil {
						b.Fatal(err)
					}
				}
				if err := db.Import(ctx, system, "bench.orgs", func(im *sqlstore.Importer) error {
					for _, o := range []*accord.Organization{&clinic, &legal} {
						o.ID = accord.NewID(accord.PrefixOrganization, nil)
						if err := im.Organization(o); err != nil {
							return err
						}
					}
					a.ID, a.Version, a.Parties = accord.NewID(accord.PrefixAgreement, nil), 1, []string{clinic.ID, legal.ID}
					a.Signatories = []accord.Signatory{{OrganizationID: clinic.ID, Name: "Director", SignedAt: now}, {OrganizationID: legal.ID, Name: "Director", SignedAt: now}}
					return im.Agreement(a)
				}); err != nil {
					b.Fatal(err)
				}
				load(due, now)
				load(kept, t0.AddDate(0, 0, -10))
				now = t0

				b.StartTimer()
				wall, cpu := time.Now(), cputime.Process()
				run, _, err := db.StartRetentionRun(ctx, system)
				if err != nil || run.Planned != due {
					b.Fatalf("planned %+v, %v; want %d", run, err, due)
				}
				planWall, planCPU := time.Since(wall), cputime.Process()-cpu
				wall, cpu = time.Now(), cputime.Process()
				done, err := enforce.NewRetentionWorker(db).Work(ctx)
				if err != nil || done.Done != due {
					b.Fatalf("purged %+v, %v", done, err)
				}
				purgeWall, purgeCPU := time.Since(wall), cputime.Process()-cpu
				b.StopTimer()
				b.ReportMetric(planWall.Seconds(), "plan-s")
				b.ReportMetric(planCPU.Seconds(), "plan-cpu-s")
				b.ReportMetric(purgeWall.Seconds(), "purge-s")
				b.ReportMetric(purgeCPU.Seconds(), "purge-cpu-s")
				b.ReportMetric(float64(due)/purgeWall.Seconds(), "clients/s")
				db.Close()
			}
		})
	}
}

// benchRetentionClients is how many due (and as many kept) clients the
// benchmark makes: 10,000, or ACCORD_BENCH_RETENTION_CLIENTS.
func benchRetentionClients() int {
	if n, err := strconv.Atoi(os.Getenv("ACCORD_BENCH_RETENTION_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 10_000
}
