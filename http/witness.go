package http

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

// Witnesses. The oversight body's witness (accord witness) fetches the
// latest checkpoint and a consistency proof from the last one it saw,
// checks them, cosigns, and posts the cosigned checkpoint here; the server
// keeps the cosignatures of the witnesses it trusts and serves them with
// the checkpoints.

// maxCosignatureSkew is how far in the future a cosignature's time may be
// by the server's clock.
const maxCosignatureSkew = 10 * time.Minute

// addCosignature takes a witness's cosignature: a checkpoint this server
// signed, with the witness's cosignature line appended. Only the oversight
// body's auditors and privacy officers may post one, and only cosignatures
// by a witness key the server was configured with are kept.
func (s *Server) addCosignature(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if err := c.RequireOversight(); err != nil {
		return err
	}
	var in struct {
		Checkpoint string `json:"checkpoint"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	msg := []byte(in.Checkpoint)
	text, _, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return accord.Errorf(accord.EINVALID, "checkpoint is not a well-formed signed note")
	}
	text = append(text[:len(text):len(text)], '\n')
	cp, err := auditlog.ParseCheckpoint(text)
	if err != nil {
		return err
	}
	stored, err := s.db.CheckpointAt(ctx, cp.Size)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(stored, append(text, '\n')) {
		// Someone holds a checkpoint of this size that is not the one
		// this server signed: a fork, or a witness of another log.
		s.logger.Error("a witness posted a checkpoint the server did not sign", "size", cp.Size, "origin", cp.Origin)
		return accord.Errorf(accord.ECONFLICT, "this is not the checkpoint of %d entries this server signed", cp.Size)
	}
	if len(s.witnesses) == 0 {
		return accord.Errorf(accord.EFORBIDDEN, "this server trusts no witness; give it a file of witness keys (ACCORD_WITNESS_KEYS)")
	}
	cs, err := auditlog.VerifyCosignatures(msg, s.witnesses)
	if errors.Is(err, auditlog.ErrNoCosignature) {
		return accord.Errorf(accord.EFORBIDDEN, "the checkpoint carries no cosignature by a witness this server trusts")
	}
	if err != nil {
		return err
	}
	var names []string
	for _, co := range cs {
		if co.Time.After(s.now().Add(maxCosignatureSkew)) {
			return accord.Errorf(accord.EINVALID, "the cosignature by witness %s is dated in the future; check the witness's clock", co.Witness)
		}
		if err := s.db.AddCosignature(ctx, sqlstore.Cosignature{Size: cp.Size, Witness: co.Witness, Line: co.Line, SignedAt: co.Time}); err != nil {
			return err
		}
		s.logger.Info("checkpoint cosigned", "size", cp.Size, "witness", co.Witness)
		names = append(names, co.Witness)
	}
	out, err := s.withCosignatures(ctx, [][]byte{stored})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"checkpoint": string(out[0]), "witnesses": names})
	return nil
}

// withCosignatures returns signed checkpoints with the stored
// cosignatures of each appended.
func (s *Server) withCosignatures(ctx context.Context, notes [][]byte) ([][]byte, error) {
	sizes := make([]uint64, len(notes))
	lo, hi := uint64(1<<63), uint64(0)
	for i, n := range notes {
		text, _, _ := bytes.Cut(n, []byte("\n\n"))
		cp, err := auditlog.ParseCheckpoint(append(text[:len(text):len(text)], '\n'))
		if err != nil {
			return nil, err
		}
		sizes[i], lo, hi = cp.Size, min(lo, cp.Size), max(hi, cp.Size)
	}
	if len(notes) == 0 {
		return notes, nil
	}
	cs, err := s.db.Cosignatures(ctx, lo, hi)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(notes))
	for i, n := range notes {
		out[i] = sqlstore.WithCosignatures(n, sizes[i], cs)
	}
	return out, nil
}

// addCosignatureInfo adds to each checkpoint of a history page its stored
// cosignatures, each checked against the witness keys the server trusts.
func (s *Server) addCosignatureInfo(ctx context.Context, infos []auditCheckpointInfo) error {
	if len(infos) == 0 {
		return nil
	}
	lo, hi := infos[0].Size, infos[0].Size
	for _, info := range infos {
		lo, hi = min(lo, info.Size), max(hi, info.Size)
	}
	cs, err := s.db.Cosignatures(ctx, lo, hi)
	if err != nil {
		return err
	}
	for i := range infos {
		info := &infos[i]
		for _, c := range cs {
			if c.Size != info.Size {
				continue
			}
			ci := cosignatureInfo{Witness: c.Witness, SignedAt: c.SignedAt}
			_, err := auditlog.VerifyCosignatures(sqlstore.WithCosignatures(info.note, c.Size, []sqlstore.Cosignature{c}), s.witnesses)
			ci.Verified, ci.Unknown = err == nil, errors.Is(err, auditlog.ErrNoCosignature)
			info.Cosignatures = append(info.Cosignatures, ci)
		}
	}
	return nil
}
