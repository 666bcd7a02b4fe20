package accord

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Attachments: a person raising a grievance, or adding information to it,
// may attach files as evidence (a letter, a photo, a PDF). Only PDF, JPEG
// and PNG are taken, the type read from the bytes (never from the name or
// the browser's word). Photos are decoded and encoded again, which keeps
// the picture and drops everything else a file carries (EXIF: where it was
// taken, the phone's owner, a thumbnail of the uncropped picture). PDFs are
// kept as they are. The file's own name is not kept: only a display name
// made of its safe characters, with the extension of the detected type.

// PrefixGrievanceAttachment is the prefix of attachment ids.
const PrefixGrievanceAttachment = "gat"

// Attachment limits.
const (
	// GrievanceAttachmentsMax is how many files one submission may carry.
	GrievanceAttachmentsMax = 3
	// GrievanceAttachmentMax is the most bytes one file may have, as sent.
	GrievanceAttachmentMax = 5 << 20
	// GrievanceAttachmentPixelsMax bounds a picture's width × height, so
	// that a small file declaring a huge picture cannot take the server's
	// memory when decoded (40 megapixels: any phone photo of today).
	GrievanceAttachmentPixelsMax = 40_000_000
	// grievanceAttachmentNameMax is the longest display name, in characters.
	grievanceAttachmentNameMax = 80
)

// The content types an attachment may have.
const (
	ContentPDF  = "application/pdf"
	ContentJPEG = "image/jpeg"
	ContentPNG  = "image/png"
)

// GrievanceAttachment is one file attached to a grievance.
type GrievanceAttachment struct {
	ID          string `json:"id"`
	GrievanceID string `json:"grievance_id"`
	// EventID is the "info" event the file came with; "" when it came
	// with the grievance itself.
	EventID     string    `json:"event_id,omitempty"`
	Seq         int       `json:"seq"`
	Name        string    `json:"name"` // sanitised display name; sealed
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"` // bytes stored
	CreatedAt   time.Time `json:"created_at"`
	Data        []byte    `json:"-"` // sealed; filled in for downloads only
}

// attachmentExt is the extension a display name gets for each type.
var attachmentExt = map[string]string{ContentPDF: ".pdf", ContentJPEG: ".jpg", ContentPNG: ".png"}

// PrepareGrievanceAttachment checks one file a person sent and returns it
// ready to store: its type detected from its bytes, pictures re-encoded
// without their metadata, its name reduced to a display name. name is the
// name the browser sent; it is used for the display name only. Errors are
// about the field "attachments", in plain words: ETOOLARGE for a file over
// GrievanceAttachmentMax, EUNSUPPORTEDMEDIA for anything but PDF, JPEG and
// PNG, EINVALID for an empty or unreadable file.
func PrepareGrievanceAttachment(name string, data []byte) (*GrievanceAttachment, error) {
	display := AttachmentDisplayName(name, "")
	if len(data) == 0 {
		return nil, FieldErrorf("attachments", "The file %s is empty. Choose the file again.", display)
	}
	if len(data) > GrievanceAttachmentMax {
		return nil, attachmentTooLarge(display)
	}
	ct := http.DetectContentType(data)
	a := &GrievanceAttachment{ContentType: ct}
	switch ct {
	case ContentPDF:
		a.Data = data
	case ContentJPEG, ContentPNG:
		b, err := reencode(ct, data)
		if e := AsError(err); e != nil {
			return nil, e.withArg(display)
		}
		if err != nil {
			return nil, err
		}
		a.Data = b
	default:
		return nil, &Error{Code: EUNSUPPORTEDMEDIA, Field: "attachments",
			Format: "The file %s is not a PDF, JPEG or PNG file. Only these kinds of file can be attached.", Args: []any{display}}
	}
	a.Name, a.Size = AttachmentDisplayName(name, ct), len(a.Data)
	return a, nil
}

func attachmentTooLarge(display string) *Error {
	return &Error{Code: ETOOLARGE, Field: "attachments",
		Format: "The file %s is too big. Each file can be at most %d MB.", Args: []any{display, GrievanceAttachmentMax >> 20}}
}

// withArg returns e with arg as its first format argument.
func (e *Error) withArg(arg any) *Error {
	e.Args = append([]any{arg}, e.Args...)
	return e
}

// reencode decodes a JPEG or PNG and encodes the picture again: only the
// pixels survive. The picture's size is checked from its header before it
// is decoded.
func reencode(ct string, data []byte) ([]byte, error) {
	unreadable := FieldErrorf("attachments", "The file %s could not be read as a picture. Save it again as JPEG or PNG, or attach a PDF.")
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, unreadable
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > GrievanceAttachmentPixelsMax {
		return nil, FieldErrorf("attachments", "The picture %s has too many pixels. Make it smaller, or take the photo at a lower resolution.")
	}
	var buf bytes.Buffer
	if ct == ContentJPEG {
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, unreadable
		}
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
		return buf.Bytes(), err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, unreadable
	}
	err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	return buf.Bytes(), err
}

// CheckGrievanceAttachments checks files already prepared
// (PrepareGrievanceAttachment) before they are stored: how many, their
// type and size.
func CheckGrievanceAttachments(as []GrievanceAttachment) error {
	if len(as) > GrievanceAttachmentsMax {
		return FieldErrorf("attachments", "You can attach at most %d files at a time.", GrievanceAttachmentsMax)
	}
	for _, a := range as {
		if attachmentExt[a.ContentType] == "" || http.DetectContentType(a.Data) != a.ContentType {
			return &Error{Code: EUNSUPPORTEDMEDIA, Field: "attachments",
				Format: "The file %s is not a PDF, JPEG or PNG file. Only these kinds of file can be attached.", Args: []any{a.Name}}
		}
		// Re-encoding may grow a picture a little; twice the limit is a
		// bound no honest file reaches.
		if len(a.Data) == 0 || len(a.Data) > 2*GrievanceAttachmentMax || a.Name == "" {
			return attachmentTooLarge(a.Name)
		}
	}
	return nil
}

// AttachmentDisplayName makes a display name of the name a browser sent:
// the last path element, letters, digits, spaces and . - _ ( ) only (any
// other character becomes _), at most 80 characters, with the extension
// of content type ct when ct is known. An empty result is "attachment".
func AttachmentDisplayName(name, ct string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var sb strings.Builder
	for _, c := range name {
		switch {
		case c == utf8.RuneError:
			sb.WriteByte('_')
		case unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune(" .-_()", c):
			sb.WriteRune(c)
		default:
			sb.WriteByte('_')
		}
	}
	name = strings.Trim(sb.String(), " .")
	if ext := attachmentExt[ct]; ext != "" {
		name = strings.TrimSuffix(name, path.Ext(name))
		if r := []rune(name); len(r) > grievanceAttachmentNameMax-len(ext) {
			name = string(r[:grievanceAttachmentNameMax-len(ext)])
		}
		name = strings.Trim(name, " .")
		if name == "" {
			name = "attachment"
		}
		return name + ext
	}
	if r := []rune(name); len(r) > grievanceAttachmentNameMax {
		name = string(r[:grievanceAttachmentNameMax])
	}
	if name == "" {
		name = "attachment"
	}
	return name
}
