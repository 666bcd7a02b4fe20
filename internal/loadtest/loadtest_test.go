// Package loadtest measures Accord's audited read over HTTP against a bare
// SQLite baseline, in one benchmark run, so that the ratio means something
// on a shared machine:
//
//	go test -run '^$' -bench AuditedRead -benchtime 20000x ./internal/loadtest/
package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// concurrency is how many clients read at once.
const concurrency = 32

// BenchmarkAuditedRead compares, in one run:
//
//   - accord: GET /api/v1/clients/{id} over HTTP with an API token: the
//     caller is authenticated, two decisions are made (demographics and
//     contact), both are appended to the audit log and made durable (group
//     commit, fsync) before the response is written;
//   - sqlite-baseline: the least a durable audited read can do on the same
//     engine and settings (WAL, synchronous=FULL): a point select and an
//     insert in one transaction, per read, from the same number of
//     goroutines through one writer connection.
//
// Reported: requests/s and latency percentiles.
func BenchmarkAuditedRead(b *testing.B) {
	b.Run("accord", func(b *testing.B) {
		srv := testserver.Start(b, testdb.SQLite(b))
		// A clinic navigator reading the clinic's own clients: demographics
		// and contact are both permitted, so each read releases data.
		user := "amina.navigator"
		var paths []string
		for _, c := range srv.P.Clients {
			if c.HomeOrganizationID == srv.Login(user).OrganizationID {
				paths = append(paths, srv.URL+"/api/v1/clients/"+c.ID)
			}
		}
		token := "Bearer " + srv.Token(user)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
		// Warm up connections and caches.
		for i := range concurrency {
			get(b, client, paths[i%len(paths)], token)
		}
		run(b, func(i int) { get(b, client, paths[i%len(paths)], token) })
	})
	b.Run("sqlite-baseline", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "baseline.db")
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate"
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		for _, q := range []string{
			`CREATE TABLE clients (id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL)`,
			`CREATE TABLE audit (idx INTEGER PRIMARY KEY, client TEXT NOT NULL, leaf BLOB NOT NULL)`,
		} {
			if _, err := db.Exec(q); err != nil {
				b.Fatal(err)
			}
		}
		for i := range 600 {
			db.Exec(`INSERT INTO clients VALUES ($1, $2, $3)`, fmt.Sprintf("cli_%d", i), "Amal Haddad", "+44 7700 900123")
		}
		leaf := make([]byte, 330)
		ctx := context.Background()
		run(b, func(i int) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				b.Error(err)
				return
			}
			defer tx.Rollback()
			var name, phone string
			if err := tx.QueryRow(`SELECT name, phone FROM clients WHERE id = $1`, fmt.Sprintf("cli_%d", i%600)).Scan(&name, &phone); err != nil {
				b.Error(err)
				return
			}
			if _, err := tx.Exec(`INSERT INTO audit (client, leaf) VALUES ($1, $2)`, "cli", leaf); err != nil {
				b.Error(err)
				return
			}
			if err := tx.Commit(); err != nil {
				b.Error(err)
			}
		})
	})
}

func get(b *testing.B, c *http.Client, url, token string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", token)
	req.Header.Set("Accord-Purpose", "TREAT")
	resp, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Errorf("status %d", resp.StatusCode)
	}
}

// run performs b.N operations from concurrency goroutines and reports
// throughput and latency percentiles.
func run(b *testing.B, op func(i int)) {
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t := time.Now()
				op(i)
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
