package enforce

import (
	"context"
	"encoding/json"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/screening"
	"github.com/accord-project/accord/sqlstore"
)

// escalationFor maps needs that cannot wait to the escalation they start.
var escalationFor = map[screening.NeedCode]accord.EscalationKind{
	screening.NeedEviction:               accord.EscalationEviction,
	screening.NeedMedicationAccess:       accord.EscalationMedication,
	screening.NeedImmigrationLegalStatus: accord.EscalationDetention,
	screening.NeedPersonalSafety:         accord.EscalationSafety,
	screening.NeedDomesticViolence:       accord.EscalationSafety,
}

// ScreeningResult is what a screening found.
type ScreeningResult struct {
	Screening   sqlstore.Screening
	Needs       []screening.Need
	Change      *screening.Change // against the client's previous screening with the same questionnaire
	Escalations []accord.Escalation
}

// Screen records a completed questionnaire for a client the caller may see
// and whose screening the caller's role may record, evaluates its rules
// into needs, compares them with the last screening, and raises an
// escalation to the caller's organisation for every need that cannot wait
// (an imminent eviction, medication about to run out, a detention risk, a
// safety risk): its clock starts now.
func (s *Service) Screen(ctx context.Context, c *Caller, clientID string, resp *screening.Response, lang string, interpreterUsed bool, purpose accord.Purpose) (_ *ScreeningResult, err error) {
	defer accord.Wrap(&err, "Screen(%s)", clientID)
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	if err := accord.CheckLanguage("language", lang); err != nil {
		return nil, err
	}
	q, err := screening.Find(resp.Questionnaire)
	if err != nil {
		return nil, accord.FieldErrorf("questionnaire", "unknown questionnaire %q", resp.Questionnaire)
	}
	if err := q.Check(resp); err != nil {
		return nil, err
	}
	if _, err := s.seeClient(ctx, c, clientID, purpose); err != nil {
		return nil, err
	}
	// Recording a screening is writing screening data: the caller's role
	// must let them read it, as for any record.
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	dec := d.decide(ctx, c.Actor(), clientID, c.Staff.OrganizationID, accord.CatScreening, nil, purpose)
	if err := d.record(ctx, nil); err != nil {
		return nil, err
	}
	if !dec.Decision.Permitted() {
		return nil, denied(dec)
	}
	needs := q.Evaluate(resp)
	body, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	res := &ScreeningResult{Needs: needs}
	prev, err := s.db.Screenings(ctx, clientID, c.Staff.OrganizationID, false)
	if err != nil {
		return nil, err
	}
	for _, p := range prev {
		if p.Questionnaire == q.Canonical() {
			var before []screening.Need
			for _, n := range p.Needs {
				before = append(before, screening.Need{Code: screening.NeedCode(n.Code), Urgency: screening.Urgency(n.Urgency)})
			}
			ch := screening.Compare(before, needs)
			res.Change = &ch
			break
		}
	}
	sc := &sqlstore.Screening{ClientID: clientID, OrganizationID: c.Staff.OrganizationID, Questionnaire: q.Canonical(), Response: body,
		Language: lang, InterpreterUsed: interpreterUsed, Needs: []sqlstore.ScreenedNeed{}}
	for _, n := range needs {
		sc.Needs = append(sc.Needs, sqlstore.ScreenedNeed{Code: string(n.Code), Urgency: string(n.Urgency)})
	}
	if err := s.db.CreateScreening(ctx, c.Actor(), sc); err != nil {
		return nil, err
	}
	res.Screening = *sc
	chain, err := s.db.EscalationChain(ctx, c.Staff.OrganizationID)
	if err != nil {
		return nil, err
	}
	raised := map[accord.EscalationKind]bool{}
	for _, n := range needs {
		kind, ok := escalationFor[n.Code]
		if !ok || n.Urgency.Rank() < screening.UrgencyUrgent.Rank() || raised[kind] || len(chain) == 0 {
			continue
		}
		raised[kind] = true
		e := &accord.Escalation{ClientID: clientID, Kind: kind, Urgency: accord.Urgency(n.Urgency), OrganizationID: c.Staff.OrganizationID,
			Summary: "Raised by screening " + sc.ID + ": " + string(n.Code) + " (" + string(n.Urgency) + ")"}
		if err := s.RaiseEscalation(ctx, c, e, purpose); err != nil {
			return nil, err
		}
		res.Escalations = append(res.Escalations, *e)
	}
	return res, nil
}

// Screenings returns a client's screenings the caller may see: those held
// by organisations whose screening data the decision point releases to the
// caller (each holder is a decision).
func (s *Service) Screenings(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (_ []sqlstore.Screening, withheld []Decided, err error) {
	defer accord.Wrap(&err, "Screenings(%s)", clientID)
	client, err := s.seeClient(ctx, c, clientID, purpose)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.db.Screenings(ctx, client.ID, "", true)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	allowed := map[string]bool{}
	for _, sc := range all {
		if _, seen := allowed[sc.OrganizationID]; seen {
			continue
		}
		dec := d.decide(ctx, c.Actor(), client.ID, sc.OrganizationID, accord.CatScreening, nil, purpose)
		allowed[sc.OrganizationID] = dec.Decision.Permitted()
		if !dec.Decision.Permitted() {
			withheld = append(withheld, dec)
		}
	}
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return nil, nil, err
	}
	var out []sqlstore.Screening
	for _, sc := range all {
		if allowed[sc.OrganizationID] {
			out = append(out, sc)
		}
	}
	return out, withheld, nil
}
