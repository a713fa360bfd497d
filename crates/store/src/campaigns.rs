//! Power-dialer campaigns, their attempts (one row per dial) and this desktop's session state.
//!
//! A campaign and its attempts replicate through the outbox like every agent change; the session
//! (paused, skipped leads) stays on this desktop. The rules (who is eligible, when to retry) live
//! in `ringdesk-dialer`; this module only stores and reads.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use crate::connection::{Reads, Write};
use crate::{Result, StoreError, new_id, outbox};

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Campaign {
    pub id: String,
    pub user_id: Option<String>,
    pub name: String,
    pub list_id: String,
    /// The list's name (`None` when the list was deleted).
    pub list_name: Option<String>,
    pub status: String,
    pub dial_mode: String,
    pub from_number: Option<String>,
    pub max_attempts: i64,
    pub timezone: Option<String>,
    pub window_start: String,
    pub window_end: String,
    pub excluded_days: String,
    pub lead_order: String,
    pub countdown_seconds: i64,
    /// The outcomes whose retry differs from the defaults (a JSON object).
    pub retry_rules: String,
    pub local_presence: bool,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
}

/// A campaign's settings, as created or edited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    pub name: String,
    pub dial_mode: String,
    pub from_number: Option<String>,
    pub max_attempts: i64,
    pub timezone: Option<String>,
    pub window_start: String,
    pub window_end: String,
    pub excluded_days: String,
    pub lead_order: String,
    pub countdown_seconds: i64,
    /// A JSON object (outcome → minutes, "next_day" or "final").
    pub retry_rules: Json,
    pub local_presence: bool,
}

const SELECT: &str = "SELECT c.id, c.user_id, c.name, c.list_id, l.name, c.status, c.dial_mode, c.from_number,
        c.max_attempts, c.timezone, c.window_start, c.window_end, c.excluded_days, c.lead_order,
        c.countdown_seconds, c.retry_rules, c.local_presence, c.created_at, c.updated_at, c.started_at,
        c.completed_at
   FROM dialer_campaigns c LEFT JOIN lead_lists l ON l.id = c.list_id AND l.deleted_at IS NULL
  WHERE c.deleted_at IS NULL";

fn campaign(row: &rusqlite::Row<'_>) -> rusqlite::Result<Campaign> {
    Ok(Campaign {
        id: row.get(0)?,
        user_id: row.get(1)?,
        name: row.get(2)?,
        list_id: row.get(3)?,
        list_name: row.get(4)?,
        status: row.get(5)?,
        dial_mode: row.get(6)?,
        from_number: row.get(7)?,
        max_attempts: row.get(8)?,
        timezone: row.get(9)?,
        window_start: row.get(10)?,
        window_end: row.get(11)?,
        excluded_days: row.get(12)?,
        lead_order: row.get(13)?,
        countdown_seconds: row.get(14)?,
        retry_rules: row.get(15)?,
        local_presence: row.get(16)?,
        created_at: row.get(17)?,
        updated_at: row.get(18)?,
        started_at: row.get(19)?,
        completed_at: row.get(20)?,
    })
}

/// The live campaigns, newest first.
pub fn all(r: &impl Reads) -> Result<Vec<Campaign>> {
    let mut stmt = r.conn().prepare_cached(&format!("{SELECT} ORDER BY c.created_at DESC, c.id"))?;
    let rows = stmt.query_map([], campaign)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One live campaign.
pub fn get(r: &impl Reads, id: &str) -> Result<Campaign> {
    r.conn()
        .prepare_cached(&format!("{SELECT} AND c.id = ?1"))?
        .query_row([id], campaign)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "campaign", id: id.to_string() })
}

fn settings_json(s: &Settings) -> Map<String, Json> {
    match serde_json::to_value(s) {
        Ok(Json::Object(m)) => m,
        _ => Map::new(),
    }
}

