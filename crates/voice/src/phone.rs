//! The `Phone`: lines (SIP accounts), calls in and out, and everything an agent does during a
//! call, with typed events for the app. It joins the SIP agent (signalling), the media engine
//! (SDP and RTP) and the audio devices, one media task per call.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use ringdesk_media::codec::CodecKind;
use ringdesk_media::sdp::{self, Direction, LocalAudio, Negotiated, Offer};
use ringdesk_media::session::MediaStats;
use ringdesk_media::srtp::SrtpPolicy;
use ringdesk_sip::{Account, AgentConfig, CallFailure, CallId, EndReason, RegistrationState, SipAgent, SipEvent};
use tokio::sync::mpsc;

use crate::audio::AudioDevices;
use crate::media_task::{self, MediaCommand, MediaHandle, MediaNotice, PortPair};
use crate::random;

/// How the phone is set up.
#[derive(Clone)]
pub struct PhoneConfig {
    /// SIP signalling bind address (port 0 picks one).
    pub sip_bind: std::net::SocketAddr,
    /// Also accept SIP over TCP.
    pub tcp: bool,
    /// The address RTP binds to and SDP advertises.
    pub media_ip: IpAddr,
    /// RTP port range.
    pub rtp_ports: (u16, u16),
    /// Codecs in order of preference.
    pub codecs: Vec<CodecKind>,
    /// Encryption policy for media.
    pub srtp: SrtpPolicy,
    /// Audio devices for each call.
    pub devices: Arc<dyn AudioDevices>,
    /// Silence from the peer for this long ends a call (RTP timeout).
    pub rtp_timeout: std::time::Duration,
    /// An outgoing call still unanswered after this long is cancelled and fails as no answer.
    pub ring_timeout: Option<std::time::Duration>,
    /// Echo cancellation and noise suppression on the microphone.
    pub processing: crate::processing::ProcessingConfig,
    /// Extra certificates (PEM) to trust for SIP over TLS besides the system's.
    pub extra_tls_roots: Option<Vec<u8>>,
}

impl std::fmt::Debug for PhoneConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneConfig").field("sip_bind", &self.sip_bind).field("srtp", &self.srtp).finish()
    }
}

/// Where a call is.
#[derive(Debug, Clone, PartialEq)]
pub enum CallState {
    /// INVITE sent.
    Dialing,
    /// The far end rings (180).
    Ringing,
    /// The far end plays early media (183 with SDP).
    EarlyMedia,
    /// Talking.
    Active,
    /// On hold (by us).
    Held,
    /// Ended after being established, or an incoming call that was cancelled or rejected.
    Ended(EndReason),
    /// Never connected.
    Failed(CallFailure),
}

/// What the phone reports.
#[derive(Debug, Clone, PartialEq)]
pub enum PhoneEvent {
    /// A line's registration changed.
    Registration {
        /// The line's name.
        line: String,
        /// Its state.
        state: RegistrationState,
    },
    /// A call comes in.
    IncomingCall {
        /// The call.
        call: CallId,
        /// The line that rings (empty when no line matches the address called).
        line: String,
        /// The caller's number or user.
        from: String,
        /// The caller's display name.
        name: Option<String>,
    },
    /// A call changed state.
    CallState {
        /// The call.
        call: CallId,
        /// Its new state.
        state: CallState,
    },
    /// The peer pressed a key.
    Dtmf {
        /// The call.
        call: CallId,
        /// The key.
        key: char,
    },
    /// Peak levels over the last 100 ms.
    Levels {
        /// The call.
        call: CallId,
        /// Microphone, dBFS.
        input_dbfs: f32,
        /// Speaker, dBFS.
        output_dbfs: f32,
    },
    /// Call quality, every second.
    Quality {
        /// The call.
        call: CallId,
        /// Jitter, loss, RTT, MOS estimate.
        stats: MediaStats,
    },
}

/// Errors from phone actions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoiceError {
    /// No line with this name.
    #[error("no line named {0:?}")]
    NoSuchLine(String),
    /// No call with this id.
    #[error("no such call: {0}")]
    NoSuchCall(CallId),
    /// The call is not in a state that allows this.
    #[error("not possible now: {0}")]
    WrongState(String),
    /// Signalling failed.
    #[error(transparent)]
    Sip(#[from] ringdesk_sip::SipError),
    /// Media setup failed (SDP, ports, SRTP).
    #[error("media: {0}")]
    Media(String),
}

struct CallSlot {
    line: String,
    ports: Option<PortPair>,
    local: LocalAudio,
    offer: Option<Offer>,
    remote_offer: Option<String>,
    media: Option<MediaHandle>,
    held: bool,
}

