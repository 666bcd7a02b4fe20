package demo

import "github.com/accord-project/accord"

// areaTable is the demo city's areas and the share of clients living in
// each; the rest have no area recorded. Mill Island is small on purpose:
// its figures are suppressed in every published release.
var areaTable = []struct {
	code, name string
	share      float64
}{
	{"riverside", "Riverside", 0.30},
	{"northside", "Northside", 0.25},
	{"old-town", "Old Town", 0.20},
	{"eastfield", "Eastfield", 0.15},
	{"mill-island", "Mill Island", 0.02},
}

// areas adds the partnership's areas and gives each client one. It runs
// last, so that the draws before it — and every scenario built on them —
// are the same with or without areas.
func (g *gen) areas() {
	created := g.today.AddDate(-3, 0, 0)
	for _, a := range areaTable {
		g.p.Areas = append(g.p.Areas, accord.Area{Code: a.code, Name: a.name, CreatedAt: created})
	}
	for i := range g.p.Clients {
		x := g.r.Float64()
		for _, a := range areaTable {
			if x < a.share {
				g.p.Clients[i].Area = a.code
				break
			}
			x -= a.share
		}
	}
}
