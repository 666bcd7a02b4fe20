package demo

import (
	"math/rand/v2"
	"slices"

	"github.com/accord-project/accord"
)

// tmpl is the text of a record with its labels. Placeholders: {lang} the
// client's language, {date} a date in the coming months, {past} a past month,
// {expiry} a month a year or more ahead, {year} a recent year.
type tmpl struct {
	text  string
	conf  accord.Confidentiality
	sens  []accord.Sensitivity
	group ageGroup
	// interp: only for clients who need an interpreter; migrant: only for
	// clients whose preferred language is not English; langs: only for
	// clients preferring one of these.
	interp  bool
	migrant bool
	langs   []string
}

type ageGroup uint8

const (
	anyAge ageGroup = iota
	childOnly
	adultOnly
	olderOnly
)

// fits reports whether the template suits the client.
func (t *tmpl) fits(p *person) bool {
	minor := p.ageKnown && p.age < 18
	switch {
	case t.group == childOnly && !minor,
		t.group == adultOnly && minor,
		t.group == olderOnly && p.age < 65,
		t.interp && !p.c.InterpreterNeeded,
		t.migrant && p.lang == langEnglish,
		len(t.langs) > 0 && !slices.Contains(t.langs, p.lang):
		return false
	}
	return true
}

// choose picks a template that suits the client. Every pool has templates
// without conditions for every age group, so there is always one.
func choose(r *rand.Rand, pool []tmpl, p *person) tmpl {
	fits := make([]tmpl, 0, len(pool))
	for _, t := range pool {
		if t.fits(p) {
			fits = append(fits, t)
		}
	}
	return pick(r, fits)
}

const (
	confN = accord.ConfNormal
	confR = accord.ConfRestricted
	confV = accord.ConfVeryRestricted
)

var (
	psy = []accord.Sensitivity{accord.SensPSY}
	hiv = []accord.Sensitivity{accord.SensHIV}
	sdv = []accord.Sensitivity{accord.SensSDV}
)

var adultSummaries = []tmpl{
	{text: "Type 2 diabetes on metformin 1 g twice daily; HbA1c 58 mmol/mol, improving. Hypertension on amlodipine 5 mg. No known drug allergies.", conf: confN},
	{text: "Asthma, moderate persistent; salbutamol and beclometasone inhalers. Two exacerbations this winter, both linked to damp and mould in the flat.", conf: confN},
	{text: "Chronic lower back pain after a workplace injury; physiotherapy referral made. Paracetamol and naproxen as needed.", conf: confN},
	{text: "Latent TB found on new-entrant screening; completed three months of rifampicin and isoniazid. Chest X-ray clear.", conf: confN, migrant: true},
	{text: "Chronic hepatitis B, inactive carrier; liver function and viral load checked yearly. Household contacts vaccinated.", conf: confR},
	{text: "Hypothyroidism on levothyroxine 75 micrograms, stable. Vitamin D deficiency, on replacement.", conf: confN},
	{text: "Iron-deficiency anaemia (Hb 98 g/L) on ferrous fumarate; dietary advice given with a {lang} interpreter.", conf: confN, interp: true},
	{text: "Healed fracture of the left forearm, sustained in transit; reduced grip strength. Hand therapy referral.", conf: confN, migrant: true},
	{text: "Hypertension, newly diagnosed (home readings average 156/96); started ramipril. Smokes ten a day and wants to stop.", conf: confN},
	{text: "Dental abscess treated with amoxicillin; referred to the community dental service. Otherwise well.", conf: confN},
	{text: "Scabies treated with permethrin, whole household. Eczema, on emollients.", conf: confN},
	{text: "Migraine without aura, three to four a month; sumatriptan as needed and a headache diary.", conf: confN},
}

var pregnancySummaries = []tmpl{
	{text: "Pregnant, about 20 weeks, booked with the community midwife. Glucose tolerance test due. Folic acid and vitamin D.", conf: confR},
	{text: "Pregnant, about 28 weeks; anaemia on iron. Maternity charging letter received: referred to legal aid.", conf: confR},
}

var olderSummaries = []tmpl{
	{text: "COPD (ex-smoker) on tiotropium; home oxygen assessment pending. Walks with a frame.", conf: confN},
	{text: "Osteoarthritis of both knees, awaiting orthopaedic opinion. Penicillin allergy (rash).", conf: confN},
	{text: "Heart failure with reduced ejection fraction on bisoprolol, ramipril and furosemide; weighs daily.", conf: confN},
	{text: "Early dementia (MoCA 19/30); daughter helps with medicines; memory clinic follow-up booked.", conf: confR},
	{text: "Type 2 diabetes with peripheral neuropathy; annual foot check: high risk. Cataract in the left eye, listed for surgery.", conf: confN},
}

var childSummaries = []tmpl{
	{text: "Well-child review: growth on the 25th centile, development normal. Catch-up immunisations started (MMR, DTaP/IPV).", conf: confN},
	{text: "Recurrent ear infections; audiology referral. Immunisations incomplete, catch-up in progress.", conf: confN},
	{text: "Mild asthma; salbutamol inhaler with spacer; school has a care plan.", conf: confN},
	{text: "Iron-deficiency anaemia; iron supplement and dietary advice; weight gain on track.", conf: confN},
}

