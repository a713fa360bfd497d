//! Call logs and dispositions: the rows behind the call history.
//!
//! The call workflow (creating a log when a call starts, updating it on every state change,
//! the disposition step) arrives with the calling features; this module already owns the
//! history query, because its speed at a million calls is a foundation requirement.

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params_from_iter};
use serde::Serialize;

use crate::connection::{Reads, Write};
use crate::{Result, new_id, outbox};

/// A call to log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewCall {
    pub lead_id: Option<String>,
    pub route: String,
    pub contact_number: String,
    pub from_number: Option<String>,
    /// SignalWire's call SID (bridge calls), for recordings and status.
    pub provider_call_sid: Option<String>,
    pub direction: String,
    pub status: Option<String>,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub duration_seconds: Option<i64>,
}

/// Logs a call; returns its id.
pub fn insert(w: &mut Write<'_>, call: &NewCall) -> Result<String> {
    let id = new_id();
    let now = w.now_text();
    w.conn()
        .prepare_cached(
            "INSERT INTO call_logs (id, lead_id, route, contact_number, from_number, direction, status,
                                    started_at, ended_at, duration_seconds, provider_call_sid, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        )?
        .execute(rusqlite::params![
            id,
            call.lead_id,
            call.route,
            call.contact_number,
            call.from_number,
            call.direction,
            call.status,
            call.started_at,
            call.ended_at,
            call.duration_seconds,
            call.provider_call_sid,
            now
        ])?;
    let mut row = serde_json::to_value(call)?;
    if let Some(obj) = row.as_object_mut() {
        obj.insert("id".into(), id.clone().into());
        obj.insert("created_at".into(), now.into());
    }
    outbox::enqueue(w, "insert", "call_logs", &id, &row)?;
    Ok(id)
}

/// The provider's SID of a logged call, if it has one.
pub fn provider_sid(r: &impl Reads, call_log_id: &str) -> Result<Option<String>> {
    r.conn()
        .prepare_cached("SELECT provider_call_sid FROM call_logs WHERE id = ?1")?
        .query_row([call_log_id], |row| row.get(0))
        .optional()?
        .ok_or_else(|| crate::StoreError::NotFound { what: "call", id: call_log_id.into() })
}

/// Records a disposition of a call (type and notes only); returns its id.
pub fn insert_disposition(
    w: &mut Write<'_>,
    call_log_id: &str,
    disposition: &str,
    notes: Option<&str>,
) -> Result<String> {
    dispose(w, &Disposition { call_log_id, disposition_type: disposition, notes, ..Disposition::default() })
}

/// What changed about a call since it was logged (only `Some` fields are written).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallChange {
    pub status: Option<String>,
    pub answered_at: Option<String>,
    pub ended_at: Option<String>,
    pub duration_seconds: Option<i64>,
    pub end_reason: Option<String>,
    pub provider_call_sid: Option<String>,
}

/// Updates a logged call on a state change (answered, ended, ...); the change syncs.
pub fn update(w: &mut Write<'_>, id: &str, change: &CallChange) -> Result<()> {
    let mut set = serde_json::Map::new();
    let mut cols = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let text = |v: &Option<String>| v.clone().map(Value::Text);
    for (col, v, j) in [
        ("status", text(&change.status), change.status.clone().map(serde_json::Value::from)),
        ("answered_at", text(&change.answered_at), change.answered_at.clone().map(serde_json::Value::from)),
        ("ended_at", text(&change.ended_at), change.ended_at.clone().map(serde_json::Value::from)),
        (
            "duration_seconds",
            change.duration_seconds.map(Value::Integer),
            change.duration_seconds.map(serde_json::Value::from),
        ),
        ("end_reason", text(&change.end_reason), change.end_reason.clone().map(serde_json::Value::from)),
        (
            "provider_call_sid",
            text(&change.provider_call_sid),
            change.provider_call_sid.clone().map(serde_json::Value::from),
        ),
    ] {
        if let (Some(v), Some(j)) = (v, j) {
            cols.push(format!("{col} = ?"));
            args.push(v);
            set.insert(col.to_string(), j);
        }
    }
    if cols.is_empty() {
        return Ok(());
    }
    cols.push("updated_at = ?".into());
    args.push(Value::Text(w.now_text()));
    args.push(Value::Text(id.to_string()));
    let n = w
        .conn()
        .execute(&format!("UPDATE call_logs SET {} WHERE id = ?", cols.join(", ")), params_from_iter(args.iter()))?;
    if n == 0 {
        return Err(crate::StoreError::NotFound { what: "call", id: id.into() });
    }
    outbox::enqueue(w, "update", "call_logs", id, &serde_json::json!({"id": id, "set": set}))?;
    Ok(())
}

