//! The agent's work after a call: the disposition step (a configurable set of outcomes, each
//! with the lead status it leads to), calls still waiting for one, follow-ups, and the history.
//!
//! A disposition is saved with everything that follows from it in one transaction
//! (`ringdesk_store::calls::dispose`); calls that ended without one stay listed until the agent
//! saves it, so a crash or quit never loses the step.

use chrono::{DateTime, Duration, Local, TimeZone, Utc};
use ringdesk_store::{calls, followups, settings as kv};

use crate::error::{IpcError, Result};
use crate::ipc::{
    CallHistoryItem, DispositionOption, DispositionRequest, FollowUpItem, FollowUps, HistoryFilter, NextAction,
};

use crate::keys::DISPOSITIONS;
/// How far back calls still waiting for a disposition are shown.
const AWAITING_DAYS: i64 = 7;
const MAX_NOTES: usize = 10_000;

/// The default disposition set (the list) with the lead status each one leads to.
pub fn default_options() -> Vec<DispositionOption> {
    let o = |key: &str, label: &str, status: Option<&str>| DispositionOption {
        key: key.into(),
        label: label.into(),
        lead_status: status.map(str::to_string),
    };
    vec![
        o("answered", "Answered", Some("contacted")),
        o("voicemail", "Voicemail", Some("contacted")),
        o("busy", "Busy", None),
        o("no_answer", "No Answer", None),
        o("wrong_number", "Wrong Number", Some("bad_number")),
        o("do_not_call", "Do Not Call", Some(DO_NOT_CALL)),
        o("interested", "Interested", Some("qualified")),
        o("not_interested", "Not Interested", Some("lost")),
        o("callback_requested", "Callback Requested", Some("callback")),
        o(crate::voicemail::LEFT_VOICEMAIL, "Left Voicemail", Some("contacted")),
    ]
}

/// The lead status that marks a lead nobody may dial without an explicit override.
pub const DO_NOT_CALL: &str = "do_not_call";

impl NextAction {
    fn as_store(self) -> &'static str {
        match self {
            NextAction::CallBack => "call_back",
            NextAction::SendEmail => "send_email",
            NextAction::SendSms => "send_sms",
            NextAction::ScheduleMeeting => "schedule_meeting",
            NextAction::MarkDead => "mark_dead",
        }
    }

    fn from_store(s: &str) -> Option<NextAction> {
        Some(match s {
            "call_back" => NextAction::CallBack,
            "send_email" => NextAction::SendEmail,
            "send_sms" => NextAction::SendSms,
            "schedule_meeting" => NextAction::ScheduleMeeting,
            "mark_dead" => NextAction::MarkDead,
            _ => return None,
        })
    }
}

/// The longest disposition key.
const KEY_MAX: usize = 40;

fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= KEY_MAX && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The key a new disposition starts with, from its label: "Callback Requested" →
/// `callback_requested`, "Café visit" → `cafe_visit` (accents folded, every run of other
/// characters one `_`, at most 40). Empty when the label has no letter or digit to keep.
pub fn key_from_label(label: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut key = String::new();
    let mut gap = false;
    for c in label.nfkd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)) {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if gap && !key.is_empty() {
                key.push('_');
            }
            gap = false;
            key.push(c);
        } else {
            gap = true;
        }
    }
    key.truncate(KEY_MAX);
    key.trim_end_matches('_').to_string()
}

/// Reads a time the UI or the CLI sent (RFC 3339), as stored text.
pub(crate) fn parse_time(what: &str, v: &str) -> Result<String> {
    DateTime::parse_from_rfc3339(v.trim())
        .map(|t| ringdesk_store::format_ts(t.with_timezone(&Utc)))
        .map_err(|_| IpcError::invalid(format!("{what} {v:?} is not a date and time such as 2026-12-01T15:00:00Z.")))
}

fn item(r: calls::HistoryRow, region: ringdesk_core::Region) -> CallHistoryItem {
    let missed = r.direction == "inbound" && !r.answered && r.status.as_deref() != Some("ringing");
    CallHistoryItem {
        id: r.id,
        lead_id: r.lead_id,
        lead_name: r.lead_name,
        lead_company: r.lead_company,
        contact_display: crate::leads::display_number(&r.contact_number, region),
        contact_number: r.contact_number,
        direction: r.direction,
        route: r.route,
        started_at: r.started_at,
        duration_seconds: r.duration_seconds.and_then(|d| u32::try_from(d).ok()),
        disposition: r.disposition,
        notes: r.notes,
        missed,
        status: r.status,
        end_reason: r.end_reason,
        has_recording: r.has_recording,
    }
}

fn follow_up(f: followups::FollowUp, region: ringdesk_core::Region) -> FollowUpItem {
    FollowUpItem {
        id: f.id,
        call_log_id: f.call_log_id,
        lead_id: f.lead_id,
        lead_name: f.lead_name,
        lead_company: f.lead_company,
        contact_display: crate::leads::display_number(&f.contact_number, region),
        contact_number: f.contact_number,
        disposition: f.disposition_type,
        next_action: f.next_action.as_deref().and_then(NextAction::from_store),
        notes: f.notes,
        snoozed: f.status == "snoozed",
        due_at: f.effective_due,
    }
}

