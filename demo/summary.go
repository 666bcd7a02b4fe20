package demo

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
)

// Summary returns a plain-text overview of the partnership as of now:
// counts per organisation, category, consent state, language and gender,
// the agreements, legal bases and scenarios. It holds no names or ids, so
// it can be printed by `accord demo` and kept as a golden file.
func (p *Partnership) Summary(now time.Time) string {
	var b strings.Builder
	orgName := map[string]string{}
	for _, o := range p.Organizations {
		orgName[o.ID] = o.Name
	}

	staff, home, held := counter{}, counter{}, counter{}
	for _, s := range p.Staff {
		staff.add(s.OrganizationID)
	}
	for _, c := range p.Clients {
		home.add(c.HomeOrganizationID)
	}
	for _, r := range p.Records {
		held.add(r.OrganizationID)
	}
	fmt.Fprintf(&b, "organizations: %d\n", len(p.Organizations))
	for _, o := range p.Organizations {
		fmt.Fprintf(&b, "  %s (%s): staff %d, home clients %d, records held %d\n",
			o.Name, o.Sector, staff[o.ID], home[o.ID], held[o.ID])
	}

	roles := counter{}
	inactive := 0
	for _, s := range p.Staff {
		for _, r := range s.Roles {
			roles.add(string(r))
		}
		if !s.Active {
			inactive++
		}
	}
	fmt.Fprintf(&b, "staff: %d (%d inactive)\n", len(p.Staff), inactive)
	fmt.Fprintf(&b, "  roles: %s\n", roles.inOrder(roleNames()))

	gender, lang, birth := counter{}, counter{}, counter{}
	interpreter, disability, minors, older, noFamily, email, phone := 0, 0, 0, 0, 0, 0, 0
	for _, c := range p.Clients {
		gender.add(string(c.Gender))
		lang.add(c.PreferredLanguage)
		switch len(c.BirthDate) {
		case 10:
			birth.add("full")
		case 7:
			birth.add("year-month")
		case 4:
			birth.add("year")
		default:
			birth.add("unknown")
		}
		if c.InterpreterNeeded {
			interpreter++
		}
		if len(c.Disabilities) > 0 {
			disability++
		}
		if age, ok := c.AgeAt(now); ok && age < 18 {
			minors++
		} else if ok && age >= 65 {
			older++
		}
		if c.FamilyName == "" {
			noFamily++
		}
		if c.Email != "" {
			email++
		}
		if c.Phone != "" {
			phone++
		}
	}
	fmt.Fprintf(&b, "clients: %d\n", len(p.Clients))
	fmt.Fprintf(&b, "  gender: %s\n", gender.inOrder(genderNames()))
	fmt.Fprintf(&b, "  preferred_language: %s\n", lang.byCount())
	fmt.Fprintf(&b, "  birth_date: %s\n", birth.inOrder([]string{"full", "year-month", "year"}))
	fmt.Fprintf(&b, "  interpreter_needed %d, disabilities %d, minors %d, 65 and over %d, single name %d, phone %d, email %d\n",
		interpreter, disability, minors, older, noFamily, phone, email)

	cats, conf, sens := counter{}, counter{}, counter{}
	for _, r := range p.Records {
		cats.add(string(r.Category))
		conf.add(string(r.Confidentiality))
		for _, s := range r.Sensitivity {
			sens.add(string(s))
		}
	}
	fmt.Fprintf(&b, "records: %d\n", len(p.Records))
	fmt.Fprintf(&b, "  category: %s\n", cats.inOrder(categoryNames()))
	fmt.Fprintf(&b, "  confidentiality: %s\n", conf.inOrder([]string{"N", "R", "V"}))
	fmt.Fprintf(&b, "  sensitivity: %s\n", sens.byCount())

	teams := 0
	for _, t := range p.CareTeams {
		teams += len(t)
	}
	fmt.Fprintf(&b, "care teams: %d clients, %d memberships\n", len(p.CareTeams), teams)

	state, method := counter{}, counter{}
	withConsent := map[string]bool{}
	guardians, denies := 0, 0
	for _, c := range p.Consents {
		withConsent[c.ClientID] = true
		switch {
		case c.Status == accord.ConsentRevoked:
			state.add("revoked")
		case c.InForce(now):
			state.add("in_force")
		default:
			state.add("expired")
		}
		method.add(string(c.Method))
		if c.Guardian != nil {
			guardians++
		}
		if slices.ContainsFunc(c.Provisions, func(p accord.Provision) bool { return p.Type == accord.ProvisionDeny }) {
			denies++
		}
	}
	fmt.Fprintf(&b, "consents: %d (%s); clients without any consent %d\n", len(p.Consents),
		state.inOrder([]string{"in_force", "expired", "revoked"}), len(p.Clients)-len(withConsent))
	fmt.Fprintf(&b, "  method: %s\n", method.inOrder([]string{"written", "verbal", "verbal_interpreter", "e_signature"}))
	fmt.Fprintf(&b, "  with guardian %d, with a deny provision %d\n", guardians, denies)

	fmt.Fprintf(&b, "agreements: %d versions\n", len(p.Agreements))
	for _, a := range p.Agreements {
		var parties []string
		for _, id := range a.Parties {
			parties = append(parties, orgName[id])
		}
		fmt.Fprintf(&b, "  %s v%d: %s (%s)\n", a.Title, a.Version, a.EffectiveStatus(now), strings.Join(parties, " + "))
	}

	fmt.Fprintf(&b, "legal bases: %d\n", len(p.LegalBases))
	for _, l := range p.LegalBases {
		inForce := "expired"
		if l.InForce(now) {
			inForce = "in force"
		}
		fmt.Fprintf(&b, "  %s to %s for %s: %s, review %s\n", l.Kind, orgName[l.RecipientOrganizationID],
			joinAny(l.Categories), inForce, l.ReviewStatus)
	}

	fmt.Fprintf(&b, "scenarios: %d\n", len(p.Scenarios))
	for _, s := range p.Scenarios {
		fmt.Fprintf(&b, "  %s: %s [%s] %d steps\n", s.ID, s.Name, strings.Join(s.Users, ", "), len(s.Steps))
	}
	return b.String()
}

type counter map[string]int

func (c counter) add(k string) { c[k]++ }

// inOrder lists the counts in the given key order, then any other keys sorted.
func (c counter) inOrder(keys []string) string {
	var out []string
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s %d", k, c[k]))
	}
	var rest []string
	for k := range c {
		if !slices.Contains(keys, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, fmt.Sprintf("%s %d", k, c[k]))
	}
	return strings.Join(out, ", ")
}

// byCount lists the counts largest first, ties by key.
func (c counter) byCount() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if d := cmp.Compare(c[b], c[a]); d != 0 {
			return d
		}
		return cmp.Compare(a, b)
	})
	return c.inOrder(keys)
}

func roleNames() []string             { return stringsOf(accord.Roles) }
func genderNames() []string           { return stringsOf(accord.Genders) }
func categoryNames() []string         { return stringsOf(accord.Categories) }
func joinAny[T ~string](s []T) string { return strings.Join(stringsOf(s), ", ") }

func stringsOf[T ~string](s []T) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}
