package http

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

// The audit pages (/audit/...): the log's entries for the oversight body,
// each entry's inclusion proof checked here against the latest signed
// checkpoint, the history of signed checkpoints, and a verification of the
// whole log from storage (what `accord audit verify` does).

func (s *Server) requireAuditView(w http.ResponseWriter, r *http.Request, c *enforce.Caller) (bool, error) {
	if err := c.RequireAuditView(); err != nil {
		p := s.pagePrinter(r)
		return false, s.adminDenied(w, r, c, err,
			p.Sprintf("The audit pages show the tamper-evident log of every access decision and change: its signed checkpoints, proofs that entries are in it, and checks that nothing in it was altered."),
			p.Sprintf("Privacy officers, auditors, partnership administrators and the oversight body use them. A client's own history is in their access report, which their organisation can print for them."))
	}
	return true, nil
}

// auditCheckpointInfo is a signed checkpoint as the pages show it.
type auditCheckpointInfo struct {
	Size     uint64
	Root     string
	Key      string // the signing key's name and hash
	Verified bool   // its signature verifies with the log's public key
	Problem  string // why not, when not
	SignedAt time.Time
	cp       auditlog.Checkpoint
	// Consistent is set on a history page: "yes", "no" or "" (not checked).
	Consistent string
	// Cosignatures are the witnesses' cosignatures, on a history page.
	Cosignatures []cosignatureInfo
	note         []byte
}

// cosignatureInfo is a witness's cosignature as the pages show it.
type cosignatureInfo struct {
	Witness  string
	SignedAt time.Time
	Verified bool // it verifies with a witness key the server trusts
	Unknown  bool // the server does not trust (or know) the witness's key
}

// auditOpen reads a signed checkpoint, checking its signature when the
// server knows the log's public key.
func (s *Server) auditOpen(p *i18n.Printer, msg []byte) auditCheckpointInfo {
	var info auditCheckpointInfo
	if s.auditKey != nil {
		c, n, err := auditlog.Open(msg, s.auditKey.Name(), note.VerifierList(s.auditKey))
		if err == nil {
			info.cp, info.Verified = c, true
			for _, sg := range n.Sigs {
				if sg.Name == c.Origin {
					info.Key = fmt.Sprintf("%s+%08x", sg.Name, sg.Hash)
				}
			}
		} else {
			info.Problem = errorText(p, err)
		}
	} else {
		info.Problem = p.Sprintf("This server was not given the log's public key (log.pub), so it cannot check the signature.")
	}
	if !info.Verified {
		// Show what the checkpoint says, marked as not checked.
		if i := bytes.Index(msg, []byte("\n\n")); i > 0 {
			if c, err := auditlog.ParseCheckpoint(msg[:i+1]); err == nil {
				info.cp = c
			}
			if j := bytes.Index(msg[i+2:], []byte("— ")); j >= 0 {
				rest := msg[i+2+j+len("— "):]
				if k := bytes.IndexByte(rest, ' '); k > 0 {
					info.Key = string(rest[:k])
				}
			}
		}
	}
	info.Size = info.cp.Size
	if len(info.cp.Hash) > 0 {
		info.Root = base64.StdEncoding.EncodeToString(info.cp.Hash)
	}
	return info
}

// The entries.

type auditHomeData struct {
	Nav          []adminLink
	Size         uint64
	Latest       *auditCheckpointInfo
	Verify       *auditVerifyResult
	Oversight    bool
	Refused      string
	Lines        []auditLine
	Next, Newest string // links to the older page and back to the newest
	Exhausted    bool
	Searched     bool
	Kinds        []option
	Decisions    []option
}

type auditLine struct {
	enforce.AccessLine
	Explanation string
}

