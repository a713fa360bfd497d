//! The background sync service: replication with the team's backend (`ringdesk-sync`).
//!
//! One thread owns a current-thread tokio runtime and the transport, and runs every cycle, so
//! cycles never overlap and the backend connection is reused. It runs a cycle when asked
//! ([`crate::App::sync_now`]), and once the service is started: at start, shortly after each local
//! change (it watches the outbox's newest id), on a jittered interval, and with exponential
//! backoff while the backend is unreachable. After every cycle the status is updated and a
//! [`SyncNotice`] goes to the sink (the shell forwards it to the UI).
//!
//! The backend is chosen by the URL in Settings: `https://...` is a Supabase project (REST RPC,
//! the agent signs in; the refresh token is in the keychain, access tokens only in memory), and
//! `postgres://...` connects directly as a per-agent role (its password in the keychain).

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ringdesk_store::{Store, outbox, replica, settings as kv};
use ringdesk_sync::{PgTransport, RestTransport, Session, SupabaseAuth, SyncError, Syncer, SyncerOptions, Transport};
use serde_json::Value as Json;

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::{SecretKind, SyncNotice, SyncReport, SyncState, SyncStatus};
use crate::keychain::{Secret, SecretStore};

use crate::keys::{BACKEND_EMAIL, BACKEND_URL, BACKEND_USER};

/// Who gets the notices.
pub type SyncSink = Arc<dyn Fn(SyncNotice) + Send + Sync>;

/// How often an idle desktop asks the backend for changes (jittered by ±15 %), so a change made
/// on the web shows within about two seconds.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(1500);
/// A local change is pushed this long after it was made (more changes in between join it).
const DEBOUNCE: Duration = Duration::from_millis(300);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Either transport, chosen by the backend URL.
pub(crate) enum AnyTransport {
    Pg(Box<PgTransport>),
    Rest(Box<RestTransport>),
}

impl Transport for AnyTransport {
    async fn push(&self, client_id: &str, mutations: &Json) -> std::result::Result<Json, SyncError> {
        match self {
            AnyTransport::Pg(t) => t.push(client_id, mutations).await,
            AnyTransport::Rest(t) => t.push(client_id, mutations).await,
        }
    }

    async fn pull(&self, cursor: &str, epoch: Option<&str>, limit: u32) -> std::result::Result<Json, SyncError> {
        match self {
            AnyTransport::Pg(t) => t.pull(cursor, epoch, limit).await,
            AnyTransport::Rest(t) => t.pull(cursor, epoch, limit).await,
        }
    }

    async fn claim(
        &self,
        campaign_id: &str,
        lead_ids: &Json,
        lease_seconds: u32,
        release_ids: &Json,
    ) -> std::result::Result<Json, SyncError> {
        match self {
            AnyTransport::Pg(t) => t.claim(campaign_id, lead_ids, lease_seconds, release_ids).await,
            AnyTransport::Rest(t) => t.claim(campaign_id, lead_ids, lease_seconds, release_ids).await,
        }
    }

    async fn whoami(&self) -> std::result::Result<Json, SyncError> {
        match self {
            AnyTransport::Pg(t) => t.whoami().await,
            AnyTransport::Rest(t) => t.whoami().await,
        }
    }

    fn describe(&self) -> String {
        match self {
            AnyTransport::Pg(t) => t.describe(),
            AnyTransport::Rest(t) => t.describe(),
        }
    }
}

enum Request {
    Cycle(Sender<Result<SyncReport>>),
    Start(SyncSink, Duration),
    /// Settings or credentials changed: build the transport again before the next cycle.
    Reset,
    /// A transaction that queued a sync mutation committed (the store's signal).
    Changed,
    /// Build the transport now if it is not (for a claim); answers when done.
    Build(Sender<Result<()>>),
    Stop,
}

/// The worker's transport and runtime, shared for calls outside a cycle (the dialer's claims),
/// so both use one session (a Supabase refresh token works once).
type Shared = Arc<Mutex<Option<(tokio::runtime::Handle, Arc<Syncer<AnyTransport>>)>>>;