struct Inner {
    sip: Arc<SipAgent>,
    cfg: PhoneConfig,
    lines: Mutex<HashMap<String, Account>>,
    calls: Mutex<HashMap<CallId, CallSlot>>,
    events: mpsc::UnboundedSender<PhoneEvent>,
}

/// A cheap, cloneable handle on the phone.
#[derive(Clone)]
pub struct Phone {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phone").field("sip", &self.inner.sip.local_addr()).finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Phone {
    /// Starts the SIP agent and the event loop.
    pub async fn start(cfg: PhoneConfig) -> Result<(Self, mpsc::UnboundedReceiver<PhoneEvent>), VoiceError> {
        let (sip, sip_events) = SipAgent::start(AgentConfig {
            bind: cfg.sip_bind,
            tcp: cfg.tcp,
            user_agent: "Ringdesk".into(),
            keepalive: std::time::Duration::from_secs(20),
            extra_tls_roots: cfg.extra_tls_roots.clone(),
        })
        .await?;
        let (events, rx) = mpsc::unbounded_channel();
        let inner =
            Arc::new(Inner { sip, cfg, lines: Mutex::new(HashMap::new()), calls: Mutex::new(HashMap::new()), events });
        tokio::spawn(event_loop(Arc::downgrade(&inner), sip_events));
        Ok((Self { inner }, rx))
    }

    /// The local SIP address.
    pub fn sip_addr(&self) -> std::net::SocketAddr {
        self.inner.sip.local_addr()
    }

    /// Adds a line and keeps it registered.
    pub fn add_line(&self, name: &str, account: Account) -> Result<(), VoiceError> {
        // Named before its registration starts: the first Registration event can come back
        // before this returns, and it must carry the line's name, not the account's address.
        let previous = lock(&self.inner.lines).insert(name.to_owned(), account.clone());
        if let Err(e) = self.inner.sip.keep_registered(account) {
            let mut lines = lock(&self.inner.lines);
            match previous {
                Some(p) => lines.insert(name.to_owned(), p),
                None => lines.remove(name),
            };
            return Err(e.into());
        }
        Ok(())
    }

    /// Adds a line that does not register: a trunk or PBX that accepts our calls by address.
    pub fn add_static_line(&self, name: &str, account: Account) {
        lock(&self.inner.lines).insert(name.to_owned(), account);
    }

    /// Unregisters and removes a line.
    pub fn remove_line(&self, name: &str) -> Result<(), VoiceError> {
        let account = lock(&self.inner.lines).remove(name).ok_or_else(|| VoiceError::NoSuchLine(name.into()))?;
        self.inner.sip.unregister(&account);
        Ok(())
    }

    fn local_audio(&self, port: u16) -> LocalAudio {
        LocalAudio {
            addr: self.inner.cfg.media_ip,
            rtp_port: port,
            codecs: self.inner.cfg.codecs.clone(),
            telephone_event: true,
            ptime_ms: 20,
            srtp: self.inner.cfg.srtp,
            origin: (random::session_id(), 1),
        }
    }

    /// Calls `target` on `line`.
    pub async fn dial(&self, line: &str, target: &str) -> Result<CallId, VoiceError> {
        self.dial_with(line, target, |_| {}).await
    }

    /// [`Phone::dial`], calling `on_call` with the new call's id before any of its events can be
    /// sent (so a caller can file the call under its own records first).
    pub async fn dial_with(
        &self,
        line: &str,
        target: &str,
        on_call: impl FnOnce(&CallId),
    ) -> Result<CallId, VoiceError> {
        let account = lock(&self.inner.lines).get(line).cloned().ok_or_else(|| VoiceError::NoSuchLine(line.into()))?;
        let ports = PortPair::bind(self.inner.cfg.media_ip, self.inner.cfg.rtp_ports)
            .await
            .map_err(|e| VoiceError::Media(e.to_string()))?;
        let local = self.local_audio(ports.port());
        let offer = sdp::create_offer(&local, Direction::SendRecv, &mut random::bytes)
            .map_err(|e| VoiceError::Media(e.to_string()))?;
        // The call is on record before the INVITE can be answered: a peer that answers at once
        // must find the offer (the event loop waits on this lock).
        let mut calls = lock(&self.inner.calls);
        let call = self.inner.sip.dial(&account, target, offer.sdp.clone(), self.inner.cfg.ring_timeout)?;
        calls.insert(
            call.clone(),
            CallSlot {
                line: line.into(),
                ports: Some(ports),
                local,
                offer: Some(offer),
                remote_offer: None,
                media: None,
                held: false,
            },
        );
        on_call(&call);
        let _ = self.inner.events.send(PhoneEvent::CallState { call: call.clone(), state: CallState::Dialing });
        drop(calls);
        Ok(call)
    }

