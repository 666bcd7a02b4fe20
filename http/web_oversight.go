package http

import (
	"cmp"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// The oversight body's workspace (/oversight/...): the queue of emergency
// accesses, court orders and duties in law waiting for its review, one
// legal basis with the disclosures made under it and the review form, and
// the register of what went to immigration authorities and law
// enforcement bodies. The enforcement point decides who may see each; a
// page the caller may not use says why.

func init() {
	registerNotices(map[string]string{
		"oversight-reviewed": "The review is recorded. It is final: a review cannot be changed.",
	})
}

// oversightPages are the pages of this group.
func (s *Server) oversightPages() []route {
	return []route{
		{"GET", "/oversight/reviews", s.page(s.oversightQueue)},
		{"GET", "/oversight/reviews/{id}", s.page(s.oversightReview)},
		{"POST", "/oversight/reviews/{id}", s.page(s.oversightReviewSubmit)},
		{"GET", "/oversight/disclosures", s.page(s.oversightDisclosures)},
		{"GET", "/oversight/compliance", s.page(s.oversightCompliance)},
	}
}

// oversightRecent is how many recent reviews the queue page shows.
const oversightRecent = 20

// oversightBasisRow is a legal basis as these pages show it.
type oversightBasisRow struct {
	accord.LegalBasis
	KindText, CategoriesText              string
	Holder, Recipient, Recorder, Person   string
	Reviewer, DecisionText, DecisionClass string
	State, StateClass                     string
	Expiring                              bool
	DaysLeft                              int
	Age                                   string
	DueAt                                 time.Time
	Overdue                               bool
	Escalations                           int
}

func oversightRow(p *i18n.Printer, b accord.LegalBasis, names map[string]string, now time.Time) oversightBasisRow {
	name := func(id string) string { return adminOrgName(names, id) }
	row := oversightBasisRow{LegalBasis: b, CategoriesText: adminJoin(p, adminTerms(b.Categories, i18n.Category)),
		Holder: names[b.HolderOrganizationID], Recipient: name(b.RecipientOrganizationID), Recorder: name(b.RecordedBy),
		DueAt: b.ReviewDueAt(), Overdue: b.ReviewOverdue(now), Age: oversightAge(p, now.Sub(b.RecordedAt))}
	if b.RecipientStaffID != "" {
		row.Person = name(b.RecipientStaffID)
	}
	switch b.Kind {
	case accord.BasisCourtOrder:
		row.KindText = p.Sprintf("Court order")
	case accord.BasisStatutoryDuty:
		row.KindText = p.Sprintf("Duty in law")
	case accord.BasisEmergency:
		row.KindText = p.Sprintf("Emergency (break-glass)")
	}
	switch {
	case now.Before(b.ValidFrom):
		row.State, row.StateClass = p.Sprintf("Not yet in force"), "warn"
	case b.InForce(now):
		row.State, row.StateClass = p.Sprintf("In force"), "ok"
		row.DaysLeft = int(b.ExpiresAt.Sub(now).Hours() / 24)
		row.Expiring = b.Kind == accord.BasisCourtOrder && row.DaysLeft <= 30
	default:
		row.State, row.StateClass = p.Sprintf("Expired"), ""
	}
	row.DecisionText = p.Sprintf(string(i18n.Status(string(b.ReviewStatus))))
	switch b.ReviewStatus {
	case accord.ReviewJustified:
		row.DecisionClass = "ok"
	case accord.ReviewNotJustified:
		row.DecisionClass = "bad"
	default:
		row.DecisionClass = "warn"
	}
	if b.ReviewedBy != "" {
		row.Reviewer = name(b.ReviewedBy)
	}
	return row
}

// oversightAge says how long ago something was, in hours up to two days,
// then in days.
func oversightAge(p *i18n.Printer, d time.Duration) string {
	if d < 48*time.Hour {
		return p.Sprintf("%d hours", int(max(d, 0).Hours()))
	}
	return p.Sprintf("%d days", int(d.Hours()/24))
}

// oversightDenied explains the review pages to someone who may not use them.
func (s *Server) oversightDenied(w http.ResponseWriter, r *http.Request, c *enforce.Caller, err error) error {
	p := s.pagePrinter(r)
	return s.adminDenied(w, r, c, err,
		p.Sprintf("The oversight body reviews every emergency (break-glass) access, court order and duty in law under which information was shared without the client's consent, and records whether it was justified."),
		p.Sprintf("The oversight body's auditors and privacy officers. Staff of the organisation that made or received a disclosure never review it."))
}

// The queue.

type oversightQueueData struct {
	Nav      []adminLink
	Waiting  []oversightBasisRow
	Reviewed []oversightBasisRow
	Overdue  int
}

func (s *Server) oversightQueue(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	q, err := s.svc.ReviewQueue(r.Context(), c, oversightRecent)
	if accord.ErrorCode(err) == accord.EFORBIDDEN {
		return s.oversightDenied(w, r, c, err)
	}
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Oversight review queue", nil)
	now := s.now()
	d := &oversightQueueData{Nav: adminNav(v.P, c, "/oversight/reviews")}
	for _, it := range q.Waiting {
		row := oversightRow(v.P, it.Basis, q.Names, now)
		row.Escalations = it.Escalations
		if row.Overdue {
			d.Overdue++
		}
		d.Waiting = append(d.Waiting, row)
	}
	// Overdue first, the longest waiting at the top (the queue's order).
	slices.SortStableFunc(d.Waiting, func(a, b oversightBasisRow) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return a.RecordedAt.Compare(b.RecordedAt)
	})
	for _, it := range q.Reviewed {
		d.Reviewed = append(d.Reviewed, oversightRow(v.P, it.Basis, q.Names, now))
	}
	v.Data = d
	return s.adminRender(w, http.StatusOK, "oversight_reviews", v)
}

