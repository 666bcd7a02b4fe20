package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

// The demo's public report: the partnership's figures for the last full
// quarter are published when the demo starts, as a newcomer would find
// them. A report cannot be published while an indicator below target has no
// action plan, so the partnership administrator records one for each
// first (the plans below), and the oversight body publishes.

// demoPlan is an action plan the demo partnership recorded.
type demoPlan struct {
	owner, actions, progress, status string
	months                           int // deadline: months after the quarter ended
}

// demoPlans are the demo's plans by indicator; others get demoPlanDefault.
var demoPlans = map[string]demoPlan{
	"interpreter_provided": {
		owner:    "Interpreting coordinator, Welcome House Migrant Support, with the clinic's practice manager",
		actions:  "Book an interpreter at registration for everyone who asks for one, before the first appointment.\nAdd Dari, Pashto and Tigrinya interpreters to the shared rota.\nEach Monday, check the people registered the week before who needed an interpreter and did not have one, and call them back with one.",
		progress: "Shared rota extended to Dari and Pashto. Weekly check started; Tigrinya interpreter still being recruited.",
		status:   "in_progress", months: 4,
	},
	"referral_completion": {
		owner:    "Referral coordinators of the four partner services",
		actions:  "Review every referral open for more than 30 days at the fortnightly coordination meeting.\nAgree with each receiving service a named contact for referrals that stall.",
		progress: "Fortnightly review in place since October.",
		status:   "in_progress", months: 3,
	},
	"escalations_acknowledged_in_time": {
		owner:    "Duty managers of the partner services",
		actions:  "Check that every escalation contact chain has a reachable person out of hours.\nTest the chains monthly with a practice escalation.",
		progress: "Chains checked; first monthly test held.",
		status:   "in_progress", months: 3,
	},
}

var demoPlanDefault = demoPlan{
	owner:    "Partnership coordination group",
	actions:  "Find out with the services concerned why the target was missed, agree changes at the next partnership meeting, and follow them up monthly.",
	progress: "Review under way with the services concerned.",
	status:   "open", months: 3,
}

// publishDemoReport publishes the report of the last full quarter unless it
// is published already, and returns its path.
func (a *app) publishDemoReport(ctx context.Context, p *demo.Partnership) (string, error) {
	period := accord.PeriodOf(a.env.Now()).Prev()
	path := "/report/" + period.String()
	if rels, err := a.svc.PublishedReleases(ctx); err != nil {
		return "", err
	} else if len(rels) > 0 && rels[0].Period >= period.String() {
		return "/report/" + rels[0].Period, nil
	}
	admin, err := a.reportCaller(ctx, p, "r.mensah")
	if err != nil {
		return "", err
	}
	over, err := a.reportCaller(ctx, p, "c.achebe")
	if err != nil {
		return "", err
	}
	rep, err := a.svc.PreviewRelease(ctx, admin, period, enforce.ReleaseOptions{Profile: "standard"})
	if err != nil {
		return "", err
	}
	for _, m := range rep.Missing {
		dp, ok := demoPlans[m.ID]
		if !ok {
			dp = demoPlanDefault
		}
		plan := &accord.ActionPlan{IndicatorID: m.ID, Period: period.String(), Owner: dp.owner, Actions: dp.actions, Progress: dp.progress,
			Status: dp.status, Deadline: period.End().AddDate(0, dp.months, 0).Add(-1)}
		if err := a.svc.SaveActionPlan(ctx, admin, plan); err != nil {
			return "", fmt.Errorf("the demo's action plan for %s: %w", m.ID, err)
		}
	}
	if _, err := a.svc.PublishRelease(ctx, over, period, enforce.ReleaseOptions{Profile: "standard"}); err != nil {
		return "", fmt.Errorf("publishing the demo's report for %s: %w", period, err)
	}
	return path, nil
}

// reportCaller is a demo staff member as a caller of the use cases.
func (a *app) reportCaller(ctx context.Context, p *demo.Partnership, username string) (*enforce.Caller, error) {
	for _, l := range p.Staff {
		if l.Username != username {
			continue
		}
		org, err := a.db.FindOrganization(ctx, l.OrganizationID)
		if err != nil {
			return nil, err
		}
		return &enforce.Caller{Principal: &sqlstore.Principal{Staff: l.Staff, Organization: *org}, RequestID: "demo"}, nil
	}
	return nil, fmt.Errorf("no demo user %s", username)
}

func printDemoReport(w io.Writer, url, path string) {
	if path == "" {
		return
	}
	fmt.Fprintf(w, "Public transparency report (no sign-in; English, Español, Français, العربية): %s%s\n", url, path)
	fmt.Fprintf(w, "  partners' dashboard: %s/indicators (signed in)\n\n", url)
}
