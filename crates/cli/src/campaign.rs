//! The power dialer from a terminal: `campaign create|list|show|start|pause|resume|complete|
//! duplicate|delete|session|stats|export`.

use std::io::Write;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use ringdesk_app::ipc::{
    CampaignAction, CampaignDraft, CampaignSession, CampaignSummary, DialMode, LeadOrder, RetryAfter, RetryRule,
    SessionCommand,
};
use ringdesk_app::{App, ErrorCode, IpcError};

use crate::{emit_json, io, list_id};

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ModeArg {
    Preview,
    Progressive,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum OrderArg {
    List,
    OldestContact,
    HighestValue,
    BestHour,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepArg {
    Refresh,
    Dial,
    Skip,
    Pause,
    Resume,
    End,
}

#[derive(Subcommand, Debug)]
pub enum CampaignCommand {
    /// Creates a draft campaign over a list.
    Create {
        #[arg(long)]
        name: String,
        /// The list, by name or id.
        #[arg(long)]
        list: String,
        #[arg(long, value_enum, default_value = "preview")]
        mode: ModeArg,
        /// The number leads see (else the caller ID in Settings).
        #[arg(long)]
        caller_id: Option<String>,
        /// Show a project number in the lead's area code, else state.
        #[arg(long)]
        local_presence: bool,
        #[arg(long)]
        max_attempts: Option<u32>,
        /// The calling window in the lead's local time, `HH:MM-HH:MM` (default 08:00-21:00).
        #[arg(long)]
        window: Option<String>,
        /// Weekdays not called, such as `sat,sun`.
        #[arg(long, value_delimiter = ',')]
        exclude_days: Vec<String>,
        #[arg(long, value_enum, default_value = "list")]
        order: OrderArg,
        /// Progressive: seconds from the saved wrap-up to the next dial (0-30).
        #[arg(long)]
        countdown: Option<u32>,
        /// The zone assumed for a number that does not say where it rings.
        #[arg(long)]
        timezone: Option<String>,
        /// A retry rule: `OUTCOME=90m`, `OUTCOME=4h`, `OUTCOME=next_day` or `OUTCOME=never`
        /// (repeatable).
        #[arg(long = "retry", value_name = "OUTCOME=WHEN")]
        retry: Vec<String>,
    },
    /// The campaigns with their progress.
    List,
    /// One campaign's settings and progress.
    Show {
        campaign: String,
    },
    Start {
        campaign: String,
    },
    Pause {
        campaign: String,
    },
    Resume {
        campaign: String,
    },
    Complete {
        campaign: String,
    },
    Duplicate {
        campaign: String,
    },
    /// Deletes a draft.
    Delete {
        campaign: String,
    },
    /// The agent's session: applies STEP (refresh by default) and prints where it stands; the
    /// session dials by itself when the campaign's mode says so.
    Session {
        campaign: String,
        #[arg(value_enum, default_value = "refresh")]
        step: StepArg,
    },
    /// Works the campaign without an agent at the keys (automation, tests): the bridge route,
    /// each call followed to its end and its outcome recorded (answered as --answered-as, busy,
    /// no answer, failed), one JSON line per call placed and per call wrapped up.
    Run {
        campaign: String,
        /// The disposition of an answered call.
        #[arg(long, default_value = "answered")]
        answered_as: String,
        /// Stop after this many calls.
        #[arg(long)]
        max_calls: Option<u32>,
        /// Seconds to wait for a lead to become callable (another agent's lease, a window).
        #[arg(long, default_value_t = 0.0)]
        max_wait: f64,
    },
    /// Results: progress, dials, connects, conversations, talk time, outcomes, attempts.
    Stats {
        campaign: String,
    },
    /// Writes one row per lead (name, number, last outcome, attempts, last call, next retry,
    /// notes) to FILE.
    Export {
        campaign: String,
        file: PathBuf,
    },
}

fn retry_rule(text: &str) -> Result<RetryRule, IpcError> {
    let bad = || {
        IpcError::invalid(format!("--retry {text:?}: use OUTCOME=90m, OUTCOME=4h, OUTCOME=next_day or OUTCOME=never."))
    };
    let (outcome, when) = text.split_once('=').ok_or_else(bad)?;
    let retry = match when.trim() {
        "next_day" => RetryAfter::NextDay,
        "never" | "final" => RetryAfter::Never,
        w => {
            let (n, unit) = w.split_at(w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len()));
            let n: u32 = n.parse().map_err(|_| bad())?;
            let minutes = match unit {
                "m" | "min" | "" => n,
                "h" => n.checked_mul(60).ok_or_else(bad)?,
                "d" => n.checked_mul(24 * 60).ok_or_else(bad)?,
                _ => return Err(bad()),
            };
            RetryAfter::Minutes { minutes }
        }
    };
    Ok(RetryRule { outcome: outcome.trim().to_string(), retry })
}

/// A campaign named by id or (case-insensitive) name.
fn campaign_id(app: &App, key: &str) -> Result<String, IpcError> {
    let all = app.list_campaigns()?;
    all.iter()
        .find(|c| c.id == key)
        .or_else(|| all.iter().find(|c| c.name.eq_ignore_ascii_case(key)))
        .map(|c| c.id.clone())
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, format!("There is no campaign {key:?}.")))
}

