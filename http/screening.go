package http

import (
	"encoding/json"
	"net/http"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/screening"
	"github.com/accord-project/accord/sqlstore"
)

type questionnaireSummary struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	Version string `json:"version"`
	Title   string `json:"title"`
}

func (s *Server) listQuestionnaires(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	lang := s.printer(r).Tag.String()
	out := []questionnaireSummary{}
	for _, q := range screening.Builtin() {
		out = append(out, questionnaireSummary{ID: q.ID, URL: q.URL, Version: q.Version, Title: q.Title.In(lang)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"questionnaires": out})
	return nil
}

type itemViewJSON struct {
	LinkID    string                 `json:"link_id"`
	Type      screening.ItemType     `json:"type"`
	Depth     int                    `json:"depth"`
	Parent    string                 `json:"parent,omitempty"`
	Text      string                 `json:"text"`
	Required  bool                   `json:"required"`
	Repeats   bool                   `json:"repeats"`
	MaxLength int                    `json:"max_length,omitempty"`
	Enabled   bool                   `json:"enabled"`
	Options   []screening.OptionView `json:"options,omitempty"`
}

// getQuestionnaire returns a questionnaire as a form shows it in the
// caller's language (lang, else Accept-Language), with the FHIR resource.
func (s *Server) getQuestionnaire(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	for _, q := range screening.Builtin() {
		if q.ID != r.PathValue("id") {
			continue
		}
		lang := s.printer(r).Tag.String()
		items := []itemViewJSON{}
		for _, it := range q.Items(lang, nil) {
			items = append(items, itemViewJSON{LinkID: it.LinkID, Type: it.Type, Depth: it.Depth, Parent: it.Parent, Text: it.Text, Required: it.Required,
				Repeats: it.Repeats, MaxLength: it.MaxLength, Enabled: it.Enabled, Options: it.Options})
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": q.ID, "url": q.URL, "version": q.Version, "title": q.Title.In(lang), "language": lang,
			"items": items, "resource": q})
		return nil
	}
	return accord.Errorf(accord.ENOTFOUND, "questionnaire not found")
}

type needJSON struct {
	Code        screening.NeedCode `json:"code"`
	Urgency     screening.Urgency  `json:"urgency"`
	Explanation string             `json:"explanation"`
}

func (s *Server) screen(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		Response        json.RawMessage `json:"response"`
		Language        string          `json:"language"`
		InterpreterUsed bool            `json:"interpreter_used"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	// The QuestionnaireResponse is decoded strictly, as FHIR JSON.
	resp, err := screening.ParseResponse(in.Response)
	if err != nil {
		return err
	}
	res, err := s.svc.Screen(r.Context(), c, r.PathValue("id"), resp, in.Language, in.InterpreterUsed, purpose)
	if err != nil {
		return err
	}
	lang := s.printer(r).Tag.String()
	needs := []needJSON{}
	for _, n := range res.Needs {
		needs = append(needs, needJSON{Code: n.Code, Urgency: n.Urgency, Explanation: n.Explanation.In(lang)})
	}
	out := map[string]any{"screening": res.Screening, "needs": needs, "escalations": nonNil(res.Escalations)}
	if res.Change != nil {
		out["change"] = changeJSON(res.Change)
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func changeJSON(c *screening.Change) map[string]any {
	codes := func(ns []screening.Need) []string {
		out := []string{}
		for _, n := range ns {
			out = append(out, string(n.Code))
		}
		return out
	}
	return map[string]any{"new": codes(c.New), "resolved": codes(c.Resolved), "more_urgent": nonNil(c.Up), "less_urgent": nonNil(c.Down)}
}

type screeningJSON struct {
	sqlstore.Screening
	Response json.RawMessage `json:"response"`
}

func (s *Server) listScreenings(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	list, withheld, err := s.svc.Screenings(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	out := []screeningJSON{}
	for _, sc := range list {
		out = append(out, screeningJSON{Screening: sc, Response: json.RawMessage(sc.Response)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"screenings": out, "withheld": s.disclosures(s.printer(r), withheld)})
	return nil
}
