package enforce

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

// The client portal: a client signs in with a one-time code (they have no
// staff account) and sees and manages what is about them. Every Portal*
// method acts for one client only, whose id comes from the portal session,
// never from a form; anything named in a form (a consent id) is checked to
// be that client's, and another client's is "not found". What the client
// changes is recorded with the client as the actor ("client:<id>") under
// the purpose "patient (client) requested".

// PortalCodeTTL is how long a portal sign-in code works.
const PortalCodeTTL = 24 * time.Hour

// portalAlphabet has no 0/O, 1/I/L: codes are read aloud and typed on
// phones. portalCodeLen characters of it carry 12·log2(31) ≈ 59.4 bits;
// a code works once, for a day, and sign-in attempts are rate limited.
const (
	portalAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	portalCodeLen  = 12
)

// PortalActorID is the audit actor of a client acting through the portal.
func PortalActorID(clientID string) string { return "client:" + clientID }

func portalActor(clientID string) accord.Actor { return accord.Actor{StaffID: PortalActorID(clientID)} }

// NewPortalCode returns a random portal sign-in code.
func NewPortalCode() string {
	b := make([]byte, portalCodeLen)
	max := big.NewInt(int64(len(portalAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("enforce: reading random bytes: " + err.Error())
		}
		b[i] = portalAlphabet[n.Int64()]
	}
	return string(b)
}

// NormalizePortalCode returns a code as typed in its canonical form: upper
// case, without spaces, dashes or dots, with Arabic-Indic and full-width
// digits and letters read as their ASCII forms.
func NormalizePortalCode(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '٠' && r <= '٩':
			r = '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			r = '0' + (r - '۰')
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'ａ' && r <= 'ｚ':
			r = 'A' + (r - 'ａ')
		case r >= 'Ａ' && r <= 'Ｚ':
			r = 'A' + (r - 'Ａ')
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
		if b.Len() > 64 {
			break
		}
	}
	return b.String()
}

// PortalCodeHash is what is stored of a code: a hash with a domain prefix
// (a code is never stored).
func PortalCodeHash(code string) []byte {
	h := sha256.Sum256([]byte("accord/portal-code\x00" + NormalizePortalCode(code)))
	return h[:]
}

// FormatPortalCode groups a code in fours for reading aloud.
func FormatPortalCode(code string) []string {
	code = NormalizePortalCode(code)
	var out []string
	for len(code) > 4 {
		out, code = append(out, code[:4]), code[4:]
	}
	return append(out, code)
}

// IssuedCode is a portal code just made, shown once to the staff member.
type IssuedCode struct {
	ClientID  string
	Code      string
	ExpiresAt time.Time
	// Language is the client's preferred language (for the hand-out).
	Language string
	// Email and Phone are the client's contact details, when the staff
	// member may see them (to send the code); ContactShared says so.
	Email, Phone  string
	ContactShared bool
	// ContactWithheld explains why the contact details are not shown.
	ContactWithheld *Decided
}

// portalIssuers are the roles that may give a client a portal code.
var portalIssuers = []accord.Role{
	accord.RoleNavigator, accord.RoleClinician, accord.RoleLegalAdvocate, accord.RoleSocialWorker,
	accord.RoleSupervisor, accord.RolePrivacyOfficer,
}

