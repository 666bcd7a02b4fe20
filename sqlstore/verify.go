package sqlstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
)

// VerifyOptions configure VerifyAudit.
type VerifyOptions struct {
	Origin    string
	Verifiers note.Verifiers
	// External is an earlier signed checkpoint the caller kept (optional).
	External []byte
	// Progress is called now and then with the entries checked so far, and the total.
	Progress func(done, total uint64)
}

// VerifyAudit recomputes the audit log's Merkle tree from the stored
// entries and checks it against the stored tiles, every stored signed
// checkpoint and opts.External, and checks that each entry's query columns
// (time, kind, actor, client) are those of its leaf — an entry re-labelled
// to hide it from a client's access report is caught too. The result names
// the first entry that does not match.
func (db *DB) VerifyAudit(ctx context.Context, opts VerifyOptions) (_ *auditlog.VerifyResult, err error) {
	defer accord.Wrap(&err, "VerifyAudit")
	size, err := db.AuditSize(ctx)
	if err != nil {
		return nil, err
	}
	cps, err := db.Checkpoints(ctx, 1<<30)
	if err != nil {
		return nil, err
	}
	v, err := auditlog.NewVerifier(ctx, auditlog.VerifyOptions{
		Origin: opts.Origin, Verifiers: opts.Verifiers, Size: size, Tiles: tileReader{db.read},
		Checkpoints: cps, External: opts.External,
		Progress: func(done uint64) {
			if opts.Progress != nil {
				opts.Progress(done, size)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT idx, time, kind, actor_id, client_id, leaf FROM audit_entries ORDER BY idx`)
	if err != nil {
		v.Finish()
		return nil, err
	}
	relabelled, problem := int64(-1), ""
	var (
		idx, us             int64
		kind, actor, client string
		leaf                []byte
	)
	for rows.Next() {
		if err := rows.Scan(&idx, &us, &kind, &actor, &client, &leaf); err != nil {
			rows.Close()
			v.Finish()
			return nil, err
		}
		if relabelled < 0 {
			if p := checkColumns(leaf, us, kind, actor, client); p != "" {
				relabelled, problem = idx, fmt.Sprintf("entry %d: %s", idx, p)
			}
		}
		if !v.Add(uint64(idx), leaf) {
			break
		}
	}
	rerr := rows.Err()
	rows.Close()
	res, err := v.Finish()
	if err != nil {
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	if relabelled >= 0 && (res.FirstBad < 0 || relabelled < res.FirstBad) {
		res.OK = false
		res.FirstBad, res.FirstBadEnd = relabelled, relabelled+1
		if res.Problem != "" {
			problem += "; " + res.Problem
		}
		res.Problem = problem
	}
	return res, nil
}

// checkColumns compares an entry's query columns with its leaf, cheaply:
// the leaf is canonical JSON, so each field is found by its key.
func checkColumns(leaf []byte, us int64, kind, actor, client string) string {
	if got := leafString(leaf, "kind"); got != kind {
		return "its kind column does not match its leaf"
	}
	if got := leafString(leaf, "actor"); got != actor {
		return "its actor column does not match its leaf"
	}
	if got := leafString(leaf, "client"); got != client {
		return "its client column does not match its leaf"
	}
	t, err := time.Parse(time.RFC3339Nano, leafString(leaf, "time"))
	if err != nil || t.UnixMicro() != us {
		return "its time column does not match its leaf"
	}
	return ""
}

// leafString returns the string value of a top-level key in a canonical
// leaf, or "" when absent. Leaf values of these keys are ids, codes and
// times, which JSON writes without escapes.
func leafString(leaf []byte, key string) string {
	needle := []byte(`"` + key + `":"`)
	i := bytes.Index(leaf, needle)
	if i < 0 {
		return ""
	}
	rest := leaf[i+len(needle):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}
