-- Ringdesk local database, version 1: the whole product's schema.
--
-- Conventions: ids are UUIDv7 text made on the desktop (or by the backend for pulled rows);
-- timestamps are UTC RFC 3339 text with milliseconds and a trailing Z, so they sort as text;
-- synced rows carry updated_at and a deleted_at tombstone; every change the agent makes is one
-- transaction that also appends to sync_outbox. Never edit this file once released: add a new
-- numbered migration instead.

-- Leads: the CRM's crm_leads columns plus the normalized number, timezone and tombstone.
CREATE TABLE leads (
  id            TEXT PRIMARY KEY NOT NULL,
  user_id       TEXT,
  name          TEXT NOT NULL,
  email         TEXT,
  phone         TEXT,
  phone_e164    TEXT,
  company       TEXT,
  position      TEXT,
  status        TEXT NOT NULL DEFAULT 'new',
  value         REAL,
  source        TEXT,
  notes         TEXT,
  timezone      TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  last_contact  TEXT,
  deleted_at    TEXT
);
-- No partial indexes on hot tables: while a table has one, SQLite re-prepares every statement
-- with a bound parameter on that table at each new binding (checking whether the partial index
-- applies), which cost 10% of a CSV import. Instead the sort indexes lead with deleted_at, so
-- `deleted_at IS NULL ORDER BY <column>` is one index range in order, and leads_live counts the
-- live leads from a tiny index.
CREATE INDEX leads_phone_e164 ON leads(phone_e164);
CREATE INDEX leads_email ON leads(email COLLATE NOCASE);
CREATE INDEX leads_live ON leads(deleted_at);
CREATE INDEX leads_name ON leads(deleted_at, name COLLATE NOCASE, id);
CREATE INDEX leads_company ON leads(deleted_at, company COLLATE NOCASE, id);
CREATE INDEX leads_status ON leads(deleted_at, status, id);
CREATE INDEX leads_last_contact ON leads(deleted_at, last_contact, id);
CREATE INDEX leads_created_at ON leads(deleted_at, created_at, id);
CREATE INDEX leads_value ON leads(deleted_at, value, id);

-- Search-as-you-type over name, company, email and phone digits. phone_tokens holds every
-- suffix (of 3+ digits) of the number's digits, so a prefix query finds digits anywhere in it.
CREATE VIRTUAL TABLE leads_fts USING fts5(
  name, company, email, phone_tokens,
  content = '',
  contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '1 2 3'
);

CREATE TABLE lead_lists (
  id           TEXT PRIMARY KEY NOT NULL,
  user_id      TEXT,
  name         TEXT NOT NULL,
  description  TEXT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  deleted_at   TEXT
);
CREATE UNIQUE INDEX lead_lists_name ON lead_lists(name COLLATE NOCASE) WHERE deleted_at IS NULL;

CREATE TABLE lead_list_members (
  list_id     TEXT NOT NULL REFERENCES lead_lists(id) ON DELETE CASCADE,
  lead_id     TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
  added_at    TEXT NOT NULL,
  deleted_at  TEXT,
  PRIMARY KEY (list_id, lead_id)
) WITHOUT ROWID;
CREATE INDEX lead_list_members_lead ON lead_list_members(lead_id);

-- Calls: the CRM's call_logs columns plus lead_id, route (softphone | bridge), end reason.
CREATE TABLE call_logs (
  id                 TEXT PRIMARY KEY NOT NULL,
  user_id            TEXT,
  lead_id            TEXT REFERENCES leads(id) ON DELETE SET NULL,
  route              TEXT NOT NULL DEFAULT 'softphone' CHECK (route IN ('softphone', 'bridge')),
  contact_number     TEXT NOT NULL,
  from_number        TEXT,
  provider_call_sid  TEXT,
  direction          TEXT NOT NULL DEFAULT 'outbound' CHECK (direction IN ('inbound', 'outbound')),
  status             TEXT,
  started_at         TEXT NOT NULL,
  answered_at        TEXT,
  ended_at           TEXT,
  duration_seconds   INTEGER,
  end_reason         TEXT,
  -- The latest disposition's type, kept by the store when a disposition is saved, so history
  -- filtered by disposition is an index range scan instead of a join per call.
  disposition        TEXT,
  recording_url      TEXT,
  raw                TEXT,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  deleted_at         TEXT
);
CREATE INDEX call_logs_started ON call_logs(started_at DESC);
CREATE INDEX call_logs_lead ON call_logs(lead_id, started_at DESC);
CREATE INDEX call_logs_contact ON call_logs(contact_number, started_at DESC);
CREATE INDEX call_logs_disposition ON call_logs(disposition, started_at DESC);
CREATE INDEX call_logs_provider_sid ON call_logs(provider_call_sid);

