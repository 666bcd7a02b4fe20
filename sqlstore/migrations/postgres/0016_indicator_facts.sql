-- Stored indicator facts (docs/ARCHITECTURE.md "Where the facts come from"):
-- every client's facts, encoded in one row, kept current from the rows
-- that changed since. Triggers name each client whose rows change; a
-- refresh recomputes those clients' facts from the tables and takes them
-- off the list only if they did not change again meanwhile (n).

-- Clients whose facts must be recomputed: '' stands for the grievances
-- (counted without a person), '*' for everything (a legal organisation
-- came, went or changed sector, which decides what a first legal contact
-- is). A bulk load that bypasses triggers must list '*' itself.
CREATE TABLE indicator_dirty (
	client_id TEXT PRIMARY KEY,
	n         BIGINT NOT NULL DEFAULT 1 -- changes since it was listed
);

-- One row per client with facts ('' the grievances): the encoded facts
-- (sqlstore/factcodec.go), strings as ids of indicator_fact_strings.
CREATE TABLE indicator_facts (
	client_id TEXT PRIMARY KEY,
	facts     BYTEA NOT NULL
);

-- The strings facts name (organisations, dimension values), never
-- removed, so that ids in stored facts stay valid.
CREATE TABLE indicator_fact_strings (
	id    BIGINT PRIMARY KEY,
	value TEXT NOT NULL UNIQUE
);

-- built: every client's facts have been computed once; audit_size: the
-- audit log's entries up to here have been read for disclosures;
-- version: how they were computed; generation: counts refreshes, so that
-- a refresh computed from an older snapshot than the last one written is
-- not written over it.
CREATE TABLE indicator_facts_state (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	built      BOOLEAN NOT NULL,
	audit_size BIGINT NOT NULL,
	generation BIGINT NOT NULL,
	version    BIGINT NOT NULL -- how they were computed (sqlstore.storedFactsVersion)
);
INSERT INTO indicator_facts_state (id, built, audit_size, generation, version) VALUES (1, false, 0, 0, 0);

-- A survivor's dimensions are its merged duplicates' too.
CREATE INDEX clients_merged_into ON clients (merged_into) WHERE merged_into <> '';

CREATE FUNCTION indicator_dirty_mark(client TEXT) RETURNS void LANGUAGE sql AS $$
	INSERT INTO indicator_dirty (client_id) VALUES (client) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
$$;

-- Rows with a client_id column.
CREATE FUNCTION indicator_dirty_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'DELETE' THEN
		PERFORM indicator_dirty_mark(NEW.client_id);
	END IF;
	IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.client_id <> NEW.client_id) THEN
		PERFORM indicator_dirty_mark(OLD.client_id);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER referrals_facts AFTER INSERT OR UPDATE OR DELETE ON referrals FOR EACH ROW EXECUTE FUNCTION indicator_dirty_client();
CREATE TRIGGER escalations_facts AFTER INSERT OR UPDATE OR DELETE ON escalations FOR EACH ROW EXECUTE FUNCTION indicator_dirty_client();
CREATE TRIGGER legal_bases_facts AFTER INSERT OR UPDATE OR DELETE ON legal_bases FOR EACH ROW EXECUTE FUNCTION indicator_dirty_client();
CREATE TRIGGER cases_facts AFTER INSERT OR UPDATE OR DELETE ON cases FOR EACH ROW EXECUTE FUNCTION indicator_dirty_client();
CREATE TRIGGER screenings_facts AFTER INSERT OR UPDATE OR DELETE ON screenings FOR EACH ROW EXECUTE FUNCTION indicator_dirty_client();

CREATE FUNCTION indicator_dirty_clients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM indicator_dirty_mark(OLD.id);
		RETURN NULL;
	END IF;
	PERFORM indicator_dirty_mark(NEW.id);
	IF TG_OP = 'UPDATE' THEN
		PERFORM indicator_dirty_mark(id) FROM clients WHERE merged_into = NEW.id AND merged_into <> '';
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER clients_facts AFTER INSERT OR UPDATE OR DELETE ON clients FOR EACH ROW EXECUTE FUNCTION indicator_dirty_clients();

-- Rows of a case: its client.
CREATE FUNCTION indicator_dirty_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		PERFORM indicator_dirty_mark(client_id) FROM cases WHERE id = OLD.case_id;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		PERFORM indicator_dirty_mark(client_id) FROM cases WHERE id = NEW.case_id;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER case_participants_facts AFTER INSERT OR UPDATE OR DELETE ON case_participants FOR EACH ROW EXECUTE FUNCTION indicator_dirty_case();
-- Only a health outcome on a case's timeline is a fact's event.
CREATE TRIGGER case_events_facts AFTER INSERT ON case_events FOR EACH ROW WHEN (NEW.kind = 'outcome.health') EXECUTE FUNCTION indicator_dirty_case();

CREATE FUNCTION indicator_dirty_grievances() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM indicator_dirty_mark('');
	RETURN NULL;
END $$;
CREATE TRIGGER grievances_facts AFTER INSERT OR UPDATE OR DELETE ON grievances FOR EACH ROW EXECUTE FUNCTION indicator_dirty_grievances();

CREATE FUNCTION indicator_dirty_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM indicator_dirty_mark('*');
	RETURN NULL;
END $$;
CREATE TRIGGER organizations_facts_sector AFTER UPDATE OF sector ON organizations FOR EACH ROW WHEN (OLD.sector <> NEW.sector)
	EXECUTE FUNCTION indicator_dirty_all();
CREATE TRIGGER organizations_facts_insert AFTER INSERT ON organizations FOR EACH ROW WHEN (NEW.sector = 'legal')
	EXECUTE FUNCTION indicator_dirty_all();
CREATE TRIGGER organizations_facts_delete AFTER DELETE ON organizations FOR EACH ROW WHEN (OLD.sector = 'legal')
	EXECUTE FUNCTION indicator_dirty_all();
