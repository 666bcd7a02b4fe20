package sqlstore

import (
	"fmt"
	"strings"
	"testing"
)

// TestPersonTable: every id put is found with its person, through growth
// and hash collisions; ids never put are not.
func TestPersonTable(t *testing.T) {
	tab := newPersonTable()
	want := map[string]person{}
	for i := range 5000 {
		id := fmt.Sprintf("cli_%026d", i)
		if i%1000 == 7 {
			id = strings.Repeat("x", 40+i%3) + fmt.Sprint(i)
		}
		p := person{year: int16(1900 + i%120), month: int8(1 + i%12), day: int8(1 + i%28), dims: [len(personDims)]uint16{uint16(i), uint16(i >> 3)}}
		tab.put(id, p)
		want[id] = p
	}
	for id, p := range want {
		if got, ok := tab.get(id); !ok || got != p {
			t.Fatalf("get(%q) = %v, %v; want %v", id, got, ok, p)
		}
	}
	for _, id := range []string{"", "cli_99999999999999999999999999", "cli_0000000000000000000000004", strings.Repeat("x", 41)} {
		if p, ok := tab.get(id); ok {
			t.Errorf("get(%q) found %v, never put", id, p)
		}
	}

	// Collisions: with a hash of 16 values, nearly every id shares its
	// hash with others, and each must still find its own person.
	col := newPersonTable()
	col.hash = func(id string) uint64 { return uint64(len(id)+int(id[len(id)-1])) % 16 }
	for id, p := range want {
		col.put(id, p)
	}
	for id, p := range want {
		if got, ok := col.get(id); !ok || got != p {
			t.Fatalf("with collisions get(%q) = %v, %v; want %v", id, got, ok, p)
		}
	}
}