/// Creates a draft campaign over `list_id`.
pub fn create(w: &mut Write<'_>, list_id: &str, s: &Settings) -> Result<String> {
    let id = new_id();
    let now = w.now_text();
    w.conn().execute(
        "INSERT INTO dialer_campaigns (id, name, list_id, status, dial_mode, from_number, max_attempts, timezone,
                                       window_start, window_end, excluded_days, lead_order, countdown_seconds,
                                       retry_rules, local_presence, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
        params![
            id,
            s.name,
            list_id,
            s.dial_mode,
            s.from_number,
            s.max_attempts,
            s.timezone,
            s.window_start,
            s.window_end,
            s.excluded_days,
            s.lead_order,
            s.countdown_seconds,
            s.retry_rules.to_string(),
            s.local_presence,
            now
        ],
    )?;
    let mut row = settings_json(s);
    row.insert("id".into(), json!(id));
    row.insert("list_id".into(), json!(list_id));
    row.insert("status".into(), json!("draft"));
    row.insert("created_at".into(), json!(now));
    outbox::enqueue(w, "insert", "dialer_campaigns", &id, &row)?;
    Ok(id)
}

fn push_update(w: &mut Write<'_>, id: &str, set: Map<String, Json>) -> Result<()> {
    outbox::enqueue(w, "update", "dialer_campaigns", id, &json!({"id": id, "set": set}))?;
    Ok(())
}

/// Replaces a campaign's settings.
pub fn edit(w: &mut Write<'_>, id: &str, s: &Settings) -> Result<()> {
    let now = w.now_text();
    let n = w.conn().execute(
        "UPDATE dialer_campaigns SET name = ?2, dial_mode = ?3, from_number = ?4, max_attempts = ?5, timezone = ?6,
                window_start = ?7, window_end = ?8, excluded_days = ?9, lead_order = ?10, countdown_seconds = ?11,
                retry_rules = ?12, local_presence = ?13, updated_at = ?14
          WHERE id = ?1 AND deleted_at IS NULL",
        params![
            id,
            s.name,
            s.dial_mode,
            s.from_number,
            s.max_attempts,
            s.timezone,
            s.window_start,
            s.window_end,
            s.excluded_days,
            s.lead_order,
            s.countdown_seconds,
            s.retry_rules.to_string(),
            s.local_presence,
            now
        ],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "campaign", id: id.to_string() });
    }
    push_update(w, id, settings_json(s))
}

/// Moves a campaign to `status`, stamping when it started (first time) or completed.
pub fn set_status(w: &mut Write<'_>, id: &str, status: &str) -> Result<()> {
    let now = w.now_text();
    let before = get(w, id)?;
    let started_at = before.started_at.clone().or_else(|| (status == "active").then(|| now.clone()));
    let completed_at = (status == "completed").then(|| now.clone());
    w.conn().execute(
        "UPDATE dialer_campaigns SET status = ?2, started_at = ?3, completed_at = ?4, updated_at = ?5 WHERE id = ?1",
        params![id, status, started_at, completed_at, now],
    )?;
    let mut set = Map::new();
    set.insert("status".into(), json!(status));
    set.insert("started_at".into(), json!(started_at));
    set.insert("completed_at".into(), json!(completed_at));
    push_update(w, id, set)
}

/// Deletes a campaign (a tombstone, replicated).
pub fn delete(w: &mut Write<'_>, id: &str) -> Result<()> {
    let now = w.now_text();
    w.conn().execute(
        "UPDATE dialer_campaigns SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        params![id, now],
    )?;
    let mut set = Map::new();
    set.insert("deleted_at".into(), json!(now));
    push_update(w, id, set)
}

/// A lead of a campaign's list with its progress in the campaign.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Member {
    pub lead_id: String,
    /// Its place in the list (the order members were added).
    pub position: u32,
    pub name: String,
    pub company: Option<String>,
    pub status: String,
    pub phone_e164: Option<String>,
    pub timezone: Option<String>,
    pub value: Option<f64>,
    pub last_contact: Option<String>,
    pub user_id: Option<String>,
    pub assigned_to: Option<String>,
    pub notes: Option<String>,
    /// Dials this campaign made to it.
    pub attempts: u32,
    pub last_outcome: Option<String>,
    pub next_retry_at: Option<String>,
    pub last_called_at: Option<String>,
    /// Its outbound calls since the `since` the members were read with (any campaign or by hand).
    pub recent_calls: Vec<String>,
}

