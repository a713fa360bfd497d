//! A SignalWire emulator: the Compatibility REST API (messages, calls, numbers, recordings) as
//! `docs/reference/signalwire.md` documents it, served on loopback for the tests. Test code only.
//!
//! Faithful where the reference is specific: paths under `/api/laml/2010-04-01/Accounts/{id}/`
//! with or without `.json`; HTTP Basic (project id + token) or 401 with code 20003; form bodies;
//! snake_case JSON; RFC 2822 dates; status codes (create message and buy number 201, create
//! call 200, delete 204); paging with `Page`/`PageSize` (max 1000)/`PageToken` and
//! `next_page_uri` null at the end, newest first; both error-body shapes (the array shape for
//! create-call 400s); recording audio served without authentication.
//!
//! State moves on its own clock: a message is `queued`, then `sent` after 100 ms, then
//! `delivered` after 250 ms (or `undelivered` with error 30003 for a To ending in `0003`). A call
//! is `queued`, `ringing` after 100 ms, `in-progress` after 300 ms, `completed` after 1.5 s (or
//! when hung up), and a recorded call gets a recording when it ends.
//!
//! RELAY (§4.1) is served on the same port as a WebSocket at `/`: `signalwire.connect` with the
//! project and token (else a JSON-RPC error), a `protocol` per session, `messaging.receive`
//! events for texts to the project's numbers sent to sessions subscribed to the numbers' context
//! (`ringdesk` unless [`SignalWireEmulator::route_messages_to`] says otherwise), each resent
//! until acknowledged, and a session resumed by its `protocol` gets what was queued while it was
//! away. [`SignalWireEmulator::relay_cut`] drops every socket without a close frame.
//!
//! Test inputs: a To ending in `0001` is refused with 21211; a From the project does not own
//! with 21606. Faults on demand: [`SignalWireEmulator::fail_next`] (any status and code, with
//! `Retry-After`), [`SignalWireEmulator::cut_next_create`] (the create is carried out, then the
//! connection is cut mid-answer), [`SignalWireEmulator::html_next`] (a proxy's HTML error page).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

const API_PREFIX: &str = "/api/laml/2010-04-01/Accounts/";

#[derive(Debug, Clone)]
struct Msg {
    sid: String,
    from: String,
    to: String,
    body: String,
    inbound: bool,
    created: DateTime<Utc>,
    at: Instant,
}

