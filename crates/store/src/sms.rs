//! Text messages: conversations threaded by the other party's number.
//!
//! An outbound message is written *before* it is sent (status `sending`, no provider SID): the
//! intent survives a crash, and the sender reconciles it with SignalWire before any resend.
//! Inbound messages are keyed by the provider's SID, so the same message seen twice (over
//! RELAY and again by the REST catch-up) is stored once.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::connection::{Reads, Write};
use crate::{Result, StoreError, new_id, outbox};

/// Status of an outbound message that has not been confirmed by the provider yet.
pub const SENDING: &str = "sending";

/// One message as the thread shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub id: String,
    pub lead_id: Option<String>,
    pub contact_number: String,
    pub from_number: String,
    pub our_number: Option<String>,
    pub direction: String,
    pub body: String,
    pub provider_message_sid: Option<String>,
    pub status: Option<String>,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub sent_at: Option<String>,
    pub read_at: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str = "id, lead_id, contact_number, from_number, our_number, direction, message_body,
    provider_message_sid, status, error_code, error_message, sent_at, read_at, created_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        id: r.get(0)?,
        lead_id: r.get(1)?,
        contact_number: r.get(2)?,
        from_number: r.get(3)?,
        our_number: r.get(4)?,
        direction: r.get(5)?,
        body: r.get(6)?,
        provider_message_sid: r.get(7)?,
        status: r.get(8)?,
        error_code: r.get(9)?,
        error_message: r.get(10)?,
        sent_at: r.get(11)?,
        read_at: r.get(12)?,
        created_at: r.get(13)?,
    })
}

/// The lead a number belongs to (the oldest live one with it).
fn lead_for_number(r: &impl Reads, e164: &str) -> Result<Option<String>> {
    Ok(crate::leads::find_by_phone(r, e164)?.map(|l| l.id))
}

fn get(r: &impl Reads, id: &str) -> Result<Message> {
    r.conn()
        .prepare_cached(&format!("SELECT {COLUMNS} FROM sms_messages WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "message", id: id.into() })
}

fn enqueue(w: &mut Write<'_>, op: &str, id: &str) -> Result<()> {
    let m = get(w, id)?;
    outbox::enqueue(w, op, "sms_messages", id, &m)?;
    Ok(())
}

/// Records the intent to send `body` from `our_number` to `contact` (E.164); returns the row.
pub fn insert_outbound(w: &mut Write<'_>, our_number: &str, contact: &str, body: &str) -> Result<Message> {
    let id = new_id();
    let now = w.now_text();
    let lead = lead_for_number(w, contact)?;
    w.conn()
        .prepare_cached(
            "INSERT INTO sms_messages (id, lead_id, contact_number, from_number, our_number, direction, message_body,
                                       status, read_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4, 'outbound', ?5, ?6, ?7, ?7, ?7)",
        )?
        .execute(params![id, lead, contact, our_number, body, SENDING, now])?;
    enqueue(w, "insert", &id)?;
    get(w, &id)
}

/// The provider took the message: its SID and status.
pub fn confirm_sent(w: &mut Write<'_>, id: &str, sid: &str, status: &str) -> Result<Message> {
    let now = w.now_text();
    let n = w
        .conn()
        .prepare_cached(
            "UPDATE sms_messages SET provider_message_sid = ?2, status = ?3, sent_at = coalesce(sent_at, ?4), updated_at = ?4
             WHERE id = ?1",
        )?
        .execute(params![id, sid, status, now])?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "message", id: id.into() });
    }
    enqueue(w, "update", id)?;
    get(w, id)
}

/// The provider refused the message (nothing was sent).
pub fn mark_failed(w: &mut Write<'_>, id: &str, code: Option<i64>, message: &str) -> Result<Message> {
    let now = w.now_text();
    w.conn()
        .prepare_cached(
            "UPDATE sms_messages SET status = 'failed', error_code = ?2, error_message = ?3, updated_at = ?4 WHERE id = ?1",
        )?
        .execute(params![id, code, message, now])?;
    enqueue(w, "update", id)?;
    get(w, id)
}