func (s *Server) auditHome(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAuditView(w, r, c); !ok {
		return err
	}
	ctx := r.Context()
	v := s.newView(r, c, "audit", "Audit log", nil)
	p := v.P
	d := &auditHomeData{Nav: auditNav(p, c, "/audit"), Oversight: c.Oversight()}
	cps, size, err := s.svc.AuditCheckpoints(ctx, c, 0, 1)
	if err != nil {
		return err
	}
	d.Size = size
	if len(cps) > 0 {
		info := s.auditOpen(p, cps[0].Note)
		info.SignedAt = cps[0].SignedAt
		d.Latest = &info
	}
	d.Verify = auditVerifies(s).snapshot().Last
	d.Kinds = []option{{Value: "", Label: p.Sprintf("Any kind")},
		{Value: string(accord.AuditDecision), Label: p.Sprintf("Access decisions")},
		{Value: string(accord.AuditChange), Label: p.Sprintf("Changes")},
		{Value: string(accord.AuditLogin), Label: p.Sprintf("Sign-ins")},
		{Value: string(accord.AuditExport), Label: p.Sprintf("Exports and reports")},
		{Value: string(accord.AuditErasure), Label: p.Sprintf("Erasures")}}
	d.Decisions = []option{{Value: "", Label: p.Sprintf("Permitted or refused")},
		{Value: "permit", Label: p.Sprintf("Permitted only")}, {Value: "deny", Label: p.Sprintf("Refused only")}}
	// The filters are a GET form: ids, codes and dates only.
	f := newForm()
	f.Token = ""
	q := r.URL.Query()
	for _, k := range []string{"client_id", "staff_id", "action", "kind", "decision", "from", "to"} {
		if x := strings.TrimSpace(q.Get(k)); x != "" {
			f.Values.Set(k, x)
		}
	}
	v.Form = f
	status := http.StatusOK
	query, qerr := auditQueryOf(f, q.Get("before"))
	if qerr != nil {
		f.fail(p, qerr)
		status = http.StatusUnprocessableEntity
	}
	if !d.Oversight {
		_, err := s.svc.SearchAudit(ctx, c, sqlstore.AuditQuery{Limit: 1})
		d.Refused = errorText(p, err)
		v.Data = d
		return s.adminRender(w, status, "audit_home", v)
	}
	if qerr == nil {
		page, err := s.svc.SearchAudit(ctx, c, query)
		if err != nil {
			return err
		}
		lines, err := s.svc.DescribeAuditEntries(ctx, c, page.Entries)
		if err != nil {
			return err
		}
		for _, l := range lines {
			x := auditLine{AccessLine: l}
			if l.HasDecision {
				x.Explanation = p.Render(l.Explanation.Explanation)
			}
			d.Lines = append(d.Lines, x)
		}
		d.Searched = true
		d.Exhausted = page.Exhausted
		keep := url.Values{}
		for k, vs := range f.Values {
			keep[k] = vs
		}
		if page.Next > 0 {
			keep.Set("before", strconv.FormatInt(page.Next, 10))
			d.Next = "/audit?" + keep.Encode()
		}
		if query.Before > 0 {
			keep.Del("before")
			d.Newest = "/audit?" + keep.Encode()
		}
	}
	v.Data = d
	return s.adminRender(w, status, "audit_home", v)
}

// auditQueryOf reads the filters.
func auditQueryOf(f *form, before string) (sqlstore.AuditQuery, error) {
	v := f.Values
	q := sqlstore.AuditQuery{ClientID: v.Get("client_id"), ActorID: v.Get("staff_id"), Action: v.Get("action"), Kind: accord.AuditKind(v.Get("kind")),
		Effect: v.Get("decision"), Limit: 50}
	if q.ClientID != "" && !accord.ValidID(accord.PrefixClient, q.ClientID) {
		return q, accord.FieldErrorf("client_id", "a client id starts with cli_ and is on the client's page")
	}
	if q.ActorID != "" && q.ActorID != "system" && !accord.ValidID(accord.PrefixStaff, q.ActorID) {
		return q, accord.FieldErrorf("staff_id", "a staff id starts with stf_ and is on the staff list")
	}
	if len(q.Action) > 100 {
		return q, accord.FieldErrorf("action", "action is longer than %d characters", 100)
	}
	switch q.Kind {
	case "", accord.AuditDecision, accord.AuditChange, accord.AuditLogin, accord.AuditExport, accord.AuditErasure:
	default:
		return q, accord.FieldErrorf("kind", "choose a kind from the list")
	}
	if q.Effect != "" && q.Effect != "permit" && q.Effect != "deny" {
		return q, accord.FieldErrorf("decision", "choose permitted or refused")
	}
	if x := v.Get("from"); x != "" {
		t, ok := adminDate(x)
		if !ok {
			return q, accord.FieldErrorf("from", "enter a date as year-month-day, for example 2027-03-31")
		}
		q.From = t
	}
	if x := v.Get("to"); x != "" {
		t, ok := adminDate(x)
		if !ok {
			return q, accord.FieldErrorf("to", "enter a date as year-month-day, for example 2027-03-31")
		}
		q.Until = t.Add(24 * time.Hour) // to the end of that day
	}
	if !q.From.IsZero() && !q.Until.IsZero() && !q.Until.After(q.From) {
		return q, accord.FieldErrorf("to", "the end date is before the start date")
	}
	if before != "" {
		n, err := strconv.ParseInt(before, 10, 64)
		if err != nil || n < 1 {
			return q, accord.Errorf(accord.EINVALID, "the page link is not valid; start from the newest entries")
		}
		q.Before = n
	}
	return q, nil
}

