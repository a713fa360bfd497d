//! Direct PostgreSQL: tokio-postgres over TLS (or plain on loopback), unnamed statements only.
//!
//! `query`/`execute` with a `&str` prepare a *named* statement, which fails through Supabase's
//! and Neon's transaction poolers ("prepared statement s0 does not exist", sync.md §2). Every
//! call here is `query_typed`: one round trip, an unnamed statement, text parameters cast in SQL.

use std::str::FromStr;
use std::time::Duration;

use serde_json::Value as Json;
use tokio::sync::Mutex;
use tokio_postgres::types::Type;

use crate::{SyncError, Transport, tls};

const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The backend reached with a PostgreSQL URL (per-agent role, or a pooler).
pub struct PgTransport {
    config: tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    client: Mutex<Option<tokio_postgres::Client>>,
    describe: String,
}

impl std::fmt::Debug for PgTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTransport").field("backend", &self.describe).finish_non_exhaustive()
    }
}

impl PgTransport {
    /// Reads a `postgres://user[:password]@host:port/db?sslmode=...` URL. Nothing connects yet.
    pub fn new(url: &str) -> Result<PgTransport, SyncError> {
        Self::with_password(url, None)
    }

    /// [`PgTransport::new`] with the password kept apart from the URL (the app keeps it in the
    /// keychain, the URL in its settings).
    pub fn with_password(url: &str, password: Option<&str>) -> Result<PgTransport, SyncError> {
        let (url, ca) = prepare_url(url)?;
        let mut config = tokio_postgres::Config::from_str(&url)
            .map_err(|e| SyncError::Config(format!("the backend URL is not a PostgreSQL URL: {e}")))?;
        if let Some(p) = password {
            config.password(p);
        }
        config.connect_timeout(Duration::from_secs(10));
        config.application_name("ringdesk");
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(s) => s.clone(),
                tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
            })
            .collect();
        let describe = format!(
            "postgres://{}@{}/{}",
            config.get_user().unwrap_or("?"),
            hosts.join(","),
            config.get_dbname().unwrap_or("?")
        );
        Ok(PgTransport {
            config,
            tls: tokio_postgres_rustls::MakeRustlsConnect::new(match ca {
                Some(ca) => tls::client_config_with(&ca)?,
                None => tls::client_config(),
            }),
            client: Mutex::new(None),
            describe,
        })
    }

    async fn call(&self, sql: &str, params: &[&str]) -> Result<Json, SyncError> {
        let mut slot = self.client.lock().await;
        // A kept connection may have died while idle (a pooler or NAT closed it): one retry on a
        // fresh connection. Both functions are safe to repeat (push is idempotent per client).
        for attempt in 0..2 {
            let reused = slot.as_ref().is_some_and(|c| !c.is_closed());
            if !reused {
                let (client, connection) = self.config.connect(self.tls.clone()).await.map_err(map_error)?;
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!(error = %e, "backend connection ended");
                    }
                });
                *slot = Some(client);
            }
            let Some(client) = slot.as_ref() else { return Err(SyncError::Unreachable("no connection".into())) };
            let typed: Vec<(&(dyn tokio_postgres::types::ToSql + Sync), Type)> =
                params.iter().map(|p| (p as &(dyn tokio_postgres::types::ToSql + Sync), Type::TEXT)).collect();
            let rows = match tokio::time::timeout(CALL_TIMEOUT, client.query_typed(sql, &typed)).await {
                Ok(Ok(rows)) => rows,
                Ok(Err(e)) if e.as_db_error().is_some() => return Err(map_error(e)),
                Ok(Err(e)) => {
                    *slot = None;
                    if reused && attempt == 0 {
                        tracing::debug!(error = %e, "the kept backend connection failed; reconnecting");
                        continue;
                    }
                    return Err(map_error(e));
                }
                Err(_) => {
                    *slot = None;
                    return Err(SyncError::Unreachable(format!("no answer within {} s", CALL_TIMEOUT.as_secs())));
                }
            };
            let text: Option<String> = rows.first().and_then(|r| r.try_get(0).ok());
            let text = text.ok_or_else(|| SyncError::Malformed("the function returned no row".into()))?;
            return serde_json::from_str(&text).map_err(|e| SyncError::Malformed(format!("not JSON: {e}")));
        }
        Err(SyncError::Unreachable("the connection failed twice".into()))
    }
}

