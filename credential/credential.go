// Package credential hashes passwords (argon2id) and mints bearer secrets
// (API tokens, session ids). Only hashes are ever stored.
package credential

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: the OWASP recommendation (19 MiB, 2 passes, 1 lane),
// about 25 ms a hash on one core of the reference machine.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

var errMalformed = errors.New("credential: malformed password hash")

// HashPassword returns the PHC-format argon2id hash of password.
func HashPassword(password string) string {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic("credential: reading random bytes: " + err.Error())
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether password matches hash, in constant time.
// A malformed hash never matches.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<18 || t == 0 || t > 16 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// DummyCheck spends the same time as CheckPassword, for unknown usernames,
// so that response time does not reveal whether a username exists.
func DummyCheck(password string) {
	CheckPassword(dummyHash(), password)
}

// PrepareDummy computes the hash DummyCheck compares with, so that the
// first unknown username is answered as fast as the rest. A server calls
// it when it starts; commands that never check a password (accord audit
// verify) never pay for it.
func PrepareDummy() { dummyHash() }

var dummyHash = sync.OnceValue(func() string { return HashPassword("accord-dummy-password") })

var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Prefixes of bearer secrets, so a leaked one is recognisable (and secret
// scanners can find it).
const (
	TokenPrefix   = "acc_" // API token
	SessionPrefix = "acs_" // sign-in session
)

// NewSecret returns a bearer secret: prefix and 160 random bits in
// lower-case base32. r may be nil (crypto/rand); the demo passes a seeded
// reader so its printed tokens are reproducible.
func NewSecret(prefix string, r io.Reader) string {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 20)
	if _, err := io.ReadFull(r, b); err != nil {
		panic("credential: reading random bytes: " + err.Error())
	}
	return prefix + strings.ToLower(secretEncoding.EncodeToString(b))
}

// SecretHash returns the value stored for a bearer secret. Secrets carry
// 160 bits of entropy, so a fast hash is enough, and looking the hash up by
// index leaks nothing useful about the secret.
func SecretHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// WellFormed reports whether s has the shape of a secret with prefix, so
// junk is refused before any lookup.
func WellFormed(prefix, s string) bool {
	if len(s) != len(prefix)+32 || !strings.HasPrefix(s, prefix) {
		return false
	}
	for _, c := range s[len(prefix):] {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}
