-- Duplicate search at intake compares a typed person with up to 2,000
-- clients sharing a blocking key. This index holds, for every client that
-- can be a duplicate (not erased, not merged), exactly the fields compared
-- (and the registering organisation, for merging, which stays within it),
-- so that each candidate is read with one index lookup instead of two (the
-- id's index, then the table's row) and without the rest of the row. The
-- full record is read only for the few candidates shown. SQLite's planner
-- prefers the id's unique index to it (it does not count the row it saves),
-- so the search names it (INDEXED BY); erased_at and merged_into are in it,
-- though constant, so that it covers the search's filter too.
CREATE INDEX clients_match ON clients (id, given_name, family_name, birth_date, phone, identifiers, home_organization_id, erased_at, merged_into)
	WHERE erased_at IS NULL AND merged_into = '';
