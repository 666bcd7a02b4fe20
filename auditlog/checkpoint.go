package auditlog

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/accord-project/accord"
	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a signed tree head in the C2SP tlog-checkpoint format: the
// log's origin (its name, which is also the name of its signing key), its
// size, and the RFC 6962 root hash at that size.
type Checkpoint struct {
	Origin string
	Size   uint64
	Hash   []byte
}

// Marshal returns the checkpoint's note text: "origin\nsize\nbase64(hash)\n".
func (c Checkpoint) Marshal() []byte {
	b := make([]byte, 0, len(c.Origin)+64)
	b = append(b, c.Origin...)
	b = append(b, '\n')
	b = strconv.AppendUint(b, c.Size, 10)
	b = append(b, '\n')
	b = base64.StdEncoding.AppendEncode(b, c.Hash)
	return append(b, '\n')
}

// validOrigin reports whether origin can name a log and its key: non-empty
// UTF-8 without spaces, plus signs or control characters, as signed notes
// require of key names.
func validOrigin(origin string) bool {
	return origin != "" && utf8.ValidString(origin) && !strings.Contains(origin, "+") &&
		strings.IndexFunc(origin, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) < 0
}

// ParseCheckpoint parses checkpoint note text (without signatures). It
// returns an EINVALID error unless text is exactly three lines: a valid
// origin, a decimal size without leading zeros, and the base64 of a 32-byte
// hash. Extension lines, which the spec allows but does not recommend, are
// rejected: Accord never writes them, and no monitor could audit them.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	lines := strings.SplitAfter(string(text), "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, accord.Errorf(accord.EINVALID, "checkpoint must be three lines, each ending in a newline")
	}
	origin := strings.TrimSuffix(lines[0], "\n")
	sizeText := strings.TrimSuffix(lines[1], "\n")
	hashText := strings.TrimSuffix(lines[2], "\n")
	if !validOrigin(origin) {
		return Checkpoint{}, accord.Errorf(accord.EINVALID, "checkpoint origin is not a valid log name")
	}
	size, err := strconv.ParseUint(sizeText, 10, 64)
	if err != nil || sizeText != strconv.FormatUint(size, 10) {
		return Checkpoint{}, accord.Errorf(accord.EINVALID, "checkpoint size is not a decimal number without leading zeros")
	}
	hash, err := base64.StdEncoding.DecodeString(hashText)
	// Re-encoding rejects the non-canonical padding bits base64 tolerates,
	// so that one checkpoint has one text.
	if err != nil || len(hash) != HashSize || base64.StdEncoding.EncodeToString(hash) != hashText {
		return Checkpoint{}, accord.Errorf(accord.EINVALID, "checkpoint root hash is not the base64 of 32 bytes")
	}
	return Checkpoint{Origin: origin, Size: size, Hash: hash}, nil
}

// GenerateKey returns a new Ed25519 signed-note key pair named origin: the
// private signer key skey, to be kept secret, and the public verifier key
// vkey, to be published. It returns an EINVALID error if origin is not a
// valid log name.
func GenerateKey(origin string) (skey, vkey string, err error) {
	if !validOrigin(origin) {
		return "", "", accord.Errorf(accord.EINVALID, "%q is not a valid log name", origin)
	}
	return note.GenerateKey(rand.Reader, origin)
}

// Sign returns c as a signed note, signed by signer, whose name must be
// c.Origin. It returns an EINVALID error if c is malformed or the signer is
// named otherwise, and signer errors wrapped.
func Sign(c Checkpoint, signer note.Signer) ([]byte, error) {
	if !validOrigin(c.Origin) || len(c.Hash) != HashSize {
		return nil, accord.Errorf(accord.EINVALID, "malformed checkpoint")
	}
	if signer.Name() != c.Origin {
		return nil, accord.Errorf(accord.EINVALID, "key %q cannot sign checkpoints of log %q", signer.Name(), c.Origin)
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Marshal())}, signer)
	if err != nil {
		return nil, fmt.Errorf("auditlog.Sign: %w", err)
	}
	return msg, nil
}

// Open verifies the signed checkpoint msg of log origin and returns it with
// its note. The note must carry a valid signature by a key named origin
// among verifiers (a witness's cosignature alone is not enough); every other
// signature is kept in the note, verified (Sigs) or not (UnverifiedSigs), so
// that note.Sign(n, witness) adds a cosignature without losing any. It
// returns an EINVALID error for a malformed note or checkpoint, a bad or
// missing log signature, or another origin.
func Open(msg []byte, origin string, verifiers note.Verifiers) (Checkpoint, *note.Note, error) {
	n, err := note.Open(msg, verifiers)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			return Checkpoint{}, nil, accord.Errorf(accord.EINVALID, "checkpoint is not signed by a known key")
		case errors.As(err, &invalid):
			return Checkpoint{}, nil, accord.Errorf(accord.EINVALID, "checkpoint has an invalid signature by %s", invalid.Name)
		default:
			return Checkpoint{}, nil, accord.Errorf(accord.EINVALID, "checkpoint is not a well-formed signed note")
		}
	}
	signed := false
	for _, s := range n.Sigs {
		signed = signed || s.Name == origin
	}
	if !signed {
		return Checkpoint{}, nil, accord.Errorf(accord.EINVALID, "checkpoint is not signed by the key of log %q", origin)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, nil, err
	}
	if c.Origin != origin {
		return Checkpoint{}, nil, accord.Errorf(accord.EINVALID, "checkpoint is of log %q, not %q", c.Origin, origin)
	}
	return c, n, nil
}
