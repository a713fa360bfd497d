-- Ringdesk backend migration 5: teams, and their managers' read-only view of the team's work.
--
-- * sync.team and sync.team_member: a team, its members, and which of them manage it (role
--   'manager'). Only the database owner writes them (README, "Backend": teams).
-- * A manager reads (never writes) the leads, calls, wrap-ups, follow-ups, recordings and list
--   memberships of every other member of the teams they manage; agents still see only their own.
--   Reading and writing get separate policies: the write policies are the agent's own rows only.
-- * A member added to a managed team (or a new manager) makes the rows the manager now sees
--   travel in the next pull: they are touched (only row_xid changes; updated_at is kept). A member removed
--   (or a manager demoted) revokes them: sync.revocation rows for the manager, which the desktop
--   applies on its next pull by removing them.
-- * sync.whoami(): the agent, the agents they manage and their teams, for the desktop.
-- The CRM's rows are untouched but for their sync columns. Idempotent: every statement can run
-- again on a database that already has it.

create table if not exists sync.team (
  id          uuid primary key default gen_random_uuid(),
  name        text not null unique,
  created_at  timestamptz not null default now()
);

create table if not exists sync.team_member (
  team_id   uuid not null references sync.team(id) on delete cascade,
  agent_id  text not null,
  role      text not null default 'agent' check (role in ('agent', 'manager')),
  added_at  timestamptz not null default now(),
  primary key (team_id, agent_id)
);
create index if not exists team_member_agent on sync.team_member(agent_id);

-- Whether `p_manager` manages `p_agent` (another member of a team `p_manager` manages).
create or replace function sync.manages(p_manager text, p_agent text) returns boolean language sql stable
security definer set search_path = pg_catalog, sync as $$
  select p_agent is not null and p_agent <> p_manager and exists (
    select 1 from sync.team_member g join sync.team_member m on m.team_id = g.team_id
     where g.agent_id = p_manager and g.role = 'manager' and m.agent_id = p_agent)
$$;

-- The agents the requesting agent manages (empty for an agent who manages no team), as text and
-- as uuids (the ids that are UUIDs), so a policy compares the bare owner column in its own type.
create or replace function sync.managed_agents() returns text[] language plpgsql stable security definer
set search_path = pg_catalog, sync as $$
declare me text := sync.agent_id();
begin
  return coalesce((select array_agg(distinct m.agent_id) from sync.team_member g
                     join sync.team_member m on m.team_id = g.team_id
                    where g.agent_id = me and g.role = 'manager' and m.agent_id <> me), '{}');
end $$;