/// A later status from the provider for the message with `sid`; false when we do not have it
/// or nothing changed.
pub fn update_status(
    w: &mut Write<'_>,
    sid: &str,
    status: &str,
    error_code: Option<i64>,
    error_message: Option<&str>,
) -> Result<bool> {
    let now = w.now_text();
    let id: Option<String> = w
        .conn()
        .prepare_cached(
            "UPDATE sms_messages SET status = ?2, error_code = coalesce(?3, error_code),
                    error_message = coalesce(?4, error_message), updated_at = ?5
             WHERE provider_message_sid = ?1 AND (status IS NOT ?2 OR error_code IS NOT coalesce(?3, error_code))
             RETURNING id",
        )?
        .query_row(params![sid, status, error_code, error_message, now], |r| r.get(0))
        .optional()?;
    match id {
        Some(id) => {
            enqueue(w, "update", &id)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Links the messages exchanged with `contact` and not linked yet to `lead_id` (a lead was just
/// created for that number); returns how many.
pub fn link_lead(w: &mut Write<'_>, contact: &str, lead_id: &str) -> Result<usize> {
    let now = w.now_text();
    let ids: Vec<String> = w
        .conn()
        .prepare_cached(
            "UPDATE sms_messages SET lead_id = ?2, updated_at = ?3 WHERE contact_number = ?1 AND lead_id IS NULL RETURNING id",
        )?
        .query_map(params![contact, lead_id, now], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        enqueue(w, "update", id)?;
    }
    Ok(ids.len())
}

/// An inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound<'a> {
    pub sid: &'a str,
    /// The sender (E.164).
    pub from: &'a str,
    /// Our number it arrived at.
    pub to: &'a str,
    pub body: &'a str,
    /// When the provider received it (RFC 3339).
    pub received_at: &'a str,
}

/// Stores an inbound message once; `None` when a message with this SID is already stored.
pub fn insert_inbound(w: &mut Write<'_>, m: &Inbound<'_>) -> Result<Option<Message>> {
    let exists: Option<String> = w
        .conn()
        .prepare_cached("SELECT id FROM sms_messages WHERE provider_message_sid = ?1")?
        .query_row([m.sid], |r| r.get(0))
        .optional()?;
    if exists.is_some() {
        return Ok(None);
    }
    let id = new_id();
    let now = w.now_text();
    let lead = lead_for_number(w, m.from)?;
    w.conn()
        .prepare_cached(
            "INSERT INTO sms_messages (id, lead_id, contact_number, from_number, our_number, direction, message_body,
                                       provider_message_sid, status, sent_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?3, ?4, 'inbound', ?5, ?6, 'received', ?7, ?7, ?8)",
        )?
        .execute(params![id, lead, m.from, m.to, m.body, m.sid, m.received_at, now])?;
    enqueue(w, "insert", &id)?;
    Ok(Some(get(w, &id)?))
}

/// One conversation in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thread {
    pub contact_number: String,
    pub lead_id: Option<String>,
    pub lead_name: Option<String>,
    pub last_body: String,
    pub last_direction: String,
    pub last_at: String,
    pub unread: i64,
    pub total: i64,
}

/// Conversations, most recent first (of two whose last texts share a time, SignalWire dating to
/// the second, the one stored later); `search` matches the number, the lead's name or any text.
pub fn threads(r: &impl Reads, search: Option<&str>, limit: u32) -> Result<Vec<Thread>> {
    let pattern = search.map(str::trim).filter(|s| !s.is_empty()).map(|s| format!("%{}%", s.replace(['%', '_'], "")));
    let mut stmt = r.conn().prepare_cached(
        "WITH per AS (
           SELECT contact_number, max(created_at) AS last_at, count(*) AS total,
                  sum(direction = 'inbound' AND read_at IS NULL) AS unread
           FROM sms_messages GROUP BY contact_number
         )
         SELECT per.contact_number, m.lead_id, l.name, m.message_body, m.direction, per.last_at, per.unread, per.total
         FROM per
         JOIN sms_messages m ON m.id = (SELECT id FROM sms_messages x WHERE x.contact_number = per.contact_number
                                        ORDER BY created_at DESC, id DESC LIMIT 1)
         LEFT JOIN leads l ON l.id = coalesce(m.lead_id, (SELECT id FROM leads WHERE phone_e164 = per.contact_number
                                                          AND deleted_at IS NULL ORDER BY id LIMIT 1))
         WHERE ?1 IS NULL OR per.contact_number LIKE ?1 OR l.name LIKE ?1
            OR EXISTS (SELECT 1 FROM sms_messages y WHERE y.contact_number = per.contact_number AND y.message_body LIKE ?1)
         ORDER BY per.last_at DESC, m.id DESC
         LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![pattern, limit], |r| {
        Ok(Thread {
            contact_number: r.get(0)?,
            lead_id: r.get(1)?,
            lead_name: r.get(2)?,
            last_body: r.get(3)?,
            last_direction: r.get(4)?,
            last_at: r.get(5)?,
            unread: r.get(6)?,
            total: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest `limit` messages with `contact`, oldest first; `before` pages back by
/// `(created_at, id)`.
pub fn thread(r: &impl Reads, contact: &str, before: Option<(&str, &str)>, limit: u32) -> Result<Vec<Message>> {
    let (at, id) = before.unwrap_or(("\u{10FFFF}", ""));
    let mut stmt = r.conn().prepare_cached(&format!(
        "SELECT {COLUMNS} FROM sms_messages
         WHERE contact_number = ?1 AND (created_at, id) < (?2, ?3)
         ORDER BY created_at DESC, id DESC LIMIT ?4"
    ))?;
    let mut rows: Vec<Message> =
        stmt.query_map(params![contact, at, id, limit], row)?.collect::<rusqlite::Result<_>>()?;
    rows.reverse();
    Ok(rows)
}

/// Marks the thread's inbound messages read; returns how many were unread.
pub fn mark_read(w: &mut Write<'_>, contact: &str) -> Result<usize> {
    let now = w.now_text();
    let ids: Vec<String> = w
        .conn()
        .prepare_cached(
            "UPDATE sms_messages SET read_at = ?2, updated_at = ?2
             WHERE contact_number = ?1 AND direction = 'inbound' AND read_at IS NULL RETURNING id",
        )?
        .query_map(params![contact, now], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        enqueue(w, "update", id)?;
    }
    Ok(ids.len())
}

/// Unread inbound messages in all threads.
pub fn unread_count(r: &impl Reads) -> Result<i64> {
    Ok(r.conn().query_row(
        "SELECT count(*) FROM sms_messages WHERE direction = 'inbound' AND read_at IS NULL",
        [],
        |row| row.get(0),
    )?)
}

/// Outbound messages whose fate is not known yet: intents never confirmed (a crash or an
/// ambiguous failure) and sent ones with a non-final status. Oldest first.
pub fn unsettled(r: &impl Reads, limit: u32) -> Result<Vec<Message>> {
    let mut stmt = r.conn().prepare_cached(&format!(
        "SELECT {COLUMNS} FROM sms_messages
         WHERE direction = 'outbound' AND (status IS NULL OR status IN ('sending', 'queued', 'initiated', 'sent', 'accepted'))
         ORDER BY created_at LIMIT ?1"
    ))?;
    Ok(stmt.query_map([limit], row)?.collect::<rusqlite::Result<_>>()?)
}

/// The newest `created_at` of an inbound message (the REST catch-up's starting point).
pub fn newest_inbound_at(r: &impl Reads) -> Result<Option<String>> {
    Ok(r.conn()
        .query_row("SELECT max(created_at) FROM sms_messages WHERE direction = 'inbound'", [], |row| row.get(0))?)
}
