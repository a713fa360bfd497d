//! Call recordings: provider metadata linked to the call log (and so to the lead), inserted once
//! per recording SID. The audio is fetched on demand into a local cache; only its path is kept
//! here, and it does not sync (it is this machine's file).
//!
//! `recording_url` holds a reference (`signalwire-recording:{sid}`), never the provider's media
//! URL: that URL plays without credentials (signalwire.md §1.6), so it is treated as a secret.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::connection::{Reads, Write};
use crate::{Result, StoreError, new_id, outbox};

/// One recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recording {
    pub id: String,
    pub call_log_id: String,
    pub provider_recording_sid: Option<String>,
    pub duration_seconds: Option<i64>,
    pub local_path: Option<String>,
    pub transcription_text: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str =
    "id, call_log_id, provider_recording_sid, duration_seconds, local_path, created_at, transcription_text";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Recording> {
    Ok(Recording {
        id: r.get(0)?,
        call_log_id: r.get(1)?,
        provider_recording_sid: r.get(2)?,
        duration_seconds: r.get(3)?,
        local_path: r.get(4)?,
        created_at: r.get(5)?,
        transcription_text: r.get(6)?,
    })
}

/// Records a provider recording of a call once; false when it is already known.
pub fn insert_once(
    w: &mut Write<'_>,
    call_log_id: &str,
    sid: &str,
    duration_seconds: Option<i64>,
    created_at: &str,
) -> Result<bool> {
    let known: Option<String> = w
        .conn()
        .prepare_cached("SELECT id FROM call_recordings WHERE provider_recording_sid = ?1")?
        .query_row([sid], |r| r.get(0))
        .optional()?;
    if known.is_some() {
        return Ok(false);
    }
    let id = new_id();
    let reference = format!("signalwire-recording:{sid}");
    w.conn()
        .prepare_cached(
            "INSERT INTO call_recordings (id, call_log_id, provider_recording_sid, recording_url, duration_seconds, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![id, call_log_id, sid, reference, duration_seconds, created_at])?;
    outbox::enqueue(
        w,
        "insert",
        "call_recordings",
        &id,
        &serde_json::json!({"id": id, "call_log_id": call_log_id, "provider_recording_sid": sid,
                            "recording_url": reference, "duration_seconds": duration_seconds, "created_at": created_at}),
    )?;
    Ok(true)
}

/// Stores a recording's transcription text (from the provider); false when unchanged or unknown.
pub fn set_transcription(w: &mut Write<'_>, sid: &str, text: &str) -> Result<bool> {
    let id: Option<String> = w
        .conn()
        .prepare_cached(
            "UPDATE call_recordings SET transcription_text = ?2
             WHERE provider_recording_sid = ?1 AND transcription_text IS NOT ?2 RETURNING id",
        )?
        .query_row(params![sid, text], |r| r.get(0))
        .optional()?;
    let Some(id) = id else { return Ok(false) };
    outbox::enqueue(w, "update", "call_recordings", &id, &serde_json::json!({"id": id, "transcription_text": text}))?;
    Ok(true)
}

/// A call's recordings, oldest first.
pub fn for_call(r: &impl Reads, call_log_id: &str) -> Result<Vec<Recording>> {
    let mut stmt = r.conn().prepare_cached(&format!(
        "SELECT {COLUMNS} FROM call_recordings WHERE call_log_id = ?1 ORDER BY created_at, id"
    ))?;
    Ok(stmt.query_map([call_log_id], row)?.collect::<rusqlite::Result<_>>()?)
}

pub fn get(r: &impl Reads, id: &str) -> Result<Recording> {
    r.conn()
        .prepare_cached(&format!("SELECT {COLUMNS} FROM call_recordings WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "recording", id: id.into() })
}

/// Where the audio was cached on this machine (`None` once evicted). Local only: no outbox.
pub fn set_local_path(w: &mut Write<'_>, id: &str, path: Option<&str>) -> Result<()> {
    w.conn().prepare_cached("UPDATE call_recordings SET local_path = ?2 WHERE id = ?1")?.execute(params![id, path])?;
    Ok(())
}

/// Deletes a recording's row (it was deleted at the provider); the deletion syncs.
pub fn delete(w: &mut Write<'_>, id: &str) -> Result<()> {
    let n = w.conn().prepare_cached("DELETE FROM call_recordings WHERE id = ?1")?.execute([id])?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "recording", id: id.into() });
    }
    outbox::enqueue(w, "delete", "call_recordings", id, &serde_json::json!({"id": id}))?;
    Ok(())
}

/// Forgets a cached file wherever it is referenced (it was evicted from the cache).
pub fn forget_local_path(w: &mut Write<'_>, path: &str) -> Result<()> {
    w.conn().prepare_cached("UPDATE call_recordings SET local_path = NULL WHERE local_path = ?1")?.execute([path])?;
    Ok(())
}

/// A recording as the Recordings page lists it: with its call and the lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibraryRow {
    pub recording: Recording,
    pub lead_id: Option<String>,
    pub lead_name: Option<String>,
    pub lead_company: Option<String>,
    pub contact_number: String,
    pub direction: String,
    pub started_at: String,
    pub call_duration_seconds: Option<i64>,
    pub disposition: Option<String>,
}

/// Recordings newest first, optionally only those whose lead (name, company, email, number
/// digits), number or transcription matches `text`, and only calls started in `[from, to)`.
/// Recordings are few next to calls (only calls recorded through SignalWire), so the
/// transcription match is a plain substring scan.
pub fn library(
    r: &impl Reads,
    text: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    limit: u32,
) -> Result<Vec<LibraryRow>> {
    let mut filter = String::from("c.deleted_at IS NULL");
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    use rusqlite::types::Value;
    if let Some(from) = from {
        filter.push_str(" AND c.started_at >= ?");
        args.push(Value::Text(from.into()));
    }
    if let Some(to) = to {
        filter.push_str(" AND c.started_at < ?");
        args.push(Value::Text(to.into()));
    }
    if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
        let like = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        filter.push_str(" AND (x.transcription_text LIKE ? ESCAPE '\\'");
        args.push(Value::Text(like));
        if let Some((sql, a)) = crate::calls::TextFilter::parse(text).map(|t| t.sql()) {
            filter.push_str(" OR ");
            filter.push_str(&sql);
            args.extend(a);
        }
        filter.push(')');
    }
    args.push(Value::Integer(i64::from(limit)));
    let sql = format!(
        "SELECT x.id, x.call_log_id, x.provider_recording_sid, x.duration_seconds, x.local_path, x.created_at,
                x.transcription_text, c.lead_id, l.name, l.company, c.contact_number, c.direction, c.started_at,
                c.duration_seconds, c.disposition
         FROM call_recordings x
         JOIN call_logs c ON c.id = x.call_log_id
         LEFT JOIN leads l ON l.id = c.lead_id
         WHERE {filter}
         ORDER BY c.started_at DESC, x.created_at DESC, x.id
         LIMIT ?"
    );
    let mut stmt = r.conn().prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |q| {
        Ok(LibraryRow {
            recording: row(q)?,
            lead_id: q.get(7)?,
            lead_name: q.get(8)?,
            lead_company: q.get(9)?,
            contact_number: q.get(10)?,
            direction: q.get(11)?,
            started_at: q.get(12)?,
            call_duration_seconds: q.get(13)?,
            disposition: q.get(14)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
