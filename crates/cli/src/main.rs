//! `ringdesk-cli`: Ringdesk's application functions from a terminal, for automation and tests.
//!
//! Every command calls the same `ringdesk_app::App` function the desktop UI calls. Output is
//! human-readable by default and JSON with `--json` (the IPC types, as the UI receives them).
//! Errors go to stderr as `error[<code>]: <message>` (or `{"code","message"}` with `--json`) with a
//! non-zero exit status: 2 for bad input, 3 for a database that cannot be opened, 1 otherwise.

mod campaign;
mod provider;
mod serve;
mod sync;
mod workflow;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use ringdesk_app::ipc::{ImportRequest, ImportTarget, LeadField, LeadQuery, LeadSort, LeadSortField};
use ringdesk_app::keychain::KeyringStore;
use ringdesk_app::{App, AppOptions, ErrorCode, IpcError};
use serde::Serialize;

#[derive(Parser, Debug)]
#[command(name = "ringdesk-cli", version, about = "Ringdesk from a terminal: the desktop app's functions, scriptable")]
struct Cli {
    /// The database file (default: the desktop app's, under the user's data folder).
    #[arg(long, global = true, env = "RINGDESK_DB")]
    db: Option<PathBuf>,
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Leads: import, search, export.
    Leads {
        #[command(subcommand)]
        command: LeadsCommand,
    },
    /// The lead lists with their member counts.
    Lists,
    /// Normalizes a phone number or tel: link and finds its lead.
    Lookup { input: String },
    /// Power-dialer campaigns: create, start, pause, the agent's session, results, export.
    Campaign {
        #[command(subcommand)]
        command: campaign::CampaignCommand,
    },
    /// Call analytics: volume, outcomes and contact rates, talk and handle time, the best hours
    /// in the leads' local time, and the conversion funnel (computed from this desktop's data).
    Analytics {
        /// First day (YYYY-MM-DD, in --zone) or instant (RFC 3339).
        #[arg(long)]
        from: Option<String>,
        /// Last day, included (YYYY-MM-DD), or an instant (RFC 3339, excluded).
        #[arg(long)]
        to: Option<String>,
        /// Only this agent's calls (their user id).
        #[arg(long)]
        agent: Option<String>,
        /// Only the calls of this campaign (its id).
        #[arg(long)]
        campaign: Option<String>,
        /// Only calls to leads of this list (its name).
        #[arg(long)]
        list: Option<String>,
        /// The IANA zone whose days the volume is counted in (default UTC).
        #[arg(long, default_value = "UTC")]
        zone: String,
        /// Talk time (seconds) that makes a call a conversation; the setting's (60 unless changed)
        /// when not given.
        #[arg(long)]
        conversation_seconds: Option<u32>,
        /// Count the volume per day, week (from Monday) or month.
        #[arg(long, default_value = "day", value_parser = ["day", "week", "month"])]
        period: String,
    },
    /// The power dialer's rules for a number.
    Dialer {
        #[command(subcommand)]
        command: DialerCommand,
    },
    /// Settings (the non-secret part).
    Settings {
        #[command(subcommand)]
        command: provider::SettingsCommand,
    },
    /// Secrets in the OS keychain.
    Secret {
        #[command(subcommand)]
        command: provider::SecretCommand,
    },
    /// Text messages through SignalWire.
    Sms {
        #[command(subcommand)]
        command: provider::SmsCommand,
    },
    /// The SignalWire project's phone numbers.
    Numbers {
        #[command(subcommand)]
        command: provider::NumbersCommand,
    },
    /// SIP credentials in SignalWire for the softphone.
    SipLine {
        #[command(subcommand)]
        command: provider::SipLineCommand,
    },
    /// Call recordings.
    Recordings {
        #[command(subcommand)]
        command: provider::RecordingsCommand,
    },
    /// The shared backend: apply its migrations, sign in and out.
    Backend {
        #[command(subcommand)]
        command: sync::BackendCommand,
    },
    /// Runs one sync cycle with the backend and prints what moved (or: status, conflicts, ...).
    Sync {
        #[command(subcommand)]
        command: Option<sync::SyncCommand>,
    },
    /// Records a call's disposition (and the follow-up it sets, and the lead's mapped status).
    Dispose {
        call_id: String,
        /// A key of the disposition set (answered, voicemail, busy, no_answer, interested, ...).
        disposition: String,
        #[arg(long)]
        notes: Option<String>,
        #[arg(long, value_enum)]
        next: Option<workflow::NextArg>,
        /// When to follow up (RFC 3339, such as 2026-12-01T15:00:00Z).
        #[arg(long)]
        follow_up: Option<String>,
    },
    /// Follow-ups: overdue, today, upcoming (or: done, snooze, reschedule).
    Followups {
        #[command(subcommand)]
        command: Option<workflow::FollowUpsCommand>,
    },
    /// Calls a lead (by id) or a number over the default route in Settings, printing each state
    /// until the call ends; then `dispose CALL_ID ...` wraps it up.
    Call {
        /// A lead id, or a phone number as written.
        target: String,
        /// This call's route instead of the default.
        #[arg(long, value_enum)]
        route: Option<workflow::RouteArg>,
        /// This call's caller ID instead of the one in Settings (bridge route).
        #[arg(long)]
        caller_id: Option<String>,
        /// Record the call (bridge route).
        #[arg(long)]
        record: bool,
        /// Call a lead marked Do Not Call anyway (only with their consent).
        #[arg(long)]
        override_dnc: bool,
        /// Hang up this many seconds after the call is answered.
        #[arg(long)]
        hang_up_after: Option<u64>,
        /// Give up waiting for the end after this many seconds (the call is hung up).
        #[arg(long, default_value_t = 3600)]
        timeout: u64,
    },
    /// Answers the window's commands as JSON lines on standard input and output (see
    /// `serve.rs`): the UI's tests run the real core this way.
    Serve {
        /// Read requests from standard input and answer on standard output (the one transport).
        #[arg(long, required = true)]
        stdio: bool,
        /// Keep secrets in this process's memory instead of the OS keychain (tests).
        #[arg(long)]
        memory_secrets: bool,
        /// Sync with the team backend every this many seconds (besides at start, after each
        /// local change and when asked). Tests set it long so only their own actions sync.
        #[arg(long, default_value_t = ringdesk_app::DEFAULT_SYNC_INTERVAL.as_secs_f64())]
        sync_every: f64,
        /// The phone's microphone speaks this WAV (8 kHz mono) and what it hears is written beside
        /// it, instead of the sound devices; no desktop notifications (tests without sound or a
        /// desktop session).
        #[arg(long)]
        wav_audio: Option<PathBuf>,
    },
    /// Call history, newest first.
    History {
        /// From this time (RFC 3339, inclusive).
        #[arg(long)]
        from: Option<String>,
        /// Until this time (RFC 3339, exclusive).
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        disposition: Option<String>,
        /// The lead's current status.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_parser = ["inbound", "outbound"])]
        direction: Option<String>,
        #[arg(long, value_enum)]
        route: Option<workflow::RouteArg>,
        /// Only inbound calls nobody answered.
        #[arg(long)]
        missed: bool,
        /// Words of the lead's name, company or email, or of the notes; or the number's digits.
        #[arg(long)]
        text: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Write every call the filters select to this CSV file instead.
        #[arg(long)]
        csv: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum DialerCommand {
    /// What the dialer decides for NUMBER at an instant: its time zones, state, local time, the
    /// window that applies, and whether a call is allowed (or why not).
    Window {
        number: String,
        /// The instant (RFC 3339); now when absent.
        #[arg(long)]
        at: Option<String>,
        /// The lead's own IANA time zone, which wins over the number's.
        #[arg(long)]
        timezone: Option<String>,
        /// The zone assumed for a number that does not say where it rings (default America/New_York).
        #[arg(long)]
        campaign_zone: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum LeadsCommand {
    /// Imports leads from a CSV file (columns are mapped from the header automatically).
    Import {
        file: PathBuf,
        /// Add the leads to this list (created when it does not exist).
        #[arg(long)]
        list: Option<String>,
        /// Override a column's mapping: `--map "Cell=phone"` (repeatable; `=ignore` drops a column).
        #[arg(long = "map", value_name = "HEADER=FIELD")]
        maps: Vec<String>,
    },
    /// Searches leads by name, company, email or phone digits.
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Only leads of this list (by name).
        #[arg(long)]
        list: Option<String>,
    },
    /// Exports leads to CSV (stdout when no --out).
    Export {
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only leads of this list (by name).
        #[arg(long)]
        list: Option<String>,
    },
}

fn default_db() -> Result<PathBuf, IpcError> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| IpcError::invalid("No --db given and no home folder to find the default database in."))?;
    // The desktop app's data folder is named after its bundle identifier.
    Ok(ringdesk_app::default_db_path(&base.join("com.ringdesk.desktop")))
}

pub(crate) fn list_id(app: &App, name: &str) -> Result<String, IpcError> {
    app.list_lists()?
        .into_iter()
        .find(|l| l.name.eq_ignore_ascii_case(name))
        .map(|l| l.id)
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, format!("There is no list named {name:?}.")))
}

