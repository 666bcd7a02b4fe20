package auditlog

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/accord-project/accord"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"
)

// testHash is the root hash of the example in the C2SP tlog-checkpoint spec.
var testHash = func() []byte {
	h, err := base64.StdEncoding.DecodeString("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
	if err != nil {
		panic(err)
	}
	return h
}()

func TestCheckpointMarshal(t *testing.T) {
	c := Checkpoint{Origin: "example.com/behind-the-sofa", Size: 20852163, Hash: testHash}
	want := "example.com/behind-the-sofa\n20852163\n" + "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=" + "\n"
	if diff := cmp.Diff(want, string(c.Marshal())); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	got, err := ParseCheckpoint(c.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("ParseCheckpoint(Marshal()) (-want +got):\n%s", diff)
	}
}

func TestParseCheckpointRejects(t *testing.T) {
	hash := "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
	tests := []struct{ name, text string }{
		{"empty", ""},
		{"no final newline", "log\n1\n" + hash},
		{"two lines", "log\n1\n"},
		{"extension line", "log\n1\n" + hash + "\nextra\n"},
		{"empty line after", "log\n1\n" + hash + "\n\n"},
		{"empty origin", "\n1\n" + hash + "\n"},
		{"origin with space", "a log\n1\n" + hash + "\n"},
		{"origin with plus", "a+log\n1\n" + hash + "\n"},
		{"origin with tab", "a\tlog\n1\n" + hash + "\n"},
		{"origin not utf-8", "a\xfflog\n1\n" + hash + "\n"},
		{"leading zero", "log\n01\n" + hash + "\n"},
		{"sign", "log\n+1\n" + hash + "\n"},
		{"negative", "log\n-1\n" + hash + "\n"},
		{"size overflows", "log\n18446744073709551616\n" + hash + "\n"},
		{"size not decimal", "log\n0x10\n" + hash + "\n"},
		{"empty size", "log\n\n" + hash + "\n"},
		{"hash not base64", "log\n1\nnot base64!\n"},
		{"hash 31 bytes", "log\n1\n" + "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxqw==" + "\n"},
		{"hash unpadded", "log\n1\n" + strings.TrimRight(hash, "=") + "\n"},
		{"hash non-canonical bits", "log\n1\n" + "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=" + "\n"},
		{"CRLF", "log\r\n1\r\n" + hash + "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCheckpoint([]byte(tt.text))
			if got := accord.ErrorCode(err); got != accord.EINVALID {
				t.Errorf("ParseCheckpoint(%q) = %+v, %v; want an EINVALID error", tt.text, c, err)
			}
		})
	}
	if c, err := ParseCheckpoint([]byte("log\n0\n" + hash + "\n")); err != nil || c.Size != 0 {
		t.Errorf("ParseCheckpoint(size 0) = %+v, %v", c, err)
	}
}