create or replace function sync.managed_agent_uuids() returns uuid[] language plpgsql stable as $$
begin
  return coalesce((select array_agg(a::uuid) from unnest(sync.managed_agents()) a
                    where a ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'), '{}');
end $$;

-- `$TEAM(col)` of a policy: the managed agents in that column's type.
create or replace function sync.team_for(p_tbl name, p_col name) returns text language sql stable as $$
  select case when a.atttypid = 'uuid'::regtype then '(select sync.managed_agent_uuids())::uuid[]'
              else '(select sync.managed_agents())::text[]' end
    from pg_attribute a where a.attrelid = format('public.%I', p_tbl)::regclass and a.attname = p_col
$$;

-- Who the requesting agent is, whom they manage and their teams (the desktop's `whoami`).
create or replace function sync.whoami() returns jsonb language plpgsql stable security definer
set search_path = pg_catalog, sync as $$
declare me text := sync.agent_id();
begin
  if me is null then
    raise exception 'no agent identity: sign in (JWT sub) or connect as a mapped agent role' using errcode = 'RD003';
  end if;
  return jsonb_build_object(
    'agent', me,
    'manages', to_jsonb(sync.managed_agents()),
    'teams', coalesce((select jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name, 'role', m.role) order by t.name)
                         from sync.team_member m join sync.team t on t.id = m.team_id where m.agent_id = me), '[]'));
end $$;
create or replace function public.sync_whoami() returns jsonb language sql stable security invoker as $$
  select sync.whoami()
$$;

-- ---------------------------------------------------------------------------------------------
-- Policies: a read policy that adds the team, and write policies of the agent's own rows. The
-- `ringdesk_all` policies of migration 3 covered reads and writes at once; they go.
-- A policy expression with its placeholders filled for table `p_tbl`: `$ME(col)` and `$TEAM(col)`
-- (the agent, the managed agents, in the column's type), `$OWNCALL` (the row's call is the
-- agent's) and `$OWNDISPOSITION` (the row's wrap-up is of the agent's call).
create or replace function sync.policy_expr(p_tbl name, e text) returns text language plpgsql stable as $$
declare call_me text := sync.me_for('call_logs', 'user_id');
begin
  if e is null then
    return null;
  end if;
  e := replace(e, '$ME(user_id)', coalesce(sync.me_for(p_tbl, 'user_id'), ''));
  e := replace(e, '$ME(assigned_to)', coalesce(sync.me_for(p_tbl, 'assigned_to'), ''));
  e := replace(e, '$TEAM(user_id)', coalesce(sync.team_for(p_tbl, 'user_id'), ''));
  e := replace(e, '$TEAM(assigned_to)', coalesce(sync.team_for(p_tbl, 'assigned_to'), ''));
  e := replace(e, '$OWNCALL', format('exists (select 1 from call_logs c where c.id = call_log_id and c.user_id = %s)', call_me));
  e := replace(e, '$OWNDISPOSITION', format(
         'exists (select 1 from call_dispositions d join call_logs c on c.id = d.call_log_id where d.id = call_disposition_id and c.user_id = %s)',
         call_me));
  return e;
end $$;

do $$ declare p record; t text; begin
  for p in select * from (values
    ('crm_leads', 'ringdesk_read', 'select',
       'user_id = $ME(user_id) or assigned_to = $ME(assigned_to) or user_id = any($TEAM(user_id)) or assigned_to = any($TEAM(assigned_to))', null),
    ('crm_lead_lists', 'ringdesk_read', 'select',
       'user_id = $ME(user_id) or user_id = any($TEAM(user_id)) or exists (select 1 from crm_lead_list_members m join crm_leads l on l.id = m.lead_id where m.list_id = crm_lead_lists.id)', null),
    ('crm_lead_list_members', 'ringdesk_read', 'select', 'exists (select 1 from crm_leads l where l.id = lead_id)', null),
    ('crm_lead_list_members', 'ringdesk_insert', 'insert', null,
       'sync.lead_visible(lead_id) and exists (select 1 from crm_lead_lists l where l.id = list_id)'),
    ('crm_lead_list_members', 'ringdesk_update', 'update', 'sync.lead_visible(lead_id)', 'sync.lead_visible(lead_id)'),
    ('crm_lead_list_members', 'ringdesk_delete', 'delete', 'sync.lead_visible(lead_id)', null),
    ('call_logs', 'ringdesk_read', 'select', 'user_id = $ME(user_id) or user_id = any($TEAM(user_id))', null),
    ('call_logs', 'ringdesk_insert', 'insert', null, 'user_id = $ME(user_id)'),
    ('call_logs', 'ringdesk_update', 'update', 'user_id = $ME(user_id)', 'user_id = $ME(user_id)'),
    ('call_logs', 'ringdesk_delete', 'delete', 'user_id = $ME(user_id)', null),
    ('call_dispositions', 'ringdesk_read', 'select', 'exists (select 1 from call_logs c where c.id = call_log_id)', null),
    ('call_dispositions', 'ringdesk_insert', 'insert', null, '$OWNCALL'),
    ('call_dispositions', 'ringdesk_update', 'update', '$OWNCALL', '$OWNCALL'),
    ('call_dispositions', 'ringdesk_delete', 'delete', '$OWNCALL', null),
    ('follow_up_states', 'ringdesk_read', 'select', 'exists (select 1 from call_dispositions d where d.id = call_disposition_id)', null),
    ('follow_up_states', 'ringdesk_insert', 'insert', null, '$OWNDISPOSITION'),
    ('follow_up_states', 'ringdesk_update', 'update', '$OWNDISPOSITION', '$OWNDISPOSITION'),
    ('follow_up_states', 'ringdesk_delete', 'delete', '$OWNDISPOSITION', null),
    ('call_recordings', 'ringdesk_read', 'select', 'exists (select 1 from call_logs c where c.id = call_log_id)', null),
    ('call_recordings', 'ringdesk_insert', 'insert', null, '$OWNCALL'),
    ('call_recordings', 'ringdesk_update', 'update', '$OWNCALL', '$OWNCALL'),
    ('call_recordings', 'ringdesk_delete', 'delete', '$OWNCALL', null),
    -- An attempt is made only on a lead the agent owns or is assigned (a manager may see more).
    ('dialer_campaign_calls', 'ringdesk_insert', 'insert', null,
       'agent_id = (select sync.agent_id()) and exists (select 1 from dialer_campaigns c where c.id = campaign_id) and sync.lead_visible(lead_id)')
  ) as v(tbl, name, cmd, using_expr, check_expr) loop
    execute format('drop policy if exists %I on public.%I', p.name, p.tbl);
    execute format('create policy %I on public.%I for %s %s %s', p.name, p.tbl, p.cmd,
                   coalesce('using (' || sync.policy_expr(p.tbl, p.using_expr) || ')', ''),
                   coalesce('with check (' || sync.policy_expr(p.tbl, p.check_expr) || ')', ''));
  end loop;
  foreach t in array array['crm_lead_list_members', 'call_logs', 'call_dispositions', 'follow_up_states', 'call_recordings'] loop
    execute format('drop policy if exists ringdesk_all on public.%I', t);
  end loop;
end $$;

-- A delete the manager's desktop must hear of: the tombstone names the owners, and their managers
-- read it too.
drop policy if exists ringdesk_own on sync.tombstone;
create policy ringdesk_own on sync.tombstone for select using (
  visible_to is null or (select sync.agent_id()) = any(visible_to) or visible_to && (select sync.managed_agents()));

-- ---------------------------------------------------------------------------------------------
-- Membership changes.

-- Makes every row of `p_agent`'s (their leads, the lists and memberships of those leads, their
-- calls with wrap-ups, follow-ups and recordings, campaign attempts on their leads and campaigns
-- on their lists) travel in the next pull of whoever sees it: only the sync columns change.
-- The sync columns' trigger (migration 3's, unchanged but for this): an update made only so a row
-- travels again (`ringdesk.sync_only` on for the transaction's remaining statements) keeps the
-- row's updated_at, which the web app shows as its own.
create or replace function sync.touch() returns trigger language plpgsql as $$
begin
  new.row_xid := pg_current_xact_id();
  if tg_op = 'UPDATE' and current_setting('ringdesk.sync_only', true) = 'on' then
    new.updated_at := old.updated_at;
  else
    new.updated_at := now();
  end if;
  return new;
end $$;

create or replace function sync.touch_agent_rows(p_agent text) returns void language plpgsql security definer
set search_path = pg_catalog, public, sync as $$
declare
  v_leads uuid[] := array(select id from crm_leads where user_id::text = p_agent or assigned_to::text = p_agent);
  v_calls uuid[] := array(select id from call_logs where user_id::text = p_agent);
  v_lists uuid[];
begin
  perform set_config('ringdesk.sync_only', 'on', true);
  v_lists := array(select id from crm_lead_lists where user_id::text = p_agent
                   union select m.list_id from crm_lead_list_members m where m.lead_id = any(v_leads));
  update crm_leads set row_xid = row_xid where id = any(v_leads);
  update crm_lead_lists set row_xid = row_xid where id = any(v_lists);
  update crm_lead_list_members set row_xid = row_xid where lead_id = any(v_leads);
  update call_logs set row_xid = row_xid where id = any(v_calls);
  update call_dispositions set row_xid = row_xid where call_log_id = any(v_calls);
  update follow_up_states set row_xid = row_xid
   where call_disposition_id in (select d.id from call_dispositions d where d.call_log_id = any(v_calls));
  update call_recordings set row_xid = row_xid where call_log_id = any(v_calls);
  update dialer_campaigns set row_xid = row_xid where list_id = any(v_lists);
  update dialer_campaign_calls set row_xid = row_xid where lead_id = any(v_leads);
  perform set_config('ringdesk.sync_only', 'off', true);
end $$;

-- Whether `p_viewer` sees the rows `p_owner` owns or is assigned: their own, or a managed agent's.
create or replace function sync.sees(p_viewer text, p_owner text) returns boolean language sql stable
security definer set search_path = pg_catalog, sync as $$
  select p_owner is not null and (p_owner = p_viewer or sync.manages(p_viewer, p_owner))
$$;

-- `p_manager` no longer manages `p_agent`: the rows they saw only through that are revoked: the
-- agent's calls (with them go their wrap-ups, follow-ups and recordings on the desktop), the
-- agent's leads (and their list memberships and campaign attempts) and the lists and campaigns
-- seen through them, unless the manager still sees them otherwise (their own, assigned to them,
-- or another managed agent's).
create or replace function sync.revoke_agent_rows(p_manager text, p_agent text) returns void language plpgsql
security definer set search_path = pg_catalog, public, sync as $$
declare v_lists uuid[];
begin
  if sync.manages(p_manager, p_agent) then
    return;
  end if;
  insert into sync.revocation(agent_id, tbl, row_id)
  select p_manager, 'crm_leads', l.id from crm_leads l
   where (l.user_id::text = p_agent or l.assigned_to::text = p_agent)
     and not sync.sees(p_manager, l.user_id::text) and not sync.sees(p_manager, l.assigned_to::text);
  insert into sync.revocation(agent_id, tbl, row_id)
  select p_manager, 'call_logs', c.id from call_logs c where c.user_id::text = p_agent;
  v_lists := array(
    select x.id from crm_lead_lists x
     where (x.user_id::text = p_agent
            or exists (select 1 from crm_lead_list_members m join crm_leads l on l.id = m.lead_id
                        where m.list_id = x.id and (l.user_id::text = p_agent or l.assigned_to::text = p_agent)))
       and not sync.sees(p_manager, x.user_id::text)
       and not exists (select 1 from crm_lead_list_members m join crm_leads l on l.id = m.lead_id
                        where m.list_id = x.id
                          and (sync.sees(p_manager, l.user_id::text) or sync.sees(p_manager, l.assigned_to::text))));
  insert into sync.revocation(agent_id, tbl, row_id) select p_manager, 'crm_lead_lists', unnest(v_lists);
  insert into sync.revocation(agent_id, tbl, row_id)
  select p_manager, 'dialer_campaigns', c.id from dialer_campaigns c
   where c.list_id = any(v_lists) and c.user_id::text is distinct from p_manager;
end $$;

-- Members added, or made managers: what they now show travels in the next pull.
create or replace function sync.team_member_added() returns trigger language plpgsql security definer
set search_path = pg_catalog, public, sync as $$
declare o record;
begin
  if tg_op = 'UPDATE' and new.role is not distinct from old.role and new.team_id = old.team_id
     and new.agent_id = old.agent_id then
    return null;
  end if;
  if new.role = 'manager' then
    for o in select agent_id from sync.team_member where team_id = new.team_id and agent_id <> new.agent_id loop
      perform sync.touch_agent_rows(o.agent_id);
    end loop;
  elsif exists (select 1 from sync.team_member where team_id = new.team_id and role = 'manager' and agent_id <> new.agent_id) then
    perform sync.touch_agent_rows(new.agent_id);
  end if;
  return null;
end $$;

-- Members removed (one by one, or all at once when their team is deleted) or demoted: every
-- (manager, agent) pair one of them was part of is checked after the statement, when the
-- remaining memberships are known, and revoked where the manager no longer manages the agent.
create or replace function sync.team_members_gone() returns trigger language plpgsql security definer
set search_path = pg_catalog, public, sync as $$
declare p record;
begin
  for p in
    with was as (select team_id, agent_id, role from gone
                 union select m.team_id, m.agent_id, m.role from sync.team_member m
                        where m.team_id in (select team_id from gone))
    select distinct g.agent_id as manager, x.agent_id as agent
      from was g join was x on x.team_id = g.team_id and x.agent_id <> g.agent_id
     where g.role = 'manager'
       and exists (select 1 from gone o where o.team_id = g.team_id and o.agent_id in (g.agent_id, x.agent_id))
  loop
    perform sync.revoke_agent_rows(p.manager, p.agent);
  end loop;
  return null;
end $$;

drop trigger if exists ringdesk_team_member on sync.team_member;
drop function if exists sync.team_member_changed();
drop trigger if exists ringdesk_team_member_added on sync.team_member;
create trigger ringdesk_team_member_added after insert or update on sync.team_member
  for each row execute function sync.team_member_added();
drop trigger if exists ringdesk_team_member_deleted on sync.team_member;
create trigger ringdesk_team_member_deleted after delete on sync.team_member
  referencing old table as gone for each statement execute function sync.team_members_gone();
drop trigger if exists ringdesk_team_member_updated on sync.team_member;
create trigger ringdesk_team_member_updated after update on sync.team_member
  referencing old table as gone for each statement execute function sync.team_members_gone();

-- Teams are the owner's to write; agents read nothing of them directly (sync.whoami answers).
alter table sync.team enable row level security;
alter table sync.team_member enable row level security;
do $$ declare r text; begin
  foreach r in array array['authenticated', 'ringdesk_agent'] loop
    execute format('revoke all on sync.team, sync.team_member from %I', r);
    execute format('grant execute on function sync.managed_agents(), sync.managed_agent_uuids(),
                    sync.whoami(), public.sync_whoami() to %I', r);
  end loop;
end $$;
revoke execute on function sync.touch_agent_rows(text), sync.revoke_agent_rows(text, text), sync.sees(text, text),
  sync.manages(text, text) from public, authenticated, ringdesk_agent;

update sync.meta set schema_version = greatest(schema_version, 5);