    /// Answers an incoming call.
    pub fn answer(&self, call: &CallId) -> Result<(), VoiceError> {
        let (answer, negotiated) = {
            let calls = lock(&self.inner.calls);
            let slot = calls.get(call).ok_or_else(|| VoiceError::NoSuchCall(call.clone()))?;
            let offer_text =
                slot.remote_offer.as_deref().ok_or_else(|| VoiceError::WrongState("not an incoming call".into()))?;
            let offer = sdp::parse_audio(offer_text).map_err(|e| VoiceError::Media(e.to_string()))?;
            match sdp::answer_offer(&slot.local, &offer, Direction::SendRecv, &mut random::bytes) {
                Ok(a) => a,
                Err(e) => {
                    drop(calls);
                    // 488: nothing in common (codec, or SRTP required and not offered).
                    let _ = self.inner.sip.reject(call, false);
                    return Err(VoiceError::Media(e.to_string()));
                }
            }
        };
        self.inner.sip.answer(call, answer)?;
        start_media(&self.inner, call, negotiated)
    }

    /// Rejects an incoming call: busy (486) or declined (603).
    pub fn reject(&self, call: &CallId, declined: bool) -> Result<(), VoiceError> {
        self.inner.sip.reject(call, declined)?;
        Ok(())
    }

    /// Hangs up (or cancels while ringing).
    pub async fn hang_up(&self, call: &CallId) -> Result<(), VoiceError> {
        self.inner.sip.hang_up(call).await?;
        Ok(())
    }

    /// Mutes or unmutes the microphone on a call.
    pub fn mute(&self, call: &CallId, on: bool) -> Result<(), VoiceError> {
        self.media(call)?.send(MediaCommand::Mute(on));
        Ok(())
    }

    /// Plays `samples` (mono, `rate` Hz) into the call instead of the microphone (a voicemail
    /// drop); the answer resolves when all of it went out.
    pub fn play(
        &self,
        call: &CallId,
        samples: Vec<i16>,
        rate: u32,
    ) -> Result<tokio::sync::oneshot::Receiver<()>, VoiceError> {
        let (done, finished) = tokio::sync::oneshot::channel();
        self.media(call)?.send(MediaCommand::Play { samples, rate, done });
        Ok(finished)
    }