/// The service's thread and the status it keeps.
pub(crate) struct SyncService {
    tx: Mutex<Sender<Request>>,
    status: Arc<Mutex<SyncStatus>>,
    shared: Shared,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl SyncService {
    pub(crate) fn spawn(store: Arc<Store>, secrets: Arc<dyn SecretStore>) -> Result<SyncService> {
        let (tx, rx) = std::sync::mpsc::channel();
        let changed = tx.clone();
        store.on_outbox_commit(move || drop(changed.send(Request::Changed)));
        let status = Arc::new(Mutex::new(SyncStatus::default()));
        let shared: Shared = Arc::new(Mutex::new(None));
        let worker =
            Worker { store, secrets, status: status.clone(), syncer: None, sink: None, shared: shared.clone() };
        let thread = std::thread::Builder::new()
            .name("ringdesk-sync".into())
            .spawn(move || worker.run(rx))
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Could not start the sync service: {e}")))?;
        Ok(SyncService { tx: Mutex::new(tx), status, shared, thread: Mutex::new(Some(thread)) })
    }

    fn send(&self, r: Request) -> Result<()> {
        self.tx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(r)
            .map_err(|_| IpcError::new(ErrorCode::Internal, "The sync service has stopped."))
    }

    pub(crate) fn cycle(&self) -> Result<SyncReport> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.send(Request::Cycle(tx))?;
        rx.recv().map_err(|_| IpcError::new(ErrorCode::Internal, "The sync service stopped during a cycle."))?
    }

    pub(crate) fn start(&self, sink: SyncSink, interval: Duration) -> Result<()> {
        self.send(Request::Start(sink, interval))
    }

    pub(crate) fn reset(&self) {
        let _ = self.send(Request::Reset);
    }