// One legal basis: its disclosures and its review.

type oversightReviewData struct {
	Nav         []adminLink
	Basis       oversightBasisRow
	Disclosures []oversightDisclosureRow
	Released    int // audit entries that released data under it
	CanReview   bool
	Why         string // why the caller may not review it, when they may not
	Decisions   []option
}

type oversightDisclosureRow struct {
	enforce.Disclosure
	Staff, Org, Holder, CategoriesText, PurposeText string
}

func oversightDisclosures(p *i18n.Printer, ds []enforce.Disclosure, names map[string]string) []oversightDisclosureRow {
	var out []oversightDisclosureRow
	for _, d := range ds {
		out = append(out, oversightDisclosureRow{Disclosure: d, Staff: adminOrgName(names, d.StaffID), Org: adminOrgName(names, d.OrganizationID),
			Holder: adminOrgName(names, d.HolderID), CategoriesText: adminJoin(p, adminTerms(d.Categories, i18n.Category)),
			PurposeText: p.Sprintf(string(i18n.Purpose(d.Purpose)))})
	}
	return out
}

func (s *Server) oversightReview(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.oversightReviewPage(w, r, c, nil, nil)
}

func (s *Server) oversightReviewPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, ferr error) error {
	e, err := s.svc.ReviewEntry(r.Context(), c, r.PathValue("id"))
	if accord.ErrorCode(err) == accord.EFORBIDDEN {
		return s.oversightDenied(w, r, c, err)
	}
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Oversight review", nil)
	p := v.P
	row := oversightRow(p, e.Basis, e.Names, s.now())
	row.Escalations = e.Escalations
	d := &oversightReviewData{Nav: adminNav(p, c, "/oversight/reviews"), Basis: row, Disclosures: oversightDisclosures(p, e.Disclosures, e.Names),
		CanReview: e.CanReview == nil && e.Basis.ReviewStatus == accord.ReviewPending}
	for _, x := range d.Disclosures {
		d.Released += len(x.Entries)
	}
	if e.CanReview != nil {
		d.Why = errorText(p, e.CanReview)
	}
	for _, x := range accord.ReviewDecisions {
		label := ""
		switch x {
		case accord.ReviewJustified:
			label = p.Sprintf("Justified: the disclosure was necessary and no wider than its basis allowed")
		case accord.ReviewNotJustified:
			label = p.Sprintf("Not justified: it should not have happened, or went further than its basis allowed")
		case accord.ReviewReferred:
			label = p.Sprintf("Referred on: it needs a fuller investigation, by the oversight body or another authority")
		}
		d.Decisions = append(d.Decisions, option{Value: string(x), Label: label})
	}
	if f == nil {
		f = newForm()
	}
	v.Form, v.Data = f, d
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "oversight_review", v)
}

