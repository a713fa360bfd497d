//! SignalWire from the app: texts (send exactly once, statuses, inbound catch-up, threads) and
//! phone numbers. The REST client is async; the app's functions are synchronous, so provider
//! calls run on a small runtime of the app's own and the caller's thread waits for the answer
//! (the shell calls these on its worker threads, never on the UI thread).

use std::future::Future;
use std::sync::Mutex;

use ringdesk_core::{PhoneNumber, Region};
use ringdesk_signalwire::relay::RelayConfig;
use ringdesk_signalwire::{Client, Config, NewMessage, Token, sms as segments};
use ringdesk_store::{Store, settings as kv, sms};

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::*;
use crate::keychain::{Secret, SecretStore};

use crate::keys::SW_DEFAULT_FROM;

/// The provider side of the app: a runtime for its I/O and the client, rebuilt when the
/// settings or the token change.
pub(crate) struct Provider {
    runtime: tokio::runtime::Runtime,
    /// Overrides `https://{space}.signalwire.com` (tests, proxies).
    origin: Option<url::Url>,
    client: Mutex<Option<(String, Client)>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider").field("origin", &self.origin).finish_non_exhaustive()
    }
}

impl Provider {
    pub(crate) fn new(origin: Option<url::Url>) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("ringdesk-provider")
            .enable_all()
            .build()
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Could not start the network runtime: {e}")))?;
        Ok(Self { runtime, origin, client: Mutex::new(None) })
    }

    /// Runs `f` on the provider runtime and waits for it. Safe from any thread, including a
    /// tokio worker (unlike `block_on`).
    pub(crate) fn run<F>(&self, f: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.runtime.spawn(async move {
            let _ = tx.send(f.await);
        });
        rx.recv().unwrap_or_else(|_| panic!("the provider runtime stopped while a request was running"))
    }

    /// Runs `f` inside the provider runtime's context (for code that spawns tasks).
    pub(crate) fn enter<T>(&self, f: impl FnOnce() -> T) -> T {
        let _guard = self.runtime.enter();
        f()
    }

    /// The space, project and token the client needs: two settings and one keychain read (the
    /// full settings would ask the keychain about every secret).
    fn account(&self, store: &Store, secrets: &dyn SecretStore) -> Result<(String, String, Secret)> {
        let (space, project) = crate::settings::signalwire(store)?;
        // The settings first: with SignalWire not set up, the keychain is not asked at all.
        if project.is_empty() {
            return Err(not_configured("the project ID"));
        }
        if space.is_empty() && self.origin.is_none() {
            return Err(not_configured("the space"));
        }
        let token = secrets.get(SecretKind::SignalwireApiToken)?.ok_or_else(|| not_configured("the API token"))?;
        Ok((space, project, token))
    }

    /// The client for the current settings and token.
    pub(crate) fn client(&self, store: &Store, secrets: &dyn SecretStore) -> Result<Client> {
        let (space, project, token) = self.account(store, secrets)?;
        let key = format!("{space}|{project}|{}", token.expose());
        let mut cached = self.client.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((k, c)) = cached.as_ref()
            && *k == key
        {
            return Ok(c.clone());
        }
        let token = Token::new(token.expose());
        let config = match &self.origin {
            Some(origin) => Config::at(origin.clone(), &project, token)?,
            None => Config::for_space(&space, &project, token)?,
        };
        let client = Client::new(config)?;
        *cached = Some((key, client.clone()));
        Ok(client)
    }

    /// Where the realtime connection goes, with the same account as [`Provider::client`]: the
    /// origin override's WebSocket URL, else the space's.
    pub(crate) fn relay_config(
        &self,
        store: &Store,
        secrets: &dyn SecretStore,
        contexts: Vec<String>,
    ) -> Result<RelayConfig> {
        let (space, project, token) = self.account(store, secrets)?;
        let token = Token::new(token.expose());
        Ok(match &self.origin {
            Some(origin) => {
                let mut url = origin.clone();
                let scheme = if origin.scheme() == "https" { "wss" } else { "ws" };
                url.set_scheme(scheme).map_err(|()| IpcError::invalid(format!("No WebSocket URL for {origin}")))?;
                RelayConfig::at(url, &project, token, contexts)
            }
            None => RelayConfig::for_space(&space, &project, token, contexts)?,
        })
    }
}

fn not_configured(what: &str) -> IpcError {
    IpcError::new(
        ErrorCode::NotConfigured,
        format!("SignalWire is not set up: {what} is missing. Enter the space, project ID and API token in Settings."),
    )
}

pub(crate) fn segments_of(body: &str) -> SmsSegments {
    let s = segments::segments(body);
    SmsSegments {
        encoding: match s.encoding {
            segments::Encoding::Gsm7 => "gsm7".into(),
            segments::Encoding::Ucs2 => "ucs2".into(),
        },
        segments: s.count,
        characters: body.chars().count() as u32,
        remaining: s.remaining,
        error: segments::validate_body(body).err().map(|e| e.to_string()),
    }
}

