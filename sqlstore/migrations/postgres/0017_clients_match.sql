-- Duplicate search at intake compares a typed person with up to 2,000
-- clients sharing a blocking key. This index holds, for every client that
-- can be a duplicate (not erased, not merged), exactly the fields compared,
-- so that each candidate is read by an index-only scan, without the rest of
-- the row. The full record is read only for the few candidates shown.
CREATE INDEX clients_match ON clients (id) INCLUDE (given_name, family_name, birth_date, phone, identifiers, erased_at, merged_into)
	WHERE erased_at IS NULL AND merged_into = '';
