package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/indicator"
	"github.com/accord-project/accord/internal/cputime"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// indicatorBenchPostgres returns the DSN of a PostgreSQL copy of the
// SQLite benchmark database of n clients: a schema of its own in the
// ACCORD_TEST_POSTGRES database, made by Accord's migrations and filled
// with COPY once, then kept for later runs.
func indicatorBenchPostgres(b *testing.B, n int) string {
	base := os.Getenv("ACCORD_TEST_POSTGRES")
	if base == "" {
		b.Skip("ACCORD_TEST_POSTGRES is not set")
	}
	schema := fmt.Sprintf("accord_bench_indicators_%d", n)
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	dsn := u.String()
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var done bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'bench_done')`, schema).Scan(&done); err != nil {
		b.Fatal(err)
	}
	if done {
		return dsn
	}
	start := time.Now()
	b.Logf("copying the %d-client benchmark database into PostgreSQL schema %s (once)…", n, schema)
	if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
		b.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		b.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Keyring: sealing.GenerateKeyring()})
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	src, err := sql.Open("sqlite", "file:"+indicatorBenchDB(b, n)+"?_pragma=query_only(1)")
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	// A restore, as pg_restore does it: without the triggers that list
	// changed clients for the stored indicator facts (a first refresh
	// computes every client's anyway).
	if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		b.Fatal(err)
	}
	for _, table := range []string{"organizations", "areas", "clients", "referrals", "escalations", "grievances", "screenings", "cases", "case_participants", "legal_bases"} {
		t := time.Now()
		rows, err := conn.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`, schema, table)
		if err != nil {
			b.Fatal(err)
		}
		var cols, types []string
		for rows.Next() {
			var c, ty string
			if err := rows.Scan(&c, &ty); err != nil {
				b.Fatal(err)
			}
			cols, types = append(cols, c), append(types, ty)
		}
		if rows.Err() != nil {
			b.Fatal(rows.Err())
		}
		if _, err := conn.Exec(ctx, `DELETE FROM `+table); err != nil { // rows the migrations made
			b.Fatal(err)
		}
		from, err := src.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
		if err != nil {
			b.Fatal(err)
		}
		vals := make([]any, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		copied, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
			if !from.Next() {
				return nil, from.Err()
			}
			if err := from.Scan(dest...); err != nil {
				return nil, err
			}
			row := make([]any, len(vals))
			for i, v := range vals {
				switch {
				case v == nil:
				case types[i] == "boolean":
					x, _ := v.(int64)
					row[i] = x != 0
				case types[i] == "bytea":
					switch s := v.(type) {
					case string:
						row[i] = []byte(s)
					default:
						row[i] = s
					}
				default:
					row[i] = v
				}
			}
			return row, nil
		}))
		from.Close()
		if err != nil {
			b.Fatalf("%s: %v", table, err)
		}
		b.Logf("%s: %d rows in %v", table, copied, time.Since(t).Round(time.Millisecond))
	}
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE bench_done (at BIGINT)`); err != nil {
		b.Fatal(err)
	}
	b.Logf("copied in %v", time.Since(start).Round(time.Second))
	return dsn
}

// BenchmarkIndicatorSuitePostgres is BenchmarkIndicatorFacts's suite on
// PostgreSQL, beside the same plain GROUP BY in the same run.
func BenchmarkIndicatorSuitePostgres(b *testing.B) {
	n := envIntB("ACCORD_BENCH_CLIENTS", 1_000_000)
	ctx := context.Background()
	{ // the SQLite database gets its areas first
		path := indicatorBenchDB(b, n)
		db, err := sqlstore.Open(ctx, path, sqlstore.Options{Keyring: sealing.GenerateKeyring()})
		if err != nil {
			b.Fatal(err)
		}
		benchAreas(b, db, path)
		db.Close()
	}
	dsn := indicatorBenchPostgres(b, n)
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Keyring: sealing.GenerateKeyring()})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	from, to := benchStart.AddDate(-1, 0, 0), benchStart.AddDate(3, 0, 0)
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	benchStoredFacts(b, db, raw, from, to)
	b.Run("group_by", func(b *testing.B) {
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
			rows.Close()
		}
		b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "wall-s")
		b.ReportMetric((cputime.Process()-cpu).Seconds()/float64(b.N), "client-cpu-s")
		b.ReportMetric(float64(referrals), "referrals")
	})
}

// benchSuite counts the whole default suite, every breakdown, for every
// quarter of the benchmark's two years, from db.
func benchSuite(b *testing.B, db *sqlstore.DB, from, to time.Time, read func(context.Context, time.Time, time.Time, func(*accord.IndicatorFact) error) error) {
	var periods []accord.Period
	for p := accord.PeriodOf(benchStart); p.Start().Before(benchStart.AddDate(2, 0, 0)); p = p.Next() {
		periods = append(periods, p)
	}
	var facts int
	var results []indicator.Result
	start, cpu := time.Now(), cputime.Process()
	for b.Loop() {
		comp, err := indicator.NewComputer(indicator.Default(), periods)
		if err != nil {
			b.Fatal(err)
		}
		facts = 0
		if err := read(context.Background(), from, to, func(f *accord.IndicatorFact) error {
			comp.Add(f)
			facts++
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		results = comp.Results()
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "wall-s")
	b.ReportMetric((cputime.Process()-cpu).Seconds()/float64(b.N), "cpu-s")
	b.ReportMetric(float64(facts), "facts")
	b.ReportMetric(float64(len(results)), "results")
}

// benchStoredFacts measures the stored facts: computing every client's
// (build), the suite read from them, the same suite computed from the
// tables, and bringing them up to date after 1,000 clients' referrals
// changed.
func benchStoredFacts(b *testing.B, db *sqlstore.DB, raw *sql.DB, from, to time.Time) {
	ctx := context.Background()
	b.Run("build", func(b *testing.B) {
		var r sqlstore.FactRefresh
		start, cpu := time.Now(), cputime.Process()
		for b.Loop() {
			if _, err := raw.ExecContext(ctx, `UPDATE indicator_facts_state SET built = (1 = 0)`); err != nil {
				b.Fatal(err)
			}
			var err error
			if r, err = db.RefreshIndicatorFacts(ctx); err != nil || !r.Full {
				b.Fatal(r, err)
			}
		}
		b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "wall-s")
		b.ReportMetric((cputime.Process()-cpu).Seconds()/float64(b.N), "cpu-s")
		b.ReportMetric(float64(r.Clients), "clients")
		b.ReportMetric(float64(r.Facts), "facts")
	})
	b.Run("suite", func(b *testing.B) { benchSuite(b, db, from, to, db.IndicatorFacts) })
	b.Run("suite_from_tables", func(b *testing.B) { benchSuite(b, db, from, to, db.IndicatorFactsFromTables) })
	b.Run("refresh_1000_clients", func(b *testing.B) {
		var r sqlstore.FactRefresh
		var used time.Duration
		var elapsed time.Duration
		for i := 0; b.Loop(); i++ {
			// 1,000 clients' referrals change (the triggers list them).
			if _, err := raw.ExecContext(ctx, `UPDATE referrals SET updated_at = updated_at + 1 WHERE client_id IN
				(SELECT id FROM clients ORDER BY id LIMIT 1000 OFFSET $1)`, 1000*(i%100)); err != nil {
				b.Fatal(err)
			}
			start, cpu := time.Now(), cputime.Process()
			var err error
			if r, err = db.RefreshIndicatorFacts(ctx); err != nil || r.Full {
				b.Fatal(r, err)
			}
			elapsed, used = elapsed+time.Since(start), used+cputime.Process()-cpu
		}
		b.ReportMetric(elapsed.Seconds()/float64(b.N), "wall-s")
		b.ReportMetric(used.Seconds()/float64(b.N), "cpu-s")
		b.ReportMetric(float64(r.Clients), "clients")
		b.ReportMetric(float64(r.Facts), "facts")
	})
}
