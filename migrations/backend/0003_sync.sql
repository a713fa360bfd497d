-- Ringdesk backend migration 3: replication with the desktops (docs/reference/sync.md §5).
--
-- * Sync columns on every synced table: updated_at (server clock, by trigger), deleted_at
--   (tombstone), row_xid xid8 (the writing transaction, by trigger) with an index (row_xid, id).
-- * Schema sync: clients (last mutation id), applied mutations (digests, to tell a copied desktop
--   database from a resend), conflicts, meta (epoch, tombstone horizon), revocations (a lead
--   reassigned away) and tombstones (rows hard-deleted by the web app).
-- * Two SECURITY INVOKER functions under Row Level Security: sync.push(client, mutations) and
--   sync.pull(cursor, epoch, limit), wrapped as public.sync_push / public.sync_pull so Supabase's
--   REST layer (PostgREST) exposes them as RPC.
-- * Row Level Security on every table: an agent sees and writes only what is theirs or assigned
--   to them. The agent is sync.agent_id(): the login role's mapping in sync.agent_role (plain
--   PostgreSQL, a role per agent), else the JWT's sub (Supabase: the same value as auth.uid()).
-- Idempotent: every statement can run again on a database that already has it.

create schema if not exists sync;

do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'ringdesk_agent') then
    create role ringdesk_agent nologin;
  end if;
end $$;

-- Identities are text: the same string the web app stores in its owner columns, which may be
-- uuid or text (auth providers issue ids such as `user_2NqRk...` or `auth0|64f...`). A database
-- migrated when identities were uuid is converted here: the old uuid-returning sync.agent_id()
-- goes first, with the policies built on it (they are created again below).
do $$ begin
  if exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where n.nspname = 'sync' and p.proname = 'agent_id' and p.pronargs = 0
               and p.prorettype = 'uuid'::regtype) then
    drop function sync.agent_id() cascade;
  end if;
  drop function if exists sync.jwt_uid();
end $$;

-- Plain PostgreSQL: one login role per agent, mapped here (see README, "Backend").
create table if not exists sync.agent_role (
  role_name  name primary key,
  agent_id   text not null unique
);
alter table sync.agent_role alter column agent_id type text;

-- Admins: the agents who may reassign and delete any lead they see and edit the team's AI agents.
-- Only the database owner writes this table (README, "Backend").
create table if not exists sync.admin (
  agent_id  text primary key
);

-- The agent making this request, failing closed:
-- * a login role mapped in sync.agent_role is that agent (whatever claims it sets);
-- * else the verified JWT's `sub`, trusted only when the request runs as role `authenticated`,
--   which only PostgREST's authenticator can switch to (SET ROLE, checked by PostgreSQL), and never
--   for a login role that is itself an agent role: an unmapped agent role that sets
--   request.jwt.claims is nobody;
-- * else null: no agent, nothing visible, every write refused.
-- The `sub` is read as the text it is: Supabase's auth.uid() casts it to uuid, which fails for
-- third-party auth ids. SECURITY DEFINER so any role may ask (web triggers included); it reads
-- session_user and the role setting only, never current_user, so it is the same from within
-- other definer functions. PL/pgSQL, not SQL: a definer SQL function cannot be inlined and would
-- be planned again at every call (each policy check), which tripled the cost of a push; PL/pgSQL
-- keeps its plans for the session.
create or replace function sync.agent_id() returns text language plpgsql stable security definer
set search_path = pg_catalog as $$
begin
  return coalesce(
    (select agent_id from sync.agent_role where role_name = session_user),
    case when current_setting('role', true) = 'authenticated'
              and not exists (select 1 from pg_auth_members m
                               where m.member = (select oid from pg_roles where rolname = session_user)
                                 and m.roleid = (select oid from pg_roles where rolname = 'ringdesk_agent'))
         then nullif(coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                              nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'), '')
    end);
end $$;

-- The agent as a uuid, for owner columns of type uuid (null when the id is not a UUID), so a
-- policy compares the bare column and its index serves it.
create or replace function sync.agent_uuid() returns uuid language plpgsql stable as $$
declare a text := sync.agent_id();
begin
  return case when a ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then a::uuid end;
end $$;

create or replace function sync.is_admin() returns boolean language plpgsql stable security definer
set search_path = pg_catalog as $$
begin
  return exists (select 1 from sync.admin where agent_id = sync.agent_id());
end $$;

-- ---------------------------------------------------------------------------------------------
-- Sync columns. Columns Ringdesk needs beyond the web app's are added here too (nullable or
-- defaulted, so the web app keeps working).
alter table crm_leads add column if not exists timezone text;
-- The assignee holds the same kind of id as the owner (uuid or text, as the web app has it).
do $$ begin
  execute format('alter table crm_leads add column if not exists assigned_to %s',
                 (select format_type(atttypid, atttypmod) from pg_attribute
                   where attrelid = 'public.crm_leads'::regclass and attname = 'user_id'));
