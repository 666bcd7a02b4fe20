-- Oversight review of legal bases: the queue reads pending bases oldest
-- first; each remembers how many times its overdue review escalated to the
-- oversight body. Bases already waiting get their review deadline armed
-- as a durable timer (72 hours after they were recorded), as new ones do
-- when recorded; the timer's id is derived from the basis's.
ALTER TABLE legal_bases ADD COLUMN review_escalations INTEGER NOT NULL DEFAULT 0;
CREATE INDEX legal_bases_review ON legal_bases (review_status, recorded_at);
INSERT INTO timers (id, kind, subject_id, due_at)
	SELECT 'tmr_' || substr(id, 5), 'legal_basis.review', id, recorded_at + 259200000000
	FROM legal_bases WHERE review_status = 'pending';
