//! One sync cycle: push the outbox, then pull until caught up.
//!
//! Client identity: a UUIDv7 made once per database file (`sync_state.client_id`), and a base
//! subtracted from local outbox ids so the ids the backend sees start at 1 for every client id and
//! stay gapless. When the database turns out to be a copy (another desktop's file, a restored
//! backup: the backend has applied ids this file never issued, or the same id with other
//! contents) or the backend lost changes, the client id is rotated and the pending mutations are
//! renumbered from 1 under the new id. Rotation never drops anything: inserts are once-only by
//! UUID on the backend, and field updates are idempotent.

use ringdesk_core::phone::Region;
use ringdesk_store::replica::{self, Conflict, Incoming, Table};
use ringdesk_store::{Store, outbox};
use serde_json::{Map, Value as Json, json};

use crate::answers::{self, PullAnswer, PushAnswer};

use crate::{SyncError, Transport};

const START: &str = "0:0:00000000-0000-0000-0000-000000000000";

/// Tuning of a [`Syncer`].
#[derive(Debug, Clone, Copy)]
pub struct SyncerOptions {
    /// Mutations per push call.
    pub push_batch: u32,
    /// Rows per pull page.
    pub pull_page: u32,
    /// Pulled rows applied per local transaction (whole pages; at least one page).
    pub apply_batch: usize,
    /// The region of numbers written without a country code (pulled leads' phones).
    pub region: Region,
}

impl Default for SyncerOptions {
    fn default() -> Self {
        SyncerOptions { push_batch: 500, pull_page: 5000, apply_batch: 20_000, region: Region::US }
    }
}

/// Which half of a cycle is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Push,
    Pull,
}

/// How far a cycle has come, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    /// Known for a push (the queue) and for a first or full pull (the backend's lead count).
    pub total: Option<u64>,
}

/// What one cycle moved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub pushed: u64,
    pub rejected: u64,
    /// Local changes the backend kept its own value over (to resolve).
    pub conflicts: u64,
    pub pulled: u64,
    pub removed: u64,
    /// Backend rows stored only as far as valid.
    pub issues: u64,
    /// Pulled rows that had local changes still pending, re-applied on top.
    pub rebased: u64,
    /// A full resync ran (epoch change, or the cursor was older than the tombstone horizon).
    pub resynced: bool,
    /// The client id was rotated (copied or restored database, or the backend lost changes).
    pub rotated: bool,
    /// Mutations still waiting after the cycle.
    pub pending: i64,
    /// Time spent waiting for the backend (push and pull calls).
    pub backend_time: std::time::Duration,
    /// Time spent applying pulled pages to the local database.
    pub apply_time: std::time::Duration,
}

/// Runs sync cycles of one store over one transport.
#[derive(Debug)]
pub struct Syncer<T> {
    transport: std::sync::Arc<T>,
    options: SyncerOptions,
    /// The fingerprint of the last store synced (its file and machine do not change while the
    /// process runs, so it is read once, not every cycle).
    fingerprint: std::sync::Mutex<Option<(std::path::PathBuf, String)>>,
    /// When an idle pull last stored its advanced cursor.
    idle_cursor_saved: std::sync::Mutex<Option<std::time::Instant>>,
    /// When the backend last said who this agent is and whom they manage.
    identity_asked: std::sync::Mutex<Option<std::time::Instant>>,
}

/// How often an idle pull asks the backend who the agent is (a team's changes reach the desktop as
/// rows, and a pull that moved rows asks at once).
const IDENTITY_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

fn store_err(e: ringdesk_store::StoreError) -> SyncError {
    SyncError::from(e)
}

