package sqlstore_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var attachmentPDF = []byte("%PDF-1.4\n% Letter from Riverside about my appointment\n%%EOF\n")

func preparedPDF(t *testing.T, name string) accord.GrievanceAttachment {
	t.Helper()
	a, err := accord.PrepareGrievanceAttachment(name, attachmentPDF)
	if err != nil {
		t.Fatal(err)
	}
	return *a
}

// TestGrievanceAttachments stores files with a grievance and with added
// information: sealed (neither name nor bytes in the clear), listed in
// order without their bytes, opened one at a time, and only under their
// own grievance. Refused files store nothing: no grievance, no file.
func TestGrievanceAttachments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		gf := newGrievanceFixture(t, fx)
		g := &accord.Grievance{Category: accord.GrievancePrivacy, Description: "My letter went to my old address.", OrganizationID: fx.clinic.ID,
			Anonymous: true, Attachments: []accord.GrievanceAttachment{preparedPDF(t, "Riverside letter.pdf")}}
		gf.raise(g)
		other := &accord.Grievance{Category: accord.GrievanceOther, Description: "Another complaint.", Anonymous: true}
		gf.raise(other)

		if _, err := fx.db.UpdateGrievance(ctx, accord.Actor{StaffID: "public"}, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventInfo,
			Attachments: []accord.GrievanceAttachment{preparedPDF(t, "second.pdf")}}); err != nil {
			t.Fatalf("adding a file without text: %v", err)
		}
		got, err := fx.db.GrievanceAttachments(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []accord.GrievanceAttachment{
			{GrievanceID: g.ID, Seq: 1, Name: "Riverside letter.pdf", ContentType: accord.ContentPDF, Size: len(attachmentPDF), CreatedAt: fx.now},
			{GrievanceID: g.ID, Seq: 2, Name: "second.pdf", ContentType: accord.ContentPDF, Size: len(attachmentPDF), CreatedAt: fx.now},
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(accord.GrievanceAttachment{}, "ID", "EventID")); diff != "" {
			t.Fatalf("attachments (-want +got):\n%s", diff)
		}
		if got[0].EventID != "" || got[1].EventID == "" {
			t.Errorf("event ids %q, %q: want none for the first, the info event for the second", got[0].EventID, got[1].EventID)
		}

		a, err := fx.db.GrievanceAttachment(ctx, g.ID, got[0].ID)
		if err != nil || !bytes.Equal(a.Data, attachmentPDF) || a.Name != "Riverside letter.pdf" {
			t.Fatalf("opening the file: %v, %+v", err, a)
		}
		for name, ids := range map[string][2]string{
			"under another grievance": {other.ID, got[0].ID},
			"unknown id":              {g.ID, accord.NewID(accord.PrefixGrievanceAttachment, nil)},
			"malformed id":            {g.ID, "gat_../../etc"},
		} {
			if _, err := fx.db.GrievanceAttachment(ctx, ids[0], ids[1]); accord.ErrorCode(err) != accord.ENOTFOUND {
				t.Errorf("%s: %v, want not found", name, err)
			}
		}

		raw := rawDB(t, fx)
		rows, err := raw.Query(`SELECT name, body FROM grievance_attachments`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name, body []byte
			if err := rows.Scan(&name, &body); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(name, []byte("Riverside")) || bytes.Contains(body, []byte("Letter from")) || bytes.Contains(body, []byte("%PDF")) {
				t.Error("a file's name or bytes are stored in the clear")
			}
		}
		rows.Close()

		t.Run("refused files store nothing", func(t *testing.T) {
			countOf := func(table string) int {
				var n int
				if err := raw.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			grievances, files := countOf("grievances"), countOf("grievance_attachments")
			pdf := preparedPDF(t, "x.pdf")
			fake := pdf
			fake.Data = []byte("<html>not a pdf</html>")
			for _, tc := range []struct {
				name  string
				files []accord.GrievanceAttachment
				code  string
			}{
				{"four files", []accord.GrievanceAttachment{pdf, pdf, pdf, pdf}, accord.EINVALID},
				{"bytes that are not what the type says", []accord.GrievanceAttachment{pdf, fake}, accord.EUNSUPPORTEDMEDIA},
			} {
				t.Run(tc.name, func(t *testing.T) {
					code, _ := accord.NormalizeTrackingCode(accord.NewTrackingCode())
					err := fx.db.CreateGrievance(ctx, accord.Actor{StaffID: "public"}, &accord.Grievance{Category: accord.GrievanceOther,
						Description: "Refused.", Anonymous: true, Attachments: tc.files}, accord.TrackingCodeHash(code))
					if e := accord.AsError(err); e == nil || e.Code != tc.code || e.Field != "attachments" {
						t.Errorf("raising: %v, want %s about attachments", err, tc.code)
					}
					_, err = fx.db.UpdateGrievance(ctx, accord.Actor{StaffID: "public"}, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventInfo,
						Text: "More.", Attachments: tc.files})
					if accord.ErrorCode(err) != tc.code {
						t.Errorf("adding information: %v, want %s", err, tc.code)
					}
				})
			}
			if _, err := fx.db.UpdateGrievance(ctx, accord.Actor{StaffID: gf.officer.ID, OrganizationID: fx.clinic.ID}, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventMessage,
				Text: "A message.", Attachments: []accord.GrievanceAttachment{pdf}}); accord.ErrorCode(err) != accord.EINVALID {
				t.Errorf("a staff message with a file: %v, want invalid", err)
			}
			if g, f := countOf("grievances"), countOf("grievance_attachments"); g != grievances || f != files {
				t.Errorf("refused submissions stored %d grievances and %d files", g-grievances, f-files)
			}
		})
	})
}
