package policy

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClientTable drives the table with random puts and removes, under
// hashes drawn from a tiny range so that runs collide, wrap around the end
// of the table and are cut by deletions, and checks it against a map.
func TestClientTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tab clientTable
	model := map[string]int{} // client → number of provisions
	hashOf := map[string]uint64{}
	for step := range 20_000 {
		id := fmt.Sprint("cli_", rng.IntN(300))
		h, ok := hashOf[id]
		if !ok {
			h = uint64(rng.IntN(40)) // many clients per hash; 0 included
			hashOf[id] = h
		}
		k, _ := keyOf(id)
		n := rng.IntN(inlineProvisions + 3) // 0 removes; some spill
		cr := clientRules{provisions: make([]provisionRule, n)}
		for i := range cr.provisions {
			cr.provisions[i] = provisionRule{consent: id, index: int32(i)}
		}
		tab.put(h, k, cr)
		if n == 0 {
			delete(model, id)
		} else {
			model[id] = n
		}
		if tab.used != len(model) {
			t.Fatalf("step %d: table holds %d clients, want %d", step, tab.used, len(model))
		}
		if step%100 != 0 {
			continue
		}
		for id, h := range hashOf {
			k, _ := keyOf(id)
			slot := tab.find(h, &k)
			var got []provisionRule
			if slot != nil {
				got = slot.provisions()
			}
			if len(got) != model[id] {
				t.Fatalf("step %d: %s has %d provisions, want %d", step, id, len(got), model[id])
			}
			for i, p := range got {
				if p.consent != id || p.index != int32(i) {
					t.Fatalf("step %d: %s provision %d is %+v", step, id, i, p)
				}
			}
		}
	}
}

// TestKeyOf checks that ids that fit are keys and that distinct ids are
// distinct keys, including ids that differ only in length.
func TestKeyOf(t *testing.T) {
	ids := []string{"", "a", "a\x00", "cli_mfrggzdfmztwq2lknnwg23tpoa", "0123456789012345678901234567890"}
	seen := map[clientKey]string{}
	for _, id := range ids {
		k, ok := keyOf(id)
		if !ok {
			t.Fatalf("keyOf(%q) does not fit", id)
		}
		if other, dup := seen[k]; dup {
			t.Errorf("keyOf(%q) == keyOf(%q)", id, other)
		}
		seen[k] = id
	}
	if _, ok := keyOf("01234567890123456789012345678901"); ok {
		t.Error("a 32-byte id fits in a clientKey")
	}
}

// TestLongClientIDs checks that ids too long for a clientKey work the same.
func TestLongClientIDs(t *testing.T) {
	long := "cli_" + fmt.Sprintf("%040d", 7)
	s := fixture(t)
	for _, c := range fixtureConsents() {
		c.ClientID = long
		s.PutConsent(c)
	}
	s.SetCareTeam(long, []string{"stf_doc", "stf_clinlaw", "stf_lawyer"})
	for _, b := range fixtureBases() {
		if b.ClientID == ana {
			b.ClientID = long
			s.PutLegalBasis(b)
		}
	}
	for _, tt := range decideTests() {
		if tt.req.ClientID != ana {
			continue
		}
		r := *tt.req
		r.ClientID = long
		if diff := cmp.Diff(tt.want, s.Decide(&r)); diff != "" {
			t.Errorf("%s with a long client id (-want +got):\n%s", tt.name, diff)
		}
	}
	s.RemoveClient(long)
	if d := s.Decide(req("stf_lawyer", clinic, "immigration_status", "LEGALAID", about(long))); d.Reason != "no_consent" {
		t.Errorf("after RemoveClient, decision = %+v", d)
	}
}
