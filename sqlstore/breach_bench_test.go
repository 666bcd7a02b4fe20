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
	"github.com/accord-project/accord/sqlstore"
)

// The breach log: a year of audit entries from 500 staff members, the way
// a partnership's log looks (unlike largeLog's, which is one actor's
// burst). One staff member, "the busiest", made a tenth of all entries (a
// shared intake account, or a scraper): a week of theirs is the worst case
// of a breach's impact. The rest share the other nine tenths.
const (
	breachLogYear  = 365 * 24 * time.Hour
	breachLogStaff = 500
)

var breachLogStart = time.Date(2025, 11, 22, 0, 0, 0, 0, time.UTC)

// breachLogIDs are the log's staff and clients: deterministic ids.
type breachLogIDs struct {
	staff   []string
	clients []string
	org     string
}

func newBreachLogIDs() *breachLogIDs {
	r := rand.NewChaCha8([32]byte{'b', 'r', 'e', 'a', 'c', 'h'})
	ids := &breachLogIDs{org: accord.NewID(accord.PrefixOrganization, r)}
	for range breachLogStaff {
		ids.staff = append(ids.staff, accord.NewID(accord.PrefixStaff, r))
	}
	for range 200_000 {
		ids.clients = append(ids.clients, accord.NewID(accord.PrefixClient, r))
	}
	return ids
}

// entry returns entry i of a log of size entries: times spread evenly over
// the year; actor 0 (the busiest) every tenth entry, the others in turn;
// one decision in nine refused, one entry in twenty a change.
func (ids *breachLogIDs) entry(i, size int) accord.AuditEntry {
	p := 1
	actor := ids.staff[0]
	if i%10 != 0 {
		actor = ids.staff[1+(i*7919)%(breachLogStaff-1)]
	}
	e := accord.AuditEntry{
		Time: breachLogStart.Add(time.Duration(i) * (breachLogYear / time.Duration(size))), Kind: accord.AuditDecision,
		ActorID: actor, ActorOrganizationID: ids.org, ClientID: ids.clients[(i*104729)%len(ids.clients)], HolderID: ids.org,
		Category: accord.Categories[i%len(accord.Categories)], Purpose: accord.PurposeTreatment, Effect: "permit",
		Reason: accord.ReasonAgreementConsent, Released: true, AgreementID: "agr_mq4zc2bndx5gf6hj7k8l9m2n3p", AgreementVersion: 2,
		ConsentID: "cns_ftkjexqqmmtodk5fts7qlhuyzm", Provision: &p, Obligations: []string{"audit"}, RequestID: fmt.Sprintf("%016x", i/3),
	}
	switch {
	case i%20 == 7:
		e = accord.AuditEntry{Time: e.Time, Kind: accord.AuditChange, ActorID: actor, ActorOrganizationID: ids.org, ClientID: e.ClientID,
			Action: "consent.revoke", ObjectID: "cns_ftkjexqqmmtodk5fts7qlhuyzm", RequestID: e.RequestID}
	case i%9 == 4:
		e.Effect, e.Reason, e.Released, e.AgreementID, e.AgreementVersion, e.ConsentID, e.Provision, e.Obligations = "deny", accord.ReasonNoAgreement, false, "", 0, "", nil, nil
	}
	return e
}

// breachLog returns a SQLite database holding size entries of the breach
// log, built once per size in ACCORD_BENCH_DIR (default the temp dir).
func breachLog(b *testing.B, size int) (string, *breachLogIDs) {
	dir := os.Getenv("ACCORD_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("accord-bench-breach-%d.db", size))
	ids := newBreachLogIDs()
	db := benchDB(b, path)
	defer db.Close()
	ctx := context.Background()
	have, err := db.AuditSize(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if have < uint64(size) {
		b.Logf("building a breach log of %d entries in %s (once)…", size, path)
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
	return path, ids
}

// BenchmarkBreachImpact works out a breach's impact over a one-week window
// in a log of ACCORD_BENCH_ENTRIES entries (default 1,000,000; the goal is
// stated at 10,000,000: at most 5 s on SQLite), as RecordBreach does: read
// the actor's decision entries in the window through the (actor_id, time)
// index, decode each leaf, add up the disclosures. Beside it, in the same
// run: the bare SQL read of the same rows (no decoding, no adding up), and
// the same read through the index the log had before migration 0008
// (actor_id, idx), which must read all of the actor's entries.
func BenchmarkBreachImpact(b *testing.B) {
	size := benchSize(1_000_000)
	path, ids := breachLog(b, size)
	db, err := sqlstore.Open(context.Background(), path, sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&_pragma=mmap_size(1073741824)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	from := breachLogStart.Add(180 * 24 * time.Hour)
	to := from.Add(7*24*time.Hour - time.Microsecond)
	for _, who := range []struct {
		name  string
		actor string
	}{{"busiest", ids.staff[0]}, {"typical", ids.staff[250]}} {
		b.Run("accord/"+who.name, func(b *testing.B) {
			var scanned int
			var impact accord.BreachImpact
			for range b.N {
				var ib accord.ImpactBuilder
				if scanned, err = db.AddDisclosures(ctx, &ib, who.actor, from, to); err != nil {
					b.Fatal(err)
				}
				impact = ib.Impact(time.Now(), from, to)
			}
			b.ReportMetric(float64(scanned), "entries")
			b.ReportMetric(float64(len(impact.Clients)), "clients")
			b.ReportMetric(float64(impact.Disclosures), "disclosures")
		})
		for _, q := range []struct{ name, index string }{{"sql", ""}, {"sql-old-index", "INDEXED BY audit_entries_actor"}} {
			b.Run(q.name+"/"+who.name, func(b *testing.B) {
				n := 0
				for range b.N {
					rows, err := raw.QueryContext(ctx, `SELECT idx, leaf FROM audit_entries `+q.index+` WHERE actor_id = $1 AND time >= $2 AND time <= $3 AND kind = 'decision'`,
						who.actor, from.UnixMicro(), to.UnixMicro())
					if err != nil {
						b.Fatal(err)
					}
					n = 0
					var idx int64
					var leaf sql.RawBytes
					for rows.Next() {
						if err := rows.Scan(&idx, &leaf); err != nil {
							b.Fatal(err)
						}
						n++
					}
					if err := rows.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n), "entries")
			})
		}
	}
}
