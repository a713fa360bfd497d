-- Ringdesk backend migration 4: the power dialer on the shared backend.
--
-- * sync.apply_dialer: the desktop's campaign and attempt mutations (sync.apply hands them over).
--   A campaign is written by its owner; an attempt (dialer_campaign_calls, one row per dial) by
--   the agent who dialed, its outcome and retry time added at the wrap-up.
-- * Leases: two agents working one campaign never dial the same lead at once. Before it dials a
--   lead, a desktop claims it (sync.claim_campaign_leads, FOR UPDATE SKIP LOCKED); a lease ends
--   when its attempt's outcome arrives through the outbox (so it is released only after the
--   backend knows the retry time), when the desktop gives it back, or when it expires (a desktop
--   that crashed or went offline loses its leads after the lease time).
-- Idempotent: every statement can run again on a database that already has it.

create table if not exists sync.campaign_lease (
  campaign_id  uuid not null,
  lead_id      uuid not null,
  agent_id     text not null,
  expires_at   timestamptz not null,
  primary key (campaign_id, lead_id)
);
-- Only the functions below (SECURITY DEFINER) touch leases.
alter table sync.campaign_lease enable row level security;

-- Ends this agent's leases on `p_leads` of `p_campaign`.
create or replace function sync.release_leases(p_campaign uuid, p_leads uuid[]) returns void
language sql volatile security definer set search_path = pg_catalog, public, sync as $$
  delete from sync.campaign_lease
   where campaign_id = p_campaign and agent_id = sync.agent_id() and lead_id = any(p_leads)
$$;

create or replace function sync.uuids(j jsonb) returns uuid[] language sql immutable as $$
  select coalesce(array_agg(e::uuid), '{}') from jsonb_array_elements_text(
    case when jsonb_typeof(j) = 'array' then j else '[]'::jsonb end) e
$$;

-- Applies one dialer mutation for sync.apply (same contract: raises to reject it). A replayed
-- mutation never reverts what the backend holds: campaign edits are skipped, an attempt's outcome
-- only fills what is missing.
create or replace function sync.apply_dialer(p_agent text, t text, op text, a jsonb, p_replay boolean) returns void
language plpgsql security invoker set search_path = pg_catalog, public, sync as $$
declare
  v_owner public.dialer_campaigns.user_id%type;
  s jsonb;
  k text;
  v_campaign uuid;
  v_lead uuid;
