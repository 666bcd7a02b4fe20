package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// fixture is a database with a small partnership in it.
type fixture struct {
	t      *testing.T
	dsn    string
	ring   *sealing.Keyring
	db     *sqlstore.DB
	clinic accord.Organization
	legal  accord.Organization
	police accord.Organization
	admin  accord.Actor
	nurse  accord.Staff
	now    time.Time
}

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// forEachEngine runs f against a fresh database on every engine.
func forEachEngine(t *testing.T, f func(t *testing.T, fx *fixture)) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			fx := &fixture{t: t, dsn: e.DSN(t), ring: sealing.GenerateKeyring(), now: t0}
			fx.db = fx.open()
			fx.seed()
			f(t, fx)
		})
	}
}

func (fx *fixture) open() *sqlstore.DB {
	fx.t.Helper()
	db, err := sqlstore.Open(context.Background(), fx.dsn, sqlstore.Options{Keyring: fx.ring, Now: func() time.Time { return fx.now }})
	if err != nil {
		fx.t.Fatal(err)
	}
	fx.t.Cleanup(func() { db.Close() })
	return db
}

func (fx *fixture) seed() {
	t, ctx := fx.t, context.Background()
	fx.admin = accord.Actor{StaffID: "system"}
	for _, o := range []*accord.Organization{
		{Name: "Clinic", Sector: accord.SectorHealth},
		{Name: "Legal Aid", Sector: accord.SectorLegal},
		{Name: "Police", Sector: accord.SectorLawEnforcement},
	} {
		if err := fx.db.CreateOrganization(ctx, fx.admin, o); err != nil {
			t.Fatal(err)
		}
	}
	orgs, err := fx.db.Organizations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]accord.Organization{}
	for _, o := range orgs {
		byName[o.Name] = o
	}
	fx.clinic, fx.legal, fx.police = byName["Clinic"], byName["Legal Aid"], byName["Police"]
	fx.nurse = accord.Staff{OrganizationID: fx.clinic.ID, Username: "nurse", DisplayName: "N. Urse", Roles: []accord.Role{accord.RoleClinician}, Active: true}
	if err := fx.db.CreateStaff(ctx, fx.admin, &fx.nurse, ""); err != nil {
		t.Fatal(err)
	}
}

func (fx *fixture) actor() accord.Actor {
	return accord.Actor{StaffID: fx.nurse.ID, OrganizationID: fx.clinic.ID, Sector: accord.SectorHealth, Roles: fx.nurse.RoleSet()}
}

func (fx *fixture) client(given string) *accord.Client {
	fx.t.Helper()
	c := &accord.Client{GivenName: given, FamilyName: "Núñez", BirthDate: "1990-04", Gender: accord.GenderNonBinary,
		PreferredLanguage: "es", InterpreterNeeded: true, Phone: "+44 7700 900123"}
	if err := fx.db.CreateClient(context.Background(), fx.actor(), c); err != nil {
		fx.t.Fatal(err)
	}
	return c
}

func code(err error) string { return accord.ErrorCode(err) }

