-- Version 8: the power dialer (crates/dialer, backend migration 4).
-- A campaign's settings beside the seed's columns: the zone assumed for a number that does not
-- say where it rings, the calling window (HH:MM, in the lead's local time), excluded weekdays
-- ("sat,sun"), the order, the progressive countdown, retry rules per outcome (a JSON object of
-- the outcomes changed from the defaults) and local presence.
ALTER TABLE dialer_campaigns ADD COLUMN timezone TEXT;
ALTER TABLE dialer_campaigns ADD COLUMN window_start TEXT NOT NULL DEFAULT '08:00';
ALTER TABLE dialer_campaigns ADD COLUMN window_end TEXT NOT NULL DEFAULT '21:00';
ALTER TABLE dialer_campaigns ADD COLUMN excluded_days TEXT NOT NULL DEFAULT '';
ALTER TABLE dialer_campaigns ADD COLUMN lead_order TEXT NOT NULL DEFAULT 'list';
ALTER TABLE dialer_campaigns ADD COLUMN countdown_seconds INTEGER NOT NULL DEFAULT 5;
ALTER TABLE dialer_campaigns ADD COLUMN retry_rules TEXT NOT NULL DEFAULT '{}';
ALTER TABLE dialer_campaigns ADD COLUMN local_presence INTEGER NOT NULL DEFAULT 0;
CREATE INDEX dialer_campaigns_list ON dialer_campaigns(list_id);

-- One row per dial (status 'called'): who dialed, from which number, and the outcome and retry
-- time the wrap-up set. A lead's progress in a campaign is its latest row.
ALTER TABLE dialer_campaign_calls ADD COLUMN agent_id TEXT;
ALTER TABLE dialer_campaign_calls ADD COLUMN outcome TEXT;
ALTER TABLE dialer_campaign_calls ADD COLUMN from_number TEXT;
CREATE INDEX dialer_campaign_calls_call ON dialer_campaign_calls(call_log_id);
CREATE INDEX dialer_campaign_calls_progress ON dialer_campaign_calls(campaign_id, lead_id, created_at);

-- The agent a lead is assigned to on the backend: offline, a campaign dials only the leads
-- assigned to this agent, so no lead is called twice.
ALTER TABLE leads ADD COLUMN assigned_to TEXT;

-- This desktop's session per campaign (never replicated): paused or not, and the leads the
-- agent skipped, so a paused session survives a restart.
CREATE TABLE dialer_sessions (
  campaign_id  TEXT PRIMARY KEY NOT NULL REFERENCES dialer_campaigns(id) ON DELETE CASCADE,
  paused       INTEGER NOT NULL DEFAULT 0,
  skipped      TEXT NOT NULL DEFAULT '[]',
  updated_at   TEXT NOT NULL
);

-- Voicemail messages the agent recorded or imported (audio in the app's data folder,
-- voicemail/<id>.wav). A bridge call plays a message from a public URL (SignalWire fetches it).
CREATE TABLE voicemail_messages (
  id           TEXT PRIMARY KEY NOT NULL,
  name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  duration_ms  INTEGER NOT NULL,
  public_url   TEXT,
  created_at   TEXT NOT NULL
);
