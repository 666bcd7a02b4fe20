package demo

import (
	"time"

	"github.com/accord-project/accord"
)

// featured are the clients the scenarios walk through. They are built on
// purpose (records, care team, consent) rather than drawn at random, so
// each scenario holds for every seed.
type featured struct {
	// x: Arabic-speaking clinic patient in the medical-legal partnership;
	// consented to legal aid seeing her clinical summary.
	x *person
	// revoke: like x; the scenario revokes this consent (revokeConsent).
	revoke        *person
	revokeConsent string
	// denyClinical: consent permits legal aid but denies clinical data to it.
	denyClinical *person
	// courtOrder: named in the High Court order for immigration status.
	courtOrder *person
	// noOrder: has an immigration status record and no court order.
	noOrder *person
	// hivUnconsented: HIV-labelled summary; consent to legal aid names no label.
	hivUnconsented *person
	// psyConsented: PSY-labelled summary; consent to legal aid names PSY.
	psyConsented *person
	// expiredConsent: the consent to legal aid lapsed.
	expiredConsent *person
	// expiredOrder: named in a lapsed production order to the police.
	expiredOrder *person
	// safeguarding: a child referred to social services under a statutory duty.
	safeguarding *person
	// breakGlass: a clinic patient whose record was opened by break-glass.
	breakGlass   *person
	breakGlassAt time.Time
	// agreementGaps: served by all four service organisations; consented
	// widely; shows expired, suspended and draft agreements refusing.
	agreementGaps *person
}

