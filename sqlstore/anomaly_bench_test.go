package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/cputime"
	"github.com/accord-project/accord/sqlstore"
)

// The anomaly log: one day (UTC) of ACCORD_BENCH_ENTRIES audit entries
// (default 1,000,000) from 500 staff members of seven organisations over
// 200,000 clients, times spread evenly over the day; one decision in nine
// refused, one entry in twenty a change. Staff member 0 is a scraper: one
// entry in fifty is theirs, each a different client. The 28 days before
// were detected already: their per-staff counts (what detection keeps for
// the baseline) are written straight into anomaly_stats and anomaly_runs,
// each staff member's usual a little below their share of the day.
var anomalyLogDay = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

const anomalyLogStaff = 500

type anomalyLogIDs struct {
	staff, orgs, clients []string
}

func newAnomalyLogIDs() *anomalyLogIDs {
	r := rand.NewChaCha8([32]byte{'a', 'n', 'o', 'm', 'a', 'l', 'y'})
	ids := &anomalyLogIDs{}
	for range 7 {
		ids.orgs = append(ids.orgs, accord.NewID(accord.PrefixOrganization, r))
	}
	for range anomalyLogStaff {
		ids.staff = append(ids.staff, accord.NewID(accord.PrefixStaff, r))
	}
	for range 200_000 {
		ids.clients = append(ids.clients, accord.NewID(accord.PrefixClient, r))
	}
	return ids
}

func (ids *anomalyLogIDs) entry(i, size int) accord.AuditEntry {
	p := 1
	s := 1 + (i*7919)%(anomalyLogStaff-1)
	client := ids.clients[(i*104729)%len(ids.clients)]
	if i%50 == 0 {
		s, client = 0, ids.clients[(i/50)%len(ids.clients)]
	}
	org := ids.orgs[s%len(ids.orgs)]
	holder := ids.orgs[(i/7)%len(ids.orgs)]
	e := accord.AuditEntry{
		Time: anomalyLogDay.Add(time.Duration(i) * (24 * time.Hour / time.Duration(size))), Kind: accord.AuditDecision,
		ActorID: ids.staff[s], ActorOrganizationID: org, ClientID: client, HolderID: holder,
		Category: accord.Categories[i%len(accord.Categories)], Purpose: accord.PurposeTreatment, Effect: "permit",
		Reason: accord.ReasonAgreementConsent, Released: true, AgreementID: "agr_mq4zc2bndx5gf6hj7k8l9m2n3p", AgreementVersion: 2,
		ConsentID: "cns_ftkjexqqmmtodk5fts7qlhuyzm", Provision: &p, Obligations: []string{"audit"}, RequestID: fmt.Sprintf("%016x", i/3),
	}
	switch {
	case i%20 == 7:
		e = accord.AuditEntry{Time: e.Time, Kind: accord.AuditChange, ActorID: e.ActorID, ActorOrganizationID: org, ClientID: client,
			Action: "consent.revoke", ObjectID: "cns_ftkjexqqmmtodk5fts7qlhuyzm", RequestID: e.RequestID}
	case i%9 == 4:
		e.Effect, e.Reason, e.Released, e.AgreementID, e.AgreementVersion, e.ConsentID, e.Provision, e.Obligations = "deny", accord.ReasonNoAgreement, false, "", 0, "", nil, nil
	}
	return e
}

