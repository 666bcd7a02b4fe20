package http

import (
	"net/http"
	"time"

	"github.com/accord-project/accord"
)

// Who saw my information (the access report in the client's words) and my
// referrals.

type portalAccessRow struct {
	Time      time.Time
	Who       string
	What      string
	From      string // the organisation that held it, when not the one that asked
	Decision  bool
	Allowed   bool
	Emergency bool
	ByClient  bool
}

type portalAccessData struct {
	Rows        []portalAccessRow
	Emergencies int
	Truncated   bool
	Home        string
}

func (s *Server) portalAccess(w http.ResponseWriter, r *http.Request, clientID string) error {
	rep, err := s.svc.PortalAccessReport(r.Context(), clientID)
	if err != nil {
		return err
	}
	me, err := s.svc.PortalSelf(r.Context(), clientID)
	if err != nil {
		return err
	}
	v := s.portalView(r, clientID, "access", "Who saw my information", nil)
	p := v.P
	d := &portalAccessData{Emergencies: rep.Emergencies, Truncated: rep.Truncated, Home: me.HomeName}
	for i := range rep.Lines {
		l := &rep.Lines[i]
		d.Rows = append(d.Rows, portalAccessRow{Time: l.Time, Who: accessWho(p, l), What: accessWhat(p, l), From: l.HolderName,
			Decision: l.Kind == accord.AuditDecision, Allowed: l.Allowed, Emergency: l.Emergency, ByClient: l.ByClient})
	}
	v.Data = d
	return s.render(w, http.StatusOK, "portal_access", v)
}

type portalReferralRow struct {
	From, To, Service string
	Why               string
	Status            string
	Badge             string
	Sent, Updated     time.Time
}

func (s *Server) portalReferrals(w http.ResponseWriter, r *http.Request, clientID string) error {
	rs, err := s.svc.PortalReferrals(r.Context(), clientID)
	if err != nil {
		return err
	}
	v := s.portalView(r, clientID, "myreferrals", "My referrals", nil)
	p := v.P
	var rows []portalReferralRow
	for _, rf := range rs {
		row := portalReferralRow{From: rf.FromName, To: rf.ToName, Service: rf.ServiceName,
			Why:    wordOr(p, portalPurposeWords, rf.Purpose, string(rf.Purpose)),
			Status: wordOr(p, portalReferralWords, rf.Status, string(rf.Status)), Sent: rf.SentAt, Updated: rf.UpdatedAt}
		switch rf.Status {
		case accord.ReferralAccepted, accord.ReferralInProgress, accord.ReferralCompleted:
			row.Badge = "ok"
		case accord.ReferralDeclined, accord.ReferralCancelled:
			row.Badge = "bad"
		default:
			row.Badge = "warn"
		}
		rows = append(rows, row)
	}
	v.Data = rows
	return s.render(w, http.StatusOK, "portal_referrals", v)
}
