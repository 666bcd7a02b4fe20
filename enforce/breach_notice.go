package enforce

import (
	"context"
	"strings"

	"golang.org/x/text/language"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/i18n"
)

// Notices to the clients a breach affected (GDPR Art. 34): one each, in the
// client's preferred language when the partnership's catalogues have it,
// in plain words (a reading age of about 12). A notice says what happened,
// which kinds of their information, when, what the partnership is doing,
// how to complain and how to see who looked at their information. It holds
// no name: the client's home organisation, which knows the person, gives it
// to them.

// breachCategoryWords name each kind of information as "your …": the
// portal's words (the same catalogue keys), so a client reads the same
// words in their notice and on their page.
var breachCategoryWords = map[accord.Category]i18n.Msg{
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

// BreachNotice is the notice to one affected client.
type BreachNotice struct {
	ClientID string `json:"client_id"`
	// Language is the client's preferred language; Lang the language the
	// notice is written in. They differ when the partnership has no
	// catalogue for the client's language (Fallback): the notice is then
	// in English, to be read to the client with an interpreter.
	Language string `json:"language"`
	Lang     string `json:"written_in"`
	Dir      string `json:"dir"`
	Fallback bool   `json:"fallback"`
	// DeliverBy names the organisation that gives the notice to the
	// client: their home organisation. Left empty for a privacy officer
	// of another organisation, who is not told who serves the client.
	DeliverBy  string   `json:"deliver_by,omitempty"`
	Title      string   `json:"title"`
	Paragraphs []string `json:"paragraphs"`
	// Erased: the client was erased; there is no one to give it to.
	Erased bool `json:"erased"`
}

// BreachNotices returns the notices of an incident's clients and records
// that they were produced (an export). site is the address the notices
// send clients to ("https://accord.example.org").
func (s *Service) BreachNotices(ctx context.Context, c *Caller, id string, cat *i18n.Catalogue, site string) ([]BreachNotice, *BreachDetail, error) {
	b, err := s.breachFor(ctx, c, id)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.breachDetail(ctx, c, b)
	if err != nil {
		return nil, nil, err
	}
	ns := NoticesFor(c, d, cat, site)
	e := changeEntryFor(c.Actor(), "breach.notices", id)
	e.Kind, e.Count, e.RequestID = accord.AuditExport, len(ns), c.RequestID
	return ns, d, s.db.AppendAudit(ctx, e)
}

// NoticesFor writes the notices of an incident the caller has read
// (Breach): one per affected client, in the order of the impact.
func NoticesFor(c *Caller, d *BreachDetail, cat *i18n.Catalogue, site string) []BreachNotice {
	site = strings.TrimRight(site, "/")
	out := make([]BreachNotice, 0, len(d.Impact.Clients))
	for i := range d.Impact.Clients {
		a := &d.Impact.Clients[i]
		cl := d.Clients[a.ClientID]
		n := BreachNotice{ClientID: a.ClientID, Language: cl.PreferredLanguage, Erased: cl.Erased}
		tag, fallback := noticeLanguage(cl.PreferredLanguage)
		n.Fallback = fallback
		p := cat.Printer(tag)
		n.Lang, n.Dir = tag.String(), i18n.Dir(tag)
		home := ""
		if cl.HomeOrganization != "" && (c.oversight() || cl.HomeOrganization == c.Staff.OrganizationID) {
			home = d.Names[cl.HomeOrganization]
			n.DeliverBy = home
		}
		n.Title, n.Paragraphs = noticeText(p, &d.Breach, a, d.Names[d.OrganizationID], home, site)
		out = append(out, n)
	}
	return out
}

// noticeLanguage returns the catalogue language a notice to a client
// preferring lang is written in: the catalogue of the same base language,
// else English (fallback: read it to the client with an interpreter). A
// near match is not good enough: Dari is not Arabic.
func noticeLanguage(lang string) (language.Tag, bool) {
	t, err := language.Parse(lang)
	if err != nil || lang == "" || lang == "und" {
		return language.English, false
	}
	base, _ := t.Base()
	for _, s := range i18n.Supported {
		if sb, _ := s.Base(); sb == base {
			return s, false
		}
	}
	return language.English, true
}

// noticeText writes one notice in p's language.
func noticeText(p *i18n.Printer, b *accord.Breach, a *accord.AffectedClient, org, home, site string) (string, []string) {
	title := p.Sprintf("Something went wrong with your information")
	var out []string
	out = append(out, p.Sprintf("We are writing to tell you about a problem with your information. We are sorry that it happened."))
	if b.Subject == accord.BreachKey {
		out = append(out, p.Sprintf("A secret key that keeps your information locked at %s was lost or stolen. Someone who should not have it may be able to read your information.", org))
	} else {
		out = append(out, p.Sprintf("Someone who should not have been able to may have looked at your information. They used the account of a worker at %s.", org))
	}
	var words []string
	for _, cc := range a.Categories {
		if m, ok := breachCategoryWords[cc.Category]; ok {
			words = append(words, p.Render(m))
		} else {
			words = append(words, string(cc.Category))
		}
	}
	out = append(out, p.Sprintf("The information was: %s.", strings.Join(words, p.Sprintf(", "))))
	first, last := a.First, a.Last
	if b.Subject == accord.BreachKey {
		first, last = b.WindowStart, b.WindowEnd
	}
	if p.Date(first) == p.Date(last) {
		out = append(out, p.Sprintf("This happened on %s.", first))
	} else {
		out = append(out, p.Sprintf("This happened between %[1]s and %[2]s.", first, last))
	}
	out = append(out, p.Sprintf("What we are doing: we are stopping it from happening again, finding out exactly what happened, and telling the office that protects people's information, as the law says we must."))
	out = append(out, p.Sprintf("You do not have to do anything. If you are worried, talk to a worker you trust."))
	out = append(out, p.Sprintf("If you are not happy with how we looked after your information, you can complain. Go to %s. You do not have to give your name.", site+"/grievances/new"))
	if home != "" {
		out = append(out, p.Sprintf("To see who looked at your information, ask %[1]s for a code for your own page. Then go to %[2]s and choose \"%[3]s\".",
			home, site+"/my/signin", p.Sprintf("Who saw my information")))
	} else {
		out = append(out, p.Sprintf("To see who looked at your information, ask the organisation that helps you for a code for your own page. Then go to %[1]s and choose \"%[2]s\".",
			site+"/my/signin", p.Sprintf("Who saw my information")))
	}
	out = append(out, p.Sprintf("If you ask us about this letter, give this number: %s.", b.ID))
	return title, out
}
