package http

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.version})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(r.Context()); err != nil {
		s.logger.Warn("not ready", "err", err)
		return accord.Errorf(accord.EUNAVAILABLE, "the database is not answering")
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	writeJSON(w, http.StatusOK, map[string]any{"staff": c.Staff, "organization": c.Organization})
	return nil
}

// Organisations and staff.

type organizationInput struct {
	Name    string        `json:"name"`
	Sector  accord.Sector `json:"sector"`
	Country string        `json:"country"`
}

func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	orgs, err := s.svc.Organizations(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"organizations": nonNil(orgs)})
	return nil
}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in organizationInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	o := &accord.Organization{Name: in.Name, Sector: in.Sector, Country: in.Country}
	if err := s.svc.CreateOrganization(r.Context(), c, o); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	o, err := s.svc.Organization(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

type staffInput struct {
	OrganizationID string        `json:"organization_id"`
	Username       string        `json:"username"`
	DisplayName    string        `json:"display_name"`
	Roles          []accord.Role `json:"roles"`
	Languages      []string      `json:"languages"`
	Password       string        `json:"password"`
}

func (s *Server) listStaff(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	org := r.URL.Query().Get("organization_id")
	if org == "" {
		org = c.Staff.OrganizationID
	}
	if org == "all" {
		org = ""
	}
	list, err := s.svc.StaffList(r.Context(), c, org)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"staff": nonNil(list)})
	return nil
}

func (s *Server) createStaff(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in staffInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	st := &accord.Staff{OrganizationID: in.OrganizationID, Username: in.Username, DisplayName: in.DisplayName, Roles: in.Roles, Languages: in.Languages}
	if err := s.svc.CreateStaff(r.Context(), c, st, in.Password); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, st)
	return nil
}

