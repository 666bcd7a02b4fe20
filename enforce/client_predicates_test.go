package enforce_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
)

// TestClientPredicatesAgree: the web shows the links to change a client's
// details and to merge records by MayEditClient and MayMergeInto; they must
// say exactly what the use cases allow as far as roles and organisations
// go. For every demo user and a client of each of two organisations: where
// the predicate says no, the use case refuses; where it says yes, the use
// case refuses at most by a decision (a *Denied), never for the role or
// the organisation.
func TestClientPredicatesAgree(t *testing.T) {
	d := startDemo(t)
	ctx := context.Background()
	var clients []*accord.Client
	seen := map[string]bool{}
	for i := range d.p.Clients {
		cl := &d.p.Clients[i]
		if !seen[cl.HomeOrganizationID] && len(clients) < 2 {
			seen[cl.HomeOrganizationID] = true
			clients = append(clients, cl)
		}
	}
	allowed, refused := map[string]int{}, map[string]int{}
	for _, l := range d.p.Staff {
		for _, cl := range clients {
			c := d.caller(l.Username)
			for _, tc := range []struct {
				name string
				may  bool
				err  error
			}{
				{"edit", c.MayEditClient(cl), func() error {
					_, err := d.svc.EditableClient(ctx, c, cl.ID, accord.PurposeTreatment)
					return err
				}()},
				{"merge", c.MayMergeInto(cl), func() error {
					_, _, err := d.svc.MergeCandidates(ctx, c, cl.ID, accord.PurposeTreatment)
					return err
				}()},
			} {
				if tc.err == nil {
					allowed[tc.name]++
				} else {
					refused[tc.name]++
				}
				var denied *enforce.Denied
				byDecision := errors.As(tc.err, &denied)
				switch {
				case !tc.may && tc.err == nil:
					t.Errorf("%s (%v) may %s %s's client, but the predicate says not", l.Username, l.Roles, tc.name, cl.HomeOrganizationID)
				case tc.may && tc.err != nil && !byDecision:
					t.Errorf("%s (%v) is refused to %s %s's client (%v), but the predicate says they may", l.Username, l.Roles, tc.name, cl.HomeOrganizationID, tc.err)
				}
			}
		}
	}
	for _, name := range []string{"edit", "merge"} {
		if allowed[name] == 0 || refused[name] == 0 {
			t.Errorf("%s: %d callers allowed, %d refused; the test needs both", name, allowed[name], refused[name])
		}
	}
}
