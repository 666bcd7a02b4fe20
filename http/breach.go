package http

import (
	"net/http"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
)

// The breach incidents' JSON API (the routes are in web_breach.go's
// group, beside the pages). Every incident change takes the version it
// changes in If-Match.

type breachInput struct {
	Description    string               `json:"description"`
	DiscoveredAt   time.Time            `json:"discovered_at"`
	Subject        accord.BreachSubject `json:"subject"`
	StaffID        string               `json:"staff_id"`
	CredentialID   string               `json:"credential_id"`
	OrganizationID string               `json:"organization_id"`
	KeyVersion     int                  `json:"key_version"`
	WindowStart    time.Time            `json:"window_start"`
	WindowEnd      time.Time            `json:"window_end"`
}

// breachViewJSON is one incident with what happened to it.
type breachViewJSON struct {
	accord.Breach
	Events []accord.BreachEvent `json:"events"`
}

func breachView(d *enforce.BreachDetail) breachViewJSON {
	return breachViewJSON{Breach: d.Breach, Events: nonNil(d.Events)}
}

func (s *Server) recordBreach(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in breachInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	b := &accord.Breach{Description: in.Description, DiscoveredAt: in.DiscoveredAt, Subject: in.Subject, StaffID: in.StaffID, CredentialID: in.CredentialID,
		OrganizationID: in.OrganizationID, KeyVersion: in.KeyVersion, WindowStart: in.WindowStart, WindowEnd: in.WindowEnd}
	if err := s.svc.RecordBreach(r.Context(), c, b); err != nil {
		return err
	}
	d, err := s.svc.Breach(r.Context(), c, b.ID)
	if err != nil {
		return err
	}
	etag(w, d.Version)
	w.Header().Set("Location", "/api/v1/breaches/"+b.ID)
	writeJSON(w, http.StatusCreated, breachView(d))
	return nil
}

func (s *Server) listBreaches(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	all := true
	switch r.URL.Query().Get("status") {
	case "", "all":
	case "open":
		all = false
	default:
		return accord.FieldErrorf("status", "status is open or all")
	}
	bs, err := s.svc.Breaches(r.Context(), c, all)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"breaches": nonNil(bs)})
	return nil
}

func (s *Server) getBreach(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	d, err := s.svc.Breach(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	etag(w, d.Version)
	writeJSON(w, http.StatusOK, breachView(d))
	return nil
}

// breachChanged answers a change with the incident as it is now.
func (s *Server) breachChanged(w http.ResponseWriter, r *http.Request, c *enforce.Caller, b *accord.Breach, err error) error {
	if err != nil {
		return err
	}
	d, err := s.svc.Breach(r.Context(), c, b.ID)
	if err != nil {
		return err
	}
	etag(w, d.Version)
	writeJSON(w, http.StatusOK, breachView(d))
	return nil
}

func (s *Server) recomputeBreach(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	b, err := s.svc.RecomputeBreach(r.Context(), c, r.PathValue("id"), v)
	return s.breachChanged(w, r, c, b, err)
}

func (s *Server) notifyAuthority(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in struct {
		NotifiedAt time.Time `json:"notified_at"`
		Reference  string    `json:"reference"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	b, err := s.svc.NotifyAuthority(r.Context(), c, r.PathValue("id"), v, in.NotifiedAt, in.Reference)
	return s.breachChanged(w, r, c, b, err)
}

func (s *Server) addBreachRemedy(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	b, err := s.svc.AddBreachRemedy(r.Context(), c, r.PathValue("id"), v, in.Text)
	return s.breachChanged(w, r, c, b, err)
}

func (s *Server) closeBreach(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in struct {
		Summary string `json:"summary"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	b, err := s.svc.CloseBreach(r.Context(), c, r.PathValue("id"), v, in.Summary)
	return s.breachChanged(w, r, c, b, err)
}

func (s *Server) breachNotices(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	ns, _, err := s.svc.BreachNotices(r.Context(), c, r.PathValue("id"), s.cat, s.siteURL(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"notices": nonNil(ns)})
	return nil
}

// siteURL is the address clients reach this server at, for what is
// printed for them.
func (s *Server) siteURL(r *http.Request) string {
	scheme := "http"
	if s.secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
