package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
)

// Witnesses. A witness keeps the last checkpoint it cosigned, checks that
// each new one is signed by the log and extends that one (a consistency
// proof), and cosigns it: C2SP tlog-witness semantics, with C2SP
// tlog-cosignature's Ed25519 "cosignature/v1" signatures. A cosignature is
// a note signature line appended to the checkpoint:
//
//	— <witness name> base64(key hash[4] || timestamp[8] || Ed25519 signature[64])
//
// signing "cosignature/v1\ntime <unix seconds>\n" followed by the
// checkpoint's text. Its key hash is SHA-256(name || "\n" || 0x04 ||
// public key)[:4], and its verifier key is name+hash+base64(0x04 || public
// key). The private key is an ordinary signed-note Ed25519 key (algorithm
// 0x01), as note.GenerateKey writes it, like other witnesses keep theirs.

const (
	algEd25519             = 0x01 // signed-note Ed25519, the private key's encoding
	algCosignatureV1       = 0x04 // C2SP tlog-cosignature Ed25519 cosignature/v1
	cosignatureTimeSize    = 8
	cosignatureSize        = cosignatureTimeSize + ed25519.SignatureSize
	cosignatureHeader      = "cosignature/v1\n"
	maxCosignatureUnixTime = math.MaxInt64
)

// keyHash is the signed-note key hash of the public key pub of algorithm
// alg named name: SHA-256(name || "\n" || alg || pub)[:4].
func keyHash(name string, alg byte, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', alg})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// cosignedMessage is what a cosignature/v1 signature signs.
func cosignedMessage(text []byte, unix uint64) []byte {
	m := make([]byte, 0, len(cosignatureHeader)+len("time \n")+20+len(text))
	m = append(m, cosignatureHeader...)
	m = append(m, "time "...)
	m = strconv.AppendUint(m, unix, 10)
	m = append(m, '\n')
	return append(m, text...)
}

// WitnessKey is a witness's private signing key.
type WitnessKey struct {
	name string
	hash uint32 // of the cosignature/v1 public key
	priv ed25519.PrivateKey
}

// GenerateWitnessKey returns a new key pair for the witness named name: the
// private key skey, a signed-note Ed25519 signer key to be kept secret, and
// the witness's cosignature/v1 verifier key vkey, to hand to whoever checks
// its cosignatures. It returns an error if name is not a valid key name
// (non-empty UTF-8 without spaces, plus signs or control characters).
func GenerateWitnessKey(name string) (skey, vkey string, err error) {
	if !validOrigin(name) {
		return "", "", fmt.Errorf("%q is not a valid witness name", name)
	}
	skey, _, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", err
	}
	k, err := ParseWitnessKey(skey)
	if err != nil {
		return "", "", err
	}
	return skey, k.VerifierKey(), nil
}

// ParseWitnessKey parses a witness's private key (skey of
// GenerateWitnessKey): "PRIVATE+KEY+name+hash+base64(0x01 || seed)".
func ParseWitnessKey(skey string) (*WitnessKey, error) {
	skey = strings.TrimSpace(skey)
	priv1, rest, _ := strings.Cut(skey, "+")
	priv2, rest, _ := strings.Cut(rest, "+")
	name, rest, _ := strings.Cut(rest, "+")
	hash16, key64, _ := strings.Cut(rest, "+")
	hash, err1 := strconv.ParseUint(hash16, 16, 32)
	key, err2 := base64.StdEncoding.DecodeString(key64)
	if priv1 != "PRIVATE" || priv2 != "KEY" || len(hash16) != 8 || err1 != nil || err2 != nil || !validOrigin(name) ||
		len(key) != 1+ed25519.SeedSize || key[0] != algEd25519 {
		return nil, errors.New("not a witness private key (PRIVATE+KEY+name+hash+Ed25519 seed)")
	}
	priv := ed25519.NewKeyFromSeed(key[1:])
	pub := priv.Public().(ed25519.PublicKey)
	// The hash names the key as a plain signed-note key; check it, so that
	// a corrupted file is not taken for another key.
	if keyHash(name, algEd25519, pub) != uint32(hash) {
		return nil, errors.New("witness private key: the key hash does not match the key")
	}
	return &WitnessKey{name: name, hash: keyHash(name, algCosignatureV1, pub), priv: priv}, nil
}

