// Package loadtest measures Accord's audited read over HTTP against a bare
// SQLite baseline, in one benchmark run, so that the ratio means something
// on a shared machine:
//
//	go test -run '^$' -bench AuditedRead -benchtime 20000x ./internal/loadtest/
package loadtest

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/accord-project/accord/internal/cputime"
	"github.com/accord-project/accord/internal/servertune"
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
	// The load generator shares the machine's two cores with the server, so
	// it should cost as little as it can: each client is one keep-alive
	// connection written to and read from directly (the issue allows wrk, a
	// C program, for the same reason). "accord-nethttp" drives the same
	// server through net/http's client, whose connection pool and
	// per-request goroutines took a third of a core at this rate.
	for _, gen := range []string{"accord", "accord-nethttp"} {
		b.Run(gen, func(b *testing.B) {
			// The garbage collector as accord serve sets it (the baseline
			// keeps Go's default).
			gc := debug.SetGCPercent(-1) // reads it (and turns the collector off until the next line)
			debug.SetGCPercent(gc)
			limit := debug.SetMemoryLimit(-1) // only reads it
			defer func() {
				debug.SetGCPercent(gc)
				debug.SetMemoryLimit(limit)
			}()
			servertune.Apply(os.Getenv)
			srv := testserver.Start(b, testdb.SQLite(b))
			// A clinic navigator reading the clinic's own clients:
			// demographics and contact are both permitted, so each read
			// releases data.
			user := "amina.navigator"
			var paths []string
			for _, c := range srv.P.Clients {
				if c.HomeOrganizationID == srv.Login(user).OrganizationID {
					paths = append(paths, "/api/v1/clients/"+c.ID)
				}
			}
			token := "Bearer " + srv.Token(user)
			if gen == "accord-nethttp" {
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
				// Warm up connections and caches.
				for i := range concurrency {
					get(b, client, srv.URL+paths[i%len(paths)], token)
				}
				run(b, func(_, i int) { get(b, client, srv.URL+paths[i%len(paths)], token) })
				return
			}
			conns := make([]*rawConn, concurrency)
			for w := range conns {
				conns[w] = dialRaw(b, srv.URL, token)
				defer conns[w].c.Close()
				conns[w].get(b, paths[w%len(paths)]) // warm up
			}
			run(b, func(w, i int) { conns[w].get(b, paths[i%len(paths)]) })
		})
	}
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
		run(b, func(_, i int) {
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

// rawConn is one keep-alive HTTP/1.1 connection to the server.
type rawConn struct {
	c      net.Conn
	r      *bufio.Reader
	host   string
	header string // the request's header lines after the request line
	buf    []byte
}

func dialRaw(b *testing.B, baseURL, token string) *rawConn {
	u, err := url.Parse(baseURL)
	if err != nil {
		b.Fatal(err)
	}
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		b.Fatal(err)
	}
	return &rawConn{c: c, r: bufio.NewReaderSize(c, 16<<10), host: u.Host,
		header: "Host: " + u.Host + "\r\nAuthorization: " + token + "\r\nAccord-Purpose: TREAT\r\n\r\n"}
}

// get sends GET path and reads the whole response (http.ReadResponse:
// Content-Length or chunked), failing the benchmark unless it is a 200.
func (rc *rawConn) get(b *testing.B, path string) {
	rc.buf = append(append(append(rc.buf[:0], "GET "...), path...), " HTTP/1.1\r\n"...)
	rc.buf = append(rc.buf, rc.header...)
	if _, err := rc.c.Write(rc.buf); err != nil {
		b.Error(err)
		return
	}
	resp, err := http.ReadResponse(rc.r, nil)
	if err != nil {
		b.Error(err)
		return
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || n == 0 {
		b.Errorf("GET %s: status %d, %d bytes, %v", path, resp.StatusCode, n, err)
	}
}

// run performs b.N operations from concurrency goroutines (op gets the
// goroutine's number and the operation's) and reports throughput and
// latency percentiles.
func run(b *testing.B, op func(worker, i int)) {
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start, cpu := time.Now(), cputime.Process()
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t := time.Now()
				op(w, i)
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	elapsed, used := time.Since(start), cputime.Process()-cpu
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	// The CPU the process (server and load generator) spent a request.
	b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/req")
}
