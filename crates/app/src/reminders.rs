//! Follow-up reminders: a desktop notification when a follow-up falls due (also while the window
//! is hidden), and the overdue count for the navigation badge.
//!
//! A worker thread looks every `every` for follow-ups whose due time (or snooze end) passed since
//! the last reminder (`followups.reminded_until` in the settings), so each one is announced once,
//! including those that fell due while Ringdesk was closed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use chrono::Utc;
use ringdesk_store::{Store, followups, settings as kv};

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::ReminderNotice;

use crate::keys::REMINDED_UNTIL;

/// Who gets the notices (the shell forwards them to the UI).
pub type ReminderSink = Arc<dyn Fn(ReminderNotice) + Send + Sync>;

/// The running reminders; dropping it stops the worker.
pub struct RemindersHandle {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for RemindersHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemindersHandle").finish_non_exhaustive()
    }
}

impl Drop for RemindersHandle {
    fn drop(&mut self) {
        let (lock, cv) = &*self.stop;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn check(store: &Store, desktop: bool, sink: &ReminderSink, first: &AtomicBool) -> Result<()> {
    let now = ringdesk_store::format_ts(Utc::now());
    let since: Option<String> = store.read(|r| kv::get(r, REMINDED_UNTIL))?;
    let due = store.read(|r| followups::pending(r, &now, 200))?;
    let fresh: Vec<_> = due.iter().filter(|f| since.as_deref().is_none_or(|s| f.effective_due.as_str() > s)).collect();
    let overdue = store.read(|r| followups::overdue_count(r, &now))?;
    for f in &fresh {
        if desktop {
            let who = f.lead_name.clone().unwrap_or_else(|| f.contact_number.clone());
            let what = match f.next_action.as_deref() {
                Some("call_back") => "call back",
                Some("send_email") => "send an email",
                Some("send_sms") => "send a text",
                Some("schedule_meeting") => "schedule a meeting",
                _ => "follow up",
            };
            let body = f.notes.clone().unwrap_or_default();
            if let Err(e) = notify_rust::Notification::new()
                .appname("Ringdesk")
                .summary(&format!("Follow-up due: {what} — {who}"))
                .body(&body.chars().take(240).collect::<String>())
                .show()
            {
                tracing::warn!(error = %e, "the follow-up reminder could not be shown");
            }
        }
    }
    store.write(|w| kv::set(w, REMINDED_UNTIL, &now))?;
    if !fresh.is_empty() || first.swap(false, Ordering::SeqCst) {
        sink(ReminderNotice {
            overdue: u32::try_from(overdue).unwrap_or(u32::MAX),
            newly_due: fresh.iter().map(|f| f.id.clone()).collect(),
        });
    }
    Ok(())
}

impl crate::App {
    /// Starts the reminders: checks now and then every `every`; shows a desktop notification per
    /// follow-up that falls due when `desktop_notifications`, and tells `sink` the overdue count.
    pub fn start_follow_up_reminders(
        &self,
        every: Duration,
        desktop_notifications: bool,
        sink: ReminderSink,
    ) -> Result<RemindersHandle> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let (store, flag) = (self.store.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("ringdesk-reminders".into())
            .spawn(move || {
                let first = AtomicBool::new(true);
                loop {
                    if let Err(e) = check(&store, desktop_notifications, &sink, &first) {
                        tracing::warn!(error = %e.message, "follow-up reminders failed this round");
                    }
                    let (lock, cv) = &*flag;
                    let stopped = lock.lock().unwrap_or_else(|p| p.into_inner());
                    let (stopped, _) = cv.wait_timeout(stopped, every).unwrap_or_else(|p| p.into_inner());
                    if *stopped {
                        return;
                    }
                }
            })
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Could not start the reminders: {e}")))?;
        Ok(RemindersHandle { stop, thread: Some(thread) })
    }
}
