//! Which leads committed transactions touched, so a reader that keeps rows in memory (a dialing
//! session's 100k members) re-reads only those instead of everything at every step.
//!
//! SQLite's update hook on the one writer connection sees every row written to a rowid table,
//! whoever wrote it in this process (a wrap-up, a pull, an import): the rows of `leads`,
//! `call_logs` and `dialer_campaign_calls` are noted by rowid while a transaction runs and mapped
//! to their lead ids once it commits; a rollback publishes nothing. `lead_list_members` is a
//! `WITHOUT ROWID` table, which the hook does not see: the store's functions that write it note
//! the list themselves ([`crate::Write::touch_list`]); a deleted list (its members go with it) is
//! seen by the hook. A TEMP trigger was tried instead and made a 100k-lead import 60 % slower;
//! the pre-update hook needs bindgen and libclang at build time. A deleted row cannot be mapped,
//! and another process writing the same file is seen only through the writer's
//! `PRAGMA data_version`: both, like more rows than the log keeps or maps, tell every reader to
//! re-read everything.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::hooks::Action;
use rusqlite::{Connection, OptionalExtension};

use crate::Result;

/// At most this many touched ids are kept (about 0.5 MB); a reader further behind re-reads all.
const KEEP: usize = 10_000;

/// The watched rowid tables and the column naming the lead.
const WATCHED: &[(&str, &str)] = &[("leads", "id"), ("call_logs", "lead_id"), ("dialer_campaign_calls", "lead_id")];

/// A table whose deleted rows take list memberships with them.
const LISTS: &str = "lead_lists";

/// Tables whose writes are noted by name only (which rows is not kept): a reader that keeps
/// figures over all of them (the analytics) learns that they are stale.
pub const NOTED: &[&str] =
    &["leads", "lead_lists", "call_logs", "call_dispositions", "follow_up_states", "dialer_campaign_calls"];

/// Above this many rows in one transaction (an import, a first pull), their leads are not looked
/// up one by one: readers re-read everything.
const MAP_AT_MOST: usize = 1_000;

/// What changed since a reader's cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Pass this to the next [`crate::Store::changes_since`].
    pub cursor: u64,
    /// More changed than the log kept, a row was deleted, or another process wrote: re-read
    /// everything.
    pub all: bool,
    /// Leads whose row, calls or campaign attempts were written.
    pub leads: BTreeSet<String>,
    /// Lists whose members were added, changed or removed.
    pub lists: BTreeSet<String>,
    /// Which of the [`NOTED`] tables were written (rows added, changed or deleted).
    pub tables: BTreeSet<&'static str>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        !self.all && self.leads.is_empty() && self.lists.is_empty() && self.tables.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Touched {
    Lead(String),
    List(String),
    /// An index into [`NOTED`].
    Table(usize),
}

#[derive(Debug, Default)]
struct Log {
    /// Rows written in the transaction running now: (index into [`WATCHED`], rowid).
    pending: Vec<(usize, i64)>,
    /// It deleted a watched row, or wrote more than [`KEEP`]: it publishes "everything".
    pending_all: bool,
    /// The [`NOTED`] tables it wrote, one bit each.
    pending_tables: u32,
    /// Published: (sequence, what), oldest first.
    kept: VecDeque<(u64, Touched)>,
    /// Sequences up to this one were dropped from `kept` (or were "everything").
    forgotten: u64,
    seq: u64,
    /// The writer's `data_version` at the last look.
    data_version: i64,
}

/// The shared log: the hook writes `pending`, the store publishes on commit.
#[derive(Debug, Clone, Default)]
pub(crate) struct Journal(Arc<Mutex<Log>>);

impl Journal {
    fn log(&self) -> MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Installs the hook and the membership trigger on the writer connection.
    pub(crate) fn install(&self, conn: &mut Connection) -> Result<()> {
        let version = data_version(conn)?;
        {
            let mut log = self.log();
            log.data_version = version;
            // Cursor 0 is "has nothing yet".
            log.seq = log.seq.max(1);
        }
        let log = self.0.clone();
        conn.update_hook(Some(move |action: Action, db: &str, table: &str, rowid: i64| {
            // Every row of every table comes through here (FTS's shadow tables too): decide on
            // the name before taking the lock.
            if db != "main" {
                return;
            }
            let noted = NOTED.iter().position(|name| *name == table);
            let Some(noted) = noted else { return };
            let watched = WATCHED.iter().position(|(name, _)| *name == table);
            let list_gone = table == LISTS && action == Action::SQLITE_DELETE;
            let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
            log.pending_tables |= 1 << noted;
            if log.pending_all || (watched.is_none() && !list_gone) {
                return;
            }
            match watched {
                Some(t) if action != Action::SQLITE_DELETE && log.pending.len() < MAP_AT_MOST => {
                    log.pending.push((t, rowid));
                }
                _ => {
                    log.pending.clear();
                    log.pending_all = true;
                }
            }
        }))?;
        Ok(())
    }