func (s *Server) oversightReviewSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	id := r.PathValue("id")
	return s.reviewSubmit(w, r, c, func(rv accord.Review) error {
		_, err := s.svc.ReviewLegalBasis(r.Context(), c, id, rv)
		return err
	}, "/oversight/reviews/"+id+"?notice=oversight-reviewed",
		func(err error) error { return s.oversightDenied(w, r, c, err) },
		func(f *form, err error) error { return s.oversightReviewPage(w, r, c, f, err) })
}

// reviewSubmit takes a review form — of a legal basis or emergency access,
// or of an access anomaly alert: a decision and the reviewer's reasoning —
// once, and goes to next; a refusal goes to denied, a mistake back to the
// form (again).
func (s *Server) reviewSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller, review func(accord.Review) error, next string,
	denied func(error) error, again func(*form, error) error) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		rv := accord.Review{Decision: accord.ReviewStatus(f.Values.Get("decision")), Reasoning: strings.TrimSpace(f.Values.Get("reasoning"))}
		if err := review(rv); err != nil {
			return "", err
		}
		return next, nil
	})
	if done {
		return nil
	}
	switch accord.ErrorCode(err) {
	case accord.ENOTFOUND:
		return err
	case accord.EFORBIDDEN:
		return denied(err)
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		return again(f, err)
	}
	return err
}

// The register of disclosures to immigration authorities and law
// enforcement bodies.

type oversightRegisterData struct {
	Nav       []adminLink
	Oversight bool   // the whole partnership's register, with links to the reviews
	OwnOrg    string // else the privacy officer's organisation
	Entries   []oversightRegisterEntry
	Expiring  int
}

type oversightRegisterEntry struct {
	Basis          oversightBasisRow
	Disclosures    []oversightDisclosureRow
	DisclosedText  string // every category disclosed under it
	DisclosedTimes int
}

func (s *Server) oversightDisclosures(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	reg, err := s.svc.DisclosureRegister(r.Context(), c)
	if accord.ErrorCode(err) == accord.EFORBIDDEN {
		p := s.pagePrinter(r)
		return s.adminDenied(w, r, c, err,
			p.Sprintf("The register lists every court order and duty in law that names an immigration authority or a law enforcement body as recipient, and what was disclosed under each: which information, when and to whom."),
			p.Sprintf("The oversight body's auditors and privacy officers read the whole register; each organisation's privacy officer reads its own. Staff of immigration authorities and law enforcement bodies never do."))
	}
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Disclosures to immigration and law enforcement", nil)
	p, now := v.P, s.now()
	d := &oversightRegisterData{Nav: adminNav(p, c, "/oversight/disclosures"), Oversight: reg.OrganizationID == ""}
	if !d.Oversight {
		d.OwnOrg = c.Organization.Name
	}
	for _, e := range reg.Entries {
		x := oversightRegisterEntry{Basis: oversightRow(p, e.Basis, reg.Names, now), Disclosures: oversightDisclosures(p, e.Disclosures, reg.Names),
			DisclosedText: adminJoin(p, adminTerms(e.Categories, i18n.Category)), DisclosedTimes: len(e.Disclosures)}
		if x.Basis.Expiring {
			d.Expiring++
		}
		d.Entries = append(d.Entries, x)
	}
	// In force first, the soonest to expire first; then those not yet in
	// force; then the expired, the latest to expire first.
	rank := func(e oversightRegisterEntry) int {
		switch e.Basis.StateClass {
		case "ok":
			return 0
		case "warn":
			return 1
		}
		return 2
	}
	slices.SortStableFunc(d.Entries, func(a, b oversightRegisterEntry) int {
		if x := cmp.Compare(rank(a), rank(b)); x != 0 {
			return x
		}
		if rank(a) == 2 {
			return b.Basis.ExpiresAt.Compare(a.Basis.ExpiresAt)
		}
		return a.Basis.ExpiresAt.Compare(b.Basis.ExpiresAt)
	})
	v.Data = d
	return s.adminRender(w, http.StatusOK, "oversight_disclosures", v)
}

// The consent-compliance audit.

type complianceData struct {
	Nav     []adminLink
	Ran     bool
	Sample  *enforce.ComplianceSample
	Rows    []complianceRow
	Again   string // the address that draws the same sample again
	Sampled int
}

type complianceRow struct {
	Index                               int64
	Time                                time.Time
	Holder, Recipient, Staff            string
	CategoryText, PurposeText           string
	BasisText, Detail, Review, ReviewCl string
	Tied, Erased                        bool
	Problems                            []string
}

