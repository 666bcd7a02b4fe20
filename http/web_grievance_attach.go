package http

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Attachments on grievances: the complaint forms and the add-information
// forms are multipart/form-data with a file input named "attachments"
// (placed last, so that a refused upload still has every other answer to
// show again). The body is read as a stream: each file is held in memory
// up to its limit and one byte more, never written to disk (a temporary
// file would keep evidence unsealed), and the whole body is bounded by
// maxUpload. The files are checked and re-encoded
// (accord.PrepareGrievanceAttachment) before anything is stored.

// maxUpload bounds the body of a form that may carry files: the files at
// their limit and the form's other fields.
const maxUpload = accord.GrievanceAttachmentsMax*accord.GrievanceAttachmentMax + maxBody

// uploadPage, publicUploadPage and portalUploadPage wrap the pages whose
// forms may carry files: as page, publicPage and portalPage, with a body of
// at most maxUpload bytes.
func (s *Server) uploadPage(h pageHandler) http.Handler { return s.pageWithin(maxUpload, h) }

func (s *Server) publicUploadPage(h handler) http.Handler { return s.publicPageWithin(maxUpload, h) }

func (s *Server) portalUploadPage(h func(w http.ResponseWriter, r *http.Request, clientID string) error) http.Handler {
	return s.portalPageWithin(maxUpload, h)
}

// attachmentField is the file input's name.
const attachmentField = "attachments"

// parseUploadForm reads a posted form that may carry files. A form that
// is not multipart is read as parseForm does (no files). files are the
// attached files, checked and ready to store; fileErr is the first problem
// with them, tied to the file field (too many, too big, wrong type), to be
// shown with the form; err is a form that could not be read at all.
func parseUploadForm(r *http.Request) (f *form, files []accord.GrievanceAttachment, fileErr, err error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		f, err := parseForm(r)
		return f, nil, nil, err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, nil, accord.Errorf(accord.EINVALID, "the form could not be read")
	}
	f = &form{Values: url.Values{}, Errors: map[string]string{}}
	textLeft := int64(maxBody) // the other fields together
	type sent struct {
		name string
		data []byte
	}
	var got []sent
	n := 0
	tooLarge := func() error {
		return &accord.Error{Code: accord.ETOOLARGE, Field: attachmentField,
			Format: "The files are too big together. You can attach at most %[1]d files of at most %[2]d MB each.",
			Args:   []any{accord.GrievanceAttachmentsMax, accord.GrievanceAttachmentMax >> 20}}
	}
	for {
		part, perr := mr.NextPart()
		if perr == io.EOF {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(perr, &mbe) {
			fileErr = tooLarge()
			break
		}
		if perr != nil {
			return nil, nil, nil, accord.Errorf(accord.EINVALID, "the form could not be read")
		}
		name := part.FormName()
		if name == attachmentField {
			if part.FileName() == "" { // the file input, left empty
				if _, err := io.Copy(io.Discard, part); err != nil {
					fileErr = tooLarge()
					break
				}
				continue
			}
			n++
			if n > accord.GrievanceAttachmentsMax {
				if fileErr == nil {
					fileErr = accord.FieldErrorf(attachmentField, "You can attach at most %d files at a time.", accord.GrievanceAttachmentsMax)
				}
				if _, err := io.Copy(io.Discard, part); err != nil {
					break
				}
				continue
			}
			data, err := io.ReadAll(io.LimitReader(part, accord.GrievanceAttachmentMax+1))
			if err == nil && len(data) > accord.GrievanceAttachmentMax {
				_, err = io.Copy(io.Discard, part)
			}
			if err != nil {
				if fileErr == nil {
					fileErr = tooLarge()
				}
				break
			}
			got = append(got, sent{part.FileName(), data})
			continue
		}
		if part.FileName() != "" {
			return nil, nil, nil, accord.Errorf(accord.EINVALID, "the form could not be read")
		}
		b, err := io.ReadAll(io.LimitReader(part, textLeft+1))
		if err != nil || int64(len(b)) > textLeft {
			return nil, nil, nil, accord.Errorf(accord.ETOOLARGE, "the request body is larger than %d bytes", maxBody)
		}
		textLeft -= int64(len(b))
		v := string(b)
		// As parseForm: a textarea's CR LF becomes LF.
		if strings.Contains(v, "\r") {
			v = strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
		}
		f.Values.Add(name, v)
	}
	if fileErr != nil {
		return f, nil, fileErr, nil
	}
	for _, s := range got {
		a, err := accord.PrepareGrievanceAttachment(s.name, s.data)
		if err != nil {
			return f, nil, err, nil
		}
		files = append(files, *a)
	}
	return f, files, nil, nil
}

// grievanceAttachment sends one attached file to a staff member who may
// read the grievance, as a download: never shown inline, never sniffed,
// never cached.
func (s *Server) grievanceAttachment(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	a, err := s.svc.GrievanceAttachment(r.Context(), c, r.PathValue("id"), r.PathValue("aid"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(a.Data)
	return err
}

// attachmentRow is an attached file as a list shows it.
type attachmentRow struct {
	accord.GrievanceAttachment
	SizeLabel string
}

func attachmentRows(p *i18n.Printer, as []accord.GrievanceAttachment) []attachmentRow {
	out := make([]attachmentRow, len(as))
	for i, a := range as {
		out[i] = attachmentRow{GrievanceAttachment: a, SizeLabel: sizeLabel(p, a.Size)}
	}
	return out
}

// sizeLabel is a file size in kB (at least 1) or MB with one decimal.
func sizeLabel(p *i18n.Printer, n int) string {
	if n >= 1<<20 {
		return p.Sprintf("%s MB", strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64))
	}
	return p.Sprintf("%d kB", max(1, (n+512)/1024))
}
