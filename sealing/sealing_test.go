package sealing

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := NewKey()
	sealed, err := Seal(key, []byte("asylum claim pending"), []byte("record/rec_1/content"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("asylum")) {
		t.Fatal("sealed data contains the plaintext")
	}
	got, err := Open(key, sealed, []byte("record/rec_1/content"))
	if err != nil || string(got) != "asylum claim pending" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	tests := []struct {
		name   string
		key    []byte
		sealed []byte
		aad    string
	}{
		{"wrong key", NewKey(), sealed, "record/rec_1/content"},
		{"wrong aad (moved to another record)", key, sealed, "record/rec_2/content"},
		{"flipped bit", key, flip(sealed, len(sealed)-1), "record/rec_1/content"},
		{"truncated", key, sealed[:10], "record/rec_1/content"},
		{"empty", key, nil, "record/rec_1/content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Open(tt.key, tt.sealed, []byte(tt.aad)); !errors.Is(err, ErrOpen) {
				t.Errorf("Open = %v, want ErrOpen", err)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func TestKeyringRotate(t *testing.T) {
	ring := GenerateKeyring()
	dek := NewKey()
	w1, v1, err := ring.Wrap(dek, "org/a/v1")
	if err != nil {
		t.Fatal(err)
	}
	if v := ring.Rotate(); v != 2 {
		t.Fatalf("Rotate = %d, want 2", v)
	}
	// Round trip through the text form keeps every version.
	ring2, err := ParseKeyring(ring.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	got, err := ring2.Unwrap(w1, v1, "org/a/v1")
	if err != nil || !bytes.Equal(got, dek) {
		t.Fatalf("Unwrap old version = %v", err)
	}
	w2, v2, _ := ring2.Wrap(dek, "org/a/v1")
	if v2 != 2 {
		t.Fatalf("Wrap used version %d, want 2", v2)
	}
	ring2.Retire(2)
	if _, err := ring2.Unwrap(w1, v1, "org/a/v1"); err == nil {
		t.Fatal("Unwrap under a retired version succeeded")
	}
	if got, err := ring2.Unwrap(w2, v2, "org/a/v1"); err != nil || !bytes.Equal(got, dek) {
		t.Fatalf("Unwrap new version = %v", err)
	}
}

func TestParseKeyringErrors(t *testing.T) {
	for name, text := range map[string]string{
		"empty":         "",
		"comment only":  "# nothing\n",
		"bad prefix":    "kek v1 AAAA\n",
		"bad version":   "accord-kek vX AAAA\n",
		"short key":     "accord-kek v1 AAAA\n",
		"duplicate":     "accord-kek v1 " + b64(32) + "\naccord-kek v1 " + b64(32) + "\n",
		"missing field": "accord-kek v1\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseKeyring([]byte(text)); err == nil {
				t.Error("ParseKeyring succeeded")
			}
		})
	}
}

func b64(n int) string {
	return "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="[:((n+2)/3)*4]
}

func FuzzParseKeyring(f *testing.F) {
	f.Add(GenerateKeyring().Marshal())
	f.Add([]byte("accord-kek v1 " + b64(32)))
	f.Fuzz(func(t *testing.T, text []byte) {
		k, err := ParseKeyring(text)
		if err != nil {
			return
		}
		k2, err := ParseKeyring(k.Marshal())
		if err != nil || !bytes.Equal(k.Marshal(), k2.Marshal()) {
			t.Fatalf("keyring does not round-trip: %v", err)
		}
	})
}

func FuzzOpen(f *testing.F) {
	key := NewKey()
	s, _ := Seal(key, []byte("x"), nil)
	f.Add(s)
	f.Fuzz(func(t *testing.T, sealed []byte) {
		Open(key, sealed, nil) // must not panic
	})
}
