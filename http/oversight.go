package http

import (
	"net/http"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
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