// One entry and its inclusion proof.

type auditEntryData struct {
	Nav         []adminLink
	Index       int64
	Line        *auditLine
	Leaf        string // the stored entry as hashed (oversight only)
	LeafHash    string
	Checkpoint  *auditCheckpointInfo
	Proved      bool
	Failure     string // why it is not proved
	NotYet      bool   // the entry is newer than the latest checkpoint
	Proof       []string
	ContentNote string
}

func (s *Server) auditEntry(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAuditView(w, r, c); !ok {
		return err
	}
	index, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || index < 0 {
		return accord.Errorf(accord.ENOTFOUND, "There is no such page.")
	}
	ctx := r.Context()
	v := s.newView(r, c, "audit", "Audit entry", nil)
	p := v.P
	d := &auditEntryData{Nav: auditNav(p, c, ""), Index: index}
	cps, size, err := s.svc.AuditCheckpoints(ctx, c, 0, 1)
	if err != nil {
		return err
	}
	if uint64(index) >= size {
		return accord.Errorf(accord.ENOTFOUND, "no audit entry %d", index)
	}
	if c.Oversight() {
		e, err := s.svc.AuditEntry(ctx, c, index)
		if err != nil {
			return err
		}
		lines, err := s.svc.DescribeAuditEntries(ctx, c, []accord.AuditEntry{*e})
		if err != nil {
			return err
		}
		d.Line = &auditLine{AccessLine: lines[0]}
		if lines[0].HasDecision {
			d.Line.Explanation = p.Render(lines[0].Explanation.Explanation)
		}
	} else {
		d.ContentNote = p.Sprintf("The oversight body alone reads entries; here you can check that entry %d is in the log without seeing what it says.", index)
	}
	switch {
	case len(cps) == 0:
		d.Failure = p.Sprintf("No checkpoint has been signed yet, so there is nothing to prove the entry against. The server signs one every few seconds while the log grows.")
	default:
		info := s.auditOpen(p, cps[0].Note)
		info.SignedAt = cps[0].SignedAt
		d.Checkpoint = &info
		switch {
		case !info.Verified:
			d.Failure = p.Sprintf("Not proved: the latest checkpoint's signature could not be checked. %s", info.Problem)
		case uint64(index) >= info.Size:
			d.NotYet = true
			d.Failure = p.Sprintf("Not proved yet: entry %d is newer than the latest signed checkpoint, which covers %d entries. The next checkpoint will cover it; reload this page in a few seconds.", index, info.Size)
		default:
			leaf, proof, err := s.svc.AuditProof(ctx, c, index, info.Size)
			if err != nil {
				return err
			}
			d.LeafHash = base64.StdEncoding.EncodeToString(auditlog.LeafHash(leaf))
			for _, h := range proof {
				d.Proof = append(d.Proof, base64.StdEncoding.EncodeToString(h))
			}
			if c.Oversight() {
				d.Leaf = string(leaf)
			}
			if err := auditlog.VerifyInclusion(info.cp, uint64(index), leaf, proof); err != nil {
				d.Failure = p.Sprintf("Not proved: the stored entry does not match the signed log. It may have been altered after it was written. Run a verification of the whole log and tell the oversight body.")
			} else {
				d.Proved = true
			}
		}
	}
	v.Data = d
	return s.adminRender(w, http.StatusOK, "audit_entry", v)
}

// The history of signed checkpoints.

type auditCheckpointsData struct {
	Nav         []adminLink
	Size        uint64
	Checkpoints []auditCheckpointInfo
	Next        string
	KeyKnown    bool
}

