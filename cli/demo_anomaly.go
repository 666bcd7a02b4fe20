package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/demo"
)

// demoAnomalies detects access anomalies in the demo's access history, day
// by day, oldest first (each day's counts are the next days' baseline), the
// first time the demo starts on a database; later starts leave it to the
// daily run. It returns how many alerts wait for review.
func (a *app) demoAnomalies(ctx context.Context) (int, error) {
	runs, err := a.db.AnomalyRuns(ctx, 1)
	if err != nil {
		return 0, err
	}
	if len(runs) == 0 {
		t, _, err := a.db.AnomalyThresholds(ctx)
		if err != nil {
			return 0, err
		}
		loc := t.Location()
		now := a.env.Now().In(loc)
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
		for back := demo.AccessDays + 1; back >= 1; back-- {
			from := today.AddDate(0, 0, -back)
			if _, _, err := a.db.DetectAnomalies(ctx, accord.Actor{StaffID: "system"}, from.Format(time.DateOnly), from, from.AddDate(0, 0, 1), t); err != nil {
				return 0, err
			}
		}
	}
	q, err := a.db.AnomalyQueue(ctx, 1000)
	return len(q), err
}

func printDemoAnomalies(w io.Writer, url string, n int) {
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "Access anomaly alerts waiting for the ombudsperson's review: %d (a social worker's night of reads, a police officer refused again and again).\n", n)
	fmt.Fprintf(w, "  Sign in as c.achebe and open %s/oversight/anomalies\n\n", url)
}
