package enforce

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// The oversight body's workspace: the queue of legal bases (emergency
// accesses, court orders, statutory duties) waiting for its review, the
// review itself, and the register of what went to immigration authorities
// and law enforcement bodies under a legal basis. Reading any of it is
// recorded in the audit log as an export.

// ReviewItem is a legal basis as the review queue shows it.
type ReviewItem struct {
	Basis accord.LegalBasis
	// DueAt is when the review is (or was) due; Overdue says the basis
	// still waits past it.
	DueAt   time.Time
	Overdue bool
	// Age is how long ago the basis was recorded.
	Age time.Duration
	// Escalations is how many times the overdue review was escalated to
	// the oversight body's escalation chain.
	Escalations int
}

// ReviewQueue is what waits for review, and what was reviewed lately.
type ReviewQueue struct {
	// Waiting are the bases not yet reviewed, the longest waiting first,
	// so the overdue come first.
	Waiting []ReviewItem
	// Reviewed are the latest reviews, newest first.
	Reviewed []ReviewItem
	// Names are the names of the staff and organisations the items name.
	Names map[string]string
}

// maxQueue bounds one read of the queue.
const maxQueue = 500

// ReviewQueue returns the legal bases waiting for the oversight body's
// review, the overdue first, and the latest recent reviews (0: none). For
// the oversight body's auditors and privacy officers (else EFORBIDDEN);
// reading it is recorded.
func (s *Service) ReviewQueue(ctx context.Context, c *Caller, recent int) (_ *ReviewQueue, err error) {
	defer accord.Wrap(&err, "ReviewQueue")
	if err := c.requireReviewer(); err != nil {
		return nil, err
	}
	waiting, err := s.db.ReviewQueue(ctx, maxQueue)
	if err != nil {
		return nil, err
	}
	var reviewed []sqlstore.QueuedReview
	if recent > 0 {
		if reviewed, err = s.db.RecentReviews(ctx, recent); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	q := &ReviewQueue{}
	var bases []*accord.LegalBasis
	for _, r := range waiting {
		q.Waiting = append(q.Waiting, reviewItem(r, now))
	}
	for _, r := range reviewed {
		q.Reviewed = append(q.Reviewed, reviewItem(r, now))
	}
	for _, list := range [][]ReviewItem{q.Waiting, q.Reviewed} {
		for i := range list {
			bases = append(bases, &list[i].Basis)
		}
	}
	q.Names = s.basisNames(ctx, bases, nil)
	e := accord.AuditEntry{Kind: accord.AuditExport, ActorID: c.Staff.ID, ActorOrganizationID: c.Staff.OrganizationID,
		Action: "legal_bases.review_queue", Count: len(q.Waiting) + len(q.Reviewed), RequestID: c.RequestID}
	return q, s.db.AppendAudit(ctx, e)
}

func reviewItem(r sqlstore.QueuedReview, now time.Time) ReviewItem {
	return ReviewItem{Basis: r.LegalBasis, DueAt: r.ReviewDueAt(), Overdue: r.ReviewOverdue(now), Age: now.Sub(r.RecordedAt), Escalations: r.Escalations}
}

// requireReviewer allows the oversight body's auditors and privacy
// officers; everyone else, and staff of immigration authorities and law
// enforcement bodies first of all, is refused.
func (c *Caller) requireReviewer() error {
	if err := c.requireGovernance(accord.RoleAuditor, accord.RolePrivacyOfficer); err != nil {
		return err
	}
	return c.requireOversight()
}

// CanReview returns nil when the caller may review b, else the error
// ReviewLegalBasis would return: only the oversight body's auditors and
// privacy officers review, never the person who recorded or used the
// basis, nor staff of an organisation that disclosed or received under it.
func (c *Caller) CanReview(b *accord.LegalBasis) error {
	if err := c.requireReviewer(); err != nil {
		return err
	}
	org := c.Staff.OrganizationID
	if c.Staff.ID == b.RecordedBy || c.Staff.ID == b.RecipientStaffID || org == b.RecipientOrganizationID || org == b.HolderOrganizationID {
		return accord.Errorf(accord.EFORBIDDEN, "you cannot review a disclosure that you or your own organisation made, received or recorded; another member of the oversight body must review it")
	}
	return nil
}

// ReviewLegalBasis records the oversight body's review of legal basis id:
// justified, not justified or referred on, with the reviewer's reasoning.
// A review is recorded once, as an audit event, and stops the basis's
// review deadline. Errors: EFORBIDDEN (not a reviewer, or a reviewer of
// the organisation that made the access), EINVALID (decision, reasoning),
// ENOTFOUND, ECONFLICT (already reviewed). Nothing changes on an error.
func (s *Service) ReviewLegalBasis(ctx context.Context, c *Caller, id string, rv accord.Review) (_ *accord.LegalBasis, err error) {
	defer accord.Wrap(&err, "ReviewLegalBasis(%s)", id)
	if err := c.requireReviewer(); err != nil {
		return nil, err
	}
	if err := rv.Validate(); err != nil {
		return nil, err
	}
	r, err := s.db.FindQueuedReview(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := c.CanReview(&r.LegalBasis); err != nil {
		return nil, err
	}
	b, err := s.db.ReviewLegalBasis(ctx, c.Actor(), id, rv)
	if err != nil {
		return nil, err
	}
	s.logger.Info("legal basis reviewed", "legal_basis", b.ID, "decision", string(b.ReviewStatus), "staff", c.Staff.ID)
	return b, nil
}

// Disclosure is one release of a client's data under a legal basis: the
// audit entries of one request that released data under it.
type Disclosure struct {
	At             time.Time
	StaffID        string // who received it
	OrganizationID string // their organisation
	HolderID       string // the organisation that disclosed it
	Purpose        accord.Purpose
	Categories     []accord.Category
	Entries        []int64 // the audit entries' indexes
}

// ReviewEntry is one legal basis with where it is in review and every
// disclosure made under it.
type ReviewEntry struct {
	ReviewItem
	Disclosures []Disclosure
	Names       map[string]string
	// CanReview is nil when the caller may record the review (once it
	// waits for one), else why not.
	CanReview error
}

// ReviewEntry returns legal basis id for review, with the disclosures the
// audit log holds under it. For the oversight body's auditors and privacy
// officers; reading it is recorded, under the basis's client.
func (s *Service) ReviewEntry(ctx context.Context, c *Caller, id string) (_ *ReviewEntry, err error) {
	defer accord.Wrap(&err, "ReviewEntry(%s)", id)
	if err := c.requireReviewer(); err != nil {
		return nil, err
	}
	r, err := s.db.FindQueuedReview(ctx, id)
	if err != nil {
		return nil, err
	}
	ds, err := s.disclosuresUnder(ctx, &r.LegalBasis, "")
	if err != nil {
		return nil, err
	}
	out := &ReviewEntry{ReviewItem: reviewItem(*r, s.now().UTC()), Disclosures: ds, CanReview: c.CanReview(&r.LegalBasis)}
	out.Names = s.basisNames(ctx, []*accord.LegalBasis{&out.Basis}, ds)
	e := accord.AuditEntry{Kind: accord.AuditExport, ActorID: c.Staff.ID, ActorOrganizationID: c.Staff.OrganizationID, ClientID: r.ClientID,
		Action: "legal_bases.list", ObjectID: r.ID, Count: 1, RequestID: c.RequestID}
	return out, s.db.AppendAudit(ctx, e)
}

// maxDisclosureScan bounds the audit entries read for one basis's client.
const maxDisclosureScan = 50000

// disclosuresUnder returns what the audit log shows was released under
// legal basis b (by holder, when holder is not ""), oldest first.
func (s *Service) disclosuresUnder(ctx context.Context, b *accord.LegalBasis, holder string) ([]Disclosure, error) {
	ids, err := s.db.MergedInto(ctx, b.ClientID)
	if err != nil {
		return nil, err
	}
	var out []Disclosure
	at := map[string]int{} // request (or entry) -> index in out
	for _, client := range append([]string{b.ClientID}, ids...) {
		after := int64(-1)
		for scanned := 0; scanned < maxDisclosureScan; {
			es, err := s.db.AuditEntries(ctx, sqlstore.AuditFilter{ClientID: client, After: after, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				if e.Kind != accord.AuditDecision || e.LegalBasisID != b.ID || e.Effect != "permit" || !e.Released || holder != "" && e.HolderID != holder {
					continue
				}
				key := e.RequestID + "/" + e.ActorID
				if e.RequestID == "" {
					key = "entry/" + strconv.FormatInt(e.Index, 10)
				}
				i, ok := at[key]
				if !ok {
					i = len(out)
					at[key] = i
					out = append(out, Disclosure{At: e.Time, StaffID: e.ActorID, OrganizationID: e.ActorOrganizationID, HolderID: e.HolderID, Purpose: e.Purpose})
				}
				d := &out[i]
				if !slices.Contains(d.Categories, e.Category) {
					d.Categories = append(d.Categories, e.Category)
				}
				d.Entries = append(d.Entries, e.Index)
			}
			scanned += len(es)
			if len(es) < 1000 {
				break
			}
			after = es[len(es)-1].Index
		}
	}
	for i := range out {
		sortCategories(out[i].Categories)
	}
	slices.SortStableFunc(out, func(a, b Disclosure) int { return a.At.Compare(b.At) })
	return out, nil
}

// sortCategories puts categories in vocabulary order.
func sortCategories(cs []accord.Category) {
	slices.SortFunc(cs, func(a, b accord.Category) int {
		return slices.Index(accord.Categories, a) - slices.Index(accord.Categories, b)
	})
}

// RegisterEntry is one legal basis under which an immigration authority or
// a law enforcement body may receive a client's information, with what it
// received.
type RegisterEntry struct {
	Basis       accord.LegalBasis
	Disclosures []Disclosure
	// Categories are every category disclosed under the basis, in
	// vocabulary order.
	Categories []accord.Category
}

// Register is the register of disclosures to immigration authorities and
// law enforcement bodies.
type Register struct {
	// OrganizationID is the organisation whose disclosures it lists (a
	// privacy officer's own), "" for the whole partnership.
	OrganizationID string
	// Entries are newest first.
	Entries []RegisterEntry
	Names   map[string]string
}

// DisclosureRegister returns every legal basis naming an immigration
// authority or a law enforcement body as recipient, with what the audit
// log shows was disclosed under it, when and to whom. The oversight body's
// auditors and privacy officers read the whole partnership's; each
// organisation's privacy officer reads its own (the bases it disclosed
// under). Staff of immigration authorities and law enforcement bodies
// never do. Errors: EFORBIDDEN. Reading it is recorded.
func (s *Service) DisclosureRegister(ctx context.Context, c *Caller) (_ *Register, err error) {
	defer accord.Wrap(&err, "DisclosureRegister")
	reg := &Register{}
	if !c.oversight() {
		if err := c.requireGovernance(accord.RolePrivacyOfficer); err != nil {
			return nil, err
		}
		reg.OrganizationID = c.Staff.OrganizationID
	}
	orgs, err := s.db.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	enforcement := map[string]bool{}
	for _, o := range orgs {
		enforcement[o.ID] = o.Sector.Enforcement()
	}
	bases, err := s.db.LegalBases(ctx, "")
	if err != nil {
		return nil, err
	}
	var shown []*accord.LegalBasis
	var all []Disclosure
	for _, b := range bases {
		if !enforcement[b.RecipientOrganizationID] || reg.OrganizationID != "" && b.HolderOrganizationID != reg.OrganizationID {
			continue
		}
		ds, err := s.disclosuresUnder(ctx, &b, reg.OrganizationID)
		if err != nil {
			return nil, err
		}
		e := RegisterEntry{Basis: b, Disclosures: ds}
		for _, d := range ds {
			for _, cat := range d.Categories {
				if !slices.Contains(e.Categories, cat) {
					e.Categories = append(e.Categories, cat)
				}
			}
		}
		sortCategories(e.Categories)
		reg.Entries = append(reg.Entries, e)
		all = append(all, ds...)
	}
	for i := range reg.Entries {
		shown = append(shown, &reg.Entries[i].Basis)
	}
	reg.Names = s.basisNames(ctx, shown, all)
	e := accord.AuditEntry{Kind: accord.AuditExport, ActorID: c.Staff.ID, ActorOrganizationID: c.Staff.OrganizationID,
		Action: "legal_bases.register", Count: len(reg.Entries), RequestID: c.RequestID}
	return reg, s.db.AppendAudit(ctx, e)
}

// basisNames names the staff and organisations that legal bases and
// disclosures refer to.
func (s *Service) basisNames(ctx context.Context, bases []*accord.LegalBasis, ds []Disclosure) map[string]string {
	n := newNames(s.db, &s.orgs)
	out := map[string]string{}
	org := func(id string) {
		if _, ok := out[id]; id != "" && !ok {
			out[id] = n.org(ctx, id)
		}
	}
	staff := func(id string) {
		if _, ok := out[id]; id == "" || ok {
			return
		}
		out[id] = id
		if st, err := s.db.FindStaff(ctx, id); err == nil {
			out[id] = st.DisplayName
		}
	}
	for _, b := range bases {
		org(b.RecipientOrganizationID)
		org(b.HolderOrganizationID)
		staff(b.RecordedBy)
		staff(b.RecipientStaffID)
		staff(b.ReviewedBy)
	}
	for _, d := range ds {
		org(d.OrganizationID)
		org(d.HolderID)
		staff(d.StaffID)
	}
	return out
}