func (s *Server) auditCheckpointsPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAuditView(w, r, c); !ok {
		return err
	}
	var before uint64
	if x := r.URL.Query().Get("before"); x != "" {
		n, err := strconv.ParseUint(x, 10, 63)
		if err != nil {
			return accord.Errorf(accord.EINVALID, "the page link is not valid; start from the newest entries")
		}
		before = n
	}
	ctx := r.Context()
	const pageSize = 50
	// One more than shown, to check the last one shown against the one before it.
	cps, size, err := s.svc.AuditCheckpoints(ctx, c, before, pageSize+1)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "audit", "Signed checkpoints", nil)
	p := v.P
	d := &auditCheckpointsData{Nav: auditNav(p, c, "/audit/checkpoints"), Size: size, KeyKnown: s.auditKey != nil}
	var infos []auditCheckpointInfo
	for _, cp := range cps {
		info := s.auditOpen(p, cp.Note)
		info.SignedAt, info.note = cp.SignedAt, cp.Note
		infos = append(infos, info)
	}
	if err := s.addCosignatureInfo(ctx, infos); err != nil {
		return err
	}
	// Each checkpoint must extend the one before it (a consistency proof):
	// a log that was rewritten and re-signed would fail here.
	for i := 0; i+1 < len(infos); i++ {
		newer, older := &infos[i], &infos[i+1]
		if !newer.Verified || !older.Verified || older.Size == 0 {
			continue
		}
		proof, err := s.db.ConsistencyProof(ctx, older.Size, newer.Size)
		if err == nil && auditlog.VerifyConsistency(older.cp, newer.cp, proof) == nil {
			newer.Consistent = "yes"
		} else {
			newer.Consistent = "no"
		}
	}
	if len(infos) > pageSize {
		d.Next = "/audit/checkpoints?before=" + strconv.FormatUint(infos[pageSize-1].Size, 10)
		infos = infos[:pageSize]
	}
	d.Checkpoints = infos
	v.Data = d
	return s.adminRender(w, http.StatusOK, "audit_checkpoints", v)
}

// Verification of the whole log.

// auditVerifyResult is the outcome of one verification.
type auditVerifyResult struct {
	OK                bool
	Size              uint64
	Root              string
	Checkpoints       int
	FailedCheckpoints []string
	FirstBad, LastBad int64 // the first entry that does not match lies in [FirstBad, LastBad]
	Exact             bool
	Problem           string // in English, from the verifier
	Err               string
	Took              time.Duration
	At                time.Time
	By                string
}

// auditVerifyState is the verification of one server: at most one runs at
// a time (it reads every entry), and the last result is kept.
type auditVerifyState struct {
	mu          sync.Mutex
	running     bool
	started     time.Time
	by          string
	done, total atomic.Uint64
	last        *auditVerifyResult
	finished    chan struct{}
}

type auditVerifySnapshot struct {
	Running     bool
	Started     time.Time
	By          string
	Done, Total uint64
	Last        *auditVerifyResult
}

func (st *auditVerifyState) snapshot() auditVerifySnapshot {
	st.mu.Lock()
	defer st.mu.Unlock()
	return auditVerifySnapshot{Running: st.running, Started: st.started, By: st.by, Done: st.done.Load(), Total: st.total.Load(), Last: st.last}
}

var auditVerifyStates sync.Map // *Server → *auditVerifyState

func auditVerifies(s *Server) *auditVerifyState {
	st, _ := auditVerifyStates.LoadOrStore(s, &auditVerifyState{})
	return st.(*auditVerifyState)
}

// auditVerifyWait is how long starting a verification waits for it to end
// before showing its progress instead.
const auditVerifyWait = 20 * time.Second

// start runs a verification in the background unless one is running; it
// returns a channel closed when the (new or running) verification ends.
func (st *auditVerifyState) start(s *Server, c *enforce.Caller) <-chan struct{} {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.running {
		return st.finished
	}
	st.running, st.started, st.by = true, s.now(), c.Staff.DisplayName
	st.done.Store(0)
	st.total.Store(0)
	st.finished = make(chan struct{})
	finished := st.finished
	by := c.Staff.DisplayName
	go func() {
		defer close(finished)
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		opts := sqlstore.VerifyOptions{Progress: func(done, total uint64) { st.done.Store(done); st.total.Store(total) }}
		if s.auditKey != nil {
			opts.Origin, opts.Verifiers = s.auditKey.Name(), note.VerifierList(s.auditKey)
		}
		res, took, err := s.svc.VerifyAudit(ctx, c, opts)
		out := &auditVerifyResult{Took: took, At: s.now(), By: by, FirstBad: -1}
		if err != nil {
			s.logger.Error("audit verification", "err", err)
			out.Err = accord.ErrorCode(err)
		} else {
			out.OK, out.Size, out.Root, out.Problem = res.OK, res.Size, base64.StdEncoding.EncodeToString(res.Root), res.Problem
			out.FirstBad, out.LastBad, out.Exact = res.FirstBad, res.FirstBadEnd-1, res.Exact()
			for _, cc := range res.Checkpoints {
				if cc.OK {
					out.Checkpoints++
				} else {
					out.FailedCheckpoints = append(out.FailedCheckpoints, fmt.Sprintf("%d: %s", cc.Size, cc.Problem))
				}
			}
		}
		st.mu.Lock()
		st.running, st.last = false, out
		st.mu.Unlock()
	}()
	return finished
}

