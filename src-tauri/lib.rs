//! The desktop shell: the window, plugins, and IPC commands that forward to `ringdesk-app`.
//!
//! This is the only crate that depends on Tauri. Every command is a one-line forward into
//! [`ringdesk_app::App`]; no logic lives here. Commands and events are registered with
//! tauri-specta, which generates `ui/src/generated/bindings.ts` (committed; the
//! `bindings_are_fresh` test fails when it is stale, and `RINGDESK_WRITE_BINDINGS=1 cargo test -p
//! ringdesk bindings` rewrites it). If the database cannot be opened (newer version, corrupt
//! file), the window still opens and every command answers with that error, so the UI can show
//! it in a dialog while the file stays untouched.

mod commands;
mod files;

use std::path::PathBuf;
use std::sync::Arc;

use ringdesk_app::keychain::KeyringStore;
use ringdesk_app::{App, ErrorCode, IpcError};
use tauri::Manager;

/// What every command reaches through `State`: the app, or why it could not start.
pub struct Shell {
    app: Result<App, IpcError>,
    /// The live SignalWire connection, while one runs.
    realtime: std::sync::Mutex<Option<ringdesk_app::RealtimeHandle>>,
    /// Its last connection notice, for a UI that subscribes after it was sent.
    realtime_status: Arc<std::sync::Mutex<Option<ringdesk_app::ipc::RealtimeNotice>>>,
    /// Follow-up reminders (desktop notifications as follow-ups fall due), while the app runs.
    reminders: std::sync::Mutex<Option<ringdesk_app::RemindersHandle>>,
    /// Links that arrived before the window first asked for them (the link that started the
    /// app); `None` once it has, after which links go out as events.
    pending_links: std::sync::Mutex<Option<Vec<ringdesk_app::ipc::LinkNotice>>>,
    /// The files the agent chose to import in this session's dialogs: the only ones the window
    /// may have imported.
    chosen: ringdesk_app::files::ChosenFiles,
    /// What starts after the first paint (see `start_after_first_paint`); taken once.
    after_first_paint: std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl Shell {
    fn app(&self) -> Result<&App, IpcError> {
        self.app.as_ref().map_err(Clone::clone)
    }

    /// (Re)starts the live SignalWire connection: its notices go to the UI as events, and a
    /// clicked notification brings the window forward.
    fn start_realtime(&self, handle: &tauri::AppHandle) -> Result<(), IpcError> {
        use tauri_specta::Event as _;
        let app = self.app()?;
        let mut slot = self.realtime.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        drop(slot.take());
        let events = handle.clone();
        let status = self.realtime_status.clone();
        let sink: ringdesk_app::NoticeSink = Arc::new(move |notice| {
            if matches!(notice, ringdesk_app::ipc::RealtimeNotice::Connection { .. }) {
                *status.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(notice.clone());
            }
            if matches!(notice, ringdesk_app::ipc::RealtimeNotice::OpenConversation { .. }) {
                show_window(&events);
            }
            let _ = commands::RealtimeEvent(notice).emit(&events);
        });
        *slot = Some(app.start_realtime(ringdesk_app::RealtimeOptions::default(), sink)?);
        Ok(())
    }

    /// (Re)starts the softphone; its notices go to the UI as events, and an incoming call brings
    /// the window forward.
    fn start_phone(&self, handle: &tauri::AppHandle) -> Result<(), IpcError> {
        use tauri_specta::Event as _;
        let events = handle.clone();
        let sink: ringdesk_app::CallSink = Arc::new(move |notice| {
            if matches!(notice, ringdesk_app::ipc::CallNotice::Incoming { .. }) {
                show_window(&events);
            }
            let _ = commands::CallEvent(notice).emit(&events);
        });
        self.app()?.start_phone(ringdesk_app::PhoneOptions::default(), sink)
    }

    /// Reads a link the operating system handed over and passes it to the window (queued until
    /// the window listens), bringing the window forward. Never dials: the window does, and only
    /// when the agent clicks or the auto-dial setting is on.
    fn deliver_link(&self, handle: &tauri::AppHandle, link: String) {
        use ringdesk_app::ipc::LinkNotice;
        use tauri_specta::Event as _;
        let notice = match self.app().and_then(|a| a.open_link(&link)) {
            Ok(target) => LinkNotice::Opened { link, target: Box::new(target) },
            Err(e) => LinkNotice::Invalid { link, message: e.message },
        };
        tracing::info!(valid = matches!(notice, LinkNotice::Opened { .. }), "a link was opened");
        show_window(handle);
        let mut pending = self.pending_links.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match pending.as_mut() {
            Some(queue) => queue.push(notice),
            None => {
                drop(pending);
                let _ = commands::LinkEvent(notice).emit(handle);
            }
        }
    }

    /// Asks for a CSV file in the native dialog, remembers it as chosen, and previews it.
    fn choose_import_file(
        &self,
        handle: &tauri::AppHandle,
    ) -> Result<Option<ringdesk_app::ipc::ImportPreview>, IpcError> {
        let app = self.app()?;
        let Some(path) = files::ask(handle, files::Ask::OpenCsv)? else { return Ok(None) };
        self.chosen.chose_for_import(&path);
        app.preview_import(&path).map(Some)
    }

    /// Records a voicemail message from the microphone in Settings; its level goes to the window.
    fn start_voicemail_recording(&self, handle: &tauri::AppHandle) -> Result<(), IpcError> {
        use tauri_specta::Event as _;
        let h = handle.clone();
        self.app()?
            .start_voicemail_recording(None, Arc::new(move |level| drop(commands::VoicemailLevelEvent(level).emit(&h))))
    }

    /// Asks for a WAV file and keeps it as the voicemail message `name`.
    fn import_voicemail(
        &self,
        handle: &tauri::AppHandle,
        name: String,
    ) -> Result<Option<ringdesk_app::ipc::VoicemailMessage>, IpcError> {
        let app = self.app()?;
        let Some(path) = files::ask(handle, files::Ask::OpenWav)? else { return Ok(None) };
        app.import_voicemail(&name, &path).map(Some)
    }

    /// Imports a file the agent chose in this session's import dialog, and no other.
    fn import_leads(
        &self,
        handle: &tauri::AppHandle,
        request: ringdesk_app::ipc::ImportRequest,
    ) -> Result<ringdesk_app::ipc::ImportReport, IpcError> {
        use tauri_specta::Event as _;
        let app = self.app()?;
        self.chosen.check_import(&request.path)?;
        app.import_leads(&request, &mut |p| drop(commands::ImportProgressEvent(p).emit(handle)))
    }

    /// Asks where to save (suggesting `file_name`) and exports the leads there.
    fn export_leads(
        &self,
        handle: &tauri::AppHandle,
        file_name: String,
        list_id: Option<String>,
    ) -> Result<Option<ringdesk_app::ipc::ExportReport>, IpcError> {
        self.export(handle, &file_name, |app, path| app.export_leads(path, list_id.as_deref()))
    }

    /// Asks where to save (suggesting `file_name`) and exports the calls the filter selects there.
    fn export_call_history(
        &self,
        handle: &tauri::AppHandle,
        file_name: String,
        filter: ringdesk_app::ipc::HistoryFilter,
    ) -> Result<Option<ringdesk_app::ipc::ExportReport>, IpcError> {
        self.export(handle, &file_name, |app, path| app.export_call_history(path, &filter))
    }

    fn export_campaign(
        &self,
        handle: &tauri::AppHandle,
        file_name: String,
        campaign_id: String,
    ) -> Result<Option<ringdesk_app::ipc::ExportReport>, IpcError> {
        self.export(handle, &file_name, |app, path| app.export_campaign(&campaign_id, path))
    }

    fn export_analytics(
        &self,
        handle: &tauri::AppHandle,
        file_name: String,
        query: ringdesk_app::ipc::AnalyticsQuery,
        table: ringdesk_app::ipc::AnalyticsTable,
    ) -> Result<Option<ringdesk_app::ipc::ExportReport>, IpcError> {
        self.export(handle, &file_name, |app, path| app.export_analytics(path, &query, table))
    }

    fn export_chart_png(
        &self,
        handle: &tauri::AppHandle,
        file_name: String,
        png_base64: String,
    ) -> Result<Option<ringdesk_app::ipc::ExportReport>, IpcError> {
        let app = self.app()?;
        let Some(path) = files::ask(handle, files::Ask::SavePng(&file_name))? else { return Ok(None) };
        app.save_chart_png(&path, &png_base64).map(Some)
    }

    /// Asks where to save a CSV export (suggesting `file_name`), then writes it there with `write`.
    fn export<T>(
        &self,
        handle: &tauri::AppHandle,
        file_name: &str,
        write: impl FnOnce(&App, &str) -> Result<T, IpcError>,
    ) -> Result<Option<T>, IpcError> {
        let app = self.app()?;
        let Some(path) = files::ask(handle, files::Ask::SaveCsv(file_name))? else { return Ok(None) };
        write(app, &path).map(Some)
    }

    /// The window painted for the first time: logs it and starts the background services.
    fn ui_ready(&self, _handle: &tauri::AppHandle) -> Result<(), IpcError> {
        let app = self.app()?;
        app.ui_ready();
        self.start_background();
        Ok(())
    }

    /// Starts what waited for the first paint, once, on its own thread.
    fn start_background(&self) {
        let start = self.after_first_paint.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(start) = start
            && let Err(e) = std::thread::Builder::new().name("ringdesk-start".into()).spawn(start)
        {
            tracing::error!("the background services did not start: {e}");
        }
    }

    /// The links queued before the window listened; from now on links go out as events.
    fn take_pending_links(&self, _handle: &tauri::AppHandle) -> Result<Vec<ringdesk_app::ipc::LinkNotice>, IpcError> {
        Ok(self.pending_links.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take().unwrap_or_default())
    }

    /// The last connection notice of the live connection (`None` before it reported one).
    fn realtime_status(
        &self,
        _handle: &tauri::AppHandle,
    ) -> Result<Option<ringdesk_app::ipc::RealtimeNotice>, IpcError> {
        Ok(self.realtime_status.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone())
    }
}

/// Brings the main window forward (shown, unminimized, focused).
fn show_window(handle: &tauri::AppHandle) {
    if let Some(window) = handle.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// The tray icon: Show and Quit, and the overdue follow-ups count (as the icon's label on Linux,
/// and in the tooltip and the window title everywhere).
fn build_tray(app: &tauri::App) -> tauri::Result<()> {
    use tauri::menu::{MenuBuilder, MenuItemBuilder};
    use tauri::tray::TrayIconBuilder;
    let show = MenuItemBuilder::with_id("show", "Show Ringdesk").build(app)?;
    let quit = MenuItemBuilder::with_id("quit", "Quit Ringdesk").build(app)?;
    let menu = MenuBuilder::new(app).items(&[&show]).separator().items(&[&quit]).build()?;
    let mut tray = TrayIconBuilder::with_id(TRAY).tooltip("Ringdesk").menu(&menu).on_menu_event(|handle, event| {
        match event.id().as_ref() {
            "show" => show_window(handle),
            "quit" => handle.exit(0),
            _ => {}
        }
    });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

const TRAY: &str = "ringdesk-tray";

/// Shows the overdue follow-ups count on the tray icon and in the window title.
fn show_overdue(handle: &tauri::AppHandle, overdue: u32) {
    let (title, tooltip) = match overdue {
        0 => ("Ringdesk".to_string(), "Ringdesk".to_string()),
        1 => ("Ringdesk (1 overdue)".to_string(), "Ringdesk: 1 overdue follow-up".to_string()),
        n => (format!("Ringdesk ({n} overdue)"), format!("Ringdesk: {n} overdue follow-ups")),
    };
    if let Some(tray) = handle.tray_by_id(TRAY) {
        let _ = tray.set_tooltip(Some(&tooltip));
        let _ = tray.set_title((overdue > 0).then(|| overdue.to_string()));
    }
    if let Some(window) = handle.get_webview_window("main") {
        let _ = window.set_title(&title);
    }
}

/// The typed command and event registry shared by the running app and the bindings export.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    commands::builder()
}

/// Where the database lives: `--db PATH` on the command line, else `$RINGDESK_DB`, else
/// `<app data dir>/ringdesk.db`.
fn db_path(handle: &tauri::AppHandle) -> Result<PathBuf, IpcError> {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--db" {
            return args
                .next()
                .map(PathBuf::from)
                .ok_or_else(|| IpcError::new(ErrorCode::InvalidInput, "--db needs a database file path"));
        }
    }
    if let Some(p) = std::env::var_os("RINGDESK_DB") {
        return Ok(PathBuf::from(p));
    }
    let dir = handle
        .path()
        .app_data_dir()
        .map_err(|e| IpcError::new(ErrorCode::Io, format!("No data folder for Ringdesk: {e}")))?;
    Ok(ringdesk_app::default_db_path(&dir))
}

