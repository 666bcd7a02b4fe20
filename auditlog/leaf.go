// Package auditlog is the pure part of Accord's tamper-evident audit log:
// leaf encoding, the RFC 6962 Merkle tree stored as C2SP tlog-tiles (height
// 8), inclusion and consistency proofs computed from the tiles, C2SP
// tlog-checkpoints signed as Ed25519 signed notes, and a streaming verifier
// that names the first entry that does not match.
//
// It does no I/O of its own. Storage keeps three things and hands them back
// through TileReader and VerifyOptions:
//
//   - the leaves: EncodeLeaf of each AuditEntry, by index;
//   - the tiles: every Tile returned by Appender.Append, upserted by ID in
//     the same transaction as the leaves (see Appender for the contract);
//   - the signed checkpoints made with Sign.
package auditlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"

	"github.com/accord-project/accord"
)

// EncodeLeaf returns the leaf bytes of e: the encoding/json encoding of the
// struct with its time in UTC. The encoding is deterministic (fields are
// written in declaration order, e.Index is not part of it), so the same entry
// always gives the same leaf and the same leaf hash. It returns an EINVALID
// error when e cannot be encoded (a time outside years 0–9999).
func EncodeLeaf(e *accord.AuditEntry) ([]byte, error) {
	c := *e
	c.Time = c.Time.UTC()
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, accord.Errorf(accord.EINVALID, "audit entry cannot be encoded: %v", err.Error())
	}
	return b, nil
}

// DecodeLeaf returns the entry encoded in leaf. It is strict: unknown
// fields, trailing data, and any leaf that EncodeLeaf would not have written
// byte for byte (other spacing, key order or case, escapes, time zone) are
// rejected with an EINVALID error, so a decoded entry always stands for
// exactly the bytes that were hashed. Index is left zero.
func DecodeLeaf(leaf []byte) (accord.AuditEntry, error) {
	var e accord.AuditEntry
	dec := json.NewDecoder(bytes.NewReader(leaf))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return accord.AuditEntry{}, accord.Errorf(accord.EINVALID, "audit leaf is not a valid entry: %v", err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return accord.AuditEntry{}, accord.Errorf(accord.EINVALID, "audit leaf has trailing data")
	}
	again, err := EncodeLeaf(&e)
	if err != nil {
		return accord.AuditEntry{}, err
	}
	if !bytes.Equal(again, leaf) {
		return accord.AuditEntry{}, accord.Errorf(accord.EINVALID, "audit leaf is not in canonical form")
	}
	return e, nil
}

// LeafHash returns the RFC 6962 leaf hash of leaf: SHA-256(0x00 || leaf).
// It is what Appender.Append takes and what level-0 tiles hold.
func LeafHash(leaf []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(leaf)
	return h.Sum(make([]byte, 0, HashSize))
}
