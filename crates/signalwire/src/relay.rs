//! RELAY: SignalWire's realtime WebSocket (JSON-RPC 2.0, signalwire.md §4.1), so inbound texts
//! and call offers reach the desktop without a public webhook URL.
//!
//! Hand-written over tokio-tungstenite: the only Rust RELAY client (`signalwire` 1.0) is a stub.
//! The session: `signalwire.connect` with the project and token, the contexts to receive, and on
//! a reconnect the `protocol` (and `authorization_state`) of the previous session, so the server
//! resumes it and delivers what was queued meanwhile. Every `signalwire.event` and
//! `signalwire.ping` is acknowledged with an empty result. A lost connection is retried with
//! exponential backoff from 1 s to 30 s (with jitter). After every (re)connect the caller gets
//! [`RelayEvent::Connected`] and must reconcile by REST: RELAY alone does not promise that
//! nothing was missed.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as Ws;
use url::Url;

use crate::client::Token;

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// `wss://{space}.signalwire.com` (or `ws://127.0.0.1:port` for the test emulator).
    pub url: Url,
    pub project_id: String,
    pub token: Token,
    /// The contexts (topics) whose events to receive; numbers route to them.
    pub contexts: Vec<String>,
    /// The first wait after a lost connection; it doubles up to `max_backoff`.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

impl RelayConfig {
    /// For a space (`example` or `example.signalwire.com`).
    pub fn for_space(space: &str, project_id: &str, token: Token, contexts: Vec<String>) -> Result<Self, crate::Error> {
        let space = space.trim().trim_start_matches("https://").trim_end_matches('/');
        let host = if space.contains('.') { space.to_owned() } else { format!("{space}.signalwire.com") };
        let url =
            Url::parse(&format!("wss://{host}")).map_err(|e| crate::Error::Config(format!("space {space:?}: {e}")))?;
        Ok(Self::at(url, project_id, token, contexts))
    }

    /// For an explicit WebSocket URL (a proxy, or the test emulator's `ws://`).
    pub fn at(url: Url, project_id: &str, token: Token, contexts: Vec<String>) -> Self {
        Self {
            url,
            project_id: project_id.into(),
            token,
            contexts,
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// A text that arrived (`messaging.receive`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundText {
    /// The message's id: the same SID the REST API lists it under.
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub context: String,
    pub media: Vec<String>,
}

/// What the realtime connection reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayEvent {
    /// Connected (again). `resumed`: the server took back the previous session. Reconcile by
    /// REST now either way.
    Connected { resumed: bool },
    /// The connection was lost; it is being retried.
    Disconnected { reason: String, retry_in: Duration },
    /// The server refused the credentials; no retry until the settings change.
    Refused { reason: String },
    /// A text arrived.
    Text(InboundText),
    /// A sent text's state changed (`messaging.state`).
    TextState { message_id: String, state: String },
    /// A call is offered to a context (`calling.call.receive`).
    CallOffered { call_id: String, from: String, to: String, context: String },
}

/// The running connection; dropping it disconnects.
#[derive(Debug)]
pub struct RelayHandle {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for RelayHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the connection on the current tokio runtime; events go to `events`.
pub fn spawn(config: RelayConfig, events: mpsc::UnboundedSender<RelayEvent>) -> RelayHandle {
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        tokio::select! {
            () = run(config, events) => {}
            _ = stop_rx => {}
        }
    });
    RelayHandle { stop: Some(stop_tx) }
}

/// What a session carries over to the next connection.
#[derive(Debug, Default, Clone)]
struct Resume {
    protocol: Option<String>,
    authorization_state: Option<String>,
}

enum Ended {
    /// Lost; retry.
    Lost(String),
    /// Credentials refused; stop.
    Refused(String),
}

async fn run(config: RelayConfig, events: mpsc::UnboundedSender<RelayEvent>) {
    let mut resume = Resume::default();
    let mut wait = config.min_backoff;
    loop {
        let started = std::time::Instant::now();
        match session(&config, &mut resume, &events).await {
            Ended::Refused(reason) => {
                let _ = events.send(RelayEvent::Refused { reason });
                return;
            }
            Ended::Lost(reason) => {
                // A session that lasted a while starts the backoff over.
                if started.elapsed() > config.max_backoff {
                    wait = config.min_backoff;
                }
                let retry_in = wait + crate::client::jitter(wait / 4);
                if events.send(RelayEvent::Disconnected { reason, retry_in }).is_err() {
                    return;
                }
                tokio::time::sleep(retry_in).await;
                wait = (wait * 2).min(config.max_backoff);
            }
        }
    }
}

fn new_id() -> String {
    format!("{:016x}", crate::client::random_u64())
}

