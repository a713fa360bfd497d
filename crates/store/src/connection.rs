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

use crate::changes::{Changes, Journal};
use crate::migrate::{self, APPLICATION_ID};
use crate::{Result, StoreError, time::format_ts};

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const READERS: usize = 2;

/// The local database.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Called after each committed transaction that queued a sync mutation (`on_outbox_commit`).
    outbox_listeners: Mutex<Vec<OutboxListener>>,
    /// The leads each committed transaction touched ([`Store::changes_since`]).
    journal: Journal,
}

type OutboxListener = Box<dyn Fn() + Send + Sync>;

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
    /// A sync mutation was queued in this transaction.
    pub(crate) queued_mutation: bool,
    /// Lists whose members this transaction wrote (for the change journal).
    lists_touched: Vec<String>,
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

    /// This transaction adds, changes or removes members of `list_id`. Every function that
    /// writes `lead_list_members` calls it: the change journal cannot see that table.
    pub(crate) fn touch_list(&mut self, list_id: &str) {
        if !self.lists_touched.iter().any(|l| l == list_id) {
            self.lists_touched.push(list_id.to_string());
        }
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
        Self::open_with(path, now, migrate::MIGRATIONS)
    }

    fn open_with(path: &Path, now: DateTime<Utc>, migrations: &[(i64, &str)]) -> Result<Store> {
        let latest = migrations.last().map(|m| m.0).unwrap_or(0);
        let existed = path.exists() && std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false);
        let corrupt =
            |e: &dyn std::fmt::Display| StoreError::Corrupt { path: path.to_path_buf(), reason: e.to_string() };
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| corrupt(&e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;

        // Read-only checks first: nothing is written to a file we are going to refuse.
        let version = migrate::user_version(&conn).map_err(|e| corrupt(&e))?;
        let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(|e| corrupt(&e))?;
        let _: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).map_err(|e| corrupt(&e))?;
        if existed && app_id != APPLICATION_ID && (app_id != 0 || version != 0) {
            return Err(corrupt(&format_args!("it belongs to another application (application_id {app_id:#x})")));
        }
        if existed && app_id == 0 && version == 0 {
            let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
            if tables > 0 {
                return Err(corrupt(&"it is a SQLite database of another application"));
            }
        }
        if version > latest {
            return Err(StoreError::NewerThanBinary { path: path.to_path_buf(), found: version, supported: latest });
        }
        if version > 0 && version < latest {
            backup(&conn, path, version, now)?;
        }

        configure(&conn, false)?;
        migrate::apply(&mut conn, version, migrations)?;

        let journal = Journal::default();
        journal.install(&mut conn)?;

        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(open_reader(path)?);
        }
        Ok(Store {
            path: path.to_path_buf(),
            writer: Mutex::new(conn),
            readers: Mutex::new(readers),
            outbox_listeners: Mutex::default(),
            journal,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a consistent copy of the database to `target` (which must not exist yet).
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])
            .map_err(|e| StoreError::Backup { path: target.to_path_buf(), reason: e.to_string() })?;
        Ok(())
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
    /// The closure may fail with any error a [`StoreError`] converts into, so callers can abort
    /// the transaction with their own errors.
    pub fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Write<'_>) -> Result<T, E>) -> Result<T, E> {
        self.write_at(Utc::now(), f)
    }

    /// [`Store::write`] with the transaction's time passed in.
    pub fn write_at<T, E: From<StoreError>>(
        &self,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut Write<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let (out, queued) = {
            let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            self.journal.begin();
            let (out, queued, lists) = {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from)?;
                let mut w = Write { tx, now, queued_mutation: false, lists_touched: Vec::new() };
                let out = f(&mut w)?;
                let (queued, lists) = (w.queued_mutation, std::mem::take(&mut w.lists_touched));
                w.tx.commit().map_err(StoreError::from)?;
                (out, queued, lists)
            };
            self.journal.commit(&conn, lists);
            (out, queued)
        };
        if queued {
            for listener in self.outbox_listeners.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                listener();
            }
        }
        Ok(out)
    }

    /// Gives back the page caches' memory (every connection's), once a burst of work is done:
    /// the start-up's first page, say. The caches fill again on demand.
    pub fn release_memory(&self) {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        for conn in std::iter::once(&*writer).chain(readers.iter()) {
            if let Err(e) = conn.release_memory() {
                tracing::debug!(error = %e, "a connection kept its cache");
            }
        }
    }

    /// The leads and list memberships written since `cursor` (a previous answer's
    /// [`Changes::cursor`]; 0 when the caller holds nothing yet, which answers "everything"), so
    /// a caller that keeps rows in memory re-reads only those.
    pub fn changes_since(&self, cursor: u64) -> Changes {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        self.journal.since(cursor, &conn)
    }

    /// Calls `listener` after every committed transaction that queued a sync mutation (on the
    /// writing thread, after the write lock is released), so the sync worker learns of a local
    /// change at once instead of polling for it. Keep it short: a channel send.
    pub fn on_outbox_commit(&self, listener: impl Fn() + Send + Sync + 'static) {
        self.outbox_listeners.lock().unwrap_or_else(|p| p.into_inner()).push(Box::new(listener));
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
    // Page cache in KiB (negative): the writer's is large so a 100k-row import's transaction stays
    // in memory instead of spilling dirty pages to the WAL and reading them back.
    conn.pragma_update(None, "cache_size", if read_only { -8_000 } else { -256_000 })?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().expect("valid time")
    }

    #[test]
    fn an_older_database_is_backed_up_then_migrated() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r.db");
        let v1: &[(i64, &str)] = &[(1, "CREATE TABLE a (x INTEGER);")];
        let store = Store::open_with(&path, at(), v1).expect("v1 opens");
        store.write(|w| Ok::<_, StoreError>(w.conn().execute("INSERT INTO a VALUES (42)", [])?)).expect("row written");
        drop(store);

        let v2: &[(i64, &str)] = &[(1, "CREATE TABLE a (x INTEGER);"), (2, "ALTER TABLE a ADD COLUMN y TEXT;")];
        let store = Store::open_with(&path, at(), v2).expect("v2 migrates");
        let backup = dir.path().join("r.db.v1-20261125T100000Z.bak");
        assert!(backup.exists(), "a backup named after the old version and time is written before migrating");
        let old = Connection::open(&backup).expect("backup opens");
        let (x, version): (i64, i64) = old
            .query_row("SELECT x, (SELECT user_version FROM pragma_user_version) FROM a", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("backup has the data");
        assert_eq!((x, version), (42, 1), "the backup holds the pre-migration data and version");
        let cols: i64 = store
            .read(|r| Ok(r.conn().query_row("SELECT count(*) FROM pragma_table_info('a')", [], |row| row.get(0))?))
            .expect("schema readable");
        assert_eq!(cols, 2, "the migration added the column");
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("r.db")).expect("opens");
        let result: Result<()> = store.write(|w| {
            crate::settings::set(w, "k", &1)?;
            Err(StoreError::Conflict("user cancelled".into()))
        });
        assert!(result.is_err(), "the closure's error is returned");
        let v: Option<i64> = store.read(|r| crate::settings::get(r, "k")).expect("read");
        assert_eq!(v, None, "the transaction was rolled back");
    }

    #[test]
    fn connections_use_wal_full_sync_and_foreign_keys() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("r.db")).expect("opens");
        let (mode, sync, fk): (String, i64, i64) = store
            .read(|r| {
                let c = r.conn();
                Ok((
                    c.query_row("PRAGMA journal_mode", [], |x| x.get(0))?,
                    c.query_row("PRAGMA synchronous", [], |x| x.get(0))?,
                    c.query_row("PRAGMA foreign_keys", [], |x| x.get(0))?,
                ))
            })
            .expect("pragmas readable");
        assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1), "WAL, synchronous=FULL (2), foreign keys on");
        let err = store
            .read(|r| Ok(r.conn().execute("INSERT INTO settings VALUES ('a', '1', 'x')", [])?))
            .expect_err("read handles refuse writes");
        assert!(
            err.to_string().contains("readonly")
                || err.to_string().contains("read-only")
                || err.to_string().contains("query_only")
                || err.to_string().contains("attempt to write"),
            "read handle error: {err}"
        );
    }
}
