//! Numbered migrations of the local schema, tracked in `PRAGMA user_version`.
//!
//! Files under `migrations/local/` are embedded at build time, applied in order, each in its own
//! transaction, and never edited once released. A database whose version is above
//! [`LATEST_VERSION`] is refused without being written to.

use rusqlite::Connection;

use crate::{Result, StoreError};

/// `(version, sql)` of every migration, in order. Version N is the file `000N_*.sql`.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/local/0001_initial.sql")),
    (2, include_str!("../../../migrations/local/0002_sms_our_number.sql")),
    (3, include_str!("../../../migrations/local/0003_ai_agents_voice_clones.sql")),
    (4, include_str!("../../../migrations/local/0004_sync.sql")),
    (5, include_str!("../../../migrations/local/0005_history_search.sql")),
    (6, include_str!("../../../migrations/local/0006_sync_waiting.sql")),
    (7, include_str!("../../../migrations/local/0007_outbox_pending_index.sql")),
    (8, include_str!("../../../migrations/local/0008_campaigns.sql")),
];

/// The schema version this binary writes.
pub const LATEST_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Marks the file as Ringdesk's (`PRAGMA application_id`, "RDSK").
pub const APPLICATION_ID: i64 = 0x5244_534B;

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies every migration above the current version.
pub(crate) fn apply(conn: &mut Connection, from: i64, migrations: &[(i64, &str)]) -> Result<()> {
    for &(version, sql) in migrations.iter().filter(|(v, _)| *v > from) {
        let fail = |e: rusqlite::Error| StoreError::Migration { version, reason: e.to_string() };
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive).map_err(fail)?;
        tx.execute_batch(sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", version).map_err(fail)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(version, "applied local migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/local");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("migrations/local exists")
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        assert_eq!(files.len(), MIGRATIONS.len(), "every file in migrations/local is listed in MIGRATIONS: {files:?}");
        for (file, (version, sql)) in files.iter().zip(MIGRATIONS) {
            assert!(file.starts_with(&format!("{version:04}_")), "{file} is migration {version}");
            let on_disk = std::fs::read_to_string(dir.join(file)).expect("readable");
            assert_eq!(&on_disk, sql, "{file} is what the binary embeds");
        }
    }

    #[test]
    fn migrations_are_numbered_from_one_without_gaps() {
        for (i, (v, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*v, i as i64 + 1, "migration at index {i} must be version {}", i + 1);
        }
    }
}
