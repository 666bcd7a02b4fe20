package accord

import (
	"crypto/rand"
	"encoding/base32"
	"io"
	"strings"
)

// Object ids are a short prefix naming the kind of object and 16 random bytes
// in lower-case base32 ("cli_mfrggzdfmztwq2lknnwg23tpoa"). They carry no
// personal data, which is what lets them stand for a person in logs and in the
// audit log: once a client is erased the id points at nothing.
const (
	PrefixOrganization = "org"
	PrefixStaff        = "stf"
	PrefixClient       = "cli"
	PrefixRecord       = "rec"
	PrefixAgreement    = "agr"
	PrefixConsent      = "cns"
	PrefixLegalBasis   = "lgb"
	PrefixToken        = "tok"
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns a fresh id with the given prefix, reading randomness from r
// (crypto/rand when r is nil). The demo passes a seeded source to be
// deterministic.
func NewID(prefix string, r io.Reader) string {
	var b [16]byte
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, b[:]); err != nil {
		panic("accord: reading random bytes: " + err.Error()) // crypto/rand never fails on Linux
	}
	return prefix + "_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}

// ValidID reports whether s looks like an id of the given prefix. It is a
// cheap syntactic check made before any lookup so that junk never reaches SQL.
func ValidID(prefix, s string) bool {
	if len(s) != len(prefix)+1+26 || !strings.HasPrefix(s, prefix+"_") {
		return false
	}
	for _, c := range s[len(prefix)+1:] {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}
