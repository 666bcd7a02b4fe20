package http

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/match"
)

// ifMatch returns the version an update names in If-Match ("3" or W/"3"),
// EPRECONDREQUIRED when absent: an update must say what it changes, so
// that two people editing at once never silently overwrite each other.
func ifMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, accord.Errorf(accord.EPRECONDREQUIRED, "send the version you are changing in an If-Match header (the ETag you received)")
	}
	h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	v, err := strconv.Atoi(h)
	if err != nil || v < 1 {
		return 0, accord.Errorf(accord.EPRECONDITION, "the If-Match header does not name a version of this object")
	}
	return v, nil
}

func etag(w http.ResponseWriter, version int) {
	w.Header().Set("ETag", `"`+strconv.Itoa(version)+`"`)
}

// Cases.

type participantInput struct {
	OrganizationID string `json:"organization_id"`
	StaffID        string `json:"staff_id"`
	Responsibility string `json:"responsibility"`
}

func (p participantInput) request() enforce.ParticipantRequest {
	return enforce.ParticipantRequest{OrganizationID: p.OrganizationID, StaffID: p.StaffID, Responsibility: p.Responsibility}
}

func (s *Server) openCase(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		ClientID     string             `json:"client_id"`
		Title        string             `json:"title"`
		Participants []participantInput `json:"participants"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if len(in.Participants) > 20 {
		return accord.FieldErrorf("participants", "a case has at most 20 participating organisations")
	}
	var parts []enforce.ParticipantRequest
	for _, p := range in.Participants {
		parts = append(parts, p.request())
	}
	cs, err := s.svc.OpenCase(r.Context(), c, in.ClientID, in.Title, parts, purpose)
	if err != nil {
		return err
	}
	etag(w, cs.Version)
	w.Header().Set("Location", "/api/v1/cases/"+cs.ID)
	writeJSON(w, http.StatusCreated, cs)
	return nil
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	cs, err := s.svc.Case(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	etag(w, cs.Version)
	writeJSON(w, http.StatusOK, cs)
	return nil
}

func (s *Server) clientCases(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	ids, err := s.svc.ClientCases(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"case_ids": nonNil(ids)})
	return nil
}

// updateCase applies one kind of case change, read by decode from the body.
func (s *Server) updateCase(decode func(r *http.Request, u *enforce.CaseUpdate) error) authed {
	return func(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
		purpose, err := purposeOf(r)
		if err != nil {
			return err
		}
		v, err := ifMatch(r)
		if err != nil {
			return err
		}
		u := enforce.CaseUpdate{Version: v}
		if err := decode(r, &u); err != nil {
			return err
		}
		cs, err := s.svc.UpdateCase(r.Context(), c, r.PathValue("id"), u, purpose)
		if err != nil {
			return err
		}
		etag(w, cs.Version)
		writeJSON(w, http.StatusOK, cs)
		return nil
	}
}

func (s *Server) addParticipant(r *http.Request, u *enforce.CaseUpdate) error {
	var in participantInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	p := in.request()
	u.AddParticipant = &p
	return nil
}

func (s *Server) addGoal(r *http.Request, u *enforce.CaseUpdate) error {
	var in struct {
		Text string `json:"text"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Text) == "" {
		return accord.FieldErrorf("text", "%s is required", "text")
	}
	u.AddGoal = in.Text
	return nil
}

