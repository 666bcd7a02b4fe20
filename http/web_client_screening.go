package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/screening"
	"github.com/accord-project/accord/sqlstore"
)

// Screening: choose a questionnaire, answer it as a form (which works
// without JavaScript: questions that do not apply are simply left blank),
// see what it found and the escalations it raised, and list past ones.

type clientQuestionnaireRow struct {
	ID, Title string
	Questions int
}

type clientScreeningChooseData struct {
	Client         accord.Client
	Questionnaires []clientQuestionnaireRow
}

func (s *Server) clientScreeningChoose(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	cv, err := s.svc.ReadClient(r.Context(), c, r.PathValue("id"), s.purposeFor(r, c))
	if err != nil {
		return err
	}
	v := s.newView(r, c, "clients", "Screening", nil)
	d := &clientScreeningChooseData{Client: cv.Client}
	lang := v.P.Tag.String()
	for _, q := range screening.Builtin() {
		n := 0
		for _, it := range q.Items(lang, nil) {
			if it.Type.Question() {
				n++
			}
		}
		d.Questionnaires = append(d.Questionnaires, clientQuestionnaireRow{ID: q.ID, Title: q.Title.In(lang), Questions: n})
	}
	v.Data = d
	return s.render(w, http.StatusOK, "client_screening_choose", v)
}

func clientQuestionnaire(id string) (*screening.Questionnaire, error) {
	for _, q := range screening.Builtin() {
		if q.ID == id {
			return q, nil
		}
	}
	return nil, accord.Errorf(accord.ENOTFOUND, "questionnaire not found")
}

// clientQItem is one item of a questionnaire form, with the items of a
// group inside it.
type clientQItem struct {
	screening.ItemView
	Name     string // the form field
	Options  []option
	ShowWhen string // data-show-when, for a question asked after one answer
	Children []*clientQItem
}

type clientScreeningFormData struct {
	Client    accord.Client
	QID       string
	Title     string
	QLang     string // the language of the questions
	QDir      string
	Langs     []langLink // the languages the questions can be shown in
	Languages []option   // the language the client answered in
	// Q is the questionnaire part of the form, in the language the
	// questions are asked in.
	Q *view
}

type clientQForm struct {
	Items []*clientQItem
}

func clientQName(linkID string) string { return "q-" + linkID }

func (s *Server) clientScreeningView(r *http.Request, c *enforce.Caller, f *form) (*view, *screening.Questionnaire, *accord.Client, string, error) {
	cv, err := s.svc.ReadClient(r.Context(), c, r.PathValue("id"), s.purposeFor(r, c))
	if err != nil {
		return nil, nil, nil, "", err
	}
	q, err := clientQuestionnaire(r.PathValue("questionnaire"))
	if err != nil {
		return nil, nil, nil, "", err
	}
	v := s.newView(r, c, "clients", "Screening", nil)
	langs := q.Languages()
	lang := ""
	// The questions are shown in the language asked for, else the client's
	// when the staff member speaks it, else the page's.
	prefs := []string{r.URL.Query().Get("qlang"), f.Values.Get("qlang")}
	if slices.Contains(c.Staff.Languages, cv.Client.PreferredLanguage) {
		prefs = append(prefs, cv.Client.PreferredLanguage)
	}
	for _, pref := range append(prefs, v.P.Tag.String()) {
		if pref == "" {
			continue
		}
		if t := s.clientPrinter(nil, pref); t != nil && slices.Contains(langs, t.Tag.String()) {
			lang = t.Tag.String()
			break
		}
	}
	if lang == "" {
		lang = "en"
	}
	qp := s.clientPrinter(v.P, lang)
	d := &clientScreeningFormData{Client: cv.Client, QID: q.ID, Title: q.Title.In(lang), QLang: qp.Tag.String(), QDir: i18n.Dir(qp.Tag),
		Languages: clientLanguageOptions(v.P, cv.Client.PreferredLanguage, f.Values.Get("language"))}
	for _, l := range langNames {
		if slices.Contains(langs, l.tag) {
			d.Langs = append(d.Langs, langLink{Tag: l.tag, Name: l.name, Current: l.tag == lang})
		}
	}
	qv := *v
	qv.P, qv.Lang, qv.Dir, qv.Form = qp, qp.Tag.String(), i18n.Dir(qp.Tag), f
	qv.Data = &clientQForm{Items: clientQTree(qp, q, q.Items(lang, nil))}
	d.Q = &qv
	f.Values.Set("qlang", lang)
	v.Data = d
	v.Form = f
	return v, q, &cv.Client, lang, nil
}

