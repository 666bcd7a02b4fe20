package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
)

// The consent-compliance audit's storage: a reproducible uniform sample of
// the disclosures in the audit log, and the stored objects each names.

// MaxSample bounds one sample.
const MaxSample = 1000

// DisclosureSample is a uniform random sample of the disclosures of a
// period, drawn from the first Size entries of the audit log. The same
// seed, period and size give the same sample for as long as the log
// exists: the log only grows, and its first Size entries never change.
type DisclosureSample struct {
	From, To time.Time
	Seed     uint64
	Size     uint64 // the log size sampled from
	// Population is how many disclosures the period held.
	Population int
	// Entries are the sampled disclosures, in log order.
	Entries []accord.AuditEntry
}

// SampleRequest asks for a sample.
type SampleRequest struct {
	N        int
	Seed     uint64
	From, To time.Time
	// Size is the log size to sample from; 0: the current size.
	Size uint64
}

// Validate checks a sample request against the current log size.
func (r *SampleRequest) Validate(current uint64) error {
	switch {
	case r.N < 1 || r.N > MaxSample:
		return accord.FieldErrorf("n", "the sample size must be from 1 to %d", MaxSample)
	case r.From.IsZero() || r.To.IsZero():
		return accord.FieldErrorf("from", "a sample needs a period: from and to")
	case !r.To.After(r.From):
		return accord.FieldErrorf("to", "the end of the period must be after its start")
	case r.Size > current:
		return accord.FieldErrorf("size", "the audit log has only %d entries", int64(current))
	}
	return nil
}

