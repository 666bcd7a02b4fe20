package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
)

// Reads for the audit pages of the web interface: a filtered, bounded
// search of the log, and the history of signed checkpoints.

// AuditQuery selects audit entries for the audit pages, newest first.
// ClientID, ActorID, Kind and the time range are matched in SQL; Action and
// Effect are in the leaf only and are matched after decoding. A search
// examines at most MaxScan entries per call, so that a filter that matches
// nothing in a large log costs a bounded amount of work: the page then
// says how far back it looked, and Next continues from there.
type AuditQuery struct {
	ClientID string
	ActorID  string
	Kind     accord.AuditKind
	Action   string
	Effect   string // "permit", "deny" or ""
	// From is inclusive, Until exclusive; zero means unbounded.
	From, Until time.Time
	// Before returns entries with index < Before; 0 starts at the newest.
	Before int64
	Limit  int
	// MaxScan bounds the entries examined (default 20,000).
	MaxScan int
}

// AuditPage is one page of a search.
type AuditPage struct {
	Entries []accord.AuditEntry
	// Next is the Before of the next (older) page, or -1 when the search
	// reached the oldest entry it could match.
	Next int64
	// Exhausted reports that the scan budget ran out before the page
	// filled: entries older than Next were not looked at yet.
	Exhausted bool
	// Size is the log's size when the search ran.
	Size uint64
}

const auditWindow = 2000

// SearchAudit runs q.
func (db *DB) SearchAudit(ctx context.Context, q AuditQuery) (_ *AuditPage, err error) {
	defer accord.Wrap(&err, "SearchAudit")
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	if q.MaxScan <= 0 {
		q.MaxScan = 20000
	}
	size, err := db.AuditSize(ctx)
	if err != nil {
		return nil, err
	}
	page := &AuditPage{Next: -1, Size: size}
	top := int64(size)
	if q.Before > 0 && q.Before < top {
		top = q.Before
	}
	floor := int64(0)
	// Entries are appended in time order (give or take the few
	// microseconds between a decision and its commit), so a time range
	// narrows the index range; the exact bounds are checked in SQL below.
	if !q.Until.IsZero() {
		if i, err := db.auditIndexAt(ctx, q.Until, size); err != nil {
			return nil, err
		} else if i+auditWindow < top {
			top = i + auditWindow
		}
	}
	if !q.From.IsZero() {
		if i, err := db.auditIndexAt(ctx, q.From, size); err != nil {
			return nil, err
		} else if i-auditWindow > floor {
			floor = i - auditWindow
		}
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if q.ClientID != "" {
		add("client_id = $%d", q.ClientID)
	}
	if q.ActorID != "" {
		add("actor_id = $%d", q.ActorID)
	}
	if q.Kind != "" {
		add("kind = $%d", string(q.Kind))
	}
	if !q.From.IsZero() {
		add("time >= $%d", us(q.From))
	}
	if !q.Until.IsZero() {
		add("time < $%d", us(q.Until))
	}
	// With an indexed column (client or actor) the database finds the rows
	// itself; otherwise walk the log backwards in windows of indexes.
	indexed := q.ClientID != "" || q.ActorID != ""
	scanned := 0
	for top > floor && len(page.Entries) < q.Limit {
		if scanned >= q.MaxScan {
			page.Exhausted = true
			page.Next = top
			return page, nil
		}
		low := floor
		if !indexed && top-auditWindow > low {
			low = top - auditWindow
		}
		a := append(append([]any{}, args...), top, low, auditWindow)
		n := len(args)
		query := `SELECT idx, leaf FROM audit_entries WHERE ` + strings.Join(append(cloneStrings(where), fmt.Sprintf("idx < $%d", n+1), fmt.Sprintf("idx >= $%d", n+2)), " AND ") +
			fmt.Sprintf(" ORDER BY idx DESC LIMIT $%d", n+3)
		rows, err := db.read.QueryContext(ctx, query, a...)
		if err != nil {
			return nil, err
		}
		got, last := 0, int64(-1)
		for rows.Next() {
			var idx int64
			var leaf []byte
			if err := rows.Scan(&idx, &leaf); err != nil {
				rows.Close()
				return nil, err
			}
			got++
			last = idx
			if len(page.Entries) >= q.Limit {
				continue
			}
			e, err := auditlog.DecodeLeaf(leaf)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("audit entry %d: %w", idx, err)
			}
			e.Index = idx
			if q.Action != "" && e.Action != q.Action || q.Effect != "" && e.Effect != q.Effect {
				continue
			}
			page.Entries = append(page.Entries, e)
			if len(page.Entries) == q.Limit {
				top = idx
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if len(page.Entries) == q.Limit {
			if top > floor {
				page.Next = top
			}
			return page, nil
		}
		if indexed {
			scanned += got
			if got < auditWindow {
				return page, nil // no older match
			}
			top = last
		} else {
			scanned += int(top - low)
			top = low
		}
	}
	return page, nil
}

func cloneStrings(s []string) []string { return append([]string(nil), s...) }

// auditIndexAt returns the first index whose time is at or after t, by
// bisection on the index (entries are in time order).
func (db *DB) auditIndexAt(ctx context.Context, t time.Time, size uint64) (int64, error) {
	lo, hi := int64(0), int64(size)
	target := us(t)
	for lo < hi {
		mid := lo + (hi-lo)/2
		var at int64
		err := db.read.QueryRowContext(ctx, `SELECT time FROM audit_entries WHERE idx = $1`, mid).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, accord.Errorf(accord.ENOTFOUND, "no audit entry %d", mid)
		}
		if err != nil {
			return 0, err
		}
		if at < target {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// StoredCheckpoint is a signed checkpoint as stored, with when it was signed.
type StoredCheckpoint struct {
	Size     uint64
	Note     []byte
	SignedAt time.Time
}

// CheckpointHistory returns stored checkpoints of size < before (0: all),
// newest first, at most limit.
func (db *DB) CheckpointHistory(ctx context.Context, before uint64, limit int) ([]StoredCheckpoint, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if before == 0 {
		before = 1 << 62
	}
	rows, err := db.read.QueryContext(ctx, `SELECT size, note, created_at FROM audit_checkpoints WHERE size < $1 ORDER BY size DESC LIMIT $2`, int64(before), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredCheckpoint
	for rows.Next() {
		var size, at int64
		var text string
		if err := rows.Scan(&size, &text, &at); err != nil {
			return nil, err
		}
		out = append(out, StoredCheckpoint{Size: uint64(size), Note: []byte(text), SignedAt: fromUS(at)})
	}
	return out, rows.Err()
}
