# The Accord decision rules (package policy) written in Rego, for
# BenchmarkDecision and TestBenchImplementationsAgree. The query is
# data.accord.decision; it returns the whole decision.
#
# data.accord (built in bench_test.go):
#   orgs[id]    = {"sector"}
#   pairs[key]  = [agreement …]; key is the two org ids, sorted, joined by "|";
#                 every version (any status), ordered by id, newest version first
#   clients[id] = {"consents": [consent …], "bases": [basis …], "team": {staff: true}}
# Sets are objects {member: true}; times are Unix seconds, an open end a very
# large or very small number; a basis's purposes have its kind's default
# applied.
#
# input: {"staff", "org", "sector", "roles": {role: true}, "client", "holder",
#         "category", "purpose", "sensitivity": [label …], "time"}
package accord

import rego.v1

categories := {"demographics", "contact", "clinical_summary", "clinical_note", "legal_matter",
	"legal_privileged_note", "immigration_status", "social_needs", "screening"}

purposes := {"TREAT", "ETREAT", "COC", "PUBHLTH", "HRESCH", "PATRQT", "HLEGAL", "LEGALAID", "SOCIALCARE", "OVERSIGHT"}

sensitivities := {"HIV", "PSY", "ETH", "SDV", "SEX", "STD"}

firewalled := {"immigration_status", "clinical_summary", "clinical_note", "legal_matter", "legal_privileged_note"}

clinical := {"clinical_summary", "clinical_note"}

care_team_categories := {"clinical_summary", "clinical_note", "legal_matter", "legal_privileged_note", "immigration_status"}

enforcement := {"immigration_authority", "law_enforcement"}

role_categories := {
	"navigator": {"demographics", "contact", "screening", "social_needs"},
	"clinician": {"demographics", "contact", "screening", "social_needs", "clinical_summary", "clinical_note"},
	"legal_advocate": {"demographics", "contact", "screening", "social_needs", "legal_matter", "legal_privileged_note", "immigration_status"},
	"social_worker": {"demographics", "contact", "screening", "social_needs"},
	"interpreter": {"demographics", "contact"},
	"supervisor": {"demographics", "contact", "screening", "social_needs"},
	"caseworker": {"demographics", "contact", "immigration_status"},
}

no_client := {"consents": [], "bases": [], "team": {}}

client := object.get(data.accord.clients, input.client, no_client)

actor_org := data.accord.orgs[input.org]

deny(reason) := {"effect": "deny", "reason": reason, "obligations": 1, "provision": -1}

permit(reason, obligations) := {"effect": "permit", "reason": reason, "obligations": obligations, "provision": -1}

with_basis(reason, obligations, id) := object.union(permit(reason, obligations), {"basis": id})

# ---- rule 1 -----------------------------------------------------------------

valid if {
	categories[input.category]
	purposes[input.purpose]
	input.client != ""
	input.staff != ""
	every s in input.sensitivity {
		sensitivities[s]
	}
	actor_org
	not sector_mismatch
}

sector_mismatch if {
	input.sector != ""
	input.sector != actor_org.sector
}

decision := deny("default_deny") if {
	not valid
} else := d if {
	input.org == input.holder
	d := within
} else := d if {
	d := across
}

# ---- within the holder --------------------------------------------------------

role_grants if {
	some role, _ in input.roles
	role_categories[role][input.category]
}

within_by_role := deny("privileged") if {
	input.category == "legal_privileged_note"
	not input.roles.legal_advocate
} else := deny("role_not_permitted") if {
	not role_grants
} else := permit("same_org_role", 1) if {
	not care_team_categories[input.category]
} else := permit("same_org_care_team", 1) if {
	client.team[input.staff]
} else := deny("not_on_care_team")

within := d if {
	within_by_role.effect == "deny"
	d := break_glass
} else := deny("break_glass_required") if {
	within_by_role.effect == "deny"
	input.purpose == "ETREAT"
	input.roles.clinician
	clinical[input.category]
} else := within_by_role

# ---- legal bases --------------------------------------------------------------

binds_holder(b) if b.holder == ""

binds_holder(b) if b.holder == input.holder

names(b) if {
	b.categories[input.category]
	b.recipient == input.org
	binds_holder(b)
	b.purposes[input.purpose]
	b.from <= input.time
	input.time < b.until
}

