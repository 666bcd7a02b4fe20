package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/sqlstore"
)

// demoRetention seeds, once, the demo's three clients past retention
// (demo.LoadRetention). The automatic daily purge is off in the demo, so
// they stay until a privacy officer starts a purge from the page.
func (a *app) demoRetention(ctx context.Context, p *demo.Partnership) (int, error) {
	if done, err := a.db.Meta(ctx, "demo_retention"); err != nil || done != "" {
		return 3, err
	}
	now := a.env.Now()
	seeded := false
	err := a.db.Import(ctx, accord.Actor{StaffID: "system"}, "demo.retention", func(im *sqlstore.Importer) (err error) {
		if seeded, err = p.LoadRetention(im, now); err != nil || !seeded {
			return err
		}
		return im.SetMeta("demo_retention", fmt.Sprint(now.Unix()))
	})
	if err != nil || !seeded {
		return 0, err
	}
	return 3, nil
}

func printDemoRetention(w io.Writer, url string, n int) {
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "Retention: %d seeded clients are past their agreements' retention periods (the daily purge is off in the demo).\n", n)
	fmt.Fprintf(w, "  Sign in as p.nowak (privacy officer) or c.achebe and open %s/retention; a privacy officer may start the purge there.\n", url)
}
