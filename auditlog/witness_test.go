package auditlog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"
)

const testWitness = "witness.example/oversight"

// testWitnessKey returns a fresh witness key and its verifier.
func testWitnessKey(t testing.TB) (*WitnessKey, note.Verifier) {
	t.Helper()
	skey, vkey, err := GenerateWitnessKey(testWitness)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseWitnessKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewCosignatureVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return k, v
}

func TestWitnessKey(t *testing.T) {
	for _, name := range []string{"", "a witness", "a+witness", "a\nwitness", "a\x00w"} {
		if _, _, err := GenerateWitnessKey(name); err == nil {
			t.Errorf("GenerateWitnessKey(%q) succeeded, want an error", name)
		}
	}
	skey, vkey, err := GenerateWitnessKey(testWitness)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseWitnessKey(skey + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vkey, k.VerifierKey()); diff != "" {
		t.Errorf("VerifierKey (-generated +parsed):\n%s", diff)
	}
	// The private key is an ordinary signed-note key, as other witnesses
	// keep theirs; the verifier key is not one (type 0x04).
	if _, err := note.NewSigner(skey); err != nil {
		t.Errorf("note.NewSigner(witness key): %v", err)
	}
	if _, err := note.NewVerifier(vkey); err == nil {
		t.Errorf("note.NewVerifier accepted a cosignature key")
	}
	v, err := NewCosignatureVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if v.Name() != testWitness || v.KeyHash() != k.hash {
		t.Errorf("verifier %s/%08x, want %s/%08x", v.Name(), v.KeyHash(), testWitness, k.hash)
	}

	// The key of a witness run by others, and a signature of theirs:
	// the key hash and time encoding match the spec's.
	if _, err := NewCosignatureVerifier("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"); err != nil {
		t.Errorf("a published cosignature/v1 key: %v", err)
	}
	at, err := CosignatureTime(note.Signature{Base64: "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA=="})
	if err != nil || !at.Equal(time.Unix(1727964367, 0)) {
		t.Errorf("CosignatureTime = %v, %v; want 2024-10-03 14:06:07 UTC", at, err)
	}

	key64 := vkey[len(testWitness)+10:]
	logSkey, logVkey, err := GenerateKey(testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]string{
		"log key":          logVkey,
		"private key":      skey,
		"wrong hash":       testWitness + "+00000000+" + key64,
		"no hash":          testWitness + "+" + key64,
		"short key":        vkey[:len(vkey)-4],
		"not base64":       testWitness + "+00000000+!!!!",
		"space in name":    "a b" + vkey[len(testWitness):],
		"empty":            "",
		"two keys":         vkey + "\n" + vkey,
		"truncated fields": testWitness + "+",
	}
	for name, s := range bad {
		if _, err := NewCosignatureVerifier(s); err == nil {
			t.Errorf("NewCosignatureVerifier(%s %q) succeeded", name, s)
		}
	}
	for name, s := range map[string]string{"verifier key": vkey, "other hash": strings.Replace(skey, "+"+testWitness+"+", "+"+testWitness+"+0", 1), "empty": ""} {
		if _, err := ParseWitnessKey(s); err == nil {
			t.Errorf("ParseWitnessKey(%s) succeeded", name)
		}
	}
	// A log's private key parses as a witness key (the same encoding)
	// but makes a different witness: its cosignatures carry its name.
	if k2, err := ParseWitnessKey(logSkey); err != nil || k2.Name() != testOrigin {
		t.Errorf("ParseWitnessKey(log key) = %v, %v", k2, err)
	}
}

