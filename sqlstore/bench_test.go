package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/internal/cputime"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// benchEntry is a realistic decision entry (about 330 bytes as a leaf).
func benchEntry(i int) accord.AuditEntry {
	p := 1
	return accord.AuditEntry{
		Time: time.Date(2026, 11, 22, 9, 0, 0, i*1000, time.UTC), Kind: accord.AuditDecision,
		ActorID: "stf_4v2hq7kq3m5b6fxw2yzd3ndbqe", ActorOrganizationID: "org_h54csyy5uadyozfvo6snig67a4",
		ClientID: fmt.Sprintf("cli_%026d", i%500000), HolderID: "org_ka3pv6dwv2x3l4s5q6r7t8u9wy",
		Category: accord.CatClinicalSummary, Purpose: accord.PurposeLegalAid, Effect: "permit",
		Reason: accord.ReasonAgreementConsent, Released: true, AgreementID: "agr_mq4zc2bndx5gf6hj7k8l9m2n3p",
		AgreementVersion: 2, ConsentID: "cns_ftkjexqqmmtodk5fts7qlhuyzm", Provision: &p, Obligations: []string{"audit"},
		RequestID: "5f2b7c9e1a3d4f60",
	}
}

func benchDB(b *testing.B, path string) *sqlstore.DB {
	db, err := sqlstore.Open(context.Background(), path, sqlstore.Options{Keyring: sealing.GenerateKeyring()})
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkAuditAppend appends b.N entries to a SQLite audit log from 8
// goroutines, each call holding 64 entries; group commit writes whatever
// is waiting in one transaction. Reported: entries/s, durable.
func BenchmarkAuditAppend(b *testing.B) {
	db := benchDB(b, filepath.Join(b.TempDir(), "append.db"))
	defer db.Close()
	ctx := context.Background()
	const workers, per = 8, 64
	var next sync.Mutex
	n := 0
	take := func() (int, bool) {
		next.Lock()
		defer next.Unlock()
		if n >= b.N {
			return 0, false
		}
		i := n
		n += per
		return i, true
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := make([]accord.AuditEntry, per)
			for {
				i, ok := take()
				if !ok {
					return
				}
				for j := range batch {
					batch[j] = benchEntry(i + j)
				}
				if err := db.AppendAudit(ctx, batch...); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "entries/s")
}

// largeLog returns a SQLite database holding size audit entries and a
// signed checkpoint, built once per size in the test cache directory
// (ACCORD_BENCH_DIR, default the temp dir) and reused by later runs.
func largeLog(b *testing.B, size int) (string, note.Verifier) {
	dir := os.Getenv("ACCORD_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("accord-bench-audit-%d.db", size))
	if pg := os.Getenv("ACCORD_BENCH_POSTGRES"); pg != "" {
		// A database of its own on PostgreSQL (the DSN names it); the key
		// files still live in dir.
		path = pg
	}
	keyFile := filepath.Join(dir, fmt.Sprintf("accord-bench-audit-%d.key", size))
	skey, vkey, err := auditlog.GenerateKey("bench.accord.local/audit")
	if err != nil {
		b.Fatal(err)
	}
	if k, err := os.ReadFile(keyFile); err == nil {
		skey = string(k)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		b.Fatal(err)
	}
	verifier, err := note.NewVerifier(publicOf(b, skey, vkey, keyFile))
	if err != nil {
		b.Fatal(err)
	}
	db := benchDB(b, path)
	defer db.Close()
	ctx := context.Background()
	have, err := db.AuditSize(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if have < uint64(size) {
		b.Logf("building a log of %d entries in %s (once)…", size, path)
		const batch = 4096
		entries := make([]accord.AuditEntry, batch)
		for i := int(have); i < size; i += batch {
			m := min(batch, size-i)
			for j := range m {
				entries[j] = benchEntry(i + j)
			}
			if err := db.AppendAudit(ctx, entries[:m]...); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := db.SignCheckpoint(ctx, "bench.accord.local/audit", signer); err != nil {
		b.Fatal(err)
	}
	return path, verifier
}

func publicOf(b *testing.B, skey, vkey, keyFile string) string {
	pub := keyFile + ".pub"
	if v, err := os.ReadFile(pub); err == nil {
		return string(v)
	}
	if err := os.WriteFile(keyFile, []byte(skey), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(pub, []byte(vkey), 0o600); err != nil {
		b.Fatal(err)
	}
	return vkey
}

func benchSize(def int) int {
	if s, err := strconv.Atoi(os.Getenv("ACCORD_BENCH_ENTRIES")); err == nil && s > 0 {
		return s
	}
	return def
}

// BenchmarkVerifyAudit runs what `accord audit verify` runs over a SQLite
// log of ACCORD_BENCH_ENTRIES entries (default 1,000,000): stream every
// entry, recompute the tree, compare tiles, columns and checkpoints.
func BenchmarkVerifyAudit(b *testing.B) {
	size := benchSize(1_000_000)
	path, verifier := largeLog(b, size)
	db, err := sqlstore.Open(context.Background(), path, sqlstore.Options{NoMigrate: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	start, cpu := time.Now(), cputime.Process()
	for range b.N {
		res, err := db.VerifyAudit(context.Background(), sqlstore.VerifyOptions{Origin: verifier.Name(), Verifiers: note.VerifierList(verifier)})
		if err != nil || !res.OK {
			b.Fatalf("verify: %v %+v", err, res)
		}
	}
	b.ReportMetric(float64(size)*float64(b.N)/time.Since(start).Seconds(), "entries/s")
	if used := (cputime.Process() - cpu).Seconds(); used > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/used, "entries/cpu-s")
	}
}

// BenchmarkInclusionProof asks the SQLite store for inclusion proofs of
// random entries in a log of ACCORD_BENCH_ENTRIES entries (default
// 1,000,000; the figure is 10,000,000), through the server's tile
// cache.
func BenchmarkInclusionProof(b *testing.B) {
	size := benchSize(1_000_000)
	path, _ := largeLog(b, size)
	db, err := sqlstore.Open(context.Background(), path, sqlstore.Options{NoMigrate: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for i := range 1000 { // warm the tile cache as a running server's would be
		db.InclusionProof(ctx, uint64(i*size/1000), uint64(size))
	}
	b.ResetTimer()
	cpu := cputime.Process()
	for i := range b.N {
		idx := uint64((i * 7919) % size)
		if _, err := db.InclusionProof(ctx, idx, uint64(size)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cputime.Process()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}
