//! Voicemail messages: the agent's recorded or imported messages, played into a call by a
//! voicemail drop. The audio lives in a file beside the database; this table names it.

use rusqlite::{OptionalExtension, params};

use crate::connection::{Reads, Write};
use crate::{Result, StoreError, new_id};

/// A stored message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: String,
    pub name: String,
    pub duration_ms: i64,
    /// Where SignalWire fetches it for a bridge call.
    pub public_url: Option<String>,
    pub created_at: String,
}

fn message(row: &rusqlite::Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        id: row.get(0)?,
        name: row.get(1)?,
        duration_ms: row.get(2)?,
        public_url: row.get(3)?,
        created_at: row.get(4)?,
    })
}

/// Every message, by name.
pub fn all(r: &impl Reads) -> Result<Vec<Message>> {
    let mut stmt = r.conn().prepare_cached(
        "SELECT id, name, duration_ms, public_url, created_at FROM voicemail_messages ORDER BY name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], message)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(r: &impl Reads, id: &str) -> Result<Message> {
    r.conn()
        .prepare_cached("SELECT id, name, duration_ms, public_url, created_at FROM voicemail_messages WHERE id = ?1")?
        .query_row([id], message)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "voicemail message", id: id.to_string() })
}

/// Adds a message named `name` (a name already used is a conflict); its id.
pub fn insert(w: &mut Write<'_>, name: &str, duration_ms: i64) -> Result<String> {
    let taken: bool =
        w.conn()
            .query_row("SELECT EXISTS (SELECT 1 FROM voicemail_messages WHERE name = ?1)", [name], |row| row.get(0))?;
    if taken {
        return Err(StoreError::Conflict(format!("a voicemail message named {name:?} already exists")));
    }
    let id = new_id();
    let now = w.now_text();
    w.conn().execute(
        "INSERT INTO voicemail_messages (id, name, duration_ms, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, name, duration_ms, now],
    )?;
    Ok(id)
}

/// Sets (or clears) where SignalWire fetches the message.
pub fn set_public_url(w: &mut Write<'_>, id: &str, url: Option<&str>) -> Result<()> {
    let n = w.conn().execute("UPDATE voicemail_messages SET public_url = ?2 WHERE id = ?1", params![id, url])?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "voicemail message", id: id.to_string() });
    }
    Ok(())
}

pub fn delete(w: &mut Write<'_>, id: &str) -> Result<()> {
    w.conn().execute("DELETE FROM voicemail_messages WHERE id = ?1", [id])?;
    Ok(())
}
