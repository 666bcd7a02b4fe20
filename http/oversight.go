package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

// The oversight body's review of legal bases over the JSON API: the queue
// of emergency accesses, court orders and statutory duties waiting for
// review, and recording a review. The pages are in web_oversight.go.

// reviewItemJSON is one legal basis in the review queue.
type reviewItemJSON struct {
	LegalBasis  accord.LegalBasis `json:"legal_basis"`
	ReviewDueAt time.Time         `json:"review_due_at"`
	Overdue     bool              `json:"overdue"`
	AgeHours    int               `json:"age_hours"`
	Escalations int               `json:"escalations"`
}

type reviewInput struct {
	Decision  accord.ReviewStatus `json:"decision"`
	Reasoning string              `json:"reasoning"`
}

func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	q, err := s.svc.ReviewQueue(r.Context(), c, 0)
	if err != nil {
		return err
	}
	items := []reviewItemJSON{}
	for _, it := range q.Waiting {
		items = append(items, reviewItemJSON{LegalBasis: it.Basis, ReviewDueAt: it.DueAt, Overdue: it.Overdue,
			AgeHours: int(it.Age.Hours()), Escalations: it.Escalations})
	}
	writeJSON(w, http.StatusOK, map[string]any{"queue": items})
	return nil
}

func (s *Server) reviewLegalBasis(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in reviewInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	b, err := s.svc.ReviewLegalBasis(r.Context(), c, r.PathValue("id"), accord.Review{Decision: in.Decision, Reasoning: in.Reasoning})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// The consent-compliance audit over the JSON API and for the page: a
// sample of disclosures, each with what permitted it and whether that is
// borne out by the stored agreement, consent or legal basis.

// sampleDefaultDays is the period a sample covers when none is given.
const sampleDefaultDays = 30

// parseSampleQuery reads a sample request from query parameters n, seed,
// from, to (dates or RFC 3339 times; to is exclusive, a date meaning the
// end of that day) and size. Missing n and from/to take defaults; a
// missing seed is an error unless defaultSeed is given.
func parseSampleQuery(q url.Values, now time.Time, defaultSeed *uint64) (sqlstore.SampleRequest, error) {
	r := sqlstore.SampleRequest{N: 50}
	if v := strings.TrimSpace(q.Get("n")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return r, accord.FieldErrorf("n", "the sample size must be from 1 to %d", sqlstore.MaxSample)
		}
		r.N = n
	}
	switch v := strings.TrimSpace(q.Get("seed")); {
	case v != "":
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return r, accord.FieldErrorf("seed", "the seed must be a whole number from 0 to 18446744073709551615")
		}
		r.Seed = seed
	case defaultSeed != nil:
		r.Seed = *defaultSeed
	default:
		return r, accord.FieldErrorf("seed", "give a seed, so that the sample can be drawn again")
	}
	day := now.UTC().Truncate(24 * time.Hour)
	r.From, r.To = day.AddDate(0, 0, -sampleDefaultDays), day.AddDate(0, 0, 1)
	for _, f := range []struct {
		name string
		dst  *time.Time
		end  bool
	}{{"from", &r.From, false}, {"to", &r.To, true}} {
		v := strings.TrimSpace(q.Get(f.name))
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			if f.end {
				t = t.AddDate(0, 0, 1)
			}
			*f.dst = t
		} else if t, err := time.Parse(time.RFC3339, v); err == nil {
			*f.dst = t.UTC()
		} else {
			return r, accord.FieldErrorf(f.name, "%s must be a date (2026-11-22) or a time (2026-11-22T09:00:00Z)", f.name)
		}
	}
	if v := strings.TrimSpace(q.Get("size")); v != "" {
		size, err := strconv.ParseUint(v, 10, 63)
		if err != nil || size == 0 {
			return r, accord.FieldErrorf("size", "the log size must be a whole number above 0")
		}
		r.Size = size
	}
	return r, nil
}

type sampleProblemJSON struct {
	Code    accord.TieProblem `json:"code"`
	Message string            `json:"message"`
}

type sampledDisclosureJSON struct {
	Index                   int64               `json:"index"`
	Time                    time.Time           `json:"time"`
	ClientID                string              `json:"client_id"`
	HolderID                string              `json:"holder_id"`
	RecipientOrganizationID string              `json:"recipient_organization_id"`
	StaffID                 string              `json:"staff_id"`
	Category                accord.Category     `json:"category"`
	Purpose                 accord.Purpose      `json:"purpose"`
	Reason                  accord.Reason       `json:"reason"`
	AgreementID             string              `json:"agreement_id,omitempty"`
	AgreementVersion        int                 `json:"agreement_version,omitempty"`
	ConsentID               string              `json:"consent_id,omitempty"`
	Provision               *int                `json:"provision,omitempty"`
	LegalBasisID            string              `json:"legal_basis_id,omitempty"`
	LegalBasisKind          string              `json:"legal_basis_kind,omitempty"`
	ReviewStatus            string              `json:"review_status,omitempty"`
	TiedTo                  accord.TieBasis     `json:"tied_to"`
	Tied                    bool                `json:"tied"`
	Problems                []sampleProblemJSON `json:"problems"`
}

type complianceSampleJSON struct {
	From        time.Time               `json:"from"`
	To          time.Time               `json:"to"`
	Seed        uint64                  `json:"seed"`
	Size        uint64                  `json:"size"`
	N           int                     `json:"n"`
	Population  int                     `json:"population"`
	Tied        int                     `json:"tied"`
	Untied      int                     `json:"untied"`
	Erased      int                     `json:"erased"`
	GeneratedAt time.Time               `json:"generated_at"`
	Disclosures []sampledDisclosureJSON `json:"disclosures"`
}

func complianceJSON(p *i18n.Printer, cs *enforce.ComplianceSample) complianceSampleJSON {
	out := complianceSampleJSON{From: cs.From, To: cs.To, Seed: cs.Seed, Size: cs.Size, N: cs.Sample, Population: cs.Population, Tied: cs.Tied,
		Untied: cs.Untied, Erased: cs.Erased, GeneratedAt: cs.GeneratedAt, Disclosures: []sampledDisclosureJSON{}}
	for _, it := range cs.Items {
		e := it.Entry
		j := sampledDisclosureJSON{Index: e.Index, Time: e.Time, ClientID: e.ClientID, HolderID: e.HolderID, RecipientOrganizationID: e.ActorOrganizationID,
			StaffID: e.ActorID, Category: e.Category, Purpose: e.Purpose, Reason: e.Reason, AgreementID: e.AgreementID, AgreementVersion: e.AgreementVersion,
			ConsentID: e.ConsentID, Provision: e.Provision, LegalBasisID: e.LegalBasisID, TiedTo: it.Tie.Basis, Tied: it.Tie.Tied(), Problems: []sampleProblemJSON{}}
		if it.Basis != nil {
			j.LegalBasisKind, j.ReviewStatus = string(it.Basis.Kind), string(it.Basis.ReviewStatus)
		}
		for i, code := range it.Tie.Problems {
			j.Problems = append(j.Problems, sampleProblemJSON{Code: code, Message: p.Render(it.Problems[i])})
		}
		out.Disclosures = append(out.Disclosures, j)
	}
	return out
}

func (s *Server) complianceSample(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	req, err := parseSampleQuery(r.URL.Query(), s.now(), nil)
	if err != nil {
		return err
	}
	cs, err := s.svc.ComplianceSample(r.Context(), c, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, complianceJSON(s.printer(r), cs))
	return nil
}
