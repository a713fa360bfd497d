//! The HTTP side: base URL, Basic auth, form bodies, JSON answers, retries, paging.
//!
//! Retry rules (signalwire.md §1.2):
//! - 429 / 20429 (throttled) is retried for every request, after `Retry-After` when the answer
//!   has one, else exponential backoff with full jitter. Nothing was created.
//! - A request that never left (connection refused, DNS) is retried for every request.
//! - 5xx, timeouts, cut connections and truncated bodies are retried only for reads and
//!   deletes. For a create they are [`Error::Ambiguous`]: the caller reconciles by listing
//!   before any resend (see `Client::send_message_once`).

use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{Error, parse_error_body};

/// The API token; its `Debug` never shows it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first backoff; it doubles each time.
    pub base: Duration,
    /// No single wait is longer.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 4, base: Duration::from_millis(500), max_wait: Duration::from_secs(20) }
    }
}

/// Where and who.
#[derive(Debug, Clone)]
pub struct Config {
    /// `https://{space}.signalwire.com` (or an emulator's `http://127.0.0.1:port`).
    pub origin: Url,
    /// The project ID: the Basic-auth user and the AccountSid in every path.
    pub project_id: String,
    pub token: Token,
    /// One request's limit, connect to last byte.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Most items a list follows `next_page_uri` for.
    pub list_cap: usize,
    /// Items per page asked for (the API allows 1 to 1000).
    pub page_size: u32,
}

impl Config {
    /// For a space given as `example` or `example.signalwire.com`.
    pub fn for_space(space: &str, project_id: &str, token: Token) -> Result<Self, Error> {
        let space = space.trim().trim_start_matches("https://").trim_end_matches('/');
        if space.is_empty() {
            return Err(Error::Config("no SignalWire space".into()));
        }
        let host = if space.contains('.') { space.to_owned() } else { format!("{space}.signalwire.com") };
        let origin =
            Url::parse(&format!("https://{host}")).map_err(|e| Error::Config(format!("space {space:?}: {e}")))?;
        Self::at(origin, project_id, token)
    }

    /// For an explicit origin. Plain `http` only to the local machine (tests, the emulator).
    pub fn at(origin: Url, project_id: &str, token: Token) -> Result<Self, Error> {
        let local = matches!(origin.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if origin.scheme() != "https" && !(origin.scheme() == "http" && local) {
            return Err(Error::Config(format!("{origin} must be https")));
        }
        if project_id.trim().is_empty() {
            return Err(Error::Config("no project ID".into()));
        }
        Ok(Self {
            origin,
            project_id: project_id.trim().to_owned(),
            token,
            timeout: Duration::from_secs(20),
            retry: RetryPolicy::default(),
            list_cap: 10_000,
            page_size: 1000,
        })
    }
}

/// A request's body and whether sending it twice could create something twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// GET, DELETE, and updates that set a value: safe to repeat.
    Repeatable,
    /// A POST that creates (a message, a call, a number purchase).
    Create,
}

/// What a request carries.
#[derive(Clone, Copy)]
enum Body<'a> {
    None,
    Form(&'a [(&'a str, String)]),
    Json(&'a serde_json::Value),
}

/// The SignalWire Compatibility API client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    origin: Url,
    /// `{origin}/api/laml/2010-04-01/Accounts/{project}/`
    account: Url,
    project_id: String,
    token: Token,
    retry: RetryPolicy,
    pub(crate) list_cap: usize,
    pub(crate) page_size: u32,
}

pub(crate) fn tls_config() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::debug!(error = %e, "a system certificate store could not be read");
    }
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    tracing::debug!(added, ignored, "system roots for SignalWire");
    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
        .unwrap_or_else(|_| {
            // Unreachable with ring's defaults; keep a working config rather than panic.
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
                .with_protocol_versions(&[&rustls::version::TLS13])
                .expect("TLS 1.3 with ring")
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth()
        })
}

/// A random number: a randomly keyed hash, enough to spread retries apart and tell requests
/// apart (not for secrets).
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.finish()
}

/// A random wait below `max`.
pub(crate) fn jitter(max: Duration) -> Duration {
    Duration::from_millis(random_u64() % (max.as_millis() as u64).max(1))
}

