//! The SignalWire and settings commands: `settings`, `secret`, `sms`, `numbers`, `recordings`.

use std::io::{Read, Write};

use clap::Subcommand;
use ringdesk_app::ipc::{NumberQuery, NumberRoutingUpdate, SecretKind, SendSms, SettingsUpdate};
use ringdesk_app::{App, ErrorCode, IpcError};

use crate::{emit_json, io};

// Parsed once per run from the command line: the size of the `Set` variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum SettingsCommand {
    /// Shows the settings (secrets only as set or not).
    Show,
    /// Changes settings; options left out are unchanged, an empty value clears one.
    Set {
        #[arg(long)]
        signalwire_space: Option<String>,
        #[arg(long)]
        signalwire_project_id: Option<String>,
        #[arg(long)]
        default_region: Option<String>,
        /// The shared backend: https://<project>.supabase.co or postgres://role@host:port/db.
        #[arg(long)]
        backend_url: Option<String>,
        /// The SIP line's registrar (host or host:port) and username (the password: `secret set`).
        #[arg(long)]
        sip_registrar: Option<String>,
        #[arg(long)]
        sip_username: Option<String>,
        /// How calls go out unless a call says otherwise.
        #[arg(long, value_enum)]
        default_route: Option<crate::workflow::RouteArg>,
        /// The number leads see on bridge calls (one of the project's numbers).
        #[arg(long)]
        caller_id: Option<String>,
        /// Your own phone, rung first on bridge calls (a number or a sip: address).
        #[arg(long)]
        agent_phone: Option<String>,
        /// Let tel: and ringdesk:// links dial at once (off: they only fill the dialer).
        #[arg(long)]
        links_auto_dial: Option<bool>,
        /// The talk (seconds, 1-3600) from which an answered call is a conversation.
        #[arg(long)]
        conversation_seconds: Option<u32>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SecretCommand {
    /// Stores a secret in the OS keychain, read from standard input (never from the command line).
    Set { kind: SecretArg },
    /// Removes a secret from the keychain.
    Clear { kind: SecretArg },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SecretArg {
    SignalwireApiToken,
    SipPassword,
    BackendKey,
}

impl From<SecretArg> for SecretKind {
    fn from(a: SecretArg) -> Self {
        match a {
            SecretArg::SignalwireApiToken => SecretKind::SignalwireApiToken,
            SecretArg::SipPassword => SecretKind::SipPassword,
            SecretArg::BackendKey => SecretKind::BackendKey,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum SmsCommand {
    /// Sends a text (stored first; sent exactly once, later if SignalWire is unreachable).
    Send {
        #[arg(long)]
        to: String,
        /// One of the project's numbers (default: the one last used with this contact).
        #[arg(long)]
        from: Option<String>,
        /// The text; read from standard input when left out.
        #[arg(long)]
        body: Option<String>,
    },
    /// Lists the conversations, or one conversation with --contact.
    List {
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One round with SignalWire: pending sends, statuses, inbound messages.
    Sync,
    /// Stays connected to SignalWire's realtime API: stores texts as they arrive, shows a
    /// desktop notification for each, and prints every event as a JSON line.
    Listen {
        /// Stop after this many seconds (default: run until interrupted).
        #[arg(long)]
        seconds: Option<u64>,
        /// No desktop notifications.
        #[arg(long)]
        quiet: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum NumbersCommand {
    /// Numbers for sale.
    Search {
        #[arg(long)]
        area_code: Option<String>,
        #[arg(long)]
        contains: Option<String>,
        /// Two-letter state or region.
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        city: Option<String>,
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        toll_free: bool,
    },
    /// Buys a number (asks for --yes: it costs money every month).
    Buy {
        number: String,
        #[arg(long)]
        yes: bool,
    },
    /// The project's numbers.
    List,
    /// Sets where a number's calls and texts go.
    Route {
        sid: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        voice_url: Option<String>,
        #[arg(long)]
        sms_url: Option<String>,
    },
    /// Routes a number to this desktop: texts arrive live (RELAY), calls ring the softphone.
    RouteToRingdesk { number: String },
    /// Gives a number back (asks for --yes).
    Release {
        sid: String,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SipLineCommand {
    /// The SignalWire project's SIP endpoints.
    List,
    /// Creates SIP credentials in SignalWire (generated password, kept in the keychain) and
    /// makes them this desktop's SIP account.
    Create {
        username: String,
        /// The number calls to phones show (E.164).
        #[arg(long)]
        send_as: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RecordingsCommand {
    /// A call's recordings (pulled from SignalWire with --sync).
    List {
        call_log_id: String,
        #[arg(long)]
        sync: bool,
    },
    /// Downloads a recording's audio into the local cache and prints its path.
    Fetch { recording_id: String },
    /// Deletes a recording at SignalWire and here (asks for --yes).
    Delete {
        recording_id: String,
        #[arg(long)]
        yes: bool,
    },
}

pub fn settings(app: &App, cmd: &SettingsCommand, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    let s = match cmd {
        SettingsCommand::Show => app.get_settings()?,
        SettingsCommand::Set {
            signalwire_space,
            signalwire_project_id,
            default_region,
            backend_url,
            sip_registrar,
            sip_username,
            default_route,
            caller_id,
            agent_phone,
            links_auto_dial,
            conversation_seconds,
        } => app.update_settings(&SettingsUpdate {
            signalwire_space: signalwire_space.clone(),
            signalwire_project_id: signalwire_project_id.clone(),
            default_region: default_region.clone(),
            backend_url: backend_url.clone(),
            sip_registrar: sip_registrar.clone(),
            sip_username: sip_username.clone(),
            default_route: default_route.map(Into::into),
            caller_id: caller_id.clone(),
            agent_phone: agent_phone.clone(),
            links_auto_dial: *links_auto_dial,
            conversation_seconds: *conversation_seconds,
            ..SettingsUpdate::default()
        })?,
    };
    if json {
        return emit_json(out, &s);
    }
    let set = |b: bool| if b { "set" } else { "not set" };
    writeln!(out, "region            {}", s.default_region).map_err(io)?;
    writeln!(out, "signalwire space  {}", s.signalwire_space).map_err(io)?;
    writeln!(out, "project id        {}", s.signalwire_project_id).map_err(io)?;
    writeln!(out, "api token         {}", set(s.signalwire_api_token_set)).map_err(io)?;
    writeln!(out, "sip registrar     {}", s.sip_registrar).map_err(io)?;
    writeln!(out, "sip username      {}", s.sip_username).map_err(io)?;
    writeln!(out, "sip password      {}", set(s.sip_password_set)).map_err(io)?;
    writeln!(out, "backend url       {}", s.backend_url).map_err(io)?;
    writeln!(out, "backend key       {}", set(s.backend_key_set)).map_err(io)?;
    let who = if s.backend_signed_in { format!("signed in as {}", s.backend_email) } else { "signed out".into() };
    writeln!(out, "backend session   {who}").map_err(io)?;
    writeln!(out, "default route     {}", s.default_route.as_str()).map_err(io)?;
    let or_auto = |v: &str| if v.is_empty() { "automatic".to_string() } else { v.to_string() };
    writeln!(out, "caller id         {}", or_auto(&s.caller_id)).map_err(io)?;
    writeln!(out, "your phone        {}", s.agent_phone).map_err(io)?;
    writeln!(out, "links dial        {}", if s.links_auto_dial { "at once" } else { "after you press Dial" })
        .map_err(io)?;
    writeln!(out, "conversation      {} s of talk or more", s.conversation_seconds).map_err(io)
}

pub fn secret(app: &App, cmd: &SecretCommand, out: &mut dyn Write) -> Result<(), IpcError> {
    match cmd {
        SecretCommand::Set { kind } => {
            let mut value = String::new();
            std::io::stdin().read_to_string(&mut value).map_err(|e| {
                IpcError::new(ErrorCode::Io, format!("Could not read the secret from standard input: {e}"))
            })?;
            let value = value.trim_end_matches(['\r', '\n']);
            if value.is_empty() {
                return Err(IpcError::invalid("No secret on standard input."));
            }
            app.set_secret((*kind).into(), value)?;
            writeln!(out, "stored in the keychain").map_err(io)
        }
        SecretCommand::Clear { kind } => {
            app.clear_secret((*kind).into())?;
            writeln!(out, "removed from the keychain").map_err(io)
        }
    }
}

pub fn sms(app: &App, cmd: &SmsCommand, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    match cmd {
        SmsCommand::Send { to, from, body } => {
            let body = match body {
                Some(b) => b.clone(),
                None => {
                    let mut b = String::new();
                    std::io::stdin().read_to_string(&mut b).map_err(|e| {
                        IpcError::new(ErrorCode::Io, format!("Could not read the text from standard input: {e}"))
                    })?;
                    b.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let cost = app.sms_segments(&body);
            let sent = app.send_sms(&SendSms { to: to.clone(), from: from.clone(), body })?;
            if json {
                return emit_json(out, &sent);
            }
            let note = if sent.status == "sending" {
                " (SignalWire could not be reached: kept, and sent by `ringdesk-cli sms sync` or the app)"
            } else {
                ""
            };
            writeln!(
                out,
                "{} → {}: {} ({} segment(s), {}){note}",
                sent.our_number.as_deref().unwrap_or("?"),
                sent.contact_number,
                sent.status,
                cost.segments,
                cost.encoding
            )
            .map_err(io)
        }
        SmsCommand::List { contact: Some(contact), limit, .. } => {
            let page = app.sms_thread(contact, None, None, *limit)?;
            if json {
                return emit_json(out, &page);
            }
            for m in &page.messages {
                let arrow = if m.direction == "inbound" { "←" } else { "→" };
                writeln!(out, "{}  {arrow} {:<11} {}", m.created_at, m.status, m.body).map_err(io)?;
            }
            Ok(())
        }
        SmsCommand::List { contact: None, search, limit } => {
            let mut threads = app.sms_threads(search.as_deref())?;
            threads.truncate(*limit as usize);
            if json {
                return emit_json(out, &threads);
            }
            for t in &threads {
                let who = t.lead_name.clone().unwrap_or_else(|| "(unknown number)".into());
                writeln!(out, "{:<16} {:<24} {:>3} unread  {}", t.contact_display, who, t.unread, t.last_body)
                    .map_err(io)?;
            }
            Ok(())
        }
        SmsCommand::Listen { seconds, quiet } => {
            let options = ringdesk_app::RealtimeOptions { desktop_notifications: !quiet, ..Default::default() };
            let sink: ringdesk_app::NoticeSink = std::sync::Arc::new(|notice| {
                let line = serde_json::to_string(&notice).unwrap_or_default();
                let stdout = std::io::stdout();
                let mut lock = stdout.lock();
                let _ = writeln!(lock, "{line}");
                let _ = lock.flush();
            });
            let handle = app.start_realtime(options, sink)?;
            match seconds {
                Some(s) => std::thread::sleep(std::time::Duration::from_secs(*s)),
                None => loop {
                    std::thread::park();
                },
            }
            drop(handle);
            Ok(())
        }
        SmsCommand::Sync => {
            let report = app.sync_sms()?;
            if json {
                return emit_json(out, &report);
            }
            writeln!(
                out,
                "received {}, statuses updated {}, confirmed {}, sent {}",
                report.received.len(),
                report.updated,
                report.confirmed,
                report.resent
            )
            .map_err(io)
        }
    }
}

pub fn numbers(app: &App, cmd: &NumbersCommand, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    match cmd {
        NumbersCommand::Search { area_code, contains, region, city, country, toll_free } => {
            let offers = app.search_numbers(&NumberQuery {
                country: country.clone(),
                area_code: area_code.clone(),
                contains: contains.clone(),
                region: region.clone(),
                locality: city.clone(),
                toll_free: *toll_free,
            })?;
            if json {
                return emit_json(out, &offers);
            }
            for o in &offers {
                let place =
                    [o.locality.as_deref(), o.region.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
                writeln!(out, "{:<14} {:<16} {place}", o.phone_number, o.display).map_err(io)?;
            }
            writeln!(out, "{} numbers for sale", offers.len()).map_err(io)
        }
        NumbersCommand::Buy { number, yes } => {
            if !yes {
                return Err(IpcError::invalid(format!(
                    "Buying {number} adds a monthly charge to the SignalWire account; run again with --yes to buy it."
                )));
            }
            let n = app.buy_number(number)?;
            if json {
                return emit_json(out, &n);
            }
            writeln!(out, "bought {} ({})", n.display, n.sid).map_err(io)
        }
        NumbersCommand::List => {
            let owned = app.list_numbers()?;
            if json {
                return emit_json(out, &owned);
            }
            for n in &owned {
                writeln!(out, "{:<14} {:<16} {:<20} {}", n.phone_number, n.display, n.friendly_name, n.sid)
                    .map_err(io)?;
            }
            Ok(())
        }
        NumbersCommand::Route { sid, name, voice_url, sms_url } => {
            let n = app.route_number(
                sid,
                &NumberRoutingUpdate {
                    friendly_name: name.clone(),
                    voice_url: voice_url.clone(),
                    sms_url: sms_url.clone(),
                },
            )?;
            if json {
                return emit_json(out, &n);
            }
            writeln!(out, "{} updated", n.display).map_err(io)
        }
        NumbersCommand::RouteToRingdesk { number } => {
            let h = app.route_number_to_ringdesk(number)?;
            if json {
                return emit_json(out, &h);
            }
            let texts = if h.texts_to_ringdesk { "texts arrive live" } else { "texts NOT routed" };
            let calls = if h.calls_to_softphone {
                "calls ring the softphone".to_string()
            } else {
                format!("calls unchanged ({})", h.call_handler.as_deref().unwrap_or("no handler"))
            };
            writeln!(out, "{}: {texts}; {calls}", h.phone_number).map_err(io)
        }
        NumbersCommand::Release { sid, yes } => {
            if !yes {
                return Err(IpcError::invalid(format!(
                    "Releasing {sid} gives the number back for good; run again with --yes to release it."
                )));
            }
            app.release_number(sid)?;
            writeln!(out, "released").map_err(io)
        }
    }
}

pub fn recordings(app: &App, cmd: &RecordingsCommand, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    match cmd {
        RecordingsCommand::List { call_log_id, sync } => {
            let list = if *sync { app.sync_call_recordings(call_log_id)? } else { app.call_recordings(call_log_id)? };
            if json {
                return emit_json(out, &list);
            }
            for r in &list {
                let cached = if r.cached { "cached" } else { "" };
                writeln!(out, "{}  {:>5}s  {}  {cached}", r.id, r.duration_seconds.unwrap_or(0), r.created_at)
                    .map_err(io)?;
            }
            Ok(())
        }
        RecordingsCommand::Delete { recording_id, yes } => {
            if !yes {
                return Err(IpcError::invalid(format!(
                    "Deleting recording {recording_id} removes it at SignalWire for good; run again with --yes."
                )));
            }
            app.delete_recording(recording_id)?;
            writeln!(out, "deleted").map_err(io)
        }
        RecordingsCommand::Fetch { recording_id } => {
            let f = app.fetch_recording(recording_id)?;
            if json {
                return emit_json(out, &f);
            }
            writeln!(out, "{}", f.path).map_err(io)
        }
    }
}

pub fn sip_line(app: &App, cmd: &SipLineCommand, json: bool, out: &mut dyn Write) -> Result<(), IpcError> {
    match cmd {
        SipLineCommand::List => {
            let all = app.list_sip_endpoints()?;
            if json {
                return emit_json(out, &all);
            }
            for e in &all {
                writeln!(out, "{:<24} {:<14} {}", e.username, e.send_as.as_deref().unwrap_or(""), e.id).map_err(io)?;
            }
            Ok(())
        }
        SipLineCommand::Create { username, send_as } => {
            let s = app.provision_sip_line(&ringdesk_app::ipc::ProvisionSipLine {
                username: username.clone(),
                send_as: send_as.clone(),
            })?;
            if json {
                return emit_json(out, &s);
            }
            writeln!(
                out,
                "SIP account {} at {} (TLS); the password is in the keychain",
                s.sip_username, s.sip_registrar
            )
            .map_err(io)
        }
    }
}
