package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord/auditlog"
)

// The oversight body's witness: it keeps its own copy of the audit log's
// latest checkpoint in a state directory, and on each run fetches the
// server's latest checkpoint and a consistency proof from the one it kept,
// checks them (auditlog.Witness), keeps the new checkpoint, and posts its
// cosignature back. The state directory holds:
//
//	witness.key  the witness's private key (mode 0600)
//	witness.pub  its cosignature verifier key, for the servers' witness keys file
//	log.pub      the verifier key of the log it witnesses (the server's log.pub)
//	checkpoint   the last checkpoint it cosigned, as the log signed it

const (
	witnessKeyFile        = "witness.key"
	witnessPubFile        = "witness.pub"
	witnessLogKeyFile     = "log.pub"
	witnessCheckpointFile = "checkpoint"
)

// exitRefused is the exit status of accord witness when it refuses a
// checkpoint: the log is not what it was.
const exitRefused = 3

func runWitness(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 && args[0] == "init" {
		return runWitnessInit(env, args[1:])
	}
	fs := flags(env, "witness", "--server URL --state DIR [--token-file FILE] [--once | --interval DURATION]")
	server := fs.String("server", "", "the Accord server's URL")
	stateDir := fs.String("state", "", "the witness's state directory (see accord witness init)")
	tokenFile := fs.String("token-file", "", "a file holding the API token of an oversight auditor or privacy officer (default: env ACCORD_TOKEN)")
	once := fs.Bool("once", false, "check and cosign the latest checkpoint once, then exit")
	interval := fs.Duration("interval", time.Minute, "how often to check for a new checkpoint, unless --once")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *server == "" || *stateDir == "" {
		fmt.Fprintln(env.Stderr, "accord witness: give --server and --state")
		fs.Usage()
		return ErrUsage
	}
	token := strings.TrimSpace(env.Getenv("ACCORD_TOKEN"))
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return fmt.Errorf("reading the API token: %w", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return errors.New("give the API token of an oversight auditor or privacy officer in ACCORD_TOKEN or --token-file")
	}
	st, err := openWitnessState(*stateDir)
	if err != nil {
		return err
	}
	client := &witnessClient{base: strings.TrimRight(*server, "/"), token: token, hc: &http.Client{Timeout: 30 * time.Second}}
	if *once {
		return witnessOnce(ctx, env, st, client)
	}
	if *interval <= 0 {
		return errors.New("--interval must be positive")
	}
	tick := time.NewTicker(*interval)
	defer tick.Stop()
	for {
		err := witnessOnce(ctx, env, st, client)
		var ee *ExitError
		if errors.As(err, &ee) && ee.Code == exitRefused {
			return err
		}
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(env.Stderr, "accord witness: %v (trying again in %s)\n", err, *interval)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// witnessOnce runs one step of the witness against the server.
func witnessOnce(ctx context.Context, env Env, st *witnessState, c *witnessClient) error {
	msg, err := c.checkpoint(ctx)
	if err != nil {
		return err
	}
	prev := st.last
	cp, cosigned, err := st.witness(msg, func(old, new uint64) ([][]byte, error) { return c.consistency(ctx, old, new) }, env.Now())
	var we *auditlog.WitnessError
	if errors.As(err, &we) {
		fmt.Fprintf(env.Stdout, "REFUSED: %v\n", err)
		return &ExitError{Code: exitRefused, Err: fmt.Errorf("the witness refused the checkpoint (%s)", we.Reason)}
	}
	if err != nil {
		return err
	}
	if err := c.post(ctx, cosigned); err != nil {
		return fmt.Errorf("posting the cosignature of the checkpoint of %d entries: %w", cp.Size, err)
	}
	switch {
	case prev == nil:
		fmt.Fprintf(env.Stdout, "cosigned %s at %d entries, root %s (the first checkpoint this witness has seen)\n",
			cp.Origin, cp.Size, base64.StdEncoding.EncodeToString(cp.Hash))
	case prev.Size == cp.Size:
		fmt.Fprintf(env.Stdout, "cosigned %s at %d entries again, root %s (no new entries)\n",
			cp.Origin, cp.Size, base64.StdEncoding.EncodeToString(cp.Hash))
	default:
		fmt.Fprintf(env.Stdout, "cosigned %s at %d entries, root %s, consistent with the %d entries cosigned before\n",
			cp.Origin, cp.Size, base64.StdEncoding.EncodeToString(cp.Hash), prev.Size)
	}
	return nil
}

func runWitnessInit(env Env, args []string) error {
	fs := flags(env, "witness init", "--state DIR --name NAME --log-key FILE")
	stateDir := fs.String("state", "", "the witness's state directory, created")
	name := fs.String("name", "", "the witness's name, which names its cosignatures (e.g. ombudsperson.example.org/witness)")
	logKey := fs.String("log-key", "", "the file holding the log's public verifier key (the server's log.pub)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *stateDir == "" || *name == "" || *logKey == "" {
		fmt.Fprintln(env.Stderr, "accord witness init: give --state, --name and --log-key")
		fs.Usage()
		return ErrUsage
	}
	b, err := os.ReadFile(*logKey)
	if err != nil {
		return fmt.Errorf("reading the log's public key: %w", err)
	}
	st, err := initWitnessState(*stateDir, *name, string(b))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "witness %s created in %s, witnessing log %s\n", st.key.Name(), st.dir, st.log.Name())
	fmt.Fprintf(env.Stdout, "its verifier key (in %s); add it to the server's witness keys file (ACCORD_WITNESS_KEYS):\n\n  %s\n\n",
		filepath.Join(st.dir, witnessPubFile), st.key.VerifierKey())
	return nil
}

// witnessState is a witness's state directory, loaded.
type witnessState struct {
	dir  string
	key  *auditlog.WitnessKey
	log  note.Verifier
	last *auditlog.Checkpoint // the last checkpoint cosigned; nil if none
}

// initWitnessState creates a witness's state directory with a new key
// named name, for the log whose verifier key is logVkey. It refuses to
// replace an existing key.
func initWitnessState(dir, name, logVkey string) (*witnessState, error) {
	if _, err := note.NewVerifier(strings.TrimSpace(logVkey)); err != nil {
		return nil, fmt.Errorf("the log's public key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, witnessKeyFile)); err == nil {
		return nil, fmt.Errorf("%s already holds a witness key; use another directory", dir)
	}
	skey, vkey, err := auditlog.GenerateWitnessKey(name)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, witnessLogKeyFile), []byte(strings.TrimSpace(logVkey)+"\n"), 0o644); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, witnessPubFile), []byte(vkey+"\n"), 0o644); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, witnessKeyFile), []byte(skey+"\n"), 0o600); err != nil {
		return nil, err
	}
	return openWitnessState(dir)
}

