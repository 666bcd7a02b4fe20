package http

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
)

// Changing a client's details: a phone number that changed, a name taken
// down wrongly, a language learnt. The form is intake's, filled in with
// the details as they are; the version it was filled in from travels with
// it, so a change made meanwhile by a colleague is never overwritten.

func init() {
	registerNotices(map[string]string{
		"client-updated": "The client's details are saved.",
	})
}

type clientEditData struct {
	*clientNewData
	ID   string
	Name string
}

func (s *Server) clientEditPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	cl, err := s.svc.EditableClient(r.Context(), c, r.PathValue("id"), s.purposeFor(r, c))
	if err != nil {
		return s.clientFailed(w, r, c, err)
	}
	v := s.newView(r, c, "clients", "Change the client's details", nil)
	second := ""
	if len(cl.Languages) > 0 {
		second = cl.Languages[0]
	}
	d, err := s.clientNewData(r, c, v.P, cl.PreferredLanguage, second)
	if err != nil {
		return err
	}
	v.Data = &clientEditData{clientNewData: d, ID: cl.ID, Name: cl.GivenName + " " + cl.FamilyName}
	v.Form = newForm()
	clientToForm(v.Form, cl)
	return s.render(w, http.StatusOK, "client_edit", v)
}

func (s *Server) clientEditSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	v := s.newView(r, c, "clients", "Change the client's details", nil)
	v.Form = f
	d, err := s.clientNewData(r, c, v.P, f.Values.Get("preferred_language"), f.Values.Get("second_language"))
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(f.Values.Get("version"))
	v.Data = &clientEditData{clientNewData: d, ID: id, Name: f.Values.Get("given_name") + " " + f.Values.Get("family_name")}
	typed := clientFromForm(v.P, f)
	if len(f.Errors) == 0 {
		if err := typed.Validate(s.now()); err != nil {
			if !f.fail(v.P, err) {
				return err
			}
			clientFixIntakeFields(f)
		}
	}
	if len(f.Errors) > 0 || f.Error != "" {
		clientKeepToken(f)
		return s.render(w, http.StatusUnprocessableEntity, "client_edit", v)
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		_, err := s.svc.UpdateClient(r.Context(), c, id, version, func(cl *accord.Client) error {
			clientApplyForm(cl, &typed)
			return nil
		}, s.purposeFor(r, c))
		if err != nil {
			return "", err
		}
		return addNotice("/clients/"+id, "client-updated"), nil
	})
	if done {
		return nil
	}
	if d := enforce.AsDenied(err); d != nil {
		return s.clientDeniedPage(w, r, c, d)
	}
	clientKeepToken(f)
	if !f.fail(v.P, err) {
		return err
	}
	clientFixIntakeFields(f)
	return s.render(w, clientFormStatus(err), "client_edit", v)
}

// clientToForm fills the intake form's fields with a client's details.
func clientToForm(f *form, cl *accord.Client) {
	set := func(k, v string) {
		if v != "" {
			f.Values.Set(k, v)
		}
	}
	set("given_name", cl.GivenName)
	set("family_name", cl.FamilyName)
	if bd := cl.BirthDate; bd != "" {
		set("birth_year", bd[:4])
		if len(bd) >= 7 {
			set("birth_month", strconv.Itoa(atoiOr(bd[5:7])))
		}
		if len(bd) == 10 {
			set("birth_day", strconv.Itoa(atoiOr(bd[8:10])))
		}
	}
	set("gender", string(cl.Gender))
	set("gender_text", cl.GenderText)
	set("preferred_language", cl.PreferredLanguage)
	if len(cl.Languages) > 0 {
		set("second_language", cl.Languages[0])
	}
	if cl.InterpreterNeeded {
		set("interpreter_needed", "yes")
	}
	if cl.InterpreterUsed {
		set("interpreter_used", "yes")
	}
	for _, x := range cl.Disabilities {
		f.Values.Add("disabilities", string(x))
	}
	set("area", cl.Area)
	set("phone", cl.Phone)
	set("email", cl.Email)
	set("address", cl.Address)
	if len(cl.Identifiers) > 0 {
		set("id_system", cl.Identifiers[0].System)
		set("id_value", cl.Identifiers[0].Value)
	}
	f.Values.Set("version", strconv.Itoa(cl.Version))
}

func atoiOr(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// clientApplyForm puts the form's details on the stored client, leaving
// every field the form does not show as it is. The form shows one other
// language and one identifier: the stored ones after the first (entered
// through the API) are kept.
func clientApplyForm(cl, typed *accord.Client) {
	langs, ids := cl.Languages, cl.Identifiers
	cl.GivenName, cl.FamilyName, cl.BirthDate, cl.Gender, cl.GenderText = typed.GivenName, typed.FamilyName, typed.BirthDate, typed.Gender, typed.GenderText
	cl.PreferredLanguage, cl.InterpreterNeeded, cl.InterpreterUsed = typed.PreferredLanguage, typed.InterpreterNeeded, typed.InterpreterUsed
	cl.Disabilities, cl.Area, cl.Phone, cl.Email, cl.Address = typed.Disabilities, typed.Area, typed.Phone, typed.Email, typed.Address
	cl.Languages = slices.Clone(typed.Languages)
	if len(langs) > 1 {
		for _, l := range langs[1:] {
			if !slices.Contains(cl.Languages, l) && l != cl.PreferredLanguage {
				cl.Languages = append(cl.Languages, l)
			}
		}
	}
	cl.Identifiers = slices.Clone(typed.Identifiers)
	if len(ids) > 1 {
		cl.Identifiers = append(cl.Identifiers, ids[1:]...)
	}
}
