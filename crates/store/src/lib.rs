//! Ringdesk's local SQLite store: the desktop's database of record.
//!
//! This crate owns every line of SQL that touches the local database: opening it (WAL,
//! `synchronous=FULL`, foreign keys), migrating it (numbered files under `migrations/local/`,
//! backed up first, refused when the file is newer than this binary), and one module per table.
//! Reads go through [`Store::read`] on a pool of read-only connections; every change goes through
//! [`Store::write`], one `BEGIN IMMEDIATE` transaction per user action that writes the domain rows
//! and their [`outbox`] mutations together. What the user asked for and why is `ringdesk-app`'s
//! business; this crate only keeps the data consistent.

/// This desktop's agent as an SQL scalar: the sync state's `agent` ([`replica::AGENT`]), NULL
/// until the backend has said who the agent is. The rules of what is the agent's own
/// ([`own::MINE`], [`own::MY_LEAD`]) and the analytics' owner of an unpushed call splice
/// it in with `concat!`.
macro_rules! sql_me {
    () => {
        "(SELECT value FROM sync_state WHERE key = 'agent')"
    };
}

pub mod agents;
pub mod analytics;
pub mod calls;
pub mod campaigns;
pub mod changes;
mod connection;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod followups;
pub mod leads;
pub mod lists;
mod migrate;
pub mod outbox;
pub mod own;
pub mod recordings;
pub mod replica;
pub mod settings;
pub mod sms;
mod time;
pub mod voicemail;

pub use connection::{Read, Store, Write};
pub use migrate::{LATEST_VERSION, MIGRATIONS};
pub use time::{format_ts, parse_ts};

/// The SQLite error types, for callers that classify [`StoreError::Sqlite`].
pub mod rusqlite_error {
    pub use rusqlite::{Error, ErrorCode};
}

use std::path::PathBuf;

/// Everything that can go wrong in the store, with the data to explain it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database {path} was written by a newer Ringdesk (schema version {found}; this version understands up to {supported}); it was left untouched"
    )]
    NewerThanBinary { path: PathBuf, found: i64, supported: i64 },
    #[error("the file {path} is not a readable Ringdesk database ({reason}); it was left untouched")]
    Corrupt { path: PathBuf, reason: String },
    #[error("could not back up {path} before migrating: {reason}")]
    Backup { path: PathBuf, reason: String },
    #[error("migration {version} failed: {reason}")]
    Migration { version: i64, reason: String },
    #[error("{what} {id} was not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    /// A row of another agent's that a manager's desktop holds to read (their team's work).
    #[error("{what} {id} is {owner}'s: a manager sees the team's work but does not change it")]
    NotYours { what: &'static str, id: String, owner: String },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not encode a sync mutation: {0}")]
    Json(#[from] serde_json::Error),
    #[error("i/o error on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A new UUIDv7 id as text: time-ordered, made on this machine, safe to create offline.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
