-- Proof parts (auditlog.ProofParts): for each full level-0 tile, sixteen
-- rows of 34 hashes, each holding every hash an inclusion proof of one of
-- 16 entries needs from inside the tile, so that a proof reads one row of
-- 1,088 bytes (three share a page) instead of the 8 KiB tile, and hashes
-- nothing. id is tile × 16 + part. Derived from audit_tiles, which stay as
-- they are; filled for existing logs when this migration is applied.
CREATE TABLE audit_proof_parts (
	id    INTEGER PRIMARY KEY,
	nodes BLOB NOT NULL
);