func (s *Server) oversightCompliance(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	p := s.pagePrinter(r)
	if err := c.RequireOversight(); err != nil {
		return s.adminDenied(w, r, c, err,
			p.Sprintf("The consent-compliance audit draws a random sample of disclosures from the audit log and checks that each is tied to the agreement and consent, or the legal basis, that permitted it."),
			p.Sprintf("The oversight body's auditors and privacy officers."))
	}
	v := s.newView(r, c, "admin", "Consent-compliance audit", nil)
	p = v.P
	d := &complianceData{Nav: adminNav(p, c, "/oversight/compliance")}
	// A GET form of numbers and dates: the sample is drawn when it is sent.
	f := newForm()
	f.Token = ""
	q := r.URL.Query()
	seed := rand.Uint64N(1_000_000) // a fresh suggestion; the one used is shown, to draw the sample again
	now := s.now().UTC()
	f.Values.Set("n", "50")
	f.Values.Set("seed", strconv.FormatUint(seed, 10))
	f.Values.Set("from", now.AddDate(0, 0, -sampleDefaultDays).Format(time.DateOnly))
	f.Values.Set("to", now.Format(time.DateOnly))
	for _, k := range []string{"n", "seed", "from", "to", "size"} {
		if x := strings.TrimSpace(q.Get(k)); x != "" {
			f.Values.Set(k, x)
		}
	}
	v.Form, v.Data = f, d
	if q.Get("n") == "" {
		return s.adminRender(w, http.StatusOK, "oversight_compliance", v)
	}
	req, err := parseSampleQuery(f.Values, now, nil)
	if err == nil {
		d.Sample, err = s.svc.ComplianceSample(r.Context(), c, req)
	}
	if err != nil {
		if f.fail(p, err) {
			return s.adminRender(w, adminFormStatus(err), "oversight_compliance", v)
		}
		return err
	}
	cs := d.Sample
	d.Ran, d.Sampled = true, len(cs.Items)
	again := url.Values{"n": {strconv.Itoa(req.N)}, "seed": {strconv.FormatUint(cs.Seed, 10)}, "from": {cs.From.Format(time.RFC3339)},
		"to": {cs.To.Format(time.RFC3339)}, "size": {strconv.FormatUint(cs.Size, 10)}}
	d.Again = "/oversight/compliance?" + again.Encode()
	for _, it := range cs.Items {
		e := it.Entry
		row := complianceRow{Index: e.Index, Time: e.Time, Holder: adminOrgName(cs.Names, e.HolderID), Recipient: adminOrgName(cs.Names, e.ActorOrganizationID),
			Staff: adminOrgName(cs.Names, e.ActorID), CategoryText: p.Sprintf(string(i18n.Category(e.Category))), PurposeText: p.Sprintf(string(i18n.Purpose(e.Purpose))),
			Tied: it.Tie.Tied(), Erased: it.Tie.Basis == accord.TieErased, BasisText: auditReportBasis(p, e.Reason)}
		switch {
		case e.Reason == accord.ReasonAgreementConsent:
			title := cs.AgreementTitle[e.AgreementID]
			if e.Provision != nil {
				row.Detail = p.Sprintf("Agreement “%s”, version %d; consent %s, provision %d", title, e.AgreementVersion, e.ConsentID, *e.Provision+1)
			} else {
				row.Detail = p.Sprintf("Agreement “%s”, version %d; no consent named", title, e.AgreementVersion)
			}
		case it.Basis != nil:
			row.Detail = oversightRow(p, *it.Basis, cs.Names, now).KindText
			if it.Basis.Reference != "" {
				row.Detail += " " + it.Basis.Reference
			}
			row.Review = p.Sprintf(string(i18n.Status(string(it.Basis.ReviewStatus))))
			row.ReviewCl = map[accord.ReviewStatus]string{accord.ReviewJustified: "ok", accord.ReviewNotJustified: "bad"}[it.Basis.ReviewStatus]
			if row.ReviewCl == "" {
				row.ReviewCl = "warn"
			}
		case e.LegalBasisID != "":
			row.Detail = e.LegalBasisID
		}
		for _, m := range it.Problems {
			row.Problems = append(row.Problems, p.Render(m))
		}
		d.Rows = append(d.Rows, row)
	}
	return s.adminRender(w, http.StatusOK, "oversight_compliance", v)
}
