//! Non-secret settings as JSON values under string keys. Secrets never come here: they live in
//! the OS keychain (`ringdesk-app`'s keychain module).

use rusqlite::{OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};

use crate::Result;
use crate::connection::{Reads, Write};

/// Reads a setting; `None` when unset or when the stored value no longer fits the type.
pub fn get<T: DeserializeOwned>(r: &impl Reads, key: &str) -> Result<Option<T>> {
    let raw: Option<String> =
        r.conn().query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()?;
    Ok(raw.and_then(|v| serde_json::from_str(&v).ok()))
}

/// Stores a setting.
pub fn set(w: &mut Write<'_>, key: &str, value: &impl Serialize) -> Result<()> {
    let json = serde_json::to_string(value)?;
    let now = w.now_text();
    w.conn().execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, json, now],
    )?;
    Ok(())
}

/// Removes a setting (nothing happens when it is not set).
pub fn delete(w: &mut Write<'_>, key: &str) -> Result<()> {
    w.conn().prepare_cached("DELETE FROM settings WHERE key = ?1")?.execute([key])?;
    Ok(())
}
