//! The SIP user agent: one endpoint (UDP, plus TCP when asked), registrations kept alive, calls
//! placed and received, each call's dialog watched and turned into [`SipEvent`]s.
//!
//! Everything rsipstack-specific stays in this file; callers see [`SipAgent`], [`CallId`],
//! [`SipEvent`] and plain SDP strings.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rsipstack::EndpointBuilder;
use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::dialog::{DialogState, DialogStateReceiver, TerminatedReason, TransactionHandle};
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::dialog::invitation::InviteOption;
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::dialog::registration::{Registration, backoff_interval, refresh_interval};
use rsipstack::sip::prelude::{HeadersExt, ToTypedHeader};
use rsipstack::sip::{Header, Method, StatusCode, StatusCodeKind};
use rsipstack::transaction::Endpoint;
use rsipstack::transport::udp::UdpConnection;
use rsipstack::transport::{TcpListenerConnection, TransportLayer};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::{CallFailure, SipError};

/// Signalling transport of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// UDP (port 5060 by default).
    #[default]
    Udp,
    /// TCP (port 5060 by default).
    Tcp,
    /// TLS over TCP (port 5061 by default).
    Tls,
}

impl Transport {
    fn uri_param(self) -> &'static str {
        match self {
            Transport::Udp => "",
            Transport::Tcp => ";transport=tcp",
            Transport::Tls => ";transport=tls",
        }
    }
}

/// A SIP account (a "line"): where to register and who we are.
#[derive(Clone)]
pub struct Account {
    /// The registrar / outbound proxy, `host[:port]`.
    pub registrar: String,
    /// The SIP domain of our address of record (often the registrar's host).
    pub domain: String,
    /// The user part.
    pub username: String,
    /// The password. Never printed.
    pub password: String,
    /// Requested registration lifetime in seconds (60–120 behind NAT over UDP).
    pub expires: u32,
    /// Signalling transport.
    pub transport: Transport,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("registrar", &self.registrar)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("transport", &self.transport)
            .finish()
    }
}

impl Account {
    fn credential(&self) -> Credential {
        Credential {
            username: self.username.clone(),
            password: self.password.clone(),
            realm: None,
            auth_username: None,
        }
    }

    fn registrar_uri(&self) -> Result<rsipstack::sip::Uri, SipError> {
        parse_uri(&format!("sip:{}{}", self.registrar, self.transport.uri_param()))
    }

    fn aor(&self) -> Result<rsipstack::sip::Uri, SipError> {
        parse_uri(&format!("sip:{}@{}", self.username, self.domain))
    }
}

fn parse_uri(text: &str) -> Result<rsipstack::sip::Uri, SipError> {
    rsipstack::sip::Uri::try_from(text).map_err(|e| SipError::BadUri(format!("{text}: {e}")))
}

/// Our handle on one call.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub String);

impl std::fmt::Display for CallId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Registration state of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationState {
    /// Registered for this many seconds.
    Registered {
        /// Lifetime the registrar granted.
        expires: u32,
    },
    /// The registrar refused or could not be reached; retrying with backoff.
    Failed(CallFailure),
    /// Unregistered on request.
    Unregistered,
}

/// Answers a re-INVITE from the peer.
#[derive(Debug, Clone)]
pub struct Responder(TransactionHandle);

impl Responder {
    /// Accepts with our SDP answer.
    pub async fn answer(&self, sdp: String) -> Result<(), SipError> {
        self.0
            .respond(StatusCode::OK, Some(vec![sdp_content_type()]), Some(sdp.into_bytes()))
            .await
            .map_err(|e| SipError::Stack(e.to_string()))
    }

    /// Refuses (488 Not Acceptable Here).
    pub async fn refuse(&self) -> Result<(), SipError> {
        self.0.reply(StatusCode::NotAcceptableHere).await.map_err(|e| SipError::Stack(e.to_string()))
    }
}

/// Things that happen in signalling.
#[derive(Debug, Clone)]
pub enum SipEvent {
    /// A line's registration changed.
    Registration {
        /// The account's username@registrar.
        line: String,
        /// The new state.
        state: RegistrationState,
    },
    /// Someone calls us. Ringing (180) has been sent.
    IncomingCall {
        /// The call.
        call: CallId,
        /// The caller's number or user part.
        from_user: String,
        /// The caller's display name, if any.
        from_name: Option<String>,
        /// The user part of the address called (which of our lines rings).
        to_user: String,
        /// The offer.
        sdp: String,
    },
    /// 18x on an outgoing call, with the early-media answer when the peer sent one.
    Progress {
        /// The call.
        call: CallId,
        /// 180 or 183.
        status: u16,
        /// Early-media SDP.
        sdp: Option<String>,
    },
    /// An outgoing call was answered.
    Answered {
        /// The call.
        call: CallId,
        /// The answer.
        sdp: String,
    },
    /// An incoming call we accepted is confirmed (ACK received).
    Established {
        /// The call.
        call: CallId,
    },
    /// The peer sent a re-INVITE (hold, resume, new address); reply through `responder`.
    Reinvite {
        /// The call.
        call: CallId,
        /// The new offer.
        sdp: String,
        /// Where to send our answer.
        responder: Responder,
    },
    /// An outgoing call failed before it was answered.
    Failed {
        /// The call.
        call: CallId,
        /// Why.
        reason: CallFailure,
    },
    /// A call ended after it was established (or an incoming one was cancelled).
    Ended {
        /// The call.
        call: CallId,
        /// Who or what ended it.
        reason: EndReason,
    },
}

