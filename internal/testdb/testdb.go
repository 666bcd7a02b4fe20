// Package testdb gives tests fresh databases: a SQLite file always, and a
// PostgreSQL schema of its own when ACCORD_TEST_POSTGRES holds a URL.
//
// In CI (ACCORD_REQUIRE_SERVICES=1) a missing PostgreSQL is a failure, not
// a skip: nothing may silently not run there.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Engine is a database engine to test against.
type Engine struct {
	Name string
	// DSN returns the DSN of a fresh, empty database for one test; it is
	// dropped when the test ends.
	DSN func(t testing.TB) string
}

// Engines returns SQLite and, when configured, PostgreSQL.
func Engines(t testing.TB) []Engine {
	engines := []Engine{{Name: "sqlite", DSN: SQLite}}
	if os.Getenv("ACCORD_TEST_POSTGRES") != "" {
		engines = append(engines, Engine{Name: "postgres", DSN: Postgres})
	} else if os.Getenv("ACCORD_REQUIRE_SERVICES") != "" {
		t.Fatal("ACCORD_REQUIRE_SERVICES is set but ACCORD_TEST_POSTGRES is not: PostgreSQL tests cannot run")
	}
	return engines
}

// SQLite returns the path of a fresh SQLite database file.
func SQLite(t testing.TB) string {
	return filepath.Join(t.TempDir(), "accord.db")
}

// Postgres returns a DSN for a fresh schema in the ACCORD_TEST_POSTGRES
// database, dropped at the end of the test.
func Postgres(t testing.TB) string {
	base := os.Getenv("ACCORD_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("ACCORD_REQUIRE_SERVICES") != "" {
			t.Fatal("ACCORD_TEST_POSTGRES is not set")
		}
		t.Skip("ACCORD_TEST_POSTGRES is not set; skipping PostgreSQL")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "accord_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