    /// Sends DTMF keys (RFC 4733), one after the other.
    pub async fn send_dtmf(&self, call: &CallId, keys: &str) -> Result<(), VoiceError> {
        let media = self.media(call)?;
        for key in keys.chars() {
            media.send(MediaCommand::Dtmf(key));
            // 100 ms tone, three end packets, then a gap.
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        Ok(())
    }

    /// Puts a call on hold (re-INVITE with a=sendonly).
    pub async fn hold(&self, call: &CallId) -> Result<(), VoiceError> {
        self.renegotiate(call, true).await
    }

    /// Resumes a held call (re-INVITE with a=sendrecv).
    pub async fn resume(&self, call: &CallId) -> Result<(), VoiceError> {
        self.renegotiate(call, false).await
    }

    async fn renegotiate(&self, call: &CallId, hold: bool) -> Result<(), VoiceError> {
        let offer = {
            let mut calls = lock(&self.inner.calls);
            let slot = calls.get_mut(call).ok_or_else(|| VoiceError::NoSuchCall(call.clone()))?;
            slot.local.origin.1 += 1;
            let dir = if hold { Direction::SendOnly } else { Direction::SendRecv };
            sdp::create_offer(&slot.local, dir, &mut random::bytes).map_err(|e| VoiceError::Media(e.to_string()))?
        };
        let answer = self.inner.sip.reinvite(call, offer.sdp.clone()).await?;
        let parsed = sdp::parse_audio(&answer).map_err(|e| VoiceError::Media(e.to_string()))?;
        let negotiated = sdp::accept_answer(&offer, &parsed).map_err(|e| VoiceError::Media(e.to_string()))?;
        {
            let mut calls = lock(&self.inner.calls);
            if let Some(slot) = calls.get_mut(call) {
                slot.held = hold;
                slot.offer = Some(offer);
                if let Some(m) = &slot.media {
                    m.send(MediaCommand::Update(Box::new(negotiated)));
                }
            }
        }
        let state = if hold { CallState::Held } else { CallState::Active };
        let _ = self.inner.events.send(PhoneEvent::CallState { call: call.clone(), state });
        Ok(())
    }

    /// Blind transfer: asks the peer to call `target` (REFER), then hangs up.
    pub async fn transfer(&self, call: &CallId, target: &str) -> Result<(), VoiceError> {
        self.inner.sip.transfer(call, target).await?;
        self.inner.sip.hang_up(call).await?;
        Ok(())
    }

    /// The call's media statistics so far.
    pub fn stats(&self, call: &CallId) -> Result<MediaStats, VoiceError> {
        Ok(self.media(call)?.stats())
    }

    fn media(&self, call: &CallId) -> Result<MediaHandle, VoiceError> {
        let calls = lock(&self.inner.calls);
        let slot = calls.get(call).ok_or_else(|| VoiceError::NoSuchCall(call.clone()))?;
        slot.media.clone().ok_or_else(|| VoiceError::WrongState("the call has no media yet".into()))
    }

    /// Ends the calls, unregisters every line (waiting up to `within` for the registrars) and
    /// stops the agent: what quitting does.
    pub async fn shutdown_gracefully(&self, within: std::time::Duration) {
        for (_, c) in lock(&self.inner.calls).drain() {
            if let Some(m) = c.media {
                m.send(MediaCommand::Stop);
            }
        }
        self.inner.sip.shutdown_gracefully(within).await;
    }

    /// Unregisters every line and stops the agent.
    pub fn shutdown(&self) {
        for (_, c) in lock(&self.inner.calls).drain() {
            if let Some(m) = c.media {
                m.send(MediaCommand::Stop);
            }
        }
        self.inner.sip.shutdown();
    }
}

fn start_media(inner: &Arc<Inner>, call: &CallId, negotiated: Negotiated) -> Result<(), VoiceError> {
    let mut calls = lock(&inner.calls);
    let slot = calls.get_mut(call).ok_or_else(|| VoiceError::NoSuchCall(call.clone()))?;
    if let Some(m) = &slot.media {
        m.send(MediaCommand::Update(Box::new(negotiated)));
        return Ok(());
    }
    let ports = slot.ports.take().ok_or_else(|| VoiceError::WrongState("media already started".into()))?;
    // Devices run at the codec's rate for the whole call (a later codec change resamples).
    let (source, sink) = inner.cfg.devices.open(&format!("{}-{}", slot.line, call.0), negotiated.codec.sample_rate());
    let (notice_tx, mut notice_rx) = mpsc::unbounded_channel();
    let handle =
        media_task::spawn(ports, negotiated, source, sink, notice_tx, inner.cfg.rtp_timeout, inner.cfg.processing)
            .map_err(|e| VoiceError::Media(e.to_string()))?;
    slot.media = Some(handle);
    let weak = Arc::downgrade(inner);
    let id = call.clone();
    tokio::spawn(async move {
        while let Some(notice) = notice_rx.recv().await {
            let Some(inner) = weak.upgrade() else { return };
            let event = match notice {
                MediaNotice::Dtmf(key) => PhoneEvent::Dtmf { call: id.clone(), key },
                MediaNotice::Levels { input_dbfs, output_dbfs } => {
                    PhoneEvent::Levels { call: id.clone(), input_dbfs, output_dbfs }
                }
                MediaNotice::Quality(stats) => PhoneEvent::Quality { call: id.clone(), stats },
                MediaNotice::Timeout => {
                    tracing::info!(call = %id, "no RTP from the peer: ending the call");
                    if !end_call(&inner, &id) {
                        return;
                    }
                    // The peer is likely gone: send the BYE without waiting for its timeout.
                    let sip = inner.sip.clone();
                    let bye = id.clone();
                    tokio::spawn(async move {
                        let _ = sip.hang_up(&bye).await;
                    });
                    PhoneEvent::CallState {
                        call: id.clone(),
                        state: CallState::Ended(EndReason::Other("no audio from the other side (RTP timeout)".into())),
                    }
                }
            };
            let _ = inner.events.send(event);
        }
    });
    Ok(())
}

/// Stops a call's media and forgets it; false when it was already gone.
fn end_call(inner: &Inner, call: &CallId) -> bool {
    match lock(&inner.calls).remove(call) {
        Some(slot) => {
            if let Some(m) = slot.media {
                m.send(MediaCommand::Stop);
            }
            true
        }
        None => false,
    }
}

async fn event_loop(inner: std::sync::Weak<Inner>, mut sip_events: mpsc::UnboundedReceiver<SipEvent>) {
    while let Some(event) = sip_events.recv().await {
        let Some(inner) = inner.upgrade() else { return };
        let emit = |e: PhoneEvent| {
            let _ = inner.events.send(e);
        };
        match event {
            SipEvent::Registration { line, state } => {
                let name = lock(&inner.lines)
                    .iter()
                    .find(|(_, a)| format!("{}@{}", a.username, a.registrar) == line)
                    .map(|(n, _)| n.clone())
                    .unwrap_or(line);
                emit(PhoneEvent::Registration { line: name, state });
            }
            SipEvent::IncomingCall { call, from_user, from_name, to_user, sdp } => {
                let line = lock(&inner.lines)
                    .iter()
                    .filter(|(_, a)| a.username == to_user)
                    .map(|(n, _)| n.clone())
                    .min()
                    .unwrap_or_default();
                let ports = match PortPair::bind(inner.cfg.media_ip, inner.cfg.rtp_ports).await {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::warn!(error = %e, "no RTP port for an incoming call");
                        let _ = inner.sip.reject(&call, false);
                        continue;
                    }
                };
                let local = Phone { inner: inner.clone() }.local_audio(ports.port());
                lock(&inner.calls).insert(
                    call.clone(),
                    CallSlot {
                        line: String::new(),
                        ports: Some(ports),
                        local,
                        offer: None,
                        remote_offer: Some(sdp),
                        media: None,
                        held: false,
                    },
                );
                emit(PhoneEvent::IncomingCall { call, line, from: from_user, name: from_name });
            }
            SipEvent::Progress { call, status, sdp } => {
                let early = sdp.and_then(|text| {
                    let calls = lock(&inner.calls);
                    let offer = calls.get(&call)?.offer.clone()?;
                    sdp::parse_audio(&text).ok().and_then(|a| sdp::accept_answer(&offer, &a).ok())
                });
                match early {
                    Some(n) => {
                        let _ = start_media(&inner, &call, n);
                        emit(PhoneEvent::CallState { call, state: CallState::EarlyMedia });
                    }
                    None if status == 180 || status == 183 => {
                        emit(PhoneEvent::CallState { call, state: CallState::Ringing })
                    }
                    None => {}
                }
            }
            SipEvent::Answered { call, sdp: answer } => {
                let offer = lock(&inner.calls).get(&call).and_then(|s| s.offer.clone());
                let agreed = offer.ok_or_else(|| "no offer on record".to_owned()).and_then(|o| {
                    sdp::parse_audio(&answer).and_then(|a| sdp::accept_answer(&o, &a)).map_err(|e| e.to_string())
                });
                match agreed.map_err(VoiceError::Media).and_then(|n| start_media(&inner, &call, n)) {
                    Ok(()) => emit(PhoneEvent::CallState { call, state: CallState::Active }),
                    Err(e) => {
                        tracing::warn!(call = %call, error = %e, "answered, but the media cannot start: hanging up");
                        let _ = inner.sip.hang_up(&call).await;
                        end_call(&inner, &call);
                        emit(PhoneEvent::CallState {
                            call,
                            state: CallState::Failed(CallFailure::Other(488, e.to_string())),
                        });
                    }
                }
            }
            SipEvent::Established { call } => emit(PhoneEvent::CallState { call, state: CallState::Active }),
            SipEvent::Reinvite { call, sdp: text, responder } => {
                let answered = {
                    let mut calls = lock(&inner.calls);
                    calls.get_mut(&call).and_then(|slot| {
                        let offer = sdp::parse_audio(&text).ok()?;
                        slot.local.origin.1 += 1;
                        let wanted = if slot.held { Direction::SendOnly } else { Direction::SendRecv };
                        let (answer, n) = sdp::answer_offer(&slot.local, &offer, wanted, &mut random::bytes).ok()?;
                        if let Some(m) = &slot.media {
                            m.send(MediaCommand::Update(Box::new(n)));
                        }
                        Some(answer)
                    })
                };
                match answered {
                    Some(answer) => {
                        let _ = responder.answer(answer).await;
                    }
                    None => {
                        let _ = responder.refuse().await;
                    }
                }
            }
            SipEvent::Failed { call, reason } => {
                if end_call(&inner, &call) {
                    emit(PhoneEvent::CallState { call, state: CallState::Failed(reason) });
                }
            }
            SipEvent::Ended { call, reason } => {
                if end_call(&inner, &call) {
                    emit(PhoneEvent::CallState { call, state: CallState::Ended(reason) });
                }
            }
        }
    }
}
