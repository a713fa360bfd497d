-- Version 5: the call history's free-text and missed-call filters.
-- Disposition notes are searchable word by word, prefixes included (as leads are). When many
-- notes match, the history checks each call's notes directly instead (crates/store calls.rs).
-- call_dispositions is insert-once, so triggers keep the contentless index exact on every path
-- that writes it (the wrap-up step, pulled rows, a full resync). The rowid is the disposition's
-- rowid.
CREATE VIRTUAL TABLE call_notes_fts USING fts5(
  notes,
  content = '',
  contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);
INSERT INTO call_notes_fts (rowid, notes)
  SELECT rowid, notes FROM call_dispositions WHERE notes IS NOT NULL AND notes <> '';
CREATE TRIGGER call_dispositions_fts_insert AFTER INSERT ON call_dispositions
  WHEN new.notes IS NOT NULL AND new.notes <> ''
BEGIN
  INSERT INTO call_notes_fts (rowid, notes) VALUES (new.rowid, new.notes);
END;
CREATE TRIGGER call_dispositions_fts_delete AFTER DELETE ON call_dispositions
  WHEN old.notes IS NOT NULL AND old.notes <> ''
BEGIN
  DELETE FROM call_notes_fts WHERE rowid = old.rowid;
END;
CREATE TRIGGER call_dispositions_fts_update AFTER UPDATE OF notes ON call_dispositions
BEGIN
  DELETE FROM call_notes_fts WHERE rowid = old.rowid;
  INSERT INTO call_notes_fts (rowid, notes) SELECT new.rowid, new.notes WHERE new.notes IS NOT NULL AND new.notes <> '';
END;

-- Missed calls (inbound, never answered) are few among many: their own small index keeps the
-- "Missed" view an index scan at any history size.
CREATE INDEX call_logs_missed ON call_logs(started_at DESC)
  WHERE direction = 'inbound' AND answered_at IS NULL;


-- The latest disposition of each call (its type and notes), on the call itself: the history
-- reads and searches them for every call it walks, where a join per call cost more than the
-- rest of the page (BENCHMARKS.md). Local only (never pushed): triggers keep them on every path
-- that writes dispositions (the wrap-up, pulled rows, a resync). "Latest" is the highest id
-- (UUIDv7, time-ordered).
ALTER TABLE call_logs ADD COLUMN latest_disposition TEXT;
ALTER TABLE call_logs ADD COLUMN latest_notes TEXT;
UPDATE call_logs SET
  latest_disposition = (SELECT d.disposition_type FROM call_dispositions d WHERE d.call_log_id = call_logs.id ORDER BY d.id DESC LIMIT 1),
  latest_notes = (SELECT d.notes FROM call_dispositions d WHERE d.call_log_id = call_logs.id ORDER BY d.id DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM call_dispositions d WHERE d.call_log_id = call_logs.id);
CREATE TRIGGER call_dispositions_latest_insert AFTER INSERT ON call_dispositions
BEGIN
  UPDATE call_logs SET latest_disposition = new.disposition_type, latest_notes = new.notes
   WHERE id = new.call_log_id
     AND NOT EXISTS (SELECT 1 FROM call_dispositions d WHERE d.call_log_id = new.call_log_id AND d.id > new.id);
END;
CREATE TRIGGER call_dispositions_latest_delete AFTER DELETE ON call_dispositions
BEGIN
  UPDATE call_logs SET
    latest_disposition = (SELECT d.disposition_type FROM call_dispositions d WHERE d.call_log_id = old.call_log_id ORDER BY d.id DESC LIMIT 1),
    latest_notes = (SELECT d.notes FROM call_dispositions d WHERE d.call_log_id = old.call_log_id ORDER BY d.id DESC LIMIT 1)
   WHERE id = old.call_log_id;
END;
