//! Supabase's REST layer: sign-in with Supabase Auth and the sync functions as PostgREST RPC.
//!
//! The desktop holds only the project's publishable (anon) key and the agent's own session: the
//! access token lives in memory, the refresh token in the OS keychain (the app's business). Row
//! Level Security on the backend does all the filtering (sync.md §4).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Value as Json, json};
use tokio::sync::Mutex;

use crate::{SyncError, Transport, tls};

const TIMEOUT: Duration = Duration::from_secs(30);

/// An agent's signed-in session. `Debug` never shows the tokens.
#[derive(Clone, PartialEq)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// Unix seconds after which the access token is refused.
    pub expires_at: u64,
    /// The agent's user id (the JWT's `sub`).
    pub user_id: String,
    pub email: Option<String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("email", &self.email)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn http_client() -> Result<reqwest::Client, SyncError> {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls::client_config())
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| SyncError::Config(format!("cannot set up HTTPS: {e}")))
}

fn base_url(url: &str) -> Result<url::Url, SyncError> {
    if crate::check_backend_url(url)? != crate::BackendKind::Rest {
        return Err(SyncError::Config(format!("the project URL must start with https:// (got {url:?})")));
    }
    let mut u = url::Url::parse(url.trim())
        .map_err(|e| SyncError::Config(format!("the project URL {url:?} is not a URL: {e}")))?;
    if !matches!(u.scheme(), "https" | "http") {
        return Err(SyncError::Config(format!("the project URL must start with https:// (got {url:?})")));
    }
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    Ok(u)
}

fn send_error(e: reqwest::Error) -> SyncError {
    SyncError::Unreachable(e.without_url().to_string())
}

/// Supabase Auth (GoTrue): email/password sign-in and token refresh.
#[derive(Clone)]
pub struct SupabaseAuth {
    http: reqwest::Client,
    base: url::Url,
    apikey: String,
}

impl std::fmt::Debug for SupabaseAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupabaseAuth").field("base", &self.base.as_str()).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    refresh_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    expires_at: Option<u64>,
    user: TokenUser,
}

#[derive(Deserialize)]
struct TokenUser {
    id: String,
    #[serde(default)]
    email: Option<String>,
}

impl SupabaseAuth {
    /// `url` is the project URL (`https://<ref>.supabase.co`), `apikey` its publishable key.
    pub fn new(url: &str, apikey: &str) -> Result<SupabaseAuth, SyncError> {
        if apikey.trim().is_empty() {
            return Err(SyncError::Config("the project's publishable (anon) key is missing".into()));
        }
        Ok(SupabaseAuth { http: http_client()?, base: base_url(url)?, apikey: apikey.trim().to_string() })
    }

    pub fn base(&self) -> &url::Url {
        &self.base
    }

    /// Signs in with the agent's email and password.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Session, SyncError> {
        self.token("password", json!({"email": email, "password": password})).await
    }

    /// A new session from a refresh token (each refresh token works once).
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session, SyncError> {
        self.token("refresh_token", json!({"refresh_token": refresh_token})).await
    }

    async fn token(&self, grant: &str, body: Json) -> Result<Session, SyncError> {
        let mut url = self.base.join("auth/v1/token").map_err(|e| SyncError::Config(e.to_string()))?;
        url.query_pairs_mut().append_pair("grant_type", grant);
        let resp = self.http.post(url).header("apikey", &self.apikey).json(&body).send().await.map_err(send_error)?;
        let status = resp.status();
        let text = resp.text().await.map_err(send_error)?;
        if !status.is_success() {
            let j: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
            let why = ["error_description", "msg", "message", "error"]
                .iter()
                .find_map(|k| j.get(k).and_then(Json::as_str))
                .unwrap_or("no reason given")
                .to_string();
            return Err(match status.as_u16() {
                400 | 401 | 403 | 422 => SyncError::Auth(why),
                404 => SyncError::Config(format!("no Supabase Auth at {} ({why})", self.base)),
                _ => SyncError::Server { code: status.as_u16().to_string(), message: why },
            });
        }
        let a: TokenAnswer = serde_json::from_str(&text)
            .map_err(|e| SyncError::Malformed(format!("the sign-in answer is not a session: {e}")))?;
        let expires_at = a.expires_at.unwrap_or_else(|| now_secs() + a.expires_in.unwrap_or(3600));
        Ok(Session {
            access_token: a.access_token,
            refresh_token: a.refresh_token,
            expires_at,
            user_id: a.user.id,
            email: a.user.email,
        })
    }
}