fn parse_field(name: &str) -> Result<Option<LeadField>, IpcError> {
    if name.eq_ignore_ascii_case("ignore") {
        return Ok(None);
    }
    let wanted: String = name.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    LeadField::ALL.into_iter().find(|f| f.header().replace('_', "") == wanted).map(Some).ok_or_else(|| {
        let all: Vec<&str> = LeadField::ALL.iter().map(|f| f.header()).collect();
        IpcError::invalid(format!("Unknown field {name:?}; use one of {} or ignore.", all.join(", ")))
    })
}

fn run(cli: &Cli, out: &mut dyn Write) -> Result<(), IpcError> {
    if let Command::Backend { command: sync::BackendCommand::Migrate { url } } = &cli.command {
        return sync::migrate(url, cli.json, out);
    }
    let db = match &cli.db {
        Some(p) => p.clone(),
        None => default_db()?,
    };
    // RINGDESK_SIGNALWIRE_URL: another SignalWire API origin (a proxy, or the test emulator).
    // RINGDESK_LEASE_SECONDS: how long a campaign's lead stays reserved for this agent.
    let options = AppOptions {
        signalwire_origin: std::env::var("RINGDESK_SIGNALWIRE_URL").ok(),
        lease_seconds: std::env::var("RINGDESK_LEASE_SECONDS").ok().and_then(|s| s.parse().ok()),
        ..AppOptions::default()
    };
    if let Command::Serve { stdio: _, memory_secrets, sync_every, wav_audio } = &cli.command {
        let (memory_secrets, sync_every, wav_audio) = (*memory_secrets, *sync_every, wav_audio.clone());
        let sync_every = std::time::Duration::try_from_secs_f64(sync_every)
            .map_err(|e| IpcError::invalid(format!("--sync-every {sync_every}: {e}")))?;
        let secrets: Arc<dyn ringdesk_app::keychain::SecretStore> = if memory_secrets {
            Arc::new(ringdesk_app::keychain::MemorySecretStore::default())
        } else {
            Arc::new(KeyringStore::new())
        };
        return serve::run(App::open_with(&db, secrets, &options), serve::Options { sync_every, wav_audio });
    }
    let app = App::open_with(&db, Arc::new(KeyringStore::new()), &options)?;
    match &cli.command {
        Command::Settings { command } => provider::settings(&app, command, cli.json, out)?,
        Command::Secret { command } => provider::secret(&app, command, out)?,
        Command::Sms { command } => provider::sms(&app, command, cli.json, out)?,
        Command::Numbers { command } => provider::numbers(&app, command, cli.json, out)?,
        Command::Recordings { command } => provider::recordings(&app, command, cli.json, out)?,
        Command::SipLine { command } => provider::sip_line(&app, command, cli.json, out)?,
        Command::Backend { command } => sync::backend(&app, command, cli.json, out)?,
        Command::Sync { command } => sync::sync(&app, command.as_ref(), cli.json, out)?,
        Command::Dispose { call_id, disposition, notes, next, follow_up } => {
            workflow::dispose(&app, call_id, disposition, notes.as_deref(), *next, follow_up.as_deref(), cli.json, out)?
        }
        Command::Followups { command } => workflow::followups(&app, command.as_ref(), cli.json, out)?,
        Command::Call { target, route, caller_id, record, override_dnc, hang_up_after, timeout } => {
            let request = workflow::CallArgs {
                target: target.clone(),
                route: route.map(Into::into),
                caller_id: caller_id.clone(),
                record: *record,
                override_dnc: *override_dnc,
                hang_up_after: hang_up_after.map(std::time::Duration::from_secs),
                timeout: std::time::Duration::from_secs(*timeout),
            };
            workflow::call(&app, &request, cli.json, out)?;
        }
        Command::History { from, to, disposition, status, direction, route, missed, text, limit, csv } => {
            let filter = ringdesk_app::ipc::HistoryFilter {
                from: from.clone(),
                to: to.clone(),
                disposition: disposition.clone(),
                lead_status: status.clone(),
                direction: direction.clone(),
                route: route.map(Into::into),
                missed: *missed,
                text: text.clone(),
                limit: *limit,
                ..Default::default()
            };
            match csv {
                Some(path) => {
                    let report = app.export_call_history(&path.display().to_string(), &filter)?;
                    if cli.json {
                        return emit_json(out, &report);
                    }
                    writeln!(out, "wrote {} calls to {}", report.rows, report.path).map_err(io)?;
                }
                None => workflow::history(&app, &filter, cli.json, out)?,
            }
        }
        // Served before the keychain app was opened.
        Command::Serve { .. } => {}
        Command::Campaign { command } => campaign::run(&app, command, cli.json, out)?,
        Command::Lists => {
            let lists = app.list_lists()?;
            if cli.json {
                return emit_json(out, &lists);
            }
            for l in &lists {
                writeln!(out, "{:>7}  {}", l.member_count, l.name).map_err(io)?;
            }
        }
        Command::Dialer { command: DialerCommand::Window { number, at, timezone, campaign_zone } } => {
            let w = app.calling_window(number, at.as_deref(), timezone.as_deref(), campaign_zone.as_deref())?;
            if cli.json {
                return emit_json(out, &w);
            }
            let assumed = if w.zone_assumed { " (assumed: the number does not say where it rings)" } else { "" };
            writeln!(out, "{} at {}", w.number, w.at).map_err(io)?;
            writeln!(out, "  zones: {}{assumed}", w.zones.join(", ")).map_err(io)?;
            writeln!(out, "  state: {}", w.state.as_deref().unwrap_or("unknown")).map_err(io)?;
            writeln!(out, "  local time: {}", w.local_times.join(", ")).map_err(io)?;
            writeln!(out, "  window: {}", w.window).map_err(io)?;
            match &w.reason {
                None => writeln!(out, "  allowed").map_err(io)?,
                Some(why) => writeln!(out, "  not allowed: {why}").map_err(io)?,
            }
        }
        Command::Analytics { from, to, agent, campaign, list, zone, conversation_seconds, period } => {
            use ringdesk_app::analytics::Period;
            let list_id = list.as_deref().map(|name| list_id(&app, name)).transpose()?;
            let query = ringdesk_app::analytics::AnalyticsQuery {
                from: from.clone(),
                to: to.clone(),
                agent: agent.clone(),
                campaign_id: campaign.clone(),
                list_id,
                zone: Some(zone.clone()),
                conversation_seconds: *conversation_seconds,
                period: Some(match period.as_str() {
                    "week" => Period::Week,
                    "month" => Period::Month,
                    _ => Period::Day,
                }),
                ..Default::default()
            };
            let r = app.analytics(&query)?;
            if cli.json {
                return emit_json(out, &r);
            }
            writeln!(out, "calls: {} ({} outbound, {} inbound)", r.calls, r.outbound, r.inbound).map_err(io)?;
            writeln!(
                out,
                "answered {:.1} %, voicemail {:.1} %, busy {:.1} %, no answer {:.1} %, wrong number {:.1} %, unclassified {:.1} %",
                r.rates.answered, r.rates.voicemail, r.rates.busy, r.rates.no_answer, r.rates.wrong_number, r.rates.unclassified
            )
            .map_err(io)?;
            writeln!(out, "talk: {} min; conversations: {}", r.talk_seconds / 60, r.conversations).map_err(io)?;
            writeln!(
                out,
                "funnel: {} called → {} conversations → {} interested → {} won ({:.2})",
                r.funnel.leads_called, r.funnel.conversations, r.funnel.interested, r.funnel.won, r.funnel.won_value
            )
            .map_err(io)?;
            for d in &r.by_day {
                writeln!(out, "  {}  {:>5} calls  {:>4} answered", d.day, d.calls, d.outcomes.answered).map_err(io)?;
            }
            const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
            for b in r.best_time.iter().chain(&r.best_time_by_list) {
                let day = DAYS.get(usize::from(b.weekday)).unwrap_or(&"?");
                let hint = if b.sparse { " (few dials)" } else { "" };
                let on = b.list_id.as_deref().map(|l| format!(" on list {l}")).unwrap_or_default();
                writeln!(
                    out,
                    "best time{on}: {day} {:02}:00 lead time, {:.0} % of {} dials answered{hint}",
                    b.hour, b.rate, b.dials
                )
                .map_err(io)?;
            }
            for a in &r.by_agent {
                let name = if a.agent.is_empty() { "(no agent)" } else { a.agent.as_str() };
                writeln!(
                    out,
                    "agent {name}: {} dials, {:.1} % connected, {} conversations, {} min talk, follow-ups {}/{} on time",
                    a.dials,
                    a.connect_rate,
                    a.conversations,
                    a.talk_seconds / 60,
                    a.follow_ups_on_time,
                    a.follow_ups_due
                )
                .map_err(io)?;
            }
        }
        Command::Lookup { input } => {
            let found = app.lookup_number(input)?;
            if let Some(reason) = &found.error {
                return Err(IpcError::invalid(reason.clone()));
            }
            if cli.json {
                return emit_json(out, &found);
            }
            match (&found.e164, &found.error) {
                (Some(e164), _) => {
                    let lead = found.lead.as_ref().map(|l| format!("  {} ({})", l.name, l.status)).unwrap_or_default();
                    writeln!(out, "{e164}  {}{lead}", found.display.as_deref().unwrap_or("")).map_err(io)?;
                }
                (None, _) => return Err(IpcError::invalid("Not a phone number.")),
            }
        }
        Command::Leads { command: LeadsCommand::Import { file, list, maps } } => {
            let path = file.display().to_string();
            let preview = app.preview_import(&path)?;
            let mut mapping = preview.mapping.clone();
            for m in maps {
                let (header, field) = m
                    .split_once('=')
                    .ok_or_else(|| IpcError::invalid(format!("--map {m:?} must look like HEADER=FIELD.")))?;
                let i =
                    preview.headers.iter().position(|h| h.eq_ignore_ascii_case(header.trim())).ok_or_else(|| {
                        IpcError::invalid(format!(
                            "The file has no column {header:?}; its columns are {:?}.",
                            preview.headers
                        ))
                    })?;
                mapping[i] = parse_field(field.trim())?;
            }
            let target = match list {
                None => ImportTarget::None,
                Some(name) => match list_id(&app, name) {
                    Ok(list_id) => ImportTarget::ExistingList { list_id },
                    Err(_) => ImportTarget::NewList { name: name.clone() },
                },
            };
            let interactive = !cli.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let report = app.import_leads(&ImportRequest { path, mapping, target }, &mut |p| {
                if interactive && p.total_bytes > 0 {
                    eprint!("\rimporting… {:>3}%  {} rows", p.bytes_read * 100 / p.total_bytes, p.rows_read);
                }
            })?;
            if interactive {
                eprintln!();
            }
            if cli.json {
                return emit_json(out, &report);
            }
            writeln!(out, "created {}, merged {}, invalid {}", report.created, report.merged, report.invalid_total)
                .map_err(io)?;
            for e in &report.invalid {
                writeln!(out, "  line {}: {}", e.line, e.reason).map_err(io)?;
            }
        }
        Command::Leads { command: LeadsCommand::Search { query, limit, list } } => {
            let list_id = list.as_deref().map(|n| list_id(&app, n)).transpose()?;
            let page = app.list_leads(&LeadQuery {
                search: Some(query.clone()),
                list_id,
                sort: LeadSort { field: LeadSortField::Name, descending: false },
                offset: 0,
                limit: *limit,
            })?;
            if cli.json {
                return emit_json(out, &page);
            }
            for l in &page.rows {
                writeln!(
                    out,
                    "{:<28} {:<24} {:<18} {}",
                    l.name,
                    l.company.as_deref().unwrap_or(""),
                    l.phone_display.as_deref().unwrap_or(""),
                    l.email.as_deref().unwrap_or("")
                )
                .map_err(io)?;
            }
            writeln!(out, "{} of {} matching leads", page.rows.len(), page.total).map_err(io)?;
        }
        Command::Leads { command: LeadsCommand::Export { out: file, list } } => {
            let list_id = list.as_deref().map(|n| list_id(&app, n)).transpose()?;
            match file {
                Some(path) => {
                    let report = app.export_leads(&path.display().to_string(), list_id.as_deref())?;
                    if cli.json {
                        return emit_json(out, &report);
                    }
                    writeln!(out, "exported {} leads to {}", report.rows, report.path).map_err(io)?;
                }
                None => {
                    let dir = std::env::temp_dir().join(format!("ringdesk-export-{}", std::process::id()));
                    std::fs::create_dir_all(&dir).map_err(io)?;
                    let tmp = dir.join("leads.csv");
                    let result = app.export_leads(&tmp.display().to_string(), list_id.as_deref());
                    let text = std::fs::read(&tmp);
                    let _ = std::fs::remove_dir_all(&dir);
                    result?;
                    out.write_all(&text.map_err(io)?).map_err(io)?;
                }
            }
        }
    }
    Ok(())
}