// clientQTree nests the flattened items under their groups.
func clientQTree(p *i18n.Printer, q *screening.Questionnaire, items []screening.ItemView) []*clientQItem {
	byID := map[string]*clientQItem{}
	var top []*clientQItem
	for _, it := range items {
		qi := &clientQItem{ItemView: it, Name: clientQName(it.LinkID)}
		switch it.Type {
		case screening.TypeBoolean:
			qi.Options = []option{{"true", p.Sprintf("Yes")}, {"false", p.Sprintf("No")}}
		case screening.TypeChoice:
			for _, o := range it.Options {
				qi.Options = append(qi.Options, option{Value: o.Code, Label: o.Display})
			}
		}
		if src := q.Lookup(it.LinkID); src != nil && len(src.EnableWhen) == 1 {
			cond := src.EnableWhen[0]
			ctl := q.Lookup(cond.Question)
			if cond.Operator == screening.OpEqual && ctl != nil && !ctl.Repeats {
				switch {
				case cond.AnswerBoolean != nil && ctl.Type == screening.TypeBoolean:
					qi.ShowWhen = clientQName(cond.Question) + "=" + strconv.FormatBool(*cond.AnswerBoolean)
				case cond.AnswerCoding != nil && ctl.Type == screening.TypeChoice:
					qi.ShowWhen = clientQName(cond.Question) + "=" + cond.AnswerCoding.Code
				}
			}
		}
		byID[it.LinkID] = qi
		if parent := byID[it.Parent]; it.Parent != "" && parent != nil {
			parent.Children = append(parent.Children, qi)
		} else {
			top = append(top, qi)
		}
	}
	return top
}

func (s *Server) clientScreeningForm(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f := newForm()
	v, _, cl, _, err := s.clientScreeningView(r, c, f)
	if err != nil {
		return err
	}
	f.Values.Set("language", cl.PreferredLanguage)
	if !slices.Contains(clientLanguages, cl.PreferredLanguage) {
		f.Values.Set("language", "other")
		f.Values.Set("other_language", cl.PreferredLanguage)
	}
	if cl.InterpreterNeeded {
		f.Values.Set("interpreter_used", "yes")
	}
	return s.render(w, http.StatusOK, "client_screening_form", v)
}

func (s *Server) clientScreeningSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	v, q, _, lang, err := s.clientScreeningView(r, c, f)
	if err != nil {
		return err
	}
	p := v.P
	resp := clientResponseFromForm(p, q, lang, f)
	answerLang := strings.TrimSpace(f.Values.Get("language"))
	if answerLang == "other" {
		answerLang = strings.TrimSpace(f.Values.Get("other_language"))
	}
	if answerLang == "" {
		f.Errors["language"] = p.Sprintf("Choose the language the client answered in.")
	}
	if len(f.Errors) == 0 {
		if err := q.Check(resp); err != nil {
			if !f.fail(p, err) {
				return err
			}
			clientFixScreeningFields(f)
		}
	}
	if len(f.Errors) > 0 || f.Error != "" {
		clientKeepToken(f)
		return s.render(w, http.StatusUnprocessableEntity, "client_screening_form", v)
	}
	id := r.PathValue("id")
	done, err := s.once(w, r, c, f, func() (string, error) {
		res, err := s.svc.Screen(r.Context(), c, id, resp, answerLang, f.Values.Get("interpreter_used") == "yes", s.purposeFor(r, c))
		if err != nil {
			return "", err
		}
		return addNotice("/clients/"+id+"/screenings/"+res.Screening.ID, "screening-saved"), nil
	})
	if done {
		return nil
	}
	clientKeepToken(f)
	if !f.fail(p, err) {
		return err
	}
	clientFixScreeningFields(f)
	if msg, ok := f.Errors["other_language"]; ok && f.Values.Get("language") != "other" {
		delete(f.Errors, "other_language")
		f.Errors["language"] = msg
	}
	return s.render(w, clientFormStatus(err), "client_screening_form", v)
}