#[derive(Debug, Clone)]
struct CallRec {
    sid: String,
    from: String,
    to: String,
    url: String,
    record: bool,
    /// Its recording was made (it may since have been deleted).
    recorded: bool,
    created: DateTime<Utc>,
    at: Instant,
    /// Ended by a hang-up: (status, when).
    ended: Option<(&'static str, Instant)>,
    /// Stays in this status until hung up, instead of moving along by the clock.
    held_in: Option<&'static str>,
    /// How long it stays in progress before it completes by itself.
    length: Duration,
    /// The lead it bridges to is busy: it ends `busy` once it rang.
    busy: bool,
    /// The call whose `<Dial>` started this leg (a bridge call's lead leg).
    parent: Option<String>,
    /// The cXML it was redirected to (`POST /Calls/{sid}` with `Url`).
    redirected_to: Option<String>,
}

#[derive(Debug, Clone)]
struct Owned {
    sid: String,
    number: String,
    friendly_name: String,
    /// Native handlers: (call_handler, call target, (message_handler, its RELAY topic)).
    handlers: (Option<String>, Option<String>, Option<(String, String)>),
    voice_url: Option<String>,
    sms_url: Option<String>,
    created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct Rec {
    sid: String,
    call_sid: String,
    created: DateTime<Utc>,
    duration: u32,
}

#[derive(Debug, Clone)]
struct Script {
    sid: String,
    name: String,
    contents: String,
    created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct Endpoint {
    id: String,
    username: String,
    caller_id: Option<String>,
    send_as: Option<String>,
    encryption: String,
}

#[derive(Debug, Clone)]
enum Fault {
    Status {
        status: u16,
        code: u32,
        retry_after: Option<u64>,
    },
    Html,
    /// Exactly these bytes, with this status, as `application/json`.
    Raw {
        status: u16,
        body: Vec<u8>,
    },
}

/// A RELAY session: outlives its socket, so a reconnect with its `protocol` resumes it.
#[derive(Debug)]
struct Session {
    contexts: Vec<String>,
    /// The live socket's outbox, when connected.
    socket: Option<tokio::sync::mpsc::UnboundedSender<String>>,
    /// Cuts the live socket.
    cut: Arc<tokio::sync::Notify>,
    /// Events sent (or to send) and not acknowledged yet, in order: (id, frame).
    unacked: Vec<(String, String)>,
}

#[derive(Debug, Default)]
struct State {
    project: String,
    token: String,
    messages: Vec<Msg>,
    calls: Vec<CallRec>,
    owned: Vec<Owned>,
    recordings: Vec<Rec>,
    endpoints: Vec<Endpoint>,
    scripts: Vec<Script>,
    /// Transcriptions: (sid, recording sid, text).
    transcriptions: Vec<(String, String, String)>,
    /// AI agents: (id, name, prompt).
    agents: Vec<(String, String, String)>,
    /// Phone routes: (agent id, number sid).
    routes: Vec<(String, String)>,
    /// `http://127.0.0.1:port`, for the scripts' request URLs.
    origin: String,
    released: Vec<String>,
    faults: Vec<Fault>,
    cut_next_create: usize,
    requests: HashMap<String, usize>,
    next_id: u64,
    message_context: Option<String>,
    sessions: HashMap<String, Session>,
    relay_connects: usize,
    events_acked: usize,
    /// Every call answers `queued`, whatever is asked of it (a provider stuck after a hang-up).
    calls_stuck: bool,
    /// New calls stay in this status until hung up (`calls_hold_in`).
    calls_held_in: Option<&'static str>,
    /// How long new calls last from their creation to `completed` (`calls_last`; 1.5 s).
    call_length: Option<Duration>,
    /// Leads whose bridge calls end `busy` (`lead_is_busy`).
    busy_leads: Vec<String>,
    /// Files served at `/media/<name>` (`host_file`), and how often each was fetched.
    media: HashMap<String, (Vec<u8>, usize)>,
    /// What redirected calls played: (call sid, the `<Play>` URL, the bytes found there).
    played: Vec<(String, String, Option<Vec<u8>>)>,
    /// What SignalWire's specs refuse in the requests received and the answers given.
    spec_violations: Vec<String>,
}

impl State {
    fn sid(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        // SignalWire SIDs are UUIDs (§1.1); the prefix, as its ASCII in hex, keeps test failures
        // readable (`0000706e-…` is a number, `pn`).
        let n = self.next_id;
        let tag: String = prefix.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{tag:0>8}-0000-4000-8000-{n:012x}")
    }
}

/// The running emulator. Dropping it stops the server.
pub struct SignalWireEmulator {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    server: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for SignalWireEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignalWireEmulator").field("addr", &self.addr).finish()
    }
}

impl Drop for SignalWireEmulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn lock(s: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    s.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SignalWireEmulator {
    /// Starts on a free loopback port for project `project` with API token `token`. Needs a
    /// tokio runtime.
    pub async fn start(project: &str, token: &str) -> Result<Self, String> {
        Self::start_on(project, token, 0).await
    }

    /// [`SignalWireEmulator::start`] on loopback port `port` (0: a free one), e.g. to come back
    /// where a client expects it after a simulated outage. Starts with no state.
    pub async fn start_on(project: &str, token: &str, port: u16) -> Result<Self, String> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let state = Arc::new(Mutex::new(State {
            project: project.into(),
            token: token.into(),
            origin: format!("http://{addr}"),
            ..State::default()
        }));
        let shared = state.clone();
        let relay_state = state.clone();
        let app = axum::Router::new()
            .route(
                "/",
                axum::routing::get(move |ws: axum::extract::ws::WebSocketUpgrade| {
                    let state = relay_state.clone();
                    async move { ws.on_upgrade(move |socket| relay_socket(state, socket)) }
                }),
            )
            .fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = shared.clone();
                async move { serve(&state, method, uri, headers, body).await }
            });
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, state, server })
    }

    /// `http://127.0.0.1:port`, the client's origin.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://127.0.0.1:port/`, the RELAY endpoint.
    pub fn relay_url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// Moves the SID counter on by `n`: an emulator started again where another one ran (after a
    /// simulated outage) must not hand out the SIDs its predecessor did, as SignalWire never does.
    pub fn skip_ids(&self, n: u64) {
        lock(&self.state).next_id += n;
    }

    /// The project owns `number` (E.164) and can send from it.
    pub fn own_number(&self, number: &str) -> String {
        let mut s = lock(&self.state);
        let sid = s.sid("pn");
        s.owned.push(Owned {
            sid: sid.clone(),
            number: number.into(),
            friendly_name: number.into(),
            handlers: (None, None, Some(("relay_topic".into(), "ringdesk".into()))),
            voice_url: None,
            sms_url: None,
            created: Utc::now(),
        });
        sid
    }

    /// An SMS arrives from `from` to one of the project's numbers; returns its SID. It is
    /// listed by REST and sent over RELAY to the sessions subscribed to the numbers' context.
    pub fn receive_message(&self, from: &str, to: &str, body: &str) -> String {
        let mut s = lock(&self.state);
        let sid = s.sid("sm");
        s.messages.push(Msg {
            sid: sid.clone(),
            from: from.into(),
            to: to.into(),
            body: body.into(),
            inbound: true,
            created: Utc::now(),
            at: Instant::now(),
        });
        // RELAY gets texts to numbers whose messaging handler is a RELAY context.
        let number_context =
            s.owned.iter().find(|o| o.number == to).and_then(|o| o.handlers.2.as_ref().map(|(_, t)| t.clone()));
        let Some(context) = s.message_context.clone().or(number_context) else { return sid };
        let segments = rough_segments(body);
        let params = json!({
            "message_id": sid, "context": context, "direction": "inbound", "from_number": from, "to_number": to,
            "body": body, "media": [], "segments": segments, "message_state": "received", "tags": [],
        });
        s.next_id += 1;
        let n = s.next_id;
        for session in s.sessions.values_mut().filter(|x| x.contexts.contains(&context)) {
            let id = format!("ev-{n}-{}", session.unacked.len());
            let frame = json!({"jsonrpc": "2.0", "id": id, "method": "signalwire.event",
                               "params": {"event_type": "messaging.receive", "params": params}})
            .to_string();
            if let Some(socket) = &session.socket {
                let _ = socket.send(frame.clone());
            }
            session.unacked.push((id, frame));
        }
        sid
    }

    /// Texts to the project's numbers go to this RELAY context (default `ringdesk`).
    pub fn route_messages_to(&self, context: &str) {
        lock(&self.state).message_context = Some(context.into());
    }

    /// Cuts every RELAY socket at once, as a network drop would (no close frame).
    pub fn relay_cut(&self) {
        let s = lock(&self.state);
        for session in s.sessions.values() {
            session.cut.notify_waiters();
        }
    }

    /// Forgets every RELAY session: a reconnect cannot resume and gets a new one.
    pub fn relay_forget_sessions(&self) {
        let mut s = lock(&self.state);
        for session in s.sessions.values() {
            session.cut.notify_waiters();
        }
        s.sessions.clear();
    }

    /// Successful `signalwire.connect`s so far.
    pub fn relay_connects(&self) -> usize {
        lock(&self.state).relay_connects
    }

    /// Events the clients acknowledged so far.
    pub fn relay_acks(&self) -> usize {
        lock(&self.state).events_acked
    }

    /// RELAY sessions with a live socket.
    pub fn relay_live_sessions(&self) -> usize {
        lock(&self.state).sessions.values().filter(|x| x.socket.is_some()).count()
    }

    /// The next `n` API requests are answered with `status` and error `code` (429 with 20429
    /// for throttling, 5xx…), with `Retry-After` when given.
    pub fn fail_next(&self, n: usize, status: u16, code: u32, retry_after: Option<u64>) {
        let mut s = lock(&self.state);
        for _ in 0..n {
            s.faults.push(Fault::Status { status, code, retry_after });
        }
    }

    /// The next API request is answered with exactly `body` (claimed to be JSON) and `status`:
    /// not JSON, truncated, invalid UTF-8, enormous…
    pub fn raw_next(&self, status: u16, body: Vec<u8>) {
        lock(&self.state).faults.push(Fault::Raw { status, body });
    }

    /// Drops the faults not yet served: the service is back.
    pub fn clear_faults(&self) {
        lock(&self.state).faults.clear();
    }

    /// From now on every call is reported `queued`, hang-ups included, as a provider that keeps
    /// answering `queued` after the hang-up does.
    pub fn calls_stay_queued(&self) {
        lock(&self.state).calls_stuck = true;
    }

    /// Calls placed from now on stay in `status` (`ringing`: the lead's phone rings until the
    /// call is hung up; `no-answer`, `busy`, `failed`: they ended so) instead of moving along by
    /// the clock; `None` goes back to the clock.
    pub fn calls_hold_in(&self, status: Option<&str>) -> Result<(), String> {
        const HOLDABLE: [&str; 6] = ["queued", "ringing", "in-progress", "no-answer", "busy", "failed"];
        let held = match status {
            None => None,
            Some(s) => Some(
                HOLDABLE
                    .into_iter()
                    .find(|h| *h == s)
                    .ok_or_else(|| format!("{s:?} is not a call status a call can stay in"))?,
            ),
        };
        lock(&self.state).calls_held_in = held;
        Ok(())
    }

    /// Calls placed from now on complete by themselves `length` after they were placed (at least
    /// 0.4 s: queued, ringing, then in progress), instead of 1.5 s.
    pub fn calls_last(&self, length: Duration) {
        lock(&self.state).call_length = Some(length.max(Duration::from_millis(400)));
    }

    /// Bridge calls to `lead` (the number the bridge script dials, E.164) end `busy` once they
    /// rang, as a busy line does.
    pub fn lead_is_busy(&self, lead: &str) {
        lock(&self.state).busy_leads.push(lead.to_string());
    }

    /// Serves `bytes` at `/media/<name>` (no credentials, as a public file host); its URL.
    pub fn host_file(&self, name: &str, bytes: Vec<u8>) -> String {
        lock(&self.state).media.insert(name.to_string(), (bytes, 0));
        format!("{}/media/{name}", self.origin())
    }

    /// What redirected calls played: (call sid, the `<Play>` URL, the audio fetched from it when
    /// this emulator serves it).
    pub fn played(&self) -> Vec<(String, String, Option<Vec<u8>>)> {
        lock(&self.state).played.clone()
    }

    /// The lead legs of bridge calls: (sid, parent sid, to, status).
    pub fn lead_legs(&self) -> Vec<(String, String, String, String)> {
        let s = lock(&self.state);
        s.calls
            .iter()
            .filter_map(|c| c.parent.clone().map(|p| (c.sid.clone(), p, c.to.clone(), call_status(c).0.to_string())))
            .collect()
    }

    /// Every way a request received, or an answer given, broke SignalWire's published specs
    /// (`signalwire_spec`): `"<operation> request|answer: <what>"`. Requests that break them are
    /// refused as SignalWire would.
    pub fn spec_violations(&self) -> Vec<String> {
        lock(&self.state).spec_violations.clone()
    }

    /// The next API request gets a proxy's HTML 502 page instead of JSON.
    pub fn html_next(&self) {
        lock(&self.state).faults.push(Fault::Html);
    }

    /// The next create (message, call, number purchase) is carried out, and then the connection
    /// is cut before the answer's body is complete.
    pub fn cut_next_create(&self) {
        lock(&self.state).cut_next_create += 1;
    }

    /// Messages sent from the project (outbound), oldest first: (from, to, body).
    pub fn sent_messages(&self) -> Vec<(String, String, String)> {
        lock(&self.state)
            .messages
            .iter()
            .filter(|m| !m.inbound)
            .map(|m| (m.from.clone(), m.to.clone(), m.body.clone()))
            .collect()
    }

    /// Calls placed, oldest first: (sid, from, to).
    pub fn calls(&self) -> Vec<(String, String, String)> {
        lock(&self.state)
            .calls
            .iter()
            .filter(|c| c.parent.is_none())
            .map(|c| (c.sid.clone(), c.from.clone(), c.to.clone()))
            .collect()
    }

    /// What the emulator knows of a call, for a failing test's message: its status now, whether
    /// it was asked to record, and its script URL.
    pub fn call_summary(&self, call_sid: &str) -> String {
        let s = lock(&self.state);
        match s.calls.iter().find(|c| c.sid == call_sid) {
            Some(c) => format!("status {}, record {}, url {}", call_status(c).0, c.record, c.url),
            None => format!("no call {call_sid}"),
        }
    }

    /// Recordings of a call, by SID (once the call has ended).
    pub fn recordings_of(&self, call_sid: &str) -> Vec<String> {
        let mut s = lock(&self.state);
        settle_calls(&mut s);
        s.recordings.iter().filter(|r| r.call_sid == call_sid).map(|r| r.sid.clone()).collect()
    }

    /// A recording of call `call_sid` made at `created`, `seconds` long (as if that call, placed
    /// earlier, had been recorded); returns its SID.
    pub fn add_recording(&self, call_sid: &str, seconds: u32, created: DateTime<Utc>) -> String {
        let mut s = lock(&self.state);
        let sid = s.sid("re");
        s.recordings.push(Rec { sid: sid.clone(), call_sid: call_sid.into(), created, duration: seconds });
        sid
    }

    /// A finished transcription of a recording.
    pub fn add_transcription(&self, recording_sid: &str, text: &str) {
        let mut s = lock(&self.state);
        let sid = s.sid("tr");
        s.transcriptions.push((sid, recording_sid.into(), text.into()));
    }

    /// The project has an AI agent named `name`; returns its id.
    pub fn add_ai_agent(&self, name: &str, prompt: &str) -> String {
        let mut s = lock(&self.state);
        let id = s.sid("ai");
        s.agents.push((id.clone(), name.into(), prompt.into()));
        id
    }

    /// The cXML scripts: (name, contents).
    pub fn cxml_scripts(&self) -> Vec<(String, String)> {
        lock(&self.state).scripts.iter().map(|x| (x.name.clone(), x.contents.clone())).collect()
    }

    /// The `Url` a call was placed with, by call SID.
    pub fn call_url(&self, sid: &str) -> Option<String> {
        lock(&self.state).calls.iter().find(|c| c.sid == sid).map(|c| c.url.clone())
    }

    /// Where a number's calls and texts go: (call handler, its target, texts' RELAY context).
    pub fn number_handlers(&self, number: &str) -> Option<(Option<String>, Option<String>, Option<String>)> {
        lock(&self.state).owned.iter().find(|o| o.number == number).map(|o| {
            let (call, target, texts) = o.handlers.clone();
            (call, target, texts.map(|(_, topic)| topic))
        })
    }

    /// Usernames of the project's SIP endpoints.
    pub fn sip_usernames(&self) -> Vec<String> {
        lock(&self.state).endpoints.iter().map(|e| e.username.clone()).collect()
    }

    /// The project's SIP endpoints as (username, send_as), in creation order.
    pub fn sip_endpoints(&self) -> Vec<(String, Option<String>)> {
        lock(&self.state).endpoints.iter().map(|e| (e.username.clone(), e.send_as.clone())).collect()
    }

    /// Numbers the project owns.
    pub fn owned_numbers(&self) -> Vec<String> {
        lock(&self.state).owned.iter().map(|o| o.number.clone()).collect()
    }

    /// Requests received for a path ending (e.g. `Messages`), faults included.
    pub fn requests_to(&self, resource: &str) -> usize {
        lock(&self.state).requests.get(resource).copied().unwrap_or(0)
    }
}