async fn session(config: &RelayConfig, resume: &mut Resume, events: &mpsc::UnboundedSender<RelayEvent>) -> Ended {
    let connector = tokio_tungstenite::Connector::Rustls(Arc::new(crate::client::tls_config()));
    let connecting =
        tokio_tungstenite::connect_async_tls_with_config(config.url.as_str(), None, false, Some(connector));
    let (mut ws, _) = match tokio::time::timeout(Duration::from_secs(20), connecting).await {
        Ok(Ok(pair)) => pair,
        Ok(Err(e)) => return Ended::Lost(format!("could not connect: {e}")),
        Err(_) => return Ended::Lost("connecting timed out".into()),
    };
    let connect_id = new_id();
    let mut params = json!({
        "version": {"major": 2, "minor": 0, "revision": 0},
        "agent": concat!("ringdesk/", env!("CARGO_PKG_VERSION")),
        "event_acks": true,
        "authentication": {"project": config.project_id, "token": config.token.expose()},
        "contexts": config.contexts,
    });
    if let Some(p) = &resume.protocol {
        params["protocol"] = json!(p);
    }
    if let Some(a) = &resume.authorization_state {
        params["authorization_state"] = json!(a);
    }
    let hello = json!({"jsonrpc": "2.0", "id": connect_id, "method": "signalwire.connect", "params": params});
    if let Err(e) = ws.send(Ws::text(hello.to_string())).await {
        return Ended::Lost(format!("could not send the handshake: {e}"));
    }
    let mut connected = false;
    // Quiet for this long means the connection is dead (the server pings more often).
    let idle = Duration::from_secs(90);
    loop {
        let frame = match tokio::time::timeout(idle, ws.next()).await {
            Err(_) => return Ended::Lost("no traffic for 90 s".into()),
            Ok(None) => return Ended::Lost("the server closed the connection".into()),
            Ok(Some(Err(e))) => return Ended::Lost(format!("connection error: {e}")),
            Ok(Some(Ok(f))) => f,
        };
        let text = match frame {
            Ws::Text(t) => t.to_string(),
            Ws::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
            Ws::Ping(p) => {
                let _ = ws.send(Ws::Pong(p)).await;
                continue;
            }
            Ws::Close(c) => return Ended::Lost(format!("closed by the server: {c:?}")),
            _ => continue,
        };
        let Ok(msg) = serde_json::from_str::<Value>(&text) else {
            tracing::debug!(len = text.len(), "RELAY sent something that is not JSON; ignored");
            continue;
        };
        if !connected && msg.get("id").and_then(Value::as_str) == Some(connect_id.as_str()) {
            if let Some(err) = msg.get("error") {
                let reason = err.get("message").and_then(Value::as_str).unwrap_or("refused").to_owned();
                let code = err.get("code").and_then(Value::as_i64).unwrap_or(0);
                // A resume the server no longer knows: start a fresh session.
                if resume.protocol.is_some() && !reason.to_ascii_lowercase().contains("auth") {
                    *resume = Resume::default();
                    return Ended::Lost(format!("the session could not be resumed ({reason})"));
                }
                return Ended::Refused(format!("{reason} ({code})"));
            }
            let result = msg.get("result").cloned().unwrap_or(Value::Null);
            let protocol = result.get("protocol").and_then(Value::as_str).map(str::to_owned);
            let resumed = protocol.is_some() && protocol == resume.protocol;
            resume.protocol = protocol;
            connected = true;
            if events.send(RelayEvent::Connected { resumed }).is_err() {
                return Ended::Lost("stopped".into());
            }
            continue;
        }
        let method = msg.get("method").and_then(Value::as_str).unwrap_or("");
        let id = msg.get("id").cloned();
        match method {
            "signalwire.event" => {
                if let Some(event) = msg.get("params").and_then(|p| read_event(p, resume)) {
                    let _ = events.send(event);
                }
            }
            "signalwire.disconnect" => {
                ack(&mut ws, id).await;
                return Ended::Lost("the server asked to reconnect".into());
            }
            _ => {}
        }
        if matches!(method, "signalwire.event" | "signalwire.ping") {
            ack(&mut ws, id).await;
        }
    }
}

async fn ack<S>(ws: &mut S, id: Option<Value>)
where
    S: futures_util::Sink<Ws> + Unpin,
{
    if let Some(id) = id {
        let _ = ws.send(Ws::text(json!({"jsonrpc": "2.0", "id": id, "result": {}}).to_string())).await;
    }
}

fn text_field(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

/// Reads one frame the server sent as the event it carries, if it is a `signalwire.event` this
/// client acts on (for the fuzz target and tests; the session loop reads frames the same way).
pub fn decode_event(frame: &str) -> Option<RelayEvent> {
    let msg: Value = serde_json::from_str(frame).ok()?;
    if msg.get("method").and_then(Value::as_str) != Some("signalwire.event") {
        return None;
    }
    read_event(msg.get("params")?, &mut Resume::default())
}

fn read_event(event: &Value, resume: &mut Resume) -> Option<RelayEvent> {
    let kind = event.get("event_type").and_then(Value::as_str).unwrap_or("");
    let p = event.get("params").cloned().unwrap_or(Value::Null);
    let out = match kind {
        "messaging.receive" => {
            let message_id = text_field(&p, "message_id");
            if message_id.is_empty() {
                tracing::debug!("messaging.receive without a message_id; ignored");
                return None;
            }
            RelayEvent::Text(InboundText {
                message_id,
                from: text_field(&p, "from_number"),
                to: text_field(&p, "to_number"),
                body: text_field(&p, "body"),
                context: text_field(&p, "context"),
                media: p
                    .get("media")
                    .and_then(Value::as_array)
                    .map(|m| m.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                    .unwrap_or_default(),
            })
        }
        "messaging.state" => {
            RelayEvent::TextState { message_id: text_field(&p, "message_id"), state: text_field(&p, "message_state") }
        }
        "calling.call.receive" => {
            let device = p.get("device").and_then(|d| d.get("params")).cloned().unwrap_or(Value::Null);
            RelayEvent::CallOffered {
                call_id: text_field(&p, "call_id"),
                from: text_field(&device, "from_number"),
                to: text_field(&device, "to_number"),
                context: text_field(&p, "context"),
            }
        }
        "signalwire.authorization.state" => {
            resume.authorization_state = p.get("authorization_state").and_then(Value::as_str).map(str::to_owned);
            return None;
        }
        _ => return None,
    };
    Some(out)
}
