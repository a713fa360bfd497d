//! The live connection to SignalWire: RELAY events stored as they arrive, a REST catch-up after
//! every (re)connect so nothing is missed, and a desktop notification per new text (clicking it
//! asks the UI to open the conversation).
//!
//! The RELAY task runs on the provider runtime; a thread of its own applies its events, so the
//! store and the synchronous provider calls are used exactly as the app's own functions use them.

use std::sync::Arc;

use ringdesk_signalwire::Client;
use ringdesk_signalwire::relay::{self, RelayEvent, RelayHandle};
use ringdesk_store::{Store, leads, sms};

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::{RealtimeNotice, SmsMessage};
use crate::messaging::{self, Provider};

/// How the live connection behaves.
#[derive(Debug, Clone)]
pub struct RealtimeOptions {
    /// Show a desktop notification for each new text.
    pub desktop_notifications: bool,
    /// The RELAY context the project's numbers route texts to.
    pub context: String,
    /// How often the delivery of sent texts still open is looked up.
    pub status_poll: std::time::Duration,
}

impl Default for RealtimeOptions {
    fn default() -> Self {
        Self {
            desktop_notifications: true,
            context: "ringdesk".into(),
            status_poll: std::time::Duration::from_secs(10),
        }
    }
}

/// The running connection; dropping it disconnects and stops the worker.
pub struct RealtimeHandle {
    relay: Option<RelayHandle>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for RealtimeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealtimeHandle").finish_non_exhaustive()
    }
}

impl Drop for RealtimeHandle {
    fn drop(&mut self) {
        // Stopping the RELAY task closes the event channel, which ends the worker.
        drop(self.relay.take());
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

/// Who gets the notices.
pub type NoticeSink = Arc<dyn Fn(RealtimeNotice) + Send + Sync>;

impl crate::App {
    /// Connects to SignalWire's realtime API and keeps the texts up to date until the handle is
    /// dropped. `sink` receives every notice (for the UI); desktop notifications are shown here.
    pub fn start_realtime(&self, options: RealtimeOptions, sink: NoticeSink) -> Result<RealtimeHandle> {
        let client = self.signalwire()?;
        let config = self.provider.relay_config(&self.store, self.secrets.as_ref(), vec![options.context.clone()])?;
        let (relay_tx, mut relay_rx) = tokio::sync::mpsc::unbounded_channel();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let every = options.status_poll;
        let relay = self.provider.enter(|| {
            let handle = relay::spawn(config, relay_tx);
            // RELAY's events, and a tick for sent texts whose delivery is still open (SignalWire
            // reports the statuses of REST-sent texts by callback, which a desktop cannot take).
            // Ends when the RELAY task does, which closes the worker's channel.
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                tick.tick().await;
                loop {
                    let next = tokio::select! {
                        e = relay_rx.recv() => match e {
                            Some(e) => Input::Relay(e),
                            None => return,
                        },
                        _ = tick.tick() => Input::Tick,
                    };
                    if tx.send(next).is_err() {
                        return;
                    }
                }
            });
            handle
        });
        let worker = Worker {
            store: self.store.clone(),
            provider: self.provider.clone(),
            client,
            region: self.region()?,
            notify: options.desktop_notifications,
            sink,
        };
        let thread = std::thread::Builder::new()
            .name("ringdesk-realtime".into())
            .spawn(move || worker.run(rx))
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Could not start the realtime worker: {e}")))?;
        Ok(RealtimeHandle { relay: Some(relay), worker: Some(thread) })
    }
}

/// What the worker handles.
enum Input {
    Relay(RelayEvent),
    /// Time to look at the delivery of sent texts again.
    Tick,
}

struct Worker {
    store: Arc<Store>,
    provider: Arc<Provider>,
    client: Client,
    region: ringdesk_core::Region,
    notify: bool,
    sink: NoticeSink,
}

impl Worker {
    fn run(self, mut rx: tokio::sync::mpsc::UnboundedReceiver<Input>) {
        while let Some(input) = rx.blocking_recv() {
            let applied = match input {
                Input::Relay(event) => self.apply(event),
                Input::Tick => self.follow_statuses(),
            };
            if let Err(e) = applied {
                tracing::warn!(error = %e.message, "a realtime event could not be applied");
                (self.sink)(RealtimeNotice::Connection { online: false, detail: e.message });
            }
        }
    }