    /// `sync.claim_campaign_leads` on the backend (see `ringdesk_sync::Transport::claim`):
    /// "notConfigured" when sync is off, "offline" when the backend cannot be reached.
    pub(crate) fn claim(&self, campaign: &str, leads: &[String], seconds: u32, release: &[String]) -> Result<Json> {
        let ready = || self.shared.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let (handle, syncer) = match ready() {
            Some(r) => r,
            None => {
                let (tx, rx) = std::sync::mpsc::channel();
                self.send(Request::Build(tx))?;
                rx.recv().map_err(|_| IpcError::new(ErrorCode::Internal, "The sync service has stopped."))??;
                ready().ok_or_else(|| not_configured("no backend"))?
            }
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let (campaign, leads, release) = (campaign.to_string(), serde_json::json!(leads), serde_json::json!(release));
        handle.spawn(async move {
            let r = syncer.transport().claim(&campaign, &leads, seconds, &release).await;
            let _ = tx.send(r);
        });
        match rx.recv_timeout(Duration::from_secs(40)) {
            Ok(r) => r.map_err(sync_error),
            Err(_) => Err(IpcError::new(ErrorCode::Offline, "Offline: the backend did not answer the claim.")),
        }
    }

    pub(crate) fn status(&self) -> SyncStatus {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for SyncService {
    /// Stops the thread and waits for it (at most the running cycle), so that when the app is
    /// dropped the database is closed too.
    fn drop(&mut self) {
        let _ = self.send(Request::Stop);
        if let Some(t) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = t.join();
        }
    }
}

struct Worker {
    store: Arc<Store>,
    secrets: Arc<dyn SecretStore>,
    status: Arc<Mutex<SyncStatus>>,
    syncer: Option<Arc<Syncer<AnyTransport>>>,
    sink: Option<SyncSink>,
    shared: Shared,
}

fn jittered(d: Duration) -> Duration {
    let r = std::collections::hash_map::RandomState::new();
    let n = std::hash::BuildHasher::hash_one(&r, Instant::now()) % 300;
    d.mul_f64(0.85 + n as f64 / 1000.0)
}

impl Worker {
    fn run(mut self, rx: Receiver<Request>) {
        let rt = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("ringdesk-sync-io")
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                tracing::error!(error = %e, "the sync service could not start its runtime");
                return;
            }
        };
        let mut interval: Option<Duration> = None;
        let mut due = Instant::now();
        let mut backoff = Duration::ZERO;
        self.refresh_status(None);
        loop {
            // Sleep until the next cycle is due or a request or a committed change arrives.
            let wait = match interval {
                Some(_) => due.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            match rx.recv_timeout(wait) {
                Ok(Request::Cycle(reply)) => {
                    let result = self.cycle(&rt);
                    let _ = reply.send(result);
                }
                Ok(Request::Start(sink, every)) => {
                    self.sink = Some(sink);
                    interval = Some(every);
                    due = Instant::now();
                }
                Ok(Request::Build(reply)) => {
                    let _ = reply.send(self.ensure_syncer(&rt));
                    continue;
                }
                Ok(Request::Reset) => {
                    self.set_syncer(None, &rt);
                    backoff = Duration::ZERO;
                    due = Instant::now();
                    self.refresh_status(None);
                }
                // A local change brings the next cycle forward (debounced), unless backing off.
                Ok(Request::Changed) => {
                    if interval.is_some() && backoff.is_zero() {
                        due = due.min(Instant::now() + DEBOUNCE);
                    }
                }
                Ok(Request::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
            }
            let Some(every) = interval else { continue };
            if Instant::now() < due {
                continue;
            }
            let outcome = self.cycle(&rt);
            due = Instant::now()
                + match &outcome {
                    Ok(_) => {
                        backoff = Duration::ZERO;
                        jittered(every)
                    }
                    Err(e) if e.code == ErrorCode::Offline => {
                        backoff = (backoff * 2).clamp(Duration::from_secs(2), MAX_BACKOFF);
                        jittered(backoff)
                    }
                    // Not configured, refused credentials, a backend without migrations: nothing
                    // changes until the agent acts (a Reset), so try rarely.
                    Err(_) => MAX_BACKOFF,
                };
        }
    }

    fn set_status(&self, f: impl FnOnce(&mut SyncStatus)) -> SyncStatus {
        let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s);
        s.clone()
    }

    fn notify(&self, notice: SyncNotice) {
        if let Some(sink) = &self.sink {
            sink(notice);
        }
    }

    /// Reads the counts shown beside the state (pending, conflicts, issues).
    fn refresh_status(&self, state: Option<SyncState>) {
        let counts = self.store.read(|r| {
            Ok((
                outbox::pending_count(r)?,
                replica::open_conflicts(r)?.len(),
                replica::issue_count(r)?,
                replica::state(r, "last_synced_at")?,
            ))
        });
        let Ok((pending, conflicts, issues, last)) = counts else { return };
        let configured =
            self.store.read(|r| kv::get::<String>(r, BACKEND_URL)).ok().flatten().is_some_and(|u| !u.is_empty());
        let status = self.set_status(|s| {
            s.pending = u32::try_from(pending).unwrap_or(u32::MAX);
            s.conflicts = conflicts as u32;
            s.issues = issues as u32;
            // The stored time only matters at start; after that the service keeps it in memory.
            if s.last_synced_at.is_none() {
                s.last_synced_at = last;
            }
            if let Some(st) = state {
                s.state = st;
            } else if !configured {
                s.state = SyncState::Off;
            }
        });
        self.notify(SyncNotice { status, changed: false });
    }

    fn set_syncer(&mut self, syncer: Option<Syncer<AnyTransport>>, rt: &tokio::runtime::Runtime) {
        self.syncer = syncer.map(Arc::new);
        *self.shared.lock().unwrap_or_else(|p| p.into_inner()) = self.syncer.clone().map(|s| (rt.handle().clone(), s));
    }

    fn ensure_syncer(&mut self, rt: &tokio::runtime::Runtime) -> Result<()> {
        if self.syncer.is_none() {
            let built = build(&self.store, &self.secrets)?;
            self.set_syncer(Some(built), rt);
        }
        Ok(())
    }

    fn cycle(&mut self, rt: &tokio::runtime::Runtime) -> Result<SyncReport> {
        if self.syncer.is_none() {
            match build(&self.store, &self.secrets) {
                Ok(s) => self.set_syncer(Some(s), rt),
                Err(e) => {
                    let off = e.code == ErrorCode::NotConfigured;
                    let status = self.set_status(|s| {
                        s.state = if off { SyncState::Off } else { SyncState::Error };
                        s.error = Some(e.message.clone());
                        s.progress = None;
                    });
                    self.notify(SyncNotice { status, changed: false });
                    return Err(e);
                }
            }
        }
        let Some(syncer) = self.syncer.clone() else { return Err(IpcError::new(ErrorCode::Internal, "no syncer")) };
        let status = self.set_status(|s| {
            s.state = SyncState::Syncing;
            s.progress = None;
        });
        self.notify(SyncNotice { status, changed: false });
        let sink = self.sink.clone();
        let shared = self.status.clone();
        let progress = move |p: ringdesk_sync::Progress| {
            let status = {
                let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
                s.progress = Some(crate::ipc::SyncProgress {
                    pushing: p.phase == ringdesk_sync::Phase::Push,
                    done: p.done as f64,
                    total: p.total.map(|t| t as f64),
                });
                s.clone()
            };
            if let Some(sink) = &sink {
                sink(SyncNotice { status, changed: p.phase == ringdesk_sync::Phase::Pull && p.done > 0 });
            }
        };
        let started = Instant::now();
        let result = rt.block_on(syncer.cycle(&self.store, &progress));
        match result {
            Ok(r) => {
                let now = ringdesk_store::format_ts(chrono::Utc::now());
                // Written only when something moved, so an idle cycle does not write.
                if r.pushed + r.pulled + r.removed > 0 {
                    let _ = self.store.write(|w| replica::set_state(w, "last_synced_at", &now));
                }
                self.set_status(|s| s.last_synced_at = Some(now.clone()));
                let report = SyncReport {
                    pushed: r.pushed as f64,
                    rejected: r.rejected as f64,
                    conflicts: r.conflicts as f64,
                    pulled: r.pulled as f64,
                    removed: r.removed as f64,
                    issues: r.issues as f64,
                    resynced: r.resynced,
                    rotated: r.rotated,
                    pending: r.pending as f64,
                    millis: started.elapsed().as_millis() as f64,
                };
                let changed = r.pulled + r.removed > 0;
                self.set_status(|s| {
                    s.error = None;
                    s.progress = None;
                });
                self.refresh_status(Some(SyncState::Synced));
                if changed {
                    let status = self.set_status(|_| {});
                    self.notify(SyncNotice { status, changed: true });
                }
                Ok(report)
            }
            Err(e) => {
                let offline = e.is_transient();
                if matches!(e, SyncError::Auth(_) | SyncError::Config(_)) {
                    self.set_syncer(None, rt);
                }
                self.set_status(|s| {
                    s.error = Some(e.to_string());
                    s.progress = None;
                });
                self.refresh_status(Some(if offline { SyncState::Offline } else { SyncState::Error }));
                Err(sync_error(e))
            }
        }
    }
}

/// The IPC error for a sync failure.
pub(crate) fn sync_error(e: SyncError) -> IpcError {
    let code = match &e {
        SyncError::Unreachable(_) | SyncError::Server { .. } => ErrorCode::Offline,
        SyncError::Config(_) => ErrorCode::InvalidInput,
        SyncError::Auth(_) | SyncError::NotMigrated(_) => ErrorCode::Provider,
        _ => ErrorCode::Internal,
    };
    let message = match &e {
        SyncError::Unreachable(_) => format!("Offline: {e}. Your changes are kept and will sync when it is back."),
        _ => crate::capitalize(&e.to_string()),
    };
    IpcError::new(code, message)
}

fn not_configured(what: &str) -> IpcError {
    IpcError::new(ErrorCode::NotConfigured, format!("Sync is off: {what}. Set the backend in Settings."))
}

/// The transport the settings describe.
fn build(store: &Store, secrets: &Arc<dyn SecretStore>) -> Result<Syncer<AnyTransport>> {
    let url: Option<String> = store.read(|r| kv::get(r, BACKEND_URL))?;
    let url = url.filter(|u| !u.is_empty()).ok_or_else(|| not_configured("no backend URL"))?;
    let region = crate::settings::region(store)?;
    let options = SyncerOptions { region, ..SyncerOptions::default() };
    let key = secrets.get(SecretKind::BackendKey)?;
    let transport = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let t = PgTransport::with_password(&url, key.as_ref().map(Secret::expose)).map_err(sync_error)?;
        AnyTransport::Pg(Box::new(t))
    } else {
        let key = key.ok_or_else(|| not_configured("the project's publishable (anon) key is not set"))?;
        let auth = SupabaseAuth::new(&url, key.expose()).map_err(sync_error)?;
        let refresh = secrets.get(SecretKind::BackendSession)?.ok_or_else(|| {
            IpcError::new(ErrorCode::NotConfigured, "Sync is off: sign in to the backend in Settings.")
        })?;
        let user: Option<String> = store.read(|r| kv::get(r, BACKEND_USER))?;
        let session = Session {
            access_token: String::new(),
            refresh_token: refresh.expose().to_string(),
            expires_at: 0,
            user_id: user.unwrap_or_default(),
            email: None,
        };
        let keep = secrets.clone();
        let on_refresh = Box::new(move |s: &Session| {
            if let Err(e) = keep.set(SecretKind::BackendSession, &Secret::new(s.refresh_token.clone())) {
                tracing::warn!(error = %e.message, "could not keep the refreshed backend session");
            }
        });
        AnyTransport::Rest(Box::new(RestTransport::new(auth, session, Some(on_refresh))))
    };
    Ok(Syncer::new(transport, options))
}

