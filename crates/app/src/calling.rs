//! The softphone route: calls carried by the voice engine (`ringdesk-voice`) over the SIP line
//! in Settings, each one logged as it happens.
//!
//! Every call writes its `call_logs` row when it starts (lead, route, numbers) and updates it on
//! every state change (ringing, answered, ended with duration and reason); an outbound call also
//! moves the lead's `last_contact`. All of it goes through the outbox, so it syncs. An incoming
//! call is matched to its lead by number and announced with the lead's card (the screen pop).
//!
//! The phone runs on its own tokio runtime; a task turns its events into log updates and
//! [`CallNotice`]s for the sink (the shell forwards them to the UI).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ringdesk_core::{PhoneNumber, Region};
use ringdesk_store::calls::{self, CallChange, NewCall};
use ringdesk_store::{Store, leads};
use ringdesk_voice::audio::AudioDevices;
use ringdesk_voice::{
    Account, CallFailure, CallId, CallState, EndReason, Phone, PhoneConfig, PhoneEvent, RegistrationState,
};

use crate::dialable::{SipForm, dialable};
use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::{
    ActiveCall, AudioDevice, BridgeCallRequest, CallNotice, CallPhase, CallRoute, DialRequest, PlaceCall, PlacedCall,
    ScreenPop, SecretKind, SipTransport,
};

/// Who gets the notices.
pub type CallSink = Arc<dyn Fn(CallNotice) + Send + Sync>;

/// How the phone is started beyond the SIP line in Settings.
#[derive(Clone)]
pub struct PhoneOptions {
    /// The microphone and speaker (default: the system's, through cpal).
    pub devices: Option<Arc<dyn AudioDevices>>,
    /// The SIP bind address (default: any address, a free port).
    pub sip_bind: std::net::SocketAddr,
    /// The address advertised for media (default: the one that routes to the registrar).
    pub media_ip: Option<std::net::IpAddr>,
    /// An outgoing call still ringing after this long is given up as no answer.
    pub ring_timeout: Duration,
    /// Announce incoming and missed calls with desktop notifications (off in tests that have no
    /// session bus of their own).
    pub desktop_notifications: bool,
}

impl Default for PhoneOptions {
    fn default() -> Self {
        PhoneOptions {
            devices: None,
            sip_bind: std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
            media_ip: None,
            ring_timeout: Duration::from_secs(60),
            desktop_notifications: true,
        }
    }
}

impl std::fmt::Debug for PhoneOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneOptions").field("sip_bind", &self.sip_bind).finish_non_exhaustive()
    }
}

const LINE: &str = "main";

/// One call the service follows.
#[derive(Debug, Clone)]
struct Tracked {
    log_id: String,
    answered: Option<DateTime<Utc>>,
    inbound: bool,
    /// Who is calling, as a missed-call notification names them.
    caller: String,
    /// The agent turned it down (not a missed call to notify about).
    rejected: bool,
}

type Calls = Arc<Mutex<HashMap<CallId, Tracked>>>;

/// The running phone.
pub(crate) struct CallService {
    /// `Some` until dropped (then shut down in the background, which is allowed on any thread,
    /// including a Tauri command's tokio worker).
    runtime: Option<tokio::runtime::Runtime>,
    phone: Phone,
    calls: Calls,
    /// The line's last registration notice, for a window that starts listening after it was sent.
    registration: Arc<Mutex<Option<CallNotice>>>,
    /// The devices chosen in Settings, shared with every call (`None` when given by the caller).
    devices: Option<ringdesk_voice::cpal_devices::CpalDevices>,
}