end $$;
alter table call_logs add column if not exists route text not null default 'softphone';
alter table call_logs add column if not exists answered_at timestamptz;
alter table call_logs add column if not exists end_reason text;
alter table call_logs add column if not exists disposition text;
alter table call_logs add column if not exists updated_at timestamptz default now();
alter table call_dispositions add column if not exists updated_at timestamptz default now();
alter table call_recordings add column if not exists provider_recording_sid text;
alter table call_recordings add column if not exists updated_at timestamptz default now();
alter table sms_messages add column if not exists our_number text;
alter table sms_messages add column if not exists error_code integer;
alter table sms_messages add column if not exists error_message text;
alter table sms_messages add column if not exists read_at timestamptz;
alter table sms_messages add column if not exists updated_at timestamptz default now();
alter table crm_lead_list_members add column if not exists id uuid not null default gen_random_uuid();
alter table crm_lead_list_members add column if not exists updated_at timestamptz default now();
alter table dialer_campaigns add column if not exists updated_at timestamptz default now();
alter table dialer_campaign_calls add column if not exists updated_at timestamptz default now();
-- The power dialer's settings per campaign (crates/dialer), and who made each attempt with what
-- outcome (one row per attempt; a lead's progress is its latest row).
alter table dialer_campaigns add column if not exists timezone text;
alter table dialer_campaigns add column if not exists window_start text not null default '08:00';
alter table dialer_campaigns add column if not exists window_end text not null default '21:00';
alter table dialer_campaigns add column if not exists excluded_days text not null default '';
alter table dialer_campaigns add column if not exists lead_order text not null default 'list';
alter table dialer_campaigns add column if not exists countdown_seconds integer not null default 5;
alter table dialer_campaigns add column if not exists retry_rules jsonb not null default '{}';
alter table dialer_campaigns add column if not exists local_presence boolean not null default false;
alter table dialer_campaign_calls add column if not exists agent_id text;
alter table dialer_campaign_calls add column if not exists outcome text;
alter table dialer_campaign_calls add column if not exists from_number text;
alter table signalwire_agents add column if not exists provider_agent_id text;
alter table voice_clones add column if not exists import_status text not null default 'not_requested';
create unique index if not exists crm_lead_list_members_id on crm_lead_list_members(id);
create unique index if not exists signalwire_agents_provider_id on signalwire_agents(provider_agent_id);
create index if not exists crm_leads_assigned_to on crm_leads(assigned_to);
create index if not exists crm_lead_list_members_lead on crm_lead_list_members(lead_id);
create index if not exists crm_leads_user on crm_leads(user_id);
create index if not exists call_logs_user on call_logs(user_id);

-- The synced tables, in the order a pull delivers rows of one transaction (parents first). The
-- key column is the row's identity in the pull stream.
create table if not exists sync.synced_table (
  rank     int primary key,
  tbl      name not null unique,
  key_col  name not null
);
insert into sync.synced_table values
  (1, 'crm_leads', 'id'), (2, 'crm_lead_lists', 'id'), (3, 'crm_lead_list_members', 'id'),
  (4, 'call_logs', 'id'), (5, 'call_dispositions', 'id'), (6, 'follow_up_states', 'call_disposition_id'),
  (7, 'call_recordings', 'id'), (8, 'sms_messages', 'id'), (9, 'dialer_campaigns', 'id'),
  (10, 'dialer_campaign_calls', 'id'), (11, 'signalwire_agents', 'id'), (12, 'voice_clones', 'id')
on conflict (rank) do nothing;

create or replace function sync.touch() returns trigger language plpgsql as $$
begin
  new.row_xid := pg_current_xact_id();
  new.updated_at := now();
  return new;
end $$;

-- Hard deletes (the web app deletes rows) become tombstones the desktops pull.
create table if not exists sync.tombstone (
  id          uuid primary key default gen_random_uuid(),
  tbl         name not null,
  row_id      uuid not null,
  visible_to  text[],            -- owners who may learn of the delete; null = every agent
  row_xid     xid8 not null default pg_current_xact_id(),
  created_at  timestamptz not null default now()
);
create index if not exists tombstone_sync on sync.tombstone(row_xid, id);

create or replace function sync.record_delete() returns trigger language plpgsql security definer
set search_path = pg_catalog, public, sync as $$
declare j jsonb := to_jsonb(old); owners text[];
begin
  select array_agg(v) into owners
    from (select j ->> 'user_id' as v union all select j ->> 'assigned_to') s
   where v is not null;
  insert into sync.tombstone(tbl, row_id, visible_to)
  values (tg_table_name, (j ->> tg_argv[0])::uuid, owners);
  return old;
end $$;

do $$ declare t record; begin
  for t in select * from sync.synced_table loop
    execute format('alter table public.%I add column if not exists deleted_at timestamptz', t.tbl);
    execute format('alter table public.%I add column if not exists updated_at timestamptz default now()', t.tbl);
    execute format('alter table public.%I add column if not exists row_xid xid8 not null default pg_current_xact_id()', t.tbl);
    execute format('create index if not exists %I on public.%I (row_xid, %I)', t.tbl || '_sync', t.tbl, t.key_col);
    execute format('drop trigger if exists ringdesk_touch on public.%I', t.tbl);
    execute format('create trigger ringdesk_touch before insert or update on public.%I
                    for each row execute function sync.touch()', t.tbl);
    execute format('drop trigger if exists ringdesk_tombstone on public.%I', t.tbl);
    execute format('create trigger ringdesk_tombstone after delete on public.%I
                    for each row execute function sync.record_delete(%L)', t.tbl, t.key_col);
    execute format('alter table public.%I enable row level security', t.tbl);
  end loop;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Sync state.
create table if not exists sync.client (
  client_id         uuid primary key,
  agent_id          text not null,
  last_mutation_id  bigint not null default 0,
  created_at        timestamptz not null default now(),
  seen_at           timestamptz not null default now()
);

create table if not exists sync.applied (
  client_id    uuid not null references sync.client(client_id) on delete cascade,
  mutation_id  bigint not null,
  digest       text not null,
  applied_at   timestamptz not null default now(),
  primary key (client_id, mutation_id)
);

create table if not exists sync.conflict (
  id            uuid primary key default gen_random_uuid(),
  agent_id      text not null,
  client_id     uuid,
  mutation_id   bigint,
  tbl           name not null,
  row_id        uuid not null,
  field         text not null,
  client_old    text,
  client_new    text,
  server_value  text,
  created_at    timestamptz not null default now(),
  resolved_at   timestamptz,
  resolution    text,
  row_xid       xid8 not null default pg_current_xact_id()
);
create index if not exists conflict_sync on sync.conflict(row_xid, id);

create table if not exists sync.revocation (
  id          uuid primary key default gen_random_uuid(),
  agent_id    text not null,
  tbl         name not null,
  row_id      uuid not null,
  row_xid     xid8 not null default pg_current_xact_id(),
  created_at  timestamptz not null default now()
);
create index if not exists revocation_sync on sync.revocation(row_xid, id);

-- A database migrated when identities were uuid: its identity columns become text (the policies
-- on them went with the old sync.agent_id()).
do $$ declare c record; begin
  for c in select * from (values ('client', 'agent_id'), ('conflict', 'agent_id'),
                                 ('revocation', 'agent_id'), ('tombstone', 'visible_to')) v(tbl, col) loop
    if exists (select 1 from pg_attribute where attrelid = format('sync.%I', c.tbl)::regclass and attname = c.col
                 and atttypid in ('uuid'::regtype, 'uuid[]'::regtype)) then
      execute format('alter table sync.%I alter column %I type %s using %I::%s', c.tbl, c.col,
                     case when c.col = 'visible_to' then 'text[]' else 'text' end, c.col,
                     case when c.col = 'visible_to' then 'text[]' else 'text' end);
    end if;
  end loop;
end $$;

create table if not exists sync.meta (
  singleton          boolean primary key default true check (singleton),
  epoch              uuid not null default gen_random_uuid(),
  tombstone_horizon  xid8 not null default '0',
  schema_version     int not null
);
insert into sync.meta(schema_version) values (3)
on conflict (singleton) do update set schema_version = greatest(sync.meta.schema_version, 3);

create or replace function sync.touch_conflict() returns trigger language plpgsql as $$
begin new.row_xid := pg_current_xact_id(); return new; end $$;
drop trigger if exists ringdesk_touch on sync.conflict;
create trigger ringdesk_touch before update on sync.conflict for each row execute function sync.touch_conflict();

-- A lead reassigned away: RLS hides it from its former agent, so no tombstone could reach them.
create or replace function sync.revoke_reassigned() returns trigger language plpgsql security definer
set search_path = pg_catalog, public, sync as $$
declare a text;
begin
  foreach a in array array[old.user_id::text, old.assigned_to::text] loop
    if a is not null and a is distinct from new.user_id::text and a is distinct from new.assigned_to::text then
      insert into sync.revocation(agent_id, tbl, row_id) values (a, 'crm_leads', old.id);
    end if;
  end loop;
  -- Whoever gains the lead pulls it in this transaction, and with it (same transaction, later
  -- rank) the rows that hang on it: a desktop it was revoked from before lost their link to it
  -- (calls, texts) or the rows themselves (list memberships, campaign entries), and a list becomes
  -- visible through it. Only the sync columns change (ringdesk_touch).
  update crm_lead_lists set row_xid = row_xid
   where id in (select list_id from crm_lead_list_members where lead_id = new.id);
  update crm_lead_list_members set row_xid = row_xid where lead_id = new.id;
  update call_logs set row_xid = row_xid where lead_id = new.id;
  update sms_messages set row_xid = row_xid where lead_id = new.id;
  update dialer_campaign_calls set row_xid = row_xid where lead_id = new.id;
  return new;
end $$;
drop trigger if exists ringdesk_revoke on crm_leads;
create trigger ringdesk_revoke after update of user_id, assigned_to on crm_leads
  for each row when (old.user_id is distinct from new.user_id or old.assigned_to is distinct from new.assigned_to)
  execute function sync.revoke_reassigned();

-- Administration: forget tombstones, revocations and applied-mutation digests older than
-- p_keep. Desktops whose cursor is older than what was forgotten resync in full.
create or replace function sync.gc(p_keep interval) returns xid8 language plpgsql as $$
declare h xid8;
begin
  with t as (delete from sync.tombstone where created_at < now() - p_keep returning row_xid),
       r as (delete from sync.revocation where created_at < now() - p_keep returning row_xid)
  select max(x) into h from (select row_xid as x from t union all select row_xid from r) s;
  delete from sync.applied where applied_at < now() - p_keep;
  if h is not null then
    update sync.meta set tombstone_horizon = greatest(tombstone_horizon, h);
  end if;
  return (select tombstone_horizon from sync.meta);
end $$;

-- Administration: after restoring the database from a dump (transaction ids start over), every
-- desktop must resync in full.
create or replace function sync.new_epoch() returns uuid language sql as $$
  update sync.meta set epoch = gen_random_uuid(), tombstone_horizon = '0' returning epoch
$$;

-- ---------------------------------------------------------------------------------------------
-- Push: the client's mutations in id order, applied exactly once (sync.md §5).

create or replace function sync.ts(v jsonb) returns timestamptz language sql immutable as $$
  select case when v is null or jsonb_typeof(v) = 'null' then null else (v #>> '{}')::timestamptz end
$$;

-- Whether the requesting agent sees this lead (owner or assignee). SECURITY DEFINER, so it checks
-- the visibility itself rather than through RLS, by primary key.
create or replace function sync.lead_visible(p_id uuid) returns boolean language plpgsql stable security definer
set search_path = pg_catalog, public as $$
declare me text := sync.agent_id();
begin
  return exists (select 1 from public.crm_leads l
                  where l.id = p_id and (l.user_id::text = me or l.assigned_to::text = me));
end $$;

-- The lead if the agent sees it, else null: a call or text logged against a lead deleted,
-- reassigned away meanwhile, or never theirs is kept without the link, never rejected for it. The
-- answer is the same for a lead that does not exist and one that is someone else's, so it tells
-- nothing about other agents' leads.
drop function if exists sync.existing_lead(uuid);
create or replace function sync.visible_lead(p_id uuid) returns uuid language sql stable as $$
  select case when p_id is not null and sync.lead_visible(p_id) then p_id end
$$;

-- Applies one mutation; true when it became a conflict. Raises to reject it.
--
-- A replayed mutation (`"replay": true`: resent under a new client id after a restore, a copy or a
-- collected digest, so the backend may already hold it and later changes on top of it) never
-- reverts a later value: a lead's field is set only where the backend still has the value the
-- desktop saw (else a conflict is recorded for the agent, so nothing is lost silently), other
-- tables' updates only fill what the backend does not have yet.
--
-- Owner columns are written through variables of the column's own type (uuid or text), so the
-- same function serves both kinds of CRM; PL/pgSQL converts the agent's text id into them.
drop function if exists sync.apply(uuid, uuid, bigint, jsonb);
create or replace function sync.apply(p_agent text, p_client uuid, p_mid bigint, m jsonb) returns boolean
language plpgsql security invoker set search_path = pg_catalog, public, sync as $$
declare
  t text := m ->> 'table';
  op text := m ->> 'op';
  a jsonb := m -> 'args';
  v_replay boolean := coalesce(m -> 'replay' = 'true'::jsonb, false);
  v_conflict boolean := false;
  v_cur jsonb;
  s jsonb;
  v_id uuid;
  v_status text;
  v_clamp timestamptz := now() + interval '5 minutes';
  k text;
  v_lead_owner public.crm_leads.user_id%type;
  v_list_owner public.crm_lead_lists.user_id%type;
  v_call_owner public.call_logs.user_id%type;
  v_sms_owner public.sms_messages.user_id%type;
  v_clone_owner public.voice_clones.user_id%type;
  v_disposed_by public.call_dispositions.created_by%type;
begin
  if a is null or jsonb_typeof(a) <> 'object' then
    raise exception 'mutation % has no arguments object', p_mid using errcode = 'RD004';
  end if;
  if t = 'leads' and op = 'insert' then
    v_lead_owner := p_agent;
    insert into crm_leads(id, user_id, name, email, phone, company, position, status, value, source, notes,
                          timezone, created_at, last_contact)
    values ((a->>'id')::uuid, v_lead_owner, a->>'name', a->>'email', a->>'phone', a->>'company', a->>'position',
            coalesce(a->>'status', 'new'), (a->>'value')::numeric, a->>'source', a->>'notes', a->>'timezone',
            coalesce(sync.ts(a->'created_at'), now()), least(sync.ts(a->'last_contact'), v_clamp))
    on conflict (id) do nothing;
  elsif t = 'leads' and op = 'update' then
    s := a -> 'set';
    v_id := (a->>'id')::uuid;
    for k in select jsonb_object_keys(s) loop
      if k not in ('name', 'email', 'phone', 'phone_e164', 'company', 'position', 'status', 'value', 'source',
                   'notes', 'timezone', 'last_contact', 'deleted_at') then
        raise exception 'a lead has no field %', k using errcode = 'RD004';
      end if;
    end loop;
    if v_replay then
      select to_jsonb(l) into v_cur from crm_leads l where l.id = v_id for update;
    end if;
    if v_cur is not null then
      for k in select jsonb_object_keys(s) loop
        continue when k in ('status', 'last_contact', 'deleted_at') or not (v_cur ? k);
        if (v_cur -> k) is distinct from (s -> k)
           and (v_cur -> k) is distinct from coalesce(a -> 'old' -> k, 'null'::jsonb) then
          insert into sync.conflict(agent_id, client_id, mutation_id, tbl, row_id, field, client_old, client_new, server_value)
          values (p_agent, p_client, p_mid, 'crm_leads', v_id, k, a->'old'->>k, s->>k, v_cur->>k);
          s := s - k;
          v_conflict := true;
        end if;
      end loop;
    end if;
    -- Last writer in server order for plain fields; last_contact only moves forward and never
    -- past the server's clock (a desktop clock years off cannot pin it).
    update crm_leads set
      name = case when s ? 'name' then s->>'name' else name end,
      email = case when s ? 'email' then s->>'email' else email end,
      phone = case when s ? 'phone' then s->>'phone' else phone end,
      company = case when s ? 'company' then s->>'company' else company end,
      position = case when s ? 'position' then s->>'position' else position end,
      value = case when s ? 'value' then (s->>'value')::numeric else value end,
      source = case when s ? 'source' then s->>'source' else source end,
      notes = case when s ? 'notes' then s->>'notes' else notes end,
      timezone = case when s ? 'timezone' then s->>'timezone' else timezone end,
      last_contact = case when s ? 'last_contact'
                     then greatest(last_contact, least(sync.ts(s->'last_contact'), v_clamp)) else last_contact end,
      deleted_at = case when s ? 'deleted_at' then (case when s->>'deleted_at' is null then null else now() end)
                   else deleted_at end
    where id = v_id
    returning status into v_status;
    if not found then
      raise exception 'lead % does not exist or is not yours', v_id using errcode = 'RD005';
    end if;
    -- Status: compare-and-set on the value the desktop saw.
    if s ? 'status' and v_status is distinct from s->>'status' then
      update crm_leads set status = s->>'status'
       where id = v_id and status is not distinct from (a->'old'->>'status');
      if not found then
        insert into sync.conflict(agent_id, client_id, mutation_id, tbl, row_id, field, client_old, client_new, server_value)
        values (p_agent, p_client, p_mid, 'crm_leads', v_id, 'status', a->'old'->>'status', s->>'status', v_status);
        return true;
      end if;
    end if;
  elsif t = 'lead_lists' and op = 'insert' then
    v_list_owner := p_agent;
    insert into crm_lead_lists(id, user_id, name, description, created_at)
    values ((a->>'id')::uuid, v_list_owner, a->>'name', a->>'description', coalesce(sync.ts(a->'created_at'), now()))
    on conflict (id) do nothing;
  elsif t = 'lead_list_members' and op = 'insert' then
    insert into crm_lead_list_members(list_id, lead_id, added_at)
    values ((a->>'list_id')::uuid, (a->>'lead_id')::uuid, coalesce(sync.ts(a->'added_at'), now()))
    on conflict (list_id, lead_id) do update set deleted_at = null
      where crm_lead_list_members.deleted_at is not null;
  elsif t = 'call_logs' and op = 'insert' then
    v_call_owner := p_agent;
    insert into call_logs(id, user_id, lead_id, route, contact_number, from_number, provider_call_sid, direction,
                          status, started_at, answered_at, ended_at, duration_seconds, end_reason, created_at)
    values ((a->>'id')::uuid, v_call_owner, sync.visible_lead((a->>'lead_id')::uuid), coalesce(a->>'route', 'softphone'), a->>'contact_number',
            a->>'from_number', a->>'provider_call_sid', coalesce(a->>'direction', 'outbound'), a->>'status',
            sync.ts(a->'started_at'), sync.ts(a->'answered_at'), sync.ts(a->'ended_at'),
            (a->>'duration_seconds')::int, a->>'end_reason', coalesce(sync.ts(a->'created_at'), now()))
    on conflict (id) do nothing;
  elsif t = 'call_logs' and op = 'update' then
    s := a -> 'set';
    for k in select jsonb_object_keys(s) loop
      if k not in ('status', 'answered_at', 'ended_at', 'duration_seconds', 'end_reason', 'disposition',
                   'provider_call_sid', 'recording_url', 'lead_id') then
        raise exception 'a call log has no updatable field %', k using errcode = 'RD004';
      end if;
    end loop;
    update call_logs set
      status = case when s ? 'status' and (not v_replay or status is null) then s->>'status' else status end,
      answered_at = case when s ? 'answered_at' and (not v_replay or answered_at is null) then sync.ts(s->'answered_at') else answered_at end,
      ended_at = case when s ? 'ended_at' and (not v_replay or ended_at is null) then sync.ts(s->'ended_at') else ended_at end,
      duration_seconds = case when s ? 'duration_seconds' and (not v_replay or duration_seconds is null) then (s->>'duration_seconds')::int else duration_seconds end,
      end_reason = case when s ? 'end_reason' and (not v_replay or end_reason is null) then s->>'end_reason' else end_reason end,
      disposition = case when s ? 'disposition' and (not v_replay or disposition is null) then s->>'disposition' else disposition end,
      provider_call_sid = case when s ? 'provider_call_sid' and (not v_replay or provider_call_sid is null) then s->>'provider_call_sid' else provider_call_sid end,
      recording_url = case when s ? 'recording_url' and (not v_replay or recording_url is null) then s->>'recording_url' else recording_url end,
      lead_id = case when s ? 'lead_id' and (not v_replay or lead_id is null) then sync.visible_lead((s->>'lead_id')::uuid) else lead_id end
    where id = (a->>'id')::uuid;
    if not found then
      raise exception 'call % does not exist or is not yours', a->>'id' using errcode = 'RD005';
    end if;
  elsif t = 'call_dispositions' and op = 'insert' then
    v_disposed_by := p_agent;
    insert into call_dispositions(id, call_log_id, disposition_type, notes, next_action, follow_up_date,
                                  created_at, created_by)
    values ((a->>'id')::uuid, (a->>'call_log_id')::uuid, a->>'disposition_type', a->>'notes', a->>'next_action',
            sync.ts(a->'follow_up_date'), coalesce(sync.ts(a->'created_at'), now()), v_disposed_by)
    on conflict (id) do nothing;
    if found then
      update call_logs set disposition = a->>'disposition_type' where id = (a->>'call_log_id')::uuid;
    end if;
  elsif t = 'follow_up_states' and op in ('insert', 'update') then
    insert into follow_up_states(call_disposition_id, status, due_at, snoozed_until, completed_at)
    values ((a->>'call_disposition_id')::uuid, a->>'status', sync.ts(a->'due_at'), sync.ts(a->'snoozed_until'),
            sync.ts(a->'completed_at'))
    on conflict (call_disposition_id) do update set status = excluded.status, due_at = excluded.due_at,
      snoozed_until = excluded.snoozed_until, completed_at = excluded.completed_at
      where not v_replay;
  elsif t = 'call_recordings' and op = 'insert' then
    insert into call_recordings(id, call_log_id, provider_recording_sid, recording_url, duration_seconds, created_at)
    values ((a->>'id')::uuid, (a->>'call_log_id')::uuid, a->>'provider_recording_sid', a->>'recording_url',
            (a->>'duration_seconds')::int, coalesce(sync.ts(a->'created_at'), now()))
    on conflict (id) do nothing;
  elsif t = 'call_recordings' and op = 'update' then
    update call_recordings set transcription_text = a->>'transcription_text'
     where id = (a->>'id')::uuid and (not v_replay or transcription_text is null);
  elsif t = 'call_recordings' and op = 'delete' then
    update call_recordings set deleted_at = now() where id = (a->>'id')::uuid and deleted_at is null;
  elsif t = 'sms_messages' and op = 'insert' then
    v_sms_owner := p_agent;
    insert into sms_messages(id, user_id, lead_id, contact_number, from_number, our_number, direction, message_body,
                             provider_message_sid, status, error_code, error_message, sent_at, read_at, created_at)
    values ((a->>'id')::uuid, v_sms_owner, sync.visible_lead((a->>'lead_id')::uuid), a->>'contact_number', a->>'from_number',
            a->>'our_number', a->>'direction', a->>'body', a->>'provider_message_sid', a->>'status',
            (a->>'error_code')::int, a->>'error_message', sync.ts(a->'sent_at'), sync.ts(a->'read_at'),
            coalesce(sync.ts(a->'created_at'), now()))
    on conflict do nothing;
  elsif t = 'sms_messages' and op = 'update' then
    if v_replay then
      update sms_messages set lead_id = coalesce(lead_id, sync.visible_lead((a->>'lead_id')::uuid)),
             provider_message_sid = coalesce(provider_message_sid, a->>'provider_message_sid'),
             status = coalesce(status, a->>'status'), error_code = coalesce(error_code, (a->>'error_code')::int),
             error_message = coalesce(error_message, a->>'error_message'),
             sent_at = coalesce(sent_at, sync.ts(a->'sent_at')), read_at = coalesce(read_at, sync.ts(a->'read_at'))
       where id = (a->>'id')::uuid;
    else
      update sms_messages set lead_id = sync.visible_lead((a->>'lead_id')::uuid), provider_message_sid = a->>'provider_message_sid',
             status = a->>'status', error_code = (a->>'error_code')::int, error_message = a->>'error_message',
             sent_at = sync.ts(a->'sent_at'), read_at = sync.ts(a->'read_at')
       where id = (a->>'id')::uuid;
    end if;
    if not found then
      raise exception 'message % does not exist or is not yours', a->>'id' using errcode = 'RD005';
    end if;
  elsif t = 'signalwire_agents' and op in ('insert', 'update') then
    insert into signalwire_agents(id, agent_name, assigned_number, prompt, status, provider_agent_id)
    values ((a->>'id')::uuid, a->>'agent_name', a->>'assigned_number', a->>'prompt', coalesce(a->>'status', 'active'),
            a->>'provider_agent_id')
    on conflict (id) do update set agent_name = excluded.agent_name, assigned_number = excluded.assigned_number,
      prompt = excluded.prompt, status = excluded.status, deleted_at = null
      where not v_replay;
  elsif t = 'voice_clones' and op in ('insert', 'update') then
    v_clone_owner := p_agent;
    insert into voice_clones(id, user_id, name, sample_audio_url, playht_voice_id, status, import_status)
    values ((a->>'id')::uuid, v_clone_owner, a->>'name', a->>'sample_audio_url', a->>'playht_voice_id',
            coalesce(a->>'status', 'ready'), coalesce(a->>'import_status', 'not_requested'))
    on conflict (id) do update set name = excluded.name, sample_audio_url = excluded.sample_audio_url,
      playht_voice_id = excluded.playht_voice_id, status = excluded.status, import_status = excluded.import_status
      where not v_replay;
  elsif t in ('dialer_campaigns', 'dialer_campaign_calls', 'campaign_leases') then
    -- The power dialer's rows: migration 4 (sync.apply_dialer).
    perform sync.apply_dialer(p_agent, t, op, a, v_replay);
  elsif t = 'sync_conflicts' and op = 'resolve' then
    update sync.conflict set resolved_at = now(), resolution = a->>'resolution'
     where id = (a->>'id')::uuid and resolved_at is null;
  else
    raise exception 'unknown mutation % on %', op, t using errcode = 'RD004';
  end if;
  return v_conflict;
end $$;

-- One transaction: lock the client's row, skip ids already applied (only when the backend holds
-- exactly that mutation: a resend with other contents, or one whose digest was collected by
-- sync.gc, means the desktop must rotate its client id and replay), refuse a gap, apply or reject
-- each. A mutation the backend refuses (bad data, a policy, a constraint) is rejected and its id
-- consumed; a transient failure (deadlock, serialization failure, lock or statement timeout, lack
-- of resources, shutdown) fails the whole push instead, so nothing is consumed and the desktop
-- sends it again later.
create or replace function sync.push(p_client uuid, p_mutations jsonb) returns jsonb
language plpgsql security invoker set search_path = pg_catalog, public, sync as $$
declare
  v_agent text := sync.agent_id();
  v_last bigint;
  v_mid bigint;
  m jsonb;
  v_digest text;
  v_known text;
  v_rejected jsonb := '[]';
  v_conflicts int := 0;
begin
  if v_agent is null then
    raise exception 'no agent identity: sign in (JWT sub) or connect as a mapped agent role' using errcode = 'RD003';
  end if;
  if p_mutations is null or jsonb_typeof(p_mutations) <> 'array' then
    raise exception 'mutations must be a JSON array' using errcode = 'RD004';
  end if;
  insert into sync.client(client_id, agent_id) values (p_client, v_agent) on conflict do nothing;
  select last_mutation_id into v_last from sync.client
   where client_id = p_client and agent_id = v_agent for update;
  if not found then
    raise exception 'client % belongs to another agent', p_client using errcode = 'RD003';
  end if;
  for m in select value from jsonb_array_elements(p_mutations) loop
    v_mid := (m ->> 'id')::bigint;
    v_digest := md5(m::text);
    if v_mid <= v_last then
      select digest into v_known from sync.applied where client_id = p_client and mutation_id = v_mid;
      if not found then
        raise exception 'mutation % of client % can no longer be checked against what was applied (collected): replay it under a new client id',
          v_mid, p_client using errcode = 'RD001';
      elsif v_known <> v_digest then
        raise exception 'mutation % of client % was already applied with other contents: this database is a copy',
          v_mid, p_client using errcode = 'RD001';
      end if;
      continue;
    end if;
    if v_mid <> v_last + 1 then
      raise exception 'mutation gap: expected %, got %', v_last + 1, v_mid using errcode = 'RD002';
    end if;
    begin
      if sync.apply(v_agent, p_client, v_mid, m) then
        v_conflicts := v_conflicts + 1;
      end if;
    exception when others then
      if left(sqlstate, 2) in ('08', '40', '53', '57', '58', 'XX') or sqlstate in ('55P03', '55006') then
        raise;
      end if;
      v_rejected := v_rejected || jsonb_build_object('id', v_mid, 'code', sqlstate, 'reason', sqlerrm);
    end;
    insert into sync.applied(client_id, mutation_id, digest) values (p_client, v_mid, v_digest);
    v_last := v_mid;
  end loop;
  update sync.client set last_mutation_id = v_last, seen_at = now() where client_id = p_client;
  return jsonb_build_object('last_mutation_id', v_last, 'rejected', v_rejected, 'conflicts', v_conflicts);
end $$;

-- ---------------------------------------------------------------------------------------------
-- Pull: rows whose writing transaction is older than every running one (hi = snapshot xmin),
-- after the cursor (row_xid, rank, id), in that order, as [rank, row] pairs. Everything below hi
-- is final, so a short page moves the cursor to hi and no later commit can land behind it.

-- The lowest id a branch of rank p_rank may return after cursor rank p_cr and id p_cid.
create or replace function sync.after_id(p_rank int, p_cr int, p_cid uuid) returns uuid
language sql immutable as $$
  select case when p_rank < p_cr then 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid
              when p_rank = p_cr then p_cid
              else '00000000-0000-0000-0000-000000000000'::uuid end
$$;

create or replace function sync.pull(p_cursor text, p_epoch uuid, p_limit int) returns jsonb
language plpgsql stable security invoker set search_path = pg_catalog, public, sync as $$
declare
  v_meta sync.meta;
  v_agent text := sync.agent_id();
  parts text[];
  cx xid8; cr int; cid uuid;
  hi xid8 := pg_snapshot_xmin(pg_current_snapshot());
  lim int := least(greatest(coalesce(p_limit, 1000), 1), 10000);
  v_rows jsonb; v_n int; v_next text; v_remaining bigint;
begin
  if v_agent is null then
    raise exception 'no agent identity: sign in (JWT sub) or connect as a mapped agent role' using errcode = 'RD003';
  end if;
  select * into v_meta from sync.meta;
  parts := string_to_array(coalesce(p_cursor, '0:0:00000000-0000-0000-0000-000000000000'), ':');
  if array_length(parts, 1) <> 3 or parts[1] !~ '^[0-9]+$' or parts[2] !~ '^[0-9]+$' then
    raise exception 'malformed cursor %', p_cursor using errcode = 'RD004';
  end if;
  cx := parts[1]::xid8; cr := parts[2]::int; cid := parts[3]::uuid;
  if (p_epoch is not null and p_epoch <> v_meta.epoch)
     or (cx <> '0'::xid8 and v_meta.tombstone_horizon <> '0'::xid8 and cx <= v_meta.tombstone_horizon)
     or cx > pg_snapshot_xmax(pg_current_snapshot()) then
    return jsonb_build_object('reset', true, 'epoch', v_meta.epoch, 'rows', '[]'::jsonb,
                              'next', '0:0:00000000-0000-0000-0000-000000000000', 'more', true);
  end if;
  with u as (
    (select x.row_xid, 1 as r, x.id, to_jsonb(x) - 'row_xid' as d from public.crm_leads x
      where (x.row_xid, x.id) > (cx, sync.after_id(1, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 2, x.id, to_jsonb(x) - 'row_xid' from public.crm_lead_lists x
      where (x.row_xid, x.id) > (cx, sync.after_id(2, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 3, x.id, to_jsonb(x) - 'row_xid' from public.crm_lead_list_members x
      where (x.row_xid, x.id) > (cx, sync.after_id(3, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 4, x.id, to_jsonb(x) - 'row_xid' - 'raw' from public.call_logs x
      where (x.row_xid, x.id) > (cx, sync.after_id(4, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 5, x.id, to_jsonb(x) - 'row_xid' from public.call_dispositions x
      where (x.row_xid, x.id) > (cx, sync.after_id(5, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 6, x.call_disposition_id, to_jsonb(x) - 'row_xid' from public.follow_up_states x
      where (x.row_xid, x.call_disposition_id) > (cx, sync.after_id(6, cr, cid)) and x.row_xid < hi
      order by x.row_xid, x.call_disposition_id limit lim)
    union all
    (select x.row_xid, 7, x.id, to_jsonb(x) - 'row_xid' from public.call_recordings x
      where (x.row_xid, x.id) > (cx, sync.after_id(7, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 8, x.id, to_jsonb(x) - 'row_xid' from public.sms_messages x
      where (x.row_xid, x.id) > (cx, sync.after_id(8, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 9, x.id, to_jsonb(x) - 'row_xid' from public.dialer_campaigns x
      where (x.row_xid, x.id) > (cx, sync.after_id(9, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 10, x.id, to_jsonb(x) - 'row_xid' from public.dialer_campaign_calls x
      where (x.row_xid, x.id) > (cx, sync.after_id(10, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 11, x.id, to_jsonb(x) - 'row_xid' - 'settings' from public.signalwire_agents x
      where (x.row_xid, x.id) > (cx, sync.after_id(11, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 12, x.id, to_jsonb(x) - 'row_xid' from public.voice_clones x
      where (x.row_xid, x.id) > (cx, sync.after_id(12, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 13, x.id, jsonb_build_object('tbl', x.tbl, 'row_id', x.row_id) from sync.revocation x
      where (x.row_xid, x.id) > (cx, sync.after_id(13, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 14, x.id, jsonb_build_object('tbl', x.tbl, 'row_id', x.row_id) from sync.tombstone x
      where (x.row_xid, x.id) > (cx, sync.after_id(14, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
    union all
    (select x.row_xid, 15, x.id, to_jsonb(x) - 'row_xid' from sync.conflict x
      where (x.row_xid, x.id) > (cx, sync.after_id(15, cr, cid)) and x.row_xid < hi order by x.row_xid, x.id limit lim)
  ), page as (
    select * from u order by row_xid, r, id limit lim
  )
  select coalesce(jsonb_agg(jsonb_build_array(p.r, p.d) order by p.row_xid, p.r, p.id), '[]'::jsonb),
         count(*),
         (array_agg(p.row_xid::text || ':' || p.r || ':' || p.id order by p.row_xid desc, p.r desc, p.id desc))[1]
    into v_rows, v_n, v_next
    from page p;
  if v_n < lim then
    v_next := hi::text || ':0:00000000-0000-0000-0000-000000000000';
  end if;
  -- A first pull reports how much there is, for the desktop's progress bar.
  if cx = '0'::xid8 then
    select count(*) into v_remaining from public.crm_leads x where x.row_xid < hi;
  end if;
  return jsonb_build_object('reset', false, 'epoch', v_meta.epoch, 'rows', v_rows, 'next', v_next,
                            'more', v_n = lim, 'leads_total', v_remaining);
end $$;

-- PostgREST exposes functions of the public schema; its JSON keys are these argument names.
create or replace function public.sync_push(client_id uuid, mutations jsonb) returns jsonb
language sql security invoker as $$ select sync.push(client_id, mutations) $$;
create or replace function public.sync_pull(cursor text, epoch uuid default null, max_rows int default 1000)
returns jsonb language sql stable security invoker as $$ select sync.pull(cursor, epoch, max_rows) $$;

-- ---------------------------------------------------------------------------------------------
-- Row Level Security. Policies apply to every role but the owner and superusers; an agent's
-- identity is sync.agent_id() (wrapped in a subquery, so it is evaluated once per statement).
-- `$ME(col)` stands for the agent in that column's type: sync.agent_uuid() for a uuid column,
-- sync.agent_id() for a text one. The column stays bare on its side of `=`, so its index serves
-- the policy whichever type the CRM chose.
create or replace function sync.me_for(p_tbl name, p_col name) returns text language sql stable as $$
  select case when a.atttypid = 'uuid'::regtype then '(select sync.agent_uuid())' else '(select sync.agent_id())' end
    from pg_attribute a where a.attrelid = format('public.%I', p_tbl)::regclass and a.attname = p_col
$$;

-- Policies an earlier version of this file created and the list below no longer has.
drop policy if exists ringdesk_all on public.dialer_campaigns;
drop policy if exists ringdesk_all on public.dialer_campaign_calls;

do $$ declare p record; u text; c text; begin
  for p in select * from (values
    ('crm_leads', 'ringdesk_read', 'select', 'user_id = $ME(user_id) or assigned_to = $ME(assigned_to)', null),
    ('crm_leads', 'ringdesk_insert', 'insert', null, 'user_id = $ME(user_id)'),
    -- Who may reassign or delete a lead it sees is sync.guard_lead()'s decision (it needs the old
    -- row): its owner, who may also hand it over, or an admin.
    ('crm_leads', 'ringdesk_update', 'update', 'user_id = $ME(user_id) or assigned_to = $ME(assigned_to)', 'true'),
    ('crm_leads', 'ringdesk_delete', 'delete', 'user_id = $ME(user_id) or assigned_to = $ME(assigned_to)', null),
    ('crm_lead_lists', 'ringdesk_read', 'select', 'user_id = $ME(user_id) or exists (select 1 from crm_lead_list_members m join crm_leads l on l.id = m.lead_id where m.list_id = crm_lead_lists.id)', null),
    ('crm_lead_lists', 'ringdesk_insert', 'insert', null, 'user_id = $ME(user_id)'),
    ('crm_lead_lists', 'ringdesk_update', 'update', 'user_id = $ME(user_id)', 'user_id = $ME(user_id)'),
    ('crm_lead_lists', 'ringdesk_delete', 'delete', 'user_id = $ME(user_id)', null),
    ('crm_lead_list_members', 'ringdesk_all', 'all', 'exists (select 1 from crm_leads l where l.id = lead_id)',
       'exists (select 1 from crm_leads l where l.id = lead_id) and exists (select 1 from crm_lead_lists l where l.id = list_id)'),
    ('call_logs', 'ringdesk_all', 'all', 'user_id = $ME(user_id)', 'user_id = $ME(user_id)'),
    ('call_dispositions', 'ringdesk_all', 'all', 'exists (select 1 from call_logs c where c.id = call_log_id)', 'exists (select 1 from call_logs c where c.id = call_log_id)'),
    ('follow_up_states', 'ringdesk_all', 'all', 'exists (select 1 from call_dispositions d where d.id = call_disposition_id)', 'exists (select 1 from call_dispositions d where d.id = call_disposition_id)'),
    ('call_recordings', 'ringdesk_all', 'all', 'exists (select 1 from call_logs c where c.id = call_log_id)', 'exists (select 1 from call_logs c where c.id = call_log_id)'),
    ('sms_messages', 'ringdesk_all', 'all', 'user_id = $ME(user_id)', 'user_id = $ME(user_id)'),
    -- A campaign is worked by every agent who sees a lead of its list; only its owner changes it.
    ('dialer_campaigns', 'ringdesk_read', 'select', 'user_id = $ME(user_id) or exists (select 1 from crm_lead_lists l where l.id = list_id)', null),
    ('dialer_campaigns', 'ringdesk_insert', 'insert', null, 'user_id = $ME(user_id)'),
    ('dialer_campaigns', 'ringdesk_update', 'update', 'user_id = $ME(user_id)', 'user_id = $ME(user_id)'),
    ('dialer_campaigns', 'ringdesk_delete', 'delete', 'user_id = $ME(user_id)', null),
    -- An attempt is seen by whoever sees its campaign and its lead, and written by the agent who made it.
    ('dialer_campaign_calls', 'ringdesk_read', 'select', 'exists (select 1 from dialer_campaigns c where c.id = campaign_id) and exists (select 1 from crm_leads l where l.id = lead_id)', null),
    ('dialer_campaign_calls', 'ringdesk_insert', 'insert', null, 'agent_id = (select sync.agent_id()) and exists (select 1 from dialer_campaigns c where c.id = campaign_id) and exists (select 1 from crm_leads l where l.id = lead_id)'),
    ('dialer_campaign_calls', 'ringdesk_update', 'update', 'agent_id = (select sync.agent_id())', 'agent_id = (select sync.agent_id())'),
    -- AI agents are the team's shared configuration: every signed-in agent reads them, admins edit them.
    ('signalwire_agents', 'ringdesk_read', 'select', '(select sync.agent_id()) is not null', null),
    ('signalwire_agents', 'ringdesk_insert', 'insert', null, '(select sync.is_admin())'),
    ('signalwire_agents', 'ringdesk_update', 'update', '(select sync.is_admin())', '(select sync.is_admin())'),
    ('signalwire_agents', 'ringdesk_delete', 'delete', '(select sync.is_admin())', null),
    ('voice_clones', 'ringdesk_all', 'all', 'user_id = $ME(user_id)', 'user_id = $ME(user_id)')
  ) as v(tbl, name, cmd, using_expr, check_expr) loop
    u := replace(replace(p.using_expr, '$ME(user_id)', coalesce(sync.me_for(p.tbl, 'user_id'), '')),
                 '$ME(assigned_to)', coalesce(sync.me_for(p.tbl, 'assigned_to'), ''));
    c := replace(replace(p.check_expr, '$ME(user_id)', coalesce(sync.me_for(p.tbl, 'user_id'), '')),
                 '$ME(assigned_to)', coalesce(sync.me_for(p.tbl, 'assigned_to'), ''));
    execute format('drop policy if exists %I on public.%I', p.name, p.tbl);
    execute format('create policy %I on public.%I for %s %s %s', p.name, p.tbl, p.cmd,
                   case when u is null then '' else 'using (' || u || ')' end,
                   case when c is null then '' else 'with check (' || c || ')' end);
  end loop;
end $$;

-- What a row policy cannot say, because it needs the row as it was. For an agent (a web app's
-- service role or the owner has no agent identity and is not restricted here):
-- * only a lead's owner, or an admin, reassigns it (user_id, assigned_to) or deletes it (hard, or
--   soft through deleted_at); an assignee edits the rest;
-- * a call or a text points only at a lead the agent sees, so no agent can attach records to, or
--   learn of, another agent's lead.
-- SECURITY DEFINER (the web app's roles need no grant on schema sync); visibility is checked here,
-- by primary key, not through RLS.
create or replace function sync.guard_lead() returns trigger language plpgsql security definer
set search_path = pg_catalog, public, sync as $$
declare me text := sync.agent_id();
begin
  if me is null or old.user_id::text is not distinct from me or sync.is_admin() then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_op = 'DELETE' then
    raise exception 'only the owner of lead % or an admin may delete it', old.id using errcode = '42501';
  end if;
  if new.user_id is distinct from old.user_id or new.assigned_to is distinct from old.assigned_to then
    raise exception 'only the owner of lead % or an admin may reassign it', old.id using errcode = '42501';
  end if;
  if new.deleted_at is distinct from old.deleted_at then
    raise exception 'only the owner of lead % or an admin may delete or restore it', old.id using errcode = '42501';
  end if;
  return new;
end $$;
drop trigger if exists ringdesk_guard on crm_leads;
create trigger ringdesk_guard before update or delete on crm_leads for each row execute function sync.guard_lead();

create or replace function sync.guard_lead_ref() returns trigger language plpgsql security definer
set search_path = pg_catalog, public, sync as $$
begin
  if new.lead_id is not null and (tg_op = 'INSERT' or new.lead_id is distinct from old.lead_id)
     and sync.agent_id() is not null and not sync.lead_visible(new.lead_id) then
    raise exception '% may only link leads you own or are assigned: % is not one of yours', tg_table_name,
      new.lead_id using errcode = '42501';
  end if;
  return new;
end $$;
drop trigger if exists ringdesk_guard on call_logs;
create trigger ringdesk_guard before insert or update of lead_id on call_logs
  for each row execute function sync.guard_lead_ref();
drop trigger if exists ringdesk_guard on sms_messages;
create trigger ringdesk_guard before insert or update of lead_id on sms_messages
  for each row execute function sync.guard_lead_ref();

alter table sync.client enable row level security;
alter table sync.applied enable row level security;
alter table sync.conflict enable row level security;
alter table sync.revocation enable row level security;
alter table sync.tombstone enable row level security;
drop policy if exists ringdesk_own on sync.client;
create policy ringdesk_own on sync.client for all using (agent_id = (select sync.agent_id())) with check (agent_id = (select sync.agent_id()));
drop policy if exists ringdesk_own on sync.applied;
create policy ringdesk_own on sync.applied for all using (exists (select 1 from sync.client c where c.client_id = applied.client_id))
  with check (exists (select 1 from sync.client c where c.client_id = applied.client_id));
drop policy if exists ringdesk_own on sync.conflict;
create policy ringdesk_own on sync.conflict for all using (agent_id = (select sync.agent_id())) with check (agent_id = (select sync.agent_id()));
drop policy if exists ringdesk_own on sync.revocation;
create policy ringdesk_own on sync.revocation for select using (agent_id = (select sync.agent_id()));
drop policy if exists ringdesk_own on sync.tombstone;
create policy ringdesk_own on sync.tombstone for select using (visible_to is null or (select sync.agent_id()) = any(visible_to));

do $$ declare r text; begin
  foreach r in array array['authenticated', 'ringdesk_agent'] loop
    execute format('grant usage on schema sync to %I', r);
    execute format('grant select, insert, update on crm_leads, crm_lead_lists, crm_lead_list_members, call_logs,
                    call_dispositions, follow_up_states, call_recordings, sms_messages, dialer_campaigns,
                    dialer_campaign_calls, signalwire_agents, voice_clones to %I', r);
    execute format('grant select on sync.meta, sync.synced_table, sync.revocation, sync.tombstone to %I', r);
    -- Who maps to whom and who is an admin are the owner's: sync.agent_id() and sync.is_admin() read them.
    execute format('revoke all on sync.agent_role, sync.admin from %I', r);
    execute format('grant select, insert, update on sync.client, sync.applied, sync.conflict to %I', r);
    execute format('grant execute on all functions in schema sync to %I', r);
    execute format('grant execute on function public.sync_push(uuid, jsonb), public.sync_pull(text, uuid, int) to %I', r);
  end loop;
end $$;
revoke execute on function sync.gc(interval), sync.new_epoch() from public, authenticated, ringdesk_agent;