// portalIssuer decides whether the caller may give the client a portal
// code: they must see the client for purpose (decided and recorded), and
// be client-facing staff of the client's home organisation. Whoever holds
// a code can read the client's access report and give consent in their
// name, so no more staff may issue one than may already do both.
func (s *Service) portalIssuer(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (*accord.Client, Decided, error) {
	if err := c.require(portalIssuers...); err != nil {
		return nil, Decided{}, err
	}
	if c.Organization.Sector.Enforcement() {
		return nil, Decided{}, accord.Errorf(accord.EFORBIDDEN, "staff of an immigration authority or a law enforcement body cannot give clients a portal code")
	}
	if err := checkPurpose(purpose); err != nil {
		return nil, Decided{}, err
	}
	client, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return nil, Decided{}, err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, Decided{}, err
	}
	actor := c.Actor()
	demo := d.decide(ctx, actor, client.ID, client.HomeOrganizationID, accord.CatDemographics, nil, purpose)
	if !demo.Decision.Permitted() {
		if err := d.record(ctx, nil); err != nil {
			return nil, Decided{}, err
		}
		return nil, Decided{}, deniedOutsider(demo)
	}
	contact := d.decide(ctx, actor, client.ID, client.HomeOrganizationID, accord.CatContact, nil, purpose)
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return nil, Decided{}, err
	}
	if c.Staff.OrganizationID != client.HomeOrganizationID {
		return nil, Decided{}, accord.Errorf(accord.EFORBIDDEN, "only staff of the client's home organisation can give them a portal code")
	}
	return client, contact, nil
}

