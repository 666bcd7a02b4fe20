package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/sqlstore"
)

// The tests read the log in chunks of verifyChunk entries (VerifyAudit's
// are 8,192), and verifyLogSize spans three of them, so that both readers
// read some, and the first reads two: the same edges as in a large log, at
// an eighth of the entries (what most of their time was, under the race
// detector).
const (
	verifyChunk   = 1024
	verifyLogSize = 2500
)

// appendEntries appends entries [from, to) of benchEntry to db.
func appendEntries(t *testing.T, db *sqlstore.DB, from, to int) {
	t.Helper()
	if err := tryAppendEntries(db, from, to); err != nil {
		t.Fatal(err)
	}
}

// tryAppendEntries is appendEntries for other goroutines than the test's.
func tryAppendEntries(db *sqlstore.DB, from, to int) error {
	batch := make([]accord.AuditEntry, 0, 1000)
	for i := from; i < to; i++ {
		batch = append(batch, benchEntry(i))
		if len(batch) == cap(batch) || i == to-1 {
			if err := db.AppendAudit(context.Background(), batch...); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

// TestVerifyAuditTampering tampers with entries read by each of verify's
// readers, and checks that verify names the first entry that no longer
// matches, wherever it lies.
func TestVerifyAuditTampering(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		base, err := fx.db.AuditSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		appendEntries(t, fx.db, int(base), verifyLogSize)
		skey, vkey, err := auditlog.GenerateKey("accord.test/audit")
		if err != nil {
			t.Fatal(err)
		}
		signer, _ := note.NewSigner(skey)
		verifier, _ := note.NewVerifier(vkey)
		if _, err := fx.db.SignCheckpoint(ctx, signer.Name(), signer); err != nil {
			t.Fatal(err)
		}
		verify := func() *auditlog.VerifyResult {
			t.Helper()
			res, err := fx.db.VerifyAuditInChunks(ctx, sqlstore.VerifyOptions{Origin: signer.Name(), Verifiers: note.VerifierList(verifier)}, verifyChunk)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if res := verify(); !res.OK || res.Size != verifyLogSize {
			t.Fatalf("untouched log: OK %v, size %d, %s; want OK, %d", res.OK, res.Size, res.Problem, verifyLogSize)
		}

		raw := rawDB(t, fx)
		editLeaf := `UPDATE audit_entries SET leaf = CAST(replace(CAST(leaf AS TEXT), '"effect":"permit"', '"effect":"deny"') AS BLOB) WHERE idx = $1`
		if sqlstore.IsPostgresDSN(fx.dsn) {
			editLeaf = `UPDATE audit_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '"effect":"permit"', '"effect":"deny"'), 'UTF8') WHERE idx = $1`
		}
		swap := `UPDATE audit_entries SET leaf = CASE idx WHEN $1 THEN (SELECT leaf FROM audit_entries WHERE idx = $2) ELSE (SELECT leaf FROM audit_entries WHERE idx = $1) END,
			time = CASE idx WHEN $1 THEN (SELECT time FROM audit_entries WHERE idx = $2) ELSE (SELECT time FROM audit_entries WHERE idx = $1) END WHERE idx IN ($1, $2)`
		insert := `INSERT INTO audit_entries (idx, time, kind, actor_id, client_id, leaf) SELECT $1, time, kind, actor_id, client_id, leaf FROM audit_entries WHERE idx = $2`
		type edit struct {
			query string
			args  []any
		}
		tests := []struct {
			name    string
			edits   []edit
			touched []int64 // entries to restore afterwards
			want    int64
		}{
			{"leaf edited, first reader", []edit{{editLeaf, []any{100}}}, []int64{100}, 100},
			{"leaf edited, second reader", []edit{{editLeaf, []any{1100}}}, []int64{1100}, 1100},
			{"leaf edited, first reader's second chunk", []edit{{editLeaf, []any{2100}}}, []int64{2100}, 2100},
			{"entry removed, second reader", []edit{{`DELETE FROM audit_entries WHERE idx = $1`, []any{1100}}}, []int64{1100}, 1100},
			{"entry removed at a chunk's start", []edit{{`DELETE FROM audit_entries WHERE idx = $1`, []any{1024}}}, []int64{1024}, 1024},
			{"entry removed at a chunk's end", []edit{{`DELETE FROM audit_entries WHERE idx = $1`, []any{2047}}}, []int64{2047}, 2047},
			{"entries reordered, second reader", []edit{{swap, []any{1500, 1501}}}, []int64{1500, 1501}, 1500},
			{"entry inserted at the end", []edit{{insert, []any{verifyLogSize, 0}}}, []int64{verifyLogSize}, verifyLogSize},
			{"entry inserted after a gap", []edit{{insert, []any{verifyLogSize + 5, 0}}}, []int64{verifyLogSize + 5}, verifyLogSize},
			{"entry hidden from an access report, second reader", []edit{{`UPDATE audit_entries SET client_id = '' WHERE idx = $1`, []any{1500}}}, []int64{1500}, 1500},
			{"actor re-labelled, first reader's second chunk", []edit{{`UPDATE audit_entries SET actor_id = 'stf_other' WHERE idx = $1`, []any{2499}}}, []int64{2499}, 2499},
			{"re-labelled in the second reader, edited earlier in the first", []edit{
				{`UPDATE audit_entries SET kind = 'other' WHERE idx = $1`, []any{1100}},
				{editLeaf, []any{600}},
			}, []int64{1100, 600}, 600},
			{"edited in the second reader, re-labelled later in the first", []edit{
				{editLeaf, []any{1100}},
				{`UPDATE audit_entries SET time = time + 1 WHERE idx = $1`, []any{2100}},
			}, []int64{1100, 2100}, 1100},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				saved := saveEntries(t, raw, tt.touched)
				defer restoreEntries(t, raw, tt.touched, saved)
				for _, e := range tt.edits {
					if _, err := raw.ExecContext(ctx, e.query, e.args...); err != nil {
						t.Fatal(err)
					}
				}
				res := verify()
				if res.OK || res.FirstBad != tt.want || !res.Exact() {
					t.Errorf("verify: OK %v, first bad entry [%d, %d): %s; want entry %d", res.OK, res.FirstBad, res.FirstBadEnd, res.Problem, tt.want)
				}
			})
		}
		if res := verify(); !res.OK {
			t.Fatalf("restored log: %s", res.Problem)
		}
	})
}