/// The filter's date window as stored text.
fn window(filter: &HistoryFilter) -> Result<(Option<String>, Option<String>)> {
    let from = filter.from.as_deref().map(|t| parse_time("From", t)).transpose()?;
    let to = filter.to.as_deref().map(|t| parse_time("To", t)).transpose()?;
    Ok((from, to))
}

/// The store query a history filter selects (without paging).
fn query<'a>(filter: &'a HistoryFilter, from: &'a Option<String>, to: &'a Option<String>) -> calls::HistoryQuery<'a> {
    calls::HistoryQuery {
        from: from.as_deref(),
        to: to.as_deref(),
        disposition: filter.disposition.as_deref(),
        lead_id: filter.lead_id.as_deref(),
        lead_status: filter.lead_status.as_deref(),
        direction: filter.direction.as_deref(),
        route: filter.route.map(crate::ipc::CallRoute::as_str),
        missed: filter.missed,
        text: filter.text.as_deref(),
        ..calls::HistoryQuery::default()
    }
}

impl crate::App {
    /// The key a new disposition labelled `label` starts with (Settings → Dispositions, as the
    /// agent types the label).
    pub fn disposition_key(&self, label: &str) -> String {
        key_from_label(label)
    }

    /// The disposition set the step offers, in order.
    pub fn disposition_options(&self) -> Result<Vec<DispositionOption>> {
        let stored: Option<Vec<DispositionOption>> = self.store.read(|r| kv::get(r, DISPOSITIONS))?;
        Ok(stored.filter(|v| !v.is_empty()).unwrap_or_else(default_options))
    }

    /// Replaces the disposition set (validated first); an empty list restores the defaults.
    pub fn set_disposition_options(&self, options: &[DispositionOption]) -> Result<Vec<DispositionOption>> {
        let mut seen = std::collections::HashSet::new();
        for o in options {
            if !valid_key(&o.key) {
                return Err(IpcError::invalid(format!(
                    "Disposition key {:?} must be lowercase letters, digits or _ (at most 40).",
                    o.key
                )));
            }
            if !seen.insert(o.key.as_str()) {
                return Err(IpcError::invalid(format!("Disposition key {:?} appears twice.", o.key)));
            }
            if o.label.trim().is_empty() || o.label.len() > 60 {
                return Err(IpcError::invalid(format!("Disposition {:?} needs a label of 1–60 characters.", o.key)));
            }
            if let Some(s) = o.lead_status.as_deref().filter(|s| !ringdesk_core::is_valid_status(s)) {
                return Err(IpcError::invalid(format!(
                    "Lead status {s:?} of disposition {:?} is not a status.",
                    o.key
                )));
            }
        }
        self.store.write(|w| {
            if options.is_empty() {
                kv::delete(w, DISPOSITIONS)?;
            } else {
                kv::set(w, DISPOSITIONS, &options)?;
            }
            Ok::<_, IpcError>(())
        })?;
        self.disposition_options()
    }

    /// Saves the disposition step of a call: the outcome, notes, next action with its follow-up
    /// time, and the lead's mapped status, all in one transaction.
    pub fn dispose_call(&self, req: &DispositionRequest) -> Result<CallHistoryItem> {
        let options = self.disposition_options()?;
        let option = options.iter().find(|o| o.key == req.disposition).ok_or_else(|| {
            let keys: Vec<&str> = options.iter().map(|o| o.key.as_str()).collect();
            IpcError::invalid(format!("Unknown disposition {:?}; use one of {}.", req.disposition, keys.join(", ")))
                .on_field("disposition")
        })?;
        let notes = req.notes.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if notes.is_some_and(|n| n.len() > MAX_NOTES) {
            return Err(IpcError::invalid(format!("Notes are limited to {MAX_NOTES} characters.")).on_field("notes"));
        }
        let follow_up = req
            .follow_up_at
            .as_deref()
            .map(|t| parse_time("Follow-up time", t).map_err(|e| e.on_field("followUpAt")))
            .transpose()?;
        if follow_up.is_some() && req.next_action.is_none() {
            return Err(IpcError::invalid("Choose what to do next (call back, email, ...) for the follow-up.")
                .on_field("nextAction"));
        }
        if req.next_action.is_some_and(|a| a != NextAction::MarkDead) && follow_up.is_none() {
            return Err(IpcError::invalid("Pick when to follow up.").on_field("followUpAt"));
        }
        let call_id = req.call_log_id.clone();
        self.store.write(|w| {
            calls::dispose(
                w,
                &calls::Disposition {
                    call_log_id: &call_id,
                    disposition_type: &option.key,
                    notes,
                    next_action: req.next_action.map(NextAction::as_store),
                    follow_up_date: follow_up.as_deref(),
                    created_by: None,
                    lead_status: if req.next_action == Some(NextAction::MarkDead) {
                        Some("lost")
                    } else {
                        option.lead_status.as_deref()
                    },
                },
            )?;
            // A campaign's call: its attempt gets the outcome and the lead's retry time.
            crate::campaigns::record_outcome(w, &call_id, &option.key)
        })?;
        let q = calls::HistoryQuery { call_id: Some(&call_id), limit: 1, ..calls::HistoryQuery::default() };
        let rows = self.store.read(|r| calls::history(r, &q))?;
        let region = self.region()?;
        rows.into_iter()
            .next()
            .map(|r| item(r, region))
            .ok_or_else(|| IpcError::new(crate::ErrorCode::NotFound, format!("Call {call_id} was not found.")))
    }