pub(crate) fn message_dto(m: sms::Message) -> SmsMessage {
    let error = match (&m.error_code, &m.error_message) {
        (Some(code), Some(text)) => Some(format!("{text} (error {code})")),
        (Some(code), None) => Some(format!("error {code}")),
        (None, Some(text)) => Some(text.clone()),
        (None, None) => None,
    };
    SmsMessage {
        id: m.id,
        lead_id: m.lead_id,
        contact_number: m.contact_number,
        our_number: m.our_number,
        read: m.direction == "outbound" || m.read_at.is_some(),
        direction: m.direction,
        body: m.body,
        status: m.status.unwrap_or_else(|| "sending".into()),
        error,
        created_at: m.created_at,
    }
}

pub(crate) fn thread_dto(t: sms::Thread, region: Region) -> SmsThread {
    let contact_display = PhoneNumber::parse(&t.contact_number, region)
        .map(|n| n.display(region))
        .unwrap_or_else(|_| t.contact_number.clone());
    SmsThread {
        contact_display,
        contact_number: t.contact_number,
        lead_id: t.lead_id,
        lead_name: t.lead_name,
        last_body: t.last_body,
        last_direction: t.last_direction,
        last_at: t.last_at,
        unread: t.unread.max(0) as u32,
        total: t.total.max(0) as u32,
    }
}

/// The number to send from: the one asked for, else the one last used with this contact, else
/// the default set in Settings, else the project's first SMS-capable number.
pub(crate) fn choose_from(
    store: &Store,
    provider: &Provider,
    client: &Client,
    contact: &str,
    asked: Option<&str>,
    region: Region,
) -> Result<String> {
    if let Some(a) = asked.map(str::trim).filter(|a| !a.is_empty()) {
        return crate::dialable::number("From", a, region);
    }
    let last: Option<String> =
        store.read(|r| Ok(sms::thread(r, contact, None, 20)?.into_iter().rev().find_map(|m| m.our_number)))?;
    if let Some(n) = last {
        return Ok(n);
    }
    if let Some(n) = store.read(|r| kv::get::<String>(r, SW_DEFAULT_FROM))? {
        return Ok(n);
    }
    let c = client.clone();
    let owned = provider.run(async move { c.list_numbers(None).await })?;
    let first = owned.into_iter().find(|n| n.capabilities.sms).ok_or_else(|| {
        IpcError::new(
            ErrorCode::NotConfigured,
            "The SignalWire project has no SMS-capable number: buy one in Settings → Phone numbers.",
        )
    })?;
    store.write(|w| kv::set(w, SW_DEFAULT_FROM, &first.phone_number))?;
    Ok(first.phone_number)
}

/// Forgets the remembered default sending number (after a number was released).
pub(crate) fn forget_default_from(store: &Store) -> Result<()> {
    store.write(|w| kv::delete(w, SW_DEFAULT_FROM))?;
    Ok(())
}

/// Sends the stored intent `m` and records the outcome. SignalWire refusing it marks it failed
/// (and returns the reason); no clear answer leaves it `sending` for [`settle`] to finish.
pub(crate) fn send_stored(store: &Store, provider: &Provider, client: &Client, m: sms::Message) -> Result<SmsMessage> {
    let our = m.our_number.clone().unwrap_or_else(|| m.from_number.clone());
    let msg = NewMessage { from: our, to: m.contact_number.clone(), body: m.body.clone() };
    let intent_at = ringdesk_store::parse_ts(&m.created_at).unwrap_or_else(chrono::Utc::now);
    let c = client.clone();
    let outcome = provider.run(async move { c.send_message_once(&msg, intent_at).await });
    match outcome {
        Ok(sent) => {
            let row = store.write(|w| sms::confirm_sent(w, &m.id, &sent.sid, sent.status.as_str()))?;
            Ok(message_dto(row))
        }
        Err(e @ (ringdesk_signalwire::Error::Ambiguous(_) | ringdesk_signalwire::Error::Unreachable(_))) => {
            tracing::info!(error = %e, "an SMS waits to be confirmed or sent");
            Ok(message_dto(m))
        }
        Err(e) => {
            let code = e.api().and_then(|a| a.code).map(i64::from);
            let text = e.api().map(|a| a.message.clone()).unwrap_or_else(|| e.to_string());
            store.write(|w| sms::mark_failed(w, &m.id, code, &text))?;
            Err(e.into())
        }
    }
}

