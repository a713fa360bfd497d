//! A thin stand-in for Supabase's HTTP layer in front of a real PostgreSQL database.
//!
//! PostgREST and GoTrue cannot be installed on Debian 12 (sync.md §2), so this front does
//! what they do per request and nothing more: `POST /auth/v1/token` (email/password and refresh
//! grants, opaque tokens with an expiry; refresh tokens work once), and `POST /rest/v1/rpc/<fn>`
//! which, like PostgREST, opens a transaction on the real database, switches to the
//! `authenticated` role, sets `request.jwt.claims` to `{"sub": <user id>}` and calls the function
//! with the JSON body's keys as its arguments. Errors come back in PostgREST's shape
//! (`{code, message, details, hint}`). Only the HTTP framing is simulated; the database, its
//! functions and Row Level Security are the real ones. Test code only.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

struct User {
    password: String,
    id: String,
}

struct State {
    pg_url: String,
    apikey: String,
    users: Mutex<HashMap<String, User>>,
    access: Mutex<HashMap<String, (String, Instant)>>,
    refresh: Mutex<HashMap<String, (String, String)>>,
    ttl: Mutex<Duration>,
    rpc_calls: AtomicU64,
    token_grants: AtomicU64,
}

/// The running front; stops with the test's runtime.
pub struct SupabaseFront {
    addr: SocketAddr,
    state: Arc<State>,
}

impl std::fmt::Debug for SupabaseFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupabaseFront").field("addr", &self.addr).finish_non_exhaustive()
    }
}

fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for _ in 0..4 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(Instant::now().elapsed().as_nanos());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

fn pgrst(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({"code": code, "message": message, "details": null, "hint": null}))).into_response()
}

impl SupabaseFront {
    /// Starts on a free loopback port, calling into the database at `pg_url` (a superuser's URL,
    /// as PostgREST's authenticator), accepting the publishable key `apikey`. Needs a tokio
    /// runtime.
    pub async fn start(pg_url: &str, apikey: &str) -> Result<SupabaseFront, String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let state = Arc::new(State {
            pg_url: pg_url.to_string(),
            apikey: apikey.to_string(),
            users: Mutex::new(HashMap::new()),
            access: Mutex::new(HashMap::new()),
            refresh: Mutex::new(HashMap::new()),
            ttl: Mutex::new(Duration::from_secs(3600)),
            rpc_calls: AtomicU64::new(0),
            token_grants: AtomicU64::new(0),
        });
        let (s1, s2) = (state.clone(), state.clone());
        let app = axum::Router::new()
            .route(
                "/auth/v1/token",
                axum::routing::post(move |q: Query<HashMap<String, String>>, h: HeaderMap, b: Bytes| {
                    let s = s1.clone();
                    async move { token(&s, &q, &h, &b) }
                }),
            )
            .route(
                "/rest/v1/rpc/{function}",
                axum::routing::post(move |p: Path<String>, h: HeaderMap, b: Bytes| {
                    let s = s2.clone();
                    async move { rpc(&s, &p, &h, &b).await }
                }),
            );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(SupabaseFront { addr, state })
    }

    /// The project URL (`http://127.0.0.1:port`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Adds a user who can sign in; `id` is their `sub`.
    pub fn add_user(&self, email: &str, password: &str, id: &str) {
        let user = User { password: password.into(), id: id.into() };
        self.state.users.lock().unwrap_or_else(|p| p.into_inner()).insert(email.into(), user);
    }

    /// How long new access tokens live.
    pub fn set_token_ttl(&self, ttl: Duration) {
        *self.state.ttl.lock().unwrap_or_else(|p| p.into_inner()) = ttl;
    }

    /// Every access token issued so far stops working (as if expired).
    pub fn expire_access_tokens(&self) {
        self.state.access.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Every refresh token stops working (the session was revoked).
    pub fn revoke_sessions(&self) {
        self.state.refresh.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.expire_access_tokens();
    }

    pub fn rpc_calls(&self) -> u64 {
        self.state.rpc_calls.load(Ordering::SeqCst)
    }

    /// Sign-ins and refreshes granted.
    pub fn token_grants(&self) -> u64 {
        self.state.token_grants.load(Ordering::SeqCst)
    }
}