/// When the background services start if the window never reports its first paint.
const AFTER_FIRST_PAINT_AT_LATEST: std::time::Duration = std::time::Duration::from_secs(10);

/// The services that run in the background: follow-up reminders, replication, the live
/// SignalWire connection and the softphone (the last two only when set up).
fn start_services(handle: &tauri::AppHandle) {
    use tauri_specta::Event as _;
    let shell = handle.state::<Shell>();
    let Ok(app) = shell.app() else { return };
    // Follow-up reminders, every 30 s, also while the window is hidden.
    let events = handle.clone();
    let sink: ringdesk_app::ReminderSink = Arc::new(move |notice| {
        show_overdue(&events, notice.overdue);
        let _ = commands::ReminderEvent(notice).emit(&events);
    });
    match app.start_follow_up_reminders(std::time::Duration::from_secs(30), true, sink) {
        Ok(h) => *shell.reminders.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(h),
        Err(e) => tracing::warn!(code = ?e.code, "follow-up reminders did not start: {}", e.message),
    }
    // Replication with the backend; its notices go to the UI.
    let events = handle.clone();
    let sink: ringdesk_app::SyncSink = Arc::new(move |notice| {
        let _ = commands::SyncEvent(notice).emit(&events);
    });
    if let Err(e) = app.start_sync(ringdesk_app::DEFAULT_SYNC_INTERVAL, sink) {
        tracing::warn!(code = ?e.code, "the sync service did not start: {}", e.message);
    }
    // The live connection starts when SignalWire is set up.
    if let Err(e) = shell.start_realtime(handle)
        && e.code != ErrorCode::NotConfigured
    {
        tracing::warn!(code = ?e.code, "the live SignalWire connection did not start: {}", e.message);
    }
    // The softphone starts when a SIP line is set up.
    if let Err(e) = shell.start_phone(handle)
        && e.code != ErrorCode::NotConfigured
    {
        tracing::warn!(code = ?e.code, "the softphone did not start: {}", e.message);
    }
    // Ringdesk as the desktop's tel: and ringdesk: handler.
    links::make_default_handler(handle);
    // The first page and the services' first reads are done: what they left behind (page caches,
    // freed memory) goes back once the window is quiet, like after any command.
    app.worked();
    tracing::debug!("start-up: background services started");
}