/// One RELAY socket: the handshake, then events out and acknowledgements in.
async fn relay_socket(state: Arc<Mutex<State>>, mut socket: axum::extract::ws::WebSocket) {
    use axum::extract::ws::Message as Ws;
    // The handshake.
    let hello = loop {
        match socket.recv().await {
            Some(Ok(Ws::Text(t))) => break t.to_string(),
            Some(Ok(_)) => continue,
            _ => return,
        }
    };
    let Ok(hello) = serde_json::from_str::<Value>(&hello) else { return };
    let id = hello.get("id").cloned().unwrap_or(Value::Null);
    if hello.get("method").and_then(Value::as_str) != Some("signalwire.connect") {
        let e = json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "signalwire.connect first"}});
        let _ = socket.send(Ws::text(e.to_string())).await;
        return;
    }
    let params = hello.get("params").cloned().unwrap_or(Value::Null);
    let auth = params.get("authentication").cloned().unwrap_or(Value::Null);
    let contexts: Vec<String> = params
        .get("contexts")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let accepted = {
        let mut s = lock(&state);
        let ok = auth.get("project").and_then(Value::as_str) == Some(s.project.as_str())
            && auth.get("token").and_then(Value::as_str) == Some(s.token.as_str());
        if ok {
            s.relay_connects += 1;
            let wanted = params.get("protocol").and_then(Value::as_str).map(str::to_owned);
            let protocol = match wanted.filter(|p| s.sessions.contains_key(p)) {
                Some(p) => p,
                None => {
                    let p = format!("signalwire_{}", s.sid("pr"));
                    let session = Session {
                        contexts: Vec::new(),
                        socket: None,
                        cut: Arc::new(tokio::sync::Notify::new()),
                        unacked: Vec::new(),
                    };
                    s.sessions.insert(p.clone(), session);
                    p
                }
            };
            s.sessions.get_mut(&protocol).map(|session| {
                session.contexts = contexts;
                session.socket = Some(tx);
                let backlog: Vec<String> = session.unacked.iter().map(|(_, f)| f.clone()).collect();
                (protocol.clone(), session.cut.clone(), backlog)
            })
        } else {
            None
        }
    };
    let Some((protocol, cut, backlog)) = accepted else {
        let e = json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32002, "message": "Authentication failed"}});
        let _ = socket.send(Ws::text(e.to_string())).await;
        return;
    };
    let project = lock(&state).project.clone();
    let result = json!({"jsonrpc": "2.0", "id": id, "result": {
        "identity": format!("{protocol}@relay"), "authorization": {"project": project},
        "protocol": protocol, "ice_servers": [],
    }});
    if socket.send(Ws::text(result.to_string())).await.is_err() {
        return;
    }
    // What was queued for a resumed session.
    for frame in backlog {
        if socket.send(Ws::text(frame)).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            () = cut.notified() => break,
            out = rx.recv() => match out {
                Some(frame) => {
                    if socket.send(Ws::text(frame)).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Ws::Text(t))) => {
                    let Ok(v) = serde_json::from_str::<Value>(&t) else { continue };
                    if v.get("result").is_some()
                        && let Some(ack) = v.get("id").and_then(Value::as_str)
                    {
                        let mut s = lock(&state);
                        let before = s.sessions.get(&protocol).map_or(0, |x| x.unacked.len());
                        if let Some(session) = s.sessions.get_mut(&protocol) {
                            session.unacked.retain(|(id, _)| id != ack);
                        }
                        let after = s.sessions.get(&protocol).map_or(0, |x| x.unacked.len());
                        s.events_acked += before - after;
                    }
                }
                Some(Ok(_)) => {}
                _ => break,
            },
        }
    }
    if let Some(session) = lock(&state).sessions.get_mut(&protocol) {
        session.socket = None;
    }
}

fn rfc2822(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// Checks the request against SignalWire's specs (refusing it as SignalWire would when it breaks
/// them), serves it, and checks a JSON success answer against the spec too.
async fn serve(state: &Mutex<State>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    use crate::signalwire_spec::{self, Api};
    use axum::body::HttpBody;
    let op = signalwire_spec::find(method.as_str(), uri.path());
    if let Some(op) = op {
        let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let errs = op.check_request(ctype, uri.query(), &body);
        if !errs.is_empty() {
            lock(state).spec_violations.extend(errs.iter().map(|e| format!("{} request: {e}", op.name)));
            let message = format!("The request does not follow the API: {}", errs.join("; "));
            return match op.api {
                Api::Compat => error(400, 10000, &message),
                Api::Rest if uri.path().starts_with("/api/relay/rest") => relay_invalid("invalid_parameter", &message),
                Api::Rest => json_response(
                    422,
                    &json!({"errors": [{"type": "validation_error", "code": "invalid_parameter", "message": message,
                            "url": "https://signalwire.com/docs/apis/error-codes"}]}),
                ),
            };
        }
    }
    let resp = handle(state, method, uri, headers, body);
    let Some(op) = op else { return resp };
    let json = resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    // Only complete bodies: a cut connection's stream is left as it is.
    if !resp.status().is_success() || !json || resp.body().size_hint().exact().is_none() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
        let errs = op.check_response(parts.status.as_u16(), &v);
        lock(state).spec_violations.extend(errs.iter().map(|e| format!("{} answer: {e}", op.name)));
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn json_response(status: u16, v: &Value) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(v.to_string()))
        .unwrap_or_default()
}

fn error(status: u16, code: u32, message: &str) -> Response {
    json_response(
        status,
        &json!({"code": code, "message": message, "more_info": format!("https://developer.signalwire.com/rest/overview/error-codes#{code}"), "status": status}),
    )
}

/// The create-call 400 shape (`CompatibilityErrorArrayResponse`, code as a string).
fn error_array(code: u32, message: &str) -> Response {
    json_response(
        400,
        &json!({"errors": [{"code": code.to_string(), "message": message, "more_info": "https://developer.signalwire.com/rest/overview/error-codes"}]}),
    )
}

