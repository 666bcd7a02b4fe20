package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// Visiting rows without returning them. Reading millions of rows through
// database/sql costs, with the pure-Go SQLite, mostly the per-column
// calls — each takes the connection's mutex — and the conversions of
// Scan, not the query itself. On SQLite, visit therefore hands each row to
// a Go function from inside the statement: the query becomes
// "SELECT accord_visit(handle, columns…) FROM (query)", an aggregate whose
// step calls the function registered under handle. Measured on the
// indicator facts, that halves the cost of a row (docs/BENCHMARKS.md).
// On PostgreSQL rows come over the socket anyway and are scanned as they
// are.

// visitFunc receives the columns of one row. On SQLite, string values are
// views into the database's memory, valid only during the call: a string
// kept must be copied (strings.Clone, or an interner that clones).
type visitFunc func(cols []driver.Value) error

// visitors holds the functions of the visits in progress, by handle.
var visitors struct {
	sync.Mutex
	next int64
	m    map[int64]*visitor
}

type visitor struct {
	fn  visitFunc
	err error // the function's first error, returned as it is
}

func init() {
	visitors.m = map[int64]*visitor{}
	sqlite.MustRegisterFunction("accord_visit", &sqlite.FunctionImpl{
		NArgs:        -1,
		VolatileArgs: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &visitAggregate{}, nil
		},
	})
}

// visitAggregate is one evaluation of accord_visit.
type visitAggregate struct {
	v *visitor
}

func (a *visitAggregate) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if a.v == nil {
		h, ok := args[0].(int64)
		if ok {
			visitors.Lock()
			a.v = visitors.m[h]
			visitors.Unlock()
		}
		if a.v == nil {
			return errors.New("accord_visit: no visit with this handle")
		}
	}
	if err := a.v.fn(args[1:]); err != nil {
		a.v.err = err
		return err
	}
	return nil
}

func (a *visitAggregate) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return errors.New("accord_visit is not a window function")
}

func (a *visitAggregate) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return nil, nil
}

func (a *visitAggregate) Final(*sqlite.FunctionContext) {}

// visit runs "SELECT cols… rest" (rest starts with FROM) in q and calls
// fn with each row's columns, in the query's order. An error from fn stops
// the query and is returned.
func (db *DB) visit(ctx context.Context, q querier, cols []string, rest string, args []any, fn visitFunc) error {
	if db.engine == Postgres {
		rows, err := q.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` `+rest, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		vals := make([]driver.Value, len(cols))
		scanned := make([]any, len(cols))
		dest := make([]any, len(cols))
		for i := range scanned {
			dest[i] = &scanned[i]
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			for i, v := range scanned {
				vals[i] = v
			}
			if err := fn(vals); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	// The handle is the last argument, so that the query's own $n keep
	// their numbers.
	var inner, outer strings.Builder
	for i, c := range cols {
		if i > 0 {
			inner.WriteString(", ")
		}
		fmt.Fprintf(&inner, "%s AS c%d", c, i)
		fmt.Fprintf(&outer, ", c%d", i)
	}
	return db.visitSQLite(ctx, q, fmt.Sprintf(`SELECT accord_visit($%d%s) FROM (SELECT %s %s)`, len(args)+1, outer.String(), inner.String(), rest), args, fn)
}

// visitScan is visit for a query that reads rows of one table in the
// order wanted without sorting them (say, a range of its INTEGER PRIMARY
// KEY, which SQLite reads in key order; rest then has no ORDER BY). On
// SQLite the function is called on the table's rows directly, not on the
// rows of a subquery, which copies every value once more.
func (db *DB) visitScan(ctx context.Context, q querier, cols []string, rest string, args []any, fn visitFunc) error {
	if db.engine == Postgres {
		return db.visit(ctx, q, cols, rest, args, fn)
	}
	return db.visitSQLite(ctx, q, fmt.Sprintf(`SELECT accord_visit($%d, %s) %s`, len(args)+1, strings.Join(cols, ", "), rest), args, fn)
}

// visitSQLite runs query, which calls accord_visit with the handle as the
// last of args, and calls fn with each row.
func (db *DB) visitSQLite(ctx context.Context, q querier, query string, args []any, fn visitFunc) error {
	v := &visitor{fn: fn}
	visitors.Lock()
	visitors.next++
	h := visitors.next
	visitors.m[h] = v
	visitors.Unlock()
	defer func() {
		visitors.Lock()
		delete(visitors.m, h)
		visitors.Unlock()
	}()
	var n sql.NullInt64
	err := q.QueryRowContext(ctx, query, append(slices.Clip(args), h)...).Scan(&n)
	if v.err != nil {
		return v.err
	}
	return err
}

// Column values as visit gives them.

// colInt is an integer column; ok is false when it is NULL.
func colInt(v driver.Value) (n int64, ok bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), true
	}
	return 0, false
}

// colBool is a boolean column (SQLite stores 0 and 1).
func colBool(v driver.Value) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	}
	return false
}

// colStr is a text column, "" when NULL; on SQLite a view, valid during
// the visit only.
func colStr(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// colBytes is a blob column, nil when NULL; on SQLite a view, valid during
// the visit only.
func colBytes(v driver.Value) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return nil
}
