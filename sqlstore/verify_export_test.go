package sqlstore

import (
	"context"

	"github.com/accord-project/accord/auditlog"
)

// VerifyAuditInChunks is VerifyAudit reading the log in chunks of chunk
// entries instead of 8,192, so that a small log crosses the chunks' and
// the readers' edges as a large one does.
func (db *DB) VerifyAuditInChunks(ctx context.Context, opts VerifyOptions, chunk uint64) (*auditlog.VerifyResult, error) {
	return db.verifyAudit(ctx, opts, chunk)
}
