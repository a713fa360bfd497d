//! Ringdesk's application facade: one function per user action.
//!
//! The desktop shell (`src-tauri`) and `ringdesk-cli` both call [`App`]; neither holds logic of its
//! own. This crate owns the IPC types ([`ipc`], the only types that cross to the UI), the error the
//! UI sees ([`IpcError`], `{code, message}`), the OS keychain ([`keychain`]) and CSV import/export
//! ([`csv_io`]). It reads and writes the local database only through `ringdesk-store` and leaves
//! phone-number rules to `ringdesk-core`. Functions are synchronous; the shell runs them off the
//! UI thread.
//!
//! Layout: this file builds the `App` and wires its services; each domain module owns its
//! `impl App` block: `leads` (leads, lists), `csv_io` (import, export), `settings` (settings,
//! secrets), `links` (links, lookups), `calling` (the softphone, the one call service), `bridge`,
//! `workflow` (dispositions, history, follow-ups), `messaging` (texts), `numbers` (phone numbers,
//! the SIP line in SignalWire), `recordings`, `agents`, `realtime`, `reminders`, `sync`. Settings
//! keys live in `keys`; what the agent types as a call target is read by `dialable`; the command
//! list is `commands`.

mod agents;
pub mod analytics;
mod bridge;
mod calling;
pub mod campaigns;
pub mod commands;
pub mod csv_io;
mod dialable;
mod dialer;
mod error;
pub mod files;
pub mod ipc;
pub mod keychain;
mod keys;
mod leads;
mod links;
pub mod memory;
mod messaging;
mod numbers;
mod realtime;
mod recordings;
mod reminders;
mod settings;
mod sync;
pub mod voicemail;
mod workflow;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use ringdesk_core::Region;
use ringdesk_store::Store;

pub use calling::{CallSink, PhoneOptions};
pub use error::{ErrorCode, IpcError, Result};
use ipc::*;
use keychain::SecretStore;
pub use realtime::{NoticeSink, RealtimeHandle, RealtimeOptions};
pub use reminders::{ReminderSink, RemindersHandle};
/// Add to every log filter (see its doc): SIP messages in logs would carry SRTP keys.
pub use ringdesk_voice::SIP_STACK_LOG_GUARD;
pub use ringdesk_voice::audio::{AudioDevices, WavDevices};
pub use sync::{DEFAULT_INTERVAL as DEFAULT_SYNC_INTERVAL, SyncSink, migrate_backend};
pub use workflow::{DO_NOT_CALL, default_options as default_disposition_options};

/// The running application: the local database and the keychain.
pub struct App {
    opened_at: std::time::Instant,
    store: Arc<Store>,
    secrets: Arc<dyn SecretStore>,
    import_cancel: AtomicBool,
    provider: Arc<messaging::Provider>,
    recording_cache: (PathBuf, u64),
    sync: sync::SyncService,
    /// The softphone, while it runs.
    phone: std::sync::Mutex<Option<calling::CallService>>,
    /// When a link last was allowed to dial by itself, and the least time between two such links.
    link_dials: (std::sync::Mutex<Option<std::time::Instant>>, std::time::Duration),
    /// The power-dialer sessions this desktop runs.
    dialer: campaigns::Sessions,
    /// How long a campaign's lead stays reserved on the backend for this agent.
    lease_seconds: u32,
    /// The voicemail message being recorded, if any.
    recorder: std::sync::Mutex<Option<voicemail::Recording>>,
    /// The calls as the Analytics page scans them, once it was opened, and the change journal's
    /// cursor they are current at.
    analytics: std::sync::Mutex<Option<(u64, Arc<analytics::Facts>)>>,
    /// Gives memory back when the window goes quiet after work.
    settle: memory::Settle,
}

/// How long the window counts down, with Cancel, before a link dials by itself.
pub const LINK_AUTO_DIAL_COUNTDOWN_SECONDS: u32 = 4;
/// At most one link dials by itself per this long; later ones wait for the agent's Dial.
pub const LINK_AUTO_DIAL_GAP: std::time::Duration = std::time::Duration::from_secs(10);

/// How the app is opened beyond its database and keychain.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Talk to SignalWire's REST API here instead of `https://{space}.signalwire.com` (a test
    /// emulator, a proxy). `ringdesk-cli` takes it from `RINGDESK_SIGNALWIRE_URL`.
    pub signalwire_origin: Option<String>,
    /// Most bytes of recording audio kept on this machine (default 500 MB).
    pub recording_cache_bytes: Option<u64>,
    /// The least time between two links that dial by themselves (default [`LINK_AUTO_DIAL_GAP`]).
    pub link_auto_dial_gap: Option<std::time::Duration>,
    /// How long a campaign's lead stays reserved for this agent on the shared backend (default
    /// [`campaigns::DEFAULT_LEASE_SECONDS`]; 5 s to a day).
    pub lease_seconds: Option<u32>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("store", &self.store).finish_non_exhaustive()
    }
}

