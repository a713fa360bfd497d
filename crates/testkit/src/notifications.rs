//! A desktop notification server for tests: owns `org.freedesktop.Notifications` on a private
//! [`DbusSession`](crate::dbus::DbusSession), records every notification (with when it arrived)
//! and can "click" one (the `ActionInvoked` signal a notification daemon sends). It speaks the
//! Desktop Notifications spec 1.2 on the wire, so clients (notify-rust) cannot tell it from a real
//! daemon.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::zvariant::OwnedValue;

/// One notification as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// Action keys and labels, flattened as sent (`["default", "Open", …]`).
    pub actions: Vec<String>,
    pub at: Instant,
}

#[derive(Debug, Default)]
struct Server {
    shown: Arc<Mutex<Vec<Shown>>>,
    next: u32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &mut self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            self.next += 1;
            self.next
        };
        let mut shown = self.shown.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        shown.push(Shown { id, app_name, summary, body, actions, at: Instant::now() });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into(), "persistence".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("ringdesk-test".into(), "ringdesk".into(), "1.0".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}

    #[zbus(signal)]
    async fn action_invoked(ctxt: &zbus::SignalContext<'_>, id: u32, action_key: &str) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn notification_closed(ctxt: &zbus::SignalContext<'_>, id: u32, reason: u32) -> zbus::Result<()>;
}

/// The running server; dropping it releases the name.
pub struct NotificationServer {
    conn: zbus::blocking::Connection,
    shown: Arc<Mutex<Vec<Shown>>>,
}

impl std::fmt::Debug for NotificationServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationServer").finish_non_exhaustive()
    }
}

const PATH: &str = "/org/freedesktop/Notifications";

impl NotificationServer {
    /// Serves on the bus at `address` (a [`DbusSession`](crate::dbus::DbusSession)'s).
    pub fn start(address: &str) -> Result<Self, String> {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let server = Server { shown: shown.clone(), next: 0 };
        let conn = zbus::blocking::connection::Builder::address(address)
            .and_then(|b| b.name("org.freedesktop.Notifications"))
            .and_then(|b| b.serve_at(PATH, server))
            .and_then(|b| b.build())
            .map_err(|e| format!("could not serve notifications on the test bus: {e}"))?;
        Ok(Self { conn, shown })
    }

    /// Everything shown so far, oldest first.
    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Waits until `n` notifications were shown; returns them.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Shown> {
        crate::wait_for(timeout, || self.shown().len() >= n);
        self.shown()
    }

    /// Clicks notification `id`: sends `ActionInvoked(id, action)` (`"default"` for the body).
    pub fn click(&self, id: u32, action: &str) -> Result<(), String> {
        let iface = self
            .conn
            .object_server()
            .interface::<_, Server>(PATH)
            .map_err(|e| format!("no notification interface: {e}"))?;
        zbus::block_on(Server::action_invoked(iface.signal_context(), id, action)).map_err(|e| e.to_string())?;
        zbus::block_on(Server::notification_closed(iface.signal_context(), id, 2)).map_err(|e| e.to_string())
    }
}
