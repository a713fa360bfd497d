//! The backend's schema: `migrations/backend/*.sql`, embedded and applied in order.
//!
//! Every file is idempotent (it creates only what is missing), so the migrations also apply to
//! the web CRM's existing database with its data. A ledger (`ringdesk_migrations`) records what
//! was applied; a file whose contents changed since is applied again, and every file after it
//! too (a later file may replace what the earlier one creates, such as migration 5's policies in
//! place of migration 3's, so running the earlier one alone could undo it). Everything runs in one
//! transaction under an advisory lock, so two admins migrating at once cannot interleave.

use std::str::FromStr;

use crate::{SyncError, tls};

/// `(version, name, sql)` of every backend migration, in order.
pub const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "crm_tables", include_str!("../../../migrations/backend/0001_crm_tables.sql")),
    (2, "dialer_tables", include_str!("../../../migrations/backend/0002_dialer_tables.sql")),
    (3, "sync", include_str!("../../../migrations/backend/0003_sync.sql")),
    (4, "dialer", include_str!("../../../migrations/backend/0004_dialer.sql")),
    (5, "teams", include_str!("../../../migrations/backend/0005_teams.sql")),
];

/// What a migration run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// Names of the files applied by this run (empty when the database was up to date).
    pub applied: Vec<String>,
}

fn checksum(sql: &str) -> String {
    // FNV-1a, 64 bit: enough to notice an edited file (not a security boundary).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sql.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Applies the backend migrations to the database at `url` (an owner's or admin's URL).
pub async fn migrate(url: &str) -> Result<Migrated, SyncError> {
    let config = tokio_postgres::Config::from_str(url)
        .map_err(|e| SyncError::Config(format!("the database URL is not a PostgreSQL URL: {e}")))?;
    let (client, connection) = config
        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls::client_config()))
        .await
        .map_err(|e| match e.as_db_error() {
            Some(db) => SyncError::from_sqlstate(db.code().code(), db.message()),
            None => SyncError::Unreachable(e.to_string()),
        })?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let db = |e: tokio_postgres::Error| match e.as_db_error() {
        Some(d) => SyncError::Server { code: d.code().code().to_string(), message: d.message().to_string() },
        None => SyncError::Unreachable(e.to_string()),
    };
    client
        .simple_query(
            "begin; select pg_advisory_xact_lock(7370232915);
             create table if not exists ringdesk_migrations (
               version int primary key, name text not null, checksum text not null,
               applied_at timestamptz not null default now());
             alter table ringdesk_migrations enable row level security;",
        )
        .await
        .map_err(db)?;
    let mut applied = Vec::new();
    // Once a file runs, every later one runs after it.
    let mut rerun = false;
    let result: Result<(), SyncError> = async {
        for (version, name, sql) in MIGRATIONS {
            let sum = checksum(sql);
            let rows = client
                .query_typed(
                    "select checksum from ringdesk_migrations where version = $1::text::int",
                    &[(&version.to_string(), tokio_postgres::types::Type::TEXT)],
                )
                .await
                .map_err(db)?;
            let known: Option<String> = rows.first().and_then(|r| r.try_get(0).ok());
            if !rerun && known.as_deref() == Some(sum.as_str()) {
                continue;
            }
            rerun = true;
            client.simple_query(sql).await.map_err(|e| match e.as_db_error() {
                Some(d) => SyncError::Server {
                    code: d.code().code().to_string(),
                    message: format!("migration {version} ({name}) failed: {}", d.message()),
                },
                None => SyncError::Unreachable(e.to_string()),
            })?;
            client
                .query_typed(
                    "insert into ringdesk_migrations(version, name, checksum) values ($1::text::int, $2, $3)
                     on conflict (version) do update set checksum = excluded.checksum, applied_at = now()",
                    &[
                        (&version.to_string(), tokio_postgres::types::Type::TEXT),
                        (name, tokio_postgres::types::Type::TEXT),
                        (&sum, tokio_postgres::types::Type::TEXT),
                    ],
                )
                .await
                .map_err(db)?;
            applied.push(format!("{version:04}_{name}"));
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            client.simple_query("commit").await.map_err(db)?;
            Ok(Migrated { applied })
        }
        Err(e) => {
            let _ = client.simple_query("rollback").await;
            Err(e)
        }
    }
}