// clientFixScreeningFields puts errors about a response item
// ("item[housing.2].answer[0]") beside that question.
func clientFixScreeningFields(f *form) {
	for k, msg := range f.Errors {
		if rest, ok := strings.CutPrefix(k, "item["); ok {
			if i := strings.Index(rest, "]"); i > 0 {
				delete(f.Errors, k)
				f.Errors[clientQName(rest[:i])] = msg
			}
		}
	}
}

// clientResponseFromForm reads the form into a QuestionnaireResponse. The
// form shows every question (it must work without JavaScript), so answers
// to questions that do not apply given the other answers are dropped.
func clientResponseFromForm(p *i18n.Printer, q *screening.Questionnaire, lang string, f *form) *screening.Response {
	items := q.Items(lang, nil)
	answers := map[string][]screening.Answer{}
	for _, it := range items {
		if !it.Type.Question() {
			continue
		}
		name := clientQName(it.LinkID)
		var as []screening.Answer
		for _, raw := range f.Values[name] {
			raw = strings.TrimSpace(raw)
			if raw == "" {
				continue
			}
			switch it.Type {
			case screening.TypeBoolean:
				as = append(as, screening.Bool(raw == "true"))
			case screening.TypeChoice:
				as = append(as, screening.Code(raw))
			case screening.TypeString, screening.TypeText:
				as = append(as, screening.String(raw))
			case screening.TypeInteger:
				n, err := strconv.ParseInt(raw, 10, 32)
				if err != nil {
					f.Errors[name] = p.Sprintf("Type a whole number, such as 3.")
					continue
				}
				as = append(as, screening.Int(int32(n)))
			case screening.TypeDecimal:
				x, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
				if err != nil {
					f.Errors[name] = p.Sprintf("Type a number, such as 2.5.")
					continue
				}
				as = append(as, screening.Decimal(x))
			case screening.TypeDate:
				if _, err := time.Parse(time.DateOnly, raw); err != nil {
					f.Errors[name] = p.Sprintf("Type the date as year-month-day, such as 2027-03-31.")
					continue
				}
				as = append(as, screening.Date(raw))
			}
		}
		if len(as) > 0 {
			answers[it.LinkID] = as
		}
	}
	resp := &screening.Response{ResourceType: "QuestionnaireResponse", Questionnaire: q.Canonical(), Status: screening.StatusCompleted}
	if f.Values.Get("incomplete") == "yes" {
		resp.Status = screening.StatusInProgress
	}
	build := func() {
		resp.Item = clientResponseItems(items, "", answers)
	}
	build()
	// Drop answers to questions that the other answers switch off, until
	// nothing changes (switching one off can switch off others).
	for range len(items) {
		en := q.Enabled(resp)
		changed := false
		for id := range answers {
			if !en[id] {
				delete(answers, id)
				changed = true
			}
		}
		if !changed {
			break
		}
		build()
	}
	if resp.Status == screening.StatusCompleted {
		en := q.Enabled(resp)
		for _, it := range items {
			if it.Required && it.Type.Question() && en[it.LinkID] && len(answers[it.LinkID]) == 0 && f.Errors[clientQName(it.LinkID)] == "" {
				f.Errors[clientQName(it.LinkID)] = p.Sprintf("Answer this question, or tick “Some questions were not answered” at the end.")
			}
		}
	}
	return resp
}

// clientResponseItems nests answers under their groups, leaving out
// groups with nothing answered.
func clientResponseItems(items []screening.ItemView, parent string, answers map[string][]screening.Answer) []screening.ResponseItem {
	var out []screening.ResponseItem
	for _, it := range items {
		if it.Parent != parent {
			continue
		}
		switch {
		case it.Type == screening.TypeGroup:
			if kids := clientResponseItems(items, it.LinkID, answers); len(kids) > 0 {
				out = append(out, screening.ResponseItem{LinkID: it.LinkID, Item: kids})
			}
		case len(answers[it.LinkID]) > 0:
			out = append(out, screening.ResponseItem{LinkID: it.LinkID, Answer: answers[it.LinkID]})
		}
	}
	return out
}

// A screening's result, and the list of past screenings.

type clientNeedRow struct {
	Label       string
	Urgency     accord.Urgency
	Explanation string
}

type clientAnswerRow struct {
	Question string
	Answer   string
}