-- Dispositions: insert-once outcomes of a call, with the seed's next action and follow-up date.
CREATE TABLE call_dispositions (
  id                TEXT PRIMARY KEY NOT NULL,
  call_log_id       TEXT NOT NULL REFERENCES call_logs(id) ON DELETE CASCADE,
  disposition_type  TEXT NOT NULL,
  notes             TEXT,
  next_action       TEXT CHECK (next_action IS NULL OR next_action IN
                      ('call_back', 'send_email', 'send_sms', 'schedule_meeting', 'mark_dead')),
  follow_up_date    TEXT,
  created_at        TEXT NOT NULL,
  created_by        TEXT
);
CREATE INDEX call_dispositions_call_log ON call_dispositions(call_log_id);
CREATE INDEX call_dispositions_type ON call_dispositions(disposition_type, call_log_id);
CREATE INDEX call_dispositions_follow_up ON call_dispositions(follow_up_date) WHERE follow_up_date IS NOT NULL;

-- Follow-up state: dispositions are insert-once, so what changes afterwards (done, snoozed,
-- rescheduled) lives here, one row per disposition that set a follow-up.
CREATE TABLE follow_up_states (
  call_disposition_id  TEXT PRIMARY KEY NOT NULL REFERENCES call_dispositions(id) ON DELETE CASCADE,
  status               TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'snoozed', 'cancelled')),
  due_at               TEXT NOT NULL,
  snoozed_until        TEXT,
  completed_at         TEXT,
  updated_at           TEXT NOT NULL
);
CREATE INDEX follow_up_states_due ON follow_up_states(status, due_at);

CREATE TABLE call_recordings (
  id                      TEXT PRIMARY KEY NOT NULL,
  call_log_id             TEXT NOT NULL REFERENCES call_logs(id) ON DELETE CASCADE,
  provider_recording_sid  TEXT,
  recording_url           TEXT NOT NULL,
  duration_seconds        INTEGER,
  transcription_text      TEXT,
  transcription_url       TEXT,
  local_path              TEXT,
  created_at              TEXT NOT NULL
);
CREATE INDEX call_recordings_call_log ON call_recordings(call_log_id);

CREATE TABLE sms_messages (
  id                    TEXT PRIMARY KEY NOT NULL,
  user_id               TEXT,
  lead_id               TEXT REFERENCES leads(id) ON DELETE SET NULL,
  contact_number        TEXT NOT NULL,
  from_number           TEXT NOT NULL,
  direction             TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  message_body          TEXT NOT NULL,
  provider_message_sid  TEXT,
  status                TEXT,
  error_code            INTEGER,
  error_message         TEXT,
  sent_at               TEXT,
  read_at               TEXT,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL
);
CREATE INDEX sms_messages_lead ON sms_messages(lead_id, created_at DESC);
CREATE INDEX sms_messages_contact ON sms_messages(contact_number, created_at DESC);
CREATE UNIQUE INDEX sms_messages_provider_sid ON sms_messages(provider_message_sid);

CREATE TABLE dialer_campaigns (
  id            TEXT PRIMARY KEY NOT NULL,
  user_id       TEXT,
  name          TEXT NOT NULL,
  list_id       TEXT NOT NULL REFERENCES lead_lists(id) ON DELETE CASCADE,
  status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'completed')),
  dial_mode     TEXT NOT NULL DEFAULT 'preview' CHECK (dial_mode IN ('preview', 'progressive', 'predictive')),
  from_number   TEXT,
  max_attempts  INTEGER NOT NULL DEFAULT 3,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  started_at    TEXT,
  completed_at  TEXT,
  deleted_at    TEXT
);

CREATE TABLE dialer_campaign_calls (
  id              TEXT PRIMARY KEY NOT NULL,
  campaign_id     TEXT NOT NULL REFERENCES dialer_campaigns(id) ON DELETE CASCADE,
  lead_id         TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
  call_log_id     TEXT REFERENCES call_logs(id) ON DELETE SET NULL,
  attempt_number  INTEGER NOT NULL DEFAULT 1,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'called', 'skipped')),
  next_retry_at   TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX dialer_campaign_calls_campaign ON dialer_campaign_calls(campaign_id, status);
CREATE INDEX dialer_campaign_calls_lead ON dialer_campaign_calls(lead_id);
CREATE INDEX dialer_campaign_calls_retry ON dialer_campaign_calls(next_retry_at) WHERE status = 'pending';

-- Non-secret settings as JSON values. Secrets live in the OS keychain, never here.
CREATE TABLE settings (
  key         TEXT PRIMARY KEY NOT NULL,
  value       TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) WITHOUT ROWID;

-- Sync: every local change appends a mutation in the same transaction as the domain row.
-- AUTOINCREMENT so a mutation id is never reused after the newest ones are deleted.
CREATE TABLE sync_outbox (
  mutation_id  INTEGER PRIMARY KEY AUTOINCREMENT,
  op           TEXT NOT NULL,
  table_name   TEXT NOT NULL,
  row_id       TEXT NOT NULL,
  args_json    TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected')),
  last_error   TEXT
);

-- Sync state: client id (made once per database file), cursors, epoch, last acknowledged id.
CREATE TABLE sync_state (
  key         TEXT PRIMARY KEY NOT NULL,
  value       TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) WITHOUT ROWID;