type auditVerifyData struct {
	Nav      []adminLink
	State    auditVerifySnapshot
	Percent  int
	KeyKnown bool
	Size     uint64
	Took     string
}

func (s *Server) auditVerifyData(r *http.Request, c *enforce.Caller, p *i18n.Printer) (*auditVerifyData, error) {
	_, size, err := s.svc.AuditCheckpoints(r.Context(), c, 0, 1)
	if err != nil {
		return nil, err
	}
	d := &auditVerifyData{Nav: auditNav(p, c, "/audit/verify"), State: auditVerifies(s).snapshot(), KeyKnown: s.auditKey != nil, Size: size}
	if d.State.Total > 0 {
		d.Percent = int(100 * d.State.Done / d.State.Total)
	}
	if l := d.State.Last; l != nil {
		d.Took = strconv.FormatFloat(l.Took.Seconds(), 'f', 2, 64)
	}
	return d, nil
}

func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAuditView(w, r, c); !ok {
		return err
	}
	v := s.newView(r, c, "audit", "Verify the audit log", nil)
	d, err := s.auditVerifyData(r, c, v.P)
	if err != nil {
		return err
	}
	v.Data = d
	v.Form = newForm()
	return s.adminRender(w, http.StatusOK, "audit_verify", v)
}

// auditVerifyStatus is the progress part of the verify page, for htmx to
// refresh while a verification runs.
func (s *Server) auditVerifyStatus(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if err := c.RequireAuditView(); err != nil {
		return err
	}
	v := s.newView(r, c, "audit", "Verify the audit log", nil)
	d, err := s.auditVerifyData(r, c, v.P)
	if err != nil {
		return err
	}
	v.Data = d
	var buf bytes.Buffer
	if err := pages["audit_verify"].ExecuteTemplate(&buf, "verify-status", v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = buf.WriteTo(w)
	return err
}

func (s *Server) auditVerifyStart(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if ok, err := s.requireAuditView(w, r, c); !ok {
		return err
	}
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		if s.auditKey == nil {
			return "", accord.Errorf(accord.EUNAVAILABLE, "This server was not given the log's public key (log.pub), so it cannot check the signed checkpoints. Run accord audit verify where the keys are.")
		}
		finished := auditVerifies(s).start(s, c)
		select {
		case <-finished:
		case <-time.After(auditVerifyWait):
		case <-r.Context().Done():
		}
		return "/audit/verify", nil
	})
	if done {
		return nil
	}
	return err
}

// The access report of one client.

type auditReportData struct {
	ClientID    string
	GeneratedAt time.Time
	By, ByOrg   string
	Truncated   bool
	Lines       []auditReportLine
	Permitted   int
	Refused     int
	Seen        []string // organisations that saw information
	Langs       []auditReportLang
	JSON        string // the download link
}

type auditReportLine struct {
	Index       int64
	Time        time.Time
	Who, Org    string
	Decision    bool
	Category    accord.Category
	Holder      string
	Purpose     accord.Purpose
	Outcome     string // shown, allowed but not shown, refused
	OutcomeCls  string
	Basis       string
	Explanation string
	Event       string // what happened, for other entries
}

type auditReportLang struct {
	Tag, Name string
	Client    bool // the client's own language
	Current   bool
}

