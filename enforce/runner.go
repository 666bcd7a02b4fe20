package enforce

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
	"golang.org/x/text/language"
)

// Mailer sends one plain-text e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body, messageID string) error
}

// SMTPMailer sends through an SMTP server (STARTTLS when offered; PLAIN
// authentication when a username is set).
type SMTPMailer struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
}

// Send sends one message.
func (m *SMTPMailer) Send(ctx context.Context, to, subject, body, messageID string) error {
	var auth smtp.Auth
	if m.Username != "" {
		host := m.Addr
		if i := strings.LastIndexByte(host, ':'); i >= 0 {
			host = host[:i]
		}
		auth = smtp.PlainAuth("", m.Username, m.Password, host)
	}
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@accord>\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		m.From, to, mimeHeader(subject), messageID, time.Now().UTC().Format(time.RFC1123Z), strings.ReplaceAll(body, "\n", "\r\n"))
	return smtp.SendMail(m.Addr, auth, m.From, []string{to}, []byte(msg))
}

func mimeHeader(s string) string {
	for _, r := range s {
		if r > 127 {
			return "=?utf-8?B?" + base64Std(s) + "?="
		}
	}
	return s
}

// Runner fires due timers and delivers the outbox, in every server process:
// claims keep two processes from doing the same work.
type Runner struct {
	DB        *sqlstore.DB
	Catalogue *i18n.Catalogue
	Mailer    Mailer // nil: e-mails are dropped (recorded as not sent)
	Client    *http.Client
	PublicURL string // links in e-mails
	Logger    *slog.Logger
	// Tick is how often the runner looks for due work (default 200 ms).
	Tick time.Duration
	// RetentionEvery is how often a retention purge run starts on its own,
	// counted from the start of the last run, whoever started it (0: never).
	// Runs started elsewhere, and interrupted ones, are worked regardless.
	RetentionEvery time.Duration
	// RetentionTick is how often the runner looks for a purge run to work
	// (default 10 s).
	RetentionTick time.Duration
	// FactsTick is how often the stored indicator facts are brought up to
	// date (default 1 min).
	FactsTick time.Duration
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	worker string
}

// detectEvery is how often the runner looks for a day to detect anomalies in.
const detectEvery = time.Minute

