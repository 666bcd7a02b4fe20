-- Retention purge runs. A run is planned once (its due items written here
-- with the agreement and period that made each due) and then worked one
-- client per transaction: an item's state changes in the transaction that
-- purges it and appends its audit entry, so a run interrupted by a crash
-- resumes with the items still pending and never purges one twice. Ids,
-- codes and times only, like the audit log.

CREATE TABLE retention_runs (
	id            TEXT PRIMARY KEY,
	started_by    TEXT NOT NULL,    -- staff id or 'system'
	started_at    BIGINT NOT NULL,
	status        TEXT NOT NULL,    -- running, finished
	finished_at   BIGINT,
	planned       BIGINT NOT NULL, -- items planned
	claimed_by    TEXT NOT NULL DEFAULT '',
	claimed_until BIGINT NOT NULL DEFAULT 0
);
-- At most one run works at a time, across every process.
CREATE UNIQUE INDEX retention_runs_running ON retention_runs (status) WHERE status = 'running';
CREATE INDEX retention_runs_started ON retention_runs (started_at);

CREATE TABLE retention_items (
	run_id            TEXT NOT NULL REFERENCES retention_runs (id),
	seq               BIGINT NOT NULL, -- 1, 2, … in plan order
	client_id         TEXT NOT NULL,
	organization_id   TEXT NOT NULL,
	action            TEXT NOT NULL,    -- purge_holding or erase_client
	agreement_id      TEXT NOT NULL,
	agreement_version BIGINT NOT NULL,
	retention_days    BIGINT NOT NULL,
	due_since         BIGINT NOT NULL,
	counts            TEXT NOT NULL,    -- JSON {kind: count} when planned
	state             TEXT NOT NULL,    -- pending, done, skipped
	outcome           TEXT NOT NULL DEFAULT '', -- why skipped: a hold code, not_due or gone
	done_at           BIGINT,
	PRIMARY KEY (run_id, seq)
);
CREATE INDEX retention_items_client ON retention_items (run_id, client_id, seq);

-- A purge reads each client's escalations.
CREATE INDEX escalations_client ON escalations (client_id);
