//! The after-call commands: `dispose`, `followups`, `history`.

use std::io::Write;

use clap::{Subcommand, ValueEnum};
use ringdesk_app::ipc::{CallHistoryItem, DispositionRequest, HistoryFilter, NextAction};
use ringdesk_app::{App, IpcError};

use crate::emit_json;
use crate::provider::io;

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
        c.disposition.as_deref().unwrap_or("(to wrap up)"),
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
