-- Version 3: the web CRM's AI voice agents and voice clones (seed: signalwire_agents,
-- voice_clones), with the link to SignalWire's resource and the clone's import status.
CREATE TABLE signalwire_agents (
  id                 TEXT PRIMARY KEY NOT NULL,
  agent_name         TEXT NOT NULL,
  assigned_number    TEXT,
  prompt             TEXT,
  settings           TEXT,
  status             TEXT NOT NULL DEFAULT 'active',
  provider_agent_id  TEXT UNIQUE,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  deleted_at         TEXT
);

-- Custom or cloned voices resolve on SignalWire only once SignalWire Support has imported them
-- (signalwire.md §5), so each clone carries that status.
CREATE TABLE voice_clones (
  id                 TEXT PRIMARY KEY NOT NULL,
  user_id            TEXT,
  name               TEXT NOT NULL,
  sample_audio_url   TEXT,
  playht_voice_id    TEXT,
  status             TEXT NOT NULL DEFAULT 'ready',
  import_status      TEXT NOT NULL DEFAULT 'not_requested'
                     CHECK (import_status IN ('not_requested', 'requested', 'imported', 'rejected')),
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  deleted_at         TEXT
);
