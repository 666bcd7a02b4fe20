package credential

import (
	"strings"
	"testing"
)

func TestPassword(t *testing.T) {
	h := HashPassword("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not PHC argon2id", h)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("right password rejected")
	}
	for _, tc := range []struct{ name, hash, pw string }{
		{"wrong password", h, "correct horse batterz"},
		{"empty password", h, ""},
		{"garbage hash", "nonsense", "correct horse battery"},
		{"bcrypt hash", "$2a$10$abcdefghijklmnopqrstuv", "x"},
		{"absurd memory", strings.Replace(h, "m=19456", "m=99999999", 1), "correct horse battery"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if CheckPassword(tc.hash, tc.pw) {
				t.Error("accepted")
			}
		})
	}
	if HashPassword("x") == HashPassword("x") {
		t.Error("hashes are not salted")
	}
}

func TestSecret(t *testing.T) {
	s := NewSecret(TokenPrefix, nil)
	if !WellFormed(TokenPrefix, s) {
		t.Fatalf("%q not well formed", s)
	}
	for _, bad := range []string{"", "acc_", s + "a", strings.ToUpper(s), SessionPrefix + s[4:], s[:len(s)-1] + "1"} {
		if WellFormed(TokenPrefix, bad) {
			t.Errorf("WellFormed(%q) = true", bad)
		}
	}
}

func FuzzCheckPassword(f *testing.F) {
	f.Add(HashPassword("pw-pw-pw-pw-pw"), "pw-pw-pw-pw-pw")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if strings.Contains(hash, "m=") && len(hash) > 200 {
			return // keep iterations fast
		}
		CheckPassword(hash, pw) // must not panic
	})
}