func (s *Server) getStaff(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	st, err := s.svc.Staff(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// Agreements.

type agreementInput struct {
	Title                string                 `json:"title"`
	Parties              []string               `json:"parties"`
	Purposes             []accord.Purpose       `json:"purposes"`
	Categories           []accord.Category      `json:"categories"`
	Roles                []accord.Role          `json:"roles"`
	RetentionDays        int                    `json:"retention_days"`
	EffectiveFrom        time.Time              `json:"effective_from"`
	EffectiveUntil       time.Time              `json:"effective_until"`
	ReviewDate           time.Time              `json:"review_date"`
	ProhibitedRecipients []string               `json:"prohibited_recipients"`
	EscalationSLA        map[accord.Urgency]int `json:"escalation_sla_minutes"`
}

func (in *agreementInput) agreement() *accord.Agreement {
	return &accord.Agreement{Title: in.Title, Parties: in.Parties, Purposes: in.Purposes, Categories: in.Categories, Roles: in.Roles,
		RetentionDays: in.RetentionDays, EffectiveFrom: in.EffectiveFrom, EffectiveUntil: in.EffectiveUntil, ReviewDate: in.ReviewDate,
		ProhibitedRecipients: in.ProhibitedRecipients, EscalationSLA: in.EscalationSLA}
}

// agreementJSON adds the status as of now (an active agreement past its
// sunset shows as expired) and whether its review is due soon.
type agreementJSON struct {
	accord.Agreement
	EffectiveStatus accord.AgreementStatus `json:"effective_status"`
	ReviewDue       bool                   `json:"review_due"`
}

func (s *Server) agreementJSON(a accord.Agreement) agreementJSON {
	now := s.now()
	return agreementJSON{Agreement: a, EffectiveStatus: a.EffectiveStatus(now),
		ReviewDue: a.Status == accord.AgreementActive && a.ReviewDate.Before(now.AddDate(0, 0, 60))}
}

func (s *Server) listAgreements(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	as, err := s.svc.Agreements(r.Context(), c)
	if err != nil {
		return err
	}
	out := []agreementJSON{}
	for _, a := range as {
		out = append(out, s.agreementJSON(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"agreements": out})
	return nil
}

func (s *Server) createAgreement(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in agreementInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	a := in.agreement()
	if err := s.svc.CreateAgreement(r.Context(), c, a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.agreementJSON(*a))
	return nil
}

func (s *Server) getAgreement(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	vs, err := s.svc.Agreement(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := []agreementJSON{}
	for _, a := range vs {
		out = append(out, s.agreementJSON(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": vs[0].ID, "versions": out})
	return nil
}

func (s *Server) amendAgreement(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in agreementInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	a := in.agreement()
	a.ID = r.PathValue("id")
	if err := s.svc.AmendAgreement(r.Context(), c, a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.agreementJSON(*a))
	return nil
}

func pathVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 || v > 1_000_000 {
		return 0, accord.Errorf(accord.ENOTFOUND, "agreement version not found")
	}
	return v, nil
}

func (s *Server) signAgreement(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := pathVersion(r)
	if err != nil {
		return err
	}
	var in struct {
		Title string `json:"title"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	a, err := s.svc.SignAgreement(r.Context(), c, r.PathValue("id"), v, in.Title)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.agreementJSON(*a))
	return nil
}

func (s *Server) setAgreementStatus(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v, err := pathVersion(r)
	if err != nil {
		return err
	}
	var in struct {
		Status accord.AgreementStatus `json:"status"`
		Reason string                 `json:"reason"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	switch in.Status {
	case accord.AgreementActive, accord.AgreementSuspended, accord.AgreementTerminated:
	default:
		return accord.FieldErrorf("status", "status must be active, suspended or terminated")
	}
	a, err := s.svc.SetAgreementStatus(r.Context(), c, r.PathValue("id"), v, in.Status, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.agreementJSON(*a))
	return nil
}

// Clients and records.

type clientInput struct {
	GivenName         string              `json:"given_name"`
	FamilyName        string              `json:"family_name"`
	BirthDate         string              `json:"birth_date"`
	Gender            accord.Gender       `json:"gender"`
	GenderText        string              `json:"gender_text"`
	PreferredLanguage string              `json:"preferred_language"`
	Languages         []string            `json:"languages"`
	InterpreterNeeded bool                `json:"interpreter_needed"`
	InterpreterUsed   bool                `json:"interpreter_used"`
	Disabilities      []accord.Disability `json:"disabilities"`
	Identifiers       []accord.Identifier `json:"identifiers"`
	Phone             string              `json:"phone"`
	Email             string              `json:"email"`
	Address           string              `json:"address"`
	Area              string              `json:"area"`
}

func (s *Server) searchClients(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 20, 1, 50)
	if err != nil {
		return err
	}
	res, err := s.svc.SearchClients(r.Context(), c, r.URL.Query().Get("q"), purpose, int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"clients": nonNil(res.Clients), "hidden": res.Hidden})
	return nil
}

func (s *Server) createClient(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if _, err := purposeOf(r); err != nil {
		return err
	}
	var in clientInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.Gender == "" {
		in.Gender = accord.GenderNotStated
	}
	cl := &accord.Client{GivenName: in.GivenName, FamilyName: in.FamilyName, BirthDate: in.BirthDate, Gender: in.Gender, GenderText: in.GenderText,
		PreferredLanguage: in.PreferredLanguage, Languages: in.Languages, InterpreterNeeded: in.InterpreterNeeded, InterpreterUsed: in.InterpreterUsed,
		Disabilities: in.Disabilities,
		Identifiers:  in.Identifiers, Phone: in.Phone, Email: in.Email, Address: in.Address, Area: in.Area}
	if err := s.svc.CreateClient(r.Context(), c, cl); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/clients/"+cl.ID)
	writeJSON(w, http.StatusCreated, cl)
	return nil
}

// clientPatch is a change to a client's details: each field given
// replaces the stored one ("" clears a text, [] a list); fields left out
// stay as they are.
type clientPatch struct {
	GivenName         *string              `json:"given_name"`
	FamilyName        *string              `json:"family_name"`
	BirthDate         *string              `json:"birth_date"`
	Gender            *accord.Gender       `json:"gender"`
	GenderText        *string              `json:"gender_text"`
	PreferredLanguage *string              `json:"preferred_language"`
	Languages         *[]string            `json:"languages"`
	InterpreterNeeded *bool                `json:"interpreter_needed"`
	InterpreterUsed   *bool                `json:"interpreter_used"`
	Disabilities      *[]accord.Disability `json:"disabilities"`
	Identifiers       *[]accord.Identifier `json:"identifiers"`
	Phone             *string              `json:"phone"`
	Email             *string              `json:"email"`
	Address           *string              `json:"address"`
	Area              *string              `json:"area"`
}

// apply edits c as the patch says; it reports whether anything was given.
func (in *clientPatch) apply(c *accord.Client) bool {
	given := false
	set := func(dst *string, v *string) {
		if v != nil {
			*dst, given = *v, true
		}
	}
	set(&c.GivenName, in.GivenName)
	set(&c.FamilyName, in.FamilyName)
	set(&c.BirthDate, in.BirthDate)
	set(&c.GenderText, in.GenderText)
	set(&c.PreferredLanguage, in.PreferredLanguage)
	set(&c.Phone, in.Phone)
	set(&c.Email, in.Email)
	set(&c.Address, in.Address)
	set(&c.Area, in.Area)
	if in.Gender != nil {
		c.Gender, given = *in.Gender, true
		if c.Gender != accord.GenderSelfDescribed && in.GenderText == nil {
			c.GenderText = "" // the words went with the answer they described
		}
	}
	if in.InterpreterNeeded != nil {
		c.InterpreterNeeded, given = *in.InterpreterNeeded, true
	}
	if in.InterpreterUsed != nil {
		c.InterpreterUsed, given = *in.InterpreterUsed, true
	}
	if in.Languages != nil {
		c.Languages, given = *in.Languages, true
	}
	if in.Disabilities != nil {
		c.Disabilities, given = *in.Disabilities, true
	}
	if in.Identifiers != nil {
		c.Identifiers, given = *in.Identifiers, true
	}
	return given
}

func (s *Server) updateClient(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in clientPatch
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if !in.apply(&accord.Client{}) {
		return accord.Errorf(accord.EINVALID, "the request changes nothing; send the fields to change")
	}
	cl, err := s.svc.UpdateClient(r.Context(), c, r.PathValue("id"), v, func(cl *accord.Client) error {
		in.apply(cl)
		return nil
	}, purpose)
	if err != nil {
		return err
	}
	etag(w, cl.Version)
	writeJSON(w, http.StatusOK, cl)
	return nil
}

func (s *Server) getClient(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	v, err := s.svc.ReadClient(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", `"`+strconv.Itoa(v.Client.Version)+`"`)
	p := s.printer(r)
	writeJSON(w, http.StatusOK, clientViewJSON{Client: v.Client, Shared: s.disclosures(p, v.Shared), Withheld: s.disclosures(p, v.Withheld)})
	return nil
}

func (s *Server) listRecords(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var cats []accord.Category
	for _, v := range r.URL.Query()["category"] {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" {
				cats = append(cats, accord.Category(c))
			}
		}
	}
	v, err := s.svc.ClientRecords(r.Context(), c, r.PathValue("id"), cats, purpose)
	if err != nil {
		return err
	}
	p := s.printer(r)
	writeJSON(w, http.StatusOK, recordsJSON{Records: nonNil(v.Records), Shared: s.disclosures(p, v.Shared), Withheld: s.disclosures(p, v.Withheld)})
	return nil
}

type recordInput struct {
	Category        accord.Category        `json:"category"`
	Confidentiality accord.Confidentiality `json:"confidentiality"`
	Sensitivity     []accord.Sensitivity   `json:"sensitivity"`
	Content         string                 `json:"content"`
	Note            string                 `json:"note"`
}

func (s *Server) createRecord(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in recordInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	rec := &accord.Record{ClientID: r.PathValue("id"), Category: in.Category, Confidentiality: in.Confidentiality, Sensitivity: in.Sensitivity,
		Content: in.Content, Note: in.Note}
	if err := s.svc.CreateRecord(r.Context(), c, rec, purpose); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

// Consents.

type consentInput struct {
	Start         *time.Time           `json:"start"`
	End           *time.Time           `json:"end"`
	Provisions    []accord.Provision   `json:"provisions"`
	Method        accord.ConsentMethod `json:"method"`
	Language      string               `json:"language"`
	InterpreterID string               `json:"interpreter_id"`
	Guardian      *accord.Guardian     `json:"guardian"`
}

func (s *Server) listConsents(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	cs, err := s.svc.ClientConsents(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"consents": nonNil(cs)})
	return nil
}

func (s *Server) createConsent(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in consentInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	cn := &accord.Consent{ClientID: r.PathValue("id"), End: in.End, Provisions: in.Provisions, Method: in.Method, Language: in.Language,
		InterpreterID: in.InterpreterID, Guardian: in.Guardian}
	if in.Start != nil {
		cn.Start = *in.Start
	}
	if err := s.svc.CreateConsent(r.Context(), c, cn, purpose); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, cn)
	return nil
}

func (s *Server) revokeConsent(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	cn, err := s.svc.RevokeConsent(r.Context(), c, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cn)
	return nil
}

func (s *Server) consentReceipt(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	jws, rec, err := s.svc.ConsentReceipt(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	if strings.Contains(r.Header.Get("Accept"), "application/jose") {
		w.Header().Set("Content-Type", "application/jose")
		w.Write([]byte(jws))
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"receipt": rec, "jws": jws})
	return nil
}

// Legal bases and break-glass.

type legalBasisInput struct {
	Kind                    accord.LegalBasisKind `json:"kind"`
	ClientID                string                `json:"client_id"`
	Categories              []accord.Category     `json:"categories"`
	RecipientOrganizationID string                `json:"recipient_organization_id"`
	HolderOrganizationID    string                `json:"holder_organization_id"`
	Purposes                []accord.Purpose      `json:"purposes"`
	Reference               string                `json:"reference"`
	Issuer                  string                `json:"issuer"`
	Reason                  string                `json:"reason"`
	ValidFrom               *time.Time            `json:"valid_from"`
	ExpiresAt               time.Time             `json:"expires_at"`
}

func (s *Server) listLegalBases(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	bs, err := s.svc.LegalBases(r.Context(), c, "", "")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"legal_bases": nonNil(bs)})
	return nil
}

func (s *Server) clientLegalBases(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	bs, err := s.svc.LegalBases(r.Context(), c, r.PathValue("id"), purpose)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"legal_bases": nonNil(bs)})
	return nil
}