// openWitnessState loads a witness's state directory.
func openWitnessState(dir string) (*witnessState, error) {
	st := &witnessState{dir: dir}
	b, err := os.ReadFile(filepath.Join(dir, witnessKeyFile))
	if err != nil {
		return nil, fmt.Errorf("reading the witness key (create it with accord witness init): %w", err)
	}
	if st.key, err = auditlog.ParseWitnessKey(string(b)); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, witnessKeyFile), err)
	}
	if b, err = os.ReadFile(filepath.Join(dir, witnessLogKeyFile)); err != nil {
		return nil, fmt.Errorf("reading the log's public key: %w", err)
	}
	if st.log, err = note.NewVerifier(strings.TrimSpace(string(b))); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, witnessLogKeyFile), err)
	}
	b, err = os.ReadFile(filepath.Join(dir, witnessCheckpointFile))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	c, _, err := auditlog.Open(b, st.log.Name(), note.VerifierList(st.log))
	if err != nil {
		return nil, fmt.Errorf("the witness's last checkpoint (%s): %w", filepath.Join(dir, witnessCheckpointFile), err)
	}
	st.last = &c
	return st, nil
}

// witness checks msg, the log's latest signed checkpoint, against the last
// checkpoint the witness cosigned, with the consistency proof proof
// returns; keeps it as the last one; and returns it with the cosigned
// checkpoint to post: the log's signature and the witness's cosignature.
// A refusal is an *auditlog.WitnessError, and leaves the state as it was.
func (st *witnessState) witness(msg []byte, proof func(old, new uint64) ([][]byte, error), now time.Time) (auditlog.Checkpoint, []byte, error) {
	var p [][]byte
	if st.last != nil && st.last.Size > 0 {
		text, _, _ := bytes.Cut(msg, []byte("\n\n"))
		if c, err := auditlog.ParseCheckpoint(append(text[:len(text):len(text)], '\n')); err == nil && c.Size > st.last.Size {
			var err error
			if p, err = proof(st.last.Size, c.Size); err != nil {
				return auditlog.Checkpoint{}, nil, fmt.Errorf("fetching the consistency proof from %d to %d entries: %w", st.last.Size, c.Size, err)
			}
		}
	}
	c, line, err := auditlog.Witness(st.key, st.log, st.last, msg, p, now)
	if err != nil {
		return auditlog.Checkpoint{}, nil, err
	}
	// Keep the checkpoint as the log signed it, before anyone is told of
	// the cosignature: a witness that crashed after posting must not
	// later cosign a checkpoint inconsistent with this one.
	_, n, err := auditlog.Open(msg, c.Origin, note.VerifierList(st.log))
	if err != nil {
		return auditlog.Checkpoint{}, nil, err
	}
	signed := []byte(n.Text + "\n")
	for _, s := range n.Sigs {
		signed = fmt.Appendf(signed, "— %s %s\n", s.Name, s.Base64)
	}
	if err := writeFileAtomic(filepath.Join(st.dir, witnessCheckpointFile), signed, 0o644); err != nil {
		return auditlog.Checkpoint{}, nil, fmt.Errorf("keeping the checkpoint: %w", err)
	}
	st.last = &c
	return c, append(signed, line...), nil
}

