package cli_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDemoBreach: the demo starts with a simulated breach of the clinic
// GP's API token; its incident lists the patients the token read and
// their notices in their languages.
func TestDemoBreach(t *testing.T) {
	s := startDemo(t, filepath.Join(t.TempDir(), "demo.db"))
	if !strings.Contains(s.out.String(), "A simulated breach") || !strings.Contains(s.out.String(), "/breaches/brc_") {
		t.Errorf("the demo banner does not point at the simulated breach:\n%s", s.out.String())
	}
	code, body := s.call(t, "p.nowak", "GET", "/api/v1/breaches", "", "")
	bs, _ := body["breaches"].([]any)
	if code != 200 || len(bs) != 1 {
		t.Fatalf("the clinic's privacy officer lists %d incidents (status %d), want the simulated one", len(bs), code)
	}
	b := bs[0].(map[string]any)
	clients, _ := b["impact"].(map[string]any)["clients"].([]any)
	if b["subject"] != "credential" || len(clients) < 4 {
		t.Fatalf("the simulated breach: subject %v, %d clients affected; want a credential and several clients", b["subject"], len(clients))
	}
	code, body = s.call(t, "p.nowak", "GET", "/api/v1/breaches/"+b["id"].(string)+"/notices", "", "")
	ns, _ := body["notices"].([]any)
	if code != 200 || len(ns) != len(clients) {
		t.Fatalf("%d notices (status %d) for %d clients", len(ns), code, len(clients))
	}
	var langs []string
	fallback := false
	for _, n := range ns {
		n := n.(map[string]any)
		langs = append(langs, n["written_in"].(string))
		fallback = fallback || n["fallback"] == true
	}
	for _, l := range []string{"en", "ar", "es"} {
		if !slices.Contains(langs, l) {
			t.Errorf("no notice written in %s: %v", l, langs)
		}
	}
	if !fallback {
		t.Error("no notice marked for reading with an interpreter (a language without a catalogue)")
	}
}