func (s *Server) createLegalBasis(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in legalBasisInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	b := &accord.LegalBasis{Kind: in.Kind, ClientID: in.ClientID, Categories: in.Categories, RecipientOrganizationID: in.RecipientOrganizationID,
		HolderOrganizationID: in.HolderOrganizationID,
		Purposes:             in.Purposes, Reference: in.Reference, Issuer: in.Issuer, Reason: in.Reason, ExpiresAt: in.ExpiresAt}
	if in.ValidFrom != nil {
		b.ValidFrom = *in.ValidFrom
	}
	if err := s.svc.RecordLegalBasis(r.Context(), c, b); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) breakGlass(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	if purpose != accord.PurposeEmergencyTreatment {
		return &accord.Error{Code: accord.EINVALID, Field: "Accord-Purpose", Format: "break-glass is for emergency treatment: send Accord-Purpose: ETREAT",
			Accepted: []string{string(accord.PurposeEmergencyTreatment)}}
	}
	var in struct {
		Categories []accord.Category `json:"categories"`
		Reason     string            `json:"reason"`
		Minutes    int               `json:"minutes"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.Minutes < 0 || in.Minutes > int(accord.BreakGlassMaxDuration.Minutes()) {
		return accord.FieldErrorf("minutes", "an emergency access lasts between 1 minute and %d hours", int(accord.BreakGlassMaxDuration.Hours()))
	}
	b, err := s.svc.BreakGlass(r.Context(), c, enforce.BreakGlassRequest{ClientID: r.PathValue("id"), Categories: in.Categories,
		Reason: in.Reason, Duration: time.Duration(in.Minutes) * time.Minute})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) eraseClient(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if _, err := purposeOf(r); err != nil {
		return err
	}
	var in struct {
		Reason accord.ErasureReason `json:"reason"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if err := s.svc.EraseClient(r.Context(), c, r.PathValue("id"), in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) accessReport(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if _, err := purposeOf(r); err != nil {
		return err
	}
	rep, err := s.svc.AccessReport(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	// The report is for the client: in their language unless asked otherwise.
	p := s.cat.Printer(s.cat.Match(r.URL.Query().Get("lang"), rep.Language, r.Header.Get("Accept-Language")))
	out := accessReportOut(p, rep, c.Staff.DisplayName, c.Organization.Name)
	if r.URL.Query().Get("download") != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="access-report.json"`)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// Decisions and local policies.

func (s *Server) explain(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	purpose, err := purposeOf(r)
	if err != nil {
		return err
	}
	var in struct {
		ClientID string          `json:"client_id"`
		Category accord.Category `json:"category"`
		// Purpose is the purpose of the read being asked about, when it
		// differs from the caller's own (a privacy officer asking, for
		// OVERSIGHT, whether a clinician may read for TREAT).
		Purpose  accord.Purpose `json:"purpose"`
		StaffID  string         `json:"staff_id"`
		HolderID string         `json:"holder_id"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.Purpose == "" {
		in.Purpose = purpose
	} else if !in.Purpose.Valid() {
		return accord.PurposeError("purpose", in.Purpose)
	}
	d, err := s.svc.Explain(r.Context(), c, enforce.ExplainRequest{ClientID: in.ClientID, Category: in.Category, Purpose: in.Purpose,
		StaffID: in.StaffID, HolderID: in.HolderID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.decisionJSON(s.printer(r), d))
	return nil
}

func (s *Server) getLocalPolicies(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	text, err := s.svc.LocalPolicies(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"policies": text})
	return nil
}

func (s *Server) putLocalPolicies(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in struct {
		Policies string `json:"policies"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if err := s.svc.SetLocalPolicies(r.Context(), c, in.Policies); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"policies": in.Policies})
	return nil
}

// Audit log.

func (s *Server) auditEntries(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	after, err := queryInt(r, "after", -1, -1, 1<<62)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	es, err := s.svc.AuditEntries(r.Context(), c, sqlstore.AuditFilter{After: after, Limit: int(limit), ClientID: q.Get("client_id"), ActorID: q.Get("actor_id")})
	if err != nil {
		return err
	}
	out := []auditEntryJSON{}
	for _, e := range es {
		out = append(out, auditEntryJSON{Index: e.Index, AuditEntry: e})
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
	return nil
}

func (s *Server) auditCheckpoint(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	cp, err := s.db.LatestCheckpoint(r.Context())
	if err != nil {
		return err
	}
	cosigned, err := s.withCosignatures(r.Context(), [][]byte{cp})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(cosigned[0])
	return nil
}

func (s *Server) auditCheckpoints(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	limit, err := queryInt(r, "limit", 20, 1, 1000)
	if err != nil {
		return err
	}
	cps, err := s.db.Checkpoints(r.Context(), int(limit))
	if err != nil {
		return err
	}
	if cps, err = s.withCosignatures(r.Context(), cps); err != nil {
		return err
	}
	out := []string{}
	for _, cp := range cps {
		out = append(out, string(cp))
	}
	writeJSON(w, http.StatusOK, map[string]any{"checkpoints": out})
	return nil
}

func (s *Server) inclusionProof(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	index, err := queryInt(r, "index", -1, 0, 1<<62)
	if err != nil {
		return err
	}
	size, err := queryInt(r, "size", -1, 1, 1<<62)
	if err != nil {
		return err
	}
	if index < 0 || size < 0 {
		return accord.Errorf(accord.EINVALID, "give index and size")
	}
	proof, err := s.db.InclusionProof(r.Context(), uint64(index), uint64(size))
	if err != nil {
		return err
	}
	leaf, err := s.db.AuditLeaf(r.Context(), index)
	if err != nil {
		return err
	}
	out := map[string]any{"index": index, "size": size, "leaf_hash": base64.StdEncoding.EncodeToString(auditlog.LeafHash(leaf)), "proof": b64s(proof)}
	// Anyone holding an entry may prove it is in the log; only the
	// oversight body reads entries it does not already hold.
	if c.CanReadAuditLeaves() {
		out["leaf"] = string(leaf)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) consistencyProof(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	old, err := queryInt(r, "old", -1, 1, 1<<62)
	if err != nil {
		return err
	}
	nw, err := queryInt(r, "new", -1, 1, 1<<62)
	if err != nil {
		return err
	}
	if old < 0 || nw < 0 {
		return accord.Errorf(accord.EINVALID, "give old and new tree sizes")
	}
	proof, err := s.db.ConsistencyProof(r.Context(), uint64(old), uint64(nw))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"old": old, "new": nw, "proof": b64s(proof)})
	return nil
}

func b64s(hs [][]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h)
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