// anomalyLog returns a SQLite database holding the anomaly log of size
// entries and its baseline, built once per size in ACCORD_BENCH_DIR.
func anomalyLog(b *testing.B, size int) string {
	dir := os.Getenv("ACCORD_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("accord-bench-anomaly-%d.db", size))
	ids := newAnomalyLogIDs()
	db := benchDB(b, path)
	defer db.Close()
	ctx := context.Background()
	have, err := db.AuditSize(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if have < uint64(size) {
		b.Logf("building an anomaly log of %d entries in %s (once)…", size, path)
		start := time.Now()
		const batch = 4096
		entries := make([]accord.AuditEntry, batch)
		for i := int(have); i < size; i += batch {
			m := min(batch, size-i)
			for j := range m {
				entries[j] = ids.entry(i+j, size)
			}
			if err := db.AppendAudit(ctx, entries[:m]...); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("built in %s", time.Since(start).Round(time.Second))
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	// The 28 days before, detected: usual counts a little below the day's.
	perStaff := size * 8 / 10 / anomalyLogStaff / 2
	for d := 1; d <= 28; d++ {
		day := anomalyLogDay.AddDate(0, 0, -d)
		if _, err := raw.ExecContext(ctx, `INSERT INTO anomaly_runs (day, window_start, window_end, claimed_by, claimed_until, finished_at, entries, alerts)
			VALUES ($1, $2, $3, '', 0, $4, 0, 0) ON CONFLICT (day) DO NOTHING`, day.Format(time.DateOnly), day.UnixMicro(), day.AddDate(0, 0, 1).UnixMicro(),
			day.AddDate(0, 0, 1).Add(time.Hour).UnixMicro()); err != nil {
			b.Fatal(err)
		}
		for _, s := range ids.staff {
			if _, err := raw.ExecContext(ctx, `INSERT INTO anomaly_stats (day, staff_id, clients, after_hours, denials) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (day, staff_id) DO NOTHING`, day.Format(time.DateOnly), s, perStaff, perStaff/3, perStaff/9); err != nil {
				b.Fatal(err)
			}
		}
	}
	return path
}

// BenchmarkAnomalyDetection detects one day of ACCORD_BENCH_ENTRIES audit
// entries (default 1,000,000; goal: at most 10 s on SQLite) as the daily
// run does: bisect the day's indexes, decode every decision's leaf, add
// up each staff member's clients (by holder, after hours) and refusals,
// look up caseloads, baselines and break-glass accesses, and write counts,
// alerts and audit entries. Beside it, the plain SQL GROUP BY of the day's
// distinct clients per actor, from the columns, decoding nothing.
func BenchmarkAnomalyDetection(b *testing.B) {
	size := benchSize(1_000_000)
	path := anomalyLog(b, size)
	db, err := sqlstore.Open(context.Background(), path, sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	from, to := anomalyLogDay, anomalyLogDay.AddDate(0, 0, 1)
	rw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer rw.Close()
	// Each staff member of this log reads about 1,900 clients a day and has
	// no caseload: "scaled" thresholds, proportionate to the log, leave
	// the scraper's alerts; the defaults give every staff member several
	// (the worst case: caseloads looked up for all, thousands of alerts
	// written). Each run starts with none of the day's alerts stored.
	scaled := accord.DefaultAnomalyThresholds()
	scaled.OutsideCaseload, scaled.OrganizationBulk, scaled.AfterHours, scaled.Denials = size/200, size/200, size/500, size/500
	for _, tc := range []struct {
		name string
		thr  accord.AnomalyThresholds
	}{{"accord/scaled-thresholds", scaled}, {"accord/default-thresholds", accord.DefaultAnomalyThresholds()}} {
		b.Run(tc.name, func(b *testing.B) {
			var run *sqlstore.AnomalyRun
			var added []accord.Anomaly
			var elapsed, used time.Duration
			for range b.N {
				if _, err := rw.ExecContext(ctx, `DELETE FROM anomalies WHERE day = $1`, from.Format(time.DateOnly)); err != nil {
					b.Fatal(err)
				}
				if _, err := rw.ExecContext(ctx, `DELETE FROM timers WHERE kind = 'anomaly.review'`); err != nil {
					b.Fatal(err)
				}
				start, cpu := time.Now(), cputime.Process()
				if run, added, err = db.DetectAnomalies(ctx, accord.Actor{StaffID: "system"}, from.Format(time.DateOnly), from, to, tc.thr); err != nil {
					b.Fatal(err)
				}
				elapsed, used = elapsed+time.Since(start), used+cputime.Process()-cpu
			}
			b.ReportMetric(float64(run.Entries), "decisions")
			b.ReportMetric(float64(len(added)), "alerts")
			b.ReportMetric(used.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(elapsed.Seconds()/float64(b.N), "wall-s/op")
		})
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&_pragma=mmap_size(1073741824)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	b.Run("sql-group-by", func(b *testing.B) {
		actors := 0
		start, cpu := time.Now(), cputime.Process()
		for range b.N {
			rows, err := raw.QueryContext(ctx, `SELECT actor_id, count(DISTINCT client_id) FROM audit_entries
				WHERE time >= $1 AND time < $2 AND kind = 'decision' GROUP BY actor_id`, from.UnixMicro(), to.UnixMicro())
			if err != nil {
				b.Fatal(err)
			}
			actors = 0
			for rows.Next() {
				var id string
				var n int
				if err := rows.Scan(&id, &n); err != nil {
					b.Fatal(err)
				}
				actors++
			}
			if err := rows.Close(); err != nil {
				b.Fatal(err)
			}
		}
		elapsed, used := time.Since(start).Seconds()/float64(b.N), (cputime.Process()-cpu).Seconds()/float64(b.N)
		b.ReportMetric(float64(actors), "actors")
		b.ReportMetric(used, "cpu-s/op")
		b.ReportMetric(elapsed, "wall-s/op")
	})
}