func TestClients(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		c := fx.client("José")
		got, err := fx.db.FindClient(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("FindClient mismatch (-want +got):\n%s", diff)
		}
		for _, q := range []string{"jose", "JOSÉ núñez", "nunez", "  Jose   Nunez "} {
			found, err := fx.db.SearchClients(ctx, q, 10)
			if err != nil || len(found) != 1 || found[0].ID != c.ID {
				t.Errorf("SearchClients(%q) = %v, %v; want the client", q, found, err)
			}
		}
		if found, _ := fx.db.SearchClients(ctx, "100%_", 10); len(found) != 0 {
			t.Errorf("LIKE wildcards in a query matched %d clients", len(found))
		}
		team, err := fx.db.CareTeam(ctx, c.ID)
		if err != nil || !slices.Equal(team, []string{fx.nurse.ID}) {
			t.Errorf("care team = %v, %v; want the creator", team, err)
		}
		for name, bad := range map[string]accord.Client{
			"no name":       {Gender: accord.GenderNotStated, PreferredLanguage: "en"},
			"future birth":  {GivenName: "A", BirthDate: "2099", Gender: accord.GenderNotStated, PreferredLanguage: "en"},
			"bad language":  {GivenName: "A", Gender: accord.GenderNotStated, PreferredLanguage: "not a tag!"},
			"control chars": {GivenName: "A\x00B", Gender: accord.GenderNotStated, PreferredLanguage: "en"},
			"bad gender":    {GivenName: "A", Gender: "x", PreferredLanguage: "en"},
		} {
			if err := fx.db.CreateClient(ctx, fx.actor(), &bad); code(err) != accord.EINVALID {
				t.Errorf("%s: CreateClient = %v, want invalid", name, err)
			}
		}
		if _, err := fx.db.FindClient(ctx, "cli_doesnotexistdoesnotexist2"); code(err) != accord.ENOTFOUND {
			t.Errorf("FindClient(unknown) = %v, want not_found", err)
		}
	})
}

func TestRecordsAreSealedAndShredded(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		c := fx.client("Amal")
		secret := "Asylum claim pending; interview on 3 December"
		r := &accord.Record{ClientID: c.ID, OrganizationID: fx.clinic.ID, Category: accord.CatImmigrationStatus, Content: secret,
			Note: "very private note", RecordedBy: fx.nurse.ID}
		if err := fx.db.CreateRecord(ctx, fx.actor(), r); err != nil {
			t.Fatal(err)
		}
		raw := rawDB(t, fx)
		var content, note []byte
		if err := raw.QueryRow(`SELECT content, note FROM records WHERE id = $1`, r.ID).Scan(&content, &note); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(content, []byte("Asylum")) || bytes.Contains(note, []byte("private")) {
			t.Fatal("record content is stored in plaintext")
		}
		groups, err := fx.db.RecordGroups(ctx, c.ID)
		if err != nil || len(groups) != 1 {
			t.Fatalf("RecordGroups = %v, %v", groups, err)
		}
		got, err := fx.db.OpenRecords(ctx, c.ID, groups[0].RecordIDs)
		if err != nil || len(got) != 1 || got[0].Content != secret || got[0].Note != "very private note" {
			t.Fatalf("OpenRecords = %v, %v", got, err)
		}

		// A second record's ciphertext moved onto the first is refused:
		// the AAD binds each ciphertext to its record.
		r2 := &accord.Record{ClientID: c.ID, OrganizationID: fx.clinic.ID, Category: accord.CatImmigrationStatus, Content: "other", RecordedBy: fx.nurse.ID}
		if err := fx.db.CreateRecord(ctx, fx.actor(), r2); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`UPDATE records SET content = (SELECT content FROM records WHERE id = $1) WHERE id = $2`, r2.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.db.OpenRecords(ctx, c.ID, []string{r.ID}); !errors.Is(err, sealing.ErrOpen) {
			t.Errorf("OpenRecords of swapped ciphertext = %v, want sealing.ErrOpen", err)
		}

		sizeBefore, _ := fx.db.AuditSize(ctx)
		if err := fx.db.EraseClient(ctx, fx.actor(), c.ID, "client asked"); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.db.FindClient(ctx, c.ID); code(err) != accord.ENOTFOUND {
			t.Errorf("FindClient after erasure = %v, want not_found", err)
		}
		var keys, records int
		raw.QueryRow(`SELECT count(*) FROM client_keys WHERE client_id = $1`, c.ID).Scan(&keys)
		raw.QueryRow(`SELECT count(*) FROM records WHERE client_id = $1`, c.ID).Scan(&records)
		var given string
		raw.QueryRow(`SELECT given_name FROM clients WHERE id = $1`, c.ID).Scan(&given)
		if keys != 0 || records != 0 || given != "" {
			t.Errorf("after erasure: %d keys, %d records, name %q; want none", keys, records, given)
		}
		sizeAfter, _ := fx.db.AuditSize(ctx)
		if sizeAfter != sizeBefore+1 {
			t.Errorf("erasure added %d audit entries, want 1", sizeAfter-sizeBefore)
		}
		if err := fx.db.EraseClient(ctx, fx.actor(), c.ID, "again"); code(err) != accord.ENOTFOUND {
			t.Errorf("second erasure = %v, want not_found", err)
		}
	})
}

