//! The one interface both transports implement: the server contract's calls.

use std::future::Future;

use serde_json::Value as Json;

use crate::SyncError;

/// A way to call `sync.push`, `sync.pull`, `sync.whoami` and the dialer's claim on the backend. Each returns the function's JSON
/// answer; the engine reads it, so both transports are read by the same code.
pub trait Transport: Send + Sync {
    /// `sync.push(client_id, mutations)`.
    fn push(&self, client_id: &str, mutations: &Json) -> impl Future<Output = Result<Json, SyncError>> + Send;
    /// `sync.pull(cursor, epoch, limit)`.
    fn pull(
        &self,
        cursor: &str,
        epoch: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<Json, SyncError>> + Send;
    /// `sync.claim_campaign_leads(campaign, leads, seconds, release)`: leases the leads of
    /// `lead_ids` (a JSON array) this agent may dial now, after giving back `release_ids`.
    fn claim(
        &self,
        campaign_id: &str,
        lead_ids: &Json,
        lease_seconds: u32,
        release_ids: &Json,
    ) -> impl Future<Output = Result<Json, SyncError>> + Send;
    /// `sync.whoami()`: `{"agent", "manages": [agent ids], "teams": [{"id", "name", "role"}]}`.
    fn whoami(&self) -> impl Future<Output = Result<Json, SyncError>> + Send;
    /// Where this transport goes, for messages (never with a secret).
    fn describe(&self) -> String;
}
