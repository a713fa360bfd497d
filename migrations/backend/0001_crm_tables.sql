-- Ringdesk backend migration 1: the web CRM's existing tables, exactly as the web app has them
-- (seed: crm_leads, crm_lead_lists, crm_lead_list_members, call_logs, signalwire_agents,
-- voice_clones). Created only when missing, so this also applies to a database that already has
-- them, with data: nothing here alters an existing table. Idempotent.
create extension if not exists pgcrypto;

create table if not exists crm_leads (
  id            uuid primary key default gen_random_uuid(),
  user_id       uuid,
  name          text not null,
  email         text,
  phone         text,
  company       text,
  position      text,
  status        text default 'new',
  value         numeric,
  source        text,
  notes         text,
  created_at    timestamptz default now(),
  updated_at    timestamptz default now(),
  last_contact  timestamptz
);

create table if not exists crm_lead_lists (
  id           uuid primary key default gen_random_uuid(),
  user_id      uuid,
  name         text not null,
  description  text,
  created_at   timestamptz default now(),
  updated_at   timestamptz default now()
);

create table if not exists crm_lead_list_members (
  list_id   uuid not null references crm_lead_lists(id) on delete cascade,
  lead_id   uuid not null references crm_leads(id) on delete cascade,
  added_at  timestamptz default now(),
  primary key (list_id, lead_id)
);

create table if not exists call_logs (
  id                 uuid primary key default gen_random_uuid(),
  user_id            uuid,
  contact_number     text,
  from_number        text,
  provider_call_sid  text,
  direction          text,
  status             text,
  started_at         timestamptz,
  ended_at           timestamptz,
  duration_seconds   integer,
  recording_url      text,
  raw                jsonb,
  created_at         timestamptz default now()
);

create table if not exists signalwire_agents (
  id               uuid primary key default gen_random_uuid(),
  agent_name       text not null,
  assigned_number  text,
  prompt           text,
  settings         jsonb,
  status           text default 'active',
  created_at       timestamptz default now(),
  updated_at       timestamptz default now()
);

create table if not exists voice_clones (
  id                uuid primary key default gen_random_uuid(),
  user_id           uuid,
  name              text not null,
  sample_audio_url  text,
  playht_voice_id   text,
  status            text default 'ready',
  created_at        timestamptz default now(),
  updated_at        timestamptz default now()
);