fn no_content() -> Response {
    Response::builder().status(204).body(Body::empty()).unwrap_or_default()
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(f: &'a [(String, String)], key: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn authorized(s: &State, headers: &HeaderMap) -> bool {
    use base64::Engine as _;
    let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
    let Some(b64) = v.strip_prefix("Basic ") else { return false };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else { return false };
    raw == format!("{}:{}", s.project, s.token).as_bytes()
}

fn message_status(m: &Msg) -> (&'static str, Option<u32>, Option<&'static str>) {
    if m.inbound {
        return ("received", None, None);
    }
    let age = m.at.elapsed();
    if age < Duration::from_millis(100) {
        ("queued", None, None)
    } else if age < Duration::from_millis(250) {
        ("sent", None, None)
    } else if m.to.ends_with("0003") {
        ("undelivered", Some(30003), Some("Unreachable destination handset"))
    } else {
        ("delivered", None, None)
    }
}

fn message_json(s: &State, m: &Msg) -> Value {
    let (status, code, text) = message_status(m);
    let sent = (status != "queued").then(|| rfc2822(m.created));
    let segments = rough_segments(&m.body);
    json!({
        "account_sid": s.project, "api_version": "2010-04-01", "body": m.body,
        "num_segments": segments, "num_media": 0,
        "date_created": rfc2822(m.created), "date_sent": sent, "date_updated": rfc2822(m.created),
        "direction": if m.inbound { "inbound" } else { "outbound-api" },
        "error_code": code, "error_message": text, "from": m.from, "to": m.to,
        "price": if status == "queued" { Value::Null } else { json!("-0.00790") }, "price_unit": "USD",
        "sid": m.sid, "status": status, "messaging_service_sid": null,
        "uri": format!("{API_PREFIX}{}/Messages/{}", s.project, m.sid),
        "subresource_uris": {"media": format!("{API_PREFIX}{}/Messages/{}/Media", s.project, m.sid)},
    })
}

fn call_status(c: &CallRec) -> (&'static str, Option<u32>) {
    if let Some((status, at)) = c.ended {
        let talked = at.saturating_duration_since(c.at + Duration::from_millis(300));
        return (status, Some(talked.as_secs() as u32));
    }
    if let Some(held) = c.held_in {
        return (held, None);
    }
    let age = c.at.elapsed();
    if age < Duration::from_millis(100) {
        ("queued", None)
    } else if age < Duration::from_millis(300) {
        ("ringing", None)
    } else if c.busy {
        ("busy", None)
    } else if age < c.length {
        ("in-progress", None)
    } else {
        ("completed", Some(1))
    }
}

fn call_json(s: &State, c: &CallRec) -> Value {
    let (status, duration) = if s.calls_stuck { ("queued", None) } else { call_status(c) };
    json!({
        "sid": c.sid, "account_sid": s.project, "api_version": "2010-04-01",
        "date_created": rfc2822(c.created), "date_updated": rfc2822(c.created),
        "parent_call_sid": c.parent, "to": c.to, "formatted_to": c.to, "to_formatted": c.to, "from": c.from,
        "formatted_from": c.from, "from_formatted": c.from, "annotation": null, "group_sid": null,
        "audio_in_mos": null, "sip_result_code": null, "audio_rtt_avg": null, "audio_rtt_min": null,
        "audio_rtt_max": null, "audio_out_jitter_min": null, "audio_out_jitter_max": null,
        "audio_out_jitter_avg": null, "audio_out_lost": null,
        "phone_number_sid": null, "status": status,
        "start_time": (status != "queued").then(|| rfc2822(c.created)),
        "end_time": duration.map(|_| rfc2822(Utc::now())), "duration": duration.unwrap_or(0),
        "price": null, "price_unit": "USD", "direction": "outbound", "answered_by": null,
        "forwarded_from": null, "caller_name": null,
        "uri": format!("{API_PREFIX}{}/Calls/{}", s.project, c.sid),
        "subresource_uris": {"notifications": null,
                             "recordings": format!("{API_PREFIX}{}/Calls/{}/Recordings", s.project, c.sid)},
    })
}

fn script_json(s: &State, x: &Script) -> Value {
    json!({
        "sid": x.sid, "account_sid": s.project, "name": x.name, "contents": x.contents,
        "request_url": format!("{}/laml-bins/{}", s.origin, x.sid), "num_requests": 0, "api_version": "2010-04-01",
        "date_created": rfc2822(x.created), "date_updated": rfc2822(x.created), "date_last_accessed": null,
        "uri": format!("{API_PREFIX}{}/LamlBins/{}", s.project, x.sid),
    })
}

fn owned_json(s: &State, o: &Owned) -> Value {
    json!({
        "sid": o.sid, "account_sid": s.project, "phone_number": o.number, "friendly_name": o.friendly_name,
        "capabilities": {"voice": true, "sms": true, "mms": true, "fax": false},
        "voice_url": o.voice_url, "voice_method": "POST", "sms_url": o.sms_url, "sms_method": "POST",
        "status_callback": null, "voice_application_sid": null, "sms_application_sid": null, "trunk_sid": null,
        "emergency_status": "Inactive", "date_created": rfc2822(o.created), "date_updated": rfc2822(o.created),
        "api_version": "2010-04-01", "uri": format!("{API_PREFIX}{}/IncomingPhoneNumbers/{}", s.project, o.sid),
        "account_id": s.project, "address_requirements": "none", "address_sid": null, "beta": false,
        "country_code": "US", "emergency_address_sid": null, "identity_sid": null, "origin": "signalwire",
        "sms_fallback_method": "POST", "sms_fallback_url": null, "status_callback_method": "POST",
        "voice_caller_id_lookup": null, "voice_fallback_method": "POST", "voice_fallback_url": null,
    })
}

fn recording_json(s: &State, r: &Rec) -> Value {
    json!({
        "sid": r.sid, "account_sid": s.project, "api_version": "2010-04-01", "call_sid": r.call_sid,
        "conference_sid": null, "channel": "1", "channels": "1", "date_created": rfc2822(r.created),
        "date_updated": rfc2822(r.created), "start_time": rfc2822(r.created), "end_time": rfc2822(r.created),
        "duration": r.duration, "price": null, "price_unit": "USD", "source": "OutBoundApi",
        "status": "completed", "error_code": null, "encryption_details": null, "trim": "do-not-trim",
        "uri": format!("{API_PREFIX}{}/Recordings/{}.json", s.project, r.sid),
        "subresource_uris": {"transcriptions": format!("{API_PREFIX}{}/Recordings/{}/Transcriptions", s.project, r.sid)},
    })
}

/// The numbers for sale in an area: ten per area code, deterministic.
fn available(area: &str) -> Vec<Value> {
    (0..10)
        .map(|i| {
            json!({
                "friendly_name": format!("({area}) 555-01{i:02}"), "phone_number": format!("+1{area}55501{i:02}"),
                "lata": "722", "locality": "Springfield", "rate_center": "SPRINGFIELD", "latitude": "39.78",
                "longitude": "-89.65", "region": "IL", "postal_code": "62701", "iso_country": "US",
                "capabilities": {"voice": true, "SMS": true, "MMS": true}, "beta": false,
            })
        })
        .collect()
}

/// Serves one page of `items` (already filtered, newest first) under `key`.
fn page(path: &str, query: &[(String, String)], key: &str, items: Vec<Value>) -> Response {
    let size: usize = field(query, "PageSize").and_then(|v| v.parse().ok()).unwrap_or(50);
    if size == 0 || size > 1000 {
        return error(400, 20001, "PageSize must be between 1 and 1000");
    }
    let number: usize = field(query, "Page").and_then(|v| v.parse().ok()).unwrap_or(0);
    if number > 0 && field(query, "PageToken").is_none_or(|t| !t.starts_with("PA")) {
        return error(400, 20001, "Page beyond 0 requires the PageToken from next_page_uri");
    }
    let start = number * size;
    let rest: Vec<(String, String)> =
        query.iter().filter(|(k, _)| !matches!(k.as_str(), "Page" | "PageSize" | "PageToken")).cloned().collect();
    let uri_for = |n: usize| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &rest {
            q.append_pair(k, v);
        }
        q.append_pair("Page", &n.to_string()).append_pair("PageSize", &size.to_string());
        if n > 0 {
            q.append_pair("PageToken", &format!("PA{n}"));
        }
        format!("{path}?{}", q.finish())
    };
    let chunk: Vec<Value> = items.iter().skip(start).take(size).cloned().collect();
    let more = start + size < items.len();
    let mut body = json!({
        "uri": uri_for(number), "first_page_uri": uri_for(0),
        "next_page_uri": more.then(|| uri_for(number + 1)),
        "previous_page_uri": (number > 0).then(|| uri_for(number - 1)),
        "page": number, "page_size": size,
    });
    body[key] = Value::Array(chunk);
    json_response(200, &body)
}