// IssuePortalCode makes a new portal sign-in code for a client, valid for
// PortalCodeTTL; the client's earlier codes stop working and their open
// portal sessions end. The code is returned once and stored only hashed.
func (s *Service) IssuePortalCode(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (_ *IssuedCode, err error) {
	defer accord.Wrap(&err, "IssuePortalCode(%s)", clientID)
	client, contact, err := s.portalIssuer(ctx, c, clientID, purpose)
	if err != nil {
		return nil, err
	}
	code := NewPortalCode()
	if err := s.db.CreatePortalCode(ctx, c.Actor(), client.ID, PortalCodeHash(code), PortalCodeTTL); err != nil {
		return nil, err
	}
	if err := s.db.EndPortalSessions(ctx, client.ID); err != nil {
		return nil, err
	}
	out := &IssuedCode{ClientID: client.ID, Code: code, ExpiresAt: s.now().UTC().Add(PortalCodeTTL), Language: client.PreferredLanguage}
	if contact.Decision.Permitted() {
		out.Email, out.Phone, out.ContactShared = client.Email, client.Phone, true
	} else {
		out.ContactWithheld = &contact
	}
	return out, nil
}

// PortalCodeContact returns what the code page shows about a code made
// before (to show the page again): the client's language, the contact
// details the caller may see, and until when the code works (zero when it
// no longer does). It decides and records like IssuePortalCode.
func (s *Service) PortalCodeContact(ctx context.Context, c *Caller, clientID, code string, purpose accord.Purpose) (_ *IssuedCode, err error) {
	defer accord.Wrap(&err, "PortalCodeContact(%s)", clientID)
	client, contact, err := s.portalIssuer(ctx, c, clientID, purpose)
	if err != nil {
		return nil, err
	}
	expires, _, err := s.db.PortalCodeLive(ctx, client.ID, PortalCodeHash(code))
	if err != nil {
		return nil, err
	}
	out := &IssuedCode{ClientID: client.ID, ExpiresAt: expires, Language: client.PreferredLanguage}
	if contact.Decision.Permitted() {
		out.Email, out.Phone, out.ContactShared = client.Email, client.Phone, true
	} else {
		out.ContactWithheld = &contact
	}
	return out, nil
}

// PortalSender delivers a portal sign-in code to a client over a channel
// ("email" or "sms") at an address, in the client's language. The message
// holds only the code and the portal's address.
type PortalSender interface {
	Send(ctx context.Context, clientID, channel, address, code string, lang language.Tag) error
}

// PortalChannels is implemented by senders that can say which channels
// are set up.
type PortalChannels interface {
	Available(channel string) bool
}

// Portal code delivery channels.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// PortalChannelAvailable reports whether sender can deliver over channel.
func PortalChannelAvailable(sender PortalSender, channel string) bool {
	if sender == nil {
		return false
	}
	if a, ok := sender.(PortalChannels); ok {
		return a.Available(channel)
	}
	return true
}

// SendPortalCode sends the client's current portal code to the e-mail
// address or phone number recorded for them. The caller must still be
// allowed to give the client a code and to see their contact details; the
// code must be the client's current one (so nothing else can be sent).
func (s *Service) SendPortalCode(ctx context.Context, c *Caller, clientID, code, channel string, purpose accord.Purpose, sender PortalSender) (err error) {
	defer accord.Wrap(&err, "SendPortalCode(%s)", clientID)
	if channel != ChannelEmail && channel != ChannelSMS {
		return accord.FieldErrorf("channel", "choose how to send the code")
	}
	client, contact, err := s.portalIssuer(ctx, c, clientID, purpose)
	if err != nil {
		return err
	}
	_, live, err := s.db.PortalCodeLive(ctx, client.ID, PortalCodeHash(code))
	if err != nil {
		return err
	}
	if !live {
		return accord.Errorf(accord.ECONFLICT, "this code no longer works (it was used, or a newer one was made); make a new code")
	}
	if !contact.Decision.Permitted() {
		return denied(contact)
	}
	address := client.Email
	if channel == ChannelSMS {
		address = client.Phone
	}
	if address == "" {
		if channel == ChannelSMS {
			return accord.FieldErrorf("channel", "no phone number is recorded for this client")
		}
		return accord.FieldErrorf("channel", "no e-mail address is recorded for this client")
	}
	if !PortalChannelAvailable(sender, channel) {
		if channel == ChannelSMS {
			return accord.FieldErrorf("channel", "sending by text message is not set up on this server")
		}
		return accord.FieldErrorf("channel", "sending by e-mail is not set up on this server")
	}
	lang, _ := language.Parse(client.PreferredLanguage)
	if err := sender.Send(ctx, client.ID, channel, address, NormalizePortalCode(code), lang); err != nil {
		s.logger.Warn("sending a portal code", "client", client.ID, "channel", channel, "err", err)
		return accord.Errorf(accord.EUNAVAILABLE, "the message could not be sent; read the code to the client or print it instead")
	}
	return s.db.AppendAudit(ctx, accord.AuditEntry{Kind: accord.AuditChange, ActorID: c.Staff.ID, ActorOrganizationID: c.Staff.OrganizationID,
		ClientID: client.ID, Action: "portal.code_sent", ObjectID: channel, RequestID: c.RequestID})
}

// SMSSender sends one text message. No provider is built in; a deployment
// plugs one in.
type SMSSender interface {
	SendSMS(ctx context.Context, to, text string) error
}

// PortalMessages is the PortalSender of a server: e-mail through a Mailer
// (SMTP when configured), text messages through an SMSSender when one is
// plugged in. The text comes from the catalogue in the client's language.
type PortalMessages struct {
	Mailer    Mailer
	SMS       SMSSender
	Catalogue *i18n.Catalogue
	// SignInURL is the portal's sign-in address, put in the message.
	SignInURL string
}

// Available reports whether channel is set up.
func (m *PortalMessages) Available(channel string) bool {
	switch channel {
	case ChannelEmail:
		return m.Mailer != nil
	case ChannelSMS:
		return m.SMS != nil
	}
	return false
}

// Send sends the code.
func (m *PortalMessages) Send(ctx context.Context, clientID, channel, address, code string, lang language.Tag) error {
	p := m.Catalogue.Printer(m.Catalogue.Match(lang.String()))
	text := p.Sprintf("Your code to sign in to Accord is %[1]s. It works once, within 24 hours. Sign in at %[2]s", strings.Join(FormatPortalCode(code), " "), m.SignInURL)
	switch channel {
	case ChannelEmail:
		if m.Mailer == nil {
			return accord.Errorf(accord.EUNAVAILABLE, "sending by e-mail is not set up on this server")
		}
		var id [12]byte
		rand.Read(id[:])
		return m.Mailer.Send(ctx, address, p.Sprintf("Your Accord sign-in code"), text, "portal-"+hex.EncodeToString(id[:]))
	case ChannelSMS:
		if m.SMS == nil {
			return accord.Errorf(accord.EUNAVAILABLE, "sending by text message is not set up on this server")
		}
		return m.SMS.SendSMS(ctx, address, text)
	}
	return accord.FieldErrorf("channel", "choose how to send the code")
}

// PortalClient is what the portal shows a client of themselves: their
// own record, which is theirs to see (no decision), and names.
type PortalClient struct {
	ID                string
	PreferredLanguage string
	HomeOrganization  string
	HomeName          string
	Minor             bool
}

// PortalSelf returns the signed-in client's own details for the portal.
func (s *Service) PortalSelf(ctx context.Context, clientID string) (*PortalClient, error) {
	cl, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	age, known := cl.AgeAt(s.now())
	n := newNames(s.db, &s.orgs)
	return &PortalClient{ID: cl.ID, PreferredLanguage: cl.PreferredLanguage, HomeOrganization: cl.HomeOrganizationID,
		HomeName: n.org(ctx, cl.HomeOrganizationID), Minor: known && age < 18}, nil
}

// PortalLanguage returns the preferred language (BCP 47) of a portal
// client, to show the portal in it when the person has not chosen one.
func (s *Service) PortalLanguage(ctx context.Context, clientID string) (string, error) {
	cl, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return "", err
	}
	return cl.PreferredLanguage, nil
}