/// The columns of a [`Member`], for [`members`] and [`member`] (`?1` the campaign). A manager's
/// desktop also holds their team's leads; those are their owners' to call, so only the agent's
/// own leads (`own::MY_LEAD`) are members; the callers add it to their conditions.
const MEMBER_SELECT: &str =
    "SELECT l.id, l.name, l.company, l.status, l.phone_e164, l.timezone, l.value, l.last_contact,
        l.user_id, l.assigned_to, l.notes,
        (SELECT count(*) FROM dialer_campaign_calls a
          WHERE a.campaign_id = ?1 AND a.lead_id = l.id AND a.status = 'called'),
        z.outcome, z.next_retry_at, z.created_at
   FROM lead_list_members m
   JOIN leads l ON l.id = m.lead_id AND l.deleted_at IS NULL
   LEFT JOIN dialer_campaign_calls z ON z.id = (
        SELECT a.id FROM dialer_campaign_calls a WHERE a.campaign_id = ?1 AND a.lead_id = l.id
         ORDER BY a.created_at DESC, a.id DESC LIMIT 1)";

fn member_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Member> {
    Ok(Member {
        lead_id: row.get(0)?,
        name: row.get(1)?,
        company: row.get(2)?,
        status: row.get(3)?,
        phone_e164: row.get(4)?,
        timezone: row.get(5)?,
        value: row.get(6)?,
        last_contact: row.get(7)?,
        user_id: row.get(8)?,
        assigned_to: row.get(9)?,
        notes: row.get(10)?,
        attempts: row.get(11)?,
        last_outcome: row.get(12)?,
        next_retry_at: row.get(13)?,
        last_called_at: row.get(14)?,
        ..Member::default()
    })
}

/// The live leads of the campaign's list, in list order, each with its progress and its calls
/// since `since`.
pub fn members(r: &impl Reads, campaign_id: &str, since: &str) -> Result<Vec<Member>> {
    let c = get(r, campaign_id)?;
    let mut stmt = r.conn().prepare_cached(&format!(
        "{MEMBER_SELECT} WHERE m.list_id = ?2 AND m.deleted_at IS NULL AND {MY_LEAD} ORDER BY m.added_at, m.lead_id",
        MY_LEAD = crate::own::MY_LEAD
    ))?;
    let mut out: Vec<Member> =
        stmt.query_map(params![campaign_id, c.list_id], member_row)?.collect::<rusqlite::Result<_>>()?;
    let mut recent: HashMap<String, Vec<String>> = HashMap::new();
    let mut calls = r.conn().prepare_cached(
        "SELECT c.lead_id, c.started_at FROM call_logs c
          WHERE c.started_at >= ?2 AND c.direction = 'outbound'
            AND c.lead_id IN (SELECT m.lead_id FROM lead_list_members m WHERE m.list_id = ?1 AND m.deleted_at IS NULL)",
    )?;
    for row in calls.query_map(params![c.list_id, since], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))? {
        let (lead, at) = row?;
        recent.entry(lead).or_default().push(at);
    }
    for (i, m) in out.iter_mut().enumerate() {
        m.position = i as u32;
        m.recent_calls = recent.remove(&m.lead_id).unwrap_or_default();
    }
    Ok(out)
}

/// One lead of the campaign's list as [`members`] reads it (its `position` left 0 for the caller
/// to keep); `None` when it is no longer a live member (deleted, or taken off the list).
pub fn member(r: &impl Reads, campaign_id: &str, lead_id: &str, since: &str) -> Result<Option<Member>> {
    let c = get(r, campaign_id)?;
    let mut stmt = r.conn().prepare_cached(&format!(
        "{MEMBER_SELECT} WHERE m.list_id = ?2 AND m.lead_id = ?3 AND m.deleted_at IS NULL AND {MY_LEAD}",
        MY_LEAD = crate::own::MY_LEAD
    ))?;
    let Some(mut m) = stmt.query_row(params![campaign_id, c.list_id, lead_id], member_row).optional()? else {
        return Ok(None);
    };
    let mut calls = r.conn().prepare_cached(
        "SELECT started_at FROM call_logs WHERE lead_id = ?1 AND started_at >= ?2 AND direction = 'outbound'",
    )?;
    m.recent_calls = calls.query_map(params![lead_id, since], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(Some(m))
}

/// A dial the campaign made.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewAttempt<'a> {
    pub campaign_id: &'a str,
    pub lead_id: &'a str,
    pub call_log_id: &'a str,
    pub agent_id: Option<&'a str>,
    pub from_number: Option<&'a str>,
}