/// Finishes what is pending with SignalWire: unconfirmed sends are found (or sent), open
/// statuses refreshed, and inbound messages since the newest stored one fetched and stored once.
pub(crate) fn settle(store: &Store, provider: &Provider, client: &Client) -> Result<SmsSyncReport> {
    let mut report = SmsSyncReport::default();
    for m in store.read(|r| sms::unsettled(r, 200))? {
        match m.provider_message_sid.clone() {
            Some(sid) => {
                let c = client.clone();
                let fresh = match provider.run(async move { c.get_message(&sid).await }) {
                    Ok(f) => f,
                    Err(e) if e.api().is_some_and(|a| a.status == 404) => continue,
                    Err(e) => return Err(e.into()),
                };
                let code = fresh.error_code.as_deref().and_then(|c| c.parse::<i64>().ok());
                let changed = store.write(|w| {
                    sms::update_status(w, &fresh.sid, fresh.status.as_str(), code, fresh.error_message.as_deref())
                })?;
                report.updated += u32::from(changed);
            }
            None => {
                let our = m.our_number.clone().unwrap_or_else(|| m.from_number.clone());
                let msg = NewMessage { from: our, to: m.contact_number.clone(), body: m.body.clone() };
                let since = ringdesk_store::parse_ts(&m.created_at).unwrap_or_else(chrono::Utc::now);
                let c = client.clone();
                let found = provider.run(async move { c.find_sent(&msg, since).await })?;
                match found {
                    Some(sent) => {
                        store.write(|w| sms::confirm_sent(w, &m.id, &sent.sid, sent.status.as_str()))?;
                        report.confirmed += 1;
                    }
                    None => match send_stored(store, provider, client, m) {
                        Ok(sent) => report.resent += u32::from(sent.status != sms::SENDING),
                        // Refused: recorded on the message as failed; the others go on.
                        Err(e) => {
                            tracing::info!(error = %e.message, "a pending text was refused");
                            report.failed += 1;
                        }
                    },
                }
            }
        }
    }
    let since = store
        .read(|r| sms::newest_inbound_at(r))?
        .and_then(|t| ringdesk_store::parse_ts(&t))
        .unwrap_or_else(|| chrono::Utc::now() - chrono::Duration::days(7));
    let filter =
        ringdesk_signalwire::MessageFilter { sent_on_or_after: Some(since.date_naive()), ..Default::default() };
    let c = client.clone();
    let recent = provider.run(async move { c.list_messages(&filter, 5000).await })?;
    for m in recent.into_iter().rev().filter(|m| m.is_inbound()) {
        let at = m.date_sent.or(m.date_created).unwrap_or_else(chrono::Utc::now);
        let at = ringdesk_store::format_ts(at);
        let stored = store.write(|w| {
            sms::insert_inbound(
                w,
                &sms::Inbound { sid: &m.sid, from: &m.from, to: &m.to, body: &m.body, received_at: &at },
            )
        })?;
        if let Some(row) = stored {
            report.received.push(message_dto(row));
        }
    }
    Ok(report)
}

pub(crate) fn offer_dto(n: ringdesk_signalwire::model::AvailableNumber, region: Region) -> NumberOffer {
    NumberOffer {
        display: PhoneNumber::parse(&n.phone_number, region).map(|p| p.display(region)).unwrap_or(n.friendly_name),
        phone_number: n.phone_number,
        locality: n.locality,
        region: n.region,
        voice: n.capabilities.voice,
        sms: n.capabilities.sms,
    }
}

pub(crate) fn owned_dto(n: ringdesk_signalwire::model::OwnedNumber, region: Region) -> OwnedNumberInfo {
    OwnedNumberInfo {
        display: PhoneNumber::parse(&n.phone_number, region)
            .map(|p| p.display(region))
            .unwrap_or_else(|_| n.phone_number.clone()),
        sid: n.sid,
        phone_number: n.phone_number,
        friendly_name: n.friendly_name,
        voice: n.capabilities.voice,
        sms: n.capabilities.sms,
        voice_url: n.voice_url,
        sms_url: n.sms_url,
    }
}

impl crate::App {
    pub(crate) fn signalwire(&self) -> Result<ringdesk_signalwire::Client> {
        self.provider.client(&self.store, self.secrets.as_ref())
    }

    /// Segments and characters of a draft, for the compose box.
    pub fn sms_segments(&self, body: &str) -> SmsSegments {
        segments_of(body)
    }

    /// Sends a text exactly once. It is stored before it is sent; when SignalWire cannot be
    /// reached it stays `sending` and [`App::sync_sms`] finishes it.
    pub fn send_sms(&self, req: &SendSms) -> Result<SmsMessage> {
        ringdesk_signalwire::sms::validate_body(&req.body)?;
        let region = self.region()?;
        let to = crate::dialable::number("To", &req.to, region)?;
        let client = self.signalwire()?;
        let from = choose_from(&self.store, &self.provider, &client, &to, req.from.as_deref(), region)?;
        let intent = self.store.write(|w| ringdesk_store::sms::insert_outbound(w, &from, &to, &req.body))?;
        send_stored(&self.store, &self.provider, &client, intent)
    }

    /// Conversations, most recent first.
    pub fn sms_threads(&self, search: Option<&str>) -> Result<Vec<SmsThread>> {
        let region = self.region()?;
        let rows = self.store.read(|r| ringdesk_store::sms::threads(r, search, 500))?;
        Ok(rows.into_iter().map(|t| thread_dto(t, region)).collect())
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
            messages: rows.into_iter().map(message_dto).collect(),
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
        settle(&self.store, &self.provider, &client)
    }
}