// PortalConsent is one of the client's consents, with names.
type PortalConsent struct {
	accord.Consent
	// CollectorName is the organisation that recorded it.
	CollectorName string
	// ByClient is set when the client gave it through the portal.
	ByClient bool
	// RevokedByClient is set when the client stopped it through the portal.
	RevokedByClient bool
	// InForce, Expired and Future are its state now.
	InForce, Expired, Future bool
	// Names maps the organisations it names to their names.
	Names map[string]string
}

// PortalConsents returns the client's consents, those in force first.
func (s *Service) PortalConsents(ctx context.Context, clientID string) ([]PortalConsent, error) {
	cs, err := s.db.ClientConsents(ctx, clientID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	n := newNames(s.db, &s.orgs)
	out := make([]PortalConsent, 0, len(cs))
	for _, c := range cs {
		out = append(out, s.portalConsent(ctx, n, c, now))
	}
	slices.SortStableFunc(out, func(a, b PortalConsent) int {
		rank := func(c PortalConsent) int {
			switch {
			case c.InForce:
				return 0
			case c.Future:
				return 1
			}
			return 2
		}
		return cmp.Compare(rank(a), rank(b))
	})
	return out, nil
}

func (s *Service) portalConsent(ctx context.Context, n *names, c accord.Consent, now time.Time) PortalConsent {
	pc := PortalConsent{Consent: c, CollectorName: n.org(ctx, c.OrganizationID), Names: map[string]string{},
		ByClient: c.CollectedBy == PortalActorID(c.ClientID), RevokedByClient: c.RevokedBy == PortalActorID(c.ClientID),
		InForce: c.InForce(now)}
	if c.Status == accord.ConsentActive && !pc.InForce {
		pc.Future = now.Before(c.Start)
		pc.Expired = !pc.Future
	}
	for _, p := range c.Provisions {
		for _, o := range p.Organizations {
			pc.Names[o] = n.org(ctx, o)
		}
	}
	return pc
}

// ownConsent returns one of the client's consents; another client's is
// not found, exactly like one that does not exist.
func (s *Service) ownConsent(ctx context.Context, clientID, consentID string) (*accord.Consent, error) {
	cn, err := s.db.FindConsent(ctx, consentID)
	if err != nil || cn.ClientID != clientID {
		return nil, accord.Errorf(accord.ENOTFOUND, "consent not found")
	}
	return cn, nil
}

// Shared is what one organisation saw of one kind of information under a
// consent, and when last.
type Shared struct {
	OrganizationID   string
	OrganizationName string
	Category         accord.Category
	Times            int
	Last             time.Time
}

// RevokeEffect is what stopping a consent does: what stops at once, and
// what was already shared under it (which stopping does not take back).
type RevokeEffect struct {
	Consent PortalConsent
	Already []Shared
}

// PortalRevokeEffect explains what revoking one of the client's consents
// would do, before they confirm.
func (s *Service) PortalRevokeEffect(ctx context.Context, clientID, consentID string) (_ *RevokeEffect, err error) {
	defer accord.Wrap(&err, "PortalRevokeEffect(%s)", consentID)
	cn, err := s.ownConsent(ctx, clientID, consentID)
	if err != nil {
		return nil, err
	}
	n := newNames(s.db, &s.orgs)
	eff := &RevokeEffect{Consent: s.portalConsent(ctx, n, *cn, s.now())}
	entries, err := s.db.AuditEntries(ctx, sqlstore.AuditFilter{ClientID: clientID, After: -1, Limit: maxReportLines, Newest: true})
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	for _, e := range entries {
		if e.Kind != accord.AuditDecision || e.ConsentID != cn.ID || e.Effect != "permit" || !e.Released {
			continue
		}
		k := e.ActorOrganizationID + "|" + string(e.Category)
		i, ok := idx[k]
		if !ok {
			i = len(eff.Already)
			idx[k] = i
			eff.Already = append(eff.Already, Shared{OrganizationID: e.ActorOrganizationID, OrganizationName: n.org(ctx, e.ActorOrganizationID), Category: e.Category})
		}
		sh := &eff.Already[i]
		sh.Times++
		if e.Time.After(sh.Last) {
			sh.Last = e.Time
		}
	}
	return eff, nil
}

// PortalRevokeConsent stops one of the client's consents at once: the
// very next decision anywhere sees it.
func (s *Service) PortalRevokeConsent(ctx context.Context, clientID, consentID string) (_ *accord.Consent, err error) {
	defer accord.Wrap(&err, "PortalRevokeConsent(%s)", consentID)
	if _, err := s.ownConsent(ctx, clientID, consentID); err != nil {
		return nil, err
	}
	cn, err := s.db.RevokeConsent(ctx, portalActor(clientID), consentID, "withdrawn by the client in the portal")
	if err != nil {
		return nil, err
	}
	return cn, s.feed.Sync(ctx)
}

// ConsentChoice is an organisation a client may let see their
// information, and what and why they may choose: only what an agreement in
// force between that organisation and one holding the client's data
// allows, so every consent given this way can take effect.
type ConsentChoice struct {
	Organization accord.Organization
	Categories   []accord.Category
	Purposes     []accord.Purpose
}

// portalCategories are the kinds of information a client may share on
// their own in the portal. Immigration status is left to a conversation
// with their adviser; privileged legal notes are never shared.
var portalCategories = []accord.Category{
	accord.CatContact, accord.CatClinicalSummary, accord.CatClinicalNote, accord.CatLegalMatter,
	accord.CatSocialNeeds, accord.CatScreening,
}

// portalPurposes are the reasons a client may choose, by the recipient's
// sector: the ones that make sense for that kind of organisation.
var portalPurposes = map[accord.Sector][]accord.Purpose{
	accord.SectorHealth:               {accord.PurposeTreatment, accord.PurposeCoordination},
	accord.SectorLegal:                {accord.PurposeLegalAid},
	accord.SectorSocial:               {accord.PurposeSocialCare, accord.PurposeCoordination},
	accord.SectorCivilSociety:         {accord.PurposeCoordination, accord.PurposeSocialCare},
	accord.SectorImmigrationAuthority: nil,
	accord.SectorLawEnforcement:       nil,
	accord.SectorOversight:            nil,
}

// PortalConsentChoices returns the organisations the client may let see
// their information through the portal, with what and why.
func (s *Service) PortalConsentChoices(ctx context.Context, clientID string) ([]ConsentChoice, error) {
	client, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	holders := map[string]bool{client.HomeOrganizationID: true}
	groups, err := s.db.RecordGroups(ctx, client.ID)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		holders[g.HolderID] = true
	}
	orgs, err := s.db.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]accord.Organization{}
	for _, o := range orgs {
		byID[o.ID] = o
	}
	agreements, err := s.db.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	choices := map[string]*ConsentChoice{}
	for _, a := range agreements {
		if !a.InForce(now) || !slices.ContainsFunc(a.Parties, func(p string) bool { return holders[p] }) {
			continue
		}
		for _, p := range a.Parties {
			o, ok := byID[p]
			if !ok || slices.Contains(a.ProhibitedRecipients, p) || len(portalPurposes[o.Sector]) == 0 {
				continue
			}
			// The agreement must let p receive from a holder other than itself.
			if !slices.ContainsFunc(a.Parties, func(h string) bool { return h != p && holders[h] }) {
				continue
			}
			ch := choices[p]
			if ch == nil {
				ch = &ConsentChoice{Organization: o}
				choices[p] = ch
			}
			for _, c := range a.Categories {
				if slices.Contains(portalCategories, c) && !slices.Contains(ch.Categories, c) {
					ch.Categories = append(ch.Categories, c)
				}
			}
			for _, x := range a.Purposes {
				if slices.Contains(portalPurposes[o.Sector], x) && !slices.Contains(ch.Purposes, x) {
					ch.Purposes = append(ch.Purposes, x)
				}
			}
		}
	}
	var out []ConsentChoice
	for _, ch := range choices {
		if len(ch.Categories) == 0 || len(ch.Purposes) == 0 {
			continue
		}
		slices.SortFunc(ch.Categories, func(a, b accord.Category) int {
			return cmp.Compare(slices.Index(portalCategories, a), slices.Index(portalCategories, b))
		})
		slices.SortFunc(ch.Purposes, func(a, b accord.Purpose) int {
			return cmp.Compare(slices.Index(accord.Purposes, a), slices.Index(accord.Purposes, b))
		})
		out = append(out, *ch)
	}
	slices.SortFunc(out, func(a, b ConsentChoice) int { return cmp.Compare(a.Organization.Name, b.Organization.Name) })
	return out, nil
}

