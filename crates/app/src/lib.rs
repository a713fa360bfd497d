//! Ringdesk's application facade: one function per user action.
//!
//! The desktop shell (`src-tauri`) and `ringdesk-cli` both call [`App`]; neither holds logic of its
//! own. This crate owns the IPC types ([`ipc`], the only types that cross to the UI), the error the
//! UI sees ([`IpcError`], `{code, message}`), the OS keychain ([`keychain`]) and CSV import/export
//! ([`csv_io`]). It reads and writes the local database only through `ringdesk-store` and leaves
//! phone-number rules to `ringdesk-core`. Functions are synchronous; the shell runs them off the
//! UI thread.

mod agents;
mod bridge;
mod calling;
pub mod commands;
pub mod csv_io;
mod dialable;
mod error;
pub mod files;
pub mod ipc;
pub mod keychain;
mod keys;
mod messaging;
mod realtime;
mod recordings;
mod reminders;
mod settings;
mod sync;
mod workflow;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ringdesk_core::{PhoneNumber, Region, TelUri};
use ringdesk_store::{Store, leads, lists};

pub use calling::{CallSink, PhoneOptions};
pub use error::{ErrorCode, IpcError, Result};
use ipc::*;
use keychain::{Secret, SecretStore};
pub use realtime::{NoticeSink, RealtimeHandle, RealtimeOptions};
pub use reminders::{ReminderSink, RemindersHandle};
/// Add to every log filter (see its doc): SIP messages in logs would carry SRTP keys.
pub use ringdesk_voice::SIP_STACK_LOG_GUARD;
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
        Ok(App {
            sync,
            phone: std::sync::Mutex::new(None),
            opened_at: std::time::Instant::now(),
            store,
            secrets,
            import_cancel: AtomicBool::new(false),
            provider,
            recording_cache,
            link_dials: (std::sync::Mutex::new(None), options.link_auto_dial_gap.unwrap_or(LINK_AUTO_DIAL_GAP)),
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
        let lead_count = self.store.read(|r| leads::count(r))?;
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

    /// The UI reports its first interactive paint; logged once as `window interactive`, which
    /// the cold-start benchmark waits for.
    pub fn ui_ready(&self) {
        tracing::info!(since_open_ms = self.opened_at.elapsed().as_millis() as u64, "window interactive");
    }

    fn region(&self) -> Result<Region> {
        settings::region(&self.store)
    }

    // ----- leads -----

    pub fn list_leads(&self, query: &LeadQuery) -> Result<LeadPage> {
        let region = self.region()?;
        let sort = match query.sort.field {
            LeadSortField::Name => leads::SortField::Name,
            LeadSortField::Company => leads::SortField::Company,
            LeadSortField::Status => leads::SortField::Status,
            LeadSortField::LastContact => leads::SortField::LastContact,
            LeadSortField::CreatedAt => leads::SortField::CreatedAt,
            LeadSortField::Value => leads::SortField::Value,
        };
        let q = leads::PageQuery {
            search: query.search.as_deref(),
            list_id: query.list_id.as_deref(),
            sort,
            descending: query.sort.descending,
            offset: query.offset,
            limit: query.limit.clamp(1, 500),
        };
        let (rows, total) = self.store.read(|r| leads::page(r, &q))?;
        Ok(LeadPage {
            rows: rows.into_iter().map(|l| summary(l, region)).collect(),
            total: total as u32,
            offset: query.offset,
        })
    }

    pub fn get_lead(&self, id: &str) -> Result<Lead> {
        let region = self.region()?;
        let (lead, list_ids) = self.store.read(|r| {
            let lead = leads::get(r, id)?;
            Ok((lead, lists::of_lead(r, id)?))
        })?;
        if lead.deleted_at.is_some() {
            return Err(IpcError::new(ErrorCode::NotFound, format!("Lead {id} was deleted.")));
        }
        Ok(full_lead(lead, list_ids, region))
    }

    /// Applies an edit; every field is validated before anything is written.
    pub fn update_lead(&self, id: &str, patch: &LeadPatch) -> Result<Lead> {
        let region = self.region()?;
        let changes = settings::lead_changes(patch, region)?;
        self.store.write(|w| leads::update(w, id, &changes).map(|_| ()))?;
        self.get_lead(id)
    }

    /// Creates a lead from the fields given (a name is required), validated like an edit: from
    /// an unknown number in a conversation or a call, or by hand.
    pub fn create_lead(&self, fields: &LeadPatch) -> Result<Lead> {
        if fields.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(IpcError::invalid("A lead needs a name."));
        }
        let region = self.region()?;
        let mut new = leads::NewLead::default();
        for change in settings::lead_changes(fields, region)? {
            match change {
                leads::Change::Name(v) => new.name = v,
                leads::Change::Status(v) => new.status = Some(v),
                leads::Change::Value(v) => new.value = v,
                leads::Change::Phone { raw, e164 } => {
                    new.phone = raw;
                    new.phone_e164 = e164;
                }
                leads::Change::Text(col, v) => match col {
                    leads::TextColumn::Email => new.email = v,
                    leads::TextColumn::Company => new.company = v,
                    leads::TextColumn::Position => new.position = v,
                    leads::TextColumn::Source => new.source = v,
                    leads::TextColumn::Notes => new.notes = v,
                    leads::TextColumn::Timezone => new.timezone = v,
                },
            }
        }
        let phone = new.phone_e164.clone();
        let id = self.store.write(|w| {
            let lead = leads::insert(w, &new)?;
            // Texts already exchanged with this number now belong to the lead.
            if let Some(e164) = &phone {
                ringdesk_store::sms::link_lead(w, e164, &lead.id)?;
            }
            Ok::<_, IpcError>(lead.id)
        })?;
        self.get_lead(&id)
    }

    pub fn list_lists(&self) -> Result<Vec<LeadList>> {
        let all = self.store.read(|r| lists::all(r))?;
        Ok(all.into_iter().map(list_dto).collect())
    }

    pub fn create_list(&self, name: &str, description: Option<&str>) -> Result<LeadList> {
        let name = name.trim();
        if name.is_empty() {
            return Err(IpcError::invalid("A list needs a name."));
        }
        let description = description.map(str::trim).filter(|d| !d.is_empty());
        let id = self.store.write(|w| lists::create(w, name, description))?;
        Ok(list_dto(self.store.read(|r| lists::get(r, &id))?))
    }

    // ----- CSV -----

    pub fn preview_import(&self, path: &str) -> Result<ImportPreview> {
        csv_io::preview(Path::new(path))
    }

    /// Imports leads; see [`csv_io::import`]. Only one import runs at a time per app.
    pub fn import_leads(
        &self,
        request: &ImportRequest,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport> {
        self.import_cancel.store(false, Ordering::SeqCst);
        csv_io::import(&self.store, self.region()?, request, &self.import_cancel, progress)
    }

    /// Asks a running import to stop; it rolls back and reports `cancelled`.
    pub fn cancel_import(&self) {
        self.import_cancel.store(true, Ordering::SeqCst);
    }

    pub fn export_leads(&self, path: &str, list_id: Option<&str>) -> Result<ExportReport> {
        csv_io::export(&self.store, Path::new(path), list_id)
    }

    // ----- settings and secrets -----

    pub fn get_settings(&self) -> Result<Settings> {
        settings::get(&self.store, self.secrets.as_ref())
    }

    pub fn update_settings(&self, update: &SettingsUpdate) -> Result<Settings> {
        settings::update(&self.store, update)?;
        if update.audio_input.is_some() || update.audio_output.is_some() {
            self.apply_audio_choice()?;
        }
        self.sync.reset();
        self.get_settings()
    }

    /// Saves a secret to the OS keychain; the value is never stored elsewhere or returned.
    pub fn set_secret(&self, kind: SecretKind, value: &str) -> Result<Settings> {
        let value = value.trim();
        if value.is_empty() {
            return Err(IpcError::invalid("The secret is empty; use Remove to delete it."));
        }
        if kind == SecretKind::BackendSession {
            return Err(IpcError::invalid("The backend session comes from signing in, not from a value."));
        }
        self.secrets.set(kind, &Secret::new(value))?;
        self.sync.reset();
        self.get_settings()
    }

    pub fn clear_secret(&self, kind: SecretKind) -> Result<Settings> {
        self.secrets.delete(kind)?;
        self.sync.reset();
        self.get_settings()
    }

    pub fn list_regions(&self) -> Vec<ipc::Region> {
        ringdesk_core::phone::common_regions()
            .into_iter()
            .map(|r| ipc::Region {
                code: r.region.code().to_string(),
                name: r.name.to_string(),
                calling_code: u32::from(r.region.calling_code().unwrap_or(0)),
            })
            .collect()
    }

    // ----- dialer -----

    /// Normalizes what the agent typed or pasted (a number or a `tel:` link) and finds its lead.
    /// Reads a link the operating system handed over (`tel:...`, `ringdesk://dial?to=...`): the
    /// number to fill in and the lead to select (the link's lead id if it exists here, else the
    /// lead with that number). A malformed link is an error that says what is wrong.
    pub fn open_link(&self, link: &str) -> Result<LinkTarget> {
        let region = self.region()?;
        let parsed = ringdesk_core::parse_link(link).map_err(|e| IpcError::invalid(capitalize(&e.to_string())))?;
        let number = if parsed.number.to_ascii_lowercase().starts_with("tel:") {
            TelUri::parse(&parsed.number)
                .map_err(|e| e.to_string())
                .and_then(|t| t.phone_number(region).map_err(|e| e.to_string()))
        } else {
            PhoneNumber::parse(&parsed.number, region).map_err(|e| e.to_string())
        }
        .map_err(|e| IpcError::invalid(format!("The link's number {:?}: {e}.", parsed.number)))?;
        let by_id = match &parsed.lead_id {
            Some(id) => self.store.read(|r| leads::get(r, id)).ok().filter(|l| l.deleted_at.is_none()),
            None => None,
        };
        // A link names the number it dials; a lead id that does not own that number would log
        // the call against (and check Do Not Call on) someone else.
        if let Some(l) = &by_id
            && l.phone_e164.as_deref() != Some(number.e164())
        {
            return Err(IpcError::invalid(format!(
                "This link's number {} is not {}'s number, so Ringdesk did not open it. Open the number or the lead on its own.",
                number.display(region),
                l.name
            )));
        }
        let by_id = by_id.map(|l| l.id);
        let lead = match by_id {
            Some(id) => self.store.read(|r| leads::summary_by_id(r, &id))?,
            None => self.store.read(|r| leads::find_by_phone(r, number.e164()))?,
        };
        // Read without the keychain: a link must open even when the keychain is locked.
        let (auto_dial, held) = match settings::calls(&self.store)?.2 {
            true => match self.claim_link_dial() {
                Ok(()) => (true, None),
                Err(wait) => (
                    false,
                    Some(format!(
                        "Another link dialed by itself moments ago, so this one waits for you: press Dial to call (links dial by themselves at most once every {} s; again in {} s).",
                        self.link_dials.1.as_secs().max(1),
                        wait.as_secs() + 1
                    )),
                ),
            },
            false => (false, None),
        };
        Ok(LinkTarget {
            e164: number.e164().to_string(),
            display: number.display(region),
            lead: lead.map(|l| summary(l, region)),
            name: parsed.name,
            auto_dial,
            countdown_seconds: if auto_dial { LINK_AUTO_DIAL_COUNTDOWN_SECONDS } else { 0 },
            held,
        })
    }

    /// Takes the one auto-dial a link may have per gap; else how long until the next one may.
    fn claim_link_dial(&self) -> std::result::Result<(), std::time::Duration> {
        let mut last = self.link_dials.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = std::time::Instant::now();
        if let Some(at) = *last {
            let since = now.duration_since(at);
            if since < self.link_dials.1 {
                return Err(self.link_dials.1 - since);
            }
        }
        *last = Some(now);
        Ok(())
    }

    pub fn lookup_number(&self, input: &str) -> Result<NumberLookup> {
        let region = self.region()?;
        let parsed = if input.trim_start().get(..4).is_some_and(|s| s.eq_ignore_ascii_case("tel:")) {
            TelUri::parse(input)
                .map_err(|e| e.to_string())
                .and_then(|t| t.phone_number(region).map_err(|e| e.to_string()))
        } else {
            PhoneNumber::parse(input, region).map_err(|e| e.to_string())
        };
        match parsed {
            Ok(number) => {
                let lead = self.store.read(|r| leads::find_by_phone(r, number.e164()))?;
                Ok(NumberLookup {
                    e164: Some(number.e164().to_string()),
                    display: Some(number.display(region)),
                    error: None,
                    lead: lead.map(|l| summary(l, region)),
                })
            }
            Err(reason) => Ok(NumberLookup { e164: None, display: None, error: Some(capitalize(&reason)), lead: None }),
        }
    }
}

impl App {
    // ----- messaging -----

    fn signalwire(&self) -> Result<ringdesk_signalwire::Client> {
        self.provider.client(&self.store, self.secrets.as_ref())
    }

    /// Segments and characters of a draft, for the compose box.
    pub fn sms_segments(&self, body: &str) -> SmsSegments {
        messaging::segments_of(body)
    }

    /// Sends a text exactly once. It is stored before it is sent; when SignalWire cannot be
    /// reached it stays `sending` and [`App::sync_sms`] finishes it.
    pub fn send_sms(&self, req: &SendSms) -> Result<SmsMessage> {
        ringdesk_signalwire::sms::validate_body(&req.body)?;
        let region = self.region()?;
        let to = PhoneNumber::parse(req.to.trim(), region)
            .map_err(|e| IpcError::invalid(format!("To {:?}: {e}.", req.to)))?
            .e164()
            .to_string();
        let client = self.signalwire()?;
        let from = messaging::choose_from(&self.store, &self.provider, &client, &to, req.from.as_deref(), region)?;
        let intent = self.store.write(|w| ringdesk_store::sms::insert_outbound(w, &from, &to, &req.body))?;
        messaging::send_stored(&self.store, &self.provider, &client, intent)
    }

    /// Conversations, most recent first.
    pub fn sms_threads(&self, search: Option<&str>) -> Result<Vec<SmsThread>> {
        let region = self.region()?;
        let rows = self.store.read(|r| ringdesk_store::sms::threads(r, search, 500))?;
        Ok(rows.into_iter().map(|t| messaging::thread_dto(t, region)).collect())
    }

    /// The newest `limit` messages with `contact` (oldest first), or those before a message.
    pub fn sms_thread(
        &self,
        contact: &str,
        before_created_at: Option<&str>,
        before_id: Option<&str>,
        limit: u32,
    ) -> Result<SmsThreadPage> {
        let limit = limit.clamp(1, 1000);
        let before = before_created_at.zip(before_id);
        let mut rows = self.store.read(|r| ringdesk_store::sms::thread(r, contact, before, limit + 1))?;
        let has_more = rows.len() > limit as usize;
        if has_more {
            rows.remove(0);
        }
        Ok(SmsThreadPage {
            contact_number: contact.to_string(),
            messages: rows.into_iter().map(messaging::message_dto).collect(),
            has_more,
        })
    }

    /// Marks a conversation read; returns how many messages were unread.
    pub fn mark_sms_read(&self, contact: &str) -> Result<u32> {
        Ok(self.store.write(|w| ringdesk_store::sms::mark_read(w, contact))? as u32)
    }

    /// Unread inbound messages, for the navigation badge.
    pub fn sms_unread_count(&self) -> Result<u32> {
        Ok(self.store.read(|r| ringdesk_store::sms::unread_count(r))?.max(0) as u32)
    }

    /// One round with SignalWire: pending sends confirmed or sent, statuses refreshed, inbound
    /// messages caught up (each stored once).
    pub fn sync_sms(&self) -> Result<SmsSyncReport> {
        let client = self.signalwire()?;
        messaging::settle(&self.store, &self.provider, &client)
    }

    // ----- phone numbers -----

    pub fn search_numbers(&self, q: &NumberQuery) -> Result<Vec<NumberOffer>> {
        let region = self.region()?;
        let client = self.signalwire()?;
        let search = ringdesk_signalwire::NumberSearch {
            country: q.country.clone().unwrap_or_else(|| region.code().to_string()),
            area_code: q.area_code.clone().filter(|s| !s.trim().is_empty()),
            contains: q.contains.clone().filter(|s| !s.trim().is_empty()),
            region: q.region.clone().filter(|s| !s.trim().is_empty()),
            locality: q.locality.clone().filter(|s| !s.trim().is_empty()),
            toll_free: q.toll_free,
        };
        let found = self.provider.run(async move { client.search_numbers(&search).await })?;
        Ok(found.into_iter().map(|n| messaging::offer_dto(n, region)).collect())
    }

    /// Buys a number (exactly once, even if the answer is lost on the way).
    pub fn buy_number(&self, phone_number: &str) -> Result<OwnedNumberInfo> {
        let region = self.region()?;
        let e164 = PhoneNumber::parse(phone_number, region)
            .map_err(|e| IpcError::invalid(format!("{phone_number:?}: {e}.")))?
            .e164()
            .to_string();
        let client = self.signalwire()?;
        let routing = ringdesk_signalwire::NumberRouting::default();
        let bought = self.provider.run(async move { client.buy_number_once(&e164, &routing).await })?;
        Ok(messaging::owned_dto(bought, region))
    }

    pub fn list_numbers(&self) -> Result<Vec<OwnedNumberInfo>> {
        let region = self.region()?;
        let client = self.signalwire()?;
        let owned = self.provider.run(async move { client.list_numbers(None).await })?;
        Ok(owned.into_iter().map(|n| messaging::owned_dto(n, region)).collect())
    }

    pub fn route_number(&self, sid: &str, update: &NumberRoutingUpdate) -> Result<OwnedNumberInfo> {
        let region = self.region()?;
        let client = self.signalwire()?;
        let routing = ringdesk_signalwire::NumberRouting {
            friendly_name: update.friendly_name.clone(),
            voice_url: update.voice_url.clone(),
            sms_url: update.sms_url.clone(),
        };
        let sid = sid.to_string();
        let n = self.provider.run(async move { client.update_number(&sid, &routing).await })?;
        Ok(messaging::owned_dto(n, region))
    }

    // ----- bridge calls -----

    /// Calls through SignalWire: the agent's own phone rings first, then the lead is dialled
    /// with the caller ID (recorded if asked).
    pub fn start_bridge_call(&self, req: &BridgeCallRequest) -> Result<BridgeCallInfo> {
        let region = self.region()?;
        let client = self.signalwire()?;
        let lead = PhoneNumber::parse(req.to.trim(), region)
            .map_err(|e| IpcError::invalid(format!("The lead's number {:?}: {e}.", req.to)))?;
        let lead_id = self.lead_to_dial(req.lead_id.as_deref(), Some(lead.e164()), req.override_dnc)?;
        let caller_id = match req.caller_id.as_deref().filter(|c| !c.trim().is_empty()) {
            Some(c) => c.to_string(),
            None => messaging::choose_from(&self.store, &self.provider, &client, lead.e164(), None, region)?,
        };
        bridge::start(&self.store, &self.provider, &client, region, caller_id, req, lead_id)
    }

    /// A bridge call as SignalWire reports it now.
    pub fn bridge_call_status(&self, sid: &str) -> Result<BridgeCallInfo> {
        let client = self.signalwire()?;
        let sid = sid.to_string();
        let call = self.provider.run(async move { client.get_call(&sid).await })?;
        let log = bridge::log_status(&self.store, &call)?;
        let agent = call.to.clone();
        Ok(bridge::info(call, agent, log))
    }

    /// Ends a bridge call (cancels it while it rings).
    pub fn hang_up_bridge_call(&self, sid: &str) -> Result<BridgeCallInfo> {
        let client = self.signalwire()?;
        let sid = sid.to_string();
        let call = self.provider.run(async move {
            let now = client.get_call(&sid).await?;
            let ringing = matches!(
                now.status,
                ringdesk_signalwire::model::CallStatus::Queued | ringdesk_signalwire::model::CallStatus::Ringing
            );
            if now.status.is_final() {
                return Ok(now);
            }
            client.hang_up_call(&sid, ringing).await
        })?;
        let log = bridge::log_status(&self.store, &call)?;
        let agent = call.to.clone();
        Ok(bridge::info(call, agent, log))
    }

    // ----- AI agents and voice clones -----

    /// The AI agents as last pulled from SignalWire.
    pub fn ai_agents(&self) -> Result<Vec<AiAgentInfo>> {
        Ok(self.store.read(|r| ringdesk_store::agents::all(r))?.into_iter().map(agents::agent_dto).collect())
    }

    /// Pulls the project's AI agents and which number each answers.
    pub fn sync_ai_agents(&self) -> Result<Vec<AiAgentInfo>> {
        let client = self.signalwire()?;
        agents::sync(&self.store, &self.provider, &client)
    }

    /// Sends one of the project's numbers' calls to an AI agent.
    pub fn assign_ai_agent(&self, agent_id: &str, phone_number: &str) -> Result<Vec<AiAgentInfo>> {
        let region = self.region()?;
        let client = self.signalwire()?;
        agents::assign(&self.store, &self.provider, &client, region, agent_id, phone_number)
    }

    pub fn voice_clones(&self) -> Result<Vec<VoiceCloneInfo>> {
        Ok(self.store.read(|r| ringdesk_store::agents::clones(r))?.into_iter().map(agents::clone_dto).collect())
    }

    pub fn add_voice_clone(&self, new: &NewVoiceClone) -> Result<VoiceCloneInfo> {
        agents::add_clone(&self.store, new)
    }

    /// Records where a clone's import to SignalWire stands (requested from Support, imported…).
    pub fn set_voice_clone_import(&self, id: &str, status: &str) -> Result<VoiceCloneInfo> {
        agents::set_import_status(&self.store, id, status)
    }

    // ----- SIP line from SignalWire -----

    /// The SignalWire project's SIP endpoints.
    pub fn list_sip_endpoints(&self) -> Result<Vec<SipEndpointInfo>> {
        let client = self.signalwire()?;
        let all = self.provider.run(async move { client.list_sip_endpoints().await })?;
        Ok(all
            .into_iter()
            .map(|e| SipEndpointInfo {
                send_as: e.send_as_number().map(str::to_owned),
                id: e.id,
                username: e.username,
                caller_id: e.caller_id,
                encryption: e.encryption,
            })
            .collect())
    }

    /// Creates SIP credentials in SignalWire with a generated password and makes them this
    /// desktop's SIP account: registrar (the project's SIP domain, TLS), username, and the
    /// password in the keychain. The password is never shown.
    pub fn provision_sip_line(&self, req: &ProvisionSipLine) -> Result<Settings> {
        let region = self.region()?;
        // Unless the request names one, the new line sends as the caller ID in Settings.
        let (_, caller_id, _) = settings::calls(&self.store)?;
        let send_as = match req
            .send_as
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .or(Some(caller_id.as_str()).filter(|c| !c.is_empty()))
        {
            Some(n) => Some(
                PhoneNumber::parse(n, region)
                    .map_err(|e| IpcError::invalid(format!("Send as {n:?}: {e}.")))?
                    .e164()
                    .to_string(),
            ),
            None => None,
        };
        let mut raw = [0u8; 24];
        getrandom::fill(&mut raw)
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("No randomness for a password: {e}")))?;
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        let password: String = raw.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
        let client = self.signalwire()?;
        let new = ringdesk_signalwire::native::NewSipEndpoint {
            username: req.username.trim().to_string(),
            password: password.clone(),
            caller_id: None,
            send_as,
        };
        let (endpoint, profile) = self.provider.run(async move {
            let endpoint = client.create_sip_endpoint(&new).await?;
            let profile = client.sip_profile().await?;
            Ok::<_, ringdesk_signalwire::Error>((endpoint, profile))
        })?;
        // The endpoint exists now: keep its password before anything else can fail.
        self.secrets.set(SecretKind::SipPassword, &Secret::new(password))?;
        let registrar = profile.registrar().ok_or_else(|| {
            IpcError::new(
                ErrorCode::Provider,
                "SignalWire's SIP profile names no SIP domain: set one in the SignalWire dashboard (SIP → Settings), then try again.",
            )
        })?;
        self.update_settings(&SettingsUpdate {
            sip_registrar: Some(format!("{registrar}:5061")),
            sip_username: Some(endpoint.username),
            sip_transport: Some(SipTransport::Tls),
            ..SettingsUpdate::default()
        })
    }

    /// Makes softphone calls show the caller ID in Settings, as bridge calls do: sets the
    /// `send_as` of the SignalWire SIP endpoint this desktop registers as ("Automatic" leaves it
    /// to SignalWire). A SIP line that is not one of the project's endpoints gets `NotFound`: its
    /// provider sets the caller ID.
    pub fn apply_softphone_caller_id(&self) -> Result<ipc::SoftphoneCallerId> {
        let username = settings::get(&self.store, self.secrets.as_ref())?.sip_username;
        if username.is_empty() {
            return Err(IpcError::new(ErrorCode::NotConfigured, "Set up your SIP line in Settings first."));
        }
        let (_, caller_id, _) = settings::calls(&self.store)?;
        let send_as = (!caller_id.is_empty()).then_some(caller_id);
        let client = self.signalwire()?;
        let wanted = username.clone();
        let endpoint = self.provider.run(async move {
            match client.list_sip_endpoints().await?.into_iter().find(|e| e.username == wanted) {
                Some(e) => client.set_sip_endpoint_send_as(&e.id, send_as.as_deref()).await.map(Some),
                None => Ok(None),
            }
        })?;
        let e = endpoint.ok_or_else(|| {
            IpcError::new(
                ErrorCode::NotFound,
                format!(
                    "Your SIP username {username:?} is not one of this SignalWire project's SIP endpoints, \
                     so your SIP provider sets the caller ID of softphone calls."
                ),
            )
        })?;
        Ok(ipc::SoftphoneCallerId { send_as: e.send_as_number().map(str::to_owned), endpoint_username: e.username })
    }

    // ----- recordings -----

    /// The call's recordings as stored.
    pub fn call_recordings(&self, call_log_id: &str) -> Result<Vec<CallRecordingInfo>> {
        Ok(self
            .store
            .read(|r| ringdesk_store::recordings::for_call(r, call_log_id))?
            .into_iter()
            .map(recordings::dto)
            .collect())
    }

    /// Pulls the call's recordings from SignalWire; returns them all.
    pub fn sync_call_recordings(&self, call_log_id: &str) -> Result<Vec<CallRecordingInfo>> {
        let client = self.signalwire()?;
        recordings::sync_for_call(&self.store, &self.provider, &client, call_log_id)
    }

    /// The Recordings page: recordings grouped by contact (the lead, else the number), the
    /// contact with the newest recording first.
    pub fn recordings_library(&self, q: &ipc::RecordingQuery) -> Result<Vec<ipc::RecordingGroup>> {
        let region = self.region()?;
        let parse = |field: &str, t: &Option<String>| {
            t.as_deref().filter(|v| !v.trim().is_empty()).map(|v| workflow::parse_time(field, v)).transpose()
        };
        let (from, to) = (parse("From", &q.from)?, parse("To", &q.to)?);
        let limit = q.limit.unwrap_or(200).clamp(1, 1000);
        let rows = self.store.read(|r| {
            ringdesk_store::recordings::library(r, q.text.as_deref(), from.as_deref(), to.as_deref(), limit)
        })?;
        Ok(recordings::group(rows, region))
    }

    /// Pulls the recordings of the last `days` days (at most 90) from SignalWire and links each
    /// to its logged call; recordings of calls this desktop never logged are counted, not stored.
    pub fn sync_recordings(&self, days: u32) -> Result<ipc::RecordingSyncReport> {
        let client = self.signalwire()?;
        recordings::sync_recent(&self.store, &self.provider, &client, days.clamp(1, 90))
    }

    /// The recording's audio on this machine, downloaded when it is not cached.
    pub fn fetch_recording(&self, id: &str) -> Result<RecordingFile> {
        let client = self.signalwire()?;
        let (dir, cap) = &self.recording_cache;
        recordings::fetch(&self.store, &self.provider, &client, dir, *cap, id)
    }

    /// Routes one of the project's numbers to this desktop: texts to the RELAY context Ringdesk
    /// listens on, and calls to this desktop's SIP account when it is a SignalWire SIP endpoint.
    pub fn route_number_to_ringdesk(&self, phone_number: &str) -> Result<NumberHandling> {
        use ringdesk_signalwire::native::CallRoute;
        let region = self.region()?;
        let e164 = PhoneNumber::parse(phone_number, region)
            .map_err(|e| IpcError::invalid(format!("{phone_number:?}: {e}.")))?
            .e164()
            .to_string();
        let username = settings::get(&self.store, self.secrets.as_ref())?.sip_username;
        let context = RealtimeOptions::default().context;
        let client = self.signalwire()?;
        let (number, endpoint) = self.provider.run(async move {
            let numbers = client.list_native_numbers().await?;
            let Some(n) = numbers.into_iter().find(|n| n.number == e164) else {
                return Err(ringdesk_signalwire::Error::Invalid(format!(
                    "{e164} is not one of the project's numbers."
                )));
            };
            let endpoint = if username.is_empty() {
                None
            } else {
                client.list_sip_endpoints().await?.into_iter().find(|e| e.username == username)
            };
            let calls = endpoint.as_ref().map(|e| CallRoute::SipEndpoint { endpoint_id: e.id.clone() });
            let routed = client.route_native_number(&n.id, calls.as_ref(), Some(&context)).await?;
            Ok((routed, endpoint))
        })?;
        Ok(NumberHandling {
            texts_to_ringdesk: number.texts_to(RealtimeOptions::default().context.as_str()),
            phone_number: number.number,
            calls_to_softphone: endpoint.is_some_and(|e| number.call_sip_endpoint_id.as_deref() == Some(e.id.as_str())),
            call_handler: number.call_handler,
        })
    }

    /// Deletes a call's recording at SignalWire and here (its cached audio too).
    pub fn delete_recording(&self, id: &str) -> Result<()> {
        let client = self.signalwire()?;
        recordings::delete(&self.store, &self.provider, &client, id)
    }

    /// Gives a number back to SignalWire. The default sending number is forgotten, so the next
    /// text picks one the project still owns.
    pub fn release_number(&self, sid: &str) -> Result<()> {
        let client = self.signalwire()?;
        let sid = sid.to_string();
        self.provider.run(async move { client.release_number(&sid).await })?;
        messaging::forget_default_from(&self.store)?;
        Ok(())
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn display_phone(e164: Option<&str>, raw: Option<&str>, region: Region) -> Option<String> {
    match e164 {
        Some(e) => PhoneNumber::parse(e, region).ok().map(|n| n.display(region)).or_else(|| Some(e.to_string())),
        None => raw.map(str::to_string),
    }
}

fn summary(l: leads::LeadSummary, region: Region) -> LeadSummary {
    LeadSummary {
        phone_display: display_phone(l.phone_e164.as_deref(), l.phone.as_deref(), region),
        id: l.id,
        name: l.name,
        company: l.company,
        email: l.email,
        phone: l.phone,
        phone_e164: l.phone_e164,
        status: l.status,
        value: l.value,
        last_contact: l.last_contact,
    }
}

fn full_lead(l: leads::Lead, list_ids: Vec<String>, region: Region) -> Lead {
    Lead {
        phone_display: display_phone(l.phone_e164.as_deref(), l.phone.as_deref(), region),
        id: l.id,
        name: l.name,
        email: l.email,
        phone: l.phone,
        phone_e164: l.phone_e164,
        company: l.company,
        position: l.position,
        status: l.status,
        value: l.value,
        source: l.source,
        notes: l.notes,
        timezone: l.timezone,
        last_contact: l.last_contact,
        created_at: l.created_at,
        updated_at: l.updated_at,
        list_ids,
    }
}

fn list_dto(l: lists::LeadList) -> LeadList {
    LeadList { id: l.id, name: l.name, description: l.description, member_count: l.member_count as u32 }
}
