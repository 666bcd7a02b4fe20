package enforce_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
)

// TestDetectDaily: the runner detects each ended day of the last week once,
// oldest first, whichever of two runners asks; the next day is detected
// when it has ended; the demo's night of reads is in the oversight body's
// alerts, and only the oversight body reads and reviews them.
func TestDetectDaily(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	clock := func() time.Time { return d.now }
	one, two := &enforce.Runner{DB: d.db, Now: clock}, &enforce.Runner{DB: d.db, Now: clock}
	for _, tc := range []struct {
		name string
		at   time.Time
		r    *enforce.Runner
		want int
	}{
		{"first start: the last seven days", d.now, one, 7},
		{"again: nothing", d.now, two, 0},
		{"just after midnight: wait for late entries", time.Date(2026, 11, 23, 0, 2, 0, 0, time.UTC), one, 0},
		{"the next day, once it has settled", time.Date(2026, 11, 23, 0, 10, 0, 0, time.UTC), two, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d.now = tc.at
			if n, err := tc.r.DetectDaily(ctx); err != nil || n != tc.want {
				t.Errorf("DetectDaily = %d, %v; want %d", n, err, tc.want)
			}
		})
	}
	q, err := d.svc.AnomalyAlerts(ctx, d.caller("c.achebe"), 10)
	if err != nil {
		t.Fatal(err)
	}
	begum := d.caller("a.begum").Staff.ID
	var id string
	for _, a := range q.Waiting {
		if a.StaffID == begum && a.Rule == accord.AnomalyAfterHours {
			id = a.ID
		}
	}
	if id == "" {
		t.Fatalf("the social worker's night of reads raised no after-hours alert: %+v", q.Waiting)
	}
	if q.Names[begum] != "Aisha Begum" {
		t.Errorf("the alert's staff member is named %q", q.Names[begum])
	}
	rv := accord.Review{Decision: accord.ReviewNotJustified, Reasoning: "No case needed these files at night."}
	for _, user := range []string{"p.nowak", "n.price", "a.begum", "r.thompson"} {
		if _, err := d.svc.AnomalyAlerts(ctx, d.caller(user), 0); accord.ErrorCode(err) != accord.EFORBIDDEN {
			t.Errorf("%s reads the alerts: %v", user, err)
		}
		if _, err := d.svc.ReviewAnomaly(ctx, d.caller(user), id, rv); accord.ErrorCode(err) != accord.EFORBIDDEN {
			t.Errorf("%s reviews an alert: %v", user, err)
		}
		if _, err := d.svc.DetectAnomalies(ctx, d.caller(user), "2026-11-20"); accord.ErrorCode(err) != accord.EFORBIDDEN {
			t.Errorf("%s runs detection: %v", user, err)
		}
	}
	if a, err := d.svc.ReviewAnomaly(ctx, d.caller("c.achebe"), id, rv); err != nil || a.ReviewStatus != accord.ReviewNotJustified {
		t.Errorf("ReviewAnomaly = %+v, %v", a, err)
	}
}
