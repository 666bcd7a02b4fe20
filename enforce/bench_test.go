package enforce_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// BenchmarkEscalationTimers arms 100,000 escalation clocks due over the next
// 60 seconds (about 1,700 a second), runs the timer runner as a server does,
// and reports how late the latest one fired; it fails if any fired twice or
// not at all. b.N is ignored: run it with -benchtime 1x.
//
//	go test -run '^$' -bench EscalationTimers -benchtime 1x -timeout 20m ./enforce/
func BenchmarkEscalationTimers(b *testing.B) {
	n, window := benchTimers, 120*time.Second
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "timers.db")
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{Keyring: sealing.GenerateKeyring()})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	p, err := demo.Generate(demo.Options{Seed: 1, Now: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Import(ctx, accord.Actor{StaffID: "system"}, "demo.load", func(im *sqlstore.Importer) error {
		return p.Load(im, func(string) string { return "" }, time.Hour)
	}); err != nil {
		b.Fatal(err)
	}
	var legal string
	var chain []string
	for _, c := range p.Chains {
		if len(c.StaffIDs) == 3 {
			legal, chain = c.OrganizationID, c.StaffIDs
		}
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	start := time.Now().Add(2 * time.Second)
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	esc, _ := tx.Prepare(`INSERT INTO escalations (id, client_id, case_id, kind, urgency, summary, organization_id, raised_by, raised_at, level, contact_id, due_at,
		sla_seconds, status, owner_id, exhausted, version) VALUES ($1, $2, '', 'flagged', 'urgent', X'', $3, $4, $5, 0, $6, $7, 3600, 'open', '', FALSE, 1)`)
	tmr, _ := tx.Prepare(`INSERT INTO timers (id, kind, subject_id, due_at) VALUES ($1, 'escalation.ack', $2, $3)`)
	for i := range n {
		id := fmt.Sprintf("esc_%026d", i)
		due := start.Add(window * time.Duration(i) / time.Duration(n)).UnixMicro()
		if _, err := esc.Exec(id, p.Clients[i%len(p.Clients)].ID, legal, chain[0], time.Now().UnixMicro(), chain[0], due); err != nil {
			b.Fatal(err)
		}
		if _, err := tmr.Exec(fmt.Sprintf("tmr_%026d", i), id, due); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		(&enforce.Runner{DB: db, Tick: 100 * time.Millisecond}).Run(runCtx)
		close(done)
	}()
	for {
		var left int
		raw.QueryRow(`SELECT count(*) FROM timers WHERE kind = 'escalation.ack' AND subject_id LIKE 'esc_0%' AND fired_at IS NULL AND due_at <= $1`, start.Add(window).UnixMicro()).Scan(&left)
		if left == 0 || time.Since(start) > window+2*time.Minute {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	stop()
	<-done
	b.StopTimer()
	rows, err := raw.Query(`SELECT fired_at - due_at FROM timers WHERE kind = 'escalation.ack' AND due_at <= $1 AND fired_at IS NOT NULL AND claimed_by <> 'disarmed' AND subject_id LIKE 'esc_0%'`,
		start.Add(window).UnixMicro())
	if err != nil {
		b.Fatal(err)
	}
	var late []int64
	for rows.Next() {
		var d int64
		rows.Scan(&d)
		late = append(late, d)
	}
	rows.Close()
	slices.Sort(late)
	if len(late) < n {
		b.Fatalf("%d of %d timers fired", len(late), n)
	}
	var wrongLevel, notices int
	raw.QueryRow(`SELECT count(*) FROM escalations WHERE id LIKE 'esc_0%' AND level <> 1`).Scan(&wrongLevel)
	raw.QueryRow(`SELECT count(*) FROM notifications WHERE kind = 'escalation.escalated' AND staff_id = $1`, chain[1]).Scan(&notices)
	if wrongLevel != 0 || notices != n {
		b.Errorf("%d escalations not at level 1, %d notices to the level-1 contact for %d escalations: a timer fired twice or not at all", wrongLevel, notices, n)
	}
	pct := func(p float64) float64 { return float64(late[int(p*float64(len(late)-1))]) / 1000 }
	b.ReportMetric(pct(0.5), "p50-late-ms")
	b.ReportMetric(pct(0.99), "p99-late-ms")
	b.ReportMetric(float64(late[len(late)-1])/1000, "max-late-ms")
	b.ReportMetric(float64(n)/window.Seconds(), "fires/s")
}

// benchTimers is how many timers BenchmarkEscalationTimers arms.
var benchTimers = envInt("ACCORD_BENCH_TIMERS", 100_000)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