/// Starts the desktop app.
pub fn run() {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if let Ok(guard) = ringdesk_app::SIP_STACK_LOG_GUARD.parse() {
        filter = filter.add_directive(guard);
    }
    // Every line carries the time since start: with RUST_LOG=debug the log is the start-up trace
    // (scripts/bench_desktop.py prints it).
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .with_writer(std::io::stderr)
        .init();
    let builder = specta_builder();
    let built = tauri::Builder::default()
        // First: a second launch (a link clicked while Ringdesk runs) hands its arguments to this
        // process and exits; the deep-link plugin turns them into `on_open_url`.
        .plugin(tauri_plugin_single_instance::init(|handle, _argv, _cwd| show_window(handle)))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler({
            let handler = builder.invoke_handler();
            move |invoke| {
                tracing::debug!(command = invoke.message.command(), "ipc");
                handler(invoke)
            }
        })
        .setup(move |app| {
            tracing::debug!("start-up: setup");
            builder.mount_events(app);
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                linux::choose_compositing(&window);
            }
            let handle = app.handle().clone();
            // RINGDESK_SIGNALWIRE_URL: another SignalWire API origin (a proxy, or the test emulator).
            let options = ringdesk_app::AppOptions {
                signalwire_origin: std::env::var("RINGDESK_SIGNALWIRE_URL").ok(),
                ..ringdesk_app::AppOptions::default()
            };
            let opened = db_path(&handle).and_then(|p| App::open_with(&p, Arc::new(KeyringStore::new()), &options));
            tracing::debug!("start-up: database opened");
            if let Err(e) = &opened {
                tracing::error!(code = ?e.code, "could not open the database: {}", e.message);
            }
            app.manage(Shell {
                app: opened,
                realtime: std::sync::Mutex::new(None),
                realtime_status: Arc::default(),
                reminders: std::sync::Mutex::new(None),
                pending_links: std::sync::Mutex::new(Some(Vec::new())),
                chosen: ringdesk_app::files::ChosenFiles::default(),
                after_first_paint: std::sync::Mutex::new(None),
            });
            // The window's first question reads the lead count: its pages are read now, beside
            // the web view's start, instead of while the window waits.
            let warming = handle.clone();
            let _ = std::thread::Builder::new().name("ringdesk-warm-up".into()).spawn(move || {
                if let Ok(app) = warming.state::<Shell>().app() {
                    app.warm_up();
                }
            });
            if let Ok(app) = handle.state::<Shell>().app() {
                // The window plays two kinds of files: cached recordings and voicemail messages.
                for dir in [app.recording_cache_dir().to_path_buf(), app.voicemail_dir()] {
                    if let Err(e) = handle.asset_protocol_scope().allow_directory(&dir, false) {
                        tracing::warn!("{} will not play in the window: {e}", dir.display());
                    }
                }
            }
            links::register(&handle);
            if let Err(e) = build_tray(app) {
                tracing::warn!("no tray icon: {e}");
            }
            // Before the first paint only the database, the window, the tray and the links
            // (queued until the window asks) are set up. Reminders, replication, the live
            // SignalWire connection, the softphone and the registration as the desktop's link
            // handler start when the window reports its first paint (`ui_ready`), or after
            // AFTER_FIRST_PAINT_AT_LATEST if it never does (a window that failed to load): none
            // of them is needed to show the workspace, and the keychain, the network, the audio
            // devices and the processes they start would compete with it.
            let background = handle.clone();
            *handle.state::<Shell>().after_first_paint.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some(Box::new(move || start_services(&background)));
            let fallback = handle.clone();
            let _ = std::thread::Builder::new().name("ringdesk-start-fallback".into()).spawn(move || {
                std::thread::sleep(AFTER_FIRST_PAINT_AT_LATEST);
                fallback.state::<Shell>().start_background();
            });
            tracing::debug!("start-up: setup done");
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match built {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("Ringdesk stopped with an error: {e}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        // Quitting: the softphone unregisters, so the registrar keeps no binding of this desktop.
        if let tauri::RunEvent::Exit = event
            && let Ok(app) = handle.state::<Shell>().app()
        {
            app.stop_phone();
        }
    });
}

mod links {
    //! `tel:` and `ringdesk://` links: Ringdesk registers itself as their handler (at run time on
    //! Linux and, in debug builds, Windows; installers do it on macOS and Windows), reads the link
    //! that started it, and takes links forwarded by later launches.
    use tauri::Manager;
    use tauri_plugin_deep_link::DeepLinkExt;

    /// Makes Ringdesk the desktop's handler of its link schemes. On Linux this runs
    /// update-desktop-database and xdg-mime (shell scripts that start some twenty processes), so
    /// it runs on its own thread after the first paint.
    pub fn make_default_handler(handle: &tauri::AppHandle) {
        #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
        if std::env::var_os("RINGDESK_NO_LINK_REGISTRATION").is_none() {
            let registering = handle.clone();
            std::thread::spawn(move || {
                if let Err(e) = registering.deep_link().register_all() {
                    tracing::warn!("could not register Ringdesk for tel: links: {e}");
                }
            });
        }
        #[cfg(not(any(target_os = "linux", all(debug_assertions, windows))))]
        let _ = handle;
    }

    /// Takes the link Ringdesk was started with and the links later launches forward.
    pub fn register(handle: &tauri::AppHandle) {
        let links = handle.deep_link();
        let forwarded = handle.clone();
        links.on_open_url(move |event| {
            for url in event.urls() {
                forwarded.state::<crate::Shell>().deliver_link(&forwarded, url.to_string());
            }
        });
        match links.get_current() {
            Ok(Some(urls)) => {
                for url in urls {
                    handle.state::<crate::Shell>().deliver_link(handle, url.to_string());
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("could not read the link Ringdesk was started with: {e}"),
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    //! WebKitGTK's accelerated compositing costs ~55 MB in the web process (measured under Xvfb,
    //! BENCHMARKS.md) and buys nothing for a table-and-forms UI, so it is off unless
    //! `RINGDESK_GPU_COMPOSITING=1` asks for it.
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};

    pub fn choose_compositing(window: &tauri::WebviewWindow) {
        let gpu = std::env::var_os("RINGDESK_GPU_COMPOSITING").is_some_and(|v| v == "1");
        let policy = if gpu { HardwareAccelerationPolicy::Always } else { HardwareAccelerationPolicy::Never };
        let applied = window.with_webview(move |webview| {
            if let Some(settings) = WebViewExt::settings(&webview.inner()) {
                settings.set_hardware_acceleration_policy(policy);
            }
        });
        if let Err(e) = applied {
            tracing::warn!("could not set the WebKit compositing policy: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    /// The committed TypeScript bindings must be what the current Rust types generate.
    #[test]
    fn bindings_are_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/generated/bindings.ts");
        let fresh = std::env::temp_dir().join(format!("ringdesk-bindings-{}.ts", std::process::id()));
        super::commands::export(&fresh).expect("bindings export");
        let generated = std::fs::read_to_string(&fresh).expect("generated bindings readable");
        let _ = std::fs::remove_file(&fresh);
        if std::env::var_os("RINGDESK_WRITE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).expect("bindings written");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/generated/bindings.ts is stale: run `RINGDESK_WRITE_BINDINGS=1 cargo test -p ringdesk bindings` and commit it"
        );
    }
}