// PortalConsentInput is a consent a client gives in the portal.
type PortalConsentInput struct {
	OrganizationID string
	Categories     []accord.Category
	Purposes       []accord.Purpose
	// Months is how long it lasts; 0 means until the client stops it.
	Months int
	// Language is the language the client read the form in.
	Language string
}

// PortalGiveConsent records a consent the client gives themselves in the
// portal: to one organisation, for the kinds of information and reasons
// they chose among those that can take effect (PortalConsentChoices). Their
// name and basic details go with it, or the organisation could not know
// whose information it is. It is recorded as given by the client, by
// electronic signature, held by their home organisation.
func (s *Service) PortalGiveConsent(ctx context.Context, clientID string, in PortalConsentInput) (_ *accord.Consent, err error) {
	defer accord.Wrap(&err, "PortalGiveConsent")
	client, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if age, known := client.AgeAt(s.now()); known && age < 18 {
		return nil, accord.Errorf(accord.EFORBIDDEN, "you are under 18, so a parent or guardian gives consent for you, with a worker")
	}
	choices, err := s.PortalConsentChoices(ctx, clientID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(choices, func(c ConsentChoice) bool { return c.Organization.ID == in.OrganizationID })
	if i < 0 {
		return nil, accord.FieldErrorf("organization", "choose who can see your information")
	}
	ch := choices[i]
	if len(in.Categories) == 0 {
		return nil, accord.FieldErrorf("categories", "choose at least one kind of information")
	}
	for _, c := range in.Categories {
		if !slices.Contains(ch.Categories, c) {
			return nil, accord.FieldErrorf("categories", "choose only from the kinds of information listed")
		}
	}
	if len(in.Purposes) == 0 {
		return nil, accord.FieldErrorf("purposes", "choose at least one reason")
	}
	for _, x := range in.Purposes {
		if !slices.Contains(ch.Purposes, x) {
			return nil, accord.FieldErrorf("purposes", "choose only from the reasons listed")
		}
	}
	if in.Months < 0 || in.Months > 36 {
		return nil, accord.FieldErrorf("months", "choose how long it lasts")
	}
	lang := in.Language
	if lang == "" {
		lang = client.PreferredLanguage
	}
	now := s.now().UTC()
	cats := append([]accord.Category{accord.CatDemographics}, in.Categories...)
	cn := &accord.Consent{ClientID: client.ID, Status: accord.ConsentActive, Start: now,
		Provisions: []accord.Provision{{Type: accord.ProvisionPermit, Organizations: []string{ch.Organization.ID},
			Purposes: slices.Clone(in.Purposes), Categories: cats}},
		CollectedBy: PortalActorID(client.ID), OrganizationID: client.HomeOrganizationID,
		Method: accord.MethodElectronicSignature, Language: lang}
	if in.Months > 0 {
		end := now.AddDate(0, in.Months, 0)
		cn.End = &end
	}
	if err := s.db.CreateConsent(ctx, portalActor(client.ID), cn); err != nil {
		return nil, err
	}
	return cn, s.feed.Sync(ctx)
}

// PortalAccess is one line of the client's own access report: one
// request by one organisation (the same page or call), with every kind of
// information it asked for.
type PortalAccess struct {
	Time             time.Time
	Kind             accord.AuditKind
	Action           string
	OrganizationID   string
	OrganizationName string
	// Roles are the roles of the person who asked; staff names are not
	// shown to clients.
	Roles []accord.Role
	// HolderName is the organisation that held the information, when it is
	// not the one that asked.
	HolderName string
	Categories []accord.Category
	Purpose    accord.Purpose
	Allowed    bool
	// Emergency is set for break-glass access (always reviewed).
	Emergency bool
	// ByClient is set for what the client did themselves.
	ByClient bool
}

// PortalReport is the client's access report as the portal shows it.
type PortalReport struct {
	Lines     []PortalAccess
	Truncated bool
	// Emergencies counts emergency accesses.
	Emergencies int
}

// maxPortalLines bounds the portal's report (the page stays light); the
// full report is produced by the client's home organisation.
const maxPortalLines = 300

// PortalAccessReport returns who saw the client's information and why,
// grouped by request, newest first, as the client may read it: by
// organisation and role, not by staff name. Questions that released
// nothing ("could this person see…?") are left out. Producing it is
// recorded, with the client as the actor.
func (s *Service) PortalAccessReport(ctx context.Context, clientID string) (_ *PortalReport, err error) {
	defer accord.Wrap(&err, "PortalAccessReport")
	client, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	ids, err := s.db.MergedInto(ctx, client.ID)
	if err != nil {
		return nil, err
	}
	var entries []accord.AuditEntry
	for _, id := range append([]string{client.ID}, ids...) {
		es, err := s.db.AuditEntries(ctx, sqlstore.AuditFilter{ClientID: id, After: -1, Limit: maxReportLines + 1, Newest: true})
		if err != nil {
			return nil, err
		}
		entries = append(entries, es...)
	}
	slices.SortFunc(entries, func(a, b accord.AuditEntry) int { return cmp.Compare(b.Index, a.Index) })
	n := newNames(s.db, &s.orgs)
	roles := map[string][]accord.Role{}
	rolesOf := func(id string) []accord.Role {
		if r, ok := roles[id]; ok {
			return r
		}
		var r []accord.Role
		if st, err := s.db.FindStaff(ctx, id); err == nil {
			r = st.Roles
		}
		roles[id] = r
		return r
	}
	rep := &PortalReport{}
	var keys []string // the request and actor of each line
	self := map[string]bool{}
	for _, id := range append([]string{client.ID}, ids...) {
		self[PortalActorID(id)] = true
	}
	for _, e := range entries {
		if e.Kind == accord.AuditDecision && e.Action == "explain" {
			continue
		}
		if e.Kind == accord.AuditExport && self[e.ActorID] {
			continue // looking at this report
		}
		allowed := e.Kind != accord.AuditDecision || e.Effect == "permit"
		emergency := e.Kind == accord.AuditDecision && (e.Reason == accord.ReasonBreakGlass || e.Purpose == accord.PurposeEmergencyTreatment && allowed)
		holder := ""
		if e.HolderID != "" && e.HolderID != e.ActorOrganizationID {
			holder = n.org(ctx, e.HolderID)
		}
		if k := len(rep.Lines) - 1; k >= 0 && e.Kind == accord.AuditDecision {
			last := &rep.Lines[k]
			if last.Kind == e.Kind && last.OrganizationID == e.ActorOrganizationID && last.Purpose == e.Purpose && last.Allowed == allowed &&
				last.HolderName == holder && last.Emergency == emergency && e.RequestID != "" && keys[k] == e.RequestID+"|"+e.ActorID {
				if !slices.Contains(last.Categories, e.Category) {
					last.Categories = append(last.Categories, e.Category)
				}
				continue
			}
		}
		if len(rep.Lines) == maxPortalLines {
			rep.Truncated = true
			break
		}
		line := PortalAccess{Time: e.Time, Kind: e.Kind, Action: e.Action, OrganizationID: e.ActorOrganizationID, Purpose: e.Purpose,
			Allowed: allowed, Emergency: emergency, HolderName: holder, ByClient: self[e.ActorID]}
		if e.ActorOrganizationID != "" {
			line.OrganizationName = n.org(ctx, e.ActorOrganizationID)
		}
		if !line.ByClient && e.ActorID != "system" {
			line.Roles = rolesOf(e.ActorID)
		}
		if e.Category != "" {
			line.Categories = []accord.Category{e.Category}
		}
		if emergency {
			rep.Emergencies++
		}
		rep.Lines = append(rep.Lines, line)
		keys = append(keys, e.RequestID+"|"+e.ActorID)
	}
	for i := range rep.Lines {
		slices.SortFunc(rep.Lines[i].Categories, func(a, b accord.Category) int {
			return cmp.Compare(slices.Index(accord.Categories, a), slices.Index(accord.Categories, b))
		})
	}
	ex := accord.AuditEntry{Kind: accord.AuditExport, ActorID: PortalActorID(client.ID), ClientID: client.ID, Action: "access_report",
		Count: len(rep.Lines), Purpose: accord.PurposePatientRequest}
	if err := s.db.AppendAudit(ctx, ex); err != nil {
		return nil, err
	}
	return rep, nil
}

// PortalReferral is one of the client's referrals, with names.
type PortalReferral struct {
	accord.Referral
	FromName, ToName, ServiceName string
}

// PortalReferrals returns the client's referrals, newest first. The
// sender's free-text reason is written for the receiving professional and
// is not shown; the purpose says why.
func (s *Service) PortalReferrals(ctx context.Context, clientID string) ([]PortalReferral, error) {
	rs, err := s.db.Referrals(ctx, sqlstore.ReferralFilter{ClientID: clientID})
	if err != nil {
		return nil, err
	}
	n := newNames(s.db, &s.orgs)
	out := make([]PortalReferral, 0, len(rs))
	for _, r := range rs {
		r.Reason, r.StatusReason = "", ""
		pr := PortalReferral{Referral: r, FromName: n.org(ctx, r.FromOrgID), ToName: n.org(ctx, r.ToOrgID)}
		if r.ServiceID != "" {
			if sv, err := s.db.FindService(ctx, r.ServiceID); err == nil {
				pr.ServiceName = sv.Name
			}
		}
		out = append(out, pr)
	}
	slices.SortFunc(out, func(a, b PortalReferral) int { return b.SentAt.Compare(a.SentAt) })
	return out, nil
}