/// Device names as Settings keeps them ("" for the system default) as cpal chooses them.
fn device_names(input: &str, output: &str) -> (Option<String>, Option<String>) {
    let chosen = |n: &str| (!n.is_empty()).then(|| n.to_string());
    (chosen(input), chosen(output))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How long quitting waits for the registrar to take the unregistration.
const UNREGISTER_WAIT: Duration = Duration::from_secs(2);

fn voice_error(e: ringdesk_voice::VoiceError) -> IpcError {
    IpcError::new(ErrorCode::Provider, format!("The phone could not do that: {e}."))
}

impl CallService {
    fn run<F: std::future::Future + Send + 'static>(&self, f: F) -> F::Output
    where
        F::Output: Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        if let Some(rt) = &self.runtime {
            rt.spawn(async move {
                let _ = tx.send(f.await);
            });
        }
        rx.recv().unwrap_or_else(|_| panic!("the phone runtime stopped during a request"))
    }
}

impl Drop for CallService {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            {
                let _inside = rt.enter();
                self.phone.shutdown();
            }
            rt.shutdown_background();
        }
    }
}

fn phase(state: &CallState) -> CallPhase {
    match state {
        CallState::Dialing => CallPhase::Dialing,
        CallState::Ringing => CallPhase::Ringing,
        CallState::EarlyMedia => CallPhase::EarlyMedia,
        CallState::Active => CallPhase::Active,
        CallState::Held => CallPhase::Held,
        CallState::Ended(_) => CallPhase::Ended,
        // The agent hung up before the answer: the call ended as asked, nothing failed.
        CallState::Failed(CallFailure::Cancelled) => CallPhase::Ended,
        CallState::Failed(_) => CallPhase::Failed,
    }
}

fn end_reason(r: &EndReason) -> String {
    match r {
        EndReason::LocalHangup => "local_hangup".into(),
        EndReason::RemoteHangup => "remote_hangup".into(),
        EndReason::CallerCancelled => "caller_cancelled".into(),
        EndReason::Timeout => "timeout".into(),
        EndReason::Rejected => "rejected".into(),
        EndReason::Other(o) => o.clone(),
    }
}

fn failure(f: &CallFailure) -> (&'static str, String) {
    match f {
        CallFailure::NoAnswer => ("no-answer", "no answer".into()),
        CallFailure::Busy => ("busy", "busy".into()),
        CallFailure::Cancelled => ("canceled", "cancelled".into()),
        other => ("failed", other.to_string()),
    }
}

/// The lead's card for an incoming call.
fn screen_pop(store: &Store, lead: leads::LeadSummary) -> ScreenPop {
    let last = store
        .read(|r| calls::history(r, &calls::HistoryQuery { lead_id: Some(&lead.id), limit: 2, ..Default::default() }))
        .unwrap_or_default();
    // The newest row is the ringing call itself.
    let previous = last.iter().find(|c| c.disposition.is_some() || c.duration_seconds.is_some());
    ScreenPop {
        lead_id: lead.id,
        name: lead.name,
        company: lead.company,
        status: lead.status,
        last_call_at: previous.map(|c| c.started_at.clone()),
        last_note: previous.and_then(|c| c.notes.clone()),
    }
}

/// Shows a desktop notification from its own thread (the D-Bus round trip must not delay the
/// call's events); a failure is logged, never fatal.
fn notify(summary: String, body: String) {
    std::thread::spawn(move || {
        if let Err(e) =
            notify_rust::Notification::new().appname("Ringdesk").summary(&summary).body(&body).icon("call-start").show()
        {
            tracing::warn!(error = %e, "a call notification could not be shown");
        }
    });
}

/// A stored RFC 3339 time as the agent's wall clock shows it, to the minute (as stored when it
/// cannot be read).
fn local_minute(at: &str) -> String {
    match DateTime::parse_from_rfc3339(at) {
        Ok(t) => t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => at.to_string(),
    }
}

