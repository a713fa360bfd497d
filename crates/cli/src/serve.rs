//! `ringdesk-cli serve --stdio`: the window's commands over standard input and output, so a UI
//! can run against the real core without the desktop shell. The UI tests use it: Tauri's IPC mock
//! forwards each `invoke` to this process and turns its event lines into Tauri events.
//!
//! One JSON object per line:
//! - in: `{"id": 7, "cmd": "list_leads", "args": {"query": {...}}}`, the Tauri command's name and
//!   its arguments as the window sends them (`camelCase` names);
//! - out: `{"id": 7, "ok": <answer>}` or `{"id": 7, "error": {"code": ..., "message": ...}}`;
//! - out, at any time: `{"event": "sync-event", "payload": <notice>}`, named as the generated
//!   bindings name the desktop's events.
//!
//! The commands are those of `ringdesk_app::app_commands!`, the list the desktop shell generates
//! its Tauri commands from, so the two cannot differ. The host's commands are this process's:
//! file dialogs are answered by `serve.answer_file_dialog` (`{"path": "/tmp/x.csv"}`; `null`
//! cancels), and `serve.open_link` (`{"link": "tel:..."}`) is a link the operating system handed
//! over. `serve.seed_call` (`{"call": <ringdesk_store::calls::NewCall>, "answeredAt": ...}`) logs a call that
//! happened, as the Rust tests seed one through `App::store`, so a UI test of the history needs no
//! remote party; it answers the call's id. Each request runs on its own thread, so `cancel_import` reaches a running import. The
//! process ends when its input closes, after answering every request it read.

use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use ringdesk_app::ipc::*;
use ringdesk_app::{App, ErrorCode, IpcError, RealtimeHandle, RemindersHandle};
use serde::Serialize;
use serde_json::{Map, Value, json};

type R<T> = Result<T, IpcError>;

/// Writes whole lines to standard output, one writer at a time.
#[derive(Clone)]
struct Out(Arc<Mutex<std::io::Stdout>>);

impl Out {
    fn line(&self, value: &Value) {
        let mut out = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // A closed output means the client left; the input's end stops the process.
        let _ = writeln!(out, "{value}").and_then(|()| out.flush());
    }

    fn event(&self, name: &str, payload: impl Serialize) {
        match serde_json::to_value(payload) {
            Ok(payload) => self.line(&json!({ "event": name, "payload": payload })),
            Err(e) => eprintln!("ringdesk-cli serve: the {name} could not be serialised: {e}"),
        }
    }
}

/// The host side of the commands: what the desktop shell does with windows and dialogs.
struct Host {
    /// The app, or why it did not open (answered to every command, as the desktop shell does).
    app: R<App>,
    out: Out,
    chosen: ringdesk_app::files::ChosenFiles,
    /// Answers for the next file dialogs, in order (`None` cancels).
    dialog_answers: Mutex<VecDeque<Option<String>>>,
    realtime: Mutex<Option<RealtimeHandle>>,
    realtime_status: Arc<Mutex<Option<RealtimeNotice>>>,
    reminders: Mutex<Option<RemindersHandle>>,
    options: Options,
    /// Links delivered before the window asked for them; `None` once it has.
    pending_links: Mutex<Option<Vec<LinkNotice>>>,
}

/// A request's arguments, read by their Tauri names.
struct Args<'a> {
    cmd: &'a str,
    map: Map<String, Value>,
}

impl Args<'_> {
    /// The argument `name` (`snake_case`, looked up as the window sends it: `camelCase`); a
    /// missing one reads as `null`, which is what an `Option` argument expects.
    fn get<T: serde::de::DeserializeOwned>(&self, name: &str) -> R<T> {
        let key = camel_case(name);
        let value = self.map.get(&key).cloned();
        let missing = value.is_none();
        serde_json::from_value(value.unwrap_or(Value::Null)).map_err(|e| {
            let what = if missing { "is missing".to_string() } else { format!("is not valid: {e}") };
            IpcError::invalid(format!("Command {}: argument {key} {what}", self.cmd))
        })
    }
}

fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn answer<T: Serialize>(result: R<T>) -> R<Value> {
    result.and_then(|v| {
        serde_json::to_value(v).map_err(|e| IpcError::new(ErrorCode::Internal, format!("answer not serialisable: {e}")))
    })
}

/// Turns the list of `ringdesk_app::app_commands!` into the dispatcher and the list of names.
macro_rules! serve_commands {
    (
        app { $( $(#[$doc:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty = |$app:ident| $body:expr ; )* }
        host { $( $(#[$hdoc:meta])* $hname:ident ( $($harg:ident : $hty:ty),* ) -> $hret:ty ; )* }
    ) => {
        /// Every command's name, in the list's order.
        #[cfg(test)]
        const COMMANDS: &[&str] = &[$(stringify!($name),)* $(stringify!($hname),)*];

        fn dispatch(host: &Host, args: &Args<'_>) -> R<Value> {
            match args.cmd {
                $(
                    stringify!($name) => {
                        $( let $arg: $ty = args.get(stringify!($arg))?; )*
                        let $app: &App = host.app()?;
                        let result: R<$ret> = $body;
                        answer(result)
                    }
                )*
                $(
                    stringify!($hname) => {
                        $( let $harg: $hty = args.get(stringify!($harg))?; )*
                        let result: R<$hret> = host.$hname($($harg),*);
                        answer(result)
                    }
                )*
                "serve.answer_file_dialog" => {
                    let path: Option<String> = args.get("path")?;
                    host.dialog_answers.lock().unwrap_or_else(PoisonError::into_inner).push_back(path);
                    Ok(Value::Null)
                }
                "serve.seed_call" => {
                    use ringdesk_store::calls;
                    let call: calls::NewCall = args.get("call")?;
                    let answered_at: Option<String> = args.get("answered_at")?;
                    let id = host.app()?.store().write(|w| {
                        let id = calls::insert(w, &call)?;
                        if answered_at.is_some() {
                            calls::update(w, &id, &calls::CallChange { answered_at, ..calls::CallChange::default() })?;
                        }
                        Ok::<_, ringdesk_store::StoreError>(id)
                    })?;
                    Ok(Value::String(id))
                }
                "serve.open_link" => {
                    let link: String = args.get("link")?;
                    host.deliver_link(link);
                    Ok(Value::Null)
                }
                other => Err(IpcError::new(ErrorCode::NotFound, format!("There is no command {other:?}."))),
            }
        }
    };
}

ringdesk_app::app_commands!(serve_commands);

impl Host {
    fn app(&self) -> R<&App> {
        self.app.as_ref().map_err(Clone::clone)
    }

    fn take_dialog_answer(&self) -> R<Option<String>> {
        self.dialog_answers.lock().unwrap_or_else(PoisonError::into_inner).pop_front().ok_or_else(|| {
            IpcError::new(
                ErrorCode::Internal,
                "No file dialog here: ringdesk-cli serve answers file dialogs only from serve.answer_file_dialog.",
            )
        })
    }

    fn choose_import_file(&self) -> R<Option<ImportPreview>> {
        let Some(path) = self.take_dialog_answer()? else { return Ok(None) };
        self.chosen.chose_for_import(&path);
        self.app()?.preview_import(&path).map(Some)
    }

    fn import_leads(&self, request: ImportRequest) -> R<ImportReport> {
        self.chosen.check_import(&request.path)?;
        let out = self.out.clone();
        self.app()?.import_leads(&request, &mut |p| out.event("import-progress-event", p))
    }

    fn export_leads(&self, _file_name: String, list_id: Option<String>) -> R<Option<ExportReport>> {
        let Some(path) = self.take_dialog_answer()? else { return Ok(None) };
        self.app()?.export_leads(&path, list_id.as_deref()).map(Some)
    }

    fn export_call_history(&self, _file_name: String, filter: HistoryFilter) -> R<Option<ExportReport>> {
        let Some(path) = self.take_dialog_answer()? else { return Ok(None) };
        self.app()?.export_call_history(&path, &filter).map(Some)
    }

    /// Records from the microphone, or with `--wav-audio` from that WAV (as a call would).
    fn start_voicemail_recording(&self) -> R<()> {
        let out = self.out.clone();
        let devices: Option<Arc<dyn ringdesk_app::AudioDevices>> = self.options.wav_audio.as_ref().map(|wav| {
            Arc::new(ringdesk_app::WavDevices { input: wav.clone(), output_dir: wav.with_extension("heard") })
                as Arc<dyn ringdesk_app::AudioDevices>
        });
        self.app()?.start_voicemail_recording(devices, Arc::new(move |l| out.event("voicemail-level-event", l)))
    }

    fn import_voicemail(&self, name: String) -> R<Option<VoicemailMessage>> {
        let Some(path) = self.take_dialog_answer()? else { return Ok(None) };
        self.app()?.import_voicemail(&name, &path).map(Some)
    }

    fn export_campaign(&self, _file_name: String, campaign_id: String) -> R<Option<ExportReport>> {
        let Some(path) = self.take_dialog_answer()? else { return Ok(None) };
        self.app()?.export_campaign(&campaign_id, &path).map(Some)
    }

    fn export_analytics(
        &self,
        _file_name: String,
        query: AnalyticsQuery,
        table: AnalyticsTable,
    ) -> R<Option<ExportReport>> {
        let Some(path) = self.take_dialog_answer()? else { return Ok(None) };
        self.app()?.export_analytics(&path, &query, table).map(Some)
    }

    fn export_chart_png(&self, _file_name: String, png_base64: String) -> R<Option<ExportReport>> {
        let Some(path) = self.take_dialog_answer()? else { return Ok(None) };
        self.app()?.save_chart_png(&path, &png_base64).map(Some)
    }

    /// The window painted: the background services start, as in the desktop shell.
    fn ui_ready(&self) -> R<()> {
        self.app()?.ui_ready();
        let mut reminders = self.reminders.lock().unwrap_or_else(PoisonError::into_inner);
        if reminders.is_none() {
            let out = self.out.clone();
            let sink: ringdesk_app::ReminderSink = Arc::new(move |notice| out.event("reminder-event", notice));
            *reminders = Some(self.app()?.start_follow_up_reminders(std::time::Duration::from_secs(30), true, sink)?);
            let out = self.out.clone();
            let sink: ringdesk_app::SyncSink = Arc::new(move |notice| out.event("sync-event", notice));
            self.app()?.start_sync(self.options.sync_every, sink)?;
        }
        Ok(())
    }

    fn start_realtime(&self) -> R<()> {
        let mut slot = self.realtime.lock().unwrap_or_else(PoisonError::into_inner);
        drop(slot.take());
        let out = self.out.clone();
        let status = self.realtime_status.clone();
        let sink: ringdesk_app::NoticeSink = Arc::new(move |notice| {
            if matches!(notice, RealtimeNotice::Connection { .. }) {
                *status.lock().unwrap_or_else(PoisonError::into_inner) = Some(notice.clone());
            }
            out.event("realtime-event", notice);
        });
        *slot = Some(self.app()?.start_realtime(ringdesk_app::RealtimeOptions::default(), sink)?);
        Ok(())
    }

    fn realtime_status(&self) -> R<Option<RealtimeNotice>> {
        Ok(self.realtime_status.lock().unwrap_or_else(PoisonError::into_inner).clone())
    }

    fn take_pending_links(&self) -> R<Vec<LinkNotice>> {
        Ok(self.pending_links.lock().unwrap_or_else(PoisonError::into_inner).take().unwrap_or_default())
    }

    fn start_phone(&self) -> R<()> {
        let out = self.out.clone();
        let sink: ringdesk_app::CallSink = Arc::new(move |notice| out.event("call-event", notice));
        let options = match &self.options.wav_audio {
            None => ringdesk_app::PhoneOptions::default(),
            Some(wav) => {
                let heard = wav.with_extension("heard");
                std::fs::create_dir_all(&heard)
                    .map_err(|e| IpcError::new(ErrorCode::Io, format!("Could not create {}: {e}", heard.display())))?;
                let devices = ringdesk_app::WavDevices { input: wav.clone(), output_dir: heard };
                ringdesk_app::PhoneOptions {
                    devices: Some(Arc::new(devices)),
                    desktop_notifications: false,
                    ..ringdesk_app::PhoneOptions::default()
                }
            }
        };
        self.app()?.start_phone(options, sink)
    }

    /// A link from the operating system: read, then queued until the window asked for the
    /// pending ones, and sent as an event after.
    fn deliver_link(&self, link: String) {
        let notice = match self.app().and_then(|app| app.open_link(&link)) {
            Ok(target) => LinkNotice::Opened { link, target: Box::new(target) },
            Err(e) => LinkNotice::Invalid { link, message: e.message },
        };
        let mut pending = self.pending_links.lock().unwrap_or_else(PoisonError::into_inner);
        match pending.as_mut() {
            Some(queue) => queue.push(notice),
            None => {
                drop(pending);
                self.out.event("link-event", notice);
            }
        }
    }
}

/// How the served core differs from the desktop's.
pub struct Options {
    /// How often the sync service runs a cycle on its own, once the window is ready.
    pub sync_every: std::time::Duration,
    /// The phone's sound: this WAV as the microphone, what it hears written beside it, and no
    /// desktop notifications; `None`: the sound devices in Settings, as the desktop.
    pub wav_audio: Option<PathBuf>,
}

/// Answers requests from standard input until it closes.
pub fn run(app: R<App>, options: Options) -> R<()> {
    let out = Out(Arc::new(Mutex::new(std::io::stdout())));
    let host = Arc::new(Host {
        app,
        out: out.clone(),
        chosen: ringdesk_app::files::ChosenFiles::default(),
        dialog_answers: Mutex::default(),
        realtime: Mutex::default(),
        realtime_status: Arc::default(),
        reminders: Mutex::default(),
        options,
        pending_links: Mutex::new(Some(Vec::new())),
    });
    let mut running: Vec<std::thread::JoinHandle<()>> = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| IpcError::new(ErrorCode::Io, format!("Could not read the input: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let request: Value = match serde_json::from_str(&line) {
            Ok(r) => r,
            Err(e) => {
                out.line(&json!({ "id": null, "error": IpcError::invalid(format!("Not a JSON request: {e}")) }));
                continue;
            }
        };
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let Some(cmd) = request.get("cmd").and_then(Value::as_str).map(str::to_string) else {
            out.line(&json!({ "id": id, "error": IpcError::invalid("A request names its command in \"cmd\".") }));
            continue;
        };
        let map = match request.get("args") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(_) => {
                out.line(&json!({ "id": id, "error": IpcError::invalid("\"args\" is an object of named arguments.") }));
                continue;
            }
        };
        let (host, out) = (host.clone(), out.clone());
        let spawned = std::thread::Builder::new().name(format!("serve-{cmd}")).spawn(move || {
            let answer = match dispatch(&host, &Args { cmd: &cmd, map }) {
                Ok(value) => json!({ "id": id, "ok": value }),
                Err(error) => json!({ "id": id, "error": error }),
            };
            out.line(&answer);
        });
        running.retain(|thread| !thread.is_finished());
        running.push(
            spawned
                .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Could not start a request thread: {e}")))?,
        );
    }
    // The input closed: every request already read still gets its answer, then the phone
    // unregisters (as the desktop does when it quits).
    for thread in running {
        let _ = thread.join();
    }
    if let Ok(app) = &host.app {
        app.stop_phone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_names_are_read_as_the_window_sends_them() {
        assert_eq!(camel_case("call_log_id"), "callLogId", "snake_case becomes camelCase");
        assert_eq!(camel_case("query"), "query", "a one-word name is unchanged");
    }

    #[test]
    fn the_list_has_every_command_once() {
        let mut names = COMMANDS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len(), "no command is listed twice");
        assert!(COMMANDS.contains(&"list_leads") && COMMANDS.contains(&"choose_import_file"), "app and host commands");
    }
}