// witnessClient talks to an Accord server's audit API.
type witnessClient struct {
	base, token string
	hc          *http.Client
}

func (c *witnessClient) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Code != "" {
			return nil, fmt.Errorf("%s %s: %d %s: %s", method, path, resp.StatusCode, e.Error.Code, e.Error.Message)
		}
		return nil, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return b, nil
}

// checkpoint returns the server's latest signed checkpoint.
func (c *witnessClient) checkpoint(ctx context.Context) ([]byte, error) {
	return c.do(ctx, "GET", "/api/v1/audit/checkpoint", nil)
}

// consistency returns the consistency proof from old to new entries.
func (c *witnessClient) consistency(ctx context.Context, old, new uint64) ([][]byte, error) {
	q := url.Values{"old": {strconv.FormatUint(old, 10)}, "new": {strconv.FormatUint(new, 10)}}
	b, err := c.do(ctx, "GET", "/api/v1/audit/proofs/consistency?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		Proof []string `json:"proof"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("reading the consistency proof: %w", err)
	}
	proof := make([][]byte, len(out.Proof))
	for i, h := range out.Proof {
		if proof[i], err = base64.StdEncoding.DecodeString(h); err != nil {
			return nil, fmt.Errorf("reading the consistency proof: %w", err)
		}
	}
	return proof, nil
}

// post posts a cosigned checkpoint.
func (c *witnessClient) post(ctx context.Context, cosigned []byte) error {
	body, err := json.Marshal(map[string]string{"checkpoint": string(cosigned)})
	if err != nil {
		return err
	}
	_, err = c.do(ctx, "POST", "/api/v1/audit/cosignatures", body)
	return err
}
