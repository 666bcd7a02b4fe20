-- Duplicate search at intake compares a typed person with up to 2,000
-- clients sharing a blocking key. This index holds, for every client that
-- can be a duplicate (not erased, not merged), exactly the fields compared
-- (and the registering organisation, for merging, which stays within it),
-- so that each candidate is read by an index-only scan, without the rest of
-- the row. The full record is read only for the few candidates shown.
-- An index entry holds at most 2,704 bytes: Client.Validate bounds the
-- compared fields together (accord.MaxMatchBytes).
CREATE INDEX clients_match ON clients (id) INCLUDE (given_name, family_name, birth_date, phone, identifiers, home_organization_id, erased_at, merged_into)
	WHERE erased_at IS NULL AND merged_into = '';
