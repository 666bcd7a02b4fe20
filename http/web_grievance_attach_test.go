package http_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
	"github.com/accord-project/accord/sqlstore"
)

// A small PDF, as a PDF starts.
var testPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// jpegWithEXIF returns a JPEG carrying an EXIF segment (APP1) that names a
// place and an owner, as a phone's photo does.
func jpegWithEXIF(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range 16 {
		img.Set(i, i, color.RGBA{200, 10, 10, 255})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"), []byte("GPS 51.5072N 0.1276W owner Samira")...)
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

var attachmentLinkRE = regexp.MustCompile(`href="(/grievances/grv_[a-z2-7]{26}/attachments/gat_[a-z2-7]{26})"`)

// TestWebGrievanceAttachments: files sent with a complaint are checked
// from their bytes; too big, the wrong type (whatever its name says) and
// too many are refused beside the file field with the rest of the form
// kept, and nothing is stored; a PDF and a photo are accepted, the photo
// without its EXIF, listed for the person, downloaded by the officer, and
// each download is in the audit log.
func TestWebGrievanceAttachments(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	clinic := orgNamed(t, srv, "Riverside")
	b := srv.Browser(t)
	form := func() url.Values {
		return url.Values{"category": {"privacy_breach"}, "description": {"My letter was posted to my old address."},
			"organization_id": {clinic.ID}, "identity": {"anonymous"}, "form_token": {b.Get(t, "/grievances/new").FormToken()}}
	}
	pdf := func(name string, data []byte) testserver.File {
		return testserver.File{Field: "attachments", Name: name, ContentType: "application/pdf", Data: data}
	}
	big := append(append([]byte{}, testPDF...), bytes.Repeat([]byte("x"), accord.GrievanceAttachmentMax)...)

	t.Run("refused", func(t *testing.T) {
		before := grievanceCount(t, srv)
		for _, tc := range []struct {
			name   string
			files  []testserver.File
			status int
			says   string
		}{
			{"a file over 5 MB", []testserver.File{pdf("scan.pdf", big)}, http.StatusRequestEntityTooLarge, "too big"},
			{"an HTML page named .pdf", []testserver.File{pdf("letter.pdf", []byte("<html><script>alert(1)</script></html>"))}, http.StatusUnsupportedMediaType, "not a PDF, JPEG or PNG"},
			{"an executable named .pdf", []testserver.File{pdf("letter.pdf", append([]byte("MZ\x90\x00"), make([]byte, 64)...))}, http.StatusUnsupportedMediaType, "not a PDF, JPEG or PNG"},
			{"four files", []testserver.File{pdf("a.pdf", testPDF), pdf("b.pdf", testPDF), pdf("c.pdf", testPDF), pdf("d.pdf", testPDF)}, http.StatusUnprocessableEntity, "at most 3 files"},
			{"a broken photo", []testserver.File{{Field: "attachments", Name: "photo.jpg", ContentType: "image/jpeg", Data: []byte("\xFF\xD8\xFF\xE0 not really")}}, http.StatusUnprocessableEntity, "could not be read"},
			{"an empty file", []testserver.File{pdf("empty.pdf", nil)}, http.StatusUnprocessableEntity, "empty"},
			{"four files too big together", []testserver.File{pdf("a.pdf", big[:accord.GrievanceAttachmentMax]), pdf("b.pdf", big[:accord.GrievanceAttachmentMax]),
				pdf("c.pdf", big[:accord.GrievanceAttachmentMax]), pdf("d.pdf", big[:accord.GrievanceAttachmentMax])}, http.StatusUnprocessableEntity, "at most 3 files"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := b.PostMultipart(t, "/grievances/new", form(), tc.files)
				if p.Status != tc.status {
					t.Fatalf("status %d, want %d: %q", p.Status, tc.status, p.Text())
				}
				if !strings.Contains(p.Body, `id="f-attachments-error"`) || !p.Contains(tc.says) {
					t.Errorf("no error %q beside the file field: %q", tc.says, p.Text())
				}
				if !p.Contains("posted to my old address") {
					t.Error("what was typed is lost")
				}
				if trackingCodeRE.MatchString(p.Body) {
					t.Error("a code was shown for a refused complaint")
				}
			})
		}
		if n := grievanceCount(t, srv); n != before {
			t.Errorf("%d complaints stored by refused forms", n-before)
		}
	})

	photo := jpegWithEXIF(t)
	var code string
	t.Run("a PDF and a photo are accepted", func(t *testing.T) {
		p := b.PostMultipart(t, "/grievances/new", form(), []testserver.File{pdf("../../Letter from clinic.pdf", testPDF),
			{Field: "attachments", Name: "IMG_0042.jpeg", ContentType: "image/jpeg", Data: photo}})
		m := trackingCodeRE.FindStringSubmatch(p.Body)
		if p.Status != http.StatusCreated || m == nil {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
		code = m[1]
		v := track(t, b, code)
		if !v.Contains("Files you attached") || !v.Contains("Letter from clinic.pdf") || !v.Contains("IMG_0042.jpg") || strings.Contains(v.Body, "/attachments/") {
			t.Errorf("the person's view of their files: %q", v.Text())
		}
	})

	officer := srv.Browser(t)
	officer.SignIn(t, "p.nowak")
	id := grievanceIDs(officer.Get(t, "/grievances"))[0]
	d := officer.Get(t, "/grievances/"+id)
	links := attachmentLinkRE.FindAllStringSubmatch(d.Body, -1)
	if len(links) != 2 {
		t.Fatalf("%d download links, want 2: %q", len(links), d.Text())
	}
	for i, tc := range []struct {
		ct, name string
		check    func(t *testing.T, body []byte)
	}{
		{"application/pdf", "Letter from clinic.pdf", func(t *testing.T, body []byte) {
			if !bytes.Equal(body, bytes.TrimSpace(testPDF)) { // the test browser trims the body
				t.Error("the PDF changed")
			}
		}},
		{"image/jpeg", "IMG_0042.jpg", func(t *testing.T, body []byte) {
			if bytes.Contains(body, []byte("Exif")) || bytes.Contains(body, []byte("Samira")) {
				t.Error("the photo still carries its EXIF")
			}
			if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
				t.Errorf("the photo is not a JPEG: %v", err)
			}
		}},
	} {
		t.Run("download "+tc.name, func(t *testing.T) {
			p := officer.Get(t, links[i][1])
			if p.Status != http.StatusOK {
				t.Fatalf("status %d", p.Status)
			}
			for h, want := range map[string]string{"Content-Type": tc.ct, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
				if got := p.Header.Get(h); got != want {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
			disp, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != tc.name {
				t.Errorf("Content-Disposition %q, want an attachment named %q", p.Header.Get("Content-Disposition"), tc.name)
			}
			tc.check(t, []byte(p.Body))
		})
	}
	t.Run("others cannot download", func(t *testing.T) {
		other := srv.Browser(t)
		other.SignIn(t, "j.okafor")
		if p := other.Get(t, links[0][1]); p.Status != http.StatusNotFound || strings.HasPrefix(p.Body, "%PDF") {
			t.Errorf("status %d", p.Status)
		}
	})
	t.Run("each download is audited by id", func(t *testing.T) {
		entries, err := srv.DB.AuditEntries(context.Background(), sqlstore.AuditFilter{After: -1, Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Action == "grievance.attachment.download" && strings.HasPrefix(e.ObjectID, "gat_") {
				n++
			}
			if strings.Contains(e.ObjectID+e.Action, "Letter") {
				t.Error("an audit entry names a file")
			}
		}
		if n != 2 {
			t.Errorf("%d downloads audited, want 2", n)
		}
	})

	t.Run("adding information with a file", func(t *testing.T) {
		v := track(t, b, code)
		for _, tc := range []struct {
			name   string
			files  []testserver.File
			status int
		}{
			{"wrong type refused, text kept", []testserver.File{pdf("more.pdf", []byte("plain text"))}, http.StatusUnsupportedMediaType},
			{"a PDF added", []testserver.File{pdf("Second letter.pdf", testPDF)}, http.StatusOK},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := b.PostMultipart(t, "/grievances/track/info", url.Values{"form_token": {v.FormToken()}, "code": {code}, "text": {"They wrote to me again."}}, tc.files)
				if p.Status != tc.status {
					t.Fatalf("status %d, want %d: %q", p.Status, tc.status, p.Text())
				}
				if tc.status != http.StatusOK {
					if !strings.Contains(p.Body, `id="f-attachments-error"`) || !p.Contains("They wrote to me again.") {
						t.Errorf("no error beside the file field, or the text is lost: %q", p.Text())
					}
					return
				}
				if !p.Contains("Second letter.pdf") {
					t.Errorf("the added file is not listed: %q", p.Text())
				}
			})
		}
		if n := len(attachmentLinkRE.FindAllString(officer.Get(t, "/grievances/"+id).Body, -1)); n != 3 {
			t.Errorf("the officer sees %d files, want 3", n)
		}
	})
}

// TestWebGrievanceAttachmentsStaffAndPortal: staff raising a complaint for
// someone and a client in the portal attach files the same way; a refused
// file in the portal keeps what was typed and adds nothing.
func TestWebGrievanceAttachmentsStaffAndPortal(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	letter := testserver.File{Field: "attachments", Name: "letter.pdf", ContentType: "application/pdf", Data: testPDF}
	fake := testserver.File{Field: "attachments", Name: "letter.pdf", ContentType: "application/pdf", Data: []byte("just text")}

	nav := srv.Browser(t)
	nav.SignIn(t, "omar.navigator")
	p := nav.Get(t, "/grievances/raise")
	if !strings.Contains(p.Body, `enctype="multipart/form-data"`) || !strings.Contains(p.Body, `type="file"`) {
		t.Fatalf("the staff form takes no files: %q", p.Text())
	}
	form := url.Values{"form_token": {p.FormToken()}, "category": {"coercion"}, "description": {"Told to sign a consent form she could not read."},
		"identity": {"anonymous"}}
	if p := nav.PostMultipart(t, "/grievances/raise", form, []testserver.File{fake}); p.Status != http.StatusUnsupportedMediaType ||
		!strings.Contains(p.Body, `id="f-attachments-error"`) || !p.Contains("not a PDF, JPEG or PNG") {
		t.Fatalf("a disguised file from staff: %d %q", p.Status, p.Text())
	}
	if p := nav.PostMultipart(t, "/grievances/raise", form, []testserver.File{letter}); p.Status != http.StatusCreated {
		t.Fatalf("raising with a file: %d %q", p.Status, p.Text())
	}

	clientID := scenarioClient(t, srv, "advocate-reads-clinical-summary")
	staff := srv.Browser(t)
	staff.SignIn(t, "amina.navigator")
	client := portalSignIn(t, srv, strings.Join(issuePortalCode(t, srv, staff, clientID), ""))
	p = client.Get(t, "/my/grievances/new")
	p = client.PostMultipart(t, "/my/grievances/new", url.Values{"form_token": {p.FormToken()}, "category": {"privacy_breach"},
		"description": {"My appointment letter was posted to my old address."}}, []testserver.File{letter})
	if p.Status != http.StatusCreated {
		t.Fatalf("portal complaint with a file: %d %q", p.Status, p.Text())
	}
	link := regexp.MustCompile(`href="(/my/grievances/grv_[a-z2-7]{26})"`).FindStringSubmatch(client.Get(t, "/my/grievances").Body)
	v := client.Get(t, link[1])
	if !v.Contains("Files you attached") || !v.Contains("letter.pdf") {
		t.Fatalf("the portal view lists no file: %q", v.Text())
	}
	for _, tc := range []struct {
		name  string
		file  testserver.File
		files int
	}{
		{"a disguised file is refused", fake, 1},
		{"a second letter is added", testserver.File{Field: "attachments", Name: "reply.pdf", ContentType: "application/pdf", Data: testPDF}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := client.Get(t, link[1])
			p := client.PostMultipart(t, link[1]+"/info", url.Values{"form_token": {formTokenIn(v.Body, link[1]+"/info")}, "text": {"Here is their reply."}},
				[]testserver.File{tc.file})
			if tc.files == 1 && (!strings.Contains(p.Body, `id="f-attachments-error"`) || !p.Contains("Here is their reply.")) {
				t.Errorf("refused file: %d %q", p.Status, p.Text())
			}
			id := strings.TrimPrefix(link[1], "/my/grievances/")
			as, err := srv.DB.GrievanceAttachments(context.Background(), id)
			if err != nil || len(as) != tc.files {
				t.Errorf("%d files stored (%v), want %d", len(as), err, tc.files)
			}
		})
	}
}