    /// A transaction begins: what an earlier one that rolled back left is dropped.
    pub(crate) fn begin(&self) {
        let mut log = self.log();
        log.pending.clear();
        log.pending_all = false;
        log.pending_tables = 0;
    }

    /// The transaction committed on `conn`, having written the members of `lists`: its rows'
    /// leads and those lists get a sequence number.
    pub(crate) fn commit(&self, conn: &Connection, lists: Vec<String>) {
        let (rows, all, tables) = {
            let mut log = self.log();
            (
                std::mem::take(&mut log.pending),
                std::mem::take(&mut log.pending_all),
                std::mem::take(&mut log.pending_tables),
            )
        };
        // Map rowids to leads without holding the log (the hook takes it).
        let mut touched: Vec<Touched> = lists.into_iter().map(Touched::List).collect();
        touched.extend((0..NOTED.len()).filter(|t| tables & (1 << t) != 0).map(Touched::Table));
        let mut unmapped = false;
        for (t, rowid) in rows.into_iter().filter(|_| !all) {
            let (table, column) = WATCHED[t];
            let lead: rusqlite::Result<Option<Option<String>>> = conn
                .prepare_cached(&format!("SELECT {column} FROM main.{table} WHERE rowid = ?1"))
                .and_then(|mut stmt| stmt.query_row([rowid], |r| r.get(0)).optional());
            match lead {
                Ok(Some(Some(id))) => touched.push(Touched::Lead(id)),
                // A call without a lead touches no lead.
                Ok(Some(None)) => {}
                Ok(None) | Err(_) => unmapped = true,
            }
        }
        let version = data_version(conn).ok();
        let mut log = self.log();
        // Another connection committed since the last look: nobody knows what it changed.
        if version.is_some_and(|v| v != log.data_version) {
            log.data_version = version.unwrap_or_default();
            forget_all(&mut log);
        }
        if all || unmapped {
            forget_all(&mut log);
            return;
        }
        if touched.is_empty() {
            return;
        }
        log.seq += 1;
        let seq = log.seq;
        log.kept.extend(touched.into_iter().map(|t| (seq, t)));
        while log.kept.len() > KEEP {
            if let Some((s, _)) = log.kept.pop_front() {
                log.forgotten = log.forgotten.max(s);
            }
        }
    }

    /// What was published after `cursor` (0: everything, as for a reader that has nothing yet).
    pub(crate) fn since(&self, cursor: u64, conn: &Connection) -> Changes {
        let version = data_version(conn).ok();
        let mut log = self.log();
        if version.is_some_and(|v| v != log.data_version) {
            log.data_version = version.unwrap_or_default();
            forget_all(&mut log);
        }
        let mut out = Changes { cursor: log.seq, all: cursor == 0 || cursor < log.forgotten, ..Changes::default() };
        if out.all {
            return out;
        }
        let start = log.kept.partition_point(|(s, _)| *s <= cursor);
        for (_, t) in log.kept.range(start..) {
            match t {
                Touched::Lead(id) => out.leads.insert(id.clone()),
                Touched::List(id) => out.lists.insert(id.clone()),
                Touched::Table(t) => out.tables.insert(NOTED[*t]),
            };
        }
        out
    }
}

/// A new sequence that every reader's cursor is behind.
fn forget_all(log: &mut Log) {
    log.seq += 1;
    log.forgotten = log.seq;
    log.kept.clear();
}

fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::{self, NewLead};
    use crate::{Store, StoreError, lists};

    fn lead(w: &mut crate::Write<'_>, name: &str) -> crate::Result<String> {
        Ok(leads::insert(w, &NewLead { name: name.into(), ..NewLead::default() })?.id)
    }

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_reader_learns_exactly_the_leads_and_lists_written_since_its_cursor() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("r.db")).expect("store");
        let first = store.changes_since(0);
        assert!(first.all, "a reader holding nothing re-reads everything");
        let (a, b, list) = store
            .write(|w| {
                let (a, b) = (lead(w, "Ann")?, lead(w, "Bob")?);
                let list = lists::create(w, "Q1", None)?;
                lists::add_member(w, &list, &a)?;
                Ok::<_, StoreError>((a, b, list))
            })
            .expect("seeded");
        let c1 = store.changes_since(first.cursor);
        assert!(!c1.all, "a few rows fit in the log");
        assert_eq!(c1.leads, set(&[&a, &b]), "both new leads and the member row's lead");
        assert_eq!(c1.lists, set(&[&list]), "the list whose members changed");
        assert!(store.changes_since(c1.cursor).is_empty(), "nothing written since");

        assert_eq!(
            c1.tables,
            ["lead_lists", "leads"].into_iter().collect(),
            "the tables written, by name (memberships are noted per list)"
        );

        store.write(|w| leads::set_assignee(w, &b, Some("agent-2"))).expect("assigned");
        let c2 = store.changes_since(c1.cursor);
        assert_eq!((c2.leads, c2.lists), (set(&[&b]), set(&[])), "only the updated lead");
        assert_eq!(c2.tables, ["leads"].into_iter().collect(), "one table written");
    }

    #[test]
    fn a_membership_pulled_from_the_backend_or_deleted_there_names_its_list() {
        use crate::replica::{self, Incoming, Table};
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("r.db")).expect("store");
        let (lead, list) = store
            .write(|w| Ok::<_, StoreError>((lead(w, "Ann")?, lists::create(w, "Web list", None)?)))
            .expect("seeded");
        let cursor = store.changes_since(0).cursor;
        let row = serde_json::json!({
            "id": "0193a7c2-5b1e-7c3d-9e4f-a1b2c3d4e5f6", "list_id": list, "lead_id": lead, "added_at": "2026-12-05T09:00:00Z"
        });
        let serde_json::Value::Object(row) = row else { unreachable!("an object literal") };
        let pulled = [Incoming::Row { table: Table::LeadListMembers, row }];
        store
            .write(|w| replica::apply_page(w, &pulled, "1:0:x", ringdesk_core::phone::Region::US, false))
            .expect("the pull applies");
        let issues = store.read(|r| replica::issues(r, 10)).expect("issues");
        let c1 = store.changes_since(cursor);
        assert!(issues.is_empty(), "the row applied: {issues:?}");
        assert_eq!(c1.lists, set(&[&list]), "the pulled member's list: {c1:?}");

        let gone = [Incoming::Tombstone {
            table: Table::LeadListMembers,
            row_id: "0193a7c2-5b1e-7c3d-9e4f-a1b2c3d4e5f6".into(),
        }];
        store
            .write(|w| replica::apply_page(w, &gone, "1:0:y", ringdesk_core::phone::Region::US, false))
            .expect("the tombstone applies");
        let c2 = store.changes_since(c1.cursor);
        assert_eq!(c2.lists, set(&[&list]), "the removed member's list: {c2:?}");
    }

    #[test]
    fn a_rolled_back_transaction_publishes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("r.db")).expect("store");
        let start = store.changes_since(0).cursor;
        let failed: Result<(), StoreError> = store.write(|w| {
            lead(w, "Ghost")?;
            Err(StoreError::Conflict("abandoned".into()))
        });
        assert!(failed.is_err(), "the write failed");
        assert!(store.changes_since(start).is_empty(), "the rolled-back insert is not reported");
    }

    #[test]
    fn a_write_by_another_connection_or_too_many_rows_means_re_read_everything() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r.db");
        let store = Store::open(&path).expect("store");
        let cursor = store.changes_since(0).cursor;
        let other = Connection::open(&path).expect("second connection");
        other.execute("UPDATE settings SET value = value", []).expect("a foreign write");
        other
            .execute_batch("CREATE TABLE scratch(x); INSERT INTO scratch VALUES (1);")
            .expect("another process commits");
        let c = store.changes_since(cursor);
        assert!(c.all, "another connection's commit cannot be itemised");
        assert!(store.changes_since(c.cursor).is_empty(), "and is reported once");

        store
            .write(|w| {
                for i in 0..(KEEP + 1) {
                    lead(w, &format!("Lead {i}"))?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("a big import");
        assert!(store.changes_since(c.cursor).all, "an import larger than the log means everything");
    }
}