func (g *gen) featuredClients() {
	f := &g.feat
	yes, no := ptr(true), ptr(false)
	t := func(text string, conf accord.Confidentiality, sens ...accord.Sensitivity) tmpl {
		return tmpl{text: text, conf: conf, sens: sens}
	}

	// X: the medical-legal partnership working as intended.
	p := g.newPerson(spec{lang: langArabic, gender: accord.GenderWoman, minAge: 30, maxAge: 48, home: clinic, homeSet: true,
		served: []orgKey{legalAid, ngo}, interpreter: yes, createdDaysAgo: 300,
		clinician: "j.okafor", advocate: "f.rahimi", ngoWorker: "omar.navigator"})
	g.record(p, clinic, accord.CatClinicalSummary, t("Asthma, moderate persistent; salbutamol and beclometasone inhalers. Three exacerbations since moving into the flat, which has black mould in both bedrooms. No known drug allergies.", confN), p.clinician)
	g.record(p, clinic, accord.CatClinicalNote, t("Seen with her son interpreting at her request. Wheeze worse at night; peak flow 62% of best. Letter supporting rehousing on medical grounds given.", confR), p.clinician)
	g.record(p, clinic, accord.CatScreening, t("Health-harming legal needs screen: positive for housing disrepair and benefits; referred to legal aid with consent.", confN), "amina.navigator")
	g.record(p, legalAid, accord.CatLegalMatter, t("Housing disrepair claim against a private landlord (damp and mould affecting asthma); letter before claim sent, expert survey booked.", confN), p.advocate)
	g.record(p, legalAid, accord.CatLegalPrivilegedNote, t("Landlord's agent has offered to move the family to another flat he owns; advised the client not to accept until the survey is done. Privileged.", confV), p.advocate)
	g.record(p, ngo, accord.CatSocialNeeds, t("Family of five in a two-bedroom flat; children's clothes ruined by mould. Hardship grant paid.", confN), p.ngoWorker)
	g.p.Consents = append(g.p.Consents, *g.consent(p, g.consentStart(p), []accord.Provision{
		g.permitLegalAid(mlpCategories), g.permitClinicNGO(), denyResearch(),
	}))
	g.finish(p)
	f.x = p

	// The client whose consent the revocation scenario withdraws.
	p = g.newPerson(spec{lang: langSpanish, gender: accord.GenderMan, minAge: 35, maxAge: 55, home: clinic, homeSet: true,
		served: []orgKey{legalAid}, interpreter: yes, createdDaysAgo: 210, clinician: "m.garcia", advocate: "d.osei"})
	g.record(p, clinic, accord.CatClinicalSummary, t("Chronic lower back pain after a fall from scaffolding at work; MRI shows a disc prolapse at L4/5. Physiotherapy; unable to lift more than 5 kg.", confN), p.clinician)
	g.record(p, legalAid, accord.CatLegalMatter, t("Appeal against refusal of sickness benefit; tribunal hearing listed in the coming months. Medical evidence needed from the clinic.", confN), p.advocate)
	c := g.consent(p, g.consentStart(p), []accord.Provision{g.permitLegalAid(mlpCategories)})
	g.p.Consents = append(g.p.Consents, *c)
	f.revokeConsent = c.ID
	g.finish(p)
	f.revoke = p

	// Consent to legal aid, but not for clinical data.
	p = g.newPerson(spec{lang: langSomali, gender: accord.GenderWoman, minAge: 40, maxAge: 60, home: clinic, homeSet: true,
		served: []orgKey{legalAid, ngo}, interpreter: yes, createdDaysAgo: 400,
		clinician: "j.okafor", advocate: "f.rahimi", ngoWorker: "h.warsame"})
	g.record(p, clinic, accord.CatClinicalSummary, t("Type 2 diabetes on metformin and gliclazide; HbA1c 71 mmol/mol. Hypertension on amlodipine. Retinal screening due.", confN), p.clinician)
	g.record(p, clinic, accord.CatScreening, t("Social needs screen: positive for food insecurity and difficulty paying for heating; referred to legal aid (benefits) with consent.", confN), "amina.navigator")
	g.record(p, legalAid, accord.CatLegalMatter, t("Benefits: housing element of universal credit stopped in error; mandatory reconsideration requested.", confN), p.advocate)
	g.record(p, ngo, accord.CatSocialNeeds, t("Needs help with heating costs and a school uniform grant for two children.", confN), p.ngoWorker)
	g.p.Consents = append(g.p.Consents, *g.consent(p, g.consentStart(p), []accord.Provision{
		g.permitLegalAid(legalAidNoClinic), g.permitClinicNGO(), g.denyClinicalToLegalAid(),
	}))
	g.finish(p)
	f.denyClinical = p

	// Named in the High Court order (see legalBases).
	p = g.newPerson(spec{lang: langDari, gender: accord.GenderWoman, minAge: 26, maxAge: 40, home: ngo, homeSet: true,
		served: []orgKey{legalAid, clinic}, interpreter: yes, createdDaysAgo: 260,
		clinician: "s.bennett", advocate: "f.rahimi", ngoWorker: "omar.navigator"})
	g.record(p, legalAid, accord.CatImmigrationStatus, tmpl{text: "Asylum claim pending; substantive interview scheduled for {date}.", conf: confR}, p.advocate)
	g.record(p, legalAid, accord.CatLegalMatter, t("Asylum claim (with two dependent children): statement prepared with a Dari interpreter; family proceedings running in parallel.", confR), p.advocate)
	g.record(p, clinic, accord.CatClinicalSummary, t("Iron-deficiency anaemia on ferrous fumarate. Both children up to date with immunisations.", confN), p.clinician)
	g.record(p, ngo, accord.CatSocialNeeds, t("Asylum support accommodation, shared house; needs a cot and a school place for the elder child.", confN), p.ngoWorker)
	g.p.Consents = append(g.p.Consents, *g.consent(p, g.consentStart(p), []accord.Provision{
		g.permitClinicNGO(), g.permitLegalAid(mlpCategories),
	}))
	g.finish(p)
	f.courtOrder = p

	// Immigration status on file at Welcome House, no court order.
	p = g.newPerson(spec{lang: langTigrinya, gender: accord.GenderMan, minAge: 20, maxAge: 32, home: ngo, homeSet: true,
		served: []orgKey{}, interpreter: yes, createdDaysAgo: 150, ngoWorker: "s.tesfay"})
	g.record(p, ngo, accord.CatImmigrationStatus, tmpl{text: "Asylum claim lodged in {past}; awaiting screening interview.", conf: confR}, p.ngoWorker)
	g.record(p, ngo, accord.CatSocialNeeds, t("Street homeless for two weeks before arrival at Welcome House; now in a night shelter. Needs a GP registration.", confN), p.ngoWorker)
	g.p.Consents = append(g.p.Consents, *g.consent(p, g.consentStart(p), []accord.Provision{
		g.permitClinicNGO(), denyEnforcement(),
	}))
	g.finish(p)
	f.noOrder = p

	// HIV-labelled summary; the consent to legal aid does not name HIV.
	p = g.newPerson(spec{lang: langFrench, gender: accord.GenderMan, minAge: 30, maxAge: 50, home: clinic, homeSet: true,
		served: []orgKey{legalAid}, interpreter: no, createdDaysAgo: 500, clinician: "j.okafor", advocate: "d.osei"})
	g.record(p, clinic, accord.CatClinicalSummary, tmpl{text: "HIV on antiretroviral therapy (bictegravir/emtricitabine/tenofovir alafenamide); viral load undetectable, CD4 540. HIV clinic every six months.", conf: confV, sens: hiv}, p.clinician)
	g.record(p, legalAid, accord.CatLegalMatter, t("Charged for hospital treatment in error; challenge to the charging decision and request for refund.", confR), p.advocate)
	g.p.Consents = append(g.p.Consents, *g.consent(p, g.consentStart(p), []accord.Provision{g.permitLegalAid(mlpCategories)}))
	g.finish(p)
	f.hivUnconsented = p

	// PSY-labelled summary; the consent to legal aid names PSY, for medical
	// evidence in an asylum appeal.
	p = g.newPerson(spec{lang: langPashto, gender: accord.GenderMan, minAge: 22, maxAge: 35, home: clinic, homeSet: true,
		served: []orgKey{legalAid}, interpreter: yes, createdDaysAgo: 330, clinician: "s.bennett", advocate: "f.rahimi"})
	g.record(p, clinic, accord.CatClinicalSummary, tmpl{text: "Post-traumatic stress disorder after detention and ill-treatment; sertraline 100 mg; weekly trauma-focused therapy. Scars on the back and forearms documented.", conf: confR, sens: psy}, p.clinician)
	g.record(p, legalAid, accord.CatLegalMatter, t("Asylum appeal: hearing listed; medical evidence of torture and its effects requested from the clinic.", confR), p.advocate)
	g.p.Consents = append(g.p.Consents, *g.consent(p, g.consentStart(p), []accord.Provision{
		g.permitLegalAid(mlpCategories, accord.SensPSY), denyResearch(),
	}))
	g.finish(p)
	f.psyConsented = p

	// The consent lapsed forty days ago.
	p = g.newPerson(spec{lang: langEnglish, gender: accord.GenderWoman, minAge: 68, maxAge: 80, home: clinic, homeSet: true,
		served: []orgKey{legalAid}, interpreter: no, createdDaysAgo: 420, clinician: "s.bennett", advocate: "h.morgan"})
	g.record(p, clinic, accord.CatClinicalSummary, t("COPD (ex-smoker) on tiotropium; two admissions last winter. Walks with a frame.", confN), p.clinician)
	g.record(p, legalAid, accord.CatLegalMatter, t("Housing disrepair: no heating for six weeks last winter; claim settled, repairs completed.", confN), p.advocate)
	end := g.today.AddDate(0, 0, -40).Add(17 * time.Hour)
	c = g.consent(p, end.AddDate(-1, 0, 0), []accord.Provision{g.permitLegalAid(mlpCategories)})
	c.End = ptr(end)
	g.p.Consents = append(g.p.Consents, *c)
	g.finish(p)
	f.expiredConsent = p

	// Named in the lapsed production order to the police.
	p = g.newPerson(spec{lang: langEnglish, gender: accord.GenderWoman, minAge: 20, maxAge: 45, home: clinic, homeSet: true,
		served: []orgKey{}, interpreter: no, createdDaysAgo: 700, clinician: "j.okafor"})
	g.record(p, clinic, accord.CatClinicalSummary, t("Fractured left wrist and facial bruising after an assault by a stranger; fracture clinic follow-up completed. Otherwise well.", confR), p.clinician)
	g.p.Consents = append(g.p.Consents, *g.consent(p, g.consentStart(p), []accord.Provision{g.permitClinicNGO()}))
	g.finish(p)
	f.expiredOrder = p

	// A child referred to social services under a statutory duty. Her
	// mother's consent covers the clinic and Welcome House only.
	p = g.newPerson(spec{lang: langUkrainian, gender: accord.GenderWoman, minAge: 8, maxAge: 12, home: clinic, homeSet: true,
		served: []orgKey{}, interpreter: yes, createdDaysAgo: 240, clinician: "s.bennett"})
	g.record(p, clinic, accord.CatClinicalSummary, t("Well-child review: weight below the 2nd centile, falling from the 25th. Catch-up immunisations given.", confN), p.clinician)
	g.record(p, clinic, accord.CatScreening, t("Safeguarding screen at the immunisation visit: not registered with a school, unexplained bruises on both upper arms; safeguarding lead informed.", confR), p.clinician)
	c = g.consent(p, g.consentStart(p), []accord.Provision{g.permitClinicNGO()})
	c.Guardian = &accord.Guardian{Name: pick(g.r, names[langUkrainian].women) + " " + p.c.FamilyName, Relationship: "mother"}
	g.p.Consents = append(g.p.Consents, *c)
	g.finish(p)
	f.safeguarding = p

	// The break-glass patient: his own GP is Dr Okafor; Dr García opened
	// his record in an emergency nine days ago.
	p = g.newPerson(spec{lang: langEnglish, gender: accord.GenderMan, minAge: 45, maxAge: 62, home: clinic, homeSet: true,
		served: []orgKey{}, interpreter: no, createdDaysAgo: 900, clinician: "j.okafor"})
	g.record(p, clinic, accord.CatClinicalSummary, t("Type 2 diabetes on insulin glargine and gliclazide; recurrent hypoglycaemia. Allergic to co-trimoxazole.", confN), p.clinician)
	f.breakGlassAt = g.workTime(9)
	note := g.record(p, clinic, accord.CatClinicalNote, t("Collapsed in the waiting room; capillary glucose 2.1 mmol/L. Glucagon given, recovered; ambulance declined. Gliclazide dose to be reviewed by his GP.", confR), "m.garcia")
	note.RecordedAt = f.breakGlassAt.Add(50 * time.Minute)
	g.p.Consents = append(g.p.Consents, *g.consent(p, g.consentStart(p), []accord.Provision{g.permitClinicNGO()}))
	g.finish(p)
	f.breakGlass = p

	// Served by all four; consented to social care, care coordination and
	// legal aid. Only the clinic-Welcome House agreement is in force among
	// the ones his data would need.
	p = g.newPerson(spec{lang: langArabic, gender: accord.GenderMan, minAge: 35, maxAge: 55, home: social, homeSet: true,
		served: []orgKey{clinic, ngo, legalAid}, interpreter: no, createdDaysAgo: 380,
		clinician: "m.garcia", advocate: "d.osei", ngoWorker: "omar.navigator", socialWorker: "c.walsh"})
	g.record(p, clinic, accord.CatScreening, t("Social needs screen: positive for housing instability and social isolation; negative for interpersonal safety.", confN), "amina.navigator")
	g.record(p, clinic, accord.CatClinicalSummary, t("Hypertension on ramipril; knee pain after an old injury. Not yet registered with a dentist.", confN), p.clinician)
	g.record(p, ngo, accord.CatSocialNeeds, t("Separated from his family in transit; isolated. Joined the men's football group and ESOL classes.", confN), p.ngoWorker)
	g.record(p, social, accord.CatSocialNeeds, t("Adult social care needs assessment: eligible for a personal budget for support with daily living after knee surgery.", confN), p.socialWorker)
	g.record(p, legalAid, accord.CatLegalMatter, t("Refugee family reunion application for his wife and three children.", confR), p.advocate)
	g.p.Consents = append(g.p.Consents, *g.consent(p, g.consentStart(p), []accord.Provision{
		permitSocialCare(), g.permitClinicNGO(), g.permitLegalAid(legalAidNoClinic),
	}))
	g.finish(p)
	f.agreementGaps = p
}