type savedEntry struct {
	idx, time           int64
	kind, actor, client string
	leaf                []byte
}

func saveEntries(t *testing.T, raw *sql.DB, idxs []int64) []savedEntry {
	t.Helper()
	var out []savedEntry
	for _, i := range idxs {
		var e savedEntry
		err := raw.QueryRow(`SELECT idx, time, kind, actor_id, client_id, leaf FROM audit_entries WHERE idx = $1`, i).Scan(&e.idx, &e.time, &e.kind, &e.actor, &e.client, &e.leaf)
		if err == nil {
			out = append(out, e)
		} else if err != sql.ErrNoRows {
			t.Fatal(err)
		}
	}
	return out
}

func restoreEntries(t *testing.T, raw *sql.DB, idxs []int64, saved []savedEntry) {
	t.Helper()
	for _, i := range idxs {
		if _, err := raw.Exec(`DELETE FROM audit_entries WHERE idx = $1`, i); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range saved {
		if _, err := raw.Exec(`INSERT INTO audit_entries (idx, time, kind, actor_id, client_id, leaf) VALUES ($1, $2, $3, $4, $5, $6)`,
			e.idx, e.time, e.kind, e.actor, e.client, e.leaf); err != nil {
			t.Fatal(err)
		}
	}
}

// TestVerifyAuditWhileAppending verifies the log while it grows: verify
// checks the log as it was when it began, and entries appended meanwhile
// are neither checked nor taken for inserted ones.
func TestVerifyAuditWhileAppending(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		base, err := fx.db.AuditSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		appendEntries(t, fx.db, int(base), verifyLogSize)
		skey, vkey, err := auditlog.GenerateKey("accord.test/audit")
		if err != nil {
			t.Fatal(err)
		}
		signer, _ := note.NewSigner(skey)
		verifier, _ := note.NewVerifier(vkey)
		if _, err := fx.db.SignCheckpoint(ctx, signer.Name(), signer); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := verifyLogSize; ; i += 64 {
				select {
				case <-stop:
					return
				default:
				}
				batch := make([]accord.AuditEntry, 64)
				for j := range batch {
					batch[j] = benchEntry(i + j)
				}
				if err := fx.db.AppendAudit(ctx, batch...); err != nil {
					t.Error(err)
					return
				}
				if i%1024 == 0 {
					if _, err := fx.db.SignCheckpoint(ctx, signer.Name(), signer); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
		type outcome struct {
			OK      bool
			Problem string
		}
		var got []outcome
		for range 3 {
			res, err := fx.db.VerifyAuditInChunks(ctx, sqlstore.VerifyOptions{Origin: signer.Name(), Verifiers: note.VerifierList(verifier)}, verifyChunk)
			if err != nil {
				t.Fatal(err)
			}
			if res.Size < verifyLogSize {
				t.Errorf("verified %d entries, want at least %d", res.Size, verifyLogSize)
			}
			got = append(got, outcome{res.OK, res.Problem})
		}
		close(stop)
		wg.Wait()
		want := []outcome{{OK: true}, {OK: true}, {OK: true}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("verify while appending (-want +got):\n%s", diff)
		}
	})
}

// TestProofParts checks that proofs of entries in full tiles come from the
// stored proof parts and verify, and that a log written before they were
// kept gets them when migration 15 is applied.
func TestProofParts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		base, err := fx.db.AuditSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const size = 1000 // three full tiles and a partial one
		appendEntries(t, fx.db, int(base), size)
		skey, _, err := auditlog.GenerateKey("accord.test/audit")
		if err != nil {
			t.Fatal(err)
		}
		signer, _ := note.NewSigner(skey)
		raw := rawDB(t, fx)
		parts := func() (n int) {
			t.Helper()
			if err := raw.QueryRow(`SELECT count(*) FROM audit_proof_parts`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		proveAll := func(db *sqlstore.DB) {
			t.Helper()
			msg, err := db.SignCheckpoint(ctx, signer.Name(), signer)
			if err != nil {
				t.Fatal(err)
			}
			c, err := auditlog.ParseCheckpoint(msg[:bytes.Index(msg, []byte("\n\n"))+1])
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range []uint64{0, 1, 31, 32, 255, 256, 300, 767, 768, 999} {
				p, err := db.InclusionProof(ctx, i, c.Size)
				if err != nil {
					t.Fatal(err)
				}
				leaf, err := db.AuditLeaf(ctx, int64(i))
				if err != nil {
					t.Fatal(err)
				}
				if err := auditlog.VerifyInclusion(c, i, leaf, p); err != nil {
					t.Errorf("entry %d: %v", i, err)
				}
			}
		}
		if got, want := parts(), 3*auditlog.ProofPartsPerTile; got != want {
			t.Errorf("%d proof parts stored, want %d", got, want)
		}
		proveAll(fx.db)

		// As before migration 15.
		for _, q := range []string{`DROP TABLE audit_proof_parts`, `DELETE FROM schema_migrations WHERE version = 15`} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		// Opened without migrating (accord audit prove), proofs read the
		// tiles.
		old, err := sqlstore.Open(ctx, fx.dsn, sqlstore.Options{Keyring: fx.ring, NoMigrate: true})
		if err != nil {
			t.Fatal(err)
		}
		proveAll(old)
		old.Close()
		db := fx.open()
		if got, want := parts(), 3*auditlog.ProofPartsPerTile; got != want {
			t.Errorf("after migrating, %d proof parts stored, want %d", got, want)
		}
		proveAll(db)
	})
}