/// The incoming call's notification: the lead's card when the number matched (name, company,
/// status, last call and its note), else the number as an unknown caller.
fn incoming_notification(number: &str, display_name: Option<&str>, pop: Option<&ScreenPop>) -> (String, String) {
    match pop {
        Some(p) => {
            let who = match &p.company {
                Some(c) => format!("{} ({c})", p.name),
                None => p.name.clone(),
            };
            let mut body = format!("{} · {number}", p.status);
            if let Some(at) = &p.last_call_at {
                body.push_str(&format!("\nLast call: {}", local_minute(at)));
            }
            if let Some(note) = &p.last_note {
                body.push_str(&format!("\n“{}”", note.chars().take(160).collect::<String>()));
            }
            (format!("Incoming call: {who}"), body)
        }
        None => {
            let body = match display_name {
                Some(n) if !n.is_empty() => format!("Unknown caller ({n})"),
                _ => "Unknown caller".to_string(),
            };
            (format!("Incoming call: {number}"), body)
        }
    }
}

/// Turns one phone event into log updates, a notice and, with `notifications`, a desktop
/// notification.
fn handle(store: &Store, region: Region, calls: &Calls, sink: &CallSink, notifications: bool, event: PhoneEvent) {
    match event {
        PhoneEvent::Registration { state, .. } => {
            let (registered, detail) = match &state {
                RegistrationState::Registered { .. } => (true, "registered".to_string()),
                other => (false, format!("{other:?}")),
            };
            sink(CallNotice::Registration { registered, detail });
        }
        PhoneEvent::IncomingCall { call, from, name, .. } => {
            let e164 = PhoneNumber::parse(&from, region).ok().map(|n| n.e164().to_string());
            let contact = e164.clone().unwrap_or_else(|| from.clone());
            let lead = e164.as_deref().and_then(|n| store.read(|r| leads::find_by_phone(r, n)).ok().flatten());
            let now = ringdesk_store::format_ts(Utc::now());
            let logged = store.write(|w| {
                calls::insert(
                    w,
                    &NewCall {
                        lead_id: lead.as_ref().map(|l| l.id.clone()),
                        route: "softphone".into(),
                        contact_number: contact.clone(),
                        direction: "inbound".into(),
                        status: Some("ringing".into()),
                        started_at: now,
                        ..NewCall::default()
                    },
                )
            });
            let log_id = match logged {
                Ok(id) => id,
                Err(e) => {
                    tracing::error!(error = %e, "an incoming call could not be logged");
                    return;
                }
            };
            let pop = lead.map(|l| screen_pop(store, l));
            let shown_number =
                PhoneNumber::parse(&contact, region).map(|n| n.display(region)).unwrap_or(contact.clone());
            let caller = pop.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| shown_number.clone());
            lock(calls).insert(
                call.clone(),
                Tracked { log_id: log_id.clone(), answered: None, inbound: true, caller, rejected: false },
            );
            if notifications {
                let (summary, body) = incoming_notification(&shown_number, name.as_deref(), pop.as_ref());
                notify(summary, body);
            }
            sink(CallNotice::Incoming {
                call_id: call.0,
                call_log_id: log_id,
                from: contact,
                display_name: name,
                lead: pop,
            });
        }
        PhoneEvent::CallState { call, state } => {
            let Some(tracked) = lock(calls).get(&call).cloned() else { return };
            let now = Utc::now();
            let change = match &state {
                CallState::Ringing => Some(CallChange { status: Some("ringing".into()), ..CallChange::default() }),
                CallState::Active if tracked.answered.is_none() => {
                    if let Some(t) = lock(calls).get_mut(&call) {
                        t.answered = Some(now);
                    }
                    Some(CallChange {
                        status: Some("in-progress".into()),
                        answered_at: Some(ringdesk_store::format_ts(now)),
                        ..CallChange::default()
                    })
                }
                CallState::Ended(reason) => {
                    lock(calls).remove(&call);
                    if notifications && tracked.inbound && tracked.answered.is_none() && !tracked.rejected {
                        notify(format!("Missed call: {}", tracked.caller), "Listed under History → Missed".into());
                    }
                    let status = match (tracked.answered, tracked.inbound) {
                        (Some(_), _) => "completed",
                        (None, true) => "missed",
                        (None, false) => "canceled",
                    };
                    Some(CallChange {
                        status: Some(status.into()),
                        ended_at: Some(ringdesk_store::format_ts(now)),
                        duration_seconds: Some(tracked.answered.map(|a| (now - a).num_seconds().max(0)).unwrap_or(0)),
                        end_reason: Some(end_reason(reason)),
                        ..CallChange::default()
                    })
                }
                CallState::Failed(f) => {
                    lock(calls).remove(&call);
                    let (status, reason) = failure(f);
                    Some(CallChange {
                        status: Some(status.into()),
                        ended_at: Some(ringdesk_store::format_ts(now)),
                        duration_seconds: Some(0),
                        end_reason: Some(reason),
                        ..CallChange::default()
                    })
                }
                _ => None,
            };
            if let Some(change) = change
                && let Err(e) = store.write(|w| calls::update(w, &tracked.log_id, &change))
            {
                tracing::error!(error = %e, "a call's state could not be logged");
            }
            let detail = match &state {
                CallState::Failed(f) => Some(f.to_string()),
                CallState::Ended(r) => Some(end_reason(r)),
                _ => None,
            };
            sink(CallNotice::State { call_id: call.0, call_log_id: tracked.log_id, phase: phase(&state), detail });
        }
        PhoneEvent::Levels { call, input_dbfs, output_dbfs } => {
            sink(CallNotice::Levels { call_id: call.0, input_dbfs, output_dbfs });
        }
        PhoneEvent::Quality { call, stats } => {
            sink(CallNotice::Quality {
                call_id: call.0,
                mos: stats.mos,
                loss_percent: stats.loss_fraction * 100.0,
                jitter_ms: stats.jitter_ms,
            });
        }
        PhoneEvent::Dtmf { .. } => {}
    }
}

