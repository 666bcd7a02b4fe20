package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/match"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

var (
	benchGiven = strings.Fields(`Mohammed Ahmed Ali Hassan Hussein Omar Yusuf Ibrahim Khalid Mahmoud Abdullah Mustafa Karim Samir Tariq Walid Amal Fatima Aisha Mariam
		Layla Noor Huda Samira Rania Zainab Hana Yasmin Salma Dina Farid Jawad Nasrin Parisa Ahmad Habib Zahra Soraya Gul Mina Abdi Farah Hodan Amina Ayaan Warsame
		Liban Hamdi Filsan Omar Selam Tesfay Yonas Meron Dawit Helen Senait Abel Samuel Ruth Olena Oleksandr Iryna Andriy Natalia Serhiy Olha Mykola Tetiana Yurii
		Maria Jose Carlos Ana Luis Carmen Juan Rosa Miguel Elena Jorge Lucia Diego Sofia Pedro Isabel Marie Jean Pierre Sophie Luc Claire Amadou Fatou Moussa Awa
		James Mary John Patricia Robert Jennifer Michael Linda David Susan Daniel Sarah Thomas Karen Emma Oliver Grace Noah Chloe Ethan`)
	benchFamily = strings.Fields(`Haddad Khalil Saleh Nasser Mansour Hamdan Darwish Aziz Rahimi Haidari Karimi Noori Ahmadi Sultani Popal Wardak Samadi Farah Warsame
		Mohamed Abdi Hassan Ali Jama Osman Yusuf Tesfay Gebremedhin Haile Berhane Kidane Tesfamariam Kovalenko Shevchenko Bondarenko Tkachenko Kravchenko Melnyk
		Boyko Oliinyk Lysenko Garcia Rodriguez Martinez Lopez Gonzalez Hernandez Perez Sanchez Ramirez Torres Flores Diaz Martin Bernard Dubois Thomas Robert
		Richard Petit Durand Leroy Moreau Diallo Traore Keita Toure Coulibaly Smith Jones Williams Brown Taylor Davies Evans Wilson Johnson Roberts Walker
		Okafor Mensah Osei Asante Boateng Nwosu Adeyemi Chen Wang Patel Khan Begum Rahman Hussain Akhtar Iqbal Malik Shah Nowak Kowalski`)
)

// syntheticClient returns a realistic client: names from eight language
// groups, a birth date (sometimes only a year), usually a phone.
func syntheticClient(r *rand.Rand, home string) accord.Client {
	c := accord.Client{
		HomeOrganizationID: home, GivenName: benchGiven[r.IntN(len(benchGiven))],
		FamilyName: benchFamily[r.IntN(len(benchFamily))] + func() string {
			if r.IntN(4) == 0 {
				return " " + benchFamily[r.IntN(len(benchFamily))]
			}
			return ""
		}(),
		Gender: accord.GenderNotStated, PreferredLanguage: "en",
	}
	d := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(80*365))
	switch r.IntN(10) {
	case 0:
		c.BirthDate = d.Format("2006")
	case 1:
		c.BirthDate = d.Format("2006-01")
	default:
		c.BirthDate = d.Format(time.DateOnly)
	}
	if r.IntN(10) < 8 {
		c.Phone = fmt.Sprintf("+44 7%03d %06d", r.IntN(1000), r.IntN(1000000))
	}
	return c
}

// variant returns what intake might type for c: a misspelling, swapped
// names, a year-only or transposed date, a missing or reformatted phone.
func variant(r *rand.Rand, c accord.Client) match.Person {
	p := match.FromClient(&c)
	switch r.IntN(6) {
	case 0: // drop a letter
		if len(p.GivenName) > 3 {
			i := 1 + r.IntN(len(p.GivenName)-2)
			p.GivenName = p.GivenName[:i] + p.GivenName[i+1:]
		}
	case 1:
		p.GivenName, p.FamilyName = p.FamilyName, p.GivenName
	case 2:
		if len(p.BirthDate) >= 4 {
			p.BirthDate = p.BirthDate[:4]
		}
	case 3:
		p.Phone = ""
	case 4:
		if len(p.BirthDate) == 10 && p.BirthDate[8:] <= "12" {
			p.BirthDate = p.BirthDate[:5] + p.BirthDate[8:] + "-" + p.BirthDate[5:7]
		}
	case 5:
		p.FamilyName = strings.ToUpper(p.FamilyName)
		p.Phone = strings.ReplaceAll(p.Phone, "+44 ", "0")
	}
	return p
}

