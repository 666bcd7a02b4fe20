package enforce_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/demo"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/internal/demodb"
	"github.com/accord-project/accord/sqlstore"
)

// smtpServer is a minimal SMTP server for tests: it accepts every message
// and keeps it.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func startSMTP(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 test")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			s.mu.Lock()
			s.rcpt = append(s.rcpt, strings.TrimSpace(line[len("RCPT TO:"):]))
			s.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// TestNotificationsByEmailAndWebhook raises an escalation and checks its
// contact is told by e-mail (through a real SMTP exchange) and the
// organisation's webhook receives a signed event — and that neither holds
// the client's name or the escalation's summary.
func TestNotificationsByEmailAndWebhook(t *testing.T) {
	ctx := context.Background()
	now := demodb.Now
	path := filepath.Join(t.TempDir(), "n.db")
	p, keyring := demodb.SQLite(t, path)
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{Keyring: keyring, Email: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, key, _ := ed25519.GenerateKey(nil)
	svc, err := enforce.New(ctx, enforce.Config{DB: db, Now: func() time.Time { return now }, Receipts: enforce.NewReceiptSigner(key, "", "")})
	if err != nil {
		t.Fatal(err)
	}
	login := func(user string) demo.Login {
		for _, l := range p.Staff {
			if l.Username == user {
				return l
			}
		}
		t.Fatalf("no %s", user)
		return demo.Login{}
	}
	caller := func(user string) *enforce.Caller {
		l := login(user)
		org, _ := db.FindOrganization(ctx, l.OrganizationID)
		return &enforce.Caller{Principal: &sqlstore.Principal{Staff: l.Staff, Organization: *org}}
	}

	// Legal aid's webhook.
	var hookMu sync.Mutex
	var hookBody []byte
	var hookSig, hookID string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hookMu.Lock()
		hookBody, hookSig, hookID = b, r.Header.Get("Accord-Signature"), r.Header.Get("Accord-Event-Id")
		hookMu.Unlock()
	}))
	defer hook.Close()
	const secret = "a-webhook-secret-of-some-length"
	if err := svc.SetWebhook(ctx, caller("h.morgan"), login("h.morgan").OrganizationID, hook.URL, secret); err != nil {
		t.Fatal(err)
	}

	client := p.Scenarios[0].ClientID
	e := &accord.Escalation{ClientID: client, Kind: accord.EscalationEviction, Urgency: accord.UrgencyUrgent,
		Summary: "Possession hearing on Friday", OrganizationID: login("f.rahimi").OrganizationID}
	if err := svc.RaiseEscalation(ctx, caller("j.okafor"), e, accord.PurposeLegalAid); err != nil {
		t.Fatal(err)
	}
	smtp := startSMTP(t)
	r := &enforce.Runner{DB: db, Catalogue: i18n.MustLoad(), PublicURL: "https://accord.example.org",
		Mailer: &enforce.SMTPMailer{Addr: smtp.ln.Addr().String(), From: "accord@example.org"}}
	if err := r.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	smtp.mu.Lock()
	msgs, rcpt := smtp.msgs, smtp.rcpt
	smtp.mu.Unlock()
	if len(msgs) != 1 || !strings.Contains(rcpt[0], login("l.chen").Email) {
		t.Fatalf("mails %d to %v; want one to the level-0 contact", len(msgs), rcpt)
	}
	var clientName string
	for _, c := range p.Clients {
		if c.ID == client {
			clientName = c.FamilyName
		}
	}
	if !strings.Contains(msgs[0], "https://accord.example.org/escalations/"+e.ID) || strings.Contains(msgs[0], clientName) || strings.Contains(msgs[0], "Possession") {
		t.Errorf("the e-mail must link to the escalation and hold no personal data:\n%s", msgs[0])
	}
	hookMu.Lock()
	defer hookMu.Unlock()
	if hookBody == nil || !strings.Contains(string(hookBody), e.ID) || strings.Contains(string(hookBody), "Possession") {
		t.Fatalf("webhook body = %s", hookBody)
	}
	parts := strings.Split(hookSig, ",")
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "t=") || parts[1] != "v1="+enforce.Sign([]byte(secret), parts[0][2:], hookBody) || hookID == "" {
		t.Errorf("webhook signature %q does not verify", hookSig)
	}
	// Delivered once: a second pass sends nothing more.
	if err := r.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	smtp.mu.Lock()
	if len(smtp.msgs) != 1 {
		t.Errorf("%d mails after a second delivery pass, want 1", len(smtp.msgs))
	}
	smtp.mu.Unlock()
}
