//! Replication of the desktop's local store with the team's shared PostgreSQL backend (the web
//! CRM's Supabase or Neon database), as designed in `docs/reference/sync.md`.
//!
//! - **Server contract** (`migrations/backend/`, applied by [`backend::migrate`]): two SQL
//!   functions under Row Level Security, `sync.push(client, mutations)` and
//!   `sync.pull(cursor, epoch, limit)`.
//! - **Push, exactly once**: the store's outbox is written in the same SQLite transaction as the
//!   change; mutations go out in id order, numbered per client without gaps; the server skips
//!   ids it has applied (checking that a resend is the same mutation) and refuses gaps; rows are
//!   insert-once by UUIDv7. A rejected mutation is recorded and shown, never blocks the queue.
//! - **Pull, without loss**: an `xid8` watermark cursor bounded by the oldest running
//!   transaction; each page, its re-applied local changes and its cursor land in one SQLite
//!   transaction. Epoch changes and cursors older than the tombstone horizon resync in full
//!   without losing pending changes; a copied or restored database gets a new client id.
//! - **Transports** behind [`Transport`]: direct PostgreSQL ([`PgTransport`], tokio-postgres
//!   with TLS, unnamed statements only so it works through transaction poolers) and Supabase's
//!   REST RPC ([`RestTransport`], reqwest with the agent's JWT).
//!
//! The protocol is hand-written because no maintained crate replicates SQLite with an existing
//! PostgreSQL schema (sync.md §1: PowerSync and Electric need their own services).

mod address;
mod answers;
pub mod backend;
mod engine;
mod error;
mod pg;
mod rest;
mod tls;
mod transport;

pub use address::{BackendKind, check_backend_url};
pub use engine::{Phase, Progress, Report, Syncer, SyncerOptions};
pub use error::SyncError;
pub use pg::PgTransport;
pub use rest::{RestTransport, Session, SupabaseAuth};
pub use transport::Transport;

/// Entry points for the fuzz targets (`fuzz/fuzz_targets/sync_pull_answer.rs`); not an API.
#[doc(hidden)]
pub mod fuzzing {
    use ringdesk_store::{Store, StoreError, replica};

    /// Reads `bytes` as a pull answer and applies its rows to `store` inside a transaction that
    /// is then rolled back: any input must end in an error or a clean apply, never a panic.
    pub fn apply_pull_answer(store: &Store, bytes: &[u8]) {
        let Ok(serde_json::Value::Object(mut answer)) = serde_json::from_slice::<serde_json::Value>(bytes) else {
            return;
        };
        let rows = match answer.remove("rows") {
            Some(serde_json::Value::Array(rows)) => rows,
            _ => return,
        };
        let items = crate::engine::read_rows(rows);
        let _ = store.write(|w| {
            replica::apply_page(
                w,
                &items,
                "1:0:00000000-0000-0000-0000-000000000000",
                ringdesk_core::phone::Region::US,
                true,
            )?;
            // The end of the pull: rows that waited for a parent in the input are settled.
            replica::finish_pull(w, ringdesk_core::phone::Region::US, true)?;
            Err::<(), StoreError>(StoreError::Conflict("rolled back".into()))
        });
    }
}
