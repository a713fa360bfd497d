-- Ringdesk backend migration 1: the web CRM's existing tables, exactly as the web app has them
-- (seed: crm_leads, crm_lead_lists, crm_lead_list_members, call_logs, signalwire_agents,
-- voice_clones). Created only when missing, so this also applies to a database that already has
-- them, with data: nothing here alters an existing table. Idempotent.
create extension if not exists pgcrypto;

-- Adoption check, before anything changes: a CRM table that exists must have the columns Ringdesk
-- reads and writes, with types it can work with. Keys are uuid; owner columns hold the auth
-- provider's user id as uuid or text (Clerk's `user_2Nq...`, Auth0's `auth0|64f...`). A schema
-- that cannot be adopted is refused naming the table, the column and what was expected.
do $$
declare
  c record;
  found_type text;
  groups constant jsonb := '{
    "id": ["uuid"],
    "owner": ["uuid", "text", "character varying"],
    "text": ["text", "character varying"],
    "ts": ["timestamp with time zone", "timestamp without time zone"],
    "num": ["numeric", "integer", "bigint", "smallint", "double precision", "real"],
    "int": ["integer", "bigint", "smallint"],
    "json": ["jsonb", "json"]}';
begin
  for c in select * from (values
    ('crm_leads', 'id', 'id', true), ('crm_leads', 'user_id', 'owner', true), ('crm_leads', 'name', 'text', true),
    ('crm_leads', 'email', 'text', true), ('crm_leads', 'phone', 'text', true), ('crm_leads', 'company', 'text', true),
    ('crm_leads', 'position', 'text', true), ('crm_leads', 'status', 'text', true), ('crm_leads', 'value', 'num', true),
    ('crm_leads', 'source', 'text', true), ('crm_leads', 'notes', 'text', true), ('crm_leads', 'created_at', 'ts', true),
    ('crm_leads', 'last_contact', 'ts', true), ('crm_leads', 'assigned_to', 'owner', false),
    ('crm_leads', 'timezone', 'text', false),
    ('crm_lead_lists', 'id', 'id', true), ('crm_lead_lists', 'user_id', 'owner', true),
    ('crm_lead_lists', 'name', 'text', true), ('crm_lead_lists', 'description', 'text', true),
    ('crm_lead_lists', 'created_at', 'ts', true),
    ('crm_lead_list_members', 'list_id', 'id', true), ('crm_lead_list_members', 'lead_id', 'id', true),
    ('crm_lead_list_members', 'added_at', 'ts', true), ('crm_lead_list_members', 'id', 'id', false),
    ('call_logs', 'id', 'id', true), ('call_logs', 'user_id', 'owner', true), ('call_logs', 'contact_number', 'text', true),
    ('call_logs', 'from_number', 'text', true), ('call_logs', 'provider_call_sid', 'text', true),
    ('call_logs', 'direction', 'text', true), ('call_logs', 'status', 'text', true), ('call_logs', 'started_at', 'ts', true),
    ('call_logs', 'ended_at', 'ts', true), ('call_logs', 'duration_seconds', 'int', true),
    ('call_logs', 'recording_url', 'text', true), ('call_logs', 'raw', 'json', true), ('call_logs', 'created_at', 'ts', true),
    ('call_logs', 'lead_id', 'id', false),
    ('signalwire_agents', 'id', 'id', true), ('signalwire_agents', 'agent_name', 'text', true),
    ('signalwire_agents', 'assigned_number', 'text', true), ('signalwire_agents', 'prompt', 'text', true),
    ('signalwire_agents', 'settings', 'json', true), ('signalwire_agents', 'status', 'text', true),
    ('voice_clones', 'id', 'id', true), ('voice_clones', 'user_id', 'owner', true), ('voice_clones', 'name', 'text', true),
    ('voice_clones', 'sample_audio_url', 'text', true), ('voice_clones', 'playht_voice_id', 'text', true),
    ('voice_clones', 'status', 'text', true),
    ('call_dispositions', 'id', 'id', true), ('call_dispositions', 'call_log_id', 'id', true),
    ('call_dispositions', 'disposition_type', 'text', true), ('call_dispositions', 'notes', 'text', true),
    ('call_dispositions', 'next_action', 'text', true), ('call_dispositions', 'follow_up_date', 'ts', true),
    ('call_dispositions', 'created_at', 'ts', true), ('call_dispositions', 'created_by', 'owner', true),
    ('call_recordings', 'id', 'id', true), ('call_recordings', 'call_log_id', 'id', true),
    ('call_recordings', 'recording_url', 'text', true), ('call_recordings', 'duration_seconds', 'int', true),
    ('call_recordings', 'transcription_text', 'text', true), ('call_recordings', 'created_at', 'ts', true),
    ('sms_messages', 'id', 'id', true), ('sms_messages', 'user_id', 'owner', true), ('sms_messages', 'lead_id', 'id', true),
    ('sms_messages', 'contact_number', 'text', true), ('sms_messages', 'from_number', 'text', true),
    ('sms_messages', 'direction', 'text', true), ('sms_messages', 'message_body', 'text', true),
    ('sms_messages', 'provider_message_sid', 'text', true), ('sms_messages', 'status', 'text', true),
    ('sms_messages', 'sent_at', 'ts', true), ('sms_messages', 'created_at', 'ts', true),
    ('dialer_campaigns', 'id', 'id', true), ('dialer_campaigns', 'user_id', 'owner', true),
    ('dialer_campaigns', 'name', 'text', true), ('dialer_campaigns', 'list_id', 'id', true),
    ('dialer_campaigns', 'status', 'text', true), ('dialer_campaigns', 'dial_mode', 'text', true),
    ('dialer_campaigns', 'max_attempts', 'int', true),
    ('dialer_campaign_calls', 'id', 'id', true), ('dialer_campaign_calls', 'campaign_id', 'id', true),
    ('dialer_campaign_calls', 'lead_id', 'id', true), ('dialer_campaign_calls', 'call_log_id', 'id', true),
    ('dialer_campaign_calls', 'attempt_number', 'int', true), ('dialer_campaign_calls', 'status', 'text', true),
    ('dialer_campaign_calls', 'next_retry_at', 'ts', true),
    ('follow_up_states', 'call_disposition_id', 'id', true), ('follow_up_states', 'status', 'text', true),
    ('follow_up_states', 'due_at', 'ts', true)
  ) as v(tbl, col, kind, required) loop
    continue when to_regclass(format('public.%I', c.tbl)) is null;
    select format_type(a.atttypid, null) into found_type
      from pg_attribute a
     where a.attrelid = to_regclass(format('public.%I', c.tbl)) and a.attname = c.col and a.attnum > 0
       and not a.attisdropped;
    if found_type is null and c.required then
      raise exception 'cannot adopt the CRM database: table % has no column %; Ringdesk expects it (%)',
        c.tbl, c.col, array_to_string(array(select jsonb_array_elements_text(groups -> c.kind)), ' or ')
        using errcode = 'RD006';
    elsif found_type is not null and not (groups -> c.kind) ? found_type then
      raise exception 'cannot adopt the CRM database: column %.% is %; Ringdesk expects %',
        c.tbl, c.col, found_type, array_to_string(array(select jsonb_array_elements_text(groups -> c.kind)), ' or ')
        using errcode = 'RD006';
    end if;
  end loop;
end $$;

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