impl crate::App {
    /// The lead a call is for (given, else found by the number); a lead marked Do Not Call is
    /// refused unless the agent overrides it.
    pub(crate) fn lead_to_dial(
        &self,
        lead_id: Option<&str>,
        e164: Option<&str>,
        override_dnc: bool,
    ) -> Result<Option<String>> {
        let lead = match (lead_id, e164) {
            (Some(id), _) => Some(self.store.read(|r| leads::get(r, id))?),
            (None, Some(n)) => match self.store.read(|r| leads::find_by_phone(r, n))? {
                Some(l) => Some(self.store.read(|r| leads::get(r, &l.id))?),
                None => None,
            },
            (None, None) => None,
        };
        if !override_dnc {
            // Every lead that owns the number counts, not only the one the call is logged
            // against: a link or a form naming another lead must not get around Do Not Call.
            let protected = match (&lead, e164) {
                (Some(l), _) if l.status == crate::workflow::DO_NOT_CALL => Some(l.name.clone()),
                (_, Some(n)) => {
                    self.store.read(|r| leads::live_owner_with_status(r, n, crate::workflow::DO_NOT_CALL))?
                }
                _ => None,
            };
            if let Some(name) = protected {
                return Err(IpcError::new(
                    ErrorCode::Conflict,
                    format!("{name} is marked Do Not Call. Call anyway only if you have their consent."),
                ));
            }
        }
        Ok(lead.map(|l| l.id))
    }