begin
  if t = 'dialer_campaigns' and op = 'insert' then
    v_owner := p_agent;
    insert into dialer_campaigns(id, user_id, name, list_id, status, dial_mode, from_number, max_attempts, timezone,
                                 window_start, window_end, excluded_days, lead_order, countdown_seconds,
                                 retry_rules, local_presence, created_at, started_at, completed_at)
    values ((a->>'id')::uuid, v_owner, a->>'name', (a->>'list_id')::uuid, coalesce(a->>'status', 'draft'),
            coalesce(a->>'dial_mode', 'preview'), a->>'from_number', coalesce((a->>'max_attempts')::int, 3),
            a->>'timezone', coalesce(a->>'window_start', '08:00'), coalesce(a->>'window_end', '21:00'),
            coalesce(a->>'excluded_days', ''), coalesce(a->>'lead_order', 'list'),
            coalesce((a->>'countdown_seconds')::int, 5), coalesce(a->'retry_rules', '{}'::jsonb),
            coalesce((a->>'local_presence')::boolean, false), coalesce(sync.ts(a->'created_at'), now()),
            sync.ts(a->'started_at'), sync.ts(a->'completed_at'))
    on conflict (id) do nothing;
  elsif t = 'dialer_campaigns' and op = 'update' then
    s := a -> 'set';
    for k in select jsonb_object_keys(s) loop
      if k not in ('name', 'status', 'dial_mode', 'from_number', 'max_attempts', 'timezone', 'window_start',
                   'window_end', 'excluded_days', 'lead_order', 'countdown_seconds', 'retry_rules',
                   'local_presence', 'started_at', 'completed_at', 'deleted_at') then
        raise exception 'a campaign has no field %', k using errcode = 'RD004';
      end if;
    end loop;
    if p_replay then
      return;
    end if;
    update dialer_campaigns set
      name = case when s ? 'name' then s->>'name' else name end,
      status = case when s ? 'status' then s->>'status' else status end,
      dial_mode = case when s ? 'dial_mode' then s->>'dial_mode' else dial_mode end,
      from_number = case when s ? 'from_number' then s->>'from_number' else from_number end,
      max_attempts = case when s ? 'max_attempts' then (s->>'max_attempts')::int else max_attempts end,
      timezone = case when s ? 'timezone' then s->>'timezone' else timezone end,
      window_start = case when s ? 'window_start' then s->>'window_start' else window_start end,
      window_end = case when s ? 'window_end' then s->>'window_end' else window_end end,
      excluded_days = case when s ? 'excluded_days' then s->>'excluded_days' else excluded_days end,
      lead_order = case when s ? 'lead_order' then s->>'lead_order' else lead_order end,
      countdown_seconds = case when s ? 'countdown_seconds' then (s->>'countdown_seconds')::int else countdown_seconds end,
      retry_rules = case when s ? 'retry_rules' then s->'retry_rules' else retry_rules end,
      local_presence = case when s ? 'local_presence' then (s->>'local_presence')::boolean else local_presence end,
      started_at = case when s ? 'started_at' then sync.ts(s->'started_at') else started_at end,
      completed_at = case when s ? 'completed_at' then sync.ts(s->'completed_at') else completed_at end,
      deleted_at = case when s ? 'deleted_at' then (case when s->>'deleted_at' is null then null else now() end)
                   else deleted_at end
    where id = (a->>'id')::uuid;
    if not found then
      raise exception 'campaign % does not exist or is not yours', a->>'id' using errcode = 'RD005';
    end if;
  elsif t = 'dialer_campaign_calls' and op = 'insert' then
    insert into dialer_campaign_calls(id, campaign_id, lead_id, call_log_id, attempt_number, status, next_retry_at,
                                      outcome, agent_id, from_number, created_at)
    values ((a->>'id')::uuid, (a->>'campaign_id')::uuid, (a->>'lead_id')::uuid,
            (select c.id from call_logs c where c.id = (a->>'call_log_id')::uuid),
            coalesce((a->>'attempt_number')::int, 1), coalesce(a->>'status', 'called'), sync.ts(a->'next_retry_at'),
            a->>'outcome', p_agent, a->>'from_number', coalesce(sync.ts(a->'created_at'), now()))
    on conflict (id) do nothing;
  elsif t = 'dialer_campaign_calls' and op = 'update' then
    s := a -> 'set';
    for k in select jsonb_object_keys(s) loop
      if k not in ('outcome', 'next_retry_at', 'status', 'call_log_id') then
        raise exception 'an attempt has no updatable field %', k using errcode = 'RD004';
      end if;
    end loop;
    update dialer_campaign_calls set
      outcome = case when s ? 'outcome' and (not p_replay or outcome is null) then s->>'outcome' else outcome end,
      next_retry_at = case when s ? 'next_retry_at' and (not p_replay or next_retry_at is null)
                      then sync.ts(s->'next_retry_at') else next_retry_at end,
      status = case when s ? 'status' and not p_replay then s->>'status' else status end,
      call_log_id = case when s ? 'call_log_id' and (not p_replay or call_log_id is null)
                    then (select c.id from call_logs c where c.id = (s->>'call_log_id')::uuid) else call_log_id end
    where id = (a->>'id')::uuid
    returning campaign_id, lead_id into v_campaign, v_lead;
    if not found then
      raise exception 'attempt % does not exist or is not yours', a->>'id' using errcode = 'RD005';
    end if;
    -- The outcome is known: the lead's lease ends, in the order the desktop wrote it.
    if s ? 'outcome' then
      perform sync.release_leases(v_campaign, array[v_lead]);
    end if;
  else
    raise exception 'unknown mutation % on %', op, t using errcode = 'RD004';
  end if;
end $$;

