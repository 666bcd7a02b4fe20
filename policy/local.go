package policy

import (
	"fmt"
	"iter"

	"github.com/cedar-policy/cedar-go"

	"github.com/accord-project/accord"
)

// Schema is the Cedar schema that local policies are written against (rule
// 6). A request is always principal Staff, action Action::"read", resource
// Data; Decide asks Cedar only about requests it has already permitted.
//
//   - Staff: the actor. Its entity id is the staff id.
//   - Data: the client data asked for. Its entity id is
//     "<holder>/<client>/<category>".
//   - context.reason is the Reason that permitted, so a policy can narrow
//     one rule ("break_glass", "agreement_and_consent", "same_org_role" …).
//
// Organisation ids, sectors, roles, categories, sensitivity labels and
// purposes are the same strings as in the accord package (e.g. "org_…",
// "law_enforcement", "clinician", "clinical_note", "HIV", "TREAT").
//
// Example, a partnership that keeps HIV-labelled data within its holder
// whatever the consent says:
//
//	@id("hiv-stays-home")
//	forbid (principal, action, resource)
//	when { context.crosses_boundary && resource.sensitivity.contains("HIV") };
const Schema = `entity Staff = {
  "organization": String,
  "sector": String,
  "roles": Set<String>,
};

entity Data = {
  "client": String,
  "holder": String,
  "category": String,
  "sensitivity": Set<String>,
};

action "read" appliesTo {
  principal: [Staff],
  resource: [Data],
  context: {
    "purpose": String,
    "crosses_boundary": Bool,
    "reason": String,
  },
};
`

var (
	staffType  = cedar.EntityType("Staff")
	dataType   = cedar.EntityType("Data")
	readAction = cedar.NewEntityUID("Action", "read")
)

// Cedar values that depend only on a bitmask are made once.
var (
	roleSets [1 << 10]cedar.Set
	sensSets [1 << 6]cedar.Set
)

func init() {
	for rs := range roleSets {
		var vs []cedar.Value
		for _, r := range accord.RoleSet(rs).List() {
			vs = append(vs, cedar.String(r))
		}
		roleSets[rs] = cedar.NewSet(vs...)
	}
	for ss := range sensSets {
		var vs []cedar.Value
		for _, s := range accord.SensitivitySet(ss).List() {
			vs = append(vs, cedar.String(s))
		}
		sensSets[ss] = cedar.NewSet(vs...)
	}
}

// localPolicies is a parsed set of forbid policies, in the order written.
type localPolicies struct {
	ids      []cedar.PolicyID
	policies []*cedar.Policy
	order    map[cedar.PolicyID]int
}

// All yields the policies in the order written, so that cedar.Authorize
// reports them in that order; it makes localPolicies a cedar.PolicyIterator.
func (l *localPolicies) All() iter.Seq2[cedar.PolicyID, *cedar.Policy] {
	return func(yield func(cedar.PolicyID, *cedar.Policy) bool) {
		for i, p := range l.policies {
			if !yield(l.ids[i], p) {
				return
			}
		}
	}
}

// SetLocalPolicies replaces the partnership's local Cedar policies with
// those in cedarText (an empty text removes them). Each policy is named by
// its @id annotation, or else "policy<n>", n counting from 0 in the order
// written. It returns an *accord.Error with code EINVALID, and changes
// nothing, when the text does not parse, when two policies share an id, or
// when any policy is a permit: local policies may only narrow.
func (s *Snapshot) SetLocalPolicies(cedarText string) error {
	l, err := parseLocalPolicies(cedarText)
	if err != nil {
		return err
	}
	s.update(func(p *partnership) { p.local = l })
	return nil
}

// parseLocalPolicies returns the policies in text; none (nil) for a text
// without any.
func parseLocalPolicies(text string) (*localPolicies, error) {
	list, err := cedar.NewPolicyListFromBytes("local", []byte(text))
	if err != nil {
		return nil, accord.FieldErrorf("policies", "the local policies are not valid Cedar: %s", err.Error())
	}
	if len(list) == 0 {
		return nil, nil
	}
	l := &localPolicies{order: make(map[cedar.PolicyID]int, len(list))}
	for i, p := range list {
		id := cedar.PolicyID(fmt.Sprintf("policy%d", i))
		if v, ok := p.Annotations()["id"]; ok {
			id = cedar.PolicyID(v)
		}
		if _, dup := l.order[id]; dup {
			return nil, accord.FieldErrorf("policies", "two local policies are named %s", string(id))
		}
		if p.Effect() == cedar.Permit {
			return nil, accord.FieldErrorf("policies", "local policy %s is a permit; local policies may only forbid", string(id))
		}
		l.order[id] = i
		l.ids = append(l.ids, id)
		l.policies = append(l.policies, p)
	}
	return l, nil
}

// forbids returns the id of the first policy (in the order written) that
// forbids r or fails to evaluate, and whether there is one. Cedar itself
// skips a policy that errors; here an error forbids, so that a typo in a
// restriction fails closed.
func (l *localPolicies) forbids(r *accord.Request, p *partnership, reason accord.Reason) (cedar.PolicyID, bool) {
	ents, req := cedarRequest(r, p, reason)
	_, diag := cedar.Authorize(l, ents, req)
	first, id := len(l.policies), cedar.PolicyID("")
	for _, x := range diag.Reasons {
		if i := l.order[x.PolicyID]; i < first {
			first, id = i, x.PolicyID
		}
	}
	for _, x := range diag.Errors {
		if i := l.order[x.PolicyID]; i < first {
			first, id = i, x.PolicyID
		}
	}
	return id, first < len(l.policies)
}

// localEntities is the two entities of a request, as a cedar.EntityGetter
// that needs no map.
type localEntities struct {
	principal, resource cedar.Entity
}

func (e *localEntities) Get(uid cedar.EntityUID) (cedar.Entity, bool) {
	switch uid {
	case e.principal.UID:
		return e.principal, true
	case e.resource.UID:
		return e.resource, true
	}
	return cedar.Entity{}, false
}

// cedarRequest returns the Staff and Data entities of Schema for r, and the
// Cedar request about them.
func cedarRequest(r *accord.Request, p *partnership, reason accord.Reason) (*localEntities, cedar.Request) {
	ents := &localEntities{
		principal: cedar.Entity{
			UID: cedar.NewEntityUID(staffType, cedar.String(r.Actor.StaffID)),
			Attributes: cedar.NewRecord(cedar.RecordMap{
				"organization": cedar.String(r.Actor.OrganizationID),
				"sector":       cedar.String(p.orgs[r.Actor.OrganizationID].sector),
				"roles":        roleSets[r.Actor.Roles&roleMask],
			}),
		},
		resource: cedar.Entity{
			UID: cedar.NewEntityUID(dataType, cedar.String(r.HolderID+"/"+r.ClientID+"/"+string(r.Category))),
			Attributes: cedar.NewRecord(cedar.RecordMap{
				"client":      cedar.String(r.ClientID),
				"holder":      cedar.String(r.HolderID),
				"category":    cedar.String(r.Category),
				"sensitivity": sensSets[r.Sensitivity&allSensitivities],
			}),
		},
	}
	return ents, cedar.Request{
		Principal: ents.principal.UID,
		Action:    readAction,
		Resource:  ents.resource.UID,
		Context: cedar.NewRecord(cedar.RecordMap{
			"purpose":          cedar.String(r.Purpose),
			"crosses_boundary": cedar.Boolean(r.CrossesBoundary()),
			"reason":           cedar.String(reason),
		}),
	}
}
