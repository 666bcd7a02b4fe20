package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

// The demo's consent-compliance audit: the first time, the scenarios'
// cross-organisation reads are made (the legal aid advocate reads the
// medical-legal partnership client's summary under the agreement and her
// consent, the immigration caseworker what a court order opens, legal aid
// the screening another client consented to), then a sample of the last
// 30 days' disclosures is drawn with seed 7 and checked: every one is tied.

// demoComplianceSeed is the seed of the demo's sample.
const demoComplianceSeed = 7

// demoDisclosures are the reads that disclose across organisations:
// scenario, user, category, purpose.
var demoDisclosures = []struct {
	scenario, user string
	category       accord.Category
	purpose        accord.Purpose
}{
	{"advocate-reads-clinical-summary", "f.rahimi", accord.CatClinicalSummary, accord.PurposeLegalAid},
	{"court-order-permits", "m.hughes", accord.CatImmigrationStatus, accord.PurposeLegal},
	{"consent-denies-clinical", "f.rahimi", accord.CatScreening, accord.PurposeLegalAid},
}

func (a *app) demoCompliance(ctx context.Context, p *demo.Partnership) (*enforce.ComplianceSample, error) {
	now := a.env.Now().UTC()
	req := sqlstore.SampleRequest{N: 50, Seed: demoComplianceSeed, From: now.Truncate(24*time.Hour).AddDate(0, 0, -30), To: now.Add(time.Hour)}
	before, err := a.db.SampleDisclosures(ctx, req)
	if err != nil {
		return nil, err
	}
	if before.Population == 0 {
		for _, d := range demoDisclosures {
			c := a.demoCaller(ctx, p, d.user)
			client := ""
			for _, s := range p.Scenarios {
				if s.ID == d.scenario {
					client = s.ClientID
				}
			}
			if c == nil || client == "" {
				continue // not the usual demo partnership
			}
			if _, err := a.svc.ReadClient(ctx, c, client, d.purpose); err != nil && accord.ErrorCode(err) != accord.EDENIED {
				return nil, err
			}
			if _, err := a.svc.ClientRecords(ctx, c, client, []accord.Category{d.category}, d.purpose); err != nil && accord.ErrorCode(err) != accord.EDENIED {
				return nil, err
			}
		}
	}
	req.To = a.env.Now().UTC().Add(time.Hour)
	return a.svc.SystemComplianceSample(ctx, req)
}

func printDemoCompliance(w io.Writer, base string, cs *enforce.ComplianceSample) {
	if cs == nil {
		return
	}
	q := url.Values{"n": {strconv.Itoa(cs.Sample)}, "seed": {strconv.FormatUint(cs.Seed, 10)}, "from": {cs.From.Format(time.RFC3339)},
		"to": {cs.To.Format(time.RFC3339)}, "size": {strconv.FormatUint(cs.Size, 10)}}
	if cs.Untied > 0 {
		fmt.Fprintf(w, "Consent-compliance audit: NOT TIED: %d of %d sampled disclosures cannot be tied to what permitted them.\n", cs.Untied, len(cs.Items))
	} else {
		fmt.Fprintf(w, "Consent-compliance audit: %d of %d disclosures sampled (seed %d), every one tied to its agreement and consent or legal basis.\n",
			len(cs.Items), cs.Population, cs.Seed)
	}
	fmt.Fprintf(w, "  Sign in as c.achebe (the ombudsperson's auditor) and open %s/oversight/compliance?%s\n", base, q.Encode())
	fmt.Fprintf(w, "  or run: accord audit sample --db DB --n %d --seed %d --from %s --to %s --size %d\n\n", cs.Sample, cs.Seed,
		cs.From.Format(time.RFC3339), cs.To.Format(time.RFC3339), cs.Size)
}
