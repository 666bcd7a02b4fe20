// Package sealing encrypts special-category fields at rest.
//
// Keys form a three-level hierarchy:
//
//	key-encryption key (KEK)    from a file or the environment, never in the database
//	  └ organisation data key   one per organisation (and version), stored wrapped by the KEK
//	      └ client key          one per (client, organisation), stored wrapped by the org key
//	          └ sealed fields   AES-256-GCM, bound to their record and field by the AAD
//
// Rotating the KEK re-wraps the few organisation keys and nothing else.
// Erasing a client deletes its client keys: the sealed fields can then never
// be opened again (crypto-shredding), while the audit log, which never held
// them, stays intact and verifiable.
package sealing

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// KeySize is the size of every key: AES-256.
const KeySize = 32

// ErrOpen is returned when sealed data cannot be opened: wrong key, wrong
// AAD or tampered ciphertext. It carries no detail on purpose.
var ErrOpen = errors.New("sealing: cannot open sealed data")

// NewKey returns a fresh random key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("sealing: reading random bytes: " + err.Error())
	}
	return k
}

// Seal encrypts plaintext under key with AES-256-GCM, binding it to aad
// (which says what the ciphertext is: "record/rec_…/content"). The result
// is nonce || ciphertext || tag.
func Seal(key, plaintext, aad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return aead.Seal(out, out, plaintext, aad), nil
}

// Open decrypts what Seal returned. It returns ErrOpen when the key or aad
// is wrong or the data was altered.
func Open(key, sealed, aad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	n := aead.NonceSize()
	pt, err := aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("sealing: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Keyring holds the versions of the key-encryption key. New wraps use the
// newest version; older versions stay so that keys wrapped before a
// rotation can still be unwrapped until they are re-wrapped.
//
// Its text form, kept in a file (mode 0600) or the ACCORD_KEK environment
// variable, is one line per version: "accord-kek v<N> <base64 key>".
type Keyring struct {
	keys map[int][]byte
}

// GenerateKeyring returns a keyring with one fresh version.
func GenerateKeyring() *Keyring {
	return &Keyring{keys: map[int][]byte{1: NewKey()}}
}

// ParseKeyring parses the text form of a keyring.
func ParseKeyring(text []byte) (*Keyring, error) {
	k := &Keyring{keys: map[int][]byte{}}
	sc := bufio.NewScanner(bytes.NewReader(text))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Fields(s)
		if len(f) != 3 || f[0] != "accord-kek" || !strings.HasPrefix(f[1], "v") {
			return nil, fmt.Errorf("sealing: keyring line %d: want \"accord-kek v<N> <base64 key>\"", line)
		}
		v, err := strconv.Atoi(f[1][1:])
		if err != nil || v < 1 {
			return nil, fmt.Errorf("sealing: keyring line %d: bad version %q", line, f[1])
		}
		key, err := base64.StdEncoding.DecodeString(f[2])
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("sealing: keyring line %d: key must be %d bytes of base64", line, KeySize)
		}
		if _, dup := k.keys[v]; dup {
			return nil, fmt.Errorf("sealing: keyring line %d: version %d appears twice", line, v)
		}
		k.keys[v] = key
	}
	if len(k.keys) == 0 {
		return nil, errors.New("sealing: keyring is empty")
	}
	return k, nil
}

// Marshal returns the text form of the keyring.
func (k *Keyring) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("# Accord key-encryption keys. Keep this file secret and backed up:\n# without it no sealed field can be read.\n")
	for _, v := range k.versions() {
		fmt.Fprintf(&b, "accord-kek v%d %s\n", v, base64.StdEncoding.EncodeToString(k.keys[v]))
	}
	return b.Bytes()
}

func (k *Keyring) versions() []int {
	vs := make([]int, 0, len(k.keys))
	for v := range k.keys {
		vs = append(vs, v)
	}
	sort.Ints(vs)
	return vs
}

// Current returns the newest version number.
func (k *Keyring) Current() int {
	vs := k.versions()
	return vs[len(vs)-1]
}

// Rotate adds a fresh version, which becomes current, and returns it.
func (k *Keyring) Rotate() int {
	v := k.Current() + 1
	k.keys[v] = NewKey()
	return v
}

// Retire drops every version older than keep. Call it only after every
// wrapped key has been re-wrapped under a newer version.
func (k *Keyring) Retire(keep int) {
	for v := range k.keys {
		if v < keep {
			delete(k.keys, v)
		}
	}
}

// Wrap encrypts a data key under the current KEK version, bound to aad
// (which names the key: "org/org_…/v1"). It returns the wrapped key and the
// KEK version used.
func (k *Keyring) Wrap(dataKey []byte, aad string) ([]byte, int, error) {
	v := k.Current()
	w, err := Seal(k.keys[v], dataKey, []byte(aad))
	return w, v, err
}

// Unwrap decrypts a data key wrapped under KEK version v.
func (k *Keyring) Unwrap(wrapped []byte, v int, aad string) ([]byte, error) {
	kek, ok := k.keys[v]
	if !ok {
		return nil, fmt.Errorf("sealing: key-encryption key version %d is not in the keyring", v)
	}
	return Open(kek, wrapped, []byte(aad))
}