/// A 201 whose body is cut: the create happened, the client cannot know.
fn cut_response(status: u16, v: &Value) -> Response {
    let text = v.to_string();
    let half = Bytes::from(text.as_bytes()[..text.len() / 2].to_vec());
    let stream = futures_util::stream::iter(vec![
        Ok::<Bytes, std::io::Error>(half),
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut by the test")),
    ]);
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, text.len())
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

fn date_ok(filter: Option<&str>, date: Option<DateTime<Utc>>, after: bool) -> bool {
    let Some(f) = filter else { return true };
    let Ok(day) = chrono::NaiveDate::parse_from_str(f, "%Y-%m-%d") else { return false };
    match date {
        Some(d) if after => d.date_naive() >= day,
        Some(d) => d.date_naive() <= day,
        None => false,
    }
}

/// A call sent to the cXML at `url`: a hosted script of this project runs with the URL's query
/// as its parameters. Only what Ringdesk's scripts do is run: `<Play>` fetches the audio (when
/// this emulator hosts it, see `host_file`), then the call ends, and with it the call it was
/// bridged to.
fn redirect(s: &mut State, i: usize, url: &str) {
    s.calls[i].redirected_to = Some(url.to_owned());
    let parsed = url::Url::parse(url).ok();
    let script = parsed
        .as_ref()
        .and_then(|u| u.path().strip_prefix("/laml-bins/").map(str::to_owned))
        .and_then(|sid| s.scripts.iter().find(|x| x.sid == sid).map(|x| x.contents.clone()))
        .unwrap_or_default();
    let params: HashMap<String, String> = parsed.map(|u| u.query_pairs().into_owned().collect()).unwrap_or_default();
    if let Some(start) = script.find("<Play>")
        && let Some(len) = script[start + 6..].find("</Play>")
    {
        let mut play = script[start + 6..start + 6 + len].trim().to_owned();
        for (k, v) in &params {
            play = play.replace(&format!("{{{{{k}}}}}"), v);
        }
        let hosted = play.strip_prefix(&format!("{}/media/", s.origin)).map(str::to_owned);
        let bytes = hosted.and_then(|name| {
            s.media.get_mut(&name).map(|(b, n)| {
                *n += 1;
                b.clone()
            })
        });
        let sid = s.calls[i].sid.clone();
        s.played.push((sid, play, bytes));
    }
    let now = Instant::now();
    s.calls[i].ended = Some(("completed", now));
    if let Some(parent) = s.calls[i].parent.clone()
        && let Some(p) = s.calls.iter_mut().find(|c| c.sid == parent && c.ended.is_none())
    {
        p.ended = Some(("completed", now));
    }
}

