package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/cputime"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// Sizes of the indicator benchmark per client: 1,000,000 clients (the
// default, ACCORD_BENCH_CLIENTS) give 3,000,000 referrals, 200,000
// escalations, 50,000 complaints, 300,000 screenings and 100,000 cases —
// about 10,000,000 events (registrations, sends, acceptances, completions,
// declines, acknowledgements, resolutions, screenings, openings,
// treatments).
const (
	benchReferralsPer   = 3
	benchEscalationsPer = 0.2
	benchGrievancesPer  = 0.05
	benchScreeningsPer  = 0.3
	benchCasesPer       = 0.1
)

// benchSpan is the two years the generated activity spreads over.
var benchStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

const benchSpanUS = int64(2 * 365 * 24 * time.Hour / time.Microsecond)

// indicatorBenchDB returns a SQLite database of n clients and their
// casework, built once per size with bulk SQL (a recursive CTE per table)
// in the benchmark directory (ACCORD_BENCH_DIR, default the temp dir) and
// reused by later runs. Rows carry no sealed data (the facts never read
// any): its columns hold a placeholder byte.
func indicatorBenchDB(b *testing.B, n int) string {
	dir := os.Getenv("ACCORD_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("accord-bench-indicators-%d.db", n))
	if _, err := os.Stat(path + ".done"); err == nil {
		return path
	}
	os.Remove(path)
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	b.Logf("building %d clients and their casework in %s (once)…", n, path)
	start := time.Now()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{Keyring: sealing.GenerateKeyring(), Now: func() time.Time { return benchStart }})
	if err != nil {
		b.Fatal(err)
	}
	var orgs []string
	for _, o := range []accord.Organization{
		{Name: "Clinic", Sector: accord.SectorHealth}, {Name: "Legal Aid", Sector: accord.SectorLegal},
		{Name: "NGO", Sector: accord.SectorCivilSociety}, {Name: "Social Services", Sector: accord.SectorSocial},
		{Name: "Ombudsperson", Sector: accord.SectorOversight},
	} {
		if err := db.CreateOrganization(ctx, accord.Actor{StaffID: "system"}, &o); err != nil {
			b.Fatal(err)
		}
		orgs = append(orgs, o.ID)
	}
	db.Close()

	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	// org(x) picks one of the four service organisations by x.
	org := func(x string) string {
		return fmt.Sprintf("CASE (%s) %% 4 WHEN 0 THEN '%s' WHEN 1 THEN '%s' WHEN 2 THEN '%s' ELSE '%s' END", x, orgs[0], orgs[1], orgs[2], orgs[3])
	}
	// h(k) is a pseudo-random non-negative number from row i and salt k.
	h := func(k int) string { return fmt.Sprintf("((i * %d + %d) %% 1000003)", 2654435761+k*7919, k*104729) }
	at := fmt.Sprintf("(%d + (i * 2654435761) %% %d)", benchStart.UnixMicro(), benchSpanUS) // spread over two years
	hour := int64(time.Hour / time.Microsecond)
	rows := func(m float64) int { return max(1, int(float64(n)*m)) }
	steps := []struct {
		table string
		n     int
		sql   string
	}{
		{"clients", n, `INSERT INTO clients (id, home_organization_id, given_name, family_name, search_name, birth_date, gender, gender_text,
			preferred_language, languages, interpreter_needed, disabilities, identifiers, phone, email, address, created_at, updated_at, version, interpreter_used)
			SELECT printf('cli_%026d', i), ` + org("i") + `, 'Bench', 'Client', 'bench client',
			printf('%04d-%02d-%02d', 1935 + ` + h(1) + ` % 88, 1 + ` + h(2) + ` % 12, 1 + ` + h(3) + ` % 28),
			CASE ` + h(4) + ` % 100 WHEN 0 THEN 'non_binary' WHEN 1 THEN 'self_described' WHEN 2 THEN 'not_stated' ELSE CASE i % 2 WHEN 0 THEN 'woman' ELSE 'man' END END, '',
			CASE ` + h(5) + ` % 10 WHEN 0 THEN 'ar' WHEN 1 THEN 'es' WHEN 2 THEN 'fr' WHEN 3 THEN 'uk' WHEN 4 THEN 'fa-AF' WHEN 5 THEN 'ps' WHEN 6 THEN 'so' WHEN 7 THEN 'ti' ELSE 'en' END, '[]',
			` + h(6) + ` % 100 < 35, CASE WHEN ` + h(7) + ` % 100 < 13 THEN '["mobility"]' ELSE '[]' END, '[]', '', '', '', ` + at + `, ` + at + `, 1, ` + h(8) + ` % 100 < 28
			FROM n`},
		{"referrals", rows(benchReferralsPer), `INSERT INTO referrals (id, client_id, case_id, from_org_id, from_staff_id, to_org_id, service_id, purpose, categories,
			reason, urgency, status, status_reason, assigned_to, respond_by, sent_at, updated_at, version, accepted_at, completed_at)
			SELECT printf('ref_%026d', i), printf('cli_%026d', ` + h(1) + ` * 7 % ` + fmt.Sprint(n) + `), '', ` + org("i") + `, 'stf', ` + org("i + 1 + i % 3") + `, '', 'COC', '[]',
			x'00', 'routine', CASE WHEN ` + h(2) + ` % 100 < 8 THEN 'declined' WHEN ` + h(2) + ` % 100 < 15 THEN 'cancelled' WHEN ` + h(2) + ` % 100 < 87 THEN 'completed' ELSE 'accepted' END,
			NULL, '', s + 240 * ` + fmt.Sprint(hour) + `, s, s + ` + h(3) + ` % (400 * ` + fmt.Sprint(hour) + `), 2,
			CASE WHEN ` + h(2) + ` % 100 >= 15 THEN s + ` + h(4) + ` % (72 * ` + fmt.Sprint(hour) + `) END,
			CASE WHEN ` + h(2) + ` % 100 BETWEEN 15 AND 86 THEN s + 72 * ` + fmt.Sprint(hour) + ` + ` + h(5) + ` % (300 * ` + fmt.Sprint(hour) + `) END
			FROM (SELECT i, ` + at + ` AS s FROM n)`},
		{"escalations", rows(benchEscalationsPer), `INSERT INTO escalations (id, client_id, case_id, kind, urgency, summary, organization_id, raised_by, raised_at, level,
			contact_id, due_at, sla_seconds, status, owner_id, acknowledged_at, resolved_at, resolution, exhausted, version)
			SELECT printf('esc_%026d', i), printf('cli_%026d', ` + h(1) + ` % ` + fmt.Sprint(n) + `), '', 'imminent_eviction', 'urgent', x'00', ` + org("i") + `, 'stf', s, 0,
			'stf', s + 4 * ` + fmt.Sprint(hour) + `, 14400, 'resolved', 'stf', s + ` + h(2) + ` % (5 * ` + fmt.Sprint(hour) + `), s + ` + h(3) + ` % (96 * ` + fmt.Sprint(hour) + `) + 5 * ` + fmt.Sprint(hour) + `, NULL, FALSE, 3
			FROM (SELECT i, ` + at + ` AS s FROM n)`},
		{"grievances", rows(benchGrievancesPer), `INSERT INTO grievances (id, code_hash, category, channel, organization_id, case_id, agreement_id, oversight_only, anonymous,
			handler_org_id, oversight_org_id, oversight, level, overdue, text_key_version, description, reporter_key_version, reporter, client_ref, status,
			received_at, due_at, acknowledged_at, resolved_at, outcome, appealed_at, appeal_outcome, closed_at, version)
			SELECT printf('grv_%026d', i), CAST(printf('%032d', i) AS BLOB), 'other', 'public', ` + org("i") + `, '', '', FALSE, TRUE, ` + org("i") + `, '` + orgs[4] + `', FALSE, 0, FALSE,
			1, x'00', 1, x'00', '', 'resolved', s, s + 14 * 24 * ` + fmt.Sprint(hour) + `, NULL, s + ` + h(1) + ` % (20 * 24 * ` + fmt.Sprint(hour) + `), 'upheld', NULL, '', NULL, 3
			FROM (SELECT i, ` + at + ` AS s FROM n)`},
		{"screenings", rows(benchScreeningsPer), `INSERT INTO screenings (id, client_id, organization_id, questionnaire, response, needs, language, interpreter_used, recorded_by, recorded_at)
			SELECT printf('scr_%026d', i), printf('cli_%026d', i % ` + fmt.Sprint(max(1, rows(benchScreeningsPer)*2/3)) + `), ` + org("i") + `, 'q|1', x'00',
			CASE ` + h(1) + ` % 4 WHEN 0 THEN '[]' WHEN 1 THEN '[{"code":"food","urgency":"soon"}]' WHEN 2 THEN '[{"code":"housing","urgency":"soon"},{"code":"income_benefits","urgency":"routine"}]'
			ELSE '[{"code":"food","urgency":"soon"},{"code":"literacy","urgency":"routine"},{"code":"immigration_legal_status","urgency":"routine"}]' END,
			'en', ` + h(2) + ` % 100 < 30, 'stf', ` + at + `
			FROM n`},
		{"cases", rows(benchCasesPer), `INSERT INTO cases (id, client_id, lead_organization_id, title, status, opened_by, opened_at, closed_at, close_reason, goals, outcomes, version)
			SELECT printf('cas_%026d', i), printf('cli_%026d', ` + h(1) + ` % ` + fmt.Sprint(n) + `), ` + org("i") + `, x'00', 'open', 'stf', s, NULL, NULL, x'00',
			CASE WHEN ` + h(2) + ` % 100 < 60 THEN '[{"kind":"health","code":"treatment_started","recorded_by":"stf","recorded_at":"' ||
				strftime('%Y-%m-%dT%H:%M:%SZ', s / 1000000 + ` + h(3) + ` % 2000000, 'unixepoch') || '"}]' ELSE '[]' END, 2
			FROM (SELECT i, ` + at + ` AS s FROM n)`},
	}
	for _, s := range steps {
		t := time.Now()
		q := fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d) `, s.n-1) + s.sql
		if _, err := raw.ExecContext(ctx, q); err != nil {
			b.Fatalf("%s: %v", s.table, err)
		}
		b.Logf("%s: %d rows in %v", s.table, s.n, time.Since(t).Round(time.Millisecond))
	}
	if _, err := raw.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path+".done", nil, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Logf("built in %v", time.Since(start).Round(time.Second))
	return path
}

// benchAreas gives the benchmark's clients an area — five areas, one of
// them small, a tenth not recorded — once per database (databases built
// before areas existed get them here).
func benchAreas(b *testing.B, db *sqlstore.DB, path string) {
	if _, err := os.Stat(path + ".areas"); err == nil {
		return
	}
	ctx := context.Background()
	for _, a := range []string{"riverside", "northside", "old-town", "eastfield", "mill-island"} {
		if err := db.CreateArea(ctx, accord.Actor{StaffID: "system"}, &accord.Area{Code: a, Name: a}); err != nil && accord.ErrorCode(err) != accord.ECONFLICT {
			b.Fatal(err)
		}
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, `UPDATE clients SET area = CASE ((rowid * 2654435761) % 1000003) % 50
		WHEN 0 THEN 'mill-island' ELSE CASE ((rowid * 2654435761) % 1000003) % 10 WHEN 0 THEN '' WHEN 1 THEN 'eastfield' WHEN 2 THEN 'eastfield'
		WHEN 3 THEN 'old-town' WHEN 4 THEN 'old-town' WHEN 5 THEN 'northside' WHEN 6 THEN 'northside' ELSE 'riverside' END END`); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path+".areas", nil, 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkIndicatorFacts streams every indicator fact of a SQLite
// database of ACCORD_BENCH_CLIENTS clients (default 1,000,000, about
// 10,000,000 events), and, in the same run, counts the same referrals by
// receiving organisation, language and interpreter need with one plain
// SQL GROUP BY: the least any storage could do for one breakdown.
func BenchmarkIndicatorFacts(b *testing.B) {
	n := envIntB("ACCORD_BENCH_CLIENTS", 1_000_000)
	path := indicatorBenchDB(b, n)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{Keyring: sealing.GenerateKeyring()})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	benchAreas(b, db, path)
	from, to := benchStart.AddDate(-1, 0, 0), benchStart.AddDate(3, 0, 0)

	// The goal: the whole default suite, every breakdown, for every
	// quarter of the two years, from the database.
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	benchStoredFacts(b, db, raw, from, to)

	b.Run("facts_from_tables", func(b *testing.B) {
		var facts, events, referrals int
		var referralTime time.Duration
		start, cpu := time.Now(), cputime.Process()
		for b.Loop() {
			facts, events, referrals = 0, 0, 0
			t := time.Now()
			if err := db.IndicatorFactsFromTables(ctx, from, to, func(f *accord.IndicatorFact) error {
				facts++
				for _, at := range f.At {
					if !at.IsZero() {
						events++
					}
				}
				if f.Unit == "referral" {
					referrals++
				} else if referralTime == 0 {
					referralTime = time.Since(t) // referrals stream first
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		elapsed, used := time.Since(start).Seconds()/float64(b.N), (cputime.Process()-cpu).Seconds()/float64(b.N)
		b.ReportMetric(float64(facts)/elapsed, "facts/s")
		if used > 0 {
			b.ReportMetric(float64(facts)/used, "facts/cpu-s")
		}
		b.ReportMetric(float64(events), "events")
		b.ReportMetric(float64(facts), "facts")
		b.ReportMetric(float64(referrals)/referralTime.Seconds(), "referral-facts/s")
	})

	b.Run("group_by", func(b *testing.B) {
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&_pragma=mmap_size(1073741824)")
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		var referrals int64
		start, cpu := time.Now(), cputime.Process()
		for b.Loop() {
			referrals = 0
			rows, err := raw.QueryContext(ctx, `SELECT r.to_org_id, c.preferred_language, c.interpreter_needed, count(*), count(r.completed_at)
				FROM referrals r JOIN clients c ON c.id = r.client_id WHERE r.sent_at >= $1 AND r.sent_at < $2 GROUP BY 1, 2, 3`, from.UnixMicro(), to.UnixMicro())
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var org, lang string
				var interp bool
				var count, completed int64
				if err := rows.Scan(&org, &lang, &interp, &count, &completed); err != nil {
					b.Fatal(err)
				}
				referrals += count
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				b.Fatal(err)
			}
		}
		elapsed, used := time.Since(start).Seconds()/float64(b.N), (cputime.Process()-cpu).Seconds()/float64(b.N)
		b.ReportMetric(float64(referrals)/elapsed, "referrals/s")
		if used > 0 {
			b.ReportMetric(float64(referrals)/used, "referrals/cpu-s")
		}
		b.ReportMetric(float64(referrals), "referrals")
	})
}
