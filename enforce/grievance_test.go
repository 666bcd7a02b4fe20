package enforce_test

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/internal/demodb"
	"github.com/accord-project/accord/sqlstore"
)

type demoService struct {
	t   *testing.T
	db  *sqlstore.DB
	svc *enforce.Service
	p   *demo.Partnership
	now time.Time
}

// startDemo starts the service on a database of its own holding the demo
// partnership (a copy of one loaded once: see demodb).
func startDemo(t *testing.T) *demoService {
	ctx := context.Background()
	d := &demoService{t: t, now: demodb.Now}
	clock := func() time.Time { return d.now }
	path := filepath.Join(t.TempDir(), "g.db")
	p, keyring := demodb.SQLite(t, path)
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{Keyring: keyring, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, key, _ := ed25519.GenerateKey(nil)
	svc, err := enforce.New(ctx, enforce.Config{DB: db, Now: clock, Receipts: enforce.NewReceiptSigner(key, "", "")})
	if err != nil {
		t.Fatal(err)
	}
	d.db, d.svc, d.p = db, svc, p
	return d
}

func (d *demoService) caller(user string) *enforce.Caller {
	d.t.Helper()
	for _, l := range d.p.Staff {
		if l.Username == user {
			org, _ := d.db.FindOrganization(context.Background(), l.OrganizationID)
			return &enforce.Caller{Principal: &sqlstore.Principal{Staff: l.Staff, Organization: *org}}
		}
	}
	d.t.Fatalf("no demo user %s", user)
	return nil
}

func queued(t *testing.T, d *demoService, user, id string) bool {
	t.Helper()
	q, err := d.svc.GrievanceQueue(context.Background(), d.caller(user), false)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(q, func(g accord.Grievance) bool { return g.ID == id })
}

// TestGrievanceReachesClinicAndOversight raises a discrimination
// grievance naming the clinic from the public page: the clinic's privacy
// officer and the ombudsperson's staff both have it; only the ombudsperson
// sees who raised it; nobody else at the clinic, or elsewhere, sees it at
// all; the person follows it with the code and appeals once.
func TestGrievanceReachesClinicAndOversight(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	clinic := d.caller("p.nowak").Staff.OrganizationID
	g := &accord.Grievance{Category: accord.GrievanceDiscrimination, OrganizationID: clinic,
		Description: "At reception they said people like me should go back home.", ReporterName: "Samira Haddad", ReporterContact: "07700 900123"}
	code, err := d.svc.RaisePublicGrievance(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"p.nowak", "c.achebe", "i.larsen"} {
		if !queued(t, d, user, g.ID) {
			t.Errorf("%s does not have the grievance", user)
		}
	}
	for _, user := range []string{"j.okafor", "s.bennett", "amina.navigator", "f.rahimi", "k.patel", "t.reid"} {
		if queued(t, d, user, g.ID) {
			t.Errorf("%s has the grievance in their queue", user)
		}
		if _, err := d.svc.Grievance(ctx, d.caller(user), g.ID); accord.ErrorCode(err) != accord.ENOTFOUND {
			t.Errorf("%s opening the grievance: %v, want not_found", user, err)
		}
	}
	officer, err := d.svc.Grievance(ctx, d.caller("p.nowak"), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if officer.ReporterName != "" || officer.ReporterContact != "" || officer.Access.Oversight || !officer.Access.Answer {
		t.Errorf("the clinic officer sees %q %q (access %+v)", officer.ReporterName, officer.ReporterContact, officer.Access)
	}
	if officer.Description != g.Description {
		t.Error("the clinic officer does not see what happened")
	}
	over, err := d.svc.Grievance(ctx, d.caller("c.achebe"), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if over.ReporterName != "Samira Haddad" || over.ReporterContact != "07700 900123" || over.Channel != accord.ChannelPublic {
		t.Errorf("oversight sees %q %q %q", over.ReporterName, over.ReporterContact, over.Channel)
	}

	// The person follows it; a malformed and an unknown code get the same answer.
	rep, err := d.svc.FollowGrievance(ctx, enforce.GrievanceReporter{Code: code})
	if err != nil || rep.ID != g.ID || rep.ReporterName != "" || rep.CanAppeal {
		t.Fatalf("following: %+v, %v", rep, err)
	}
	_, unknown := d.svc.FollowGrievance(ctx, enforce.GrievanceReporter{Code: accord.NewTrackingCode()})
	_, malformed := d.svc.FollowGrievance(ctx, enforce.GrievanceReporter{Code: "not-a-code"})
	if unknown == nil || malformed == nil || unknown.Error() != malformed.Error() || accord.AsError(unknown).Field != "code" {
		t.Errorf("unknown code: %v; malformed code: %v; want the same error", unknown, malformed)
	}

	// The answer, the appeal, the decision.
	if _, err := d.svc.AcknowledgeGrievance(ctx, d.caller("p.nowak"), g.ID, officer.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.AcknowledgeGrievance(ctx, d.caller("p.nowak"), g.ID, officer.Version); accord.ErrorCode(err) != accord.ECONFLICT {
		t.Errorf("acknowledging at a stale version: %v, want conflict", err)
	}
	if _, err := d.svc.MessageGrievance(ctx, d.caller("p.nowak"), g.ID, "We are reviewing the reception rota for that day."); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.RecordGrievanceOutcome(ctx, d.caller("p.nowak"), g.ID, 0, accord.OutcomePartlyUpheld,
		"The remark was made.", "Written apology; reception training."); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.AppealGrievance(ctx, enforce.GrievanceReporter{Code: "not-a-code"}, "x"); accord.AsError(err).Field != "code" {
		t.Errorf("appealing with a bad code: %v", err)
	}
	rep, err = d.svc.AppealGrievance(ctx, enforce.GrievanceReporter{Code: code}, "An apology is not enough; I was refused care.")
	if err != nil || rep.Status != accord.GrievanceAppealed || rep.CanAppeal {
		t.Fatalf("appeal: %+v, %v", rep, err)
	}
	if _, err := d.svc.AppealGrievance(ctx, enforce.GrievanceReporter{Code: code}, "again"); accord.ErrorCode(err) != accord.ECONFLICT {
		t.Errorf("second appeal: %v, want conflict", err)
	}
	if _, err := d.svc.RecordGrievanceOutcome(ctx, d.caller("p.nowak"), g.ID, 0, accord.OutcomeUpheld, "x", "y"); accord.ErrorCode(err) != accord.EFORBIDDEN {
		t.Errorf("the clinic deciding the appeal: %v, want forbidden", err)
	}
	if _, err := d.svc.RecordGrievanceOutcome(ctx, d.caller("i.larsen"), g.ID, 0, accord.OutcomeUpheld,
		"Care was refused; that breaches the partnership's agreement.", "Appointment offered within a week; staff retrained."); err != nil {
		t.Fatal(err)
	}
	rep, err = d.svc.FollowGrievance(ctx, enforce.GrievanceReporter{Code: code})
	if err != nil || rep.Status != accord.GrievanceClosed || rep.CanAdd || rep.CanAppeal {
		t.Fatalf("after the decision: %+v, %v", rep, err)
	}
	for _, e := range rep.Events {
		if e.ActorID != "reporter" && e.ActorID != "system" && e.ActorID != "staff" {
			t.Errorf("the person sees a staff id on an event: %+v", e)
		}
	}
}

// TestGrievanceForStaffAndPortal: staff raise one on a person's behalf
// (oversight sees who did), and a portal client raises one linked to them.
func TestGrievanceForStaffAndPortal(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	nav := d.caller("omar.navigator")
	g := &accord.Grievance{Category: accord.GrievanceLanguage, OrganizationID: nav.Staff.OrganizationID, Description: "No Arabic interpreter at the housing office.",
		Anonymous: true}
	if _, err := d.svc.RaiseGrievanceFor(ctx, nav, g); err != nil {
		t.Fatal(err)
	}
	over, err := d.svc.Grievance(ctx, d.caller("c.achebe"), g.ID)
	if err != nil || over.RaisedBy != nav.Staff.ID || over.Channel != accord.ChannelStaff || over.Names[nav.Staff.ID] == "" {
		t.Errorf("oversight sees raised by %q via %q: %v", over.RaisedBy, over.Channel, err)
	}
	// Welcome House has no privacy officer: its supervisor answers.
	if !queued(t, d, "o.kovalenko", g.ID) {
		t.Error("the NGO's supervisor does not have the grievance")
	}
	if queued(t, d, "omar.navigator", g.ID) {
		t.Error("the navigator who raised it has it in a queue")
	}

	client := d.p.Scenarios[0].ClientID
	pg := &accord.Grievance{Category: accord.GrievancePrivacy, Description: "My letter was sent to the wrong address."}
	if _, err := d.svc.RaisePortalGrievance(ctx, client, pg); err != nil {
		t.Fatal(err)
	}
	mine, err := d.svc.ClientGrievances(ctx, client)
	if err != nil || len(mine) != 1 || mine[0].ID != pg.ID {
		t.Fatalf("the client's grievances: %v, %v", mine, err)
	}
	if _, err := d.svc.FollowGrievance(ctx, enforce.GrievanceReporter{ClientID: client, GrievanceID: pg.ID}); err != nil {
		t.Error(err)
	}
	other := d.p.Clients[0].ID
	if other == client {
		other = d.p.Clients[1].ID
	}
	if _, err := d.svc.FollowGrievance(ctx, enforce.GrievanceReporter{ClientID: other, GrievanceID: pg.ID}); accord.ErrorCode(err) != accord.ENOTFOUND {
		t.Errorf("another client following it: %v, want not_found", err)
	}
	seen, err := d.svc.Grievance(ctx, d.caller("i.larsen"), pg.ID)
	if err != nil || seen.ClientID != client {
		t.Errorf("oversight does not see the linked client: %v", err)
	}
}