func (s *Server) auditReportPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	rep, err := s.svc.AccessReport(r.Context(), c, r.PathValue("id"))
	if code := accord.ErrorCode(err); code == accord.EFORBIDDEN {
		p := s.pagePrinter(r)
		return s.adminDenied(w, r, c, err,
			p.Sprintf("The access report lists every decision about one client's information: who asked, from which organisation, when, for what and why, and whether it was allowed."),
			p.Sprintf("The client's own organisation produces it at the client's request (navigators, supervisors and privacy officers), and the oversight body for its reviews."))
	} else if err != nil {
		return err
	}
	// The report is the client's: in their language unless another is asked for.
	if r.URL.Query().Get("lang") == "" && rep.Language != "" {
		q := r.URL.Query()
		q.Set("lang", s.cat.Match(rep.Language).String())
		r.URL.RawQuery = q.Encode()
	}
	v := s.newView(r, c, "clients", "Access report", nil)
	p := v.P
	d := &auditReportData{ClientID: rep.ClientID, GeneratedAt: rep.GeneratedAt, By: c.Staff.DisplayName, ByOrg: c.Organization.Name, Truncated: rep.Truncated,
		JSON: "/clients/" + rep.ClientID + "/access-report.json?lang=" + p.Tag.String()}
	clientLang := s.cat.Match(rep.Language)
	for _, l := range langNames {
		tag := s.cat.Match(l.tag)
		d.Langs = append(d.Langs, auditReportLang{Tag: l.tag, Name: l.name, Client: rep.Language != "" && tag == clientLang, Current: tag == p.Tag})
	}
	d.Lines, d.Permitted, d.Refused, d.Seen = reportLines(p, rep)
	v.Data = d
	return s.adminRender(w, http.StatusOK, "audit_access_report", v)
}

// reportLines says each line of an access report in words, and counts
// the permitted and refused decisions and the organisations that saw
// information.
func reportLines(p *i18n.Printer, rep *enforce.AccessReport) (lines []auditReportLine, permitted, refused int, seen []string) {
	saw := map[string]bool{}
	for _, l := range rep.Lines {
		e := l.Entry
		who := l.ActorName
		if e.ActorID == "system" || e.ActorID == "" {
			who = p.Sprintf("Accord itself")
		}
		line := auditReportLine{Index: e.Index, Time: e.Time, Who: who, Org: l.OrganizationName}
		if l.HasDecision {
			line.Decision, line.Category, line.Holder, line.Purpose = true, e.Category, l.HolderName, e.Purpose
			line.Explanation = p.Render(l.Explanation.Explanation)
			line.Basis = auditReportBasis(p, e.Reason)
			question := e.Action == "explain" // asked whether, and saw nothing
			switch {
			case e.Effect == "permit" && e.Released:
				line.Outcome, line.OutcomeCls = p.Sprintf("Allowed and shown"), "ok"
				if l.OrganizationName != "" && !saw[l.OrganizationName] {
					saw[l.OrganizationName] = true
					seen = append(seen, l.OrganizationName)
				}
			case e.Effect == "permit":
				line.Outcome, line.OutcomeCls = p.Sprintf("Allowed, nothing shown"), "ok"
			default:
				line.Outcome, line.OutcomeCls = p.Sprintf("Refused"), "bad"
			}
			switch {
			case question:
				line.Outcome = p.Sprintf("A question only: could they see it? Answer: %s", line.Outcome)
			case e.Effect == "permit":
				permitted++
			default:
				refused++
			}
		} else {
			line.Event = auditReportEvent(p, e)
		}
		lines = append(lines, line)
	}
	return lines, permitted, refused, seen
}

// accessReportOut is the JSON of an access report in p's language: the
// codes, and beside them the same in words.
func accessReportOut(p *i18n.Printer, rep *enforce.AccessReport, by, byOrg string) accessReportJSON {
	lines, permitted, refused, seen := reportLines(p, rep)
	out := accessReportJSON{ClientID: rep.ClientID, Language: p.Tag.String(), GeneratedAt: rep.GeneratedAt, GeneratedBy: by, GeneratedByOrganization: byOrg,
		Truncated: rep.Truncated, Permitted: permitted, Refused: refused, SeenBy: seen, Entries: []accessLineJSON{},
		Codes: p.Sprintf("The fields kind, action, category, purpose, effect and reason are codes; category_text, purpose_text, outcome_text, basis_text, event_text and explanation say the same in words, in the report's language.")}
	if out.SeenBy == nil {
		out.SeenBy = []string{}
	}
	for i, l := range rep.Lines {
		e, x := l.Entry, lines[i]
		j := accessLineJSON{Index: e.Index, Time: e.Time, Kind: string(e.Kind), Action: e.Action, StaffID: e.ActorID, StaffName: l.ActorName,
			OrganizationID: e.ActorOrganizationID, OrganizationName: l.OrganizationName, HolderID: e.HolderID, HolderName: l.HolderName,
			Category: e.Category, Purpose: e.Purpose, Effect: e.Effect, Released: e.Released, Reason: e.Reason, LegalBasisID: e.LegalBasisID,
			Explanation: x.Explanation, OutcomeText: x.Outcome, BasisText: x.Basis, EventText: x.Event}
		if l.HasDecision {
			j.CategoryText, j.PurposeText = p.Sprintf(string(i18n.Category(e.Category))), p.Sprintf(string(i18n.Purpose(e.Purpose)))
		}
		out.Entries = append(out.Entries, j)
	}
	return out
}