/// Applies the backend migrations to the database at `url` (an owner's URL); returns the files
/// applied (empty when it was up to date). Needs no local database.
pub fn migrate_backend(url: &str) -> Result<Vec<String>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Could not start a runtime: {e}")))?;
    let url = url.to_string();
    // Its own thread, so it also works when called from inside another runtime.
    std::thread::spawn(move || rt.block_on(ringdesk_sync::backend::migrate(&url)))
        .join()
        .map_err(|_| IpcError::new(ErrorCode::Internal, "The migration thread panicked."))?
        .map(|m| m.applied)
        .map_err(sync_error)
}

impl crate::App {
    /// Starts syncing in the background: now, shortly after each local change, every `interval`
    /// (jittered), with backoff while the backend is unreachable. Notices go to `sink`.
    pub fn start_sync(&self, interval: Duration, sink: SyncSink) -> Result<()> {
        self.sync.start(sink, interval)
    }

    /// Runs one sync cycle now and reports what moved.
    pub fn sync_now(&self) -> Result<SyncReport> {
        self.sync.cycle()
    }

    pub fn sync_status(&self) -> SyncStatus {
        self.sync.status()
    }

    /// Signs the agent in to the Supabase project in Settings (email and password); the refresh
    /// token goes to the keychain, the access token stays in memory.
    pub fn backend_sign_in(&self, email: &str, password: &str) -> Result<crate::ipc::Settings> {
        let email = email.trim();
        if email.is_empty() || password.is_empty() {
            return Err(IpcError::invalid("Enter the email and password of your CRM account."));
        }
        let url: Option<String> = self.store.read(|r| kv::get(r, BACKEND_URL))?;
        let url = url.filter(|u| u.starts_with("http")).ok_or_else(|| {
            IpcError::invalid("Set the backend URL to your Supabase project (https://<project>.supabase.co) first.")
        })?;
        let key = self
            .secrets
            .get(SecretKind::BackendKey)?
            .ok_or_else(|| IpcError::invalid("Enter the project's publishable (anon) key first."))?;
        let auth = SupabaseAuth::new(&url, key.expose()).map_err(sync_error)?;
        let (email_owned, password) = (email.to_string(), password.to_string());
        let session =
            self.provider.run(async move { auth.sign_in(&email_owned, &password).await }).map_err(|e| match e {
                SyncError::Auth(why) => IpcError::new(ErrorCode::Provider, format!("Sign-in refused: {why}.")),
                other => sync_error(other),
            })?;
        self.secrets.set(SecretKind::BackendSession, &Secret::new(session.refresh_token.clone()))?;
        let shown = session.email.clone().unwrap_or_else(|| email.to_string());
        self.store.write(|w| {
            kv::set(w, BACKEND_EMAIL, &shown)?;
            kv::set(w, BACKEND_USER, &session.user_id)?;
            Ok::<_, IpcError>(())
        })?;
        self.sync.reset();
        self.get_settings()
    }