// SampleDisclosures draws r.N disclosures uniformly at random from those
// recorded in [r.From, r.To) among the first r.Size entries of the audit
// log (the current size when 0). It reads the period's decision entries
// once, in log order, and keeps only the sample (reservoir sampling, with
// a PCG generator seeded from r.Seed), so memory does not grow with the
// log. Errors: EINVALID with the field named.
func (db *DB) SampleDisclosures(ctx context.Context, r SampleRequest) (_ *DisclosureSample, err error) {
	defer accord.Wrap(&err, "SampleDisclosures")
	current, err := db.AuditSize(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.Validate(current); err != nil {
		return nil, err
	}
	size := r.Size
	if size == 0 {
		size = current
	}
	out := &DisclosureSample{From: r.From.UTC(), To: r.To.UTC(), Seed: r.Seed, Size: size}
	lo, err := db.auditIndexAt(ctx, r.From.Add(-auditSlack), size)
	if err != nil {
		return nil, err
	}
	hi, err := db.auditIndexAt(ctx, r.To.Add(auditSlack), size)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT idx, leaf FROM audit_entries
		WHERE idx >= $1 AND idx < $2 AND kind = $3 AND client_id <> '' AND time >= $4 AND time < $5 ORDER BY idx`,
		lo, hi, string(accord.AuditDecision), us(r.From), us(r.To))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	rng := rand.New(rand.NewPCG(r.Seed, 0x6163636f72642d73)) // "accord-s"
	var idx int64
	var leaf []byte
	for rows.Next() {
		if err := rows.Scan(&idx, &leaf); err != nil {
			return nil, err
		}
		e, err := auditlog.DecodeLeaf(leaf)
		if err != nil {
			return nil, fmt.Errorf("audit entry %d: %w", idx, err)
		}
		if !e.IsDisclosure() {
			continue
		}
		e.Index = idx
		// Algorithm R: the k-th disclosure (from 0) replaces a kept one
		// with probability n/(k+1).
		k := out.Population
		out.Population++
		if k < r.N {
			out.Entries = append(out.Entries, e)
		} else if j := rng.IntN(k + 1); j < r.N {
			out.Entries[j] = e
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out.Entries, func(a, b accord.AuditEntry) int { return cmp.Compare(a.Index, b.Index) })
	return out, nil
}

// EvidenceLoader loads what accord.CheckTie needs for each disclosure of a
// sample, reading each agreement version, organisation, client and legal
// basis once.
type EvidenceLoader struct {
	db         *DB
	agreements map[string]*accord.Agreement
	sectors    map[string]accord.Sector
	clients    map[string]clientFate
	consents   map[string][]accord.Consent // by client id
	bases      map[string]*accord.LegalBasis
}

type clientFate struct {
	ids    []string // the client's id and the survivors it was merged into
	erased bool
}

// NewEvidenceLoader returns an EvidenceLoader.
func (db *DB) NewEvidenceLoader() *EvidenceLoader {
	return &EvidenceLoader{db: db, agreements: map[string]*accord.Agreement{}, sectors: map[string]accord.Sector{},
		clients: map[string]clientFate{}, consents: map[string][]accord.Consent{}, bases: map[string]*accord.LegalBasis{}}
}

// Load returns the evidence for disclosure e as stored now.
func (l *EvidenceLoader) Load(ctx context.Context, e *accord.AuditEntry) (*accord.TieEvidence, error) {
	fate, err := l.client(ctx, e.ClientID)
	if err != nil {
		return nil, err
	}
	ev := &accord.TieEvidence{ClientIDs: fate.ids, Erased: fate.erased}
	if ev.RecipientSector, err = l.sector(ctx, e.ActorOrganizationID); err != nil {
		return nil, err
	}
	if e.AgreementID != "" && e.AgreementVersion > 0 {
		if ev.Agreement, err = l.agreement(ctx, e.AgreementID, e.AgreementVersion); err != nil {
			return nil, err
		}
	}
	if e.Reason == accord.ReasonAgreementConsent {
		survivor := fate.ids[len(fate.ids)-1]
		if ev.Consents, err = l.clientConsents(ctx, survivor); err != nil {
			return nil, err
		}
		if e.ConsentID != "" {
			if i := slices.IndexFunc(ev.Consents, func(c accord.Consent) bool { return c.ID == e.ConsentID }); i >= 0 {
				ev.Consent = &ev.Consents[i]
			} else if ev.Consent, err = l.db.FindConsent(ctx, e.ConsentID); accord.ErrorCode(err) == accord.ENOTFOUND {
				ev.Consent, err = nil, nil
			}
			if err != nil {
				return nil, err
			}
		}
	}
	if e.LegalBasisID != "" {
		if ev.Basis, err = l.basis(ctx, e.LegalBasisID); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

func (l *EvidenceLoader) client(ctx context.Context, id string) (clientFate, error) {
	if f, ok := l.clients[id]; ok {
		return f, nil
	}
	f := clientFate{ids: []string{id}}
	for cur := id; len(f.ids) < 16; {
		var into string
		var erased sql.NullInt64
		err := l.db.read.QueryRowContext(ctx, `SELECT merged_into, erased_at FROM clients WHERE id = $1`, cur).Scan(&into, &erased)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return f, err
		}
		if erased.Valid {
			f.erased = true
		}
		if into == "" {
			break
		}
		f.ids = append(f.ids, into)
		cur = into
	}
	l.clients[id] = f
	return f, nil
}

func (l *EvidenceLoader) sector(ctx context.Context, org string) (accord.Sector, error) {
	if s, ok := l.sectors[org]; ok {
		return s, nil
	}
	o, err := l.db.FindOrganization(ctx, org)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		l.sectors[org] = ""
		return "", nil
	}
	if err != nil {
		return "", err
	}
	l.sectors[org] = o.Sector
	return o.Sector, nil
}

func (l *EvidenceLoader) agreement(ctx context.Context, id string, version int) (*accord.Agreement, error) {
	key := fmt.Sprintf("%s/%d", id, version)
	if a, ok := l.agreements[key]; ok {
		return a, nil
	}
	a, err := findAgreementVersion(ctx, l.db.read, id, version)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		a, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	l.agreements[key] = a
	return a, nil
}

func (l *EvidenceLoader) clientConsents(ctx context.Context, client string) ([]accord.Consent, error) {
	if cs, ok := l.consents[client]; ok {
		return cs, nil
	}
	cs, err := l.db.ClientConsents(ctx, client)
	if err != nil {
		return nil, err
	}
	l.consents[client] = cs
	return cs, nil
}

func (l *EvidenceLoader) basis(ctx context.Context, id string) (*accord.LegalBasis, error) {
	if b, ok := l.bases[id]; ok {
		return b, nil
	}
	b, err := l.db.FindLegalBasis(ctx, id)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		b, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	l.bases[id] = b
	return b, nil
}