fn handle(state: &Mutex<State>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let mut s = lock(state);
    let path = uri.path().to_owned();
    if let Some(name) = path.strip_prefix("/media/") {
        return match s.media.get_mut(name) {
            Some((bytes, fetched)) if method == Method::GET => {
                *fetched += 1;
                axum::response::IntoResponse::into_response((
                    axum::http::StatusCode::OK,
                    [(header::CONTENT_TYPE, "audio/wav")],
                    bytes.clone(),
                ))
            }
            _ => error(404, 20404, "The requested resource was not found"),
        };
    }
    let query: Vec<(String, String)> =
        uri.query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    if let Some(fabric) = path.strip_prefix("/api/fabric/resources/") {
        if !authorized(&s, &headers) {
            return error(401, 20003, "Authentication failed");
        }
        return handle_fabric(&mut s, &method, fabric, &body);
    }
    if let Some(native) = path.strip_prefix("/api/relay/rest/") {
        if !authorized(&s, &headers) {
            return error(401, 20003, "Authentication failed");
        }
        *s.requests.entry(native.to_owned()).or_default() += 1;
        return handle_native(&mut s, &method, native, &query, &body);
    }
    let Some(rest) = path.strip_prefix(API_PREFIX) else {
        return error(404, 20404, "The requested resource was not found");
    };
    let mut parts: Vec<String> = rest.split('/').map(str::to_owned).collect();
    // The `.json` suffix is optional (§1.1); `.wav`/`.mp3` pick recording audio.
    let mut suffix = "";
    if let Some(last) = parts.last_mut() {
        for ext in [".json", ".wav", ".mp3"] {
            if let Some(stem) = last.strip_suffix(ext) {
                suffix = ext;
                *last = stem.to_owned();
            }
        }
    }
    let account = parts.first().cloned().unwrap_or_default();
    let resource = parts.get(1).cloned().unwrap_or_default();
    *s.requests.entry(resource.clone()).or_default() += 1;
    // Recording audio needs no credentials ("long and random" URLs, §1.6).
    let audio = resource == "Recordings" && matches!(suffix, ".wav" | ".mp3") && method == Method::GET;
    if !audio && !authorized(&s, &headers) {
        return error(401, 20003, "Authentication failed");
    }
    if account != s.project {
        return error(404, 20404, "The requested resource was not found");
    }
    if !s.faults.is_empty() {
        match s.faults.remove(0) {
            Fault::Status { status, code, retry_after } => {
                let mut r = error(status, code, if status == 429 { "Too Many Requests" } else { "Internal error" });
                if let Some(secs) = retry_after
                    && let Ok(v) = secs.to_string().parse()
                {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                return r;
            }
            Fault::Raw { status, body } => {
                return Response::builder()
                    .status(status)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body))
                    .unwrap_or_default();
            }
            Fault::Html => {
                return Response::builder()
                    .status(502)
                    .header(header::CONTENT_TYPE, "text/html")
                    .body(Body::from("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"))
                    .unwrap_or_default();
            }
        }
    }
    let f = form(&body);
    let sid = parts.get(2).cloned();
    let list_path = format!("{API_PREFIX}{account}/{resource}");
    match (method, resource.as_str(), sid) {
        (Method::POST, "Messages", None) => {
            let (Some(to), Some(from)) = (field(&f, "To"), field(&f, "From")) else {
                return error(400, 21604, "A 'To' and a 'From' phone number are required");
            };
            let text = field(&f, "Body").unwrap_or("");
            if text.is_empty() && field(&f, "MediaUrl").is_none() {
                return error(400, 21602, "Message body is required");
            }
            if text.chars().count() > 1600 {
                return error(400, 21617, "The concatenated message body exceeds the 1600 character limit");
            }
            if to.ends_with("0001") {
                return error(400, 21211, &format!("Invalid 'To' Phone Number: {to}"));
            }
            if !s.owned.iter().any(|o| o.number == from) {
                return error(
                    400,
                    21606,
                    "The From phone number is not a valid, SMS-capable inbound phone number for your account",
                );
            }
            let m = Msg {
                sid: s.sid("sm"),
                from: from.into(),
                to: to.into(),
                body: text.into(),
                inbound: false,
                created: Utc::now(),
                at: Instant::now(),
            };
            let v = message_json(&s, &m);
            s.messages.push(m);
            if s.cut_next_create > 0 {
                s.cut_next_create -= 1;
                return cut_response(201, &v);
            }
            json_response(201, &v)
        }
        (Method::GET, "Messages", None) => {
            let items: Vec<Value> = s
                .messages
                .iter()
                .rev()
                .filter(|m| field(&query, "To").is_none_or(|t| t == m.to))
                .filter(|m| field(&query, "From").is_none_or(|t| t == m.from))
                .filter(|m| {
                    let sent = (message_status(m).0 != "queued").then_some(m.created);
                    date_ok(field(&query, "DateSent>"), sent, true)
                        && date_ok(field(&query, "DateSent<"), sent, false)
                        && date_ok(field(&query, "DateSent"), sent, true)
                        && date_ok(field(&query, "DateSent"), sent, false)
                })
                .map(|m| message_json(&s, m))
                .collect();
            page(&list_path, &query, "messages", items)
        }
        (Method::GET, "Messages", Some(sid)) => match s.messages.iter().find(|m| m.sid == sid) {
            Some(m) => json_response(200, &message_json(&s, m)),
            None => error(404, 20404, &format!("The requested resource {list_path}/{sid} was not found")),
        },
        (Method::POST, "Calls", None) => {
            let (Some(to), Some(from)) = (field(&f, "To"), field(&f, "From")) else {
                return error_array(21201, "To and From are required");
            };
            if field(&f, "Url").is_none() && field(&f, "ApplicationSid").is_none() {
                return error_array(21205, "Url or ApplicationSid is required");
            }
            if to.ends_with("0001") {
                return error_array(13224, &format!("Invalid 'To' Phone Number: {to}"));
            }
            let c = CallRec {
                sid: s.sid("ca"),
                from: from.into(),
                to: to.into(),
                url: field(&f, "Url").unwrap_or_default().to_owned(),
                // Recorded when asked on the call, or when its cXML script records the dial (the
                // emulator does not run scripts: a hosted script's `Record` parameter of
                // record-from-answer, as Ringdesk's bridge script takes it, stands for that).
                record: field(&f, "Record") == Some("true")
                    || field(&f, "Url").is_some_and(|u| u.contains("Record=record-from-answer")),
                recorded: false,
                created: Utc::now(),
                at: Instant::now(),
                ended: None,
                held_in: s.calls_held_in,
                length: s.call_length.unwrap_or(Duration::from_millis(1500)),
                busy: url::Url::parse(field(&f, "Url").unwrap_or_default())
                    .ok()
                    .and_then(|u| u.query_pairs().find(|(k, _)| k == "Lead").map(|(_, v)| v.into_owned()))
                    .is_some_and(|lead| s.busy_leads.contains(&lead)),
                parent: None,
                redirected_to: None,
            };
            // A bridge script dials the lead once the agent answers: that leg, as its child.
            let lead = url::Url::parse(field(&f, "Url").unwrap_or_default())
                .ok()
                .and_then(|u| u.query_pairs().find(|(k, _)| k == "Lead").map(|(_, v)| v.into_owned()));
            if let Some(lead) = lead {
                let child = CallRec {
                    sid: s.sid("ca"),
                    from: field(&f, "From").unwrap_or_default().to_owned(),
                    to: lead,
                    url: String::new(),
                    record: false,
                    recorded: false,
                    parent: Some(c.sid.clone()),
                    ..c.clone()
                };
                s.calls.push(child);
            }
            let v = call_json(&s, &c);
            s.calls.push(c);
            if s.cut_next_create > 0 {
                s.cut_next_create -= 1;
                return cut_response(200, &v);
            }
            json_response(200, &v)
        }
        (Method::GET, "Calls", None) => {
            settle_calls(&mut s);
            let items: Vec<Value> = s
                .calls
                .iter()
                .rev()
                .filter(|c| field(&query, "ParentCallSid").is_none_or(|p| Some(p) == c.parent.as_deref()))
                .filter(|c| field(&query, "To").is_none_or(|t| t == c.to))
                .filter(|c| field(&query, "From").is_none_or(|t| t == c.from))
                .filter(|c| field(&query, "Status").is_none_or(|t| t == call_status(c).0))
                .map(|c| call_json(&s, c))
                .collect();
            page(&list_path, &query, "calls", items)
        }
        (Method::GET, "Calls", Some(sid)) => {
            settle_calls(&mut s);
            match s.calls.iter().find(|c| c.sid == sid) {
                Some(c) => json_response(200, &call_json(&s, c)),
                None => error(404, 20404, &format!("The requested resource {list_path}/{sid} was not found")),
            }
        }
        (Method::POST, "Calls", Some(sid)) => {
            let Some(i) = s.calls.iter().position(|c| c.sid == sid) else {
                return error(404, 20404, &format!("The requested resource {list_path}/{sid} was not found"));
            };
            if s.calls_stuck {
                // Taken, and not carried out: the call still answers `queued`.
                return json_response(200, &call_json(&s, &s.calls[i]));
            }
            let current = call_status(&s.calls[i]).0;
            match field(&f, "Status") {
                Some("completed") if current == "in-progress" => {
                    s.calls[i].ended = Some(("completed", Instant::now()));
                }
                Some("canceled") if matches!(current, "queued" | "ringing") => {
                    s.calls[i].ended = Some(("canceled", Instant::now()));
                }
                Some("completed") | Some("canceled") if current == "completed" || current == "canceled" => {
                    return error(400, 10000, "Invalid argument: the call has already ended");
                }
                Some("canceled") => return error(400, 10000, "Invalid argument: cannot cancel an in-progress call"),
                Some("completed") => {
                    s.calls[i].ended = Some(("canceled", Instant::now()));
                }
                Some(other) => return error(400, 10000, &format!("Invalid argument: Status {other}")),
                None if field(&f, "Url").is_some() => {
                    if current != "in-progress" {
                        return error(400, 10000, "Invalid argument: only a call in progress can be redirected");
                    }
                    let url = field(&f, "Url").unwrap_or_default().to_owned();
                    redirect(&mut s, i, &url);
                }
                None => return error(400, 10000, "Invalid argument: Status or Url is required"),
            }
            settle_calls(&mut s);
            json_response(200, &call_json(&s, &s.calls[i]))
        }
        (Method::GET, "AvailablePhoneNumbers", None) | (Method::GET, "AvailablePhoneNumbers", Some(_)) => {
            let country = parts.get(2).cloned().unwrap_or_default();
            if country != "US" && country != "CA" {
                return json_response(200, &json!({"uri": path, "available_phone_numbers": []}));
            }
            let area = field(&query, "AreaCode").unwrap_or("217").to_owned();
            let owned: Vec<String> = s.owned.iter().map(|o| o.number.clone()).collect();
            let found: Vec<Value> = available(&area)
                .into_iter()
                .filter(|n| !owned.iter().any(|o| Some(o.as_str()) == n["phone_number"].as_str()))
                .filter(|n| {
                    field(&query, "Contains").is_none_or(|c| n["phone_number"].as_str().is_some_and(|p| p.contains(c)))
                })
                .filter(|n| field(&query, "InRegion").is_none_or(|r| n["region"] == r))
                .collect();
            json_response(200, &json!({"uri": path, "available_phone_numbers": found}))
        }
        (Method::POST, "IncomingPhoneNumbers", None) => {
            let Some(number) = field(&f, "PhoneNumber").map(str::to_owned) else {
                return error(400, 21421, "PhoneNumber is required");
            };
            let area = number.get(2..5).unwrap_or("");
            let for_sale = available(area).iter().any(|n| n["phone_number"] == number.as_str());
            if !for_sale || s.owned.iter().any(|o| o.number == number) {
                return error(400, 21422, &format!("PhoneNumber {number} is not available"));
            }
            let o = Owned {
                sid: s.sid("pn"),
                number: number.clone(),
                friendly_name: field(&f, "FriendlyName").unwrap_or(&number).to_owned(),
                handlers: (None, None, None),
                voice_url: field(&f, "VoiceUrl").map(str::to_owned),
                sms_url: field(&f, "SmsUrl").map(str::to_owned),
                created: Utc::now(),
            };
            let v = owned_json(&s, &o);
            s.owned.push(o);
            if s.cut_next_create > 0 {
                s.cut_next_create -= 1;
                return cut_response(201, &v);
            }
            json_response(201, &v)
        }
        (Method::GET, "IncomingPhoneNumbers", None) => {
            let items: Vec<Value> = s
                .owned
                .iter()
                .rev()
                .filter(|o| field(&query, "PhoneNumber").is_none_or(|p| p == o.number))
                .map(|o| owned_json(&s, o))
                .collect();
            page(&list_path, &query, "incoming_phone_numbers", items)
        }
        (Method::POST, "IncomingPhoneNumbers", Some(sid)) => {
            let Some(i) = s.owned.iter().position(|o| o.sid == sid) else {
                return error(404, 20404, &format!("The requested resource {list_path}/{sid} was not found"));
            };
            if let Some(v) = field(&f, "FriendlyName") {
                s.owned[i].friendly_name = v.into();
            }
            if let Some(v) = field(&f, "VoiceUrl") {
                s.owned[i].voice_url = Some(v.into());
            }
            if let Some(v) = field(&f, "SmsUrl") {
                s.owned[i].sms_url = Some(v.into());
            }
            json_response(200, &owned_json(&s, &s.owned[i]))
        }
        (Method::DELETE, "IncomingPhoneNumbers", Some(sid)) => match s.owned.iter().position(|o| o.sid == sid) {
            Some(i) => {
                let o = s.owned.remove(i);
                s.released.push(o.number);
                no_content()
            }
            None => error(404, 20404, &format!("The requested resource {list_path}/{sid} was not found")),
        },
        (Method::GET, "Recordings", None) => {
            settle_calls(&mut s);
            let items: Vec<Value> = s
                .recordings
                .iter()
                .rev()
                .filter(|r| field(&query, "CallSid").is_none_or(|c| c == r.call_sid))
                .filter(|r| date_ok(field(&query, "DateCreated>"), Some(r.created), true))
                .map(|r| recording_json(&s, r))
                .collect();
            page(&list_path, &query, "recordings", items)
        }
        (Method::GET, "Recordings", Some(sid)) => {
            settle_calls(&mut s);
            let Some(r) = s.recordings.iter().find(|r| r.sid == sid).cloned() else {
                return error(404, 20404, &format!("The requested resource {list_path}/{sid} was not found"));
            };
            match suffix {
                ".mp3" => Response::builder()
                    .status(200)
                    .header(header::CONTENT_TYPE, "audio/mpeg")
                    .body(Body::from(fake_mp3()))
                    .unwrap_or_default(),
                ".json" => json_response(200, &recording_json(&s, &r)),
                _ => Response::builder()
                    .status(200)
                    .header(header::CONTENT_TYPE, "audio/x-wav")
                    .body(Body::from(recording_wav(r.duration)))
                    .unwrap_or_default(),
            }
        }
        (Method::DELETE, "Recordings", Some(sid)) => match s.recordings.iter().position(|r| r.sid == sid) {
            Some(i) => {
                s.recordings.remove(i);
                no_content()
            }
            None => error(404, 20404, &format!("The requested resource {list_path}/{sid} was not found")),
        },
        (Method::GET, "LamlBins", None) => {
            let items: Vec<Value> = s.scripts.iter().rev().map(|x| script_json(&s, x)).collect();
            page(&list_path, &query, "laml_bins", items)
        }
        (Method::POST, "LamlBins", None) => {
            let (Some(name), Some(contents)) = (field(&f, "Name"), field(&f, "Contents")) else {
                return error(400, 10000, "Invalid argument: Name and Contents are required");
            };
            let x = Script { sid: s.sid("lb"), name: name.into(), contents: contents.into(), created: Utc::now() };
            let v = script_json(&s, &x);
            s.scripts.push(x);
            if s.cut_next_create > 0 {
                s.cut_next_create -= 1;
                return cut_response(201, &v);
            }
            json_response(201, &v)
        }
        (Method::POST, "LamlBins", Some(sid)) => match s.scripts.iter().position(|x| x.sid == sid) {
            // `UpdateCxmlScriptRequest` requires `Name` (minLength 1); `Contents` is optional.
            Some(_) if field(&f, "Name").is_none_or(str::is_empty) => {
                error(400, 10000, "A required argument was left blank: Name")
            }
            Some(i) => {
                if let Some(c) = field(&f, "Contents") {
                    s.scripts[i].contents = c.into();
                }
                if let Some(n) = field(&f, "Name") {
                    s.scripts[i].name = n.into();
                }
                json_response(200, &script_json(&s, &s.scripts[i]))
            }
            None => error(404, 20404, &format!("The requested resource {list_path}/{sid} was not found")),
        },
        (Method::GET, "Transcriptions", None) => {
            let items: Vec<Value> = s
                .transcriptions
                .iter()
                .rev()
                .map(|(sid, rec, text)| {
                    json!({"sid": sid, "account_sid": s.project, "api_version": "2010-04-01", "recording_sid": rec,
                           "date_created": rfc2822(Utc::now()), "date_updated": rfc2822(Utc::now()), "duration": "1",
                           "price": null, "price_unit": "USD", "status": "completed", "transcription_text": text,
                           "type": "fast", "uri": format!("{API_PREFIX}{}/Transcriptions/{sid}", s.project)})
                })
                .collect();
            page(&list_path, &query, "transcriptions", items)
        }
        _ => error(404, 20404, &format!("The requested resource {path} was not found")),
    }
}

