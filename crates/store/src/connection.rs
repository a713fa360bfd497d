//! Opening the database and handing out read and write access.
//!
//! One writer connection behind a mutex (SQLite allows one writer at a time anyway) and a small
//! pool of read-only connections, which WAL lets run beside the writer. [`Read`] and [`Write`]
//! are different types: table modules take `&impl Reads` for queries and `&mut Write` for
//! changes, so a change can only happen inside a transaction.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::migrate::{self, APPLICATION_ID, LATEST_VERSION};
use crate::{Result, StoreError, time::format_ts};

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const READERS: usize = 2;

/// The local database.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

/// Read access: one consistent snapshot for the duration of the closure.
pub struct Read<'c> {
    conn: &'c Connection,
}

/// Write access: one transaction, committed when the closure returns `Ok`.
pub struct Write<'c> {
    tx: rusqlite::Transaction<'c>,
    now: DateTime<Utc>,
}

/// Anything queries can run on: a [`Read`] or a [`Write`] (which sees its own changes).
pub trait Reads {
    #[doc(hidden)]
    fn conn(&self) -> &Connection;
}

impl Reads for Read<'_> {
    fn conn(&self) -> &Connection {
        self.conn
    }
}

impl Reads for Write<'_> {
    fn conn(&self) -> &Connection {
        &self.tx
    }
}

impl Write<'_> {
    /// The time of this transaction; every row it stamps gets the same instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub(crate) fn now_text(&self) -> String {
        format_ts(self.now)
    }
}

impl Store {
    /// Opens (creating if missing) and migrates the database at `path`.
    ///
    /// A file from a newer Ringdesk, a file that is not a SQLite database, or a SQLite database of
    /// another application is refused with the file untouched. An older database is copied to
    /// `<path>.v<N>-<time>.bak` before it is migrated.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_at(path, Utc::now())
    }

    /// [`Store::open`] with the clock passed in (names the backup file).
    pub fn open_at(path: &Path, now: DateTime<Utc>) -> Result<Store> {
        let existed = path.exists() && std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false);
        let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt { path: path.to_path_buf(), reason: e.to_string() };
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| corrupt(&e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;

        // Read-only checks first: nothing is written to a file we are going to refuse.
        let version = migrate::user_version(&conn).map_err(|e| corrupt(&e))?;
        let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(|e| corrupt(&e))?;
        let _: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(|e| corrupt(&e))?;
        if existed && app_id != APPLICATION_ID && (app_id != 0 || version != 0) {
            return Err(corrupt(&format_args!("it belongs to another application (application_id {app_id:#x})")));
        }
        if existed && app_id == 0 && version == 0 {
            let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
            if tables > 0 {
                return Err(corrupt(&"it is a SQLite database of another application"));
            }
        }
        if version > LATEST_VERSION {
            return Err(StoreError::NewerThanBinary { path: path.to_path_buf(), found: version, supported: LATEST_VERSION });
        }
        if version > 0 && version < LATEST_VERSION {
            backup(&conn, path, version, now)?;
        }

        configure(&conn, false)?;
        migrate::apply(&mut conn, version)?;

        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(open_reader(path)?);
        }
        Ok(Store { path: path.to_path_buf(), writer: Mutex::new(conn), readers: Mutex::new(readers) })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a read-only connection inside one read transaction.
    pub fn read<T>(&self, f: impl FnOnce(&Read<'_>) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => open_reader(&self.path)?,
        };
        let result = (|| {
            conn.execute_batch("BEGIN DEFERRED")?;
            let out = f(&Read { conn: &conn });
            conn.execute_batch("COMMIT")?;
            out
        })();
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < READERS {
            pool.push(conn);
        }
        result
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed only if it returns `Ok`.
    pub fn write<T>(&self, f: impl FnOnce(&mut Write<'_>) -> Result<T>) -> Result<T> {
        self.write_at(Utc::now(), f)
    }

    /// [`Store::write`] with the transaction's time passed in.
    pub fn write_at<T>(&self, now: DateTime<Utc>, f: impl FnOnce(&mut Write<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut w = Write { tx, now };
        let out = f(&mut w)?;
        w.tx.commit()?;
        Ok(out)
    }
}

fn configure(conn: &Connection, read_only: bool) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if !read_only {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "database is not in WAL mode");
        }
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "cache_size", -16_000)?;
    if read_only {
        conn.pragma_update(None, "query_only", true)?;
    }
    Ok(())
}

fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    configure(&conn, true)?;
    Ok(conn)
}

/// Copies the database, consistently, before a migration changes it.
fn backup(conn: &Connection, path: &Path, version: i64, now: DateTime<Utc>) -> Result<PathBuf> {
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".v{version}-{stamp}.bak"));
    let target = PathBuf::from(name);
    conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])
        .map_err(|e| StoreError::Backup { path: path.to_path_buf(), reason: e.to_string() })?;
    tracing::info!(backup = %target.display(), version, "backed up database before migrating");
    Ok(target)
}