func TestGenerateKey(t *testing.T) {
	for _, origin := range []string{"", "a log", "a+log", "a\nlog"} {
		if _, _, err := GenerateKey(origin); accord.ErrorCode(err) != accord.EINVALID {
			t.Errorf("GenerateKey(%q) = %v, want an EINVALID error", origin, err)
		}
	}
	skey, vkey, err := GenerateKey(testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(skey, "PRIVATE+KEY+"+testOrigin+"+") || !strings.HasPrefix(vkey, testOrigin+"+") {
		t.Errorf("GenerateKey(%q) = %q, %q: keys not named for the origin", testOrigin, skey, vkey)
	}
}

// witness returns a signer and verifier for a witness named name.
func witness(t *testing.T, name string) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func TestSignOpen(t *testing.T) {
	signer, verifiers := testKeys()
	c := Checkpoint{Origin: testOrigin, Size: 42, Hash: testHash}
	msg, err := Sign(c, signer)
	if err != nil {
		t.Fatal(err)
	}
	got, n, err := Open(msg, testOrigin, verifiers)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("Open(Sign(c)) (-want +got):\n%s", diff)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != testOrigin {
		t.Errorf("note signatures = %+v, want one by %s", n.Sigs, testOrigin)
	}

	// A witness cosigns; the log's verifier must still open it, keeping
	// the cosignature, and a second witness adds to both.
	w1, w1v := witness(t, "witness.example/one")
	w2, w2v := witness(t, "witness.example/two")
	cosigned, err := note.Sign(n, w1)
	if err != nil {
		t.Fatal(err)
	}
	_, n2, err := Open(cosigned, testOrigin, verifiers)
	if err != nil {
		t.Fatalf("Open(cosigned): %v", err)
	}
	twice, err := note.Sign(n2, w2)
	if err != nil {
		t.Fatal(err)
	}
	_, n3, err := Open(twice, testOrigin, note.VerifierList(mustVerifier(t, verifiers), w1v, w2v))
	if err != nil {
		t.Fatalf("Open(twice cosigned): %v", err)
	}
	var names []string
	for _, s := range n3.Sigs {
		names = append(names, s.Name)
	}
	if diff := cmp.Diff([]string{testOrigin, "witness.example/one", "witness.example/two"}, names); diff != "" {
		t.Errorf("verified signatures (-want +got):\n%s", diff)
	}
	if !bytes.HasPrefix(twice, c.Marshal()) {
		t.Errorf("cosigning changed the note text")
	}
}

func mustVerifier(t *testing.T, vs note.Verifiers) note.Verifier {
	t.Helper()
	signer, _ := testKeys()
	v, err := vs.Verifier(signer.Name(), signer.KeyHash())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenRejects(t *testing.T) {
	signer, verifiers := testKeys()
	c := Checkpoint{Origin: testOrigin, Size: 42, Hash: testHash}
	msg, err := Sign(c, signer)
	if err != nil {
		t.Fatal(err)
	}
	w, wv := witness(t, "witness.example/one")
	byWitness, err := note.Sign(&note.Note{Text: string(c.Marshal())}, w)
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, otherVerifiers := func() (note.Signer, note.Verifiers) {
		s, v := witness(t, "other.example/log")
		return s, note.VerifierList(v)
	}()
	otherLog, err := Sign(Checkpoint{Origin: "other.example/log", Size: 1, Hash: testHash}, otherSigner)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		msg       []byte
		origin    string
		verifiers note.Verifiers
	}{
		{"size changed", bytes.Replace(msg, []byte("\n42\n"), []byte("\n43\n"), 1), testOrigin, verifiers},
		{"unknown key", msg, testOrigin, otherVerifiers},
		{"witness signature only", byWitness, testOrigin, note.VerifierList(wv)},
		{"another log", otherLog, testOrigin, otherVerifiers},
		{"not a note", c.Marshal(), testOrigin, verifiers},
		{"nil verifiers", msg, testOrigin, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := Open(tt.msg, tt.origin, tt.verifiers); accord.ErrorCode(err) != accord.EINVALID {
				t.Errorf("Open = %v, want an EINVALID error", err)
			}
		})
	}
	if _, err := Sign(c, otherSigner); accord.ErrorCode(err) != accord.EINVALID {
		t.Errorf("Sign by a key of another name = %v, want an EINVALID error", err)
	}
	if _, err := Sign(Checkpoint{Origin: testOrigin, Size: 1, Hash: testHash[:31]}, signer); accord.ErrorCode(err) != accord.EINVALID {
		t.Errorf("Sign(31-byte hash) = %v, want an EINVALID error", err)
	}
}

func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"))
	f.Add([]byte("log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Add([]byte("log\n01\nx\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := ParseCheckpoint(text)
		if err != nil {
			return
		}
		if !bytes.Equal(c.Marshal(), text) {
			t.Errorf("ParseCheckpoint(%q) = %+v, which marshals to %q", text, c, c.Marshal())
		}
	})
}

func FuzzOpen(f *testing.F) {
	signer, verifiers := testKeys()
	msg, err := Sign(Checkpoint{Origin: testOrigin, Size: 42, Hash: testHash}, signer)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(msg)
	f.Add(append(bytes.Clone(msg), "— witness.example/one AAAAAAAAAAA=\n"...))
	f.Add([]byte("log\n1\nx\n\n— log AAAA\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, n, err := Open(msg, testOrigin, verifiers)
		if err != nil {
			return
		}
		if c.Origin != testOrigin || n.Text != string(c.Marshal()) {
			t.Errorf("Open(%q) = %+v with text %q", msg, c, n.Text)
		}
	})
}
