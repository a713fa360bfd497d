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

pub mod backend;
mod engine;
mod error;
mod pg;
mod rest;
mod tls;
mod transport;

pub use engine::{Phase, Progress, Report, Syncer, SyncerOptions};
pub use error::SyncError;
pub use pg::PgTransport;
pub use rest::{RestTransport, Session, SupabaseAuth};
pub use transport::Transport;
