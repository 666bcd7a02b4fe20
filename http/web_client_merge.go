package http

import (
	"net/http"
	"strings"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Merging a duplicate record into the client's: Accord suggests the
// records of the organisation that may be the same person (as intake
// ranks them), or the navigator types the other record's Accord number;
// a confirmation says what happens. Everything recorded under the
// duplicate moves to this record, and the duplicate's history stays.

func init() {
	registerNotices(map[string]string{
		"client-merged": "The two records are one now. Everything recorded under the other record is on this one.",
	})
}

type clientMergeData struct {
	Client  clientRow
	Options []option
	// Found is whether Accord found records that may be the same person.
	Found bool
}

// clientMergeView builds the page: the client and the records that may be
// the same person (each a recorded decision, so only when the page is
// shown).
func (s *Server) clientMergeView(r *http.Request, c *enforce.Caller, f *form) (*view, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	cl, found, err := s.svc.MergeCandidates(ctx, c, id, s.purposeFor(r, c))
	if err != nil {
		return nil, err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return nil, err
	}
	v := s.newView(r, c, "clients", "Merge a duplicate record", nil)
	d := &clientMergeData{Client: s.clientRowOf(v.P, *cl, orgs), Found: len(found) > 0}
	for _, l := range found {
		d.Options = append(d.Options, option{Value: l.Client.ID, Label: clientMergeLabel(v.P, s.clientRowOf(v.P, l.Client, orgs), l)})
	}
	d.Options = append(d.Options, option{Value: "other", Label: v.P.Sprintf("Another record: I will type its Accord number")})
	v.Data = d
	v.Form = f
	return v, nil
}

// clientMergeLabel describes a suggested record: who, born when, how likely
// the same person and why.
func clientMergeLabel(p *i18n.Printer, row clientRow, l enforce.Likely) string {
	parts := []string{strings.TrimSpace(row.GivenName + " " + row.FamilyName)}
	if row.Born != "" {
		parts = append(parts, p.Sprintf("born %s", row.Born))
	}
	parts = append(parts, p.Sprintf("%d%% likely the same person", min(99, int(l.Result.Probability*100+0.5))), row.ID)
	var why []string
	for _, fm := range l.Result.Fields {
		if w := clientMatchWhy(p, fm); w != "" {
			why = append(why, w)
		}
	}
	label := strings.Join(parts, " · ")
	if len(why) > 0 {
		label += " — " + strings.Join(why, "; ")
	}
	return label
}

func (s *Server) clientMergePage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := s.clientMergeView(r, c, newForm())
	if err != nil {
		return s.clientFailed(w, r, c, err)
	}
	return s.render(w, http.StatusOK, "client_merge", v)
}

func (s *Server) clientMergeSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	p := s.pagePrinter(r)
	// The form shown again (after an error) lists the suggestions again.
	again := func(err error) error {
		clientKeepToken(f)
		v, verr := s.clientMergeView(r, c, f)
		if verr != nil {
			return s.clientFailed(w, r, c, verr)
		}
		status := http.StatusUnprocessableEntity
		if err != nil {
			status = clientFormStatus(err)
		}
		return s.render(w, status, "client_merge", v)
	}
	dup := strings.TrimSpace(f.Values.Get("duplicate"))
	if dup == "other" {
		dup = strings.TrimSpace(f.Values.Get("duplicate_other"))
		if dup == "" {
			f.Errors["duplicate_other"] = p.Sprintf("Type the Accord number of the other record; it is on its page, under “About the client”.")
		}
	} else if dup == "" {
		f.Errors["duplicate"] = p.Sprintf("Choose the record that is the same person.")
	}
	if f.Values.Get("confirm") != "yes" {
		f.Errors["confirm"] = p.Sprintf("Confirm that you checked with the client that both records are theirs.")
	}
	if len(f.Errors) > 0 {
		return again(nil)
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		if err := s.svc.MergeClients(r.Context(), c, id, dup, s.purposeFor(r, c)); err != nil {
			return "", err
		}
		return addNotice("/clients/"+id, "client-merged"), nil
	})
	if done {
		return nil
	}
	if !f.fail(p, err) {
		return err
	}
	field := "duplicate"
	if f.Values.Get("duplicate") == "other" {
		field = "duplicate_other"
	}
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		f.Error, f.Errors[field] = "", p.Sprintf("No record has this Accord number, or it was merged or erased.")
	}
	if msg, ok := f.Errors["duplicate_id"]; ok {
		delete(f.Errors, "duplicate_id")
		f.Errors[field] = msg
	}
	return again(err)
}