/// Segments as the carrier counts them, roughly: plain ASCII as GSM-7 (160, then 153 per
/// segment), anything else as UCS-2 (70, then 67). The client's exact count is tested on its own.
fn rough_segments(body: &str) -> usize {
    let (units, single, multi) = if body.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\n') {
        (body.len(), 160, 153)
    } else {
        (body.encode_utf16().count(), 70, 67)
    };
    if units <= single { 1 } else { units.div_ceil(multi) }
}

/// A `/api/relay/rest` validation failure, as SignalWire answers it (`Types.StatusCodes.ValidationError`:
/// `{errors: [{detail, status, title, code}]}`).
fn relay_invalid(code: &str, detail: &str) -> Response {
    json_response(
        422,
        &json!({"errors": [{"detail": detail, "status": "422", "title": "Invalid Attribute", "code": code}]}),
    )
}

/// The native REST API (§3.1): SIP endpoints and the SIP profile, JSON in and out.
fn handle_native(s: &mut State, method: &Method, path: &str, query: &[(String, String)], body: &[u8]) -> Response {
    match (method.clone(), path) {
        (Method::GET, "sip_profile") => json_response(
            200,
            &json!({"domain": "example-112233445566.sip.signalwire.com", "domain_identifier": "example-112233445566",
                    "default_codecs": ["OPUS", "G722", "PCMU", "PCMA"], "default_ciphers": ["AES_CM_128_HMAC_SHA1_80"],
                    "default_encryption": "optional", "default_send_as": ""}),
        ),
        (Method::GET, "phone_numbers") => {
            let data: Vec<Value> = s.owned.iter().map(|o| native_number_json(s, o)).collect();
            json_response(
                200,
                &json!({"links": {"self": "/api/relay/rest/phone_numbers", "first": "/api/relay/rest/phone_numbers"},
                        "data": data}),
            )
        }
        (Method::PUT, p) if p.starts_with("phone_numbers/") => {
            let id = p.trim_start_matches("phone_numbers/").to_owned();
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return error_array(20001, "The request body is not valid JSON");
            };
            let Some(i) = s.owned.iter().position(|o| o.sid == id) else {
                return error(404, 20404, &format!("The requested resource /api/relay/rest/{p} was not found"));
            };
            let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            if let Some(h) = text("call_handler") {
                let target = match h.as_str() {
                    "relay_sip_endpoint" => {
                        let Some(e) = text("call_sip_endpoint_id").filter(|e| s.endpoints.iter().any(|x| x.id == *e))
                        else {
                            return relay_invalid("invalid_parameter", "call_sip_endpoint_id: SIP endpoint not found");
                        };
                        Some(e)
                    }
                    "relay_application" => text("call_relay_application"),
                    other => {
                        return relay_invalid(
                            "invalid_parameter",
                            &format!("call_handler {other} is not supported here"),
                        );
                    }
                };
                s.routes.retain(|(_, pn)| *pn != id);
                s.owned[i].handlers.0 = Some(h);
                s.owned[i].handlers.1 = target;
            }
            // `UpdatePhoneNumberRequest`: the handler and its target. The answer shows the target
            // of `relay_topic` and `relay_context` only (`PhoneNumberResponse` has no
            // `message_relay_application`).
            match text("message_handler").as_deref() {
                None => {}
                Some(h @ ("relay_topic" | "relay_context" | "relay_application")) => {
                    let key = format!("message_{h}");
                    let Some(target) = text(&key).filter(|t| !t.is_empty()) else {
                        return relay_invalid("missing_required_parameter", &format!("{key} can't be blank"));
                    };
                    s.owned[i].handlers.2 = Some((h.to_owned(), target));
                }
                Some("laml_webhooks" | "laml_application") => s.owned[i].handlers.2 = None,
                Some(other) => {
                    return relay_invalid(
                        "invalid_parameter",
                        &format!("message_handler {other} is not one of the handlers"),
                    );
                }
            }
            json_response(200, &native_number_json(s, &s.owned[i]))
        }
        (Method::GET, "endpoints/sip") => {
            let size: usize = field(query, "page_size").and_then(|v| v.parse().ok()).unwrap_or(50).clamp(1, 1000);
            let start: usize =
                field(query, "page_token").and_then(|t| t.strip_prefix("PA")).and_then(|v| v.parse().ok()).unwrap_or(0);
            let data: Vec<Value> = s.endpoints.iter().skip(start).take(size).map(endpoint_json).collect();
            let next = (start + size < s.endpoints.len())
                .then(|| format!("/api/relay/rest/endpoints/sip?page_size={size}&page_token=PA{}", start + size));
            json_response(
                200,
                // `PaginationLinks`: `next` only when there is more.
                &match next {
                    Some(next) => json!({"links": {"self": "/api/relay/rest/endpoints/sip",
                                        "first": "/api/relay/rest/endpoints/sip", "next": next}, "data": data}),
                    None => json!({"links": {"self": "/api/relay/rest/endpoints/sip",
                                  "first": "/api/relay/rest/endpoints/sip"}, "data": data}),
                },
            )
        }
        (Method::PUT, p) if p.starts_with("endpoints/sip/") => {
            let id = p.trim_start_matches("endpoints/sip/").to_owned();
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return error_array(20001, "The request body is not valid JSON");
            };
            let Some(i) = s.endpoints.iter().position(|e| e.id == id) else {
                return error(404, 20404, &format!("The requested resource /api/relay/rest/{p} was not found"));
            };
            // Only the fields given change. `send_as` and `caller_id` are strings in
            // `UpdateSipEndpointRequest` (never null); `random` lets SignalWire pick a number.
            for key in ["send_as", "caller_id"] {
                if v.get(key).is_some_and(|x| !x.is_string()) {
                    return relay_invalid("invalid_parameter", &format!("{key} must be a string"));
                }
            }
            if let Some(send_as) = v.get("send_as").and_then(Value::as_str) {
                let e164 = |n: &str| n.len() > 2 && n.starts_with('+') && n[1..].bytes().all(|b| b.is_ascii_digit());
                if send_as != "random" && !e164(send_as) {
                    return relay_invalid("send_as_is_invalid", "The provided send_as number is missing or invalid.");
                }
                s.endpoints[i].send_as = Some(send_as.to_owned());
            }
            if let Some(caller_id) = v.get("caller_id").and_then(Value::as_str) {
                s.endpoints[i].caller_id = Some(caller_id.to_owned());
            }
            json_response(200, &endpoint_json(&s.endpoints[i]))
        }
        (Method::POST, "endpoints/sip") => {
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return error_array(20001, "The request body is not valid JSON");
            };
            let username = v.get("username").and_then(Value::as_str).unwrap_or("").to_owned();
            let password = v.get("password").and_then(Value::as_str).unwrap_or("");
            if username.is_empty() || username.contains(' ') || username.contains('@') {
                return relay_invalid("invalid_parameter", "Username is invalid");
            }
            if password.len() < 8 {
                return relay_invalid("invalid_parameter", "Password is too short");
            }
            if s.endpoints.iter().any(|e| e.username == username) {
                return relay_invalid("value_not_unique", "Username has already been taken");
            }
            let e = Endpoint {
                id: s.sid("se"),
                username,
                caller_id: v.get("caller_id").and_then(Value::as_str).map(str::to_owned),
                send_as: v.get("send_as").and_then(Value::as_str).map(str::to_owned),
                encryption: v.get("encryption").and_then(Value::as_str).unwrap_or("default").to_owned(),
            };
            let out = endpoint_json(&e);
            s.endpoints.push(e);
            if s.cut_next_create > 0 {
                s.cut_next_create -= 1;
                return cut_response(200, &out);
            }
            // `create_sip_endpoint` answers 200 in the spec.
            json_response(200, &out)
        }
        _ => error(404, 20404, &format!("The requested resource /api/relay/rest/{path} was not found")),
    }
}