    /// Calls of the last week that ended without a disposition (the step the agent still owes).
    pub fn calls_awaiting_disposition(&self) -> Result<Vec<CallHistoryItem>> {
        let since = ringdesk_store::format_ts(Utc::now() - Duration::days(AWAITING_DAYS));
        let region = self.region()?;
        Ok(self
            .store
            .read(|r| calls::awaiting_disposition(r, &since, 50))?
            .into_iter()
            .map(|r| item(r, region))
            .collect())
    }

    /// One page of the call history, newest first.
    pub fn call_history(&self, filter: &HistoryFilter) -> Result<Vec<CallHistoryItem>> {
        let (from, to) = window(filter)?;
        let q = calls::HistoryQuery {
            limit: filter.limit.clamp(1, 500),
            before: match (&filter.before_started_at, &filter.before_id) {
                (Some(at), Some(id)) => Some((at.as_str(), id.as_str())),
                _ => None,
            },
            ..query(filter, &from, &to)
        };
        let region = self.region()?;
        Ok(self.store.read(|r| calls::history(r, &q))?.into_iter().map(|r| item(r, region)).collect())
    }

    /// Exports the history the filter selects (all pages, not just the first) to a CSV file.
    pub fn export_call_history(&self, path: &str, filter: &HistoryFilter) -> Result<crate::ipc::ExportReport> {
        let (from, to) = window(filter)?;
        crate::csv_io::export_history(&self.store, std::path::Path::new(path), &query(filter, &from, &to))
    }

    /// Follow-ups due in the next 30 days: overdue, due today (local time) and upcoming.
    pub fn follow_ups(&self) -> Result<FollowUps> {
        self.follow_ups_at(Utc::now())
    }

    pub(crate) fn follow_ups_at(&self, now: DateTime<Utc>) -> Result<FollowUps> {
        let local = now.with_timezone(&Local);
        let end_of_day = local
            .date_naive()
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| Local.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now + Duration::hours(24));
        let now_s = ringdesk_store::format_ts(now);
        let eod = ringdesk_store::format_ts(end_of_day);
        let all =
            self.store.read(|r| followups::pending(r, &ringdesk_store::format_ts(now + Duration::days(30)), 1000))?;
        let region = self.region()?;
        let mut out = FollowUps { overdue: Vec::new(), today: Vec::new(), upcoming: Vec::new() };
        for f in all {
            let bucket = if f.effective_due < now_s {
                &mut out.overdue
            } else if f.effective_due < eod {
                &mut out.today
            } else {
                &mut out.upcoming
            };
            bucket.push(follow_up(f, region));
        }
        Ok(out)
    }

    pub fn complete_follow_up(&self, id: &str) -> Result<FollowUps> {
        self.store.write(|w| followups::complete(w, id))?;
        self.follow_ups()
    }

    pub fn snooze_follow_up(&self, id: &str, until: &str) -> Result<FollowUps> {
        let until = parse_time("Snooze until", until)?;
        self.store.write(|w| followups::snooze(w, id, &until))?;
        self.follow_ups()
    }

    pub fn reschedule_follow_up(&self, id: &str, due_at: &str) -> Result<FollowUps> {
        let due = parse_time("New due time", due_at)?;
        self.store.write(|w| followups::reschedule(w, id, &due))?;
        self.follow_ups()
    }

    pub fn cancel_follow_up(&self, id: &str) -> Result<FollowUps> {
        self.store.write(|w| followups::cancel(w, id))?;
        self.follow_ups()
    }
}

#[cfg(test)]
mod tests {
    use super::{key_from_label, valid_key};

    #[test]
    fn a_label_gives_a_valid_key_with_accents_folded_and_gaps_joined() {
        for (label, key) in [
            ("Callback Requested", "callback_requested"),
            ("  Café visit!! ", "cafe_visit"),
            ("Left voicemail (2nd try)", "left_voicemail_2nd_try"),
            ("Ünïcödé — Straße", "unicode_stra_e"),
        ] {
            let made = key_from_label(label);
            assert_eq!(made, key, "the key of {label:?}");
            assert!(valid_key(&made), "{made:?} passes the key rule");
        }
        let long = key_from_label(&"word ".repeat(20));
        assert!(valid_key(&long) && long.len() <= 40, "a long label is cut to a valid key: {long:?}");
        assert_eq!(key_from_label("!!! ???"), "", "nothing to keep: empty (the agent types a key)");
    }
}