    /// Starts the softphone with the SIP line in Settings; its notices go to `sink`. Calling it
    /// again replaces the running phone (after the line's settings changed).
    pub fn start_phone(&self, options: PhoneOptions, sink: CallSink) -> Result<()> {
        // The line first: with no SIP line set up (most start-ups), the keychain is not asked.
        let (registrar, username) = crate::settings::sip_line(&self.store)?;
        if registrar.is_empty() || username.is_empty() {
            return Err(IpcError::new(
                ErrorCode::NotConfigured,
                "Set up your SIP line in Settings to call from Ringdesk.",
            ));
        }
        let password = self
            .secrets
            .get(SecretKind::SipPassword)?
            .ok_or_else(|| IpcError::new(ErrorCode::NotConfigured, "Enter your SIP password in Settings."))?;
        let s = self.get_settings()?;
        let registrar = s.sip_registrar.trim_start_matches("sip:").to_string();
        let account = Account {
            domain: registrar.split(':').next().unwrap_or(&registrar).to_string(),
            registrar: registrar.clone(),
            username: s.sip_username.clone(),
            password: password.expose().to_string(),
            expires: 120,
            transport: match s.sip_transport {
                SipTransport::Udp => ringdesk_voice::Transport::Udp,
                SipTransport::Tcp => ringdesk_voice::Transport::Tcp,
                SipTransport::Tls => ringdesk_voice::Transport::Tls,
            },
        };
        // The phone it replaces unregisters first: the registrar keeps one binding, ours.
        self.stop_phone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ringdesk-phone")
            .enable_all()
            .build()
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Could not start the phone: {e}")))?;
        // The devices in Settings, unless the caller brought its own (tests: WAV files); a later
        // change in Settings switches these in running calls too (`apply_audio_choice`).
        let (devices, chosen_devices): (Arc<dyn AudioDevices>, _) = match &options.devices {
            Some(given) => (given.clone(), None),
            None => {
                let (input, output) = device_names(&s.audio_input, &s.audio_output);
                let chosen = ringdesk_voice::cpal_devices::CpalDevices::new(input, output);
                (Arc::new(chosen.clone()), Some(chosen))
            }
        };
        let tcp = s.sip_transport != SipTransport::Udp;
        let (media, ring) = (options.media_ip, options.ring_timeout);
        let reg = registrar.clone();
        // Not block_on: this may be called from a tokio worker (a Tauri command).
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        runtime.spawn(async move {
            let media_ip = match media {
                Some(ip) => ip,
                None => ringdesk_voice::local_ip_toward(&reg).await,
            };
            let cfg = PhoneConfig {
                sip_bind: options.sip_bind,
                tcp,
                media_ip,
                rtp_ports: (16_384, 32_766),
                codecs: vec![
                    ringdesk_media::codec::CodecKind::Opus,
                    ringdesk_media::codec::CodecKind::G722,
                    ringdesk_media::codec::CodecKind::Pcmu,
                    ringdesk_media::codec::CodecKind::Pcma,
                ],
                srtp: ringdesk_media::srtp::SrtpPolicy::Optional,
                devices,
                rtp_timeout: Duration::from_secs(30),
                ring_timeout: Some(ring),
                processing: ringdesk_voice::processing::ProcessingConfig::default(),
                extra_tls_roots: None,
            };
            let _ = tx.send(Phone::start(cfg).await);
        });
        let started = rx.recv().map_err(|_| IpcError::new(ErrorCode::Internal, "The phone stopped while starting."))?;
        let (phone, mut events) = started.map_err(voice_error)?;
        {
            // Registration keeps itself alive on a task of the phone's runtime.
            let _inside = runtime.enter();
            phone.add_line(LINE, account).map_err(voice_error)?;
        }
        let calls: Calls = Arc::default();
        let (store, region, tracked) = (self.store.clone(), self.region()?, calls.clone());
        let notifications = options.desktop_notifications;
        let registration: Arc<Mutex<Option<CallNotice>>> = Arc::default();
        let last = registration.clone();
        let sink: CallSink = Arc::new(move |notice: CallNotice| {
            if matches!(notice, CallNotice::Registration { .. }) {
                *lock(&last) = Some(notice.clone());
            }
            sink(notice);
        });
        runtime.spawn(async move {
            while let Some(event) = events.recv().await {
                handle(&store, region, &tracked, &sink, notifications, event);
            }
        });
        *lock(&self.phone) =
            Some(CallService { runtime: Some(runtime), phone, calls, registration, devices: chosen_devices });
        Ok(())
    }

