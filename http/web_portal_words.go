package http

import (
	"strings"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// The portal's plain words: what the vocabulary codes mean, said to a
// client (reading age about 12), and the sentences built from them.

// portalCategoryWords name each kind of information as "your …".
var portalCategoryWords = map[accord.Category]i18n.Msg{
	accord.CatDemographics:        i18n.M("your name and basic details"),
	accord.CatContact:             i18n.M("how to contact you"),
	accord.CatClinicalSummary:     i18n.M("your health summary"),
	accord.CatClinicalNote:        i18n.M("notes from your health visits"),
	accord.CatLegalMatter:         i18n.M("your legal case"),
	accord.CatLegalPrivilegedNote: i18n.M("private notes from your lawyer"),
	accord.CatImmigrationStatus:   i18n.M("your immigration status"),
	accord.CatSocialNeeds:         i18n.M("your housing, money and family needs"),
	accord.CatScreening:           i18n.M("your answers to a needs check"),
}

// portalPurposeWords say each purpose as what it is for ("to …").
var portalPurposeWords = map[accord.Purpose]i18n.Msg{
	accord.PurposeTreatment:          i18n.M("give you health care"),
	accord.PurposeEmergencyTreatment: i18n.M("treat you in an emergency"),
	accord.PurposeCoordination:       i18n.M("plan your care and support together"),
	accord.PurposePublicHealth:       i18n.M("protect public health"),
	accord.PurposeResearch:           i18n.M("do research"),
	accord.PurposePatientRequest:     i18n.M("do something you asked for"),
	accord.PurposeLegal:              i18n.M("follow a court order or the law"),
	accord.PurposeLegalAid:           i18n.M("help with your legal case"),
	accord.PurposeSocialCare:         i18n.M("give you social support"),
	accord.PurposeOversight:          i18n.M("check that the rules are followed"),
}

// portalSectorWords name a whole kind of organisation.
var portalSectorWords = map[accord.Sector]i18n.Msg{
	accord.SectorHealth:               i18n.M("health services"),
	accord.SectorLegal:                i18n.M("legal services"),
	accord.SectorSocial:               i18n.M("social services"),
	accord.SectorCivilSociety:         i18n.M("community groups"),
	accord.SectorImmigrationAuthority: i18n.M("the immigration authority"),
	accord.SectorLawEnforcement:       i18n.M("the police"),
	accord.SectorOversight:            i18n.M("the independent checker"),
}

// portalSensitivityWords name information that needs its own consent.
var portalSensitivityWords = map[accord.Sensitivity]i18n.Msg{
	accord.SensHIV: i18n.M("HIV"),
	accord.SensPSY: i18n.M("mental health"),
	accord.SensETH: i18n.M("alcohol or drug use"),
	accord.SensSDV: i18n.M("sexual or domestic violence"),
	accord.SensSEX: i18n.M("sexual and reproductive health"),
	accord.SensSTD: i18n.M("sexually transmitted infections"),
}

// portalReferralWords say where a referral is.
var portalReferralWords = map[accord.ReferralStatus]i18n.Msg{
	accord.ReferralSent:       i18n.M("Sent. Waiting for an answer."),
	accord.ReferralReceived:   i18n.M("They have seen it. Waiting for an answer."),
	accord.ReferralAccepted:   i18n.M("Accepted. They will help you."),
	accord.ReferralDeclined:   i18n.M("They said no."),
	accord.ReferralInProgress: i18n.M("They are working on it."),
	accord.ReferralCompleted:  i18n.M("Finished."),
	accord.ReferralCancelled:  i18n.M("Cancelled."),
}

func wordOr[K comparable](p *i18n.Printer, m map[K]i18n.Msg, k K, fallback string) string {
	if msg, ok := m[k]; ok {
		return p.Render(msg)
	}
	return fallback
}

// join lists words with the language's separator.
func join(p *i18n.Printer, parts []string) string { return strings.Join(parts, p.Sprintf(", ")) }

func categoryWords(p *i18n.Printer, cs []accord.Category) string {
	var out []string
	for _, c := range cs {
		out = append(out, wordOr(p, portalCategoryWords, c, string(c)))
	}
	return join(p, out)
}

func purposeWords(p *i18n.Printer, ps []accord.Purpose) string {
	var out []string
	for _, x := range ps {
		out = append(out, wordOr(p, portalPurposeWords, x, string(x)))
	}
	return join(p, out)
}

// consentSentences says what one consent allows and forbids, one sentence
// per provision: "The Legal Aid Society can see your health summary to
// help with your legal case."
func consentSentences(p *i18n.Printer, pc *enforce.PortalConsent) []string {
	var out []string
	for i := range pc.Provisions {
		out = append(out, provisionSentence(p, pc, &pc.Provisions[i]))
	}
	return out
}

// provisionSentence says what one provision of a consent allows or forbids.
func provisionSentence(p *i18n.Printer, pc *enforce.PortalConsent, pr *accord.Provision) string {
	var who []string
	for _, o := range pr.Organizations {
		who = append(who, pc.Names[o])
	}
	for _, sc := range pr.Sectors {
		who = append(who, wordOr(p, portalSectorWords, sc, string(sc)))
	}
	what := categoryWords(p, pr.Categories)
	if what == "" {
		what = p.Sprintf("any of your information")
	}
	why := purposeWords(p, pr.Purposes)
	var s string
	switch {
	case pr.Type == accord.ProvisionPermit:
		s = p.Sprintf("%[1]s can see %[2]s to %[3]s.", join(p, who), what, why)
	case len(who) > 0 && why != "":
		s = p.Sprintf("%[1]s cannot see %[2]s to %[3]s.", join(p, who), what, why)
	case len(who) > 0:
		s = p.Sprintf("%[1]s cannot see %[2]s at all.", join(p, who), what)
	case why != "":
		s = p.Sprintf("No one can use %[1]s to %[2]s.", what, why)
	default:
		s = p.Sprintf("No one can see %[1]s.", what)
	}
	if len(pr.Sensitivity) > 0 {
		var sens []string
		for _, x := range pr.Sensitivity {
			sens = append(sens, wordOr(p, portalSensitivityWords, x, string(x)))
		}
		s += " " + p.Sprintf("This includes information about %s.", join(p, sens))
	}
	if pr.Start != nil && pr.End != nil {
		s += " " + p.Sprintf("Only from %[1]s until %[2]s.", *pr.Start, *pr.End)
	} else if pr.End != nil {
		s += " " + p.Sprintf("Only until %s.", *pr.End)
	} else if pr.Start != nil {
		s += " " + p.Sprintf("Only from %s.", *pr.Start)
	}
	return s
}

// consentState says whether a consent works, and until when.
func consentState(p *i18n.Printer, pc *enforce.PortalConsent) (text, badge string) {
	switch {
	case pc.Status == accord.ConsentRevoked && pc.RevokedAt != nil:
		return p.Sprintf("Stopped on %s.", *pc.RevokedAt), "bad"
	case pc.Expired:
		return p.Sprintf("Ended on %s.", *pc.End), "warn"
	case pc.Future:
		return p.Sprintf("Starts on %s.", pc.Start), "warn"
	case pc.End != nil:
		return p.Sprintf("Works until %s, or until you stop it.", *pc.End), "ok"
	}
	return p.Sprintf("Works until you stop it."), "ok"
}

// consentGiven says who recorded a consent, and when.
func consentGiven(p *i18n.Printer, pc *enforce.PortalConsent) string {
	if pc.ByClient {
		return p.Sprintf("You gave this on this page on %s.", pc.CreatedAt)
	}
	return p.Sprintf("You gave this to %[1]s on %[2]s.", pc.CollectorName, pc.CreatedAt)
}

// accessWho names who asked: the organisation and the person's role.
func accessWho(p *i18n.Printer, l *enforce.PortalAccess) string {
	if l.Kind == accord.AuditLogin {
		return p.Sprintf("Sign-in to your page")
	}
	if l.ByClient {
		return p.Sprintf("You")
	}
	name := l.OrganizationName
	if name == "" {
		name = p.Sprintf("The system")
	}
	if len(l.Roles) == 0 {
		return name
	}
	return p.Sprintf("%[1]s (%[2]s)", name, i18n.Roles(l.Roles))
}

// accessWhat says what happened on one line of the access report.
func accessWhat(p *i18n.Printer, l *enforce.PortalAccess) string {
	switch l.Kind {
	case accord.AuditDecision:
		what, why := categoryWords(p, l.Categories), wordOr(p, portalPurposeWords, l.Purpose, string(l.Purpose))
		if l.Allowed {
			return p.Sprintf("Saw %[1]s, to %[2]s.", what, why)
		}
		return p.Sprintf("Asked to see %[1]s, to %[2]s. This was refused.", what, why)
	case accord.AuditLogin:
		return p.Sprintf("Someone signed in to this page with your code. If this was not you, tell your worker.")
	case accord.AuditExport:
		if l.Action == "access_report" {
			return p.Sprintf("Made a list of who saw your information.")
		}
		return p.Sprintf("Printed or exported your information.")
	}
	switch l.Action {
	case "consent.create":
		if l.ByClient {
			return p.Sprintf("Gave a consent on this page.")
		}
		return p.Sprintf("Wrote down a consent you gave.")
	case "consent.revoke":
		if l.ByClient {
			return p.Sprintf("Stopped a consent on this page.")
		}
		return p.Sprintf("Wrote down that you stopped a consent.")
	case "portal.code":
		return p.Sprintf("Made a sign-in code for this page.")
	case "portal.code_sent":
		return p.Sprintf("Sent you a sign-in code.")
	case "client.create":
		return p.Sprintf("Registered you.")
	case "client.update":
		return p.Sprintf("Changed your name, contact details or other details.")
	case "client.merge":
		return p.Sprintf("Joined two registrations of you into one.")
	case "referral.send":
		return p.Sprintf("Sent a referral for you.")
	case "record.create":
		return p.Sprintf("Added information about you.")
	case "screening.record":
		return p.Sprintf("Wrote down your answers to a needs check.")
	case "case.open":
		return p.Sprintf("Opened a shared case for you.")
	case "care_team.add":
		return p.Sprintf("Added a worker to your care team.")
	}
	return p.Sprintf("Changed your information.")
}