impl Client {
    pub fn new(config: Config) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls_config())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("Ringdesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        let account = config
            .origin
            .join(&format!("/api/laml/2010-04-01/Accounts/{}/", config.project_id))
            .map_err(|e| Error::Config(e.to_string()))?;
        Ok(Self {
            http,
            origin: config.origin,
            account,
            project_id: config.project_id,
            token: config.token,
            retry: config.retry,
            list_cap: config.list_cap,
            page_size: config.page_size.clamp(1, 1000),
        })
    }

    /// The project ID (the AccountSid).
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// A path on the origin (the native REST APIs live outside the Compatibility prefix).
    pub(crate) fn origin_url(&self, path: &str) -> Result<Url, Error> {
        self.origin.join(path).map_err(|e| Error::Invalid(format!("{path:?}: {e}")))
    }

    /// A link the API gave: on the same origin only.
    pub(crate) fn same_origin(&self, link: &str) -> Result<Url, Error> {
        self.follow(link)
    }

    pub(crate) fn url(&self, path: &str) -> Result<Url, Error> {
        self.account.join(path).map_err(|e| Error::Invalid(format!("{path:?}: {e}")))
    }

    /// Sends one request with the retry rules above; returns the status and the body.
    pub(crate) async fn request(
        &self,
        method: reqwest::Method,
        url: Url,
        form: Option<&[(&str, String)]>,
        kind: Kind,
    ) -> Result<(u16, Vec<u8>), Error> {
        self.send(method, url, form.map(Body::Form).unwrap_or(Body::None), kind).await
    }

    /// A request with a JSON body (the native REST APIs).
    pub(crate) async fn json_body<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        url: Url,
        body: &serde_json::Value,
        kind: Kind,
    ) -> Result<T, Error> {
        let (status, bytes) = self.send(method, url, Body::Json(body), kind).await?;
        decode(status, &bytes)
    }

    async fn send(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Body<'_>,
        kind: Kind,
    ) -> Result<(u16, Vec<u8>), Error> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.attempts;
            let backoff = || {
                let exp = self.retry.base.saturating_mul(1 << (attempt - 1).min(16));
                jitter(exp.min(self.retry.max_wait))
            };
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .basic_auth(&self.project_id, Some(&self.token.0))
                .header(reqwest::header::ACCEPT, "application/json");
            match body {
                Body::None => {}
                Body::Form(form) => req = req.form(form),
                Body::Json(json) => req = req.json(json),
            }
            let sent = req.send().await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) if e.is_connect() && !e.is_timeout() => {
                    if last {
                        return Err(Error::Unreachable(describe(&e)));
                    }
                    tokio::time::sleep(backoff()).await;
                    continue;
                }
                Err(e) => {
                    if kind == Kind::Create || last {
                        return Err(Error::Ambiguous(describe(&e)));
                    }
                    tokio::time::sleep(backoff()).await;
                    continue;
                }
            };
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(120)));
            let body = match resp.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) => {
                    if kind == Kind::Create || last {
                        return Err(Error::Ambiguous(format!(
                            "the answer (HTTP {status}) was cut short: {}",
                            describe(&e)
                        )));
                    }
                    tokio::time::sleep(backoff()).await;
                    continue;
                }
            };
            if (200..300).contains(&status) {
                return Ok((status, body));
            }
            let error = parse_error_body(status, &body);
            if error.is_rate_limited() && !last {
                let wait = retry_after.unwrap_or_else(backoff);
                tracing::debug!(?wait, attempt, "SignalWire throttled the request; waiting");
                tokio::time::sleep(wait).await;
                continue;
            }
            if status >= 500 {
                if kind == Kind::Create {
                    return Err(Error::Ambiguous(format!("HTTP {status}: {}", error.message)));
                }
                if !last {
                    tokio::time::sleep(backoff()).await;
                    continue;
                }
            }
            return Err(Error::Api(error));
        }
    }

    /// A request whose answer is a JSON document of type `T`.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        url: Url,
        form: Option<&[(&str, String)]>,
        kind: Kind,
    ) -> Result<T, Error> {
        let (status, body) = self.request(method, url, form, kind).await?;
        decode(status, &body)
    }

    /// Follows `next_page_uri` from `first`, collecting the items under `key`, up to the cap.
    pub(crate) async fn list<T: DeserializeOwned>(&self, first: Url, key: &str, cap: usize) -> Result<Vec<T>, Error> {
        let mut out: Vec<T> = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            let (status, body) = self.request(reqwest::Method::GET, url, None, Kind::Repeatable).await?;
            let mut page: serde_json::Map<String, serde_json::Value> = decode(status, &body)?;
            let items = page.remove(key).ok_or_else(|| Error::Decode(format!("the page has no {key:?} list")))?;
            let items: Vec<T> = serde_json::from_value(items).map_err(|e| Error::Decode(format!("{key}: {e}")))?;
            let empty = items.is_empty();
            out.extend(items);
            if out.len() >= cap {
                out.truncate(cap);
                break;
            }
            next = match page.get("next_page_uri") {
                Some(serde_json::Value::String(uri)) if !uri.is_empty() && !empty => Some(self.follow(uri)?),
                _ => None,
            };
            if pages > 10_000 {
                return Err(Error::Decode("more than 10,000 pages: the paging does not end".into()));
            }
        }
        Ok(out)
    }

    /// A `next_page_uri`: relative to the origin, or absolute on the same origin. Credentials
    /// never go to another host.
    fn follow(&self, uri: &str) -> Result<Url, Error> {
        let url = self.origin.join(uri).map_err(|e| Error::Decode(format!("next_page_uri {uri:?}: {e}")))?;
        if url.origin() != self.origin.origin() {
            return Err(Error::Decode(format!(
                "next_page_uri points to another host ({})",
                url.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }
}

fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| {
        let kind = if body.first().is_some_and(|b| *b == b'<') {
            "an HTML page, not JSON"
        } else {
            "not valid JSON for this resource"
        };
        Error::Decode(format!("HTTP {status} answer is {kind}: {e}"))
    })
}

/// A transport error without the URL (which could hold a recording's secret path).
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the connection was cut"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() { what.to_owned() } else { format!("{what}: {detail}") }
}