    /// Signs out: the session leaves the keychain; local data and pending changes stay.
    pub fn backend_sign_out(&self) -> Result<crate::ipc::Settings> {
        self.secrets.delete(SecretKind::BackendSession)?;
        self.store.write(|w| {
            ringdesk_store::settings::delete(w, BACKEND_EMAIL)?;
            Ok::<_, IpcError>(())
        })?;
        self.sync.reset();
        self.get_settings()
    }

    /// Conflicts to resolve, oldest first, with the lead's name.
    pub fn sync_conflicts(&self) -> Result<Vec<crate::ipc::SyncConflict>> {
        let open = self.store.read(|r| replica::open_conflicts(r))?;
        Ok(open
            .into_iter()
            .map(|c| {
                let lead_name = self.store.read(|r| ringdesk_store::leads::get(r, &c.row_id)).ok().map(|l| l.name);
                crate::ipc::SyncConflict {
                    id: c.id,
                    lead_id: c.row_id,
                    lead_name,
                    field: c.field,
                    your_value: c.your_value,
                    server_value: c.server_value,
                    created_at: c.created_at,
                }
            })
            .collect())
    }

    /// Resolves a conflict: keep the backend's value, or apply the agent's again (a new change
    /// made on top of the backend's value, so it goes through).
    pub fn resolve_sync_conflict(&self, id: &str, keep_mine: bool) -> Result<Vec<crate::ipc::SyncConflict>> {
        let c = self.store.read(|r| replica::conflict(r, id))?;
        self.store.write(|w| {
            replica::resolve_conflict(w, id, if keep_mine { "use_mine" } else { "keep_server" })?;
            if keep_mine
                && c.field == "status"
                && c.table_name == "leads"
                && let Some(mine) = &c.your_value
            {
                ringdesk_store::leads::update(w, &c.row_id, &[ringdesk_store::leads::Change::Status(mine.clone())])?;
            }
            Ok::<_, IpcError>(())
        })?;
        self.sync_conflicts()
    }

    /// What replication could not take as it was, newest first.
    pub fn sync_issues(&self, limit: u32) -> Result<Vec<crate::ipc::SyncIssue>> {
        let issues = self.store.read(|r| replica::issues(r, limit.clamp(1, 1000)))?;
        Ok(issues
            .into_iter()
            .map(|i| crate::ipc::SyncIssue {
                id: i.id as f64,
                kind: if i.kind == "bad_row" { "badRow".into() } else { i.kind },
                table: i.table_name,
                row_id: i.row_id,
                message: i.message,
                created_at: i.created_at,
            })
            .collect())
    }

    pub fn clear_sync_issues(&self) -> Result<()> {
        self.store.write(replica::clear_issues)?;
        self.sync.reset();
        Ok(())
    }
}