func TestCosign(t *testing.T) {
	k, v := testWitnessKey(t)
	c := Checkpoint{Origin: "example.com/behind-the-sofa", Size: 20852163, Hash: testHash}
	at := time.Unix(1679315147, 0)
	line, err := k.Cosign(c, at)
	if err != nil {
		t.Fatal(err)
	}
	// The line, parsed by hand: key hash, timestamp, and an Ed25519
	// signature over exactly the spec's message.
	name, b64, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(string(line), "— "), "\n"), " ")
	if !ok || name != c.Origin && name != testWitness {
		t.Fatalf("cosignature line %q", line)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 4+8+64 {
		t.Fatalf("cosignature %q: %d bytes, %v", b64, len(raw), err)
	}
	want := "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
	pub := k.priv.Public().(ed25519.PublicKey)
	if !ed25519.Verify(pub, []byte(want), raw[12:]) {
		t.Errorf("the signature is not over %q", want)
	}
	if got := [8]byte(raw[4:12]); got != [8]byte{0, 0, 0, 0, 0x64, 0x18, 0x50, 0xcb} {
		t.Errorf("timestamp bytes %x", got)
	}

	// note.Sign with the Signer makes the same line (Ed25519 is
	// deterministic), and the verifier opens it.
	signed, err := note.Sign(&note.Note{Text: string(c.Marshal())}, k.Signer(func() time.Time { return at }))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(c.Marshal())+"\n"+string(line), string(signed)); diff != "" {
		t.Errorf("note.Sign (-Cosign +note.Sign):\n%s", diff)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := CosignatureTime(n.Sigs[0]); err != nil || !got.Equal(at) {
		t.Errorf("CosignatureTime = %v, %v; want %v", got, err, at)
	}
	// Any change to the text or time breaks it.
	for _, tampered := range [][]byte{
		bytes.Replace(signed, []byte("20852163"), []byte("20852164"), 1),
		bytes.Replace(signed, []byte(b64), []byte(base64.StdEncoding.EncodeToString(append(append(bytes.Clone(raw[:11]), raw[11]+1), raw[12:]...))), 1),
	} {
		if _, err := note.Open(tampered, note.VerifierList(v)); err == nil {
			t.Errorf("a tampered cosignature verified:\n%s", tampered)
		}
	}
	if _, err := k.Cosign(Checkpoint{Origin: "log", Size: 1, Hash: testHash[:31]}, at); err == nil {
		t.Errorf("Cosign(31-byte hash) succeeded")
	}
}