/// Records a dial (attempt number = the lead's dials so far + 1).
pub fn insert_attempt(w: &mut Write<'_>, a: &NewAttempt<'_>) -> Result<String> {
    let id = new_id();
    let now = w.now_text();
    let n: i64 = w.conn().query_row(
        "SELECT count(*) FROM dialer_campaign_calls WHERE campaign_id = ?1 AND lead_id = ?2 AND status = 'called'",
        params![a.campaign_id, a.lead_id],
        |r| r.get(0),
    )?;
    w.conn().execute(
        "INSERT INTO dialer_campaign_calls (id, campaign_id, lead_id, call_log_id, attempt_number, status, agent_id,
                                            from_number, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'called', ?6, ?7, ?8, ?8)",
        params![id, a.campaign_id, a.lead_id, a.call_log_id, n + 1, a.agent_id, a.from_number, now],
    )?;
    let row = json!({
        "id": id, "campaign_id": a.campaign_id, "lead_id": a.lead_id, "call_log_id": a.call_log_id,
        "attempt_number": n + 1, "status": "called", "from_number": a.from_number, "created_at": now,
    });
    outbox::enqueue(w, "insert", "dialer_campaign_calls", &id, &row)?;
    Ok(id)
}

/// The attempt a call was, if it was a campaign's: `(attempt id, campaign id, lead id)`.
pub fn attempt_of_call(r: &impl Reads, call_log_id: &str) -> Result<Option<(String, String, String)>> {
    Ok(r.conn()
        .prepare_cached("SELECT id, campaign_id, lead_id FROM dialer_campaign_calls WHERE call_log_id = ?1")?
        .query_row([call_log_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?)
}

/// Records an attempt's outcome and when the lead may be tried again (`None`: never).
pub fn set_outcome(w: &mut Write<'_>, attempt_id: &str, outcome: &str, next_retry_at: Option<&str>) -> Result<()> {
    let now = w.now_text();
    w.conn().execute(
        "UPDATE dialer_campaign_calls SET outcome = ?2, next_retry_at = ?3, updated_at = ?4 WHERE id = ?1",
        params![attempt_id, outcome, next_retry_at, now],
    )?;
    outbox::enqueue(
        w,
        "update",
        "dialer_campaign_calls",
        attempt_id,
        &json!({"id": attempt_id, "set": {"outcome": outcome, "next_retry_at": next_retry_at}}),
    )?;
    Ok(())
}

/// This desktop's calls of a campaign that have no outcome yet (the desktop stopped during the
/// call or before its wrap-up): `(call log id, provider call sid)`, oldest first.
pub fn unfinished_calls(r: &impl Reads, campaign_id: &str) -> Result<Vec<(String, Option<String>)>> {
    let mut stmt = r.conn().prepare_cached(
        "SELECT c.id, c.provider_call_sid FROM dialer_campaign_calls a JOIN call_logs c ON c.id = a.call_log_id
          WHERE a.campaign_id = ?1 AND a.status = 'called' AND a.outcome IS NULL ORDER BY a.created_at",
    )?;
    let rows = stmt.query_map([campaign_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One attempt with its call, for the campaign's results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttemptRow {
    pub lead_id: String,
    pub created_at: String,
    pub outcome: Option<String>,
    pub next_retry_at: Option<String>,
    pub call_status: Option<String>,
    pub answered_at: Option<String>,
    pub ended_at: Option<String>,
    pub duration_seconds: Option<i64>,
    pub notes: Option<String>,
}

/// Every attempt of a campaign, oldest first.
pub fn attempts(r: &impl Reads, campaign_id: &str) -> Result<Vec<AttemptRow>> {
    let mut stmt = r.conn().prepare_cached(
        "SELECT a.lead_id, a.created_at, a.outcome, a.next_retry_at, c.status, c.answered_at, c.ended_at,
                c.duration_seconds,
                (SELECT d.notes FROM call_dispositions d WHERE d.call_log_id = a.call_log_id
                  ORDER BY d.created_at DESC LIMIT 1)
           FROM dialer_campaign_calls a LEFT JOIN call_logs c ON c.id = a.call_log_id
          WHERE a.campaign_id = ?1 AND a.status = 'called'
          ORDER BY a.created_at, a.id",
    )?;
    let rows = stmt.query_map([campaign_id], |row| {
        Ok(AttemptRow {
            lead_id: row.get(0)?,
            created_at: row.get(1)?,
            outcome: row.get(2)?,
            next_retry_at: row.get(3)?,
            call_status: row.get(4)?,
            answered_at: row.get(5)?,
            ended_at: row.get(6)?,
            duration_seconds: row.get(7)?,
            notes: row.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The live leads of a list that have a number to call.
pub fn dialable_members(r: &impl Reads, list_id: &str) -> Result<i64> {
    Ok(r.conn().query_row(
        "SELECT count(*) FROM lead_list_members m JOIN leads l ON l.id = m.lead_id
          WHERE m.list_id = ?1 AND m.deleted_at IS NULL AND l.deleted_at IS NULL AND l.phone_e164 IS NOT NULL",
        [list_id],
        |row| row.get(0),
    )?)
}

/// The note of the lead's latest wrap-up that has one (any call, in a campaign or not).
pub fn last_call_note(r: &impl Reads, lead_id: &str) -> Result<Option<String>> {
    Ok(r.conn()
        .prepare_cached(
            "SELECT d.notes FROM call_dispositions d JOIN call_logs c ON c.id = d.call_log_id
              WHERE c.lead_id = ?1 AND d.notes IS NOT NULL AND d.notes <> ''
              ORDER BY d.created_at DESC LIMIT 1",
        )?
        .query_row([lead_id], |row| row.get(0))
        .optional()?)
}

/// Whether an attempt's wrap-up was saved.
pub fn has_outcome(r: &impl Reads, attempt_id: &str) -> Result<bool> {
    Ok(r.conn()
        .prepare_cached("SELECT outcome IS NOT NULL FROM dialer_campaign_calls WHERE id = ?1")?
        .query_row([attempt_id], |row| row.get(0))
        .optional()?
        .unwrap_or(true))
}

/// Forgets this desktop's session on a campaign (ended).
pub fn forget_session(w: &mut Write<'_>, campaign_id: &str) -> Result<()> {
    w.conn().execute("DELETE FROM dialer_sessions WHERE campaign_id = ?1", [campaign_id])?;
    Ok(())
}

/// This desktop's session on a campaign: `(paused, skipped lead ids)`.
pub fn session(r: &impl Reads, campaign_id: &str) -> Result<(bool, Vec<String>)> {
    let row: Option<(bool, String)> = r
        .conn()
        .prepare_cached("SELECT paused, skipped FROM dialer_sessions WHERE campaign_id = ?1")?
        .query_row([campaign_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    Ok(match row {
        Some((paused, skipped)) => (paused, serde_json::from_str(&skipped).unwrap_or_default()),
        None => (false, Vec::new()),
    })
}

/// Saves this desktop's session on a campaign.
pub fn save_session(w: &mut Write<'_>, campaign_id: &str, paused: bool, skipped: &[String]) -> Result<()> {
    let now = w.now_text();
    w.conn()
        .prepare_cached(
            "INSERT INTO dialer_sessions (campaign_id, paused, skipped, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (campaign_id) DO UPDATE SET paused = excluded.paused, skipped = excluded.skipped,
                                                     updated_at = excluded.updated_at",
        )?
        .execute(params![campaign_id, paused, serde_json::to_string(skipped)?, now])?;
    Ok(())
}