func rawDB(t *testing.T, fx *fixture) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", fx.dsn
	if sqlstore.IsPostgresDSN(fx.dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (fx *fixture) agreement() *accord.Agreement {
	return &accord.Agreement{
		Title: "MLP", Parties: []string{fx.clinic.ID, fx.legal.ID}, Purposes: []accord.Purpose{accord.PurposeLegalAid},
		Categories: []accord.Category{accord.CatClinicalSummary}, Roles: []accord.Role{accord.RoleLegalAdvocate}, RetentionDays: 365,
		EffectiveFrom: t0.AddDate(0, -1, 0), EffectiveUntil: t0.AddDate(1, 0, 0), ReviewDate: t0.AddDate(0, 6, 0),
	}
}

func TestAgreementLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		a := fx.agreement()
		if err := fx.db.CreateAgreement(ctx, fx.admin, a); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.db.SetAgreementStatus(ctx, fx.admin, a.ID, 1, accord.AgreementActive, ""); code(err) != accord.ECONFLICT {
			t.Fatalf("activating unsigned = %v, want conflict", err)
		}
		if _, err := fx.db.SignAgreement(ctx, fx.admin, a.ID, 1, accord.Signatory{OrganizationID: fx.police.ID, Name: "X"}); code(err) != accord.EFORBIDDEN {
			t.Errorf("signing by a non-party = %v, want forbidden", err)
		}
		for _, org := range []string{fx.clinic.ID, fx.legal.ID} {
			if _, err := fx.db.SignAgreement(ctx, fx.admin, a.ID, 1, accord.Signatory{OrganizationID: org, Name: "Director"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := fx.db.SignAgreement(ctx, fx.admin, a.ID, 1, accord.Signatory{OrganizationID: fx.clinic.ID, Name: "Again"}); code(err) != accord.ECONFLICT {
			t.Errorf("signing twice = %v, want conflict", err)
		}
		if _, err := fx.db.SetAgreementStatus(ctx, fx.admin, a.ID, 1, accord.AgreementActive, ""); err != nil {
			t.Fatal(err)
		}
		v2 := fx.agreement()
		v2.ID = a.ID
		v2.Categories = append(v2.Categories, accord.CatScreening)
		if err := fx.db.AmendAgreement(ctx, fx.admin, v2); err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.Status != accord.AgreementDraft {
			t.Fatalf("amendment = v%d %s, want v2 draft", v2.Version, v2.Status)
		}
		for _, org := range []string{fx.clinic.ID, fx.legal.ID} {
			if _, err := fx.db.SignAgreement(ctx, fx.admin, a.ID, 2, accord.Signatory{OrganizationID: org, Name: "Director"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := fx.db.SetAgreementStatus(ctx, fx.admin, a.ID, 2, accord.AgreementActive, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.db.SetAgreementStatus(ctx, fx.admin, a.ID, 2, accord.AgreementSuspended, ""); code(err) != accord.EINVALID {
			t.Errorf("suspending without a reason = %v, want invalid", err)
		}
		if _, err := fx.db.SetAgreementStatus(ctx, fx.admin, a.ID, 2, accord.AgreementSuspended, "audit finding"); err != nil {
			t.Fatal(err)
		}
		vs, err := fx.db.FindAgreement(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []accord.AgreementStatus
		for _, v := range vs {
			got = append(got, v.Status)
		}
		if diff := cmp.Diff([]accord.AgreementStatus{accord.AgreementSuperseded, accord.AgreementSuspended}, got); diff != "" {
			t.Errorf("statuses (-want +got):\n%s", diff)
		}
		if _, err := fx.db.SetAgreementStatus(ctx, fx.admin, a.ID, 1, accord.AgreementActive, ""); code(err) != accord.ECONFLICT {
			t.Errorf("reactivating a superseded version = %v, want conflict", err)
		}

		// Past its sunset date, the agreement is recorded as expired.
		fx.now = t0.AddDate(2, 0, 0)
		if n, err := fx.db.ExpireAgreements(ctx); err != nil || n != 1 {
			t.Errorf("ExpireAgreements = %d, %v; want 1", n, err)
		}
		if _, err := fx.db.SetAgreementStatus(ctx, fx.admin, a.ID, 2, accord.AgreementActive, ""); code(err) != accord.ECONFLICT {
			t.Errorf("reactivating an expired version = %v, want conflict", err)
		}
	})
}

func TestConsentRevocation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		c := fx.client("Amal")
		cn := &accord.Consent{ClientID: c.ID, Method: accord.MethodWritten, Language: "es", Provisions: []accord.Provision{{
			Type: accord.ProvisionPermit, Organizations: []string{fx.legal.ID}, Purposes: []accord.Purpose{accord.PurposeLegalAid},
			Categories: []accord.Category{accord.CatClinicalSummary},
		}}}
		if err := fx.db.CreateConsent(ctx, fx.actor(), cn); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.db.RevokeConsent(ctx, fx.actor(), cn.ID, "client asked"); err != nil {
			t.Fatal(err)
		}
		size, _ := fx.db.AuditSize(ctx)
		if _, err := fx.db.RevokeConsent(ctx, fx.actor(), cn.ID, "again"); code(err) != accord.ECONFLICT {
			t.Errorf("revoking twice = %v, want conflict", err)
		}
		if after, _ := fx.db.AuditSize(ctx); after != size {
			t.Errorf("a refused revocation wrote %d audit entries", after-size)
		}
		got, err := fx.db.FindConsent(ctx, cn.ID)
		if err != nil || got.Status != accord.ConsentRevoked || got.RevocationReason != "client asked" {
			t.Errorf("consent after revocation = %+v, %v", got, err)
		}

		minor := &accord.Client{GivenName: "Kid", BirthDate: "2015-01-01", Gender: accord.GenderNotStated, PreferredLanguage: "uk"}
		if err := fx.db.CreateClient(ctx, fx.actor(), minor); err != nil {
			t.Fatal(err)
		}
		mc := *cn
		mc.ID, mc.ClientID, mc.Status, mc.RevokedAt = "", minor.ID, "", nil
		if err := fx.db.CreateConsent(ctx, fx.actor(), &mc); code(err) != accord.EINVALID {
			t.Errorf("a minor's consent without a guardian = %v, want invalid", err)
		}
		mc.ID, mc.Guardian = "", &accord.Guardian{Name: "Olena", Relationship: "mother"}
		if err := fx.db.CreateConsent(ctx, fx.actor(), &mc); err != nil {
			t.Errorf("a minor's consent with a guardian = %v", err)
		}
	})
}

// recorder is a PolicySink that remembers what it was told.
type recorder struct {
	mu       sync.Mutex
	consents map[string]accord.ConsentStatus
	agrees   map[string]int
	orgs     int
}

func (r *recorder) PutOrganization(string, accord.Sector) { r.mu.Lock(); r.orgs++; r.mu.Unlock() }
func (r *recorder) PutAgreement(a *accord.Agreement) {
	r.mu.Lock()
	r.agrees[a.ID] = max(r.agrees[a.ID], a.Version)
	r.mu.Unlock()
}
func (r *recorder) RemoveAgreement(id string) { r.mu.Lock(); delete(r.agrees, id); r.mu.Unlock() }
func (r *recorder) PutConsent(c *accord.Consent) {
	r.mu.Lock()
	r.consents[c.ID] = c.Status
	r.mu.Unlock()
}
func (r *recorder) PutLegalBasis(*accord.LegalBasis)   {}
func (r *recorder) SetCareTeam(string, []string)       {}
func (r *recorder) RemoveClient(string)                {}
func (r *recorder) SetLocalPolicies(text string) error { return nil }

// TestPolicyFeedAcrossProcesses opens the database twice, as two server
// processes would, and checks a revocation through one reaches the other's
// decision point on its next Sync.
func TestPolicyFeedAcrossProcesses(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		other := fx.open()
		rec := &recorder{consents: map[string]accord.ConsentStatus{}, agrees: map[string]int{}}
		feed, err := other.LoadPolicy(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		if rec.orgs != 3 {
			t.Errorf("loaded %d organisations, want 3", rec.orgs)
		}
		c := fx.client("Amal")
		cn := &accord.Consent{ClientID: c.ID, Method: accord.MethodVerbal, Language: "ar", Provisions: []accord.Provision{{
			Type: accord.ProvisionDeny}}}
		if err := fx.db.CreateConsent(ctx, fx.actor(), cn); err != nil {
			t.Fatal(err)
		}
		if err := feed.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if rec.consents[cn.ID] != accord.ConsentActive {
			t.Fatalf("after Sync the other process sees %q, want active", rec.consents[cn.ID])
		}
		if _, err := fx.db.RevokeConsent(ctx, fx.actor(), cn.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := feed.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if rec.consents[cn.ID] != accord.ConsentRevoked {
			t.Errorf("after Sync the other process sees %q, want revoked", rec.consents[cn.ID])
		}
		a := fx.agreement()
		if err := fx.db.CreateAgreement(ctx, fx.admin, a); err != nil {
			t.Fatal(err)
		}
		feed.Sync(ctx)
		if rec.agrees[a.ID] != 1 {
			t.Errorf("agreement not seen by the other process")
		}
	})
}

func TestAuditLogGroupCommit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		other := fx.open() // a second server process on the same database
		start, _ := fx.db.AuditSize(ctx)
		const writers, each = 8, 40
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			db := fx.db
			if w%2 == 1 {
				db = other
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					e := accord.AuditEntry{Kind: accord.AuditDecision, ActorID: fmt.Sprintf("w%d", w), Action: fmt.Sprintf("n%d", i)}
					if err := db.AppendAudit(ctx, e, e); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		size, err := fx.db.AuditSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := start + writers*each*2; size != want {
			t.Fatalf("size = %d, want %d", size, want)
		}
		entries, err := fx.db.AuditEntries(ctx, sqlstore.AuditFilter{After: -1, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var leaves [][]byte
		for i, e := range entries {
			if e.Index != int64(i) {
				t.Fatalf("entry %d has index %d", i, e.Index)
			}
			leaf, err := auditlog.EncodeLeaf(&e)
			if err != nil {
				t.Fatal(err)
			}
			leaves = append(leaves, leaf)
		}
		// Each call's two entries are adjacent.
		for i := int(start); i < len(entries); i += 2 {
			if entries[i].ActorID != entries[i+1].ActorID || entries[i].Action != entries[i+1].Action {
				t.Fatalf("entries %d and %d of one call are not adjacent", i, i+1)
			}
		}
		root, err := fx.db.RootAt(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		if want := naiveRoot(leaves); !bytes.Equal(root, want) {
			t.Fatalf("stored tree root differs from a recomputation")
		}
		for _, idx := range []uint64{0, 1, size / 2, size - 1} {
			proof, err := other.InclusionProof(ctx, idx, size)
			if err != nil {
				t.Fatal(err)
			}
			cp := auditlog.Checkpoint{Origin: "test", Size: size, Hash: root}
			if err := auditlog.VerifyInclusion(cp, idx, leaves[idx], proof); err != nil {
				t.Errorf("inclusion proof of %d: %v", idx, err)
			}
		}
		if _, err := fx.db.InclusionProof(ctx, size, size); code(err) != accord.EINVALID {
			t.Errorf("proof of index == size = %v, want invalid", err)
		}
	})
}

// naiveRoot is the RFC 6962 root of leaves, computed the slow, obvious way.
func naiveRoot(leaves [][]byte) []byte {
	var hashes [][]byte
	for _, l := range leaves {
		hashes = append(hashes, auditlog.LeafHash(l))
	}
	var root func([][]byte) []byte
	root = func(h [][]byte) []byte {
		if len(h) == 1 {
			return h[0]
		}
		k := 1
		for k*2 < len(h) {
			k *= 2
		}
		return rfc6962.DefaultHasher.HashChildren(root(h[:k]), root(h[k:]))
	}
	return root(hashes)
}

func TestKeyRotation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		c := fx.client("Amal")
		r := &accord.Record{ClientID: c.ID, OrganizationID: fx.clinic.ID, Category: accord.CatClinicalNote, Content: "note", RecordedBy: fx.nurse.ID}
		if err := fx.db.CreateRecord(ctx, fx.actor(), r); err != nil {
			t.Fatal(err)
		}
		for _, dataKeys := range []bool{false, true} {
			v := fx.ring.Rotate()
			if _, _, err := fx.db.RotateKeys(ctx, dataKeys); err != nil {
				t.Fatal(err)
			}
			fx.ring.Retire(v)
			fresh := fx.open() // no cached keys
			got, err := fresh.OpenRecords(ctx, c.ID, []string{r.ID})
			if err != nil || len(got) != 1 || got[0].Content != "note" {
				t.Fatalf("after rotation (data keys %v): %v, %v", dataKeys, got, err)
			}
		}
	})
}

func TestImportIsAtomic(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		size, _ := fx.db.AuditSize(ctx)
		err := fx.db.Import(ctx, fx.admin, "test.import", func(im *sqlstore.Importer) error {
			if err := im.Organization(&accord.Organization{Name: "New", Sector: accord.SectorSocial}); err != nil {
				return err
			}
			return im.Organization(&accord.Organization{Name: "Bad", Sector: "nope"})
		})
		if code(err) != accord.EINVALID {
			t.Fatalf("Import = %v, want invalid", err)
		}
		orgs, _ := fx.db.Organizations(ctx)
		if len(orgs) != 3 {
			t.Errorf("a failed import left %d organisations, want 3", len(orgs))
		}
		if after, _ := fx.db.AuditSize(ctx); after != size {
			t.Errorf("a failed import wrote %d audit entries", after-size)
		}
	})
}