// Name returns the witness's name, which names its cosignatures.
func (k *WitnessKey) Name() string { return k.name }

// VerifierKey returns the witness's cosignature/v1 verifier key,
// name+hash+base64(0x04 || public key).
func (k *WitnessKey) VerifierKey() string {
	pub := append([]byte{algCosignatureV1}, k.priv.Public().(ed25519.PublicKey)...)
	return fmt.Sprintf("%s+%08x+%s", k.name, k.hash, base64.StdEncoding.EncodeToString(pub))
}

// Signer returns the key as a note.Signer whose signatures are
// cosignatures made at the time now returns, for note.Sign.
func (k *WitnessKey) Signer(now func() time.Time) note.Signer { return &cosigner{k: k, now: now} }

type cosigner struct {
	k   *WitnessKey
	now func() time.Time
}

func (s *cosigner) Name() string    { return s.k.name }
func (s *cosigner) KeyHash() uint32 { return s.k.hash }
func (s *cosigner) Sign(msg []byte) ([]byte, error) {
	t := s.now().Unix()
	if t < 0 {
		return nil, errors.New("cosignature time before 1970")
	}
	sig := make([]byte, cosignatureTimeSize, cosignatureSize)
	binary.BigEndian.PutUint64(sig, uint64(t))
	return append(sig, ed25519.Sign(s.k.priv, cosignedMessage(msg, uint64(t)))...), nil
}

// Cosign returns the witness's cosignature of c made at time t, as the
// note signature line to append to the signed checkpoint:
// "— name base64(…)\n".
func (k *WitnessKey) Cosign(c Checkpoint, t time.Time) ([]byte, error) {
	if !validOrigin(c.Origin) || len(c.Hash) != HashSize {
		return nil, errors.New("cosign: malformed checkpoint")
	}
	sig, err := k.Signer(func() time.Time { return t }).Sign(c.Marshal())
	if err != nil {
		return nil, err
	}
	var h [4]byte
	binary.BigEndian.PutUint32(h[:], k.hash)
	return fmt.Appendf(nil, "— %s %s\n", k.name, base64.StdEncoding.EncodeToString(append(h[:], sig...))), nil
}

// cosignatureVerifier checks cosignature/v1 signatures.
type cosignatureVerifier struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
}

func (v *cosignatureVerifier) Name() string    { return v.name }
func (v *cosignatureVerifier) KeyHash() uint32 { return v.hash }
func (v *cosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != cosignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	return t <= maxCosignatureUnixTime && ed25519.Verify(v.pub, cosignedMessage(msg, t), sig[cosignatureTimeSize:])
}

// NewCosignatureVerifier returns the note.Verifier of a witness's
// cosignature/v1 verifier key (name+hash+base64(0x04 || 32-byte Ed25519
// public key)): note.Open with it verifies the witness's cosignatures. It
// returns an error for anything else, including a plain signed-note
// Ed25519 key (0x01), whose signatures are not cosignatures.
func NewCosignatureVerifier(vkey string) (note.Verifier, error) {
	vkey = strings.TrimSpace(vkey)
	name, rest, _ := strings.Cut(vkey, "+")
	hash16, key64, _ := strings.Cut(rest, "+")
	hash, err1 := strconv.ParseUint(hash16, 16, 32)
	key, err2 := base64.StdEncoding.DecodeString(key64)
	if len(hash16) != 8 || err1 != nil || err2 != nil || !validOrigin(name) || len(key) == 0 {
		return nil, errors.New("not a witness verifier key (name+hash+base64 key)")
	}
	if key[0] != algCosignatureV1 || len(key) != 1+ed25519.PublicKeySize {
		return nil, errors.New("not a cosignature/v1 key: want an Ed25519 key of type 0x04 (see accord witness init)")
	}
	pub := ed25519.PublicKey(key[1:])
	if keyHash(name, algCosignatureV1, pub) != uint32(hash) {
		return nil, errors.New("witness verifier key: the key hash does not match the key")
	}
	return &cosignatureVerifier{name: name, hash: uint32(hash), pub: pub}, nil
}