    /// Moves the running phone, and its calls, to the microphone and speaker now in Settings
    /// (when the phone opened the devices in Settings).
    pub(crate) fn apply_audio_choice(&self) -> Result<()> {
        let (input, output) = crate::settings::audio(&self.store)?;
        if let Some(devices) = lock(&self.phone).as_ref().and_then(|svc| svc.devices.as_ref()) {
            let (input, output) = device_names(&input, &output);
            devices.choose(input, output);
        }
        Ok(())
    }

    /// The microphone and speaker the running phone opens now: `None` when the phone is not
    /// running or was given its devices; `Some(None)` for a side on the system default.
    pub fn audio_choice(&self) -> Option<(Option<String>, Option<String>)> {
        lock(&self.phone).as_ref().and_then(|svc| svc.devices.as_ref().map(|d| d.chosen()))
    }

    /// Runs `f` on the running phone, inside its runtime (phone actions spawn media tasks).
    fn with_phone<T>(&self, f: impl FnOnce(&CallService) -> Result<T>) -> Result<T> {
        let slot = lock(&self.phone);
        let service = slot.as_ref().ok_or_else(|| {
            IpcError::new(ErrorCode::NotConfigured, "The phone is not running: set up your SIP line in Settings.")
        })?;
        let _inside = service.runtime.as_ref().map(tokio::runtime::Runtime::enter);
        f(service)
    }

    /// Calls a number (or SIP address) from the softphone, logging the call against its lead.
    /// A lead marked Do Not Call is refused unless `override_dnc` is set.
    pub fn dial(&self, req: &DialRequest) -> Result<ActiveCall> {
        let region = self.region()?;
        let target = dialable("Number", &req.to, region, SipForm::BareUser)?;
        let e164 = target.e164().map(str::to_string);
        let dial_to = target.into_string();
        let lead = self.lead_to_dial(req.lead_id.as_deref(), e164.as_deref(), req.override_dnc)?;
        self.with_phone(|svc| {
            let now = ringdesk_store::format_ts(Utc::now());
            let log_id = self.store.write(|w| {
                let id = calls::insert(
                    w,
                    &NewCall {
                        lead_id: lead.clone(),
                        route: "softphone".into(),
                        contact_number: e164.clone().unwrap_or_else(|| dial_to.clone()),
                        direction: "outbound".into(),
                        status: Some("dialing".into()),
                        started_at: now.clone(),
                        ..NewCall::default()
                    },
                )?;
                if let Some(lead) = &lead {
                    leads::touch_last_contact(w, lead, &now)?;
                }
                Ok::<_, ringdesk_store::StoreError>(id)
            })?;
            // On record before the INVITE can be answered, so the first events find the call.
            let phone = svc.phone.clone();
            let calls = svc.calls.clone();
            let log = log_id.clone();
            let placed = svc.run(async move {
                phone
                    .dial_with(LINE, &dial_to, |call| {
                        lock(&calls).insert(
                            call.clone(),
                            Tracked {
                                log_id: log,
                                answered: None,
                                inbound: false,
                                caller: String::new(),
                                rejected: false,
                            },
                        );
                    })
                    .await
            });
            match placed {
                Ok(call) => Ok(ActiveCall { call_id: call.0, call_log_id: log_id, lead_id: lead.clone() }),
                Err(e) => {
                    let change = CallChange {
                        status: Some("failed".into()),
                        ended_at: Some(ringdesk_store::format_ts(Utc::now())),
                        duration_seconds: Some(0),
                        end_reason: Some(e.to_string()),
                        ..CallChange::default()
                    };
                    let _ = self.store.write(|w| calls::update(w, &log_id, &change));
                    Err(voice_error(e))
                }
            }
        })
    }

