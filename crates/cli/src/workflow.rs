//! Calling and the after-call commands: `call`, `dispose`, `followups`, `history`.

use std::io::Write;

use clap::{Subcommand, ValueEnum};
use ringdesk_app::ipc::{
    CallHistoryItem, CallNotice, CallPhase, CallRoute, DispositionRequest, HistoryFilter, NextAction, PlaceCall,
};
use ringdesk_app::{App, ErrorCode, IpcError};

use crate::{emit_json, io};

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum NextArg {
    CallBack,
    SendEmail,
    SendSms,
    ScheduleMeeting,
    MarkDead,
}

impl From<NextArg> for NextAction {
    fn from(a: NextArg) -> Self {
        match a {
            NextArg::CallBack => NextAction::CallBack,
            NextArg::SendEmail => NextAction::SendEmail,
            NextArg::SendSms => NextAction::SendSms,
            NextArg::ScheduleMeeting => NextAction::ScheduleMeeting,
            NextArg::MarkDead => NextAction::MarkDead,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RouteArg {
    Softphone,
    Bridge,
}

impl From<RouteArg> for CallRoute {
    fn from(a: RouteArg) -> Self {
        match a {
            RouteArg::Softphone => CallRoute::Softphone,
            RouteArg::Bridge => CallRoute::Bridge,
        }
    }
}

/// How long `call` keeps asking after hanging up a bridge call SignalWire still reports active.
const HANG_UP_GIVE_UP: std::time::Duration = std::time::Duration::from_secs(20);
/// How many times `call` sends the hang-up in all.
const HANG_UPS_MAX: u32 = 3;

/// What `call` was asked.
#[derive(Debug)]
pub struct CallArgs {
    pub target: String,
    pub route: Option<CallRoute>,
    pub caller_id: Option<String>,
    pub record: bool,
    pub override_dnc: bool,
    pub hang_up_after: Option<std::time::Duration>,
    pub timeout: std::time::Duration,
}

/// One state of the call, as a line (or a JSON line).
fn say(out: &mut dyn Write, json: bool, call_log_id: &str, state: &str, detail: Option<&str>) -> Result<(), IpcError> {
    if json {
        let line = serde_json::json!({"callLogId": call_log_id, "state": state, "detail": detail});
        return writeln!(out, "{line}").map_err(io);
    }
    match detail {
        Some(d) => writeln!(out, "{state}: {d}"),
        None => writeln!(out, "{state}"),
    }
    .map_err(io)
}

/// Places a call and follows it to its end: over the softphone (the SIP line in Settings, the
/// system's audio devices) or as a bridge call (SignalWire rings the agent's phone, then the
/// lead; its status is polled every second).
pub fn call(app: &App, args: &CallArgs, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    let (to, lead_id) = match app.get_lead(&args.target) {
        Ok(lead) => {
            let phone = lead
                .phone_e164
                .clone()
                .or(lead.phone.clone())
                .ok_or_else(|| IpcError::invalid(format!("{} has no phone number to call.", lead.name)))?;
            (phone, Some(lead.id))
        }
        Err(e) if e.code == ErrorCode::NotFound => (args.target.clone(), None),
        Err(e) => return Err(e),
    };
    let route = match args.route {
        Some(r) => r,
        None => app.get_settings()?.default_route,
    };
    let request = PlaceCall {
        to,
        lead_id,
        override_dnc: args.override_dnc,
        route: Some(route),
        caller_id: args.caller_id.clone(),
        record: args.record,
    };
    let deadline = std::time::Instant::now() + args.timeout;
    match route {
        CallRoute::Bridge => {
            let placed = app.place_call(&request)?;
            let mut info =
                placed.bridge.ok_or_else(|| IpcError::new(ErrorCode::Internal, "No bridge call came back."))?;
            if !json {
                writeln!(out, "call {} (bridge, rings {} first)", placed.call_log_id, info.agent_phone).map_err(io)?;
            }
            let mut last = String::new();
            let mut answered_at = None;
            // After the hang-up, SignalWire may report the call as still active for a while:
            // ask again with growing pauses, repeat the hang-up a bounded number of times, and
            // give up with an explanation instead of looping.
            let mut hung_up: Option<std::time::Instant> = None;
            let mut hang_ups = 0u32;
            let mut pause = std::time::Duration::from_secs(1);
            loop {
                if info.status != last {
                    say(out, json, &placed.call_log_id, &info.status, None)?;
                    last = info.status.clone();
                }
                if matches!(info.status.as_str(), "completed" | "busy" | "failed" | "no-answer" | "canceled") {
                    break;
                }
                if info.status == "in-progress" && answered_at.is_none() {
                    answered_at = Some(std::time::Instant::now());
                }
                let over = answered_at.zip(args.hang_up_after).is_some_and(|(a, d)| a.elapsed() >= d);
                match hung_up {
                    None if over || std::time::Instant::now() >= deadline => {
                        info = app.hang_up_bridge_call(&info.sid)?;
                        hung_up = Some(std::time::Instant::now());
                        hang_ups = 1;
                        continue;
                    }
                    None => std::thread::sleep(std::time::Duration::from_secs(1)),
                    Some(at) if at.elapsed() >= HANG_UP_GIVE_UP => {
                        return Err(IpcError::new(
                            ErrorCode::Provider,
                            format!(
                                "Hung up call {} {hang_ups} times, but SignalWire still reports it as {} after {} s.                                  Ringdesk stopped asking; check it in the SignalWire dashboard or with                                  `ringdesk-cli history`.",
                                placed.call_log_id,
                                info.status,
                                at.elapsed().as_secs()
                            ),
                        ));
                    }
                    Some(_) => {
                        std::thread::sleep(pause);
                        pause = (pause * 2).min(std::time::Duration::from_secs(8));
                        if hang_ups < HANG_UPS_MAX && pause >= std::time::Duration::from_secs(4) {
                            info = app.hang_up_bridge_call(&info.sid)?;
                            hang_ups += 1;
                            continue;
                        }
                    }
                }
                info = app.bridge_call_status(&info.sid)?;
            }
            if !json {
                writeln!(out, "wrap it up: ringdesk-cli dispose {} <disposition>", placed.call_log_id).map_err(io)?;
            }
            Ok(())
        }
        CallRoute::Softphone => {
            let (tx, rx) = std::sync::mpsc::channel::<CallNotice>();
            let sink: ringdesk_app::CallSink = std::sync::Arc::new(move |n| {
                let _ = tx.send(n);
            });
            app.start_phone(ringdesk_app::PhoneOptions::default(), sink)?;
            // Wait for the line to register (or to say why it cannot).
            loop {
                let left = deadline
                    .saturating_duration_since(std::time::Instant::now())
                    .min(std::time::Duration::from_secs(15));
                match rx.recv_timeout(left) {
                    Ok(CallNotice::Registration { registered: true, .. }) => break,
                    Ok(CallNotice::Registration { registered: false, detail }) if detail.contains("Failed") => {
                        app.stop_phone();
                        return Err(IpcError::new(
                            ErrorCode::Provider,
                            format!("The SIP line did not register: {detail}"),
                        ));
                    }
                    Ok(_) => {}
                    Err(_) => {
                        app.stop_phone();
                        return Err(IpcError::new(ErrorCode::Provider, "The SIP line did not register within 15 s."));
                    }
                }
            }
            let placed = match app.place_call(&request) {
                Ok(p) => p,
                Err(e) => {
                    app.stop_phone();
                    return Err(e);
                }
            };
            let call_id = placed.call_id.clone().unwrap_or_default();
            if !json {
                writeln!(out, "call {} (softphone)", placed.call_log_id).map_err(io)?;
            }
            let mut answered_at = None;
            let mut hung_up = false;
            loop {
                let over = answered_at
                    .zip(args.hang_up_after)
                    .is_some_and(|(a, d): (std::time::Instant, std::time::Duration)| a.elapsed() >= d);
                if !hung_up && (over || std::time::Instant::now() >= deadline) {
                    hung_up = true;
                    let _ = app.hang_up(&call_id);
                }
                let notice = match rx.recv_timeout(std::time::Duration::from_millis(200)) {
                    Ok(n) => n,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                };
                if let CallNotice::State { call_id: id, phase, detail, .. } = notice
                    && id == call_id
                {
                    let state = match phase {
                        CallPhase::Dialing => "dialing",
                        CallPhase::Ringing => "ringing",
                        CallPhase::EarlyMedia => "early media",
                        CallPhase::Active => "answered",
                        CallPhase::Held => "held",
                        CallPhase::Ended => "ended",
                        CallPhase::Failed => "failed",
                    };
                    say(out, json, &placed.call_log_id, state, detail.as_deref())?;
                    match phase {
                        CallPhase::Active if answered_at.is_none() => answered_at = Some(std::time::Instant::now()),
                        CallPhase::Ended | CallPhase::Failed => break,
                        _ => {}
                    }
                }
            }
            app.stop_phone();
            if !json {
                writeln!(out, "wrap it up: ringdesk-cli dispose {} <disposition>", placed.call_log_id).map_err(io)?;
            }
            Ok(())
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum FollowUpsCommand {
    /// Marks a follow-up done.
    Done { id: String },
    /// Hides a follow-up until a time (RFC 3339).
    Snooze { id: String, until: String },
    /// Moves a follow-up to a new time (RFC 3339).
    Reschedule { id: String, due_at: String },
    /// Reminds of follow-ups as they fall due (desktop notifications; one JSON line each) for
    /// this many seconds.
    Watch {
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
}

fn line(c: &CallHistoryItem) -> String {
    let who = match (&c.lead_name, &c.lead_company) {
        (Some(n), Some(co)) => format!("{n} ({co})"),
        (Some(n), None) => n.clone(),
        _ => "unknown caller".into(),
    };
    let dur = c.duration_seconds.map(|d| format!("{}:{:02}", d / 60, d % 60)).unwrap_or_else(|| "-".into());
    format!(
        "{}  {}  {:<8} {:<16} {:>6}  {:<18} {}{}",
        c.id,
        c.started_at,
        c.direction,
        c.contact_number,
        dur,
        c.disposition.as_deref().unwrap_or(if c.missed { "missed" } else { "(to wrap up)" }),
        who,
        c.notes.as_deref().map(|n| format!(" — {n}")).unwrap_or_default()
    )
}

#[allow(clippy::too_many_arguments)]
pub fn dispose(
    app: &App,
    call: &str,
    disposition: &str,
    notes: Option<&str>,
    next: Option<NextArg>,
    follow_up: Option<&str>,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), IpcError> {
    let saved = app.dispose_call(&DispositionRequest {
        call_log_id: call.into(),
        disposition: disposition.into(),
        notes: notes.map(str::to_string),
        next_action: next.map(Into::into),
        follow_up_at: follow_up.map(str::to_string),
    })?;
    if json {
        return emit_json(out, &saved);
    }
    writeln!(out, "{}", line(&saved)).map_err(io)
}

pub fn followups(app: &App, cmd: Option<&FollowUpsCommand>, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    if let Some(FollowUpsCommand::Watch { seconds }) = cmd {
        let (tx, rx) = std::sync::mpsc::channel();
        let _reminders = app.start_follow_up_reminders(
            std::time::Duration::from_secs(1),
            true,
            std::sync::Arc::new(move |n| {
                let _ = tx.send(n);
            }),
        )?;
        let until = std::time::Instant::now() + std::time::Duration::from_secs(*seconds);
        while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
            if let Ok(n) = rx.recv_timeout(left) {
                let line = serde_json::to_string(&n)
                    .map_err(|e| IpcError::new(ringdesk_app::ErrorCode::Internal, e.to_string()))?;
                writeln!(out, "{line}").map_err(io)?;
                out.flush().map_err(io)?;
            }
        }
        return Ok(());
    }
    let list = match cmd {
        None | Some(FollowUpsCommand::Watch { .. }) => app.follow_ups()?,
        Some(FollowUpsCommand::Done { id }) => app.complete_follow_up(id)?,
        Some(FollowUpsCommand::Snooze { id, until }) => app.snooze_follow_up(id, until)?,
        Some(FollowUpsCommand::Reschedule { id, due_at }) => app.reschedule_follow_up(id, due_at)?,
    };
    if json {
        return emit_json(out, &list);
    }
    for (title, items) in [("overdue", &list.overdue), ("today", &list.today), ("upcoming", &list.upcoming)] {
        writeln!(out, "{title} ({})", items.len()).map_err(io)?;
        for f in items {
            writeln!(
                out,
                "  {}  {}  {}  {}  {}",
                f.id,
                f.due_at,
                f.lead_name.as_deref().unwrap_or(&f.contact_number),
                f.next_action.map(|a| format!("{a:?}")).unwrap_or_default(),
                f.notes.as_deref().unwrap_or("")
            )
            .map_err(io)?;
        }
    }
    Ok(())
}

pub fn history(app: &App, filter: &HistoryFilter, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    let rows = app.call_history(filter)?;
    if json {
        return emit_json(out, &rows);
    }
    for c in &rows {
        writeln!(out, "{}", line(c)).map_err(io)?;
    }
    Ok(())
}