func TestVerifyCosignatures(t *testing.T) {
	signer, _ := testKeys()
	c := Checkpoint{Origin: testOrigin, Size: 42, Hash: testHash}
	msg, err := Sign(c, signer)
	if err != nil {
		t.Fatal(err)
	}
	k1, v1 := testWitnessKey(t)
	k2, v2 := testWitnessKey(t) // same name, another key
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	l1, _ := k1.Cosign(c, at)
	l2, _ := k2.Cosign(c, at.Add(time.Second))
	other, _ := k1.Cosign(Checkpoint{Origin: testOrigin, Size: 43, Hash: testHash}, at)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	type result struct {
		Witnesses []string
		Times     []time.Time
		Err       bool
	}
	tests := []struct {
		name      string
		msg       []byte
		witnesses []note.Verifier
		want      result
	}{
		{"one", cat(msg, l1), []note.Verifier{v1}, result{Witnesses: []string{testWitness}, Times: []time.Time{at}}},
		{"log signature only", msg, []note.Verifier{v1}, result{Err: true}},
		{"untrusted witness", cat(msg, l2), []note.Verifier{v1}, result{Err: true}},
		{"trusted among others", cat(msg, l2, l1), []note.Verifier{v1}, result{Witnesses: []string{testWitness}, Times: []time.Time{at}}},
		{"cosignature of another checkpoint", cat(msg, other), []note.Verifier{v1}, result{Err: true}},
		{"two witnesses", cat(msg, l1, l2), []note.Verifier{v1, v2}, result{Witnesses: []string{testWitness, testWitness}, Times: []time.Time{at, at.Add(time.Second)}}},
		{"not a note", l1, []note.Verifier{v1}, result{Err: true}},
		{"no witnesses known", cat(msg, l1), nil, result{Err: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := VerifyCosignatures(tt.msg, tt.witnesses)
			var got result
			got.Err = err != nil
			for _, c := range cs {
				got.Witnesses = append(got.Witnesses, c.Witness)
				got.Times = append(got.Times, c.Time)
				if !bytes.Contains(tt.msg, c.Line) {
					t.Errorf("line %q is not in the note", c.Line)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("VerifyCosignatures (-want +got):\n%s (err %v)", diff, err)
			}
		})
	}
}

func TestParseWitnessVerifiers(t *testing.T) {
	_, vkey1, _ := GenerateWitnessKey("witness.example/one")
	_, vkey2, _ := GenerateWitnessKey("witness.example/two")
	_, vkey3, _ := GenerateWitnessKey("witness.example/one")
	vs, err := ParseWitnessVerifiers([]byte("# the ombudsperson's witness\n" + vkey1 + "\n\n  " + vkey2 + "  \n"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name())
	}
	if diff := cmp.Diff([]string{"witness.example/one", "witness.example/two"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	for name, text := range map[string]string{
		"named twice": vkey1 + "\n" + vkey3 + "\n",
		"bad line":    vkey1 + "\nnot a key\n",
	} {
		if _, err := ParseWitnessVerifiers([]byte(text)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if vs, err := ParseWitnessVerifiers(nil); err != nil || len(vs) != 0 {
		t.Errorf("empty file: %v, %v", vs, err)
	}
}

// witnessLog is a log of realistic entries and its signed checkpoints by
// size, with a fork: a second log under the same key that shares the
// first forkAt entries and then differs.
type witnessLog struct {
	s, fork  *memStore
	signed   map[uint64][]byte // checkpoints of s
	forked   map[uint64][]byte // checkpoints of fork
	cps      map[uint64]Checkpoint
	forkCps  map[uint64]Checkpoint
	verifier note.Verifier
}

func newWitnessLog(t *testing.T, forkAt int, sizes ...int) *witnessLog {
	t.Helper()
	signer, verifiers := testKeys()
	w := &witnessLog{s: newMemStore(), fork: newMemStore(), signed: map[uint64][]byte{}, forked: map[uint64][]byte{},
		cps: map[uint64]Checkpoint{}, forkCps: map[uint64]Checkpoint{}, verifier: mustVerifier(t, verifiers)}
	leaves := testLeaves(t, sizes[len(sizes)-1])
	forkLeaves := make([][]byte, len(leaves))
	for i, l := range leaves {
		forkLeaves[i] = l
		if i >= forkAt {
			forkLeaves[i] = edit(l)
		}
	}
	for _, x := range []struct {
		s      *memStore
		leaves [][]byte
		msgs   map[uint64][]byte
		cps    map[uint64]Checkpoint
	}{{w.s, leaves, w.signed, w.cps}, {w.fork, forkLeaves, w.forked, w.forkCps}} {
		a := &Appender{t: &tree{}}
		at := 0
		for _, n := range sizes {
			a = x.s.appendLeaves(t, a, x.leaves[at:n])
			at = n
			c := a.Checkpoint(testOrigin)
			msg, err := Sign(c, signer)
			if err != nil {
				t.Fatal(err)
			}
			x.msgs[uint64(n)], x.cps[uint64(n)] = msg, c
		}
	}
	return w
}

func (w *witnessLog) proof(t *testing.T, s *memStore, m, n uint64) [][]byte {
	t.Helper()
	if m == 0 || m >= n {
		return nil
	}
	p, err := ConsistencyProof(context.Background(), s, m, n)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckCheckpoint(t *testing.T) {
	// A log signed at 300, 1000 and 2000 entries, and a fork of it after
	// entry 500 under the same key, signed at the same sizes.
	w := newWitnessLog(t, 500, 300, 1000, 2000)
	cp := func(n uint64) *Checkpoint { c := w.cps[n]; return &c }
	otherSigner, _ := witness(t, testOrigin) // the log's name, another key
	byOther, err := Sign(w.cps[1000], otherSigner)
	if err != nil {
		t.Fatal(err)
	}
	otherLog, _ := witness(t, "other.example/log")
	ofOtherLog, err := Sign(Checkpoint{Origin: "other.example/log", Size: 1000, Hash: w.cps[1000].Hash}, otherLog)
	if err != nil {
		t.Fatal(err)
	}
	empty := Checkpoint{Origin: testOrigin, Size: 0, Hash: (&Appender{t: &tree{}}).Root()}

	tests := []struct {
		name  string
		last  *Checkpoint
		msg   []byte
		proof [][]byte
		want  WitnessRefusal // "" accepted
	}{
		{"first checkpoint, on trust", nil, w.signed[1000], nil, ""},
		{"extends the last", cp(300), w.signed[1000], w.proof(t, w.s, 300, 1000), ""},
		{"extends it by much", cp(300), w.signed[2000], w.proof(t, w.s, 300, 2000), ""},
		{"the same again", cp(1000), w.signed[1000], nil, ""},
		{"from the empty log", &empty, w.signed[300], nil, ""},
		{"cosigned checkpoints carried along", cp(300), append(bytes.Clone(w.signed[1000]), "— witness.example/other AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"...), w.proof(t, w.s, 300, 1000), ""},

		{"rollback", cp(1000), w.signed[300], nil, RefusedRollback},
		{"fork at the same size", cp(1000), w.forked[1000], nil, RefusedFork},
		{"forked log, its own proof", cp(1000), w.forked[2000], w.proof(t, w.fork, 1000, 2000), RefusedInconsistent},
		{"forked log, the honest log's proof", cp(1000), w.forked[2000], w.proof(t, w.s, 1000, 2000), RefusedInconsistent},
		{"proof between other sizes", cp(300), w.signed[2000], w.proof(t, w.s, 1000, 2000), RefusedInconsistent},
		{"no proof", cp(300), w.signed[1000], nil, RefusedInconsistent},
		{"proof of the empty log refused", &Checkpoint{Origin: testOrigin, Size: 0, Hash: testHash}, w.signed[300], nil, RefusedInconsistent},
		{"size changed after signing", cp(300), bytes.Replace(w.signed[1000], []byte("\n1000\n"), []byte("\n1001\n"), 1), nil, RefusedSignature},
		{"signed by another key of the same name", nil, byOther, nil, RefusedSignature},
		{"log signature missing", nil, append(w.cps[1000].Marshal(), "\n— witness.example/other AAAAAAAAAAA=\n"...), nil, RefusedSignature},
		{"another log", nil, ofOtherLog, nil, RefusedOrigin},
		{"last of another log", &Checkpoint{Origin: "other.example/log", Size: 1, Hash: testHash}, w.signed[1000], nil, RefusedOrigin},
		{"not a note", nil, w.cps[1000].Marshal(), nil, RefusedMalformed},
		{"not a checkpoint", nil, []byte("hello\n\n— " + testOrigin + " AAAA\n"), nil, RefusedMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := CheckCheckpoint(tt.last, tt.msg, w.verifier, tt.proof)
			var got WitnessRefusal
			var we *WitnessError
			if errors.As(err, &we) {
				got = we.Reason
				if we.Last != tt.last {
					t.Errorf("WitnessError.Last = %v, want %v", we.Last, tt.last)
				}
			} else if err != nil {
				t.Fatalf("CheckCheckpoint: %v, not a *WitnessError", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("refusal (-want +got):\n%s\nerror: %v", diff, err)
			}
			if err != nil {
				if !strings.Contains(err.Error(), string(tt.want)) {
					t.Errorf("the message does not say why: %v", err)
				}
				return
			}
			want, _, _ := bytes.Cut(tt.msg, []byte("\n\n"))
			if diff := cmp.Diff(string(want)+"\n", string(c.Marshal())); diff != "" {
				t.Errorf("accepted checkpoint (-note +got):\n%s", diff)
			}
		})
	}
}

// TestWitnessFollowsLog runs a witness along a growing log, then shows it
// the fork.
func TestWitnessFollowsLog(t *testing.T) {
	w := newWitnessLog(t, 500, 300, 1000, 2000)
	k, v := testWitnessKey(t)
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	var last *Checkpoint
	for _, n := range []uint64{300, 1000, 2000} {
		var from uint64
		if last != nil {
			from = last.Size
		}
		c, line, err := Witness(k, w.verifier, last, w.signed[n], w.proof(t, w.s, from, n), at)
		if err != nil {
			t.Fatalf("size %d: %v", n, err)
		}
		cs, err := VerifyCosignatures(append(bytes.Clone(w.signed[n]), line...), []note.Verifier{v})
		if err != nil || len(cs) != 1 || !cs[0].Time.Equal(at) {
			t.Fatalf("size %d: cosignature %q: %v, %v", n, line, cs, err)
		}
		last = &c
	}
	_, _, err := Witness(k, w.verifier, last, w.forked[2000], nil, at)
	var we *WitnessError
	if !errors.As(err, &we) || we.Reason != RefusedFork {
		t.Errorf("the fork at the witness's size: %v, want a fork refusal", err)
	}
}

func FuzzNewCosignatureVerifier(f *testing.F) {
	_, vkey, err := GenerateWitnessKey(testWitness)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(vkey)
	f.Add("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2")
	f.Add("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6")
	f.Add("a+0+")
	f.Fuzz(func(t *testing.T, vkey string) {
		v, err := NewCosignatureVerifier(vkey)
		if err != nil {
			return
		}
		name, rest, _ := strings.Cut(strings.TrimSpace(vkey), "+")
		hash, _, _ := strings.Cut(rest, "+")
		if v.Name() != name || !strings.EqualFold(hash, fmt.Sprintf("%08x", v.KeyHash())) {
			t.Errorf("NewCosignatureVerifier(%q) = %s+%08x", vkey, v.Name(), v.KeyHash())
		}
		if v.Verify([]byte("x\n"), make([]byte, cosignatureSize)) {
			t.Errorf("a zero signature verified")
		}
	})
}

func FuzzVerifyCosignatures(f *testing.F) {
	signer, _ := testKeys()
	k, v := testWitnessKey(f)
	c := Checkpoint{Origin: testOrigin, Size: 42, Hash: testHash}
	msg, err := Sign(c, signer)
	if err != nil {
		f.Fatal(err)
	}
	line, err := k.Cosign(c, time.Unix(1700000000, 0))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append(bytes.Clone(msg), line...))
	f.Add(msg)
	f.Add([]byte("log\n1\nx\n\n— " + testWitness + " AAAA\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		cs, err := VerifyCosignatures(msg, []note.Verifier{v})
		if err != nil {
			return
		}
		text, _, _ := bytes.Cut(msg, []byte("\n\n"))
		for _, c := range cs {
			if _, err := VerifyCosignatures(append(append(text, "\n\n"...), c.Line...), []note.Verifier{v}); err != nil {
				t.Errorf("cosignature %q of %q does not verify on its own: %v", c.Line, msg, err)
			}
		}
	})
}

func mustSigner() note.Signer { s, _ := testKeys(); return s }

func FuzzCheckCheckpoint(f *testing.F) {
	_, verifiers := testKeys()
	msg, err := Sign(Checkpoint{Origin: testOrigin, Size: 42, Hash: testHash}, mustSigner())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(msg)
	f.Add(append(bytes.Clone(msg), "— witness.example/one AAAAAAAAAAA=\n"...))
	f.Add([]byte("log\n1\nx\n\n— log AAAA\n"))
	v, err := verifiers.Verifier(mustSigner().Name(), mustSigner().KeyHash())
	if err != nil {
		f.Fatal(err)
	}
	last := &Checkpoint{Origin: testOrigin, Size: 42, Hash: testHash}
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, err := CheckCheckpoint(last, msg, v, nil)
		if err != nil {
			var we *WitnessError
			if !errors.As(err, &we) {
				t.Errorf("CheckCheckpoint(%q): %v, not a *WitnessError", msg, err)
			}
			return
		}
		if c.Size != 42 || !bytes.Equal(c.Hash, testHash) || !bytes.HasPrefix(msg, c.Marshal()) {
			t.Errorf("CheckCheckpoint(%q) accepted %+v", msg, c)
		}
	})
}

func FuzzParseWitnessKey(f *testing.F) {
	skey, _, err := GenerateWitnessKey(testWitness)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(skey)
	f.Add("PRIVATE+KEY+a+00000000+AQ==")
	f.Fuzz(func(t *testing.T, skey string) {
		k, err := ParseWitnessKey(skey)
		if err != nil {
			return
		}
		v, err := NewCosignatureVerifier(k.VerifierKey())
		if err != nil || v.Name() != k.Name() {
			t.Fatalf("ParseWitnessKey(%q) gives verifier key %q: %v", skey, k.VerifierKey(), err)
		}
		line, err := k.Cosign(Checkpoint{Origin: "log", Size: 1, Hash: testHash}, time.Unix(1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := VerifyCosignatures(append([]byte("log\n1\n"+base64.StdEncoding.EncodeToString(testHash)+"\n\n"), line...), []note.Verifier{v}); err != nil {
			t.Errorf("a cosignature by %q does not verify: %v", skey, err)
		}
	})
}