impl<T: Transport + 'static> Syncer<T> {
    pub fn new(transport: T, options: SyncerOptions) -> Syncer<T> {
        Syncer {
            transport: std::sync::Arc::new(transport),
            options,
            fingerprint: std::sync::Mutex::new(None),
            idle_cursor_saved: std::sync::Mutex::new(None),
            identity_asked: std::sync::Mutex::new(None),
        }
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Pushes every pending mutation, then pulls until caught up.
    pub async fn cycle(&self, store: &Store, progress: &(dyn Fn(Progress) + Send + Sync)) -> Result<Report, SyncError> {
        let mut report = Report::default();
        self.push(store, &mut report, progress).await?;
        self.pull(store, &mut report, progress).await?;
        self.learn_agent(store, &report).await?;
        report.pending = store.read(|r| outbox::pending_count(r)).map_err(store_err)?;
        Ok(report)
    }

    /// The push half of a cycle alone.
    pub async fn push_only(
        &self,
        store: &Store,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Report, SyncError> {
        let mut report = Report::default();
        self.push(store, &mut report, progress).await?;
        report.pending = store.read(|r| outbox::pending_count(r)).map_err(store_err)?;
        Ok(report)
    }

    /// The pull half of a cycle alone (changes made meanwhile stay queued and are re-applied on
    /// top of what arrives).
    pub async fn pull_only(
        &self,
        store: &Store,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Report, SyncError> {
        let mut report = Report::default();
        self.pull(store, &mut report, progress).await?;
        self.learn_agent(store, &report).await?;
        report.pending = store.read(|r| outbox::pending_count(r)).map_err(store_err)?;
        Ok(report)
    }

    /// The client id and mutation base of this database, made on first use.
    fn identity(&self, store: &Store, report: &mut Report) -> Result<(String, i64), SyncError> {
        let fingerprint = {
            let mut cached = self.fingerprint.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match cached.as_ref() {
                Some((path, fp)) if path == store.path() => fp.clone(),
                _ => {
                    let fp = fingerprint(store);
                    *cached = Some((store.path().to_path_buf(), fp.clone()));
                    fp
                }
            }
        };
        // The usual case, every cycle: a read, no write transaction.
        let known = store
            .read(|r| {
                Ok((
                    replica::state(r, "client_id")?,
                    replica::state(r, "fingerprint")?,
                    replica::state(r, "mutation_base")?.and_then(|b| b.parse().ok()).unwrap_or(0),
                ))
            })
            .map_err(store_err)?;
        let moved = known.1.as_deref().is_some_and(|f| f != fingerprint);
        if let (Some(id), false) = (known.0, moved) {
            return Ok((id, known.2));
        }
        if moved {
            tracing::info!("the database file moved or was copied: new sync client id");
            report.rotated = true;
        }
        store
            .write(|w| {
                let ids = rotate(w, moved)?;
                replica::set_state(w, "fingerprint", &fingerprint)?;
                Ok(ids)
            })
            .map_err(store_err)
    }

    async fn push(
        &self,
        store: &Store,
        report: &mut Report,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<(), SyncError> {
        let (mut client, mut base) = self.identity(store, report)?;
        let mut replay_through = store
            .read(|r| replica::state(r, "replay_through"))
            .map_err(store_err)?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        let total = store.read(|r| outbox::pending_count(r)).map_err(store_err)?;
        let total = u64::try_from(total).unwrap_or(0);
        let mut rotations = 0;
        loop {
            let batch = store.read(|r| outbox::pending(r, self.options.push_batch)).map_err(store_err)?;
            let (Some(first), Some(last)) = (batch.first(), batch.last()) else { return Ok(()) };
            let (first, last) = (first.mutation_id, last.mutation_id);
            let mutations: Vec<Json> = batch
                .iter()
                .map(|m| {
                    let mut j = json!({"id": m.mutation_id - base, "op": m.op, "table": m.table_name, "row_id": m.row_id,
                           "args": normalize_args(&m.table_name, &m.op, &m.row_id, &m.args)});
                    if m.mutation_id <= replay_through {
                        // Sent before under another client id: the backend may hold it and later
                        // changes on top, so it must not revert them.
                        j["replay"] = Json::Bool(true);
                    }
                    j
                })
                .collect();
            let t = std::time::Instant::now();
            let pushed = self.transport.push(&client, &Json::Array(mutations)).await;
            report.backend_time += t.elapsed();
            let answer = match pushed.and_then(|a| answers::read::<PushAnswer>("push", a)) {
                Ok(a) => a,
                Err(e @ (SyncError::Fork(_) | SyncError::Gap(_))) if rotations < 2 => {
                    tracing::warn!(error = %e, "rotating the sync client id");
                    (client, base) = store.write(|w| rotate(w, true)).map_err(store_err)?;
                    replay_through = store.read(|r| outbox::last_mutation_id(r)).map_err(store_err)?;
                    rotations += 1;
                    report.rotated = true;
                    continue;
                }
                Err(e) => {
                    let msg = e.to_string();
                    let _ = store.write(|w| replica::note_attempt(w, last, &msg));
                    return Err(e);
                }
            };
            let acked = answer.last_mutation_id;
            let acked_local = acked + base;
            let issued = store.read(|r| outbox::last_mutation_id(r)).map_err(store_err)?;
            if acked_local > issued && rotations < 2 {
                // The backend applied ids this file never issued: it is a restored or copied file.
                tracing::warn!(acked_local, issued, "the backend is ahead of this database: rotating the client id");
                (client, base) = store.write(|w| rotate(w, true)).map_err(store_err)?;
                replay_through = store.read(|r| outbox::last_mutation_id(r)).map_err(store_err)?;
                rotations += 1;
                report.rotated = true;
                continue;
            }
            let rejected: Vec<(i64, String)> = answer.rejected.into_iter().map(|r| (r.id + base, r.reason)).collect();
            report.rejected += rejected.len() as u64;
            report.conflicts += answer.conflicts;
            let acked_now = store
                .write(|w| {
                    for (id, reason) in &rejected {
                        replica::reject(w, *id, reason)?;
                    }
                    replica::ack_through(w, acked_local)
                })
                .map_err(store_err)?;
            report.pushed += acked_now + rejected.len() as u64;
            progress(Progress { phase: Phase::Push, done: report.pushed, total: Some(total) });
            if acked_local < first {
                return Err(SyncError::Malformed(format!(
                    "the backend acknowledged up to {acked} but mutations from {} were sent",
                    first - base
                )));
            }
            if acked_local < last {
                continue;
            }
        }
    }

    async fn pull(
        &self,
        store: &Store,
        report: &mut Report,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<(), SyncError> {
        let (cursor, mut epoch, mut resync_epoch, waiting) = store
            .read(|r| {
                Ok((
                    replica::state(r, "cursor")?.unwrap_or_else(|| START.to_string()),
                    replica::state(r, "epoch")?,
                    replica::state(r, "resync_epoch")?,
                    replica::has_waiting(r)?,
                ))
            })
            .map_err(store_err)?;
        let mut total = None;
        let mut resets = 0;
        // A fetcher task runs ahead of the local apply (a few pages, bounded), so the backend's
        // work and ours overlap. Pages are applied about `apply_batch` rows at a time, with the last
        // page's cursor, in one SQLite transaction: fewer commits (each flushes and merges the
        // search index and may checkpoint the WAL) make a large pull faster, and a crash still
        // leaves the rows and the cursor of the last applied batch together.
        let mut pages = self.fetch_ahead(cursor, resync_epoch.clone().or(epoch.clone()));
        let mut batch: Vec<Incoming> = Vec::new();
        loop {
            let t = std::time::Instant::now();
            let answer = match pages.recv().await {
                Some(page) => page?,
                None => return Err(SyncError::Unreachable("the page fetcher stopped".into())),
            };
            report.backend_time += t.elapsed();
            let mut answer = answer;
            let server_epoch = answer.epoch.clone();
            if answer.reset {
                if resets >= 2 {
                    return Err(SyncError::Malformed("the backend keeps asking for a full resync".into()));
                }
                resets += 1;
                batch.clear();
                tracing::info!("the backend asks for a full resync");
                store.write(|w| replica::begin_resync(w, &server_epoch)).map_err(store_err)?;
                resync_epoch = Some(server_epoch.clone());
                report.resynced = true;
                pages = self.fetch_ahead(START.to_string(), Some(server_epoch));
                continue;
            }
            if total.is_none() {
                total = answer.leads_total;
            }
            let next =
                answer.next.take().ok_or_else(|| SyncError::Malformed("pull answer without a next cursor".into()))?;
            let more = answer.more;
            let rows = std::mem::take(&mut answer.rows);
            batch.extend(read_rows(rows));
            if more && batch.len() < self.options.apply_batch {
                continue;
            }
            let items = std::mem::take(&mut batch);
            let resyncing = resync_epoch.is_some();
            let first_epoch = epoch.is_none() && !resyncing;
            let finishing_resync = resyncing && !more;
            // Evaluated last: it notes the save it allows.
            if items.is_empty() && !first_epoch && !finishing_resync && !waiting && self.idle_save_recent() {
                // Nothing arrived: the cursor moved past other agents' transactions, but the
                // stored one still finds everything, so an idle cycle writes nothing. It is stored
                // every few minutes so it stays ahead of the tombstone horizon.
                progress(Progress { phase: Phase::Pull, done: report.pulled, total });
                if !more {
                    return Ok(());
                }
                continue;
            }
            let region = self.options.region;
            let t = std::time::Instant::now();
            let done = store
                .write(|w| {
                    let mut applied = replica::apply_page(w, &items, &next, region, resyncing)?;
                    if first_epoch {
                        replica::set_state(w, "epoch", &server_epoch)?;
                    }
                    if !more {
                        // Caught up: rows still waiting for a parent will not get it in this pull.
                        let settled = replica::finish_pull(w, region, resyncing)?;
                        applied.rows += settled.rows;
                        applied.issues += settled.issues;
                        applied.rebased += settled.rebased;
                    }
                    let dropped = if resyncing && !more { replica::finish_resync(w)? } else { 0 };
                    Ok((applied, dropped))
                })
                .map_err(store_err)?;
            report.apply_time += t.elapsed();
            let (applied, dropped) = done;
            if first_epoch {
                epoch = Some(server_epoch.clone());
            }
            if resyncing && !more {
                epoch = resync_epoch.take();
            }
            report.pulled += applied.rows;
            report.removed += applied.removed + dropped;
            report.issues += applied.issues;
            report.rebased += applied.rebased;
            report.conflicts += applied.conflicts;
            progress(Progress { phase: Phase::Pull, done: report.pulled, total });
            if !more {
                return Ok(());
            }
        }
    }

    /// Whether an idle pull stored its cursor recently (else this one will, and it is noted).
    /// Asks the backend who this desktop's agent is and whom they manage (`sync.whoami`) after a
    /// pull: the first, one that brought or removed rows (a team change arrives that way), and
    /// else every [`IDENTITY_EVERY`]. The answer is kept in the sync state (`agent`, `manages`):
    /// the store tells the agent's own work from their team's by it. A backend without
    /// migration 5 has no `whoami`; the desktop then goes on without it.
    async fn learn_agent(&self, store: &Store, pulled: &Report) -> Result<(), SyncError> {
        {
            let asked = self.identity_asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let moved = pulled.pulled > 0 || pulled.removed > 0;
            if !moved && asked.is_some_and(|t| t.elapsed() < IDENTITY_EVERY) {
                return Ok(());
            }
        }
        let answer = match self.transport.whoami().await {
            Ok(a) => a,
            Err(e @ (SyncError::Unreachable(_) | SyncError::Auth(_))) => return Err(e),
            Err(e) => {
                tracing::info!(error = %e, "the backend does not say who the agent is (migration 5 missing?)");
                *self.identity_asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some(std::time::Instant::now());
                return Ok(());
            }
        };
        let agent = answer.get("agent").and_then(Json::as_str).filter(|a| !a.is_empty() && a.len() <= 256);
        let mut manages: Vec<&str> = answer
            .get("manages")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        manages.sort_unstable();
        let manages = Json::from(manages).to_string();
        if let Some(agent) = agent {
            // The usual answer is the one already kept: a read, no write transaction.
            let known = store
                .read(|r| Ok((replica::state(r, replica::AGENT)?, replica::state(r, replica::MANAGES)?)))
                .map_err(store_err)?;
            if known != (Some(agent.to_string()), Some(manages.clone())) {
                store
                    .write(|w| {
                        replica::set_state(w, replica::AGENT, agent)?;
                        replica::set_state(w, replica::MANAGES, &manages)
                    })
                    .map_err(store_err)?;
            }
        }
        *self.identity_asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(std::time::Instant::now());
        Ok(())
    }

    fn idle_save_recent(&self) -> bool {
        const EVERY: std::time::Duration = std::time::Duration::from_secs(600);
        let mut last = self.idle_cursor_saved.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match *last {
            Some(t) if t.elapsed() < EVERY => true,
            _ => {
                *last = Some(std::time::Instant::now());
                false
            }
        }
    }

    /// Fetches pages from `cursor` on, a few ahead of the caller, until the last page, a reset
    /// or an error (each sent on).
    fn fetch_ahead(
        &self,
        mut cursor: String,
        epoch: Option<String>,
    ) -> tokio::sync::mpsc::Receiver<Result<PullAnswer, SyncError>> {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let transport = self.transport.clone();
        let limit = self.options.pull_page;
        tokio::spawn(async move {
            loop {
                let page = transport
                    .pull(&cursor, epoch.as_deref(), limit)
                    .await
                    .and_then(|a| answers::read::<PullAnswer>("pull", a));
                let next = match &page {
                    Ok(a) if !a.reset && a.more => a.next.clone(),
                    _ => None,
                };
                if tx.send(page).await.is_err() {
                    return;
                }
                match next {
                    Some(n) => cursor = n,
                    None => return,
                }
            }
        });
        rx
    }
}

/// A new client id; pending mutations are numbered from 1 under it.
/// A new client id; the pending mutations are renumbered from 1 under it. With `replay` (every
/// rotation but a new database's first) they are marked as replays (`replay_through`): the
/// backend may hold them already, under the old id, with later changes on top that a replay must
/// not revert.
fn rotate(w: &mut ringdesk_store::Write<'_>, replay: bool) -> ringdesk_store::Result<(String, i64)> {
    let id = uuid::Uuid::now_v7().to_string();
    let last = outbox::last_mutation_id(w)?;
    let base = match replica::first_pending(w)? {
        Some(first) => first - 1,
        None => last,
    };
    replica::set_state(w, "client_id", &id)?;
    replica::set_state(w, "mutation_base", &base.to_string())?;
    if replay {
        replica::set_state(w, "replay_through", &last.to_string())?;
    }
    Ok((id, base))
}

/// Identifies this database file on this machine, so a copy elsewhere is noticed.
fn fingerprint(store: &Store) -> String {
    let machine = ["/etc/machine-id", "/var/lib/dbus/machine-id"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let path = std::fs::canonicalize(store.path()).unwrap_or_else(|_| store.path().to_path_buf());
    format!("{machine}:{}", path.display())
}

/// Older outbox entries of call logs carried `[id, call]`; the backend wants one object.
fn normalize_args(table: &str, op: &str, row_id: &str, args: &Json) -> Json {
    if table == "call_logs"
        && op == "insert"
        && let Some([_, Json::Object(call)]) = args.as_array().map(Vec::as_slice)
    {
        let mut obj = call.clone();
        obj.insert("id".into(), Json::String(row_id.to_string()));
        return Json::Object(obj);
    }
    args.clone()
}

pub(crate) fn read_rows(rows: Vec<Json>) -> Vec<Incoming> {
    let mut out = Vec::with_capacity(rows.len());
    for item in rows {
        let Json::Array(mut pair) = item else {
            tracing::warn!("a pulled item is not [rank, row]; skipped");
            continue;
        };
        let d = pair.pop();
        let (Some(rank), Some(Json::Object(d))) = (pair.first().and_then(Json::as_i64), d) else {
            tracing::warn!("a pulled item is not [rank, row]; skipped");
            continue;
        };
        let named = |d: &Map<String, Json>| -> Option<(Table, String)> {
            let table = Table::from_backend(d.get("tbl")?.as_str()?)?;
            Some((table, d.get("row_id")?.as_str()?.to_string()))
        };
        match rank {
            1..=12 => {
                if let Some(table) = Table::from_rank(rank) {
                    out.push(Incoming::Row { table, row: d });
                }
            }
            13 => {
                if let Some((table, row_id)) = named(&d) {
                    out.push(Incoming::Revoke { table, row_id });
                }
            }
            14 => {
                if let Some((table, row_id)) = named(&d) {
                    out.push(Incoming::Tombstone { table, row_id });
                }
            }
            15 => {
                let text = |k: &str| d.get(k).and_then(Json::as_str).map(str::to_string);
                let table = text("tbl").and_then(|t| Table::from_backend(&t)).map(|t| t.local().to_string());
                if let (Some(id), Some(table_name), Some(row_id), Some(field)) =
                    (text("id"), table, text("row_id"), text("field"))
                {
                    let ts =
                        |k: &str| text(k).and_then(|t| ringdesk_store::parse_ts(&t)).map(ringdesk_store::format_ts);
                    out.push(Incoming::Conflict(Conflict {
                        id,
                        table_name,
                        row_id,
                        field,
                        your_value: text("client_new"),
                        server_value: text("server_value"),
                        created_at: ts("created_at").unwrap_or_default(),
                        resolved_at: ts("resolved_at"),
                        resolution: text("resolution"),
                    }));
                }
            }
            other => tracing::warn!(rank = other, "a pulled item of an unknown kind; skipped"),
        }
    }
    out
}