type clientScreeningRow struct {
	sqlstore.Screening
	Title     string
	Holder    string
	By        string
	Language  string
	Needs     []clientNeedRow
	Answers   []clientAnswerRow
	Urgent    bool
	Skipped   bool // saved as incomplete
	Questions string
}

type clientScreeningData struct {
	Client      accord.Client
	Row         clientScreeningRow
	New         string
	Resolved    string
	Compared    bool
	Escalations []clientEscalationRow
}

type clientEscalationRow struct {
	accord.Escalation
	Kind string
}

func (s *Server) clientScreeningRowOf(p *i18n.Printer, sc sqlstore.Screening, orgs, names map[string]string, detail bool) clientScreeningRow {
	lang := p.Tag.String()
	row := clientScreeningRow{Screening: sc, Holder: orgs[sc.OrganizationID], By: names[sc.RecordedBy], Language: clientLanguageName(p, sc.Language), Title: sc.Questionnaire}
	if row.By == "" {
		row.By = p.Sprintf("a member of staff at %s", row.Holder)
	}
	q, qerr := screening.Find(sc.Questionnaire)
	var resp *screening.Response
	if qerr == nil {
		row.Title = q.Title.In(lang)
		if r, err := screening.ParseResponse(sc.Response); err == nil {
			resp = r
			row.Skipped = r.Status != screening.StatusCompleted
		}
	}
	explained := map[screening.NeedCode]string{}
	if q != nil && resp != nil {
		for _, n := range q.Evaluate(resp) {
			explained[n.Code] = n.Explanation.In(lang)
		}
	}
	for _, n := range sc.Needs {
		u := accord.Urgency(n.Urgency)
		row.Needs = append(row.Needs, clientNeedRow{Label: clientCapital(clientNeedLabel(p, screening.NeedCode(n.Code))), Urgency: u,
			Explanation: explained[screening.NeedCode(n.Code)]})
		if u == accord.UrgencyUrgent || u == accord.UrgencyImmediate {
			row.Urgent = true
		}
	}
	if detail && q != nil && resp != nil {
		for _, it := range q.Items(lang, resp) {
			if !it.Type.Question() || len(it.Answers) == 0 {
				continue
			}
			var parts []string
			for _, a := range it.Answers {
				parts = append(parts, clientAnswerText(p, it, a))
			}
			row.Answers = append(row.Answers, clientAnswerRow{Question: it.Text, Answer: strings.Join(parts, p.Sprintf(", "))})
		}
	}
	return row
}

func clientAnswerText(p *i18n.Printer, it screening.ItemView, a screening.Answer) string {
	switch {
	case a.ValueBoolean != nil:
		if *a.ValueBoolean {
			return p.Sprintf("Yes")
		}
		return p.Sprintf("No")
	case a.ValueCoding != nil:
		for _, o := range it.Options {
			if o.Code == a.ValueCoding.Code {
				return o.Display
			}
		}
		return a.ValueCoding.Code
	case a.ValueString != nil:
		return *a.ValueString
	case a.ValueInteger != nil:
		return strconv.Itoa(int(*a.ValueInteger))
	case a.ValueDecimal != nil:
		return strconv.FormatFloat(*a.ValueDecimal, 'f', -1, 64)
	case a.ValueDate != nil:
		if t, err := time.Parse(time.DateOnly, *a.ValueDate); err == nil {
			return p.Date(t)
		}
		return *a.ValueDate
	}
	return ""
}