func (s *Server) setGoal(r *http.Request, u *enforce.CaseUpdate) error {
	var in struct {
		Status accord.GoalStatus `json:"status"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	u.SetGoal = &accord.Goal{ID: r.PathValue("goal"), Status: in.Status}
	return nil
}

func (s *Server) addOutcome(r *http.Request, u *enforce.CaseUpdate) error {
	var in struct {
		Kind string `json:"kind"`
		Code string `json:"code"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	u.AddOutcome = &accord.Outcome{Kind: in.Kind, Code: in.Code}
	return nil
}

func (s *Server) closeCase(r *http.Request, u *enforce.CaseUpdate) error {
	var in struct {
		Reason                  string `json:"reason"`
		CloseDespiteEscalations string `json:"close_despite_escalations"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	u.Close, u.CloseReason, u.CloseDespiteEscalations = true, in.Reason, in.CloseDespiteEscalations
	return nil
}

func (s *Server) caseTimeline(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	after, err := queryInt(r, "after", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 5000, 1, 5000)
	if err != nil {
		return err
	}
	evs, err := s.svc.Timeline(r.Context(), c, r.PathValue("id"), after, int(limit), purpose)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": nonNil(evs)})
	return nil
}

func (s *Server) caseTasks(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	ts, err := s.svc.CaseTasks(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": nonNil(ts)})
	return nil
}

func (s *Server) createTask(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		Title   string    `json:"title"`
		OwnerID string    `json:"owner_id"`
		DueAt   time.Time `json:"due_at"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	t := &accord.Task{CaseID: r.PathValue("id"), Title: in.Title, OwnerID: in.OwnerID, DueAt: in.DueAt}
	if err := s.svc.CreateTask(r.Context(), c, t, purpose); err != nil {
		return err
	}
	etag(w, t.Version)
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) setTaskStatus(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in struct {
		Status accord.TaskStatus `json:"status"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	t, err := s.svc.SetTaskStatus(r.Context(), c, r.PathValue("id"), v, in.Status, purpose)
	if err != nil {
		return err
	}
	etag(w, t.Version)
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) caseNotes(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	v, err := s.svc.CaseNotes(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	p := s.printer(r)
	writeJSON(w, http.StatusOK, recordsJSON{Records: nonNil(v.Records), Shared: s.disclosures(p, v.Shared), Withheld: s.disclosures(p, v.Withheld)})
	return nil
}

func (s *Server) addCaseNote(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in recordInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	rec := &accord.Record{Category: in.Category, Confidentiality: in.Confidentiality, Sensitivity: in.Sensitivity, Content: in.Content, Note: in.Note}
	if err := s.svc.AddCaseNote(r.Context(), c, r.PathValue("id"), rec, purpose); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

func (s *Server) caseConferences(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	cfs, err := s.svc.Conferences(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"conferences": nonNil(cfs)})
	return nil
}

func (s *Server) recordConference(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind      string    `json:"kind"`
		HeldAt    time.Time `json:"held_at"`
		Attendees []string  `json:"attendees"`
		Decisions string    `json:"decisions"`
		Actions   string    `json:"actions"`
		Lessons   string    `json:"lessons"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	cf := &accord.Conference{CaseID: r.PathValue("id"), Kind: in.Kind, HeldAt: in.HeldAt, Attendees: in.Attendees, Decisions: in.Decisions,
		Actions: in.Actions, Lessons: in.Lessons}
	if err := s.svc.RecordConference(r.Context(), c, cf, purpose); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, cf)
	return nil
}

func (s *Server) addCareTeam(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		StaffID string `json:"staff_id"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if err := s.svc.AddToCareTeam(r.Context(), c, r.PathValue("id"), in.StaffID, purpose); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Intake.

type likelyJSON struct {
	Client      accord.Client      `json:"client"`
	Probability float64            `json:"probability"`
	Fields      []match.FieldMatch `json:"fields"`
}

// findDuplicates answers "is this person already known?" before intake
// creates a record: the likely duplicates and, beside them, the possible
// ones. The person's details travel in the body, never in the
// URL.
func (s *Server) findDuplicates(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		GivenName   string              `json:"given_name"`
		FamilyName  string              `json:"family_name"`
		BirthDate   string              `json:"birth_date"`
		Phone       string              `json:"phone"`
		Identifiers []accord.Identifier `json:"identifiers"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	res, err := s.svc.FindDuplicates(r.Context(), c, match.Person{GivenName: in.GivenName, FamilyName: in.FamilyName, BirthDate: in.BirthDate,
		Phone: in.Phone, Identifiers: in.Identifiers}, purpose)
	if err != nil {
		return err
	}
	list := func(ls []enforce.Likely) []likelyJSON {
		out := []likelyJSON{}
		for _, l := range ls {
			out = append(out, likelyJSON{Client: l.Client, Probability: l.Result.Probability, Fields: l.Result.Fields})
		}
		return out
	}
	writeJSON(w, http.StatusOK, map[string]any{"likely": list(res.Likely), "possible": list(res.Possible),
		"hidden": res.Hidden, "hidden_possible": res.HiddenPossible})
	return nil
}

func (s *Server) mergeClients(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		DuplicateID string `json:"duplicate_id"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if err := s.svc.MergeClients(r.Context(), c, r.PathValue("id"), in.DuplicateID, purpose); err != nil {
		return err
	}
	v, err := s.svc.ReadClient(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	etag(w, v.Client.Version)
	p := s.printer(r)
	writeJSON(w, http.StatusOK, clientViewJSON{Client: v.Client, Shared: s.disclosures(p, v.Shared), Withheld: s.disclosures(p, v.Withheld)})
	return nil
}

// Referrals.

type referralJSON struct {
	Referral accord.Referral  `json:"referral"`
	Side     string           `json:"side"`
	Client   *accord.Client   `json:"client,omitempty"`
	Records  []accord.Record  `json:"records,omitempty"`
	Shared   []disclosureJSON `json:"shared,omitempty"`
	Withheld []disclosureJSON `json:"withheld,omitempty"`
}

func (s *Server) sendReferral(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		ClientID   string            `json:"client_id"`
		CaseID     string            `json:"case_id"`
		ToOrgID    string            `json:"to_organization_id"`
		ServiceID  string            `json:"service_id"`
		Purpose    accord.Purpose    `json:"purpose"`
		Categories []accord.Category `json:"categories"`
		Reason     string            `json:"reason"`
		Urgency    accord.Urgency    `json:"urgency"`
		RespondBy  *time.Time        `json:"respond_by"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.Purpose == "" {
		in.Purpose = purpose
	}
	ref := &accord.Referral{ClientID: in.ClientID, CaseID: in.CaseID, ToOrgID: in.ToOrgID, ServiceID: in.ServiceID, Purpose: in.Purpose,
		Categories: in.Categories, Reason: in.Reason, Urgency: in.Urgency}
	if in.RespondBy != nil {
		ref.RespondBy = *in.RespondBy
	}
	if err := s.svc.SendReferral(r.Context(), c, ref); err != nil {
		return err
	}
	etag(w, ref.Version)
	w.Header().Set("Location", "/api/v1/referrals/"+ref.ID)
	writeJSON(w, http.StatusCreated, ref)
	return nil
}

func (s *Server) listReferrals(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	dir := r.URL.Query().Get("direction")
	if dir == "" {
		dir = "incoming"
	}
	rs, err := s.svc.Referrals(r.Context(), c, dir, r.URL.Query().Get("open") != "false")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"referrals": nonNil(rs)})
	return nil
}

