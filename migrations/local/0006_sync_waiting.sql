-- Version 6: pulled rows waiting for their parent.
-- A pull delivers rows in the order their transactions committed, so a call log can arrive before
-- the lead it belongs to when the lead was edited after it (and a follow-up before its
-- disposition). Such a row waits here, in the same transaction as its page, until the parent
-- arrives later in the same pull; at the end of the pull what still waits is stored as far as it
-- can be (an optional link left empty, a row that needs its parent skipped) and reported as a
-- sync issue. Never two versions of a row: a newer one replaces the waiting one.
CREATE TABLE sync_waiting (
  table_name    TEXT NOT NULL,
  row_id        TEXT NOT NULL,
  row_json      TEXT NOT NULL,
  parent_table  TEXT NOT NULL,
  parent_id     TEXT NOT NULL,
  PRIMARY KEY (table_name, row_id)
) WITHOUT ROWID;
CREATE INDEX sync_waiting_parent ON sync_waiting (parent_table, parent_id);