/// Why an established call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndReason {
    /// We hung up.
    LocalHangup,
    /// The peer hung up.
    RemoteHangup,
    /// The caller gave up before we answered.
    CallerCancelled,
    /// Signalling timed out.
    Timeout,
    /// We rejected the call.
    Rejected,
    /// Another reason from the stack.
    Other(String),
}

/// Agent configuration.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Local address to bind for signalling (port 0 picks one).
    pub bind: SocketAddr,
    /// Also listen on TCP at the same port.
    pub tcp: bool,
    /// The User-Agent header.
    pub user_agent: String,
    /// A keep-alive goes to each registrar this often between refreshes, so NATs keep the
    /// mapping (UDP) or the connection (TCP, TLS) that incoming calls arrive through: a CRLF
    /// over UDP, a CRLFCRLF ping over TCP and TLS (RFC 5626 §4.4.1; 15–30 s).
    pub keepalive: std::time::Duration,
    /// Certificates (PEM) to trust for SIP over TLS besides the operating system's roots: a
    /// private PBX's CA, or a test CA.
    pub extra_tls_roots: Option<Vec<u8>>,
}

/// The operating system's trusted roots, PEM-encoded for rsipstack, plus `extra` (PEM).
fn tls_roots(extra: Option<&[u8]>) -> Vec<u8> {
    use base64::Engine as _;
    let found = rustls_native_certs::load_native_certs();
    for e in &found.errors {
        tracing::debug!(error = %e, "a system certificate store could not be read");
    }
    let mut pem = Vec::with_capacity(found.certs.len() * 2048);
    for cert in &found.certs {
        let b64 = base64::engine::general_purpose::STANDARD.encode(cert.as_ref());
        pem.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.extend_from_slice(line);
            pem.push(b'\n');
        }
        pem.extend_from_slice(b"-----END CERTIFICATE-----\n");
    }
    if let Some(extra) = extra {
        pem.extend_from_slice(extra);
        pem.push(b'\n');
    }
    pem
}

struct CallEntry {
    dialog: InviteDialog,
    /// Our own re-INVITE is in flight: a re-INVITE from the peer now is glare and gets 491.
    reinviting: Arc<AtomicBool>,
    /// We chose the Call-ID (we placed the call): our glare backoff is the long one.
    owns_call_id: bool,
}

impl CallEntry {
    fn new(dialog: InviteDialog, owns_call_id: bool) -> Self {
        Self { dialog, reinviting: Arc::new(AtomicBool::new(false)), owns_call_id }
    }
}

/// How long to wait before resending a re-INVITE refused with 491 (RFC 3261 §14.1): 2.1–4 s
/// when we own the Call-ID, 0–2 s when the peer does, so the two sides do not collide again.
fn glare_backoff(owns_call_id: bool) -> std::time::Duration {
    use std::hash::{BuildHasher, Hasher};
    // A randomly keyed hasher: enough randomness to spread two retries apart.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    let r = h.finish();
    let ms = if owns_call_id { 2100 + r % 1901 } else { r % 2001 };
    std::time::Duration::from_millis(ms)
}

/// How many times a re-INVITE is sent when the peer answers 491 (glare).
pub const GLARE_ATTEMPTS: u32 = 3;

/// The SIP user agent.
pub struct SipAgent {
    endpoint: Endpoint,
    dialogs: Arc<DialogLayer>,
    cancel: CancellationToken,
    local: SocketAddr,
    events: mpsc::UnboundedSender<SipEvent>,
    calls: Arc<Mutex<HashMap<CallId, CallEntry>>>,
    registrations: Mutex<HashMap<String, CancellationToken>>,
    /// The registration tasks still running (each ends after sending its expires=0).
    registration_tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Per line, our address as the registrar sees it (Via `received`/`rport`), learned from the
    /// REGISTER responses: the Contact of calls on that line.
    public: Arc<Mutex<HashMap<String, String>>>,
    counter: std::sync::atomic::AtomicU64,
    keepalive: std::time::Duration,
}