-- Leases the leads of `p_leads` (a JSON array of ids) this agent may dial now in `p_campaign`
-- for `p_seconds` (5 s to 1 day, default 10 min), after giving back `p_release`. A lead is
-- granted when the agent sees it, it is a live member of the campaign's list, its attempts are
-- below the campaign's maximum, its latest outcome (if any) allows a retry by now (a call without
-- an outcome holds it for two hours, as ringdesk-dialer's UNFINISHED_HOLD), and no other agent
-- holds an unexpired lease on it; a lease another claim is taking at this instant is
-- skipped, never waited for. Answers {"agent", "granted": [ids], "until"}.
create or replace function sync.claim_campaign_leads(p_campaign uuid, p_leads jsonb, p_seconds int, p_release jsonb)
returns jsonb language plpgsql volatile security definer set search_path = pg_catalog, public, sync as $$
declare
  me text := sync.agent_id();
  v_list uuid;
  v_max int;
  v_owner text;
  v_until timestamptz := now() + make_interval(secs => least(greatest(coalesce(p_seconds, 600), 5), 86400));
  v_granted uuid[];
begin
  if me is null then
    raise exception 'no agent identity: sign in (JWT sub) or connect as a mapped agent role' using errcode = 'RD003';
  end if;
  select c.list_id, coalesce(c.max_attempts, 3), c.user_id::text into v_list, v_max, v_owner
    from public.dialer_campaigns c where c.id = p_campaign and c.deleted_at is null;
  if v_list is null or (v_owner is distinct from me and not exists (
      select 1 from crm_lead_list_members m where m.list_id = v_list and m.deleted_at is null and sync.lead_visible(m.lead_id))) then
    raise exception 'campaign % does not exist or is not one you work', p_campaign using errcode = 'RD005';
  end if;
  perform sync.release_leases(p_campaign, sync.uuids(p_release));
  with wanted as (
    select distinct w.id from unnest(sync.uuids(p_leads)) as w(id)
     where sync.lead_visible(w.id)
       and exists (select 1 from crm_lead_list_members m
                    where m.list_id = v_list and m.lead_id = w.id and m.deleted_at is null)
       and (select count(*) from dialer_campaign_calls a
             where a.campaign_id = p_campaign and a.lead_id = w.id and a.status = 'called') < v_max
       -- Its latest attempt: a final outcome, a retry time not yet come, or a call without an
       -- outcome from the last two hours (its agent is in the call or wrapping it up) holds it.
       and not exists (select 1 from (select a.outcome, a.next_retry_at, a.created_at from dialer_campaign_calls a
                                        where a.campaign_id = p_campaign and a.lead_id = w.id
                                        order by a.created_at desc, a.id desc limit 1) z
                        where (z.outcome is not null and (z.next_retry_at is null or z.next_retry_at > now()))
                           or (z.outcome is null and z.created_at > now() - interval '2 hours'))
  ), taken as (
    select l.lead_id from sync.campaign_lease l
     where l.campaign_id = p_campaign and l.lead_id in (select id from wanted)
       and (l.agent_id = me or l.expires_at < now())
     for update skip locked
  ), renewed as (
    update sync.campaign_lease l set agent_id = me, expires_at = v_until
      from taken t where l.campaign_id = p_campaign and l.lead_id = t.lead_id
    returning l.lead_id
  ), fresh as (
    insert into sync.campaign_lease(campaign_id, lead_id, agent_id, expires_at)
    select p_campaign, w.id, me, v_until from wanted w
     where not exists (select 1 from sync.campaign_lease l where l.campaign_id = p_campaign and l.lead_id = w.id)
    on conflict do nothing
    returning lead_id
  )
  select coalesce(array_agg(x order by x), '{}') into v_granted
    from (select lead_id from renewed union select lead_id from fresh) s(x);
  return jsonb_build_object('agent', me, 'granted', to_jsonb(v_granted), 'until', v_until);
end $$;

-- PostgREST exposes functions of the public schema; its JSON keys are these argument names.
create or replace function public.claim_campaign_leads(campaign_id uuid, lead_ids jsonb, lease_seconds int default 600,
                                                       release_ids jsonb default '[]')
returns jsonb language sql volatile as $$
  select sync.claim_campaign_leads(campaign_id, lead_ids, lease_seconds, release_ids)
$$;

do $$ declare r text; begin
  foreach r in array array['authenticated', 'ringdesk_agent'] loop
    execute format('grant execute on function sync.apply_dialer(text, text, text, jsonb, boolean),
                    sync.claim_campaign_leads(uuid, jsonb, int, jsonb), sync.release_leases(uuid, uuid[]),
                    sync.uuids(jsonb), public.claim_campaign_leads(uuid, jsonb, int, jsonb) to %I', r);
  end loop;
end $$;
revoke all on sync.campaign_lease from public;