// ParseWitnessVerifiers parses a file of witness verifier keys, one per
// line; blank lines and lines starting with # are ignored. It returns an
// error naming the first bad line, or a witness named twice.
func ParseWitnessVerifiers(text []byte) ([]note.Verifier, error) {
	var out []note.Verifier
	names := map[string]bool{}
	for i, line := range strings.Split(string(text), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := NewCosignatureVerifier(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		if names[v.Name()] {
			return nil, fmt.Errorf("line %d: witness %s is named twice", i+1, v.Name())
		}
		names[v.Name()] = true
		out = append(out, v)
	}
	return out, nil
}

// CosignatureTime returns the time a cosignature/v1 signature was made
// (sig as note.Open lists it), or an error if sig is not one.
func CosignatureTime(sig note.Signature) (time.Time, error) {
	b, err := base64.StdEncoding.DecodeString(sig.Base64)
	if err != nil || len(b) != 4+cosignatureSize {
		return time.Time{}, errors.New("not a cosignature/v1 signature")
	}
	t := binary.BigEndian.Uint64(b[4:])
	if t > maxCosignatureUnixTime {
		return time.Time{}, errors.New("cosignature time out of range")
	}
	return time.Unix(int64(t), 0).UTC(), nil
}

// Cosignature is a verified cosignature of a checkpoint.
type Cosignature struct {
	Witness string    // the witness's name
	Time    time.Time // when it cosigned, by its own clock
	Line    []byte    // the note signature line, "— name base64\n"
}

// ErrNoCosignature is VerifyCosignatures' error for a note that carries
// no cosignature by any of the witnesses it was given.
var ErrNoCosignature = errors.New("no cosignature by a known witness")

// VerifyCosignatures returns the cosignatures in the signed note msg, a
// checkpoint with signature lines, by the witnesses (verifiers of
// NewCosignatureVerifier), in the order of msg. Signatures by other keys
// are ignored. It returns ErrNoCosignature if there is none, and an
// EINVALID error if the note is malformed or a cosignature by one of
// witnesses does not verify.
func VerifyCosignatures(msg []byte, witnesses []note.Verifier) ([]Cosignature, error) {
	n, err := note.Open(msg, note.VerifierList(witnesses...))
	if err != nil {
		var invalid *note.InvalidSignatureError
		var unverified *note.UnverifiedNoteError
		switch {
		case errors.As(err, &invalid):
			return nil, accord.Errorf(accord.EINVALID, "the cosignature by witness %s does not verify", invalid.Name)
		case errors.As(err, &unverified):
			return nil, ErrNoCosignature
		}
		return nil, accord.Errorf(accord.EINVALID, "checkpoint is not a well-formed signed note")
	}
	out := make([]Cosignature, 0, len(n.Sigs))
	for _, s := range n.Sigs {
		t, err := CosignatureTime(s)
		if err != nil {
			return nil, accord.Errorf(accord.EINVALID, "the cosignature by witness %s does not verify", s.Name)
		}
		out = append(out, Cosignature{Witness: s.Name, Time: t, Line: fmt.Appendf(nil, "— %s %s\n", s.Name, s.Base64)})
	}
	return out, nil
}

// WitnessRefusal says why a witness refused a checkpoint.
type WitnessRefusal string

// The reasons a witness refuses a checkpoint.
const (
	RefusedMalformed    WitnessRefusal = "malformed"    // not a well-formed signed checkpoint
	RefusedOrigin       WitnessRefusal = "origin"       // a checkpoint of another log
	RefusedSignature    WitnessRefusal = "signature"    // not validly signed by the log's key
	RefusedRollback     WitnessRefusal = "rollback"     // smaller than the last one cosigned
	RefusedFork         WitnessRefusal = "fork"         // the same size with another root hash
	RefusedInconsistent WitnessRefusal = "inconsistent" // the consistency proof does not verify
)

// WitnessError is a witness's refusal to cosign a checkpoint.
type WitnessError struct {
	Reason WitnessRefusal
	Last   *Checkpoint // the last checkpoint the witness cosigned; nil if none
	New    Checkpoint  // the refused checkpoint, as far as it could be read
	Detail string      // what was wrong, in English
}

func (e *WitnessError) Error() string {
	msg := "witness refuses the checkpoint: " + string(e.Reason) + ": "
	switch e.Reason {
	case RefusedMalformed:
		msg += "it is not a well-formed signed checkpoint"
	case RefusedOrigin:
		msg += "it is a checkpoint of another log"
	case RefusedSignature:
		msg += "it is not validly signed by the log's key"
	case RefusedRollback:
		msg += fmt.Sprintf("the log now claims %d entries, but the witness already cosigned %d", e.New.Size, e.Last.Size)
	case RefusedFork:
		msg += fmt.Sprintf("the log of %d entries now has root %s, but the witness cosigned root %s at that size: the log was rewritten (a fork)",
			e.New.Size, base64.StdEncoding.EncodeToString(e.New.Hash), base64.StdEncoding.EncodeToString(e.Last.Hash))
	case RefusedInconsistent:
		msg += fmt.Sprintf("the consistency proof does not verify: the log of %d entries does not extend the log of %d entries the witness cosigned, so it was rewritten (a fork)",
			e.New.Size, e.Last.Size)
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// CheckCheckpoint is a witness's check of msg, a new signed checkpoint of
// the log whose key is logKey (its name is the log's origin), against
// last, the last checkpoint the witness cosigned (nil if none: the first
// is taken on trust, as in tlog-witness). proof is the consistency proof
// from last.Size to the new size; it is empty when the sizes are equal or
// last is nil or empty. Signatures by other keys (other witnesses') are
// ignored. It returns the new checkpoint, or a *WitnessError saying why
// the witness refuses it. A checkpoint equal to last is accepted: a
// witness may cosign it again, later.
func CheckCheckpoint(last *Checkpoint, msg []byte, logKey note.Verifier, proof [][]byte) (Checkpoint, error) {
	refuse := func(r WitnessRefusal, c Checkpoint, detail string) (Checkpoint, error) {
		return Checkpoint{}, &WitnessError{Reason: r, Last: last, New: c, Detail: detail}
	}
	// Read the text first, so that another log's checkpoint is called
	// that rather than a bad signature.
	text, _, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return refuse(RefusedMalformed, Checkpoint{}, "no signature block")
	}
	c, err := ParseCheckpoint(append(text[:len(text):len(text)], '\n'))
	if err != nil {
		return refuse(RefusedMalformed, Checkpoint{}, message(err))
	}
	if c.Origin != logKey.Name() {
		return refuse(RefusedOrigin, c, fmt.Sprintf("it is of log %q, not %q", c.Origin, logKey.Name()))
	}
	if _, _, err := Open(msg, c.Origin, note.VerifierList(logKey)); err != nil {
		return refuse(RefusedSignature, c, message(err))
	}
	if last == nil {
		return c, nil
	}
	if last.Origin != c.Origin {
		return refuse(RefusedOrigin, c, fmt.Sprintf("the witness keeps checkpoints of log %q", last.Origin))
	}
	switch {
	case c.Size < last.Size:
		return refuse(RefusedRollback, c, "")
	case c.Size == last.Size:
		if !bytes.Equal(c.Hash, last.Hash) {
			return refuse(RefusedFork, c, "")
		}
		return c, nil
	}
	if err := VerifyConsistency(*last, c, proof); err != nil {
		return refuse(RefusedInconsistent, c, "")
	}
	return c, nil
}

// message returns the English message of an error, without its code.
func message(err error) string {
	if e := accord.AsError(err); e != nil {
		return e.Message()
	}
	return err.Error()
}

// Witness checks msg as CheckCheckpoint does and cosigns it with key at
// time t, returning the new checkpoint and the cosignature line to append
// to msg.
func Witness(key *WitnessKey, logKey note.Verifier, last *Checkpoint, msg []byte, proof [][]byte, t time.Time) (Checkpoint, []byte, error) {
	c, err := CheckCheckpoint(last, msg, logKey, proof)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	line, err := key.Cosign(c, t)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	return c, line, nil
}