    /// Places a call over the route the call names, else the default route in Settings: the
    /// softphone (the SIP line) or a bridge call (SignalWire rings the agent's phone, then the
    /// lead, showing the caller ID in Settings unless the call names one). Either way the call is
    /// logged against its lead before anything rings, and a Do Not Call lead is refused unless
    /// overridden.
    pub fn place_call(&self, req: &PlaceCall) -> Result<PlacedCall> {
        let (default_route, default_caller_id, _) = crate::settings::calls(&self.store)?;
        let route = req.route.unwrap_or(default_route);
        match route {
            CallRoute::Softphone => {
                let call = self.dial(&DialRequest {
                    to: req.to.clone(),
                    lead_id: req.lead_id.clone(),
                    override_dnc: req.override_dnc,
                })?;
                Ok(PlacedCall {
                    route,
                    call_log_id: call.call_log_id,
                    lead_id: call.lead_id,
                    call_id: Some(call.call_id),
                    bridge: None,
                })
            }
            CallRoute::Bridge => {
                let caller_id = req.caller_id.clone().filter(|c| !c.trim().is_empty()).or_else(|| {
                    let c = default_caller_id.trim();
                    (!c.is_empty()).then(|| c.to_string())
                });
                let info = self.start_bridge_call(&BridgeCallRequest {
                    to: req.to.clone(),
                    agent_phone: None,
                    caller_id,
                    record: req.record,
                    lead_id: req.lead_id.clone(),
                    override_dnc: req.override_dnc,
                })?;
                let call_log_id = info
                    .call_log_id
                    .clone()
                    .ok_or_else(|| IpcError::new(ErrorCode::Internal, "The bridge call started but was not logged."))?;
                let lead_id = self.store.read(|r| calls::lead_of(r, &call_log_id))?;
                Ok(PlacedCall { route, call_log_id, lead_id, call_id: None, bridge: Some(info) })
            }
        }
    }

    /// Plays a message (mono, `rate` Hz) into the softphone call logged as `call_log_id` instead
    /// of the microphone, then hangs it up; returns at once (a voicemail drop).
    pub(crate) fn play_into_softphone_call(&self, call_log_id: &str, samples: Vec<i16>, rate: u32) -> Result<()> {
        self.with_phone(|svc| {
            let call = lock(&svc.calls)
                .iter()
                .find(|(_, t)| t.log_id == call_log_id)
                .map(|(c, _)| c.clone())
                .ok_or_else(|| IpcError::new(ErrorCode::Conflict, "That call is no longer on the phone."))?;
            let done = svc.phone.play(&call, samples, rate).map_err(|e| match e {
                ringdesk_voice::VoiceError::WrongState(_) => IpcError::new(
                    ErrorCode::Conflict,
                    "The lead has not answered: there is nobody to leave the message to.",
                ),
                other => voice_error(other),
            })?;
            let phone = svc.phone.clone();
            let rt =
                svc.runtime.as_ref().ok_or_else(|| IpcError::new(ErrorCode::Internal, "The phone has stopped."))?;
            rt.spawn(async move {
                if done.await.is_ok()
                    && let Err(e) = phone.hang_up(&call).await
                {
                    tracing::debug!(error = %e, "the call ended before the message did");
                }
            });
            Ok(())
        })
    }

    /// The phone line's last registration notice (`None` while no phone runs or before the line
    /// reported), for a window that subscribes to call events after it was sent.
    pub fn phone_registration(&self) -> Option<CallNotice> {
        lock(&self.phone).as_ref().and_then(|svc| lock(&svc.registration).clone())
    }

    /// The microphones and speakers this computer has (for the pickers in Settings and the call
    /// panel).
    pub fn audio_devices(&self) -> Vec<AudioDevice> {
        ringdesk_voice::cpal_devices::list_devices()
            .into_iter()
            .map(|d| AudioDevice { name: d.name, input: d.input, output: d.output })
            .collect()
    }

    pub fn answer_call(&self, call_id: &str) -> Result<()> {
        self.with_phone(|svc| svc.phone.answer(&CallId(call_id.into())).map_err(voice_error))
    }

