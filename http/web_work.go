package http

import (
	"net/http"
	"time"

	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

// workData is the "My work" page: what the caller has to do, the most
// pressing first.
type workData struct {
	*enforce.Work
	Orgs          map[string]string // organisation id → name
	Notifications []notificationRow
	Unread        int
}

type notificationRow struct {
	sqlstore.Notification
	Text, Link string
}

func (s *Server) workPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	work, err := s.svc.MyWork(r.Context(), c)
	if err != nil {
		return err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "work", "My work", nil)
	d := &workData{Work: work, Orgs: orgs}
	for _, n := range work.Notifications {
		row := notificationRow{Notification: n, Text: enforce.NoticeText(v.P, n.Kind)}
		if p := enforce.LinkPath(n.SubjectID); p != "" {
			row.Link = "/" + p
		}
		if n.ReadAt == nil {
			d.Unread++
		}
		d.Notifications = append(d.Notifications, row)
	}
	v.Data = d
	return s.render(w, http.StatusOK, "work", v)
}

// readAll marks the caller's notifications read.
func (s *Server) readAll(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if err := s.db.MarkNotificationsRead(r.Context(), c.Staff.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/work", http.StatusSeeOther)
	return nil
}

// orgNames maps the partnership's organisation ids to their names.
func (s *Server) orgNames(r *http.Request, c *enforce.Caller) (map[string]string, error) {
	orgs, err := s.svc.Organizations(r.Context(), c)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(orgs))
	for _, o := range orgs {
		out[o.ID] = o.Name
	}
	return out, nil
}

// overdue reports whether a deadline has passed.
func overdue(now, due time.Time) bool { return !due.IsZero() && now.After(due) }

// shortID is the last characters of an id, enough to tell two apart on a
// page (ids are pseudonymous: they say nothing about the person).
func shortID(id string) string {
	if len(id) > 8 {
		return "…" + id[len(id)-6:]
	}
	return id
}