// auditReportJSON serves the access report as JSON to a signed-in staff
// member, for the page's download link: the same report as the API's.
func (s *Server) auditReportJSON(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	rep, err := s.svc.AccessReport(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := s.cat.Printer(s.cat.Match(r.URL.Query().Get("lang"), rep.Language))
	w.Header().Set("Content-Disposition", `attachment; filename="access-report-`+rep.ClientID+`.json"`)
	writeJSON(w, http.StatusOK, accessReportOut(p, rep, c.Staff.DisplayName, c.Organization.Name))
	return nil
}

// auditReportBasis says in words what kind of permission a decision rested on.
func auditReportBasis(p *i18n.Printer, reason accord.Reason) string {
	switch reason {
	case accord.ReasonSameOrgRole, accord.ReasonSameOrgCareTeam:
		return p.Sprintf("Their own organisation holds it")
	case accord.ReasonAgreementConsent:
		return p.Sprintf("An agreement between the organisations, and the client's consent")
	case accord.ReasonCourtOrder:
		return p.Sprintf("A court order")
	case accord.ReasonStatutoryDuty:
		return p.Sprintf("A duty in law")
	case accord.ReasonBreakGlass:
		return p.Sprintf("An emergency (break-glass) access, reviewed afterwards")
	}
	return p.Sprintf("None: refused")
}

// auditReportEvent says in words what a change, export or sign-in was.
func auditReportEvent(p *i18n.Printer, e accord.AuditEntry) string {
	a := e.Action
	switch {
	case a == "client.create":
		return p.Sprintf("Registered the client.")
	case a == "client.update":
		return p.Sprintf("Changed the client's details.")
	case a == "consent.create":
		return p.Sprintf("Recorded the client's consent.")
	case a == "consent.revoke":
		return p.Sprintf("Recorded that the client withdrew a consent.")
	case a == "record.create":
		return p.Sprintf("Added to the client's records.")
	case a == "screening.record":
		return p.Sprintf("Recorded a screening of the client's needs.")
	case a == "referral.send":
		return p.Sprintf("Sent a referral.")
	case strings.HasPrefix(a, "referral."):
		return p.Sprintf("Updated a referral.")
	case a == "case.open":
		return p.Sprintf("Opened a joint case.")
	case strings.HasPrefix(a, "case."), strings.HasPrefix(a, "task."):
		return p.Sprintf("Worked on the client's joint case.")
	case a == "care_team.add":
		return p.Sprintf("Added someone to the client's care team.")
	case strings.HasPrefix(a, "escalation."):
		return p.Sprintf("Raised or handled an urgent escalation.")
	case strings.HasPrefix(a, "legal_basis.create"):
		return p.Sprintf("Recorded a court order, a duty in law or an emergency access.")
	case strings.HasPrefix(a, "legal_basis.review."):
		return p.Sprintf("Reviewed, for the oversight body, a court order, a duty in law or an emergency access.")
	case a == "legal_basis.review_overdue":
		return p.Sprintf("Reminded the oversight body that a court order, a duty in law or an emergency access waits for its review.")
	case a == "client.merge":
		return p.Sprintf("Joined two registrations of the client into one.")
	case strings.HasPrefix(a, "client.erase"):
		return p.Sprintf("Erased the client's information.")
	case a == "access_report":
		return p.Sprintf("Produced an access report like this one.")
	case a == "legal_bases.list":
		return p.Sprintf("Looked at the legal bases recorded for the client.")
	case strings.HasPrefix(a, "portal."):
		return p.Sprintf("Used or set up the client's portal sign-in.")
	case strings.HasPrefix(a, "grievance."):
		return p.Sprintf("Recorded or handled a complaint.")
	}
	return p.Sprintf("Another action (%s).", a)
}
