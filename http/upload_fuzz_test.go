package http

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/accord-project/accord"
)

// FuzzParseUploadForm feeds arbitrary multipart bodies to the reader of
// the forms that carry files: it must never panic, never hold more than
// the limits allow, and anything it refuses must be a client error.
func FuzzParseUploadForm(f *testing.F) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.SetBoundary("XyZ")
	mw.WriteField("description", "text\r\nmore")
	fw, _ := mw.CreateFormFile("attachments", "a.pdf")
	fw.Write([]byte("%PDF-1.4\n"))
	fw, _ = mw.CreateFormFile("attachments", "")
	mw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"x\"\r\n\r\nGIF89a\r\n--XyZ--\r\n"))
	f.Add([]byte("--XyZ\r\n\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/grievances/new", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=XyZ")
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, maxUpload+1)
		form, files, fileErr, err := parseUploadForm(r)
		for _, e := range []error{fileErr, err} {
			if e != nil && accord.ErrorCode(e) == accord.EINTERNAL {
				t.Fatalf("internal error for client input: %v", e)
			}
		}
		if err == nil && form == nil {
			t.Fatal("no form and no error")
		}
		if len(files) > accord.GrievanceAttachmentsMax || fileErr != nil && len(files) > 0 {
			t.Fatalf("%d files (file error %v)", len(files), fileErr)
		}
	})
}