impl std::fmt::Debug for SipAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipAgent").field("local", &self.local).finish()
    }
}

impl Drop for SipAgent {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// How long one REGISTER may take before the registrar counts as down.
const REGISTER_WAIT: std::time::Duration = std::time::Duration::from_secs(8);

fn sdp_content_type() -> Header {
    Header::ContentType("application/sdp".into())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SipAgent {
    /// Binds the transports, starts the endpoint and the incoming-request loop.
    pub async fn start(config: AgentConfig) -> Result<(Arc<Self>, mpsc::UnboundedReceiver<SipEvent>), SipError> {
        let cancel = CancellationToken::new();
        let layer = TransportLayer::new(cancel.clone());
        let udp = UdpConnection::create_connection(config.bind, None, Some(cancel.child_token()))
            .await
            .map_err(|e| SipError::Bind(format!("{}: {e}", config.bind)))?;
        let local = udp.get_addr().get_socketaddr().map_err(|e| SipError::Bind(e.to_string()))?;
        layer.add_transport(udp.into());
        if config.tcp {
            let tcp = TcpListenerConnection::new(local, None)
                .await
                .map_err(|e| SipError::Bind(format!("tcp {local}: {e}")))?;
            layer.add_transport(tcp.into());
        }
        // TLS connections are dialled on first use (the registrar's `transport=tls` URI); they
        // verify the server against the system's roots and any extra ones configured.
        layer.set_tls_config(rsipstack::transport::tls::TlsConfig {
            ca_certs: Some(tls_roots(config.extra_tls_roots.as_deref())),
            ..Default::default()
        });
        let endpoint = EndpointBuilder::new()
            .with_transport_layer(layer)
            .with_cancel_token(cancel.clone())
            .with_user_agent(&config.user_agent)
            .build();
        let inner = endpoint.inner.clone();
        tokio::spawn(async move {
            if let Err(e) = inner.serve().await {
                tracing::warn!(error = %e, "SIP endpoint stopped");
            }
        });
        let incoming = endpoint.incoming_transactions().map_err(|e| SipError::Stack(e.to_string()))?;
        let dialogs = Arc::new(DialogLayer::new(endpoint.inner.clone()));
        let (events, rx) = mpsc::unbounded_channel();
        let agent = Arc::new(Self {
            endpoint,
            dialogs,
            cancel,
            local,
            events,
            calls: Arc::new(Mutex::new(HashMap::new())),
            registrations: Mutex::new(HashMap::new()),
            registration_tasks: Mutex::new(Vec::new()),
            public: Arc::new(Mutex::new(HashMap::new())),
            counter: std::sync::atomic::AtomicU64::new(0),
            keepalive: config.keepalive,
        });
        tokio::spawn(Self::serve_incoming(Arc::downgrade(&agent), incoming));
        Ok((agent, rx))
    }

    fn next_id(&self) -> u64 {
        // Unique per agent and process; Call-IDs need uniqueness, not secrecy.
        let n = self.counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        (t ^ (u64::from(self.local.port()) << 48)).wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The local signalling address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    fn contact(&self, account: &Account) -> Result<rsipstack::sip::Uri, SipError> {
        let line = format!("{}@{}", account.username, account.registrar);
        let host = lock(&self.public).get(&line).cloned().unwrap_or_else(|| self.local.to_string());
        parse_uri(&format!("sip:{}@{host}{}", account.username, account.transport.uri_param()))
    }

    /// Registers once and returns the lifetime granted.
    pub async fn register(&self, account: &Account) -> Result<u32, CallFailure> {
        let mut reg = Registration::new(self.endpoint.inner.clone(), Some(account.credential()));
        let server = account.registrar_uri().map_err(|e| CallFailure::Transport(e.to_string()))?;
        let resp =
            reg.register(server, Some(account.expires)).await.map_err(|e| CallFailure::Transport(e.to_string()))?;
        if resp.status_code.kind() == StatusCodeKind::Successful {
            Ok(reg.granted_expires.unwrap_or(account.expires))
        } else {
            Err(CallFailure::from_status(resp.status_code.code(), &resp.status_code.to_string()))
        }
    }

    /// Keeps `account` registered: refreshes at 75 % of the granted lifetime, retries with
    /// backoff (1 s doubling to 60 s) while the registrar fails or does not answer within 8 s,
    /// and reports every change as a [`SipEvent::Registration`].
    pub fn keep_registered(self: &Arc<Self>, account: Account) -> Result<(), SipError> {
        let server = account.registrar_uri()?;
        let line = format!("{}@{}", account.username, account.registrar);
        let token = CancellationToken::new();
        if let Some(old) = lock(&self.registrations).insert(line.clone(), token.clone()) {
            old.cancel();
        }
        let mut reg = Registration::new(self.endpoint.inner.clone(), Some(account.credential()));
        let events = self.events.clone();
        let expires = account.expires;
        let keepalive = Some(self.keepalive);
        let transport = account.transport;
        let endpoint = self.endpoint.inner.clone();
        let registrar = account.registrar.clone();
        let public = self.public.clone();
        let username = account.username.clone();
        let task = tokio::spawn(async move {
            let mut last: Option<RegistrationState> = None;
            let mut failures: u32 = 0;
            // Set while renewing a binding with a just-learned Contact: never twice in a row.
            let mut just_rewritten = false;
            loop {
                // A registrar that does not answer within 8 s counts as down, rather than waiting
                // out the 32 s transaction timeout.
                // Over TCP and TLS, connect first: a refused connection or an untrusted
                // certificate is then reported as such, not as a registrar that never answered.
                let connected = match transport {
                    Transport::Udp => Ok(()),
                    _ => connect_flow(&endpoint, &registrar, transport).await,
                };
                let attempt = match connected {
                    Ok(()) => tokio::time::timeout(REGISTER_WAIT, reg.register(server.clone(), Some(expires))).await,
                    Err(reason) => Ok(Err(rsipstack::Error::Error(reason))),
                };
                let (state, wait) = match attempt {
                    Ok(Ok(resp)) if resp.status_code.kind() == StatusCodeKind::Successful => {
                        failures = 0;
                        let granted = reg.granted_expires.filter(|g| *g > 0).unwrap_or(expires);
                        let changed = learn_contact(&mut reg, &username, transport, &public, &line);
                        if changed && !just_rewritten {
                            just_rewritten = true;
                            // Our Contact was not what the registrar sees (NAT, or a TCP/TLS
                            // connection's own port): register the learned one at once. This
                            // happens once per flow, since the next response agrees with it.
                            tracing::debug!(line = %crate::Pii(&line), "re-registering with the learned contact");
                            continue;
                        }
                        just_rewritten = false;
                        (RegistrationState::Registered { expires: granted }, refresh_interval(granted))
                    }
                    Ok(Ok(resp)) => {
                        failures += 1;
                        let reason = CallFailure::from_status(resp.status_code.code(), &resp.status_code.to_string());
                        (RegistrationState::Failed(reason), backoff_interval(failures - 1))
                    }
                    Ok(Err(e)) => {
                        failures += 1;
                        (
                            RegistrationState::Failed(CallFailure::Transport(e.to_string())),
                            backoff_interval(failures - 1),
                        )
                    }
                    Err(_) => {
                        failures += 1;
                        let reason = CallFailure::Transport("the registrar did not answer".into());
                        (RegistrationState::Failed(reason), backoff_interval(failures - 1))
                    }
                };
                tracing::debug!(line = %crate::Pii(&line), ?state, "registration attempt");
                if last.as_ref() != Some(&state) {
                    last = Some(state.clone());
                    let _ = events.send(SipEvent::Registration { line: line.clone(), state });
                }
                let until = tokio::time::Instant::now() + wait;
                let mut cancelled = false;
                loop {
                    let step = match keepalive {
                        Some(k) if matches!(last, Some(RegistrationState::Registered { .. })) => {
                            k.max(std::time::Duration::from_millis(100))
                        }
                        _ => wait,
                    };
                    let next = (tokio::time::Instant::now() + step).min(until);
                    tokio::select! {
                        _ = tokio::time::sleep_until(next) => {}
                        _ = token.cancelled() => {
                            cancelled = true;
                            break;
                        }
                    }
                    if next >= until {
                        break;
                    }
                    send_keepalive(&endpoint, &registrar, transport).await;
                }
                if cancelled {
                    break;
                }
            }
            // Cancelled: remove the binding.
            let _ = tokio::time::timeout(REGISTER_WAIT, reg.register(server, Some(0))).await;
            let _ = events.send(SipEvent::Registration { line, state: RegistrationState::Unregistered });
        });
        let mut tasks = lock(&self.registration_tasks);
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
        Ok(())
    }

    /// Stops refreshing `account` and unregisters it (expires=0).
    pub fn unregister(&self, account: &Account) {
        let line = format!("{}@{}", account.username, account.registrar);
        if let Some(token) = lock(&self.registrations).remove(&line) {
            token.cancel();
        }
    }

    /// Places a call to `target` (a number, `user`, or a full `sip:` URI) through the account's
    /// proxy, with our SDP offer. Progress, answer or failure arrive as events. With a
    /// `ring_timeout`, a call still unanswered after it is cancelled and fails as
    /// [`CallFailure::NoAnswer`] (not as a cancel the agent asked for).
    pub fn dial(
        self: &Arc<Self>,
        account: &Account,
        target: &str,
        sdp: String,
        ring_timeout: Option<std::time::Duration>,
    ) -> Result<CallId, SipError> {
        let callee = if target.starts_with("sip:") || target.starts_with("sips:") {
            parse_uri(target)?
        } else {
            if target.is_empty() || target.chars().any(|c| c.is_whitespace() || c == '@' || c == ';') {
                return Err(SipError::BadUri(format!("{target:?} is not a number or SIP user")));
            }
            parse_uri(&format!("sip:{target}@{}{}", account.registrar, account.transport.uri_param()))?
        };
        let option = InviteOption {
            caller: account.aor()?,
            callee,
            content_type: Some("application/sdp".into()),
            offer: Some(sdp.into_bytes()),
            contact: self.contact(account)?,
            credential: Some(account.credential()),
            call_id: Some(format!("{:016x}{:016x}@ringdesk", self.next_id(), self.next_id())),
            ..Default::default()
        };
        let (state_tx, state_rx) = self.dialogs.new_dialog_state_channel();
        let (dialog, join) =
            self.dialogs.do_invite_async(option, state_tx).map_err(|e| SipError::Stack(e.to_string()))?;
        let call = CallId(dialog.id().call_id.clone());
        lock(&self.calls).insert(call.clone(), CallEntry::new(dialog.clone(), true));
        tokio::spawn(Self::watch_dialog(Arc::downgrade(self), call.clone(), state_rx, false));
        let agent = Arc::downgrade(self);
        let events = self.events.clone();
        let id = call.clone();
        let ringing = dialog.clone();
        tokio::spawn(async move {
            let mut join = join;
            let mut rang_out = false;
            let joined = match ring_timeout {
                None => join.await,
                Some(limit) => tokio::select! {
                    r = &mut join => r,
                    () = tokio::time::sleep(limit) => {
                        rang_out = true;
                        if let Err(e) = ringing.cancel().await {
                            tracing::debug!(error = %e, "could not cancel a call that rang out");
                        }
                        join.await
                    }
                },
            };
            let outcome = match joined {
                Ok(Ok((confirmed_id, Some(resp)))) if resp.status_code.kind() == StatusCodeKind::Successful => {
                    if let Some(agent) = agent.upgrade()
                        && let Some(d) = agent.dialogs.get_dialog(&confirmed_id)
                        && let rsipstack::dialog::dialog::Dialog::Invite(d) = d
                        && let Some(entry) = lock(&agent.calls).get_mut(&id)
                    {
                        entry.dialog = d;
                    }
                    SipEvent::Answered { call: id.clone(), sdp: String::from_utf8_lossy(resp.body()).into_owned() }
                }
                Ok(Ok((_, Some(resp)))) => SipEvent::Failed {
                    call: id.clone(),
                    reason: match CallFailure::from_status(resp.status_code.code(), &resp.status_code.to_string()) {
                        CallFailure::Cancelled if rang_out => CallFailure::NoAnswer,
                        other => other,
                    },
                },
                Ok(Ok((_, None))) => SipEvent::Failed { call: id.clone(), reason: CallFailure::NoAnswer },
                Ok(Err(e)) => SipEvent::Failed {
                    call: id.clone(),
                    reason: match stack_failure(&e) {
                        CallFailure::Cancelled if rang_out => CallFailure::NoAnswer,
                        other => other,
                    },
                },
                Err(e) => SipEvent::Failed { call: id.clone(), reason: CallFailure::Transport(e.to_string()) },
            };
            if matches!(outcome, SipEvent::Failed { .. })
                && let Some(agent) = agent.upgrade()
            {
                lock(&agent.calls).remove(&id);
            }
            let _ = events.send(outcome);
        });
        Ok(call)
    }

    fn dialog(&self, call: &CallId) -> Result<InviteDialog, SipError> {
        lock(&self.calls).get(call).map(|c| c.dialog.clone()).ok_or_else(|| SipError::NoSuchCall(call.clone()))
    }

    /// Ends a call: CANCEL while it rings, BYE once answered, 486 for an incoming call not yet
    /// answered.
    pub async fn hang_up(&self, call: &CallId) -> Result<(), SipError> {
        let dialog = self.dialog(call)?;
        let result = match dialog.state() {
            DialogState::Confirmed(..) | DialogState::WaitAck(..) | DialogState::Updated(..) => dialog.bye().await,
            _ if dialog.role() == rsipstack::transaction::key::TransactionRole::Server => {
                dialog.reject(Some(StatusCode::BusyHere), None)
            }
            _ => dialog.cancel().await,
        };
        result.map_err(|e| SipError::Stack(e.to_string()))
    }

    /// Answers an incoming call with our SDP.
    pub fn answer(&self, call: &CallId, sdp: String) -> Result<(), SipError> {
        self.dialog(call)?
            .accept(Some(vec![sdp_content_type()]), Some(sdp.into_bytes()))
            .map_err(|e| SipError::Stack(e.to_string()))
    }

    /// Rejects an incoming call: busy (486) or declined (603).
    pub fn reject(&self, call: &CallId, declined: bool) -> Result<(), SipError> {
        let code = if declined { StatusCode::Decline } else { StatusCode::BusyHere };
        let result = self.dialog(call)?.reject(Some(code), None).map_err(|e| SipError::Stack(e.to_string()));
        lock(&self.calls).remove(call);
        let _ = self.events.send(SipEvent::Ended { call: call.clone(), reason: EndReason::Rejected });
        result
    }

    /// Sends a re-INVITE with a new offer (hold: `a=sendonly`, resume: `a=sendrecv`) and returns
    /// the peer's answer. Glare (the peer re-INVITEs at the same moment, RFC 3261 §14.1): the
    /// peer's request gets 491 while ours is in flight; a 491 to ours is retried after a random
    /// backoff, at most [`GLARE_ATTEMPTS`] times in all, and then reported as refused. The call
    /// stays up either way.
    pub async fn reinvite(&self, call: &CallId, sdp: String) -> Result<String, SipError> {
        let (dialog, reinviting, owns_call_id) = {
            let calls = lock(&self.calls);
            let entry = calls.get(call).ok_or_else(|| SipError::NoSuchCall(call.clone()))?;
            (entry.dialog.clone(), entry.reinviting.clone(), entry.owns_call_id)
        };
        let mut attempt = 1;
        let resp = loop {
            if reinviting.swap(true, Ordering::SeqCst) {
                return Err(SipError::Stack("a re-INVITE is already in progress on this call".into()));
            }
            let sent = dialog.reinvite(Some(vec![sdp_content_type()]), Some(sdp.clone().into_bytes())).await;
            reinviting.store(false, Ordering::SeqCst);
            let resp = sent
                .map_err(|e| SipError::Stack(e.to_string()))?
                .ok_or_else(|| SipError::Stack("the call is not established".into()))?;
            if resp.status_code != StatusCode::RequestPending || attempt == GLARE_ATTEMPTS {
                break resp;
            }
            attempt += 1;
            let wait = glare_backoff(owns_call_id);
            tracing::debug!(?wait, attempt, "re-INVITE glare (491), retrying");
            tokio::time::sleep(wait).await;
        };
        if resp.status_code.kind() != StatusCodeKind::Successful {
            return Err(SipError::Refused(CallFailure::from_status(
                resp.status_code.code(),
                &resp.status_code.to_string(),
            )));
        }
        Ok(String::from_utf8_lossy(resp.body()).into_owned())
    }

    /// Blind transfer: asks the peer to call `target` (REFER); Ok when the peer accepted (202).
    pub async fn transfer(&self, call: &CallId, target: &str) -> Result<(), SipError> {
        let uri = parse_uri(target)?;
        let resp = self
            .dialog(call)?
            .refer(uri, None, None)
            .await
            .map_err(|e| SipError::Stack(e.to_string()))?
            .ok_or_else(|| SipError::Stack("no answer to REFER".into()))?;
        if resp.status_code.kind() != StatusCodeKind::Successful {
            return Err(SipError::Refused(CallFailure::from_status(
                resp.status_code.code(),
                &resp.status_code.to_string(),
            )));
        }
        Ok(())
    }

    async fn serve_incoming(agent: std::sync::Weak<Self>, mut incoming: rsipstack::transaction::TransactionReceiver) {
        while let Some(mut tx) = incoming.recv().await {
            let Some(this) = agent.upgrade() else { return };
            let method = tx.original.method;
            let in_dialog = tx.original.to_header().ok().and_then(|t| t.tag().ok().flatten()).is_some();
            if in_dialog || matches!(method, Method::Ack | Method::Cancel | Method::Bye) {
                match this.dialogs.match_dialog(&tx) {
                    Some(mut d) => {
                        tokio::spawn(async move {
                            if let Err(e) = d.handle(&mut tx).await {
                                tracing::debug!(error = %e, "in-dialog request failed");
                            }
                        });
                    }
                    None if method == Method::Ack => {}
                    None => {
                        let _ = tx.reply(StatusCode::CallTransactionDoesNotExist).await;
                    }
                }
                continue;
            }
            match method {
                Method::Invite => this.incoming_invite(tx).await,
                Method::Options => {
                    let _ = tx.reply(StatusCode::OK).await;
                }
                _ => {
                    let _ = tx.reply(StatusCode::MethodNotAllowed).await;
                }
            }
        }
    }

    async fn incoming_invite(self: &Arc<Self>, mut tx: rsipstack::transaction::Transaction) {
        let (state_tx, state_rx) = self.dialogs.new_dialog_state_channel();
        let contact = parse_uri(&format!("sip:ringdesk@{}", self.local)).ok();
        let dialog = match self.dialogs.get_or_create_server_invite(&tx, state_tx, None, contact) {
            Ok(d) => d,
            Err(e) => {
                tracing::debug!(error = %e, "refused an INVITE");
                let _ = tx.reply(StatusCode::ServerInternalError).await;
                return;
            }
        };
        let call = CallId(dialog.id().call_id.clone());
        let (from_user, from_name) = match tx.original.from_header() {
            Ok(from) => {
                let typed = from.typed().ok();
                let user = typed.as_ref().and_then(|t| t.uri.user().map(str::to_owned)).unwrap_or_default();
                let name = typed.and_then(|t| t.display_name).filter(|n| !n.is_empty());
                (user, name)
            }
            Err(_) => (String::new(), None),
        };
        let to_user = tx
            .original
            .to_header()
            .ok()
            .and_then(|t| t.typed().ok())
            .and_then(|t| t.uri.user().map(str::to_owned))
            .unwrap_or_default();
        let sdp = String::from_utf8_lossy(tx.original.body()).into_owned();
        lock(&self.calls).insert(call.clone(), CallEntry::new(dialog.clone(), false));
        tokio::spawn(Self::watch_dialog(Arc::downgrade(self), call.clone(), state_rx, true));
        let mut handler = dialog.clone();
        tokio::spawn(async move {
            if let Err(e) = handler.handle(&mut tx).await {
                tracing::debug!(error = %e, "incoming INVITE transaction ended with an error");
            }
        });
        if let Err(e) = dialog.ringing(None, None) {
            tracing::debug!(error = %e, "could not send 180");
        }
        let _ = self.events.send(SipEvent::IncomingCall { call, from_user, from_name, to_user, sdp });
    }

    async fn watch_dialog(agent: std::sync::Weak<Self>, call: CallId, mut states: DialogStateReceiver, incoming: bool) {
        let mut established = false;
        while let Some(state) = states.recv().await {
            let Some(this) = agent.upgrade() else { return };
            match state {
                DialogState::Early(_, resp) if !incoming => {
                    let body = resp.body();
                    let sdp = (!body.is_empty()).then(|| String::from_utf8_lossy(body).into_owned());
                    let _ = this.events.send(SipEvent::Progress {
                        call: call.clone(),
                        status: resp.status_code.code(),
                        sdp,
                    });
                }
                DialogState::Confirmed(..) if incoming && !established => {
                    established = true;
                    let _ = this.events.send(SipEvent::Established { call: call.clone() });
                }
                DialogState::Confirmed(..) => established = true,
                DialogState::Updated(_, req, handle)
                    if req.method == Method::Invite
                        && lock(&this.calls).get(&call).is_some_and(|c| c.reinviting.load(Ordering::SeqCst)) =>
                {
                    // Glare: both sides re-INVITE at once; ours goes on, theirs is retried later.
                    let _ = handle.reply(StatusCode::RequestPending).await;
                }
                DialogState::Updated(_, req, handle) if req.method == Method::Invite => {
                    let sdp = String::from_utf8_lossy(req.body()).into_owned();
                    let _ =
                        this.events.send(SipEvent::Reinvite { call: call.clone(), sdp, responder: Responder(handle) });
                }
                DialogState::Updated(_, _, handle)
                | DialogState::Info(_, _, handle)
                | DialogState::Options(_, _, handle)
                | DialogState::Message(_, _, handle)
                | DialogState::Notify(_, _, handle) => {
                    let _ = handle.reply(StatusCode::OK).await;
                }
                DialogState::Refer(_, _, handle) => {
                    // We do not act on transfers requested by the peer.
                    let _ = handle.reply(StatusCode::Decline).await;
                }
                DialogState::Terminated(id, reason) => {
                    this.dialogs.remove_dialog(&id);
                    let removed = lock(&this.calls).remove(&call).is_some();
                    if established || incoming {
                        let reason = match reason {
                            TerminatedReason::UacBye if incoming => EndReason::RemoteHangup,
                            TerminatedReason::UasBye if !incoming => EndReason::RemoteHangup,
                            TerminatedReason::UacBye | TerminatedReason::UasBye => EndReason::LocalHangup,
                            TerminatedReason::UacCancel => EndReason::CallerCancelled,
                            TerminatedReason::Timeout => EndReason::Timeout,
                            TerminatedReason::UasBusy | TerminatedReason::UasDecline => EndReason::Rejected,
                            other => EndReason::Other(format!("{other:?}")),
                        };
                        if removed || established {
                            let _ = this.events.send(SipEvent::Ended { call: call.clone(), reason });
                        }
                    }
                    return;
                }
                _ => {}
            }
        }
    }

    /// Unregisters every line, waiting up to `within` for the registrars to take the expires=0
    /// (a phone that quits leaves no binding that would keep an incoming call's branch pending),
    /// then stops the endpoint.
    pub async fn shutdown_gracefully(&self, within: std::time::Duration) {
        for (_, t) in lock(&self.registrations).drain() {
            t.cancel();
        }
        let tasks = std::mem::take(&mut *lock(&self.registration_tasks));
        let deadline = tokio::time::Instant::now() + within;
        for task in tasks {
            let _ = tokio::time::timeout_at(deadline, task).await;
        }
        self.cancel.cancel();
    }

    /// Stops every registration and the endpoint at once (no unregistration is waited for).
    pub fn shutdown(&self) {
        for (_, t) in lock(&self.registrations).drain() {
            t.cancel();
        }
        self.cancel.cancel();
    }
}

/// Sends a CRLF keep-alive over the agent's UDP socket to `registrar` (`host[:port]`).
/// After a successful REGISTER: remembers the address the registrar saw us at (Via `received`
/// and `rport`) as this line's Contact for calls. Over UDP rsipstack already registers that
/// address (it rewrites the Contact of its auth retry and of later refreshes). Over TCP and TLS
/// its Contact lacks the transport, so the registrar would call us back over UDP; there we set
/// the Contact ourselves and return true: the binding must be renewed with it at once. The
/// next response agrees with it, so this happens once per flow (pjsip's contact-rewrite loops,
/// voip.md §6, cannot start).
fn learn_contact(
    reg: &mut Registration,
    username: &str,
    transport: Transport,
    public: &Mutex<HashMap<String, String>>,
    line: &str,
) -> bool {
    let Some(seen) = reg.discovered_public_address() else { return false };
    let host = seen.to_string();
    lock(public).insert(line.to_owned(), host.clone());
    if transport == Transport::Udp {
        return false;
    }
    let Ok(uri) = parse_uri(&format!("sip:{username}@{host}{}", transport.uri_param())) else { return false };
    if reg.contact.as_ref().is_some_and(|c| c.uri == uri) {
        return false;
    }
    reg.contact = Some(rsipstack::sip::typed::Contact { display_name: None, uri, params: vec![] });
    true
}

fn sip_target(registrar: &str, transport: Transport) -> Option<rsipstack::transport::SipAddr> {
    let host = rsipstack::sip::HostWithPort::try_from(registrar).ok()?;
    let kind = match transport {
        Transport::Udp => rsipstack::sip::Transport::Udp,
        Transport::Tcp => rsipstack::sip::Transport::Tcp,
        Transport::Tls => rsipstack::sip::Transport::Tls,
    };
    Some(rsipstack::transport::SipAddr::new(kind, host))
}

/// Opens (or finds) the TCP/TLS connection to the registrar; the error names what failed.
async fn connect_flow(
    endpoint: &rsipstack::transaction::endpoint::EndpointInnerRef,
    registrar: &str,
    transport: Transport,
) -> Result<(), String> {
    let target = sip_target(registrar, transport).ok_or_else(|| format!("{registrar} is not host:port"))?;
    let kind = if transport == Transport::Tls { "TLS" } else { "TCP" };
    match tokio::time::timeout(REGISTER_WAIT, endpoint.transport_layer.lookup(&target, None)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("{kind} connection to the registrar failed: {e}")),
        Err(_) => Err(format!("{kind} connection to the registrar timed out")),
    }
}

/// One keep-alive to the registrar over the line's flow: CRLF over UDP, a CRLFCRLF ping over TCP
/// and TLS (the registrar answers CRLF; rsipstack reads that as a pong).
async fn send_keepalive(
    endpoint: &rsipstack::transaction::endpoint::EndpointInnerRef,
    registrar: &str,
    transport: Transport,
) {
    use rsipstack::transport::SipConnection;
    use rsipstack::transport::stream::StreamConnection as _;
    let Some(target) = sip_target(registrar, transport) else { return };
    let sent = match endpoint.transport_layer.lookup(&target, None).await {
        Ok((SipConnection::Udp(conn), addr)) => conn.send_raw(b"\r\n\r\n", &addr).await,
        Ok((SipConnection::Tcp(conn), _)) => conn.send_raw(b"\r\n\r\n").await,
        Ok((SipConnection::Tls(conn), _)) => conn.send_raw(b"\r\n\r\n").await,
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    };
    if let Err(e) = sent {
        tracing::debug!(error = %e, "keep-alive not sent");
    }
}

fn stack_failure(e: &rsipstack::Error) -> CallFailure {
    match e {
        rsipstack::Error::DialogError(msg, _, code) => CallFailure::from_status(code.code(), msg),
        other => CallFailure::Transport(other.to_string()),
    }
}