/// What tokio-postgres does not read itself: `sslmode=verify-full|verify-ca` (what Supabase and
/// Neon print; rustls always verifies the certificate and the host name, so they mean `require`
/// here) and `sslrootcert=FILE` (a private CA, added to the system roots).
fn prepare_url(url: &str) -> Result<(String, Option<std::path::PathBuf>), SyncError> {
    let url = url.trim();
    if crate::check_backend_url(url)? != crate::BackendKind::Postgres {
        return Err(SyncError::Config(format!("the backend URL {url:?} is not a postgres:// URL")));
    }
    let mut parsed =
        url::Url::parse(url).map_err(|e| SyncError::Config(format!("the backend URL is not a PostgreSQL URL: {e}")))?;
    // No sslmode means TLS is required to another machine (libpq's default, `prefer`, would fall
    // back to clear text); the address rule allowed a weaker one only for this machine.
    if !crate::address::is_loopback(&parsed) && !parsed.query_pairs().any(|(k, _)| k == "sslmode") {
        parsed.query_pairs_mut().append_pair("sslmode", "require");
    }
    let mut ca = None;
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .filter_map(|(k, v)| match (k.as_ref(), v.as_ref()) {
            ("sslrootcert", path) => {
                ca = Some(std::path::PathBuf::from(path));
                None
            }
            ("sslmode", "verify-full" | "verify-ca") => Some(("sslmode".to_string(), "require".to_string())),
            _ => Some((k.into_owned(), v.into_owned())),
        })
        .collect();
    if pairs.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    Ok((parsed.to_string(), ca))
}

fn map_error(e: tokio_postgres::Error) -> SyncError {
    match e.as_db_error() {
        Some(db) => SyncError::from_sqlstate(db.code().code(), db.message()),
        None => {
            let text = e.to_string();
            let source = std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_default();
            if source.contains("certificate") || source.contains("UnknownIssuer") || text.contains("certificate") {
                SyncError::Config(format!(
                    "the backend's TLS certificate was not accepted ({source}); for a private CA add sslrootcert=/path/ca.pem to the URL"
                ))
            } else if source.is_empty() {
                SyncError::Unreachable(text)
            } else {
                SyncError::Unreachable(format!("{text}: {source}"))
            }
        }
    }
}

impl Transport for PgTransport {
    async fn push(&self, client_id: &str, mutations: &Json) -> Result<Json, SyncError> {
        let body = mutations.to_string();
        self.call("select sync.push($1::text::uuid, $2::text::jsonb)::text", &[client_id, &body]).await
    }

    async fn claim(
        &self,
        campaign_id: &str,
        lead_ids: &Json,
        lease_seconds: u32,
        release_ids: &Json,
    ) -> Result<Json, SyncError> {
        let (leads, seconds, release) = (lead_ids.to_string(), lease_seconds.to_string(), release_ids.to_string());
        self.call(
            "select sync.claim_campaign_leads($1::text::uuid, $2::text::jsonb, $3::text::int, $4::text::jsonb)::text",
            &[campaign_id, &leads, &seconds, &release],
        )
        .await
    }

    async fn whoami(&self) -> Result<Json, SyncError> {
        self.call("select sync.whoami()::text", &[]).await
    }

    async fn pull(&self, cursor: &str, epoch: Option<&str>, limit: u32) -> Result<Json, SyncError> {
        let limit = limit.to_string();
        match epoch {
            Some(e) => {
                self.call("select sync.pull($1, $2::text::uuid, $3::text::int)::text", &[cursor, e, &limit]).await
            }
            None => self.call("select sync.pull($1, null, $2::text::int)::text", &[cursor, &limit]).await,
        }
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}