// TestRoundTrips stores each kind of object and reads it back: every field
// must survive, on both engines.
func TestRoundTrips(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		c := fx.client("Amal")
		reviewed := t0.Add(time.Hour)
		b := &accord.LegalBasis{Kind: accord.BasisCourtOrder, ClientID: c.ID, Categories: []accord.Category{accord.CatImmigrationStatus},
			RecipientOrganizationID: fx.police.ID, HolderOrganizationID: fx.clinic.ID, Purposes: []accord.Purpose{accord.PurposeLegal},
			Reference: "FD26P01234", Issuer: "High Court", Reason: "order", ValidFrom: t0, ExpiresAt: t0.AddDate(0, 3, 0),
			RecordedBy: fx.nurse.ID, RecordedAt: t0, ReviewStatus: accord.ReviewJustified, ReviewedBy: "stf_x", ReviewedAt: &reviewed, ReviewNote: "ok"}
		if err := fx.db.CreateLegalBasis(ctx, fx.actor(), b); err != nil {
			t.Fatal(err)
		}
		got, err := fx.db.FindLegalBasis(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(b, got); diff != "" {
			t.Errorf("legal basis (-stored +read):\n%s", diff)
		}
		end := t0.AddDate(1, 0, 0)
		pstart := t0.Add(time.Hour)
		cn := &accord.Consent{ClientID: c.ID, Method: accord.MethodVerbalInterpreter, Language: "ar", InterpreterID: fx.nurse.ID,
			Start: t0, End: &end, Guardian: &accord.Guardian{Name: "G", Relationship: "aunt"},
			Provisions: []accord.Provision{
				{Type: accord.ProvisionPermit, Organizations: []string{fx.legal.ID}, Sectors: []accord.Sector{accord.SectorSocial},
					Purposes: []accord.Purpose{accord.PurposeLegalAid}, Categories: []accord.Category{accord.CatClinicalSummary},
					Sensitivity: []accord.Sensitivity{accord.SensPSY}, Start: &pstart, End: &end},
				{Type: accord.ProvisionDeny, Purposes: []accord.Purpose{accord.PurposeResearch}},
			}}
		if err := fx.db.CreateConsent(ctx, fx.actor(), cn); err != nil {
			t.Fatal(err)
		}
		gotc, err := fx.db.FindConsent(ctx, cn.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(cn, gotc); diff != "" {
			t.Errorf("consent (-stored +read):\n%s", diff)
		}
		a := fx.agreement()
		a.ProhibitedRecipients = []string{fx.police.ID}
		a.Signatories = []accord.Signatory{{OrganizationID: fx.clinic.ID, Name: "D", Title: "Director", SignedAt: t0}}
		if err := fx.db.CreateAgreement(ctx, fx.admin, a); err != nil {
			t.Fatal(err)
		}
		vs, err := fx.db.FindAgreement(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(*a, vs[0]); diff != "" {
			t.Errorf("agreement (-stored +read):\n%s", diff)
		}
	})
}

// TestEscalationSLA: the agreement between two organisations sets the
// escalation clock when it says; else the organisation's own; else the
// default for the urgency.
func TestEscalationSLA(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		sla := func(from, to string, u accord.Urgency) time.Duration {
			t.Helper()
			d, err := fx.db.EscalationSLA(ctx, from, to, u, t0)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if got := sla(fx.clinic.ID, fx.legal.ID, accord.UrgencyUrgent); got != 4*time.Hour {
			t.Errorf("default urgent = %v, want 4h", got)
		}
		lawyer := accord.Staff{OrganizationID: fx.legal.ID, Username: "lawyer", DisplayName: "L", Roles: []accord.Role{accord.RoleLegalAdvocate}, Active: true}
		if err := fx.db.CreateStaff(ctx, fx.admin, &lawyer, ""); err != nil {
			t.Fatal(err)
		}
		if err := fx.db.SetEscalationChain(ctx, fx.admin, fx.legal.ID, []string{lawyer.ID}, map[accord.Urgency]int{accord.UrgencyUrgent: 90}); err != nil {
			t.Fatal(err)
		}
		if got := sla(fx.clinic.ID, fx.legal.ID, accord.UrgencyUrgent); got != 90*time.Minute {
			t.Errorf("organisation's urgent = %v, want 90m", got)
		}
		a := fx.agreement()
		a.Status = accord.AgreementActive
		a.Signatories = []accord.Signatory{{OrganizationID: fx.clinic.ID, Name: "A"}, {OrganizationID: fx.legal.ID, Name: "B"}}
		a.EscalationSLA = map[accord.Urgency]int{accord.UrgencyUrgent: 45}
		if err := fx.db.CreateAgreement(ctx, fx.admin, a); err != nil {
			t.Fatal(err)
		}
		if got := sla(fx.clinic.ID, fx.legal.ID, accord.UrgencyUrgent); got != 45*time.Minute {
			t.Errorf("agreement's urgent = %v, want 45m", got)
		}
		if got := sla(fx.clinic.ID, fx.legal.ID, accord.UrgencyImmediate); got != 30*time.Minute {
			t.Errorf("immediate with none set = %v, want the default 30m", got)
		}
		if err := fx.db.SetEscalationChain(ctx, fx.admin, fx.legal.ID, []string{lawyer.ID}, map[accord.Urgency]int{accord.UrgencyRoutine: 5}); code(err) != accord.EINVALID {
			t.Errorf("a routine escalation time = %v, want invalid", err)
		}
	})
}
