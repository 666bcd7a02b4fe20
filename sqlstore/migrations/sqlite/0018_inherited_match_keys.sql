-- A merge survivor inherits the blocking keys of the duplicates merged into
-- it: their names and birth dates are wiped at the merge, so these keys
-- cannot be recomputed, and a search by the spelling a duplicate was
-- registered under finds the survivor only through them. When a client's
-- details are changed, its own keys are replaced and the inherited kept.
ALTER TABLE client_match_keys ADD COLUMN inherited BOOLEAN NOT NULL DEFAULT FALSE;

-- Which of a survivor's keys came from its duplicates was not recorded
-- before: keep all of them. A survivor's old own keys kept past a change
-- only bring it among the candidates, where it is scored on its current
-- fields.
UPDATE client_match_keys SET inherited = TRUE
	WHERE client_id IN (SELECT merged_into FROM clients WHERE merged_into <> '');
