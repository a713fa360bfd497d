-- Version 4: replication with the shared backend (crates/sync, docs/reference/sync.md).
-- Conflicts the backend recorded for this agent (a lead's status changed on both sides), shown
-- until the agent resolves them.
CREATE TABLE sync_conflicts (
  id            TEXT PRIMARY KEY NOT NULL,
  table_name    TEXT NOT NULL,
  row_id        TEXT NOT NULL,
  field         TEXT NOT NULL,
  your_value    TEXT,
  server_value  TEXT,
  created_at    TEXT NOT NULL,
  resolved_at   TEXT,
  resolution    TEXT
);
CREATE INDEX sync_conflicts_open ON sync_conflicts(resolved_at, created_at);

-- What replication could not take as it was: a backend row stored only as far as it was valid,
-- or a local mutation the backend rejected. Shown to the agent; never blocks anything.
CREATE TABLE sync_issues (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind        TEXT NOT NULL CHECK (kind IN ('bad_row', 'rejected')),
  table_name  TEXT NOT NULL,
  row_id      TEXT NOT NULL,
  message     TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

-- During a full resync: the rows the backend still has, so that the rest can be dropped at the
-- end (except rows with local changes not yet pushed).
CREATE TABLE sync_seen (
  table_name  TEXT NOT NULL,
  row_id      TEXT NOT NULL,
  PRIMARY KEY (table_name, row_id)
) WITHOUT ROWID;

-- The backend's id of a list membership (its tombstones name memberships by this id).
ALTER TABLE lead_list_members ADD COLUMN id TEXT;
CREATE INDEX lead_list_members_id ON lead_list_members(id);