var childSensitiveSummaries = []tmpl{
	{text: "Unaccompanied minor with symptoms of PTSD (CRIES-8 score 28); referred to the child and adolescent mental health service.", conf: confR, sens: psy, migrant: true},
}

var sensitiveSummaries = []tmpl{
	{text: "Post-traumatic stress disorder after detention and ill-treatment; sertraline 100 mg; weekly trauma-focused therapy. Nightmares improving.", conf: confR, sens: psy},
	{text: "Moderate depression (PHQ-9 16) with poor sleep; started mirtazapine; referred to the community mental health team.", conf: confR, sens: psy},
	{text: "Anxiety with panic attacks since arrival; CBT started in {lang} with an interpreter.", conf: confR, sens: psy, interp: true},
	{text: "HIV on antiretroviral therapy (bictegravir/emtricitabine/tenofovir alafenamide); viral load undetectable, CD4 612. HIV clinic every six months.", conf: confV, sens: hiv},
	{text: "Disclosed domestic abuse by a former partner; injuries documented with consent; safety plan made; referred to an independent domestic violence adviser.", conf: confV, sens: sdv},
	{text: "Survivor of sexual violence in transit; now engaged with specialist counselling. Sleep and appetite improving.", conf: confV, sens: []accord.Sensitivity{accord.SensSDV, accord.SensPSY}, migrant: true},
	{text: "Alcohol dependence, in contact with the community alcohol team; thiamine. Liver function mildly raised.", conf: confR, sens: []accord.Sensitivity{accord.SensETH}},
}

var clinicalNotes = []tmpl{
	{text: "Seen with a {lang} interpreter. Headaches worse over two weeks; BP 152/94. Plan: increase amlodipine, recheck in two weeks.", conf: confR, group: adultOnly, interp: true},
	{text: "Telephone review. Inhaler technique checked; mould in the bedroom is worse. Letter supporting rehousing given to the client.", conf: confR},
	{text: "Medication review: stopped a duplicate painkiller; weekly blister packs arranged with the pharmacy.", conf: confR, group: adultOnly},
	{text: "Came with a relative who offered to interpret; explained we use professional interpreters and booked one for next time.", conf: confR, interp: true},
	{text: "Wound check: healing well. Tetanus booster given.", conf: confN},
	{text: "Missed two appointments; text reminders in {lang} set up.", conf: confN},
	{text: "Reports not sleeping and thinking about family left behind. No thoughts of self-harm. Safety-netting advice given; review in one week.", conf: confR, sens: psy, group: adultOnly},
	{text: "Seen with mother. Cough for three weeks, no fever, chest clear. Reassured; return if worse.", conf: confN, group: childOnly},
}

var legalMatters = []tmpl{
	{text: "Housing disrepair claim against a private landlord (damp and mould affecting asthma); letter before claim sent.", conf: confN, group: adultOnly},
	{text: "Appeal against refusal of disability benefit; tribunal hearing listed for {date}.", conf: confN, group: adultOnly},
	{text: "Possession claim by the landlord; defence filed, hearing on {date}.", conf: confN, group: adultOnly},
	{text: "Unpaid wages from a car-wash employer; early conciliation started.", conf: confN, group: adultOnly},
	{text: "Family reunion application for spouse and two children; documents being translated from {lang}.", conf: confR, group: adultOnly, migrant: true},
	{text: "Charged for hospital maternity care in error; challenge to the charging decision.", conf: confR, group: adultOnly, migrant: true},
	{text: "Council tax arrears and enforcement agent letters; payment plan agreed and enforcement paused.", conf: confN, group: adultOnly},
	{text: "Asylum appeal: First-tier Tribunal hearing listed for {date}; medical evidence requested from the clinic.", conf: confR, group: adultOnly, migrant: true},
	{text: "Homelessness application: review of the council's decision that the client is intentionally homeless.", conf: confN, group: adultOnly},
	{text: "Age assessment disputed by the local authority; pre-action letter for judicial review sent.", conf: confR, group: childOnly, migrant: true},
	{text: "School admission appeal for a place at the nearest secondary school.", conf: confN, group: childOnly},
	{text: "Unaccompanied child's asylum claim: statement taken with a {lang} interpreter and an appropriate adult.", conf: confR, group: childOnly, interp: true},
}

var privilegedNotes = []tmpl{
	{text: "Advice given on the prospects of appeal (about 60%). Client instructs us to proceed; counsel's opinion awaited.", conf: confV},
	{text: "Full account taken; differences from the screening interview discussed and explained. Privileged: not to be disclosed.", conf: confV},
	{text: "Advised on the risks of withdrawing the claim; client will think it over and call back.", conf: confV},
	{text: "Draft witness statement reviewed with the client; two corrections made.", conf: confV},
	{text: "Landlord's settlement offer discussed; advised to reject it as well below the likely award.", conf: confV},
}