// BenchmarkDuplicateSearch searches ACCORD_BENCH_CLIENTS clients (default
// 1,000,000; built once into ACCORD_BENCH_DIR) for variants of existing
// clients, as intake does: the blocking-key lookup in SQL, then scoring.
// It reports latency percentiles and recall (the true client among the
// duplicates match.Show returns, likely or possible).
func BenchmarkDuplicateSearch(b *testing.B) {
	n := envIntB("ACCORD_BENCH_CLIENTS", 1_000_000)
	dir := os.Getenv("ACCORD_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := os.Getenv("ACCORD_BENCH_POSTGRES")
	if path == "" {
		path = filepath.Join(dir, fmt.Sprintf("accord-bench-clients-%d.db", n))
	}
	ringFile := filepath.Join(dir, fmt.Sprintf("accord-bench-clients-%d.kek", n))
	ring := sealing.GenerateKeyring()
	if b, err := os.ReadFile(ringFile); err == nil {
		ring, _ = sealing.ParseKeyring(b)
	} else {
		os.WriteFile(ringFile, ring.Marshal(), 0o600)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{Keyring: ring})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	orgs, _ := db.Organizations(ctx)
	if len(orgs) == 0 {
		o := &accord.Organization{Name: "Clinic", Sector: accord.SectorHealth}
		if err := db.CreateOrganization(ctx, accord.Actor{StaffID: "system"}, o); err != nil {
			b.Fatal(err)
		}
		orgs = []accord.Organization{*o}
	}
	r := rand.New(rand.NewPCG(1, 2))
	var have int
	if found, _ := db.SearchClients(ctx, "a", 1); len(found) > 0 {
		have = n // built by an earlier run (all or nothing: one transaction per batch, in order)
	}
	all := make([]accord.Client, 0, n)
	for i := range n {
		c := syntheticClient(r, orgs[0].ID)
		c.ID = fmt.Sprintf("cli_%026d", i)
		all = append(all, c)
	}
	if have < n {
		b.Logf("building %d clients in %s (once)…", n, path)
		for start := 0; start < n; start += 20000 {
			err := db.Import(ctx, accord.Actor{StaffID: "system"}, "bench.clients", func(im *sqlstore.Importer) error {
				for i := start; i < min(start+20000, n); i++ {
					if err := im.Client(&all[i]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	queries := make([]match.Person, 2000)
	truth := make([]string, len(queries))
	for i := range queries {
		k := r.IntN(n)
		queries[i], truth[i] = variant(r, all[k]), all[k].ID
	}
	lat := make([]time.Duration, 0, b.N)
	found, candidates := 0, 0
	b.ResetTimer()
	for i := range b.N {
		q := queries[i%len(queries)]
		t := time.Now()
		cands, err := db.MatchCandidates(ctx, q, 2000)
		if err != nil {
			b.Fatal(err)
		}
		// A hit in either band: the likely or the possible duplicates.
		hit := false
		ranked := match.Show(q, cands)
		ids := make([]string, len(ranked))
		for j, r := range ranked {
			ids[j] = r.ID
			hit = hit || r.ID == truth[i%len(queries)]
		}
		// Intake then reads the records of those shown.
		if _, err := db.ClientsByID(ctx, ids); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
		candidates += len(cands)
		if hit {
			found++
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(found)/float64(b.N), "recall")
	b.ReportMetric(float64(candidates)/float64(b.N), "candidates/query")
}

func envIntB(name string, def int) int {
	var v int
	if _, err := fmt.Sscan(os.Getenv(name), &v); err == nil && v > 0 {
		return v
	}
	return def
}