emergency(b) if {
	b.kind == "emergency"
	input.roles.clinician
	clinical[input.category]
	b.staff == input.staff
	names(b)
}

break_glass := with_basis("break_glass", 7, ids[0]) if {
	input.purpose == "ETREAT"
	ids := [b.id | some b in client.bases; emergency(b)]
	count(ids) > 0
}

basis_reason := {"court_order": "court_order", "statutory_duty": "statutory_duty"}

# ---- across organisations -------------------------------------------------------

across := deny("default_deny") if {
	not data.accord.orgs[input.holder]
} else := deny("privileged") if {
	input.category == "legal_privileged_note"
} else := d if {
	enforcement[actor_org.sector]
	firewalled[input.category]
	d := firewall
} else := with_basis(basis_reason[hits[0].kind], 3, hits[0].id) if {
	hits := [b | some b in client.bases; basis_reason[b.kind]; names(b)]
	count(hits) > 0
} else := d if {
	input.purpose == "ETREAT"
	d := etreat
} else := agreement_and_consent

firewall := with_basis("court_order", 7, ids[0]) if {
	ids := [b.id | some b in client.bases; b.kind == "court_order"; names(b)]
	count(ids) > 0
} else := deny("firewall")

etreat := break_glass if {
	break_glass
} else := deny("break_glass_required")

# ---- agreement and consent ---------------------------------------------------------

pair := concat("|", sort([input.org, input.holder]))

covers(a) if {
	a.status == "active"
	a.from <= input.time
	input.time < a.until
	a.parties[input.org]
	a.parties[input.holder]
	a.purposes[input.purpose]
	a.categories[input.category]
	some role, _ in input.roles
	a.roles[role]
}

covering := [a | some a in object.get(data.accord.pairs, pair, []); covers(a)]

usable := [a | some a in covering; not a.prohibited[input.org]]

agreement_and_consent := object.union(deny("prohibited_recipient"), {"agreement": covering[0].id, "version": covering[0].version}) if {
	count(usable) == 0
	count(covering) > 0
} else := deny("no_agreement") if {
	count(usable) == 0
} else := consent_decision

in_force(c) if {
	c.status == "active"
	c.start <= input.time
	input.time < c.end
}

period(p) if {
	p.start <= input.time
	input.time < p.end
}

denies(p) if {
	p.type == "deny"
	period(p)
	deny_recipient(p)
	deny_purpose(p)
	deny_category(p)
}

deny_recipient(p) if {
	count(p.organizations) == 0
	count(p.sectors) == 0
}

deny_recipient(p) if p.organizations[input.org]

deny_recipient(p) if p.sectors[actor_org.sector]

deny_purpose(p) if count(p.purposes) == 0

deny_purpose(p) if p.purposes[input.purpose]

deny_category(p) if count(p.categories) == 0

deny_category(p) if p.categories[input.category]

permits(p) if {
	p.type == "permit"
	period(p)
	permit_recipient(p)
	p.purposes[input.purpose]
	p.categories[input.category]
}

permit_recipient(p) if p.organizations[input.org]

permit_recipient(p) if p.sectors[actor_org.sector]

sensitivity_covered(p) if {
	every s in input.sensitivity {
		p.sensitivity[s]
	}
}

consent_denials := [[c.id, i] | some c in client.consents; in_force(c); some i, p in c.provisions; denies(p)]

consent_permits := [[c.id, i] | some c in client.consents; in_force(c); some i, p in c.provisions; permits(p); sensitivity_covered(p)]

consent_shortfalls := [[c.id, i] | some c in client.consents; in_force(c); some i, p in c.provisions; permits(p); not sensitivity_covered(p)]

consent_decision := object.union(deny("consent_denies"), {"consent": consent_denials[0][0], "provision": consent_denials[0][1]}) if {
	count(consent_denials) > 0
} else := {
	"effect": "permit", "reason": "agreement_and_consent", "obligations": 1,
	"agreement": usable[0].id, "version": usable[0].version,
	"consent": consent_permits[0][0], "provision": consent_permits[0][1],
} if {
	count(consent_permits) > 0
} else := object.union(deny("sensitivity_not_consented"), {"consent": consent_shortfalls[0][0], "provision": consent_shortfalls[0][1]}) if {
	count(consent_shortfalls) > 0
} else := deny("no_consent")