// immigrationStatuses are synthetic; no real scheme's rules are implied.
var immigrationStatuses = []tmpl{
	{text: "Asylum claim pending; substantive interview scheduled for {date}.", conf: confR, group: adultOnly, migrant: true},
	{text: "Asylum claim lodged in {past}; awaiting screening interview.", conf: confR, group: adultOnly, migrant: true},
	{text: "Refugee status granted in {past}; residence permit valid for five years.", conf: confR, migrant: true},
	{text: "Temporary protection visa (Ukraine) valid until {expiry}; extension application planned.", conf: confR, langs: []string{langUkrainian}},
	{text: "Appeal rights exhausted; fresh claim being prepared with legal aid.", conf: confV, group: adultOnly, migrant: true},
	{text: "Leave to remain as the partner of a settled person; renewal due {expiry}.", conf: confR, group: adultOnly},
	{text: "Settled status granted; no conditions.", conf: confN},
	{text: "Student visa lapsed; options to regularise stay being explored.", conf: confV, group: adultOnly},
	{text: "Humanitarian protection granted; family reunion application in progress.", conf: confR, group: adultOnly, migrant: true},
	{text: "Unaccompanied asylum-seeking child; claim lodged, age accepted by the local authority.", conf: confR, group: childOnly, migrant: true},
}

var socialNeeds = []tmpl{
	{text: "Temporary accommodation: family of four in one room; food bank vouchers issued.", conf: confN},
	{text: "No recourse to public funds; destitution support from the Welcome House hardship fund.", conf: confR, group: adultOnly, migrant: true},
	{text: "Socially isolated; joined the women's group and English (ESOL) classes.", conf: confN, group: adultOnly},
	{text: "Needs school places for two children; applications supported.", conf: confN, group: adultOnly},
	{text: "Fuel poverty; energy grant application submitted and prepayment meter topped up.", conf: confN},
	{text: "Needs transport to hospital appointments; bus pass applied for.", conf: confN},
	{text: "Sofa-surfing with friends; on the council housing register, band C.", conf: confN, group: adultOnly},
	{text: "Universal credit claim started; advance payment requested.", conf: confN, group: adultOnly},
	{text: "Needs warm clothing and a pram; referred to the baby bank.", conf: confN, group: adultOnly},
	{text: "Caring for a disabled husband; carer's assessment requested.", conf: confN, group: adultOnly},
	{text: "Lives alone on the third floor without a lift; home care assessment requested.", conf: confN, group: olderOnly},
	{text: "Not in school since arrival; school place and uniform grant requested.", conf: confN, group: childOnly, migrant: true},
}

var screenings = []tmpl{
	{text: "Social needs screen: positive for housing instability and food insecurity; negative for interpersonal safety.", conf: confN},
	{text: "Health-harming legal needs screen: positive for housing disrepair and benefits; referred to legal aid with consent.", conf: confN, group: adultOnly},
	{text: "Refugee Health Screener (RHS-15): score 14, above the distress threshold; follow-up offered.", conf: confR, group: adultOnly, migrant: true},
	{text: "PHQ-2 negative; GAD-2 score 4, follow-up offered.", conf: confR, group: adultOnly},
	{text: "Social needs screen negative; client declined further support for now.", conf: confN},
	{text: "Financial strain screen: runs out of money for food most months.", conf: confN, group: adultOnly},
	{text: "Digital access screen: no mobile data; SIM card with credit given.", conf: confN},
	{text: "School readiness check: not yet registered with a school; speech and language review suggested.", conf: confN, group: childOnly},
}

var demographicNotes = []tmpl{
	{text: "Arrived in {year}; lives with spouse and three children. Reads and writes {lang}; some spoken English.", conf: confN, group: adultOnly, migrant: true},
	{text: "Household of one; no relatives in the country.", conf: confN, group: adultOnly},
	{text: "Lives with a sister's family; finished secondary school before leaving home.", conf: confN},
	{text: "Former teacher; qualifications not yet recognised here.", conf: confN, group: adultOnly, migrant: true},
	{text: "Works night shifts in a warehouse; available after 2 pm.", conf: confN, group: adultOnly},
	{text: "Lives with mother and two younger siblings; arrived in {year}.", conf: confN, group: childOnly, migrant: true},
}

var contactNotes = []tmpl{
	{text: "Prefers text messages in {lang}; do not leave voicemails (shared phone).", conf: confN},
	{text: "No fixed address: contact through the Welcome House drop-in on Tuesdays.", conf: confN},
	{text: "Safe contact only: do not write to the home address; do not call after 6 pm.", conf: confR},
	{text: "E-mail preferred; phone credit often runs out.", conf: confN},
	{text: "Contact through a daughter's phone, with the client's agreement.", conf: confN},
}

var recordNotes = []string{
	"Client asked that family members not be told about appointments.",
	"Prefers a female interpreter.",
	"Documents seen and copied: appointment letter.",
	"Client was tired and upset; keep appointments short.",
	"Agreed to follow-up by text only.",
	"Interpreter booked for the next appointment.",
}
