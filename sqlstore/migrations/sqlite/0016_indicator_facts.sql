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
	n         INTEGER NOT NULL DEFAULT 1 -- changes since it was listed
);

-- One row per client with facts ('' the grievances): the encoded facts
-- (sqlstore/factcodec.go), strings as ids of indicator_fact_strings.
-- Kept in client order (no rowid): a refresh writes clients in that order.
CREATE TABLE indicator_facts (
	client_id TEXT PRIMARY KEY,
	facts     BLOB NOT NULL
) WITHOUT ROWID;

-- The strings facts name (organisations, dimension values), never
-- removed, so that ids in stored facts stay valid.
CREATE TABLE indicator_fact_strings (
	id    INTEGER PRIMARY KEY,
	value TEXT NOT NULL UNIQUE
);

-- built: every client's facts have been computed once; audit_size: the
-- audit log's entries up to here have been read for disclosures;
-- version: how they were computed; generation: counts refreshes, so that
-- a refresh computed from an older snapshot than the last one written is
-- not written over it.
CREATE TABLE indicator_facts_state (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	built      INTEGER NOT NULL,
	audit_size INTEGER NOT NULL,
	generation INTEGER NOT NULL,
	version    INTEGER NOT NULL -- how they were computed (sqlstore.storedFactsVersion)
);
INSERT INTO indicator_facts_state (id, built, audit_size, generation, version) VALUES (1, 0, 0, 0, 0);

-- A survivor's dimensions are its merged duplicates' too.
CREATE INDEX clients_merged_into ON clients (merged_into) WHERE merged_into <> '';

CREATE TRIGGER referrals_facts_insert AFTER INSERT ON referrals BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER referrals_facts_update AFTER UPDATE ON referrals BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
	INSERT INTO indicator_dirty (client_id) SELECT OLD.client_id WHERE OLD.client_id <> NEW.client_id ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER referrals_facts_delete AFTER DELETE ON referrals BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (OLD.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER escalations_facts_insert AFTER INSERT ON escalations BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER escalations_facts_update AFTER UPDATE ON escalations BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
	INSERT INTO indicator_dirty (client_id) SELECT OLD.client_id WHERE OLD.client_id <> NEW.client_id ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER escalations_facts_delete AFTER DELETE ON escalations BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (OLD.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER legal_bases_facts_insert AFTER INSERT ON legal_bases BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER legal_bases_facts_update AFTER UPDATE ON legal_bases BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
	INSERT INTO indicator_dirty (client_id) SELECT OLD.client_id WHERE OLD.client_id <> NEW.client_id ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER legal_bases_facts_delete AFTER DELETE ON legal_bases BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (OLD.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER cases_facts_insert AFTER INSERT ON cases BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER cases_facts_update AFTER UPDATE ON cases BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
	INSERT INTO indicator_dirty (client_id) SELECT OLD.client_id WHERE OLD.client_id <> NEW.client_id ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER cases_facts_delete AFTER DELETE ON cases BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (OLD.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER screenings_facts_insert AFTER INSERT ON screenings BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER screenings_facts_update AFTER UPDATE ON screenings BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
	INSERT INTO indicator_dirty (client_id) SELECT OLD.client_id WHERE OLD.client_id <> NEW.client_id ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER screenings_facts_delete AFTER DELETE ON screenings BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (OLD.client_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER clients_facts_insert AFTER INSERT ON clients BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER clients_facts_update AFTER UPDATE ON clients BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (NEW.id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
	INSERT INTO indicator_dirty (client_id) SELECT id FROM clients WHERE merged_into = NEW.id AND merged_into <> '' ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER clients_facts_delete AFTER DELETE ON clients BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES (OLD.id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER case_participants_facts_insert AFTER INSERT ON case_participants BEGIN
	INSERT INTO indicator_dirty (client_id) SELECT client_id FROM cases WHERE id = NEW.case_id ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER case_participants_facts_update AFTER UPDATE ON case_participants BEGIN
	INSERT INTO indicator_dirty (client_id) SELECT client_id FROM cases WHERE id IN (NEW.case_id, OLD.case_id) ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER case_participants_facts_delete AFTER DELETE ON case_participants BEGIN
	INSERT INTO indicator_dirty (client_id) SELECT client_id FROM cases WHERE id = OLD.case_id ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

-- Only a health outcome on a case's timeline is a fact's event.
CREATE TRIGGER case_events_facts_insert AFTER INSERT ON case_events WHEN NEW.kind = 'outcome.health' BEGIN
	INSERT INTO indicator_dirty (client_id) SELECT client_id FROM cases WHERE id = NEW.case_id ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER grievances_facts_insert AFTER INSERT ON grievances BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES ('') ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER grievances_facts_update AFTER UPDATE ON grievances BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES ('') ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER grievances_facts_delete AFTER DELETE ON grievances BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES ('') ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;

CREATE TRIGGER organizations_facts_sector AFTER UPDATE OF sector ON organizations WHEN OLD.sector <> NEW.sector BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES ('*') ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER organizations_facts_insert AFTER INSERT ON organizations WHEN NEW.sector = 'legal' BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES ('*') ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
CREATE TRIGGER organizations_facts_delete AFTER DELETE ON organizations WHEN OLD.sector = 'legal' BEGIN
	INSERT INTO indicator_dirty (client_id) VALUES ('*') ON CONFLICT (client_id) DO UPDATE SET n = indicator_dirty.n + 1;
END;