// Run works until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	if r.Tick == 0 {
		r.Tick = 200 * time.Millisecond
	}
	var b [6]byte
	rand.Read(b[:])
	r.worker = hex.EncodeToString(b[:])
	t := time.NewTicker(r.Tick)
	defer t.Stop()
	retentionDone := make(chan struct{})
	go func() {
		defer close(retentionDone)
		r.retentionLoop(ctx)
	}()
	defer func() { <-retentionDone }()
	factsDone := make(chan struct{})
	go func() {
		defer close(factsDone)
		r.factsLoop(ctx)
	}()
	defer func() { <-factsDone }()
	keysDone := make(chan struct{})
	go func() {
		// Once a start: duplicate search's keys, when the code computes
		// them otherwise than the stored ones were.
		defer close(keysDone)
		switch n, err := r.DB.RefreshMatchKeys(ctx); {
		case err != nil && ctx.Err() == nil:
			r.logger().Error("refreshing duplicate-search keys", "err", err, "clients_done", n)
		case err == nil && n > 0:
			r.logger().Info("duplicate-search keys refreshed", "clients", n)
		}
	}()
	defer func() { <-keysDone }()
	var detected time.Time
	for {
		if time.Since(detected) >= detectEvery {
			detected = time.Now()
			if _, err := r.DetectDaily(ctx); err != nil && ctx.Err() == nil {
				r.logger().Error("detecting access anomalies", "err", err)
			}
		}
		if n, err := r.FireDue(ctx); err != nil && ctx.Err() == nil {
			r.logger().Error("firing timers", "err", err)
		} else if n > 0 {
			r.logger().Info("timers fired", "count", n)
		}
		if err := r.Deliver(ctx); err != nil && ctx.Err() == nil {
			r.logger().Error("delivering outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// retentionLoop starts a purge run when one is due and works any run
// waiting, in its own goroutine: a purge of many clients must not hold up
// escalations.
func (r *Runner) retentionLoop(ctx context.Context) {
	tick := r.RetentionTick
	if tick == 0 {
		tick = 10 * time.Second
	}
	w := NewRetentionWorker(r.DB)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if err := r.Retention(ctx, w); err != nil && ctx.Err() == nil {
			r.logger().Error("retention purge", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// factsLoop keeps the stored indicator facts current, so that a dashboard
// or a release seldom waits for the changes since the last refresh.
func (r *Runner) factsLoop(ctx context.Context) {
	tick := r.FactsTick
	if tick == 0 {
		tick = time.Minute
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := r.DB.RefreshIndicatorFacts(ctx); err != nil && ctx.Err() == nil {
			r.logger().Error("refreshing indicator facts", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Retention starts a purge run if RetentionEvery has passed since the last
// one started, then works the running run if w can claim it.
func (r *Runner) Retention(ctx context.Context, w *RetentionWorker) error {
	if r.RetentionEvery > 0 {
		last, ok, err := r.DB.LastRetentionRunStart(ctx)
		if err != nil {
			return err
		}
		if !ok || !time.Now().Before(last.Add(r.RetentionEvery)) {
			if _, _, err := r.DB.StartRetentionRun(ctx, w.Actor); err != nil && accord.ErrorCode(err) != accord.ECONFLICT {
				return err
			}
		}
	}
	run, err := w.Work(ctx)
	if run != nil {
		r.logger().Info("retention purge run", "run", run.ID, "status", run.Status, "planned", run.Planned, "done", run.Done, "skipped", run.Skipped)
	}
	return err
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// FireDue fires every timer due now, in batches, and returns how many fired.
func (r *Runner) FireDue(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		ts, err := r.DB.ClaimDueTimers(ctx, r.worker, 500, 30*time.Second)
		if err != nil || len(ts) == 0 {
			return total, err
		}
		n, err := r.DB.FireTimers(ctx, ts)
		if err != nil {
			// One bad timer must not hold back the others: fire one by one.
			r.logger().Error("firing a batch of timers", "err", err)
			for _, t := range ts {
				m, err := r.DB.FireTimers(ctx, []sqlstore.Timer{t})
				if err != nil {
					r.logger().Error("firing timer", "timer", t.ID, "kind", t.Kind, "err", err)
				}
				total += m
			}
			continue
		}
		total += n
	}
	return total, nil
}

// Deliver sends what is due in the outbox.
func (r *Runner) Deliver(ctx context.Context) error {
	items, err := r.DB.ClaimOutbox(ctx, 50, time.Minute)
	if err != nil {
		return err
	}
	for _, it := range items {
		var msg sqlstore.OutboxMessage
		json.Unmarshal(it.Payload, &msg)
		var sendErr error
		switch it.Channel {
		case "email":
			sendErr = r.sendEmail(ctx, it.Target, msg)
		case "webhook":
			sendErr = r.callWebhook(ctx, it.Target, it.Payload, msg)
		}
		retry := time.Time{}
		if sendErr != nil && it.Attempts < 12 && !(it.Channel == "email" && r.Mailer == nil) {
			retry = time.Now().Add(min(time.Duration(10<<it.Attempts)*time.Second, time.Hour))
		}
		if sendErr != nil {
			r.logger().Warn("delivery failed", "channel", it.Channel, "outbox", it.ID, "attempt", it.Attempts+1, "err", sendErr)
		}
		if err := r.DB.OutboxDone(ctx, it.ID, sendErr, retry); err != nil {
			return err
		}
	}
	return nil
}

func (r *Runner) sendEmail(ctx context.Context, to string, msg sqlstore.OutboxMessage) error {
	if r.Mailer == nil {
		return fmt.Errorf("no SMTP server is configured")
	}
	lang := language.English
	if st, err := r.DB.FindStaff(ctx, msg.StaffID); err == nil && len(st.Languages) > 0 {
		lang = r.Catalogue.Match(st.Languages[0])
	}
	p := r.Catalogue.Printer(lang)
	subject, link := NoticeText(p, msg.Kind), r.PublicURL+"/"+LinkPath(msg.SubjectID)
	body := p.Sprintf("%[1]s\n\nOpen it in Accord: %[2]s\n\nThis message holds no personal information; sign in to see the details.", subject, link)
	return r.Mailer.Send(ctx, to, subject, body, msg.ID)
}

// NoticeText is the one line an e-mail (or the notification list) says.
func NoticeText(p *i18n.Printer, kind string) string {
	switch kind {
	case "escalation.raised":
		return p.Sprintf("An urgent escalation needs your acknowledgement")
	case "escalation.escalated":
		return p.Sprintf("An urgent escalation was not acknowledged in time and now needs yours")
	case "escalation.unanswered":
		return p.Sprintf("No one has acknowledged an urgent escalation")
	case "escalation.action_overdue":
		return p.Sprintf("An urgent escalation is past its action deadline")
	case "escalation.acknowledged":
		return p.Sprintf("Your escalation was acknowledged")
	case "referral.received":
		return p.Sprintf("A referral has arrived for your organisation")
	case "referral.overdue":
		return p.Sprintf("A referral you sent has not been answered in time")
	case "referral.assigned":
		return p.Sprintf("A referral has been assigned to you")
	case "referral.accepted", "referral.declined", "referral.in_progress", "referral.completed", "referral.cancelled":
		return p.Sprintf("A referral has changed status")
	case "grievance.received":
		return p.Sprintf("A complaint needs your answer")
	case "grievance.info":
		return p.Sprintf("The person who complained added information")
	case "grievance.overdue":
		return p.Sprintf("A complaint has passed its deadline without an outcome")
	case "grievance.appealed":
		return p.Sprintf("A complaint outcome was appealed to the oversight body")
	case "legal_basis.review_overdue":
		return p.Sprintf("An emergency access, court order or duty in law has waited more than 72 hours for oversight review")
	case "breach.recorded":
		return p.Sprintf("A breach incident was recorded: the supervisory authority must be told within 72 hours")
	case "anomaly.review_overdue":
		return p.Sprintf("An access anomaly alert has waited more than 72 hours for oversight review")
	case "breach.overdue":
		return p.Sprintf("A breach incident is past its 72 hours and the supervisory authority has not been told")
	}
	return p.Sprintf("Something in Accord needs your attention")
}

// LinkPath is the page of a notification's subject, relative to the site.
func LinkPath(id string) string {
	switch {
	case strings.HasPrefix(id, "esc_"):
		return "escalations/" + id
	case strings.HasPrefix(id, "ref_"):
		return "referrals/" + id
	case strings.HasPrefix(id, "cas_"):
		return "cases/" + id
	case strings.HasPrefix(id, "grv_"):
		return "grievances/" + id
	case strings.HasPrefix(id, "lgb_"):
		return "oversight/reviews/" + id
	case strings.HasPrefix(id, "anm_"):
		return "oversight/anomalies/" + id
	case strings.HasPrefix(id, "brc_"):
		return "breaches/" + id
	}
	return ""
}

// callWebhook POSTs the event to the organisation's webhook, signed: the
// Accord-Signature header is "t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>" under the organisation's secret>", so the receiver can check
// it came from Accord and is fresh. Accord-Event-Id is the idempotency key.
func (r *Runner) callWebhook(ctx context.Context, orgID string, body []byte, msg sqlstore.OutboxMessage) error {
	url, secret, err := r.DB.Webhook(ctx, orgID)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accord-Event-Id", msg.ID)
	req.Header.Set("Accord-Signature", "t="+ts+",v1="+Sign(secret, ts, body))
	client := r.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// Sign returns the webhook signature of body at timestamp ts.
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