func (s *Server) getReferral(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := s.svc.OpenReferral(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := s.printer(r)
	etag(w, v.Referral.Version)
	writeJSON(w, http.StatusOK, referralJSON{Referral: v.Referral, Side: v.Side, Client: v.Client, Records: v.Records,
		Shared: s.disclosures(p, v.Shared), Withheld: s.disclosures(p, v.Withheld)})
	return nil
}

func (s *Server) setReferralStatus(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in struct {
		Status accord.ReferralStatus `json:"status"`
		Reason string                `json:"reason"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	ref, err := s.svc.UpdateReferral(r.Context(), c, r.PathValue("id"), v, in.Status, in.Reason)
	if err != nil {
		return err
	}
	etag(w, ref.Version)
	writeJSON(w, http.StatusOK, ref)
	return nil
}

// Escalations.

func (s *Server) raiseEscalation(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		ClientID       string                `json:"client_id"`
		CaseID         string                `json:"case_id"`
		Kind           accord.EscalationKind `json:"kind"`
		Urgency        accord.Urgency        `json:"urgency"`
		Summary        string                `json:"summary"`
		OrganizationID string                `json:"organization_id"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	e := &accord.Escalation{ClientID: in.ClientID, CaseID: in.CaseID, Kind: in.Kind, Urgency: in.Urgency, Summary: in.Summary, OrganizationID: in.OrganizationID}
	if err := s.svc.RaiseEscalation(r.Context(), c, e, purpose); err != nil {
		return err
	}
	etag(w, e.Version)
	w.Header().Set("Location", "/api/v1/escalations/"+e.ID)
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) listEscalations(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	es, err := s.svc.Escalations(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"escalations": nonNil(es)})
	return nil
}

func (s *Server) getEscalation(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	e, err := s.svc.Escalation(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	etag(w, e.Version)
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) acknowledgeEscalation(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	e, err := s.svc.AcknowledgeEscalation(r.Context(), c, r.PathValue("id"), v)
	if err != nil {
		return err
	}
	etag(w, e.Version)
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) resolveEscalation(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in struct {
		Resolution string `json:"resolution"`
		Cancel     bool   `json:"cancel"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	e, err := s.svc.ResolveEscalation(r.Context(), c, r.PathValue("id"), v, in.Resolution, in.Cancel)
	if err != nil {
		return err
	}
	etag(w, e.Version)
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) getEscalationContacts(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	ids, sla, err := s.svc.EscalationChain(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": nonNil(ids), "sla_minutes": sla})
	return nil
}

func (s *Server) putEscalationContacts(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in struct {
		Contacts   []string               `json:"contacts"`
		SLAMinutes map[accord.Urgency]int `json:"sla_minutes"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if err := s.svc.SetEscalationChain(r.Context(), c, r.PathValue("id"), in.Contacts, in.SLAMinutes); err != nil {
		return err
	}
	ids, sla, err := s.svc.EscalationChain(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": nonNil(ids), "sla_minutes": sla})
	return nil
}

// Directory (Open Referral HSDS shapes).

type hsdsService struct {
	ID                     string           `json:"id"`
	OrganizationID         string           `json:"organization_id"`
	Name                   string           `json:"name"`
	Description            string           `json:"description"`
	EligibilityDescription string           `json:"eligibility_description"`
	Email                  string           `json:"email,omitempty"`
	Status                 string           `json:"status"`
	Languages              []hsdsLanguage   `json:"languages"`
	Phones                 []hsdsPhone      `json:"phones"`
	ServiceAtLocations     []hsdsAtLocation `json:"service_at_locations"`
	Attributes             []hsdsAttribute  `json:"attributes"`
}

type hsdsLanguage struct {
	Code string `json:"code"`
}
type hsdsPhone struct {
	Number string `json:"number"`
}
type hsdsAtLocation struct {
	Location hsdsLocation `json:"location"`
}
type hsdsLocation struct {
	Addresses []hsdsAddress `json:"addresses"`
}
type hsdsAddress struct {
	Address1 string `json:"address_1"`
}
type hsdsAttribute struct {
	Taxonomy string `json:"taxonomy"`
	Term     string `json:"term"`
}

func toHSDS(sv accord.Service) hsdsService {
	h := hsdsService{ID: sv.ID, OrganizationID: sv.OrganizationID, Name: sv.Name, Description: sv.Description, EligibilityDescription: sv.Eligibility,
		Email: sv.Email, Status: sv.Status, Languages: []hsdsLanguage{}, Phones: []hsdsPhone{}, ServiceAtLocations: []hsdsAtLocation{}, Attributes: []hsdsAttribute{}}
	for _, l := range sv.Languages {
		h.Languages = append(h.Languages, hsdsLanguage{Code: l})
	}
	if sv.Phone != "" {
		h.Phones = append(h.Phones, hsdsPhone{Number: sv.Phone})
	}
	if sv.Address != "" {
		h.ServiceAtLocations = append(h.ServiceAtLocations, hsdsAtLocation{Location: hsdsLocation{Addresses: []hsdsAddress{{Address1: sv.Address}}}})
	}
	for _, c := range sv.Categories {
		h.Attributes = append(h.Attributes, hsdsAttribute{Taxonomy: "accord", Term: c})
	}
	return h
}

func (s *Server) listServices(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	ss, err := s.svc.Services(r.Context(), c, r.URL.Query().Get("q"), r.URL.Query().Get("language"))
	if err != nil {
		return err
	}
	out := []hsdsService{}
	for _, sv := range ss {
		out = append(out, toHSDS(sv))
	}
	writeJSON(w, http.StatusOK, map[string]any{"contents": out, "total_items": len(out)})
	return nil
}

func (s *Server) createService(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in struct {
		OrganizationID string   `json:"organization_id"`
		Name           string   `json:"name"`
		Description    string   `json:"description"`
		Eligibility    string   `json:"eligibility_description"`
		Languages      []string `json:"languages"`
		Address        string   `json:"address"`
		Email          string   `json:"email"`
		Phone          string   `json:"phone"`
		Categories     []string `json:"categories"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	sv := &accord.Service{OrganizationID: in.OrganizationID, Name: in.Name, Description: in.Description, Eligibility: in.Eligibility,
		Languages: in.Languages, Address: in.Address, Email: in.Email, Phone: in.Phone, Categories: in.Categories}
	if err := s.svc.CreateService(r.Context(), c, sv); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toHSDS(*sv))
	return nil
}

// My work and notifications.

func (s *Server) myWork(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	wk, err := s.svc.MyWork(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tasks": nonNil(wk.Tasks), "escalations_waiting": nonNil(wk.EscalationsWaiting), "escalations_owned": nonNil(wk.EscalationsOwned),
		"referrals_incoming": nonNil(wk.ReferralsIncoming), "referrals_outgoing": nonNil(wk.ReferralsOutgoing), "overdue": wk.Overdue,
		"notifications": nonNil(wk.Notifications),
	})
	return nil
}

func (s *Server) readNotifications(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if err := s.db.MarkNotificationsRead(r.Context(), c.Staff.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) putWebhook(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in struct {
		URL    string `json:"url"`
		Secret string `json:"secret"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if err := s.svc.SetWebhook(r.Context(), c, r.PathValue("id"), in.URL, in.Secret); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": in.URL})
	return nil
}