/// The error of a failed write to the output.
pub(crate) fn io(e: std::io::Error) -> IpcError {
    IpcError::new(ErrorCode::Io, format!("Could not write the output: {e}"))
}

pub(crate) fn emit_json(out: &mut dyn Write, value: &impl Serialize) -> Result<(), IpcError> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
    writeln!(out).map_err(|e| IpcError::new(ErrorCode::Io, e.to_string()))
}

fn main() {
    let cli = Cli::parse();
    // Diagnostics on stderr with RUST_LOG (e.g. RUST_LOG=debug); quiet by default.
    if std::env::var_os("RUST_LOG").is_some() {
        let mut filter = tracing_subscriber::EnvFilter::from_default_env();
        if let Ok(guard) = ringdesk_app::SIP_STACK_LOG_GUARD.parse() {
            filter = filter.add_directive(guard);
        }
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    }
    // Not locked for the whole run: `sms listen` prints from other threads too.
    let mut out = std::io::stdout();
    if let Err(e) = run(&cli, &mut out) {
        if cli.json {
            eprintln!("{}", serde_json::to_string(&e).unwrap_or_else(|_| e.message.clone()));
        } else {
            eprintln!(
                "error[{}]: {}",
                serde_json::to_value(e.code).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
                e.message
            );
        }
        let status = match e.code {
            ErrorCode::InvalidInput | ErrorCode::Csv | ErrorCode::NotFound | ErrorCode::NotConfigured => 2,
            ErrorCode::DatabaseNewer | ErrorCode::DatabaseCorrupt => 3,
            _ => 1,
        };
        std::process::exit(status);
    }
}
