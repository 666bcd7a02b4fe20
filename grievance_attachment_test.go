package accord_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/accord-project/accord"
)

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.NRGBA{1, 2, 3, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withPNGText adds a tEXt chunk (as a phone or an editor writes metadata)
// after a PNG's header chunk.
func withPNGText(b []byte, text string) []byte {
	data := []byte("Author\x00" + text)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(append([]byte("tEXt"), data...)))
	const ihdrEnd = 8 + 25 // signature, then IHDR (length, type, 13 bytes, crc)
	return append(append(append([]byte{}, b[:ihdrEnd]...), chunk...), b[ihdrEnd:]...)
}

// hugePNG is a tiny file whose header declares a picture far beyond the
// pixel limit.
func hugePNG(t testing.TB) []byte {
	b := pngBytes(t, 1, 1)
	binary.BigEndian.PutUint32(b[16:], 100_000)
	binary.BigEndian.PutUint32(b[20:], 100_000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestPrepareGrievanceAttachment(t *testing.T) {
	pdf := []byte("%PDF-1.7\n%%EOF\n")
	for _, tc := range []struct {
		name, file string
		data       []byte
		code       string // "" accepted
		wantName   string
		wantType   string
	}{
		{"a PDF", "Letter.PDF", pdf, "", "Letter.pdf", accord.ContentPDF},
		{"a PNG named .pdf gets the right extension", "scan.pdf", pngBytes(t, 4, 4), "", "scan.png", accord.ContentPNG},
		{"a path is not kept", `C:\Users\Samira\Desktop\photo.png`, pngBytes(t, 2, 2), "", "photo.png", accord.ContentPNG},
		{"odd characters become _", "a<b>\"c\u202e.png", pngBytes(t, 2, 2), "", "a_b__c_.png", accord.ContentPNG},
		{"no name", "", pdf, "", "attachment.pdf", accord.ContentPDF},
		{"HTML named .pdf", "x.pdf", []byte("<!DOCTYPE html><script>"), accord.EUNSUPPORTEDMEDIA, "", ""},
		{"a GIF", "x.gif", []byte("GIF89a\x01\x00\x01\x00"), accord.EUNSUPPORTEDMEDIA, "", ""},
		{"empty", "x.pdf", nil, accord.EINVALID, "", ""},
		{"over 5 MiB", "x.pdf", append(pdf, make([]byte, accord.GrievanceAttachmentMax)...), accord.ETOOLARGE, "", ""},
		{"a broken PNG", "x.png", pngBytes(t, 2, 2)[:40], accord.EINVALID, "", ""},
		{"a PNG declaring ten gigapixels", "x.png", hugePNG(t), accord.EINVALID, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := accord.PrepareGrievanceAttachment(tc.file, tc.data)
			if tc.code != "" {
				if e := accord.AsError(err); e == nil || e.Code != tc.code || e.Field != "attachments" {
					t.Fatalf("err %v, want %s about attachments", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Name != tc.wantName || a.ContentType != tc.wantType || a.Size != len(a.Data) {
				t.Errorf("got %q %s %d, want %q %s", a.Name, a.ContentType, a.Size, tc.wantName, tc.wantType)
			}
		})
	}
	t.Run("PNG text chunks are dropped", func(t *testing.T) {
		a, err := accord.PrepareGrievanceAttachment("p.png", withPNGText(pngBytes(t, 3, 3), "Samira's phone"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(a.Data, []byte("Samira")) || bytes.Contains(a.Data, []byte("tEXt")) {
			t.Error("the PNG kept its metadata")
		}
	})
	t.Run("long names are cut", func(t *testing.T) {
		a, _ := accord.PrepareGrievanceAttachment(strings.Repeat("é", 200)+".pdf", pdf)
		if n := len([]rune(a.Name)); n != 80 || !strings.HasSuffix(a.Name, ".pdf") {
			t.Errorf("%d characters: %q", n, a.Name)
		}
	})
}

// FuzzPrepareGrievanceAttachment: whatever bytes and name a person sends,
// preparing them never panics, refuses with a client error about the file
// field, or returns a PDF, JPEG or PNG whose bytes are of that type and
// whose name is a safe display name.
func FuzzPrepareGrievanceAttachment(f *testing.F) {
	f.Add("a.pdf", []byte("%PDF-1.4"))
	f.Add("b.png", pngBytes(f, 2, 2))
	f.Add("c.jpg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF"))
	f.Add("../../d", hugePNG(f))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		a, err := accord.PrepareGrievanceAttachment(name, data)
		if err != nil {
			if e := accord.AsError(err); e == nil || e.Field != "attachments" || e.Code == accord.EINTERNAL {
				t.Fatalf("not a client error about the file: %v", err)
			}
			return
		}
		if err := accord.CheckGrievanceAttachments([]accord.GrievanceAttachment{*a}); err != nil {
			t.Fatalf("a prepared file fails the store's check: %v", err)
		}
		if strings.ContainsAny(a.Name, "/\\<>\"\x00") || a.Name == "" {
			t.Fatalf("unsafe display name %q", a.Name)
		}
	})
}
