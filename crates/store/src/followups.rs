//! Follow-ups: what a disposition asked for next (call back, send an email, ...) and when.
//!
//! Dispositions are insert-once, so what happens to a follow-up afterwards (done, snoozed,
//! rescheduled, cancelled) lives in `follow_up_states`, one row per disposition that set a date.
//! Every change queues the whole row, which the backend upserts.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::connection::{Reads, Write};
use crate::{Result, StoreError, outbox};

/// A follow-up as the Follow-ups page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    /// The disposition that set it (the follow-up's id).
    pub id: String,
    pub call_log_id: String,
    pub lead_id: Option<String>,
    pub lead_name: Option<String>,
    pub lead_company: Option<String>,
    pub contact_number: String,
    pub disposition_type: String,
    pub next_action: Option<String>,
    pub notes: Option<String>,
    pub status: String,
    pub due_at: String,
    pub snoozed_until: Option<String>,
    /// When it is next due: the snooze's end, else the due date.
    pub effective_due: String,
}

#[derive(Serialize)]
struct StateRow {
    call_disposition_id: String,
    status: String,
    due_at: String,
    snoozed_until: Option<String>,
    completed_at: Option<String>,
}

fn queue(w: &mut Write<'_>, id: &str, op: &str) -> Result<()> {
    let row: StateRow = w
        .conn()
        .prepare_cached(
            "SELECT call_disposition_id, status, due_at, snoozed_until, completed_at FROM follow_up_states
             WHERE call_disposition_id = ?1",
        )?
        .query_row([id], |r| {
            Ok(StateRow {
                call_disposition_id: r.get(0)?,
                status: r.get(1)?,
                due_at: r.get(2)?,
                snoozed_until: r.get(3)?,
                completed_at: r.get(4)?,
            })
        })?;
    outbox::enqueue(w, op, "follow_up_states", id, &row)?;
    Ok(())
}

/// Opens the follow-up of a disposition, due at `due_at`.
pub(crate) fn open(w: &mut Write<'_>, disposition_id: &str, due_at: &str) -> Result<()> {
    let now = w.now_text();
    w.conn()
        .prepare_cached(
            "INSERT INTO follow_up_states (call_disposition_id, status, due_at, updated_at) VALUES (?1, 'open', ?2, ?3)",
        )?
        .execute(params![disposition_id, due_at, now])?;
    queue(w, disposition_id, "insert")
}

/// Runs `sql` with `?1` = the follow-up, `?2` = now and `?3` = `value` when given.
fn change(w: &mut Write<'_>, id: &str, sql: &str, value: Option<&str>) -> Result<FollowUp> {
    let now = w.now_text();
    let mut stmt = w.conn().prepare_cached(sql)?;
    let n = match value {
        Some(v) => stmt.execute(params![id, now, v])?,
        None => stmt.execute(params![id, now])?,
    };
    drop(stmt);
    if n == 0 {
        return Err(StoreError::NotFound { what: "open follow-up", id: id.into() });
    }
    queue(w, id, "update")?;
    get(w, id)
}

/// Marks a follow-up done.
pub fn complete(w: &mut Write<'_>, id: &str) -> Result<FollowUp> {
    change(
        w,
        id,
        "UPDATE follow_up_states SET status = 'done', completed_at = ?2, updated_at = ?2
         WHERE call_disposition_id = ?1 AND status IN ('open', 'snoozed')",
        None,
    )
}

/// Hides a follow-up until `until`.
pub fn snooze(w: &mut Write<'_>, id: &str, until: &str) -> Result<FollowUp> {
    change(
        w,
        id,
        "UPDATE follow_up_states SET status = 'snoozed', snoozed_until = ?3, updated_at = ?2
         WHERE call_disposition_id = ?1 AND status IN ('open', 'snoozed')",
        Some(until),
    )
}

/// Moves a follow-up to a new due date (and clears a snooze).
pub fn reschedule(w: &mut Write<'_>, id: &str, due_at: &str) -> Result<FollowUp> {
    change(
        w,
        id,
        "UPDATE follow_up_states SET status = 'open', due_at = ?3, snoozed_until = NULL, updated_at = ?2
         WHERE call_disposition_id = ?1 AND status IN ('open', 'snoozed')",
        Some(due_at),
    )
}

/// Drops a follow-up without doing it.
pub fn cancel(w: &mut Write<'_>, id: &str) -> Result<FollowUp> {
    change(
        w,
        id,
        "UPDATE follow_up_states SET status = 'cancelled', updated_at = ?2
         WHERE call_disposition_id = ?1 AND status IN ('open', 'snoozed')",
        None,
    )
}

const SELECT: &str = "SELECT f.call_disposition_id, d.call_log_id, c.lead_id, l.name, l.company, c.contact_number,
        d.disposition_type, d.next_action, d.notes, f.status, f.due_at, f.snoozed_until,
        coalesce(f.snoozed_until, f.due_at)
     FROM follow_up_states f
     JOIN call_dispositions d ON d.id = f.call_disposition_id
     JOIN call_logs c ON c.id = d.call_log_id
     LEFT JOIN leads l ON l.id = c.lead_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        id: r.get(0)?,
        call_log_id: r.get(1)?,
        lead_id: r.get(2)?,
        lead_name: r.get(3)?,
        lead_company: r.get(4)?,
        contact_number: r.get(5)?,
        disposition_type: r.get(6)?,
        next_action: r.get(7)?,
        notes: r.get(8)?,
        status: r.get(9)?,
        due_at: r.get(10)?,
        snoozed_until: r.get(11)?,
        effective_due: r.get(12)?,
    })
}

pub fn get(r: &impl Reads, id: &str) -> Result<FollowUp> {
    r.conn()
        .prepare_cached(&format!("{SELECT} WHERE f.call_disposition_id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "follow-up", id: id.into() })
}

/// Open and snoozed follow-ups of the agent's own calls (`own::MINE`) due before `until`,
/// soonest first.
pub fn pending(r: &impl Reads, until: &str, limit: u32) -> Result<Vec<FollowUp>> {
    let mut stmt = r.conn().prepare_cached(&format!(
        "{SELECT} WHERE f.status IN ('open', 'snoozed') AND coalesce(f.snoozed_until, f.due_at) < ?1 AND {MINE}
         ORDER BY coalesce(f.snoozed_until, f.due_at), f.call_disposition_id LIMIT ?2",
        MINE = crate::own::MINE
    ))?;
    Ok(stmt.query_map(params![until, limit], row)?.collect::<rusqlite::Result<_>>()?)
}

/// How many of the agent's own follow-ups are due before `now` (the overdue badge).
pub fn overdue_count(r: &impl Reads, now: &str) -> Result<i64> {
    Ok(r.conn()
        .prepare_cached(&format!(
            "SELECT count(*) FROM follow_up_states f
           JOIN call_dispositions d ON d.id = f.call_disposition_id JOIN call_logs c ON c.id = d.call_log_id
          WHERE f.status IN ('open', 'snoozed') AND coalesce(f.snoozed_until, f.due_at) < ?1 AND {MINE}",
            MINE = crate::own::MINE
        ))?
        .query_row([now], |r| r.get(0))?)
}
