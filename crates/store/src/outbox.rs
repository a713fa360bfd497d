//! The sync outbox: every local change appends a mutation in the same transaction as the change.
//!
//! Mutation ids come from `AUTOINCREMENT`, so they are gapless per database and never reused; the
//! backend applies each id exactly once (see `ringdesk-sync`, later). This module only records
//! and lists mutations; pushing them is the sync service's job.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::Result;
use crate::connection::{Reads, Write};

/// One pending mutation.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutation {
    pub mutation_id: i64,
    pub op: String,
    pub table_name: String,
    pub row_id: String,
    pub args: serde_json::Value,
    pub created_at: String,
}

/// Appends a mutation for `row_id` of `table`; called by the table modules inside their write.
pub(crate) fn enqueue(w: &mut Write<'_>, op: &str, table: &str, row_id: &str, args: &impl Serialize) -> Result<i64> {
    let json = serde_json::to_string(args)?;
    let now = w.now_text();
    let id = {
        let conn = w.conn();
        conn.prepare_cached(
            "INSERT INTO sync_outbox (op, table_name, row_id, args_json, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![op, table, row_id, json, now])?;
        conn.last_insert_rowid()
    };
    w.queued_mutation = true;
    Ok(id)
}

/// Number of mutations not yet acknowledged by the backend.
pub fn pending_count(r: &impl Reads) -> Result<i64> {
    Ok(r.conn().query_row("SELECT count(*) FROM sync_outbox WHERE state = 'pending'", [], |row| row.get(0))?)
}

/// The oldest pending mutations, in id order.
pub fn pending(r: &impl Reads, limit: u32) -> Result<Vec<Mutation>> {
    let mut stmt = r.conn().prepare_cached(
        "SELECT mutation_id, op, table_name, row_id, args_json, created_at FROM sync_outbox
         WHERE state = 'pending' ORDER BY mutation_id LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |row| {
        let args: String = row.get(4)?;
        Ok(Mutation {
            mutation_id: row.get(0)?,
            op: row.get(1)?,
            table_name: row.get(2)?,
            row_id: row.get(3)?,
            args: serde_json::from_str(&args).unwrap_or(serde_json::Value::Null),
            created_at: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest mutation id ever issued (0 when none).
pub fn last_mutation_id(r: &impl Reads) -> Result<i64> {
    Ok(r.conn()
        .query_row("SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'", [], |row| row.get(0))
        .optional()?
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::connection::Reads;

    /// The plan SQLite picks for `sql`, one detail line per step.
    fn plan(store: &Store, sql: &str) -> String {
        store
            .read(|r| {
                let mut stmt = r.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let rows = stmt.query_map([], |row| row.get::<_, String>(3))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("; "))
            })
            .expect("a query plan")
    }

    #[test]
    fn pending_mutations_are_counted_and_read_through_an_index_not_a_scan_of_the_outbox() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("r.db")).expect("store");
        for sql in [
            "SELECT count(*) FROM sync_outbox WHERE state = 'pending'",
            "SELECT mutation_id, args_json FROM sync_outbox WHERE state = 'pending' ORDER BY mutation_id LIMIT 50",
        ] {
            let plan = plan(&store, sql);
            assert!(plan.contains("sync_outbox_pending"), "{sql}: uses the index: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{sql}: no sort: {plan}");
        }
    }
}