type OnRefresh = Box<dyn Fn(&Session) + Send + Sync>;

/// The sync functions called as PostgREST RPC with the agent's JWT.
pub struct RestTransport {
    auth: SupabaseAuth,
    session: Mutex<Session>,
    on_refresh: Option<OnRefresh>,
}

impl std::fmt::Debug for RestTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestTransport").field("base", &self.auth.base.as_str()).finish_non_exhaustive()
    }
}

impl RestTransport {
    /// `on_refresh` is told every new session (to keep the new refresh token in the keychain).
    pub fn new(auth: SupabaseAuth, session: Session, on_refresh: Option<OnRefresh>) -> RestTransport {
        RestTransport { auth, session: Mutex::new(session), on_refresh }
    }

    async fn refresh(&self, session: &mut Session) -> Result<(), SyncError> {
        let fresh = self.auth.refresh(&session.refresh_token).await.map_err(|e| match e {
            SyncError::Auth(why) => {
                SyncError::Auth(format!("the session has ended ({why}); sign in again in Settings"))
            }
            other => other,
        })?;
        *session = fresh;
        if let Some(f) = &self.on_refresh {
            f(session);
        }
        Ok(())
    }

    async fn rpc(&self, function: &str, body: Json) -> Result<Json, SyncError> {
        let url =
            self.auth.base.join(&format!("rest/v1/rpc/{function}")).map_err(|e| SyncError::Config(e.to_string()))?;
        let mut session = self.session.lock().await;
        if session.expires_at <= now_secs() + 30 {
            self.refresh(&mut session).await?;
        }
        for attempt in 0..2 {
            let resp = self
                .auth
                .http
                .post(url.clone())
                .header("apikey", &self.auth.apikey)
                .bearer_auth(&session.access_token)
                .json(&body)
                .send()
                .await
                .map_err(send_error)?;
            let status = resp.status();
            let text = resp.text().await.map_err(send_error)?;
            if status.is_success() {
                return serde_json::from_str(&text).map_err(|e| SyncError::Malformed(format!("not JSON: {e}")));
            }
            let j: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
            let code = j.get("code").and_then(Json::as_str).unwrap_or("").to_string();
            let message = j
                .get("message")
                .and_then(Json::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP {status}: {}", text.chars().take(200).collect::<String>()));
            if status.as_u16() == 401 && attempt == 0 {
                self.refresh(&mut session).await?;
                continue;
            }
            return Err(match (status.as_u16(), code.as_str()) {
                (401, _) | (403, _) => SyncError::Auth(message),
                (404, "PGRST202") | (404, "42883") => SyncError::NotMigrated(message),
                (404, _) => SyncError::Config(format!("no Supabase REST API at {} ({message})", self.auth.base)),
                (_, c) if !c.is_empty() && !c.starts_with("PGRST") => SyncError::from_sqlstate(c, &message),
                (s, _) if s >= 500 => SyncError::Server { code: s.to_string(), message },
                (s, _) => SyncError::Server { code: if code.is_empty() { s.to_string() } else { code }, message },
            });
        }
        Err(SyncError::Auth("the access token was refused twice".into()))
    }

    /// The signed-in agent's id.
    pub async fn user_id(&self) -> String {
        self.session.lock().await.user_id.clone()
    }
}

impl Transport for RestTransport {
    async fn push(&self, client_id: &str, mutations: &Json) -> Result<Json, SyncError> {
        self.rpc("sync_push", json!({"client_id": client_id, "mutations": mutations})).await
    }

    async fn pull(&self, cursor: &str, epoch: Option<&str>, limit: u32) -> Result<Json, SyncError> {
        self.rpc("sync_pull", json!({"cursor": cursor, "epoch": epoch, "max_rows": limit})).await
    }

    async fn claim(
        &self,
        campaign_id: &str,
        lead_ids: &Json,
        lease_seconds: u32,
        release_ids: &Json,
    ) -> Result<Json, SyncError> {
        let body = json!({"campaign_id": campaign_id, "lead_ids": lead_ids, "lease_seconds": lease_seconds,
                          "release_ids": release_ids});
        self.rpc("claim_campaign_leads", body).await
    }

    async fn whoami(&self) -> Result<Json, SyncError> {
        self.rpc("sync_whoami", json!({})).await
    }

    fn describe(&self) -> String {
        self.auth.base.to_string()
    }
}