/// Where the database lives by default: `<data dir>/ringdesk.db`.
pub fn default_db_path(data_dir: &Path) -> PathBuf {
    data_dir.join("ringdesk.db")
}

impl App {
    /// Opens the database at `db_path` (creating its folder) with the given secret store.
    pub fn open(db_path: &Path, secrets: Arc<dyn SecretStore>) -> Result<App> {
        Self::open_with(db_path, secrets, &AppOptions::default())
    }

    /// [`App::open`] with options.
    pub fn open_with(db_path: &Path, secrets: Arc<dyn SecretStore>, options: &AppOptions) -> Result<App> {
        let origin = match options.signalwire_origin.as_deref() {
            Some(o) => {
                Some(o.parse::<url::Url>().map_err(|e| IpcError::invalid(format!("SignalWire URL {o:?}: {e}")))?)
            }
            None => None,
        };
        let provider = Arc::new(messaging::Provider::new(origin)?);
        if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                IpcError::new(ErrorCode::Io, format!("Could not create the data folder {}: {e}", dir.display()))
            })?;
        }
        let store = Arc::new(Store::open(db_path)?);
        let cache_dir = db_path.parent().unwrap_or(Path::new(".")).join("recordings");
        let recording_cache = (cache_dir, options.recording_cache_bytes.unwrap_or(500 * 1024 * 1024));
        let sync = sync::SyncService::spawn(store.clone(), secrets.clone())?;
        // Weak: the store closes (and checkpoints its journal) when the App goes, not when the
        // settle thread does, which the process may end without joining.
        let caches = Arc::downgrade(&store);
        let settle = memory::Settle::start(memory::QUIET, memory::WORTH_BYTES, move || {
            if let Some(store) = caches.upgrade() {
                store.release_memory();
            }
        });
        Ok(App {
            settle,
            sync,
            phone: std::sync::Mutex::new(None),
            opened_at: std::time::Instant::now(),
            store,
            secrets,
            import_cancel: AtomicBool::new(false),
            provider,
            recording_cache,
            link_dials: (std::sync::Mutex::new(None), options.link_auto_dial_gap.unwrap_or(LINK_AUTO_DIAL_GAP)),
            dialer: campaigns::Sessions::default(),
            lease_seconds: options.lease_seconds.unwrap_or(campaigns::DEFAULT_LEASE_SECONDS).clamp(5, 86_400),
            recorder: std::sync::Mutex::new(None),
            analytics: std::sync::Mutex::new(None),
        })
    }

    /// The store, for tools and tests that seed data.
    /// Where fetched recordings are cached (the only folder the window may load media from).
    pub fn recording_cache_dir(&self) -> &Path {
        &self.recording_cache.0
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn app_info(&self) -> Result<AppInfo> {
        let lead_count = self.store.read(|r| ringdesk_store::leads::count(r))?;
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            db_path: self.store.path().display().to_string(),
            lead_count: lead_count as u32,
            dial_disabled_reason: if self.phone.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_some() {
                None
            } else {
                Some("Set up your SIP line in Settings to call from Ringdesk.".to_string())
            },
        })
    }

    /// Reads what the window's first question ([`App::app_info`]) reads and throws the answer
    /// away. The desktop shell runs it on a thread of its own as soon as the database is open: on
    /// a cold start the count's index pages then come from disk while the web view is still
    /// starting, not while the window waits for its first answer (about 30 ms on a 100k-lead
    /// database with the page cache dropped; BENCHMARKS.md).
    pub fn warm_up(&self) {
        if let Err(e) = self.app_info() {
            tracing::debug!(code = ?e.code, "warm-up read failed: {}", e.message);
        }
    }

    /// The UI reports its first interactive paint; logged once as `window interactive`, which
    /// the cold-start benchmark waits for.
    pub fn ui_ready(&self) {
        tracing::info!(since_open_ms = self.opened_at.elapsed().as_millis() as u64, "window interactive");
    }

    /// A command was answered: once the window goes quiet ([`memory::QUIET`]), the memory the
    /// work left behind is given back (the store's page caches, the allocator's free pages).
    pub fn worked(&self) {
        self.settle.worked();
    }

    pub(crate) fn region(&self) -> Result<Region> {
        settings::region(&self.store)
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