    /// Rejects an incoming call (busy).
    pub fn reject_call(&self, call_id: &str) -> Result<()> {
        self.with_phone(|svc| {
            let id = CallId(call_id.into());
            if let Some(t) = lock(&svc.calls).get_mut(&id) {
                t.rejected = true;
            }
            svc.phone.reject(&id, false).map_err(voice_error)
        })
    }

    pub fn hang_up(&self, call_id: &str) -> Result<()> {
        self.with_phone(|svc| {
            let phone = svc.phone.clone();
            let id = CallId(call_id.into());
            svc.run(async move { phone.hang_up(&id).await }).map_err(voice_error)
        })
    }

    pub fn set_mute(&self, call_id: &str, on: bool) -> Result<()> {
        self.with_phone(|svc| svc.phone.mute(&CallId(call_id.into()), on).map_err(voice_error))
    }

    pub fn hold_call(&self, call_id: &str, hold: bool) -> Result<()> {
        self.with_phone(|svc| {
            let phone = svc.phone.clone();
            let id = CallId(call_id.into());
            svc.run(async move { if hold { phone.hold(&id).await } else { phone.resume(&id).await } })
                .map_err(voice_error)
        })
    }

    /// Sends keypad tones (0-9, *, #, A-D).
    pub fn send_dtmf(&self, call_id: &str, keys: &str) -> Result<()> {
        if keys.is_empty() || !keys.chars().all(|c| c.is_ascii_digit() || "*#ABCDabcd".contains(c)) {
            return Err(IpcError::invalid(format!("{keys:?} are not keypad keys (0-9, *, #, A-D).")));
        }
        self.with_phone(|svc| {
            let phone = svc.phone.clone();
            let (id, keys) = (CallId(call_id.into()), keys.to_string());
            svc.run(async move { phone.send_dtmf(&id, &keys).await }).map_err(voice_error)
        })
    }

    /// Blind transfer to a number or SIP address.
    pub fn transfer_call(&self, call_id: &str, to: &str) -> Result<()> {
        let dial_to = dialable("Transfer to", to, self.region()?, SipForm::BareUser)?.into_string();
        self.with_phone(|svc| {
            let phone = svc.phone.clone();
            let id = CallId(call_id.into());
            svc.run(async move { phone.transfer(&id, &dial_to).await }).map_err(voice_error)
        })
    }

    /// Stops the phone: calls end, and every line unregisters (waiting up to two seconds for the
    /// registrar), so no binding of this desktop outlives it.
    pub fn stop_phone(&self) {
        let Some(svc) = lock(&self.phone).take() else { return };
        let phone = svc.phone.clone();
        svc.run(async move { phone.shutdown_gracefully(UNREGISTER_WAIT).await });
    }
}

#[cfg(test)]
mod tests {
    use super::{CallFailure, CallPhase, CallState, local_minute, phase};

    #[test]
    fn a_call_the_agent_cancelled_while_it_rang_ended_and_did_not_fail() {
        assert_eq!(
            phase(&CallState::Failed(CallFailure::Cancelled)),
            CallPhase::Ended,
            "no 'Call failed' for a hang-up"
        );
        assert_eq!(phase(&CallState::Failed(CallFailure::Busy)), CallPhase::Failed, "busy is still a failure to reach");
        assert_eq!(phase(&CallState::Failed(CallFailure::NoAnswer)), CallPhase::Failed, "so is no answer");
    }

    #[test]
    fn a_last_call_time_is_shown_by_its_instant_in_local_time_not_by_its_stored_text() {
        assert_eq!(
            local_minute("2026-11-29T08:46:12+02:00"),
            local_minute("2026-11-29T06:46:12Z"),
            "the same instant reads the same, whatever offset it was stored with"
        );
        assert_eq!(local_minute("2026-11-29T06:46:12Z").len(), 16, "to the minute: YYYY-MM-DD HH:MM");
        assert_eq!(local_minute("yesterday"), "yesterday", "an unreadable time is shown as stored");
    }
}
