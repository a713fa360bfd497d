-- Ringdesk backend migration 2: the seed's dialer tables (its 016_create_dialer_tables.sql, as
-- written there), call_logs.lead_id (seed phase 1.1), and the follow-up state Ringdesk keeps
-- beside the insert-once dispositions. Idempotent.
alter table call_logs add column if not exists lead_id uuid references crm_leads(id) on delete set null;
create index if not exists idx_call_logs_lead on call_logs(lead_id);

create table if not exists call_dispositions (
  id                uuid primary key default gen_random_uuid(),
  call_log_id       uuid not null references call_logs(id) on delete cascade,
  disposition_type  text not null,
  notes             text,
  next_action       text,
  follow_up_date    timestamptz,
  created_at        timestamptz default now(),
  created_by        text
);
create index if not exists idx_call_dispositions_call_log on call_dispositions(call_log_id);
create index if not exists idx_call_dispositions_follow_up on call_dispositions(follow_up_date) where follow_up_date is not null;

create table if not exists call_recordings (
  id                  uuid primary key default gen_random_uuid(),
  call_log_id         uuid not null references call_logs(id) on delete cascade,
  recording_url       text not null,
  duration_seconds    integer,
  transcription_text  text,
  transcription_url   text,
  created_at          timestamptz default now()
);
create index if not exists idx_call_recordings_call_log on call_recordings(call_log_id);

create table if not exists sms_messages (
  id                    uuid primary key default gen_random_uuid(),
  user_id               text not null,
  lead_id               uuid references crm_leads(id) on delete set null,
  contact_number        text not null,
  from_number           text not null,
  direction             text check (direction in ('inbound','outbound')) not null,
  message_body          text not null,
  provider_message_sid  text,
  status                text,
  sent_at               timestamptz,
  created_at            timestamptz default now()
);
create index if not exists idx_sms_messages_user on sms_messages(user_id);
create index if not exists idx_sms_messages_lead on sms_messages(lead_id);
create index if not exists idx_sms_messages_contact on sms_messages(contact_number);
create index if not exists idx_sms_messages_created on sms_messages(created_at desc);

create table if not exists dialer_campaigns (
  id            uuid primary key default gen_random_uuid(),
  user_id       text not null,
  name          text not null,
  list_id       uuid not null references crm_lead_lists(id) on delete cascade,
  status        text default 'draft',
  dial_mode     text default 'preview',
  from_number   text,
  max_attempts  integer default 3,
  created_at    timestamptz default now(),
  started_at    timestamptz,
  completed_at  timestamptz
);
create index if not exists idx_dialer_campaigns_user on dialer_campaigns(user_id);
create index if not exists idx_dialer_campaigns_status on dialer_campaigns(status);

create table if not exists dialer_campaign_calls (
  id              uuid primary key default gen_random_uuid(),
  campaign_id     uuid not null references dialer_campaigns(id) on delete cascade,
  lead_id         uuid not null references crm_leads(id) on delete cascade,
  call_log_id     uuid references call_logs(id) on delete set null,
  attempt_number  integer default 1,
  status          text default 'pending',
  next_retry_at   timestamptz,
  created_at      timestamptz default now()
);
create index if not exists idx_campaign_calls_campaign on dialer_campaign_calls(campaign_id);
create index if not exists idx_campaign_calls_lead on dialer_campaign_calls(lead_id);
create index if not exists idx_campaign_calls_status on dialer_campaign_calls(status);
create index if not exists idx_campaign_calls_retry on dialer_campaign_calls(next_retry_at) where status = 'pending';

-- Follow-up state: dispositions are insert-once, so what happens to a follow-up afterwards
-- (done, snoozed, rescheduled) is one row per disposition that set one.
create table if not exists follow_up_states (
  call_disposition_id  uuid primary key references call_dispositions(id) on delete cascade,
  status               text not null default 'open' check (status in ('open', 'done', 'snoozed', 'cancelled')),
  due_at               timestamptz not null,
  snoozed_until        timestamptz,
  completed_at         timestamptz,
  updated_at           timestamptz default now()
);