/// Call Fabric (§5): AI agents and the phone routes that send a number's calls to one.
fn handle_fabric(s: &mut State, method: &Method, path: &str, body: &[u8]) -> Response {
    let parts: Vec<&str> = path.split('/').collect();
    match (method.clone(), parts.as_slice()) {
        (Method::GET, ["ai_agents"]) => {
            let data: Vec<Value> = s
                .agents
                .iter()
                .map(|(id, name, prompt)| {
                    json!({"id": id, "project_id": s.project, "display_name": name, "type": "ai_agent",
                           "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z",
                           "ai_agent": {"agent_id": id, "name": name, "prompt": {"text": prompt}}})
                })
                .collect();
            json_response(
                200,
                &json!({"links": {"self": format!("{}/api/fabric/resources/ai_agents", s.origin),
                                  "first": format!("{}/api/fabric/resources/ai_agents", s.origin)}, "data": data}),
            )
        }
        (Method::POST, [id, "phone_routes"]) => {
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return error_array(20001, "The request body is not valid JSON");
            };
            let number = v.get("phone_route_id").and_then(Value::as_str).unwrap_or("").to_owned();
            if !s.agents.iter().any(|(a, ..)| a == id) {
                return error(404, 20404, &format!("The resource {id} was not found"));
            }
            if !s.owned.iter().any(|o| o.sid == number) {
                return json_response(
                    422,
                    &json!({"errors": [{"type": "validation_error", "code": "invalid_parameter",
                    "message": "Phone route not found", "attribute": "phone_route_id"}]}),
                );
            }
            s.routes.retain(|(_, pn)| *pn != number);
            s.routes.push(((*id).to_owned(), number.clone()));
            // The resource's address, as SignalWire answers a phone route (200).
            let name = s.agents.iter().find(|(a, ..)| a == id).map(|(_, n, _)| n.clone()).unwrap_or_default();
            json_response(
                200,
                &json!({"id": id, "name": name, "display_name": name, "cover_url": "", "preview_url": "",
                        "locked": false, "channels": {"audio": format!("/private/{id}?channel=audio")},
                        "created_at": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "type": "app"}),
            )
        }
        _ => error(404, 20404, &format!("The requested resource /api/fabric/resources/{path} was not found")),
    }
}

fn native_number_json(s: &State, o: &Owned) -> Value {
    // `PhoneNumberResponse`: all 41 fields, most of them null here.
    let agent = s.routes.iter().find(|(_, pn)| *pn == o.sid).map(|(a, _)| a.clone());
    let (handler, target, messages) = &o.handlers;
    let call_handler = if agent.is_some() { Some("ai_agent".to_owned()) } else { handler.clone() };
    let when = o.created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json!({"id": o.sid, "number": o.number, "name": o.friendly_name,
           "capabilities": ["voice", "sms", "mms"], "number_type": "longcode", "e911_address_id": null,
           "e911_status": null, "created_at": when, "updated_at": when, "next_billed_at": null,
           "country_code": "US", "call_receive_mode": "voice",
           "call_handler": call_handler.unwrap_or_else(|| "laml_webhooks".into()),
           "calling_handler_resource_id": agent,
           "call_request_url": o.voice_url, "call_request_method": "POST", "call_fallback_url": null,
           "call_fallback_method": null, "call_status_callback_url": null, "call_status_callback_method": null,
           "call_laml_application_id": null, "call_dialogflow_agent_id": null, "call_relay_topic": null,
           "call_relay_topic_status_callback_url": null, "call_relay_script_url": null, "call_relay_context": null,
           "call_relay_context_status_callback_url": null, "call_relay_connector_id": null,
           "call_sip_endpoint_id": (handler.as_deref() == Some("relay_sip_endpoint")).then(|| target.clone()).flatten(),
           "call_verto_resource": null, "call_video_room_id": null,
           "call_relay_application": (handler.as_deref() == Some("relay_application")).then(|| target.clone()).flatten(),
           "message_handler": messages.as_ref().map_or("laml_webhooks", |(h, _)| h.as_str()),
           "messaging_handler_resource_id": null, "message_request_url": o.sms_url, "message_request_method": "POST",
           "message_fallback_url": null, "message_fallback_method": null, "message_laml_application_id": null,
           "message_relay_topic": messages.as_ref().filter(|(h, _)| h == "relay_topic").map(|(_, t)| t),
           "message_relay_context": messages.as_ref().filter(|(h, _)| h == "relay_context").map(|(_, t)| t)})
}

fn endpoint_json(e: &Endpoint) -> Value {
    // `SipEndpointResponse`: `send_as` is a string (never null), `caller_id` and the handler
    // fields may be null; there is no `created_at`.
    json!({"type": "sip_endpoint", "id": e.id, "username": e.username, "caller_id": e.caller_id,
           "send_as": e.send_as.as_deref().unwrap_or("random"),
           "ciphers": ["AES_CM_128_HMAC_SHA1_80"], "codecs": ["OPUS", "G722", "PCMU", "PCMA"], "encryption": e.encryption,
           "call_handler": null, "calling_handler_resource_id": null, "call_request_url": null,
           "call_request_method": null, "call_fallback_url": null, "call_fallback_method": null,
           "call_status_callback_url": null, "call_status_callback_method": null, "call_laml_application_id": null,
           "call_dialogflow_agent_id": null, "call_relay_topic": null, "call_relay_topic_status_callback_url": null,
           "call_relay_context": null, "call_relay_context_status_callback_url": null, "call_relay_application": null,
           "call_video_room_id": null, "call_relay_script_url": null})
}

/// Recorded calls that have ended get their recording.
fn settle_calls(s: &mut State) {
    let ended: Vec<(usize, String, DateTime<Utc>)> = s
        .calls
        .iter()
        .enumerate()
        .filter(|(_, c)| c.record && !c.recorded && call_status(c).0 == "completed")
        .map(|(i, c)| (i, c.sid.clone(), c.created))
        .collect();
    for (i, call_sid, created) in ended {
        s.calls[i].recorded = true;
        let sid = s.sid("re");
        s.recordings.push(Rec { sid, call_sid, created, duration: 1 });
    }
}

/// One second of a 440 Hz tone, 8 kHz mono 16-bit WAV.
fn recording_wav(seconds: u32) -> Vec<u8> {
    let n = 8000 * seconds.max(1) as usize;
    let samples: Vec<i16> =
        (0..n).map(|i| ((i as f64 * 2.0 * std::f64::consts::PI * 440.0 / 8000.0).sin() * 8000.0) as i16).collect();
    ringdesk_media::wav::encode(8000, &samples)
}

/// An MP3 frame header and silence: enough for a client's format check.
fn fake_mp3() -> Vec<u8> {
    let mut v = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
    v.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
    v.resize(417, 0);
    v
}
