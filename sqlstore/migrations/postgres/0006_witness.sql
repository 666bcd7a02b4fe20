-- Witness cosignatures (C2SP tlog-cosignature): an independent witness,
-- the oversight body's, checked that a signed checkpoint extends the last
-- one it saw and cosigned it. One row per checkpoint and witness; when a
-- witness cosigns the same checkpoint again, the later cosignature is kept.
CREATE TABLE audit_cosignatures (
	size        BIGINT NOT NULL REFERENCES audit_checkpoints (size),
	witness     TEXT NOT NULL,   -- the witness key's name
	signature   TEXT NOT NULL,   -- the note signature line, "— name base64…\n"
	signed_at   BIGINT NOT NULL, -- the cosignature's own time, by the witness's clock
	received_at BIGINT NOT NULL,
	PRIMARY KEY (size, witness)
);