/// The outcome of a call as the agent records it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Disposition<'a> {
    pub call_log_id: &'a str,
    pub disposition_type: &'a str,
    pub notes: Option<&'a str>,
    /// call_back, send_email, send_sms, schedule_meeting or mark_dead.
    pub next_action: Option<&'a str>,
    /// When the follow-up is due (stored timestamp text); opens a follow-up.
    pub follow_up_date: Option<&'a str>,
    pub created_by: Option<&'a str>,
    /// The status the call's lead takes (the disposition's mapping); `None` leaves it.
    pub lead_status: Option<&'a str>,
}

/// Records a disposition, in one transaction with what follows from it: the call's latest
/// disposition, a follow-up when a date is set, and the lead's new status. Returns its id.
pub fn dispose(w: &mut Write<'_>, d: &Disposition<'_>) -> Result<String> {
    let id = new_id();
    let now = w.now_text();
    let lead: Option<Option<String>> = w
        .conn()
        .prepare_cached("SELECT lead_id FROM call_logs WHERE id = ?1")?
        .query_row([d.call_log_id], |r| r.get(0))
        .optional()?;
    let Some(lead) = lead else {
        return Err(crate::StoreError::NotFound { what: "call", id: d.call_log_id.into() });
    };
    w.conn()
        .prepare_cached(
            "INSERT INTO call_dispositions (id, call_log_id, disposition_type, notes, next_action, follow_up_date,
                                            created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(rusqlite::params![
            id,
            d.call_log_id,
            d.disposition_type,
            d.notes,
            d.next_action,
            d.follow_up_date,
            now,
            d.created_by
        ])?;
    w.conn()
        .prepare_cached("UPDATE call_logs SET disposition = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(rusqlite::params![d.call_log_id, d.disposition_type, now])?;
    outbox::enqueue(
        w,
        "insert",
        "call_dispositions",
        &id,
        &serde_json::json!({"id": id, "call_log_id": d.call_log_id, "disposition_type": d.disposition_type,
                            "notes": d.notes, "next_action": d.next_action, "follow_up_date": d.follow_up_date,
                            "created_at": now, "created_by": d.created_by}),
    )?;
    if let Some(due) = d.follow_up_date {
        crate::followups::open(w, &id, due)?;
    }
    if let (Some(status), Some(lead)) = (d.lead_status, lead.as_deref()) {
        match crate::leads::update(w, lead, &[crate::leads::Change::Status(status.to_string())]) {
            Ok(_) | Err(crate::StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(id)
}

/// The call logged with this provider SID, if any.
pub fn by_provider_sid(r: &impl Reads, sid: &str) -> Result<Option<String>> {
    Ok(r.conn()
        .prepare_cached("SELECT id FROM call_logs WHERE provider_call_sid = ?1 ORDER BY started_at DESC LIMIT 1")?
        .query_row([sid], |row| row.get(0))
        .optional()?)
}

/// The lead a call is logged against.
pub fn lead_of(r: &impl Reads, id: &str) -> Result<Option<String>> {
    Ok(r.conn()
        .prepare_cached("SELECT lead_id FROM call_logs WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .flatten())
}

/// A call's status and end time as logged.
pub fn status_of(r: &impl Reads, id: &str) -> Result<Option<(Option<String>, Option<String>)>> {
    Ok(r.conn()
        .prepare_cached("SELECT status, ended_at FROM call_logs WHERE id = ?1")?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?)
}

/// Calls that ended without a disposition since `since`, newest first: the disposition step the
/// agent still owes (they survive a restart because they are just rows). Inbound calls nobody
/// answered are not among them: they are missed calls (`HistoryQuery::missed`).
pub fn awaiting_disposition(r: &impl Reads, since: &str, limit: u32) -> Result<Vec<HistoryRow>> {
    let mut stmt = r.conn().prepare_cached(
        "SELECT c.id, c.lead_id, l.name, l.company, c.contact_number, c.direction, c.route, c.started_at,
                c.duration_seconds, NULL, NULL, c.status, c.end_reason, 0, c.answered_at IS NOT NULL
         FROM call_logs c LEFT JOIN leads l ON l.id = c.lead_id
         WHERE c.started_at >= ?1 AND c.ended_at IS NOT NULL AND c.disposition IS NULL AND c.deleted_at IS NULL
           AND NOT (c.direction = 'inbound' AND c.answered_at IS NULL)
         ORDER BY c.started_at DESC, c.id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![since, limit], history_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn history_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<HistoryRow> {
    Ok(HistoryRow {
        id: row.get(0)?,
        lead_id: row.get(1)?,
        lead_name: row.get(2)?,
        lead_company: row.get(3)?,
        contact_number: row.get(4)?,
        direction: row.get(5)?,
        route: row.get(6)?,
        started_at: row.get(7)?,
        duration_seconds: row.get(8)?,
        disposition: row.get(9)?,
        notes: row.get(10)?,
        status: row.get(11)?,
        end_reason: row.get(12)?,
        has_recording: row.get(13)?,
        answered: row.get(14)?,
    })
}

/// Filters of the history page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryQuery<'a> {
    /// Inclusive lower bound on `started_at` (stored timestamp text).
    pub from: Option<&'a str>,
    /// Exclusive upper bound on `started_at`.
    pub to: Option<&'a str>,
    pub disposition: Option<&'a str>,
    pub lead_id: Option<&'a str>,
    /// Only this call.
    pub call_id: Option<&'a str>,
    /// The lead's current status.
    pub lead_status: Option<&'a str>,
    /// `inbound` or `outbound`.
    pub direction: Option<&'a str>,
    /// `softphone` or `bridge`.
    pub route: Option<&'a str>,
    /// Only inbound calls nobody answered.
    pub missed: bool,
    /// Free text: words of the lead's name, company or email, of the disposition notes, or the
    /// digits of the number (see [`text_filter`]).
    pub text: Option<&'a str>,
    pub limit: u32,
    /// Keyset paging: the `(started_at, id)` of the last row of the previous page.
    pub before: Option<(&'a str, &'a str)>,
}

/// One row of the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    pub id: String,
    pub lead_id: Option<String>,
    pub lead_name: Option<String>,
    pub lead_company: Option<String>,
    pub contact_number: String,
    pub direction: String,
    pub route: String,
    pub started_at: String,
    pub duration_seconds: Option<i64>,
    pub disposition: Option<String>,
    pub notes: Option<String>,
    pub status: Option<String>,
    pub end_reason: Option<String>,
    /// A recording exists for the call.
    pub has_recording: bool,
    /// Someone answered it.
    pub answered: bool,
}

/// What free text in the history matches, as SQL over `call_logs c` plus its arguments: the
/// lead's words through `leads_fts`, the disposition notes through `call_notes_fts`, and, for
/// digits, numbers starting with them (`+` and the digits, so type from the country code). Each
/// arm is an index lookup, so the filter costs the same at any history size. `None` when the
/// text has nothing searchable.
pub fn text_filter(text: &str) -> Option<(String, Vec<Value>)> {
    let lead_match = crate::leads::fts_query(text)?;
    let mut sql = String::from(
        "(c.lead_id IN (SELECT l2.id FROM leads_fts f2 CROSS JOIN leads l2 ON l2.rowid = f2.rowid WHERE leads_fts MATCH ?)",
    );
    let mut args = vec![Value::Text(lead_match)];
    let words: Vec<String> = text
        .split_whitespace()
        .filter_map(|w| {
            let cleaned: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
            (!cleaned.is_empty()).then(|| format!("\"{cleaned}\"*"))
        })
        .collect();
    if !words.is_empty() {
        sql.push_str(
            " OR c.id IN (SELECT d2.call_log_id FROM call_notes_fts n2 CROSS JOIN call_dispositions d2 ON d2.rowid = n2.rowid WHERE call_notes_fts MATCH ?)",
        );
        args.push(Value::Text(words.join(" ")));
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let phone_like = text.trim().chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
    if phone_like && digits.len() >= 3 {
        sql.push_str(" OR (c.contact_number >= ? AND c.contact_number < ?)");
        args.push(Value::Text(format!("+{digits}")));
        args.push(Value::Text(format!("+{digits}~")));
    }
    sql.push(')');
    Some((sql, args))
}

/// Newest calls first, filtered; keyset-paged so every page costs the same.
pub fn history(r: &impl Reads, q: &HistoryQuery<'_>) -> Result<Vec<HistoryRow>> {
    let mut filter = String::from("c.deleted_at IS NULL");
    let mut args: Vec<Value> = Vec::new();
    if let Some(from) = q.from {
        filter.push_str(" AND c.started_at >= ?");
        args.push(Value::Text(from.into()));
    }
    if let Some(to) = q.to {
        filter.push_str(" AND c.started_at < ?");
        args.push(Value::Text(to.into()));
    }
    if let Some((at, id)) = q.before {
        filter.push_str(" AND (c.started_at, c.id) < (?, ?)");
        args.push(Value::Text(at.into()));
        args.push(Value::Text(id.into()));
    }
    if let Some(lead) = q.lead_id {
        filter.push_str(" AND c.lead_id = ?");
        args.push(Value::Text(lead.into()));
    }
    if let Some(id) = q.call_id {
        filter.push_str(" AND c.id = ?");
        args.push(Value::Text(id.into()));
    }
    if let Some(d) = q.disposition {
        filter.push_str(" AND c.disposition = ?");
        args.push(Value::Text(d.into()));
    }
    for (col, v) in [("l.status", q.lead_status), ("c.direction", q.direction), ("c.route", q.route)] {
        if let Some(v) = v {
            filter.push_str(&format!(" AND {col} = ?"));
            args.push(Value::Text(v.into()));
        }
    }
    if q.missed {
        filter.push_str(" AND c.direction = 'inbound' AND c.answered_at IS NULL");
    }
    if let Some(text) = q.text.filter(|t| !t.trim().is_empty()) {
        match text_filter(text) {
            Some((sql, a)) => {
                filter.push_str(" AND ");
                filter.push_str(&sql);
                args.extend(a);
            }
            None => return Ok(Vec::new()),
        }
    }
    args.push(Value::Integer(i64::from(q.limit)));
    let sql = format!(
        "SELECT c.id, c.lead_id, l.name, l.company, c.contact_number, c.direction, c.route, c.started_at,
                c.duration_seconds, d.disposition_type, d.notes, c.status, c.end_reason,
                c.recording_url IS NOT NULL OR EXISTS (SELECT 1 FROM call_recordings r WHERE r.call_log_id = c.id),
                c.answered_at IS NOT NULL
         FROM call_logs c
         LEFT JOIN call_dispositions d ON d.id = (SELECT id FROM call_dispositions WHERE call_log_id = c.id ORDER BY id DESC LIMIT 1)
         LEFT JOIN leads l ON l.id = c.lead_id
         WHERE {filter}
         ORDER BY c.started_at DESC, c.id DESC
         LIMIT ?"
    );
    let mut stmt = r.conn().prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter()), history_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