func (s *Server) clientScreeningPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	ctx := r.Context()
	id, sid := r.PathValue("id"), r.PathValue("screening")
	purpose := s.purposeFor(r, c)
	cv, err := s.svc.ReadClient(ctx, c, id, purpose)
	if err != nil {
		return err
	}
	list, _, err := s.svc.Screenings(ctx, c, id, purpose)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list, func(sc sqlstore.Screening) bool { return sc.ID == sid })
	if i < 0 {
		return accord.Errorf(accord.ENOTFOUND, "screening not found")
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "clients", "Screening result", nil)
	p := v.P
	sc := list[i]
	d := &clientScreeningData{Client: cv.Client, Row: s.clientScreeningRowOf(p, sc, orgs, s.clientStaffNames(r, c), true)}
	// What changed since the same organisation's previous screening with
	// this questionnaire (the list is newest first).
	for _, prev := range list[i+1:] {
		if prev.Questionnaire != sc.Questionnaire || prev.OrganizationID != sc.OrganizationID {
			continue
		}
		toNeeds := func(ns []sqlstore.ScreenedNeed) []screening.Need {
			var out []screening.Need
			for _, n := range ns {
				out = append(out, screening.Need{Code: screening.NeedCode(n.Code), Urgency: screening.Urgency(n.Urgency)})
			}
			return out
		}
		ch := screening.Compare(toNeeds(prev.Needs), toNeeds(sc.Needs))
		d.Compared = true
		var added, gone []string
		for _, n := range ch.New {
			added = append(added, clientNeedLabel(p, n.Code))
		}
		for _, n := range ch.Resolved {
			gone = append(gone, clientNeedLabel(p, n.Code))
		}
		d.New, d.Resolved = strings.Join(added, p.Sprintf(", ")), strings.Join(gone, p.Sprintf(", "))
		break
	}
	if enforce.ClientFacing(&c.Staff) {
		if es, err := s.svc.Escalations(ctx, c); err == nil {
			for _, e := range es {
				if e.ClientID == id && strings.HasPrefix(e.Summary, "Raised by screening "+sid+":") {
					d.Escalations = append(d.Escalations, clientEscalationRow{Escalation: e, Kind: clientEscalationKindLabel(p, e.Kind)})
				}
			}
		}
	}
	v.Data = d
	return s.render(w, http.StatusOK, "client_screening", v)
}

type clientScreeningsData struct {
	Client   accord.Client
	Rows     []clientScreeningRow
	Withheld []clientWithheld
	CanAct   bool
}

func (s *Server) clientScreeningsPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	ctx := r.Context()
	id := r.PathValue("id")
	purpose := s.purposeFor(r, c)
	cv, err := s.svc.ReadClient(ctx, c, id, purpose)
	if err != nil {
		return err
	}
	list, withheld, err := s.svc.Screenings(ctx, c, id, purpose)
	if err != nil {
		return err
	}
	orgs, err := s.orgNames(r, c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "clients", "Screenings", nil)
	names := s.clientStaffNames(r, c)
	d := &clientScreeningsData{Client: cv.Client, Withheld: s.clientWithheldOf(v.P, withheld, orgs, false),
		CanAct: enforce.ClientFacing(&c.Staff)}
	for _, sc := range list {
		d.Rows = append(d.Rows, s.clientScreeningRowOf(v.P, sc, orgs, names, false))
	}
	v.Data = d
	return s.render(w, http.StatusOK, "client_screenings", v)
}

func clientNeedLabel(p *i18n.Printer, n screening.NeedCode) string {
	switch n {
	case screening.NeedHousing:
		return p.Sprintf("housing")
	case screening.NeedEviction:
		return p.Sprintf("eviction")
	case screening.NeedIncomeBenefits:
		return p.Sprintf("income and benefits")
	case screening.NeedImmigrationLegalStatus:
		return p.Sprintf("immigration or legal status")
	case screening.NeedEducation:
		return p.Sprintf("education")
	case screening.NeedPersonalSafety:
		return p.Sprintf("personal safety")
	case screening.NeedDomesticViolence:
		return p.Sprintf("domestic violence")
	case screening.NeedUtilities:
		return p.Sprintf("electricity, gas or water")
	case screening.NeedFood:
		return p.Sprintf("food")
	case screening.NeedMedicationAccess:
		return p.Sprintf("access to medicines")
	case screening.NeedDisabilityAccommodation:
		return p.Sprintf("disability access")
	case screening.NeedLiteracy:
		return p.Sprintf("reading and forms")
	case screening.NeedOther:
		return p.Sprintf("something else")
	}
	return string(n)
}

func clientEscalationKindLabel(p *i18n.Printer, k accord.EscalationKind) string {
	switch k {
	case accord.EscalationEviction:
		return p.Sprintf("Imminent eviction")
	case accord.EscalationMedication:
		return p.Sprintf("Medicine running out")
	case accord.EscalationDetention:
		return p.Sprintf("Risk of detention")
	case accord.EscalationSafety:
		return p.Sprintf("Risk to safety")
	case accord.EscalationFlagged:
		return p.Sprintf("Flagged by staff")
	}
	return string(k)
}