fn print_summary(out: &mut dyn Write, c: &CampaignSummary) -> Result<(), IpcError> {
    let p = &c.progress;
    writeln!(
        out,
        "{}  {:<24} {:?} {:?}  {} leads: {} done, {} remaining ({} waiting for their window), {} dials  [{}]",
        c.id,
        c.name,
        c.status,
        c.mode,
        p.total,
        p.done,
        p.remaining,
        p.waiting_for_window,
        p.dials,
        c.list_name.as_deref().unwrap_or("list deleted")
    )
    .map_err(io)
}

fn print_session(out: &mut dyn Write, s: &CampaignSession) -> Result<(), IpcError> {
    writeln!(out, "{}: {:?}", s.campaign_name, s.state).map_err(io)?;
    if let Some(l) = &s.lead {
        writeln!(out, "  lead: {} {} ({})", l.name, l.contact_display.as_deref().unwrap_or("-"), l.why).map_err(io)?;
    }
    if let Some(p) = &s.placed {
        writeln!(out, "  placed call {}", p.call_log_id).map_err(io)?;
    }
    for u in &s.upcoming {
        writeln!(out, "  next: {}", u.name).map_err(io)?;
    }
    for w in &s.waiting {
        writeln!(out, "  waiting: {} ({})", w.name, w.label).map_err(io)?;
    }
    if let Some(n) = &s.notice {
        writeln!(out, "  note: {n}").map_err(io)?;
    }
    Ok(())
}