    fn apply(&self, event: RelayEvent) -> Result<()> {
        match event {
            RelayEvent::Text(t) => {
                let at = ringdesk_store::format_ts(chrono::Utc::now());
                let stored = self.store.write(|w| {
                    sms::insert_inbound(
                        w,
                        &sms::Inbound { sid: &t.message_id, from: &t.from, to: &t.to, body: &t.body, received_at: &at },
                    )
                })?;
                if let Some(row) = stored {
                    self.received(vec![messaging::message_dto(row)])?;
                }
            }
            RelayEvent::TextState { message_id, state } => {
                if self.store.write(|w| sms::update_status(w, &message_id, &state, None, None))? {
                    (self.sink)(RealtimeNotice::SmsChanged);
                }
            }
            RelayEvent::Connected { resumed } => {
                // Whatever RELAY did not deliver, REST does; stored once either way.
                let report = messaging::settle(&self.store, &self.provider, &self.client)?;
                let detail = if resumed { "connected (session resumed)" } else { "connected" };
                (self.sink)(RealtimeNotice::Connection { online: true, detail: detail.into() });
                if report.updated + report.confirmed + report.resent + report.failed > 0 {
                    (self.sink)(RealtimeNotice::SmsChanged);
                }
                self.received(report.received)?;
            }
            RelayEvent::Disconnected { reason, retry_in } => {
                let detail = format!("{reason}; retrying in {} s", retry_in.as_secs().max(1));
                (self.sink)(RealtimeNotice::Connection { online: false, detail });
            }
            RelayEvent::Refused { reason } => {
                let detail = format!(
                    "SignalWire refused the realtime connection: {reason}. Check the project ID and API token."
                );
                (self.sink)(RealtimeNotice::Connection { online: false, detail });
            }
            RelayEvent::CallOffered { .. } => {}
        }
        Ok(())
    }

    /// Refreshes sent texts whose delivery is still open (nothing to do when there are none).
    fn follow_statuses(&self) -> Result<()> {
        if self.store.read(|r| sms::unsettled(r, 1))?.is_empty() {
            return Ok(());
        }
        let report = messaging::settle(&self.store, &self.provider, &self.client)?;
        if report.updated + report.confirmed + report.resent + report.failed > 0 {
            (self.sink)(RealtimeNotice::SmsChanged);
        }
        self.received(report.received)
    }

    /// Notices (and notifications) for newly stored texts. More than three at once (a catch-up
    /// after a long time offline) get one summary notification instead of a flood.
    fn received(&self, messages: Vec<SmsMessage>) -> Result<()> {
        let many = messages.len() > 3;
        for message in &messages {
            let lead_name = match &message.lead_id {
                Some(id) => self.store.read(|r| leads::get(r, id)).ok().map(|l| l.name),
                None => None,
            };
            if self.notify && !many {
                self.notify_text(message, lead_name.as_deref());
            }
            (self.sink)(RealtimeNotice::SmsReceived { message: Box::new(message.clone()), lead_name });
        }
        if self.notify && many {
            let body = format!("{} new text messages arrived while Ringdesk was offline.", messages.len());
            show(&self.sink, "New text messages", &body, None);
        }
        Ok(())
    }

    fn notify_text(&self, m: &SmsMessage, lead_name: Option<&str>) {
        let number = ringdesk_core::PhoneNumber::parse(&m.contact_number, self.region)
            .map(|n| n.display(self.region))
            .unwrap_or_else(|_| m.contact_number.clone());
        let title = match lead_name {
            Some(name) => format!("{name} ({number})"),
            None => format!("{number} (unknown number)"),
        };
        let body: String = m.body.chars().take(240).collect();
        show(&self.sink, &title, &body, Some(m.contact_number.clone()));
    }
}

/// Shows a desktop notification; clicking it (where the platform reports clicks) sends
/// [`RealtimeNotice::OpenConversation`]. A clickable one is shown from its own thread, which then
/// waits for the click (the libdbus handle cannot move between threads).
fn show(sink: &NoticeSink, title: &str, body: &str, contact: Option<String>) {
    let mut n = notify_rust::Notification::new();
    n.appname("Ringdesk").summary(title).body(body);
    let Some(contact) = contact else {
        if let Err(e) = n.show() {
            tracing::warn!(error = %e, "the desktop notification could not be shown");
        }
        return;
    };
    n.action("default", "Open conversation");
    let sink = sink.clone();
    let shown = std::thread::Builder::new().name("ringdesk-notification".into()).spawn(move || match n.show() {
        #[cfg(all(unix, not(target_os = "macos")))]
        Ok(handle) => handle.wait_for_action(|action| {
            if action == "default" {
                sink(RealtimeNotice::OpenConversation { contact_number: contact });
            }
        }),
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        Ok(_) => drop((sink, contact)),
        Err(e) => tracing::warn!(error = %e, "the desktop notification could not be shown"),
    });
    if let Err(e) = shown {
        tracing::warn!(error = %e, "the desktop notification could not be shown");
    }
}