fn token(state: &State, q: &HashMap<String, String>, headers: &HeaderMap, body: &[u8]) -> Response {
    if headers.get("apikey").and_then(|v| v.to_str().ok()) != Some(state.apikey.as_str()) {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"message": "Invalid API key"}))).into_response();
    }
    let body: Json = serde_json::from_slice(body).unwrap_or(Json::Null);
    let invalid = |why: &str| {
        (StatusCode::BAD_REQUEST, axum::Json(json!({"error": "invalid_grant", "error_description": why})))
            .into_response()
    };
    let (user_id, email) = match q.get("grant_type").map(String::as_str) {
        Some("password") => {
            let email = body.get("email").and_then(Json::as_str).unwrap_or("");
            let password = body.get("password").and_then(Json::as_str).unwrap_or("");
            let users = state.users.lock().unwrap_or_else(|p| p.into_inner());
            match users.get(email) {
                Some(u) if u.password == password => (u.id.clone(), email.to_string()),
                _ => return invalid("Invalid login credentials"),
            }
        }
        Some("refresh_token") => {
            let given = body.get("refresh_token").and_then(Json::as_str).unwrap_or("");
            match state.refresh.lock().unwrap_or_else(|p| p.into_inner()).remove(given) {
                Some(found) => found,
                None => return invalid("Invalid Refresh Token: Refresh Token Not Found"),
            }
        }
        _ => return invalid("unsupported grant_type"),
    };
    let ttl = *state.ttl.lock().unwrap_or_else(|p| p.into_inner());
    let (access, refresh) = (random_token(), random_token());
    state
        .access
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(access.clone(), (user_id.clone(), Instant::now() + ttl));
    state.refresh.lock().unwrap_or_else(|p| p.into_inner()).insert(refresh.clone(), (user_id.clone(), email.clone()));
    state.token_grants.fetch_add(1, Ordering::SeqCst);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    axum::Json(json!({
        "access_token": access, "token_type": "bearer", "expires_in": ttl.as_secs(),
        "expires_at": now + ttl.as_secs(), "refresh_token": refresh,
        "user": {"id": user_id, "email": email}
    }))
    .into_response()
}

async fn rpc(state: &State, function: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    state.rpc_calls.fetch_add(1, Ordering::SeqCst);
    if headers.get("apikey").and_then(|v| v.to_str().ok()) != Some(state.apikey.as_str()) {
        return pgrst(StatusCode::UNAUTHORIZED, "PGRST301", "Invalid API key");
    }
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let user = {
        let access = state.access.lock().unwrap_or_else(|p| p.into_inner());
        match access.get(bearer) {
            Some((id, until)) if Instant::now() < *until => id.clone(),
            _ => return pgrst(StatusCode::UNAUTHORIZED, "PGRST301", "JWT expired"),
        }
    };
    let args: Json = match serde_json::from_slice(body) {
        Ok(j) => j,
        Err(e) => return pgrst(StatusCode::BAD_REQUEST, "PGRST102", &format!("Invalid body: {e}")),
    };
    let text = |k: &str| match args.get(k) {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    let (sql, params): (&str, Vec<Option<String>>) = match function {
        "sync_push" => (
            "select public.sync_push($1::text::uuid, $2::text::jsonb)::text",
            vec![text("client_id"), text("mutations")],
        ),
        "sync_pull" => (
            "select public.sync_pull($1, $2::text::uuid, $3::text::int)::text",
            vec![text("cursor"), text("epoch"), text("max_rows")],
        ),
        "sync_whoami" => ("select public.sync_whoami()::text", vec![]),
        "claim_campaign_leads" => (
            "select public.claim_campaign_leads($1::text::uuid, $2::text::jsonb, $3::text::int, $4::text::jsonb)::text",
            vec![text("campaign_id"), text("lead_ids"), text("lease_seconds"), text("release_ids")],
        ),
        other => {
            return pgrst(
                StatusCode::NOT_FOUND,
                "PGRST202",
                &format!("Could not find the function public.{other} in the schema cache"),
            );
        }
    };
    match call(&state.pg_url, &user, sql, &params).await {
        Ok(text) => (StatusCode::OK, [("content-type", "application/json")], text).into_response(),
        Err(Some((code, message))) => {
            let status = if code == "42883" { StatusCode::NOT_FOUND } else { StatusCode::BAD_REQUEST };
            let code = if code == "42883" { "PGRST202".to_string() } else { code };
            pgrst(status, &code, &message)
        }
        Err(None) => pgrst(StatusCode::SERVICE_UNAVAILABLE, "PGRST000", "Database client error"),
    }
}

/// One request's transaction, as PostgREST runs it.
async fn call(
    pg_url: &str,
    user: &str,
    sql: &str,
    params: &[Option<String>],
) -> Result<String, Option<(String, String)>> {
    let (mut client, conn) = tokio_postgres::connect(pg_url, tokio_postgres::NoTls).await.map_err(|_| None)?;
    tokio::spawn(conn);
    let db = |e: tokio_postgres::Error| e.as_db_error().map(|d| (d.code().code().to_string(), d.message().to_string()));
    let tx = client.transaction().await.map_err(db)?;
    tx.batch_execute("set local role authenticated").await.map_err(db)?;
    let claims = json!({"sub": user, "role": "authenticated"}).to_string();
    tx.query_typed(
        "select set_config('request.jwt.claims', $1, true)",
        &[(&claims, tokio_postgres::types::Type::TEXT)],
    )
    .await
    .map_err(db)?;
    let typed: Vec<(&(dyn tokio_postgres::types::ToSql + Sync), tokio_postgres::types::Type)> = params
        .iter()
        .map(|p| (p as &(dyn tokio_postgres::types::ToSql + Sync), tokio_postgres::types::Type::TEXT))
        .collect();
    let rows = tx.query_typed(sql, &typed).await.map_err(db)?;
    let out: Option<String> = rows.first().and_then(|r| r.try_get(0).ok());
    tx.commit().await.map_err(db)?;
    Ok(out.unwrap_or_else(|| "null".into()))
}
