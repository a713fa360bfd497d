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

/// A call to log. (Deserialize: `ringdesk-cli serve` seeds calls for the UI tests.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
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
/// Refused (`NotYours`) for a teammate's call (`own::MINE`).
pub fn dispose(w: &mut Write<'_>, d: &Disposition<'_>) -> Result<String> {
    let id = new_id();
    let now = w.now_text();
    let call: Option<(Option<String>, bool, Option<String>)> = w
        .conn()
        .prepare_cached(&format!(
            "SELECT c.lead_id, {MINE}, c.user_id FROM call_logs c WHERE c.id = ?1",
            MINE = crate::own::MINE
        ))?
        .query_row([d.call_log_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((lead, mine, owner)) = call else {
        return Err(crate::StoreError::NotFound { what: "call", id: d.call_log_id.into() });
    };
    if !mine {
        // A teammate's call on a manager's desktop: its wrap-up is its agent's.
        return Err(crate::StoreError::NotYours {
            what: "call",
            id: d.call_log_id.into(),
            owner: owner.unwrap_or_default(),
        });
    }
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
            // A lead deleted meanwhile, or a teammate's (a manager called it): the call is logged,
            // the lead's status stays its owner's.
            Ok(_) | Err(crate::StoreError::NotFound { .. } | crate::StoreError::NotYours { .. }) => {}
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
/// The route a call went over (`softphone` or `bridge`).
pub fn route_of(r: &impl Reads, id: &str) -> Result<String> {
    r.conn()
        .prepare_cached("SELECT route FROM call_logs WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .ok_or_else(|| crate::StoreError::NotFound { what: "call", id: id.into() })
}

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
/// answered are not among them: they are missed calls (`HistoryQuery::missed`); nor are a
/// manager's team's calls (`own::MINE`).
pub fn awaiting_disposition(r: &impl Reads, since: &str, limit: u32) -> Result<Vec<HistoryRow>> {
    let mut stmt = r.conn().prepare_cached(&format!(
        "SELECT c.id, c.lead_id, l.name, l.company, c.contact_number, c.direction, c.route, c.started_at,
                c.duration_seconds, NULL, NULL, c.status, c.end_reason, 0, c.answered_at IS NOT NULL
         FROM call_logs c LEFT JOIN leads l ON l.id = c.lead_id
         WHERE c.started_at >= ?1 AND c.ended_at IS NOT NULL AND c.disposition IS NULL AND c.deleted_at IS NULL
           AND NOT (c.direction = 'inbound' AND c.answered_at IS NULL) AND {MINE}
         ORDER BY c.started_at DESC, c.id DESC LIMIT ?2",
        MINE = crate::own::MINE
    ))?;
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
    /// digits of the number (see [`TextFilter`]).
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

/// Free text in the history: the lead's words through `leads_fts`, the disposition notes
/// through `call_notes_fts`, and, for digits, numbers starting with them (`+` and the digits, so
/// type from the country code).
#[derive(Debug, Clone)]
pub struct TextFilter {
    lead_match: String,
    notes_match: Option<String>,
    /// The words of the notes query (letters and digits only), for the per-row check.
    words: Vec<String>,
    number_range: Option<(String, String)>,
}

/// Free text is dense when more leads or notes than these match: a newest-first walk fills a
/// page within a few thousand calls, so membership is checked per call against the index's
/// rowids. Below, the matches are few, so the page starts from them and sorts them.
const DENSE_LEADS: i64 = 300;
const DENSE_NOTES: i64 = 3000;

impl TextFilter {
    /// `None` when the text has nothing searchable.
    pub fn parse(text: &str) -> Option<TextFilter> {
        let lead_match = crate::leads::fts_query(text)?;
        let words: Vec<String> = text
            .split_whitespace()
            .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
            .filter(|w| !w.is_empty())
            .collect();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let phone_like = text.trim().chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
        Some(TextFilter {
            lead_match,
            notes_match: (!words.is_empty())
                .then(|| words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ")),
            words,
            number_range: (phone_like && digits.len() >= 3).then(|| (format!("+{digits}"), format!("+{digits}~"))),
        })
    }

    /// The membership test over `call_logs c` (starting from the matches: each arm is an index
    /// lookup that yields calls), and its arguments.
    pub fn sql(&self) -> (String, Vec<Value>) {
        self.build(
            "c.lead_id IN (SELECT l2.id FROM leads_fts f2 CROSS JOIN leads l2 ON l2.rowid = f2.rowid WHERE leads_fts MATCH ?)",
            "c.id IN (SELECT d2.call_log_id FROM call_notes_fts n2 CROSS JOIN call_dispositions d2 ON d2.rowid = n2.rowid WHERE call_notes_fts MATCH ?)",
        )
    }

    /// The same test for a newest-first walk over `call_logs c` joined to its lead `l`, checked
    /// row by row: the lead's rowid among the index's matches (a set of integers, no join per
    /// match), and each word starting a word of the call's latest notes (measured: building the
    /// set of many matching notes costs more than reading the notes of the few thousand calls a
    /// page walks; ASCII letters compare case-insensitively, and words are split at spaces, where
    /// the index also splits at punctuation).
    fn sql_per_row(&self) -> (String, Vec<Value>) {
        let mut sql = String::from("(l.rowid IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)");
        let mut args = vec![Value::Text(self.lead_match.clone())];
        if !self.words.is_empty() {
            let checks: Vec<&str> = self.words.iter().map(|_| "(' ' || c.latest_notes) LIKE ?").collect();
            sql.push_str(&format!(" OR ({})", checks.join(" AND ")));
            args.extend(self.words.iter().map(|w| Value::Text(format!("% {w}%"))));
        }
        self.finish(sql, args)
    }

    fn build(&self, lead_arm: &str, notes_arm: &str) -> (String, Vec<Value>) {
        let mut sql = format!("({lead_arm}");
        let mut args = vec![Value::Text(self.lead_match.clone())];
        if let Some(notes) = &self.notes_match {
            sql.push_str(" OR ");
            sql.push_str(notes_arm);
            args.push(Value::Text(notes.clone()));
        }
        self.finish(sql, args)
    }

    fn finish(&self, mut sql: String, mut args: Vec<Value>) -> (String, Vec<Value>) {
        if let Some((lo, hi)) = &self.number_range {
            sql.push_str(" OR (c.contact_number >= ? AND c.contact_number < ?)");
            args.push(Value::Text(lo.clone()));
            args.push(Value::Text(hi.clone()));
        }
        sql.push(')');
        (sql, args)
    }

    /// Whether many leads, notes or numbers match (each counted in its index, only up to its
    /// threshold, so this costs little at any size).
    fn dense(&self, r: &impl Reads) -> Result<bool> {
        let conn = r.conn();
        let count = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<i64> {
            Ok(conn.prepare_cached(sql)?.query_row(args, |row| row.get(0))?)
        };
        let cap = DENSE_LEADS + 1;
        if count(
            "SELECT count(*) FROM (SELECT 1 FROM leads_fts WHERE leads_fts MATCH ?1 LIMIT ?2)",
            &[&self.lead_match, &cap],
        )? > DENSE_LEADS
        {
            return Ok(true);
        }
        let cap = DENSE_NOTES + 1;
        if let Some(notes) = &self.notes_match
            && count(
                "SELECT count(*) FROM (SELECT 1 FROM call_notes_fts WHERE call_notes_fts MATCH ?1 LIMIT ?2)",
                &[notes, &cap],
            )? > DENSE_NOTES
        {
            return Ok(true);
        }
        if let Some((lo, hi)) = &self.number_range
            && count(
                "SELECT count(*) FROM (SELECT 1 FROM call_logs WHERE contact_number >= ?1 AND contact_number < ?2 LIMIT ?3)",
                &[lo, hi, &cap],
            )? > DENSE_NOTES
        {
            return Ok(true);
        }
        Ok(false)
    }
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
    // How to find the page, chosen here rather than left to the planner (without statistics it
    // sorts the whole table for a filter it cannot index): walk an index that is already in
    // newest-first order and keep the rows that match, stopping after a page; for sparse free
    // text, start from the matches and sort them instead.
    let mut order = "c.started_at DESC, c.id DESC";
    let mut access = if q.lead_id.is_some() {
        "INDEXED BY call_logs_lead"
    } else if q.call_id.is_some() {
        ""
    } else if q.missed {
        "INDEXED BY call_logs_missed"
    } else if q.disposition.is_some() {
        "INDEXED BY call_logs_disposition"
    } else {
        "INDEXED BY call_logs_started"
    };
    if let Some(text) = q.text.filter(|t| !t.trim().is_empty()) {
        let Some(tf) = TextFilter::parse(text) else { return Ok(Vec::new()) };
        let walk = q.lead_id.is_some() || q.call_id.is_some() || tf.dense(r)?;
        let (sql, a) = if walk { tf.sql_per_row() } else { tf.sql() };
        filter.push_str(" AND ");
        filter.push_str(&sql);
        args.extend(a);
        if !walk {
            order = "+c.started_at DESC, c.id DESC";
            access = "";
        }
    }
    args.push(Value::Integer(i64::from(q.limit)));
    let sql = format!(
        "SELECT c.id, c.lead_id, l.name, l.company, c.contact_number, c.direction, c.route, c.started_at,
                c.duration_seconds, c.latest_disposition, c.latest_notes, c.status, c.end_reason,
                c.recording_url IS NOT NULL OR EXISTS (SELECT 1 FROM call_recordings r WHERE r.call_log_id = c.id),
                c.answered_at IS NOT NULL
         FROM call_logs c {access}
         LEFT JOIN leads l ON l.id = c.lead_id
         WHERE {filter}
         ORDER BY {order}
         LIMIT ?"
    );
    let mut stmt = r.conn().prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter()), history_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