pub fn run(app: &App, command: &CampaignCommand, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    let action = |key: &str, a: CampaignAction, out: &mut dyn Write| -> Result<(), IpcError> {
        let c = app.campaign_action(&campaign_id(app, key)?, a)?;
        if json {
            return emit_json(out, &c);
        }
        match c {
            Some(c) => print_summary(out, &c),
            None => writeln!(out, "deleted").map_err(io),
        }
    };
    match command {
        CampaignCommand::Create {
            name,
            list,
            mode,
            caller_id,
            local_presence,
            max_attempts,
            window,
            exclude_days,
            order,
            countdown,
            timezone,
            retry,
        } => {
            let list_id = match app.list_lists()?.iter().find(|l| l.id == *list) {
                Some(l) => l.id.clone(),
                None => list_id(app, list)?,
            };
            let (window_start, window_end) = match window {
                Some(w) => {
                    let (a, b) = w.split_once('-').ok_or_else(|| {
                        IpcError::invalid(format!("--window {w:?}: use HH:MM-HH:MM, such as 09:00-17:00."))
                    })?;
                    (Some(a.to_string()), Some(b.to_string()))
                }
                None => (None, None),
            };
            let draft = CampaignDraft {
                name: name.clone(),
                list_id,
                mode: match mode {
                    ModeArg::Preview => DialMode::Preview,
                    ModeArg::Progressive => DialMode::Progressive,
                },
                caller_id: caller_id.clone(),
                local_presence: *local_presence,
                max_attempts: *max_attempts,
                retry: retry.iter().map(|r| retry_rule(r)).collect::<Result<_, _>>()?,
                window_start,
                window_end,
                excluded_days: exclude_days.clone(),
                order: match order {
                    OrderArg::List => LeadOrder::List,
                    OrderArg::OldestContact => LeadOrder::OldestContact,
                    OrderArg::HighestValue => LeadOrder::HighestValue,
                    OrderArg::BestHour => LeadOrder::BestHour,
                },
                countdown_seconds: *countdown,
                timezone: timezone.clone(),
            };
            let c = app.create_campaign(&draft)?;
            if json {
                return emit_json(out, &c);
            }
            print_summary(out, &c)?;
        }
        CampaignCommand::List => {
            let all = app.list_campaigns()?;
            if json {
                return emit_json(out, &all);
            }
            for c in &all {
                print_summary(out, c)?;
            }
        }
        CampaignCommand::Show { campaign } => {
            let c = app.get_campaign(&campaign_id(app, campaign)?)?;
            if json {
                return emit_json(out, &c);
            }
            print_summary(out, &c)?;
        }
        CampaignCommand::Start { campaign } => action(campaign, CampaignAction::Start, out)?,
        CampaignCommand::Pause { campaign } => action(campaign, CampaignAction::Pause, out)?,
        CampaignCommand::Resume { campaign } => action(campaign, CampaignAction::Resume, out)?,
        CampaignCommand::Complete { campaign } => action(campaign, CampaignAction::Complete, out)?,
        CampaignCommand::Duplicate { campaign } => action(campaign, CampaignAction::Duplicate, out)?,
        CampaignCommand::Delete { campaign } => action(campaign, CampaignAction::Delete, out)?,
        CampaignCommand::Session { campaign, step } => {
            let command = match step {
                StepArg::Refresh => SessionCommand::Refresh,
                StepArg::Dial => SessionCommand::DialNow,
                StepArg::Skip => SessionCommand::Skip,
                StepArg::Pause => SessionCommand::Pause,
                StepArg::Resume => SessionCommand::Resume,
                StepArg::End => SessionCommand::End,
            };
            let s = app.campaign_session(&campaign_id(app, campaign)?, command)?;
            if json {
                return emit_json(out, &s);
            }
            print_session(out, &s)?;
        }
        CampaignCommand::Run { campaign, answered_as, max_calls, max_wait } => {
            let max_wait = std::time::Duration::try_from_secs_f64(*max_wait)
                .map_err(|e| IpcError::invalid(format!("--max-wait {max_wait}: {e}")))?;
            let opts = ringdesk_app::campaigns::WorkOptions {
                answered_as: answered_as.clone(),
                max_calls: *max_calls,
                max_wait,
            };
            let mut failed = None;
            let n = app.work_campaign(&campaign_id(app, campaign)?, &opts, &mut |c| {
                let line = serde_json::to_string(c).unwrap_or_default();
                if let Err(e) = writeln!(out, "{line}").and_then(|_| out.flush()) {
                    failed.get_or_insert(e);
                }
            })?;
            if let Some(e) = failed {
                return Err(io(e));
            }
            if !json {
                writeln!(out, "{n} calls").map_err(io)?;
            }
        }
        CampaignCommand::Stats { campaign } => {
            let s = app.campaign_stats(&campaign_id(app, campaign)?)?;
            if json {
                return emit_json(out, &s);
            }
            let p = &s.progress;
            writeln!(
                out,
                "leads: {} total, {} done, {} remaining, {} waiting for their window",
                p.total, p.done, p.remaining, p.waiting_for_window
            )
            .map_err(io)?;
            writeln!(
                out,
                "dials: {}, connects: {} ({:.0} %), conversations: {}, average talk {:.0} s, {:.1} dials/h",
                p.dials,
                s.connects,
                s.connect_rate * 100.0,
                s.conversations,
                s.average_talk_seconds,
                s.calls_per_hour
            )
            .map_err(io)?;
            for o in &s.outcomes {
                writeln!(out, "  {:<20} {}", o.key, o.count).map_err(io)?;
            }
            let by_attempts: Vec<String> = s.attempts.iter().map(|a| format!("{} dials: {}", a.key, a.count)).collect();
            writeln!(out, "leads by attempts: {}", by_attempts.join(", ")).map_err(io)?;
        }
        CampaignCommand::Export { campaign, file } => {
            let r = app.export_campaign(&campaign_id(app, campaign)?, &file.display().to_string())?;
            if json {
                return emit_json(out, &r);
            }
            writeln!(out, "{} leads written to {}", r.rows, r.path).map_err(io)?;
        }
    }
    Ok(())
}
