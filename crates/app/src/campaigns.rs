//! Power-dialer campaigns and the agent's session on one.
//!
//! `ringdesk-dialer` decides (eligibility, order, countdown, retry times); this module stores
//! campaigns and their attempts, reserves each lead on the shared backend before it is dialed
//! (a lease: two agents never call one lead at once; offline, only the agent's own leads), places
//! the calls the session decides over the route in Settings, and shapes what the window shows.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveTime, SecondsFormat, Utc, Weekday};
use ringdesk_dialer::Tz;
use ringdesk_dialer::places::Places;
use ringdesk_dialer::queue::Queue;
use ringdesk_dialer::rules::{self, Blocked, Campaign as Rules, Lead as EngineLead, Retry, RetryRules};
use ringdesk_dialer::session::{Action, Context, Leads, Mode, Order, QueueEntry, Session, upcoming};
use ringdesk_dialer::window::Window;
use ringdesk_store::Write;
use ringdesk_store::campaigns::{self as store, Member};
use ringdesk_store::replica;
use ringdesk_store::settings as kv;
use serde_json::{Map, Value as Json};

use crate::dialable::number;
use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::{
    CampaignAction, CampaignDraft, CampaignProgress, CampaignSession, CampaignStats, CampaignStatus, CampaignSummary,
    DialMode, ExportReport, KeyCount, LeadOrder, PassedLead, PlaceCall, RetryAfter, RetryRule, SessionCommand,
    SessionLead, SessionState, WaitingLead,
};
use crate::keys::BACKEND_USER;

/// The zone a campaign assumes for a number that does not say where it rings, unless set.
pub(crate) const DEFAULT_ZONE: Tz = Tz::America__New_York;
/// How long a lead stays reserved for the agent who is about to call it (renewed at each dial).
pub const DEFAULT_LEASE_SECONDS: u32 = 600;
/// Leads reserved ahead of the one offered, so the next dial needs no round trip.
const PREFETCH: usize = 2;
const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// The sessions this desktop runs, by campaign.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Live>>);

struct Live {
    session: Session,
    /// The attempt of the call the session placed, until its wrap-up is saved.
    attempt: Option<String>,
    /// Leads reserved for this agent on the backend, until then.
    held: HashMap<String, DateTime<Utc>>,
    /// Leads another agent holds (or, offline, not this agent's), set aside until then.
    excluded: HashMap<String, DateTime<Utc>>,
    /// The project's numbers, for local presence (read once per session).
    ours: Option<Vec<String>>,
    /// Since when the backend could not be reached at the claims (`None`: it answered the last
    /// one); a sync that succeeds after that moment brings the session back.
    offline_since: Option<DateTime<Utc>>,
    /// The campaign's members, kept between steps.
    cache: Option<Cache>,
}

/// A session's members in memory with the engine's index over them, so a step re-reads only the
/// leads written since the last one (the store's change journal) instead of the whole list (at
/// 100k leads, 220 ms of SQLite per step).
struct Cache {
    /// What the index depends on besides the leads: the campaign's row version (rules, order)
    /// and its list.
    version: (String, String),
    /// The store's change cursor the members are current with.
    cursor: u64,
    members: Vec<Member>,
    by_id: HashMap<String, usize>,
    /// Every member's engine entry, in the member's place.
    index: Index,
    /// The campaign's order the index was built for.
    order: Order,
    /// The hold put on an entry (another agent's lease, offline and not this agent's), by lead.
    holds: HashMap<String, DateTime<Utc>>,
    /// The view's whole-campaign figures, reused while nothing changed for a few seconds.
    figures: Option<Figures>,
}

/// The parts of the session view that decide every lead.
#[derive(Clone)]
struct Figures {
    cursor: u64,
    at: DateTime<Utc>,
    progress: CampaignProgress,
    waiting: Vec<(DateTime<Utc>, String, Tz)>,
    passed_over: Vec<PassedLead>,
}

/// How long the view's whole-campaign figures are reused when no lead changed.
const FIGURES_FOR: i64 = 5;

/// The engine's view of the members: indexed, or scanned whole at each decision when the order
/// is "best local hour first" (which depends on the hour and cannot be indexed).
enum Index {
    Scan(Vec<QueueEntry>),
    Queue(RefCell<Queue>),
}

impl Index {
    fn new(entries: Vec<QueueEntry>, order: Order, rules: &Rules, skipped: &[String], now: DateTime<Utc>) -> Index {
        if order == Order::BestLocalHourFirst {
            return Index::Scan(entries);
        }
        let mut queue = Queue::new(entries, order, rules, Places::embedded(), now);
        for id in skipped {
            queue.skip(id);
        }
        Index::Queue(RefCell::new(queue))
    }

    fn leads(&self) -> Leads<'_> {
        match self {
            Index::Scan(entries) => Leads::All(entries),
            Index::Queue(queue) => Leads::Indexed(queue),
        }
    }

    /// Member `i`'s entry changed.
    fn replace(&mut self, i: usize, entry: QueueEntry, rules: &Rules, now: DateTime<Utc>) {
        match self {
            Index::Scan(entries) => {
                if let Some(e) = entries.get_mut(i) {
                    *e = QueueEntry { position: e.position, ..entry };
                }
            }
            Index::Queue(queue) => {
                queue.get_mut().replace(entry, rules, Places::embedded(), now);
            }
        }
    }

    fn with_entries<T>(&self, f: impl FnOnce(&[QueueEntry]) -> T) -> T {
        match self {
            Index::Scan(entries) => f(entries),
            Index::Queue(queue) => f(queue.borrow().entries()),
        }
    }
}

impl Cache {
    /// Puts a hold on lead `id` until `until` (`None`: lifts it): the engine sees it as a retry
    /// time, so the session waits for the lead rather than thinking the campaign is done.
    fn hold(&mut self, id: &str, until: Option<DateTime<Utc>>, rules: &Rules, now: DateTime<Utc>) {
        match until {
            Some(t) => self.holds.insert(id.to_string(), t),
            None => self.holds.remove(id),
        };
        if let Some(&i) = self.by_id.get(id) {
            let e = held_entry(&self.members[i], until);
            self.index.replace(i, e, rules, now);
        }
    }
}

impl Live {
    /// The backend could not be reached for a claim.
    fn went_offline(&mut self) {
        self.offline_since.get_or_insert_with(Utc::now);
    }

    /// The backend could not be reached at the last claim.
    fn offline(&self) -> bool {
        self.offline_since.is_some()
    }

    /// Another agent holds lead `id` (or, offline, it is not this agent's): set aside until then.
    fn set_aside(&mut self, id: &str, until: DateTime<Utc>, rules: &Rules, now: DateTime<Utc>) {
        self.excluded.insert(id.to_string(), until);
        if let Some(cache) = self.cache.as_mut() {
            cache.hold(id, Some(until), rules, now);
        }
    }

    /// Offline: the leads that are not this agent's wait a minute at a time.
    fn hold_others(&mut self, me: Option<&str>, rules: &Rules, now: DateTime<Utc>) {
        let Some(cache) = self.cache.as_mut() else { return };
        let due: Vec<String> = cache
            .members
            .iter()
            .filter(|m| !is_mine(m, me) && cache.holds.get(&m.lead_id).is_none_or(|t| *t <= now))
            .map(|m| m.lead_id.clone())
            .collect();
        for id in due {
            cache.hold(&id, Some(now + Duration::seconds(60)), rules, now);
        }
    }

    /// The backend answered: the leads held back only for being offline are free again.
    fn back_online(&mut self, rules: &Rules, now: DateTime<Utc>) {
        let was_offline = self.offline_since.take().is_some();
        let Some(cache) = self.cache.as_mut().filter(|_| was_offline) else { return };
        let lift: Vec<String> = cache.holds.keys().filter(|id| !self.excluded.contains_key(*id)).cloned().collect();
        for id in lift {
            cache.hold(&id, None, rules, now);
        }
    }
}

/// A member's engine entry, its retry time pushed to `hold` when later.
fn held_entry(m: &Member, hold: Option<DateTime<Utc>>) -> QueueEntry {
    let mut e = entry(m);
    if hold.is_some() {
        e.lead.next_retry_at = e.lead.next_retry_at.max(hold);
    }
    e
}

/// What the session view is drawn from.
struct View {
    session: Session,
    ours: Vec<String>,
}

/// Above this many leads written since the last step, the members are read again whole.
const REREAD_ABOVE: usize = 2_000;

/// RFC 3339 with milliseconds: the window times a countdown by it.
fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    ringdesk_store::parse_ts(s)
}

fn hm(what: &str, s: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| IpcError::invalid(format!("The {what} {s:?} is not a time such as 08:00.")).on_field(what))
}

fn zone(z: &str) -> Result<Tz> {
    z.trim()
        .parse::<Tz>()
        .map_err(|_| IpcError::invalid(format!("{z:?} is not an IANA time zone such as America/Denver.")))
}

fn days(text: &str) -> Vec<Weekday> {
    text.split(',').filter_map(|d| DAYS.iter().find(|(k, _)| *k == d.trim()).map(|(_, w)| *w)).collect()
}

fn retry_of(v: &Json) -> Option<Retry> {
    match v {
        Json::Number(n) => n.as_u64().map(|m| Retry::After(Duration::minutes(m as i64))),
        Json::String(s) if s == "next_day" => Some(Retry::NextDay),
        Json::String(s) if s == "final" || s == "never" => Some(Retry::Final),
        _ => None,
    }
}

fn retry_json(r: RetryAfter) -> Json {
    match r {
        RetryAfter::Minutes { minutes } => Json::from(minutes),
        RetryAfter::NextDay => Json::from("next_day"),
        RetryAfter::Never => Json::from("final"),
    }
}

fn retry_ipc(r: Retry) -> RetryAfter {
    match r {
        Retry::After(d) => RetryAfter::Minutes { minutes: d.num_minutes().max(0) as u32 },
        Retry::NextDay => RetryAfter::NextDay,
        Retry::Final => RetryAfter::Never,
    }
}

fn retry_rules(text: &str) -> RetryRules {
    let map: Map<String, Json> = serde_json::from_str(text).unwrap_or_default();
    map.iter().fold(RetryRules::default(), |rules, (k, v)| match retry_of(v) {
        Some(r) => rules.with(k, r),
        None => rules,
    })
}

/// The engine's view of a stored campaign. A value the web wrote that the engine cannot read
/// (a window such as "9am") takes the default, so a campaign never dials outside the law's hours.
fn rules_of(c: &store::Campaign) -> Rules {
    let window = match (hm("window start", &c.window_start), hm("window end", &c.window_end)) {
        (Ok(s), Ok(e)) => Window::new(s, e).unwrap_or(Window::FEDERAL),
        _ => Window::FEDERAL,
    };
    Rules {
        max_attempts: u32::try_from(c.max_attempts).unwrap_or(3).clamp(1, 20),
        window,
        excluded_days: days(&c.excluded_days),
        zone: c.timezone.as_deref().and_then(|z| zone(z).ok()).unwrap_or(DEFAULT_ZONE),
        retry: retry_rules(&c.retry_rules),
    }
}

fn order_of(o: &str) -> (Order, LeadOrder) {
    match o {
        "oldest_contact" => (Order::OldestContactFirst, LeadOrder::OldestContact),
        "highest_value" => (Order::HighestValueFirst, LeadOrder::HighestValue),
        "best_hour" => (Order::BestLocalHourFirst, LeadOrder::BestHour),
        _ => (Order::List, LeadOrder::List),
    }
}

fn order_key(o: LeadOrder) -> &'static str {
    match o {
        LeadOrder::List => "list",
        LeadOrder::OldestContact => "oldest_contact",
        LeadOrder::HighestValue => "highest_value",
        LeadOrder::BestHour => "best_hour",
    }
}

fn mode_of(c: &store::Campaign) -> Mode {
    match c.dial_mode.as_str() {
        "progressive" | "predictive" => Mode::progressive(Duration::seconds(c.countdown_seconds)),
        _ => Mode::Preview,
    }
}

fn status_of(s: &str) -> CampaignStatus {
    match s {
        "active" => CampaignStatus::Active,
        "paused" => CampaignStatus::Paused,
        "completed" => CampaignStatus::Completed,
        _ => CampaignStatus::Draft,
    }
}

fn entry(m: &Member) -> QueueEntry {
    QueueEntry {
        id: m.lead_id.clone(),
        position: m.position,
        last_contact: m.last_contact.as_deref().and_then(parse_ts),
        value: m.value,
        lead: EngineLead {
            status: m.status.clone(),
            phone_e164: m.phone_e164.clone(),
            timezone: m.timezone.clone(),
            attempts: m.attempts,
            last_outcome: m.last_outcome.clone(),
            next_retry_at: m.next_retry_at.as_deref().and_then(parse_ts),
            unfinished_since: match m.last_outcome {
                None => m.last_called_at.as_deref().and_then(parse_ts),
                Some(_) => None,
            },
            recent_calls: m.recent_calls.iter().filter_map(|t| parse_ts(t)).collect(),
        },
    }
}

/// Where each lead stands now.
fn progress(rules: &Rules, queue: &[QueueEntry], now: DateTime<Utc>) -> CampaignProgress {
    let decided: Vec<_> = queue.iter().map(|e| rules::eligibility(&e.lead, rules, Places::embedded(), now)).collect();
    progress_of(queue, &decided)
}

/// [`progress`] from each lead's decision, made once.
fn progress_of(queue: &[QueueEntry], decided: &[std::result::Result<rules::Placement, Blocked>]) -> CampaignProgress {
    let mut p = CampaignProgress { total: queue.len() as u32, ..CampaignProgress::default() };
    for (e, d) in queue.iter().zip(decided) {
        p.dials += e.lead.attempts;
        match d {
            Ok(_) => p.ready += 1,
            Err(Blocked::OutsideWindow { .. }) => p.waiting_for_window += 1,
            Err(Blocked::RetryLater { .. } | Blocked::Unfinished { .. } | Blocked::DailyCap { .. }) => {}
            Err(_) => p.done += 1,
        }
    }
    p.remaining = p.total - p.done;
    p
}

/// Since when calls count for the three-calls-a-day cap.
fn cap_since(now: DateTime<Utc>) -> String {
    ringdesk_store::format_ts(now - Duration::hours(24))
}

/// The caller ID the lead will see: local presence's pick among `ours`, else the campaign's,
/// else the one in Settings (`None`).
fn caller_id(c: &store::Campaign, ours: &[String], lead: &Member) -> Option<String> {
    if c.local_presence
        && let Some(n) = rules::local_presence(lead.phone_e164.as_deref().unwrap_or(""), ours, Places::embedded())
    {
        return Some(n.to_string());
    }
    c.from_number.clone()
}

/// Why the session moved past `name` without calling it.
fn set_aside_notice(offline: bool, name: &str) -> String {
    if offline {
        format!("Offline: {name} is not assigned to you, so it waits for the connection.")
    } else {
        format!("{name} is being called by another agent; moved on.")
    }
}

/// Whether a lead is this agent's to call without a lease (offline): assigned to them, or theirs
/// and assigned to nobody.
fn is_mine(m: &Member, me: Option<&str>) -> bool {
    let Some(me) = me else { return false };
    match m.assigned_to.as_deref() {
        Some(a) => a == me,
        None => m.user_id.as_deref() == Some(me),
    }
}

/// The attempt's outcome and when its lead may be tried again, written with the wrap-up (one
/// transaction): called by `dispose_call` for a campaign's call.
pub(crate) fn record_outcome(w: &mut Write<'_>, call_log_id: &str, outcome: &str) -> ringdesk_store::Result<()> {
    let Some((attempt, campaign_id, lead_id)) = store::attempt_of_call(w, call_log_id)? else { return Ok(()) };
    let c = store::get(w, &campaign_id)?;
    let rules = rules_of(&c);
    let lead = ringdesk_store::leads::get(w, &lead_id)?;
    let engine = EngineLead { phone_e164: lead.phone_e164, timezone: lead.timezone, ..EngineLead::default() };
    let now = Utc::now();
    let next = match rules::place(&engine, &rules, Places::embedded()) {
        Ok(placement) => rules::next_retry(outcome, now, &rules, &placement),
        Err(_) => None,
    };
    store::set_outcome(w, &attempt, outcome, next.map(ringdesk_store::format_ts).as_deref())
}

impl crate::App {
    fn validate(&self, d: &CampaignDraft) -> Result<(String, store::Settings)> {
        let name = d.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(IpcError::invalid("Name the campaign (1–120 characters).").on_field("name"));
        }
        let list = self.store.read(|r| ringdesk_store::lists::get(r, &d.list_id)).map_err(|_| {
            IpcError::invalid(format!("The list {:?} does not exist (or was deleted).", d.list_id)).on_field("listId")
        })?;
        if list.member_count == 0 {
            return Err(IpcError::invalid(format!("The list {:?} has no leads.", list.name)).on_field("listId"));
        }
        let dialable = self.store.read(|r| store::dialable_members(r, &d.list_id))?;
        if dialable == 0 {
            return Err(IpcError::invalid(format!(
                "No lead of the list {:?} has a number Ringdesk can call; fix their numbers first.",
                list.name
            ))
            .on_field("listId"));
        }
        let max_attempts = d.max_attempts.unwrap_or(3);
        if !(1..=20).contains(&max_attempts) {
            return Err(IpcError::invalid("Max attempts must be between 1 and 20.").on_field("maxAttempts"));
        }
        let countdown = d.countdown_seconds.unwrap_or(5);
        if countdown > 30 {
            return Err(IpcError::invalid("The countdown is 0 to 30 seconds.").on_field("countdownSeconds"));
        }
        let start = d.window_start.as_deref().unwrap_or("08:00");
        let end = d.window_end.as_deref().unwrap_or("21:00");
        let (s, e) = (hm("windowStart", start)?, hm("windowEnd", end)?);
        Window::new(s, e).and_then(|w| w.within(Window::FEDERAL)).map_err(|err| {
            IpcError::invalid(format!("The calling window {start}–{end}: {err}.")).on_field("windowEnd")
        })?;
        let mut excluded = Vec::new();
        for day in &d.excluded_days {
            let day = day.trim().to_ascii_lowercase();
            let Some((key, _)) = DAYS.iter().find(|(k, _)| day.starts_with(k)) else {
                return Err(
                    IpcError::invalid(format!("{day:?} is not a weekday (mon … sun).")).on_field("excludedDays")
                );
            };
            if !excluded.contains(key) {
                excluded.push(*key);
            }
        }
        if excluded.len() == 7 {
            return Err(IpcError::invalid("A campaign needs at least one day to call on.").on_field("excludedDays"));
        }
        let timezone = d.timezone.as_deref().map(str::trim).filter(|z| !z.is_empty());
        if let Some(z) = timezone {
            zone(z).map_err(|e| e.on_field("timezone"))?;
        }
        let region = self.region()?;
        let caller_id = match d.caller_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(number("Caller ID", c, region).map_err(|e| e.on_field("callerId"))?),
            None => None,
        };
        let mut retry = Map::new();
        let defaults = RetryRules::default();
        for r in &d.retry {
            let key = r.outcome.trim();
            if key.is_empty() || key.len() > 40 {
                return Err(IpcError::invalid("A retry rule needs its outcome.").on_field("retry"));
            }
            if let RetryAfter::Minutes { minutes } = r.retry
                && !(1..=60 * 24 * 30).contains(&minutes)
            {
                return Err(IpcError::invalid(format!("Retry {key} after 1 minute to 30 days.")).on_field("retry"));
            }
            if retry_ipc(defaults.for_outcome(key)) != r.retry {
                retry.insert(key.to_string(), retry_json(r.retry));
            }
        }
        let settings = store::Settings {
            name: name.to_string(),
            dial_mode: match d.mode {
                DialMode::Preview => "preview",
                DialMode::Progressive => "progressive",
            }
            .to_string(),
            from_number: caller_id,
            max_attempts: i64::from(max_attempts),
            timezone: timezone.map(str::to_string),
            window_start: s.format("%H:%M").to_string(),
            window_end: e.format("%H:%M").to_string(),
            excluded_days: excluded.join(","),
            lead_order: order_key(d.order).to_string(),
            countdown_seconds: i64::from(countdown),
            retry_rules: Json::Object(retry),
            local_presence: d.local_presence,
        };
        Ok((d.list_id.clone(), settings))
    }

    fn summary(&self, c: &store::Campaign, now: DateTime<Utc>) -> Result<CampaignSummary> {
        let rules = rules_of(c);
        let members = self.store.read(|r| store::members(r, &c.id, &cap_since(now)))?;
        let queue: Vec<QueueEntry> = members.iter().map(entry).collect();
        Ok(CampaignSummary {
            id: c.id.clone(),
            name: c.name.clone(),
            list_id: c.list_id.clone(),
            list_name: c.list_name.clone(),
            status: status_of(&c.status),
            mode: if matches!(mode_of(c), Mode::Preview) { DialMode::Preview } else { DialMode::Progressive },
            caller_id: c.from_number.clone(),
            local_presence: c.local_presence,
            max_attempts: rules.max_attempts,
            retry: rules
                .retry
                .entries()
                .map(|(k, r)| RetryRule { outcome: k.to_string(), retry: retry_ipc(r) })
                .collect(),
            window_start: rules.window.start().format("%H:%M").to_string(),
            window_end: rules.window.end().format("%H:%M").to_string(),
            excluded_days: c.excluded_days.split(',').filter(|d| !d.is_empty()).map(str::to_string).collect(),
            order: order_of(&c.lead_order).1,
            countdown_seconds: u32::try_from(c.countdown_seconds).unwrap_or(5),
            timezone: rules.zone.name().to_string(),
            created_at: c.created_at.clone(),
            started_at: c.started_at.clone(),
            completed_at: c.completed_at.clone(),
            progress: progress(&rules, &queue, now),
        })
    }

    /// The retry rules a new campaign starts with, one per outcome.
    pub fn campaign_retry_defaults(&self) -> Vec<RetryRule> {
        RetryRules::default()
            .entries()
            .map(|(k, r)| RetryRule { outcome: k.to_string(), retry: retry_ipc(r) })
            .collect()
    }

    /// Creates a draft campaign over a CRM list.
    pub fn create_campaign(&self, draft: &CampaignDraft) -> Result<CampaignSummary> {
        let (list_id, settings) = self.validate(draft)?;
        let id = self.store.write(|w| store::create(w, &list_id, &settings))?;
        let c = self.store.read(|r| store::get(r, &id))?;
        self.summary(&c, Utc::now())
    }

    /// Replaces a campaign's settings (its list stays).
    pub fn update_campaign(&self, id: &str, draft: &CampaignDraft) -> Result<CampaignSummary> {
        let before = self.store.read(|r| store::get(r, id))?;
        let draft = CampaignDraft { list_id: before.list_id.clone(), ..draft.clone() };
        let (_, settings) = self.validate(&draft)?;
        self.store.write(|w| store::edit(w, id, &settings))?;
        lock(&self.dialer.0).remove(id);
        let c = self.store.read(|r| store::get(r, id))?;
        self.summary(&c, Utc::now())
    }

    /// Every campaign with its progress, newest first.
    pub fn list_campaigns(&self) -> Result<Vec<CampaignSummary>> {
        let now = Utc::now();
        let all = self.store.read(|r| store::all(r))?;
        all.iter().map(|c| self.summary(c, now)).collect()
    }

    pub fn get_campaign(&self, id: &str) -> Result<CampaignSummary> {
        let c = self.store.read(|r| store::get(r, id))?;
        self.summary(&c, Utc::now())
    }

    /// Starts, pauses, resumes, completes, duplicates or deletes (a draft only) a campaign;
    /// answers with the campaign as it is afterwards (the copy, for a duplicate).
    pub fn campaign_action(&self, id: &str, action: CampaignAction) -> Result<Option<CampaignSummary>> {
        let c = self.store.read(|r| store::get(r, id))?;
        let status = status_of(&c.status);
        let refuse = |what: &str| {
            Err(IpcError::new(
                ErrorCode::Conflict,
                format!("The campaign {:?} is {}; it cannot be {what}.", c.name, c.status),
            ))
        };
        let next = match action {
            CampaignAction::Start if status == CampaignStatus::Draft || status == CampaignStatus::Paused => "active",
            CampaignAction::Resume if status == CampaignStatus::Paused => "active",
            CampaignAction::Pause if status == CampaignStatus::Active => "paused",
            CampaignAction::Complete if status != CampaignStatus::Completed => "completed",
            CampaignAction::Delete if status == CampaignStatus::Draft => {
                self.store.write(|w| store::delete(w, id))?;
                lock(&self.dialer.0).remove(id);
                return Ok(None);
            }
            CampaignAction::Duplicate => {
                let copy = store::Settings {
                    name: format!("{} (copy)", c.name).chars().take(120).collect(),
                    dial_mode: c.dial_mode.clone(),
                    from_number: c.from_number.clone(),
                    max_attempts: c.max_attempts,
                    timezone: c.timezone.clone(),
                    window_start: c.window_start.clone(),
                    window_end: c.window_end.clone(),
                    excluded_days: c.excluded_days.clone(),
                    lead_order: c.lead_order.clone(),
                    countdown_seconds: c.countdown_seconds,
                    retry_rules: serde_json::from_str(&c.retry_rules).unwrap_or(Json::Object(Map::new())),
                    local_presence: c.local_presence,
                };
                let new_id = self.store.write(|w| store::create(w, &c.list_id, &copy))?;
                let n = self.store.read(|r| store::get(r, &new_id))?;
                return self.summary(&n, Utc::now()).map(Some);
            }
            CampaignAction::Start | CampaignAction::Resume => return refuse("started"),
            CampaignAction::Pause => return refuse("paused"),
            CampaignAction::Complete => return refuse("completed"),
            CampaignAction::Delete => return refuse("deleted (only a draft can be; complete it instead)"),
        };
        self.store.write(|w| store::set_status(w, id, next))?;
        if next != "active" {
            self.release_all(id);
        }
        let c = self.store.read(|r| store::get(r, id))?;
        self.summary(&c, Utc::now()).map(Some)
    }

    /// Gives back every lease this desktop holds on the campaign (best effort: they expire).
    fn release_all(&self, id: &str) {
        let held: Vec<String> = match lock(&self.dialer.0).get_mut(id) {
            Some(live) => live.held.drain().map(|(k, _)| k).collect(),
            None => return,
        };
        self.release_leases(id, held);
    }

    /// Gives the leases on `held` back, so other agents may call those leads at once.
    fn release_leases(&self, id: &str, held: Vec<String>) {
        if !held.is_empty()
            && let Err(e) = self.sync.claim(id, &[], self.lease_seconds, &held)
        {
            tracing::debug!(error = %e.message, "leases not given back; they expire");
        }
    }

    /// Until when a lead another agent holds is set aside: its lease time (at most 2 min), after
    /// which the backend is asked again.
    fn set_aside(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::seconds(i64::from(self.lease_seconds.min(120)))
    }

    /// This desktop's agent: as the backend last said (`sync.whoami`), else as the sign-in or a
    /// lease named them.
    pub(crate) fn me(&self) -> Option<String> {
        self.store
            .read(|r| {
                Ok::<_, ringdesk_store::StoreError>(match replica::state(r, replica::AGENT)? {
                    Some(a) => Some(a),
                    None => kv::get::<String>(r, BACKEND_USER)?,
                })
            })
            .ok()
            .flatten()
            .filter(|s| !s.is_empty())
    }

    /// Right before `lead` is dialed: its lease lengthened to the unfinished call's hold
    /// (`UNFINISHED_HOLD`, two hours), so the backend keeps the lead this agent's until the
    /// attempt's outcome arrives through the outbox (which ends the lease), even when this desktop
    /// loses the backend during the call and the outcome waits. With the short lease alone, a
    /// desktop cut off in a call lost the lead when the lease expired and another agent dialed it
    /// again before the outcome arrived (the two-agent test's network faults found it). `Ok(false)`:
    /// the lead is no longer this agent's to dial (another agent took it, or, offline, it is not
    /// assigned to this agent).
    fn hold_for_dial(
        &self,
        campaign: &str,
        live: &mut Live,
        lead: &Member,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let hold = u32::try_from(ringdesk_dialer::rules::UNFINISHED_HOLD.num_seconds()).unwrap_or(7200);
        self.claim_leads(campaign, live, lead, std::slice::from_ref(&lead.lead_id), hold, rules, now)
    }

    /// Reserves `lead` (and the next ones) for this agent. `Ok(false)`: another agent holds it,
    /// or, offline, it is not this agent's.
    fn reserve(
        &self,
        campaign: &str,
        live: &mut Live,
        lead: &Member,
        ahead: &[String],
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let half = Duration::seconds(i64::from(self.lease_seconds / 2));
        if live.held.get(&lead.lead_id).is_some_and(|until| *until > now + half) {
            return Ok(true);
        }
        let mut ids = vec![lead.lead_id.clone()];
        ids.extend(ahead.iter().filter(|id| !live.held.contains_key(*id)).cloned());
        self.claim_leads(campaign, live, lead, &ids, self.lease_seconds, rules, now)
    }

    /// Claims `ids` (`lead` among them) on the backend for `seconds`: the granted ones are held
    /// until the backend says, the others set aside. Whether `lead` is this agent's to call now:
    /// granted, or with no backend to share the campaign with, or, offline, assigned to this agent.
    #[allow(clippy::too_many_arguments)]
    fn claim_leads(
        &self,
        campaign: &str,
        live: &mut Live,
        lead: &Member,
        ids: &[String],
        seconds: u32,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        match self.sync.claim(campaign, ids, seconds, &[]) {
            Ok(answer) => {
                live.back_online(rules, now);
                if let Some(agent) = answer.get("agent").and_then(Json::as_str)
                    && self.me().as_deref() != Some(agent)
                {
                    let agent = agent.to_string();
                    self.store.write(|w| kv::set(w, BACKEND_USER, &agent))?;
                }
                let until = answer
                    .get("until")
                    .and_then(Json::as_str)
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map_or(now + Duration::seconds(i64::from(seconds)), |t| t.with_timezone(&Utc));
                let granted: HashSet<&str> = answer
                    .get("granted")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .collect();
                for id in ids {
                    if granted.contains(id.as_str()) {
                        live.held.insert(id.clone(), until);
                    } else {
                        live.held.remove(id);
                        live.set_aside(id, self.set_aside(now), rules, now);
                    }
                }
                Ok(granted.contains(lead.lead_id.as_str()))
            }
            // Nobody to share the campaign with.
            Err(e) if e.code == ErrorCode::NotConfigured => Ok(true),
            Err(e) if e.code == ErrorCode::Offline => {
                live.went_offline();
                Ok(is_mine(lead, self.me().as_deref()))
            }
            Err(e) => Err(e),
        }
    }

    /// The project's numbers for local presence (an empty list when SignalWire is not set up).
    fn our_numbers(&self) -> Vec<String> {
        self.list_numbers().map(|ns| ns.into_iter().map(|n| n.phone_number).collect()).unwrap_or_default()
    }

    /// Brings the session's members up to date: read whole on its first step, when the campaign
    /// (its rules, order or list) or its list's members changed, or when more changed than the
    /// store's journal itemises; else only the leads written since the last step.
    fn refresh_members(
        &self,
        c: &store::Campaign,
        rules: &Rules,
        order: Order,
        live: &mut Live,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let version = (c.updated_at.clone(), c.list_id.clone());
        let cursor = live.cache.as_ref().filter(|k| k.version == version && k.order == order).map_or(0, |k| k.cursor);
        let changes = self.store.changes_since(cursor);
        let since = cap_since(now);
        if let Some(cache) = live.cache.as_mut()
            && cursor != 0
            && !changes.all
            && !changes.lists.contains(&c.list_id)
            && changes.leads.len() <= REREAD_ABOVE
        {
            let mut gone = false;
            for id in &changes.leads {
                let Some(&i) = cache.by_id.get(id) else { continue };
                match self.store.read(|r| store::member(r, &c.id, id, &since))? {
                    Some(m) => {
                        cache.members[i] = Member { position: cache.members[i].position, ..m };
                        let e = held_entry(&cache.members[i], cache.holds.get(id).copied());
                        cache.index.replace(i, e, rules, now);
                    }
                    // Deleted, or taken off the list: the members are read again.
                    None => {
                        gone = true;
                        break;
                    }
                }
            }
            if !gone {
                cache.cursor = changes.cursor;
                return Ok(());
            }
        }
        let members = self.store.read(|r| store::members(r, &c.id, &since))?;
        let mut holds = live.cache.take().map(|k| k.holds).unwrap_or_default();
        holds.retain(|_, until| *until > now);
        let entries = members.iter().map(|m| held_entry(m, holds.get(&m.lead_id).copied())).collect();
        let index = Index::new(entries, order, rules, &live.session.skipped(), now);
        let by_id = members.iter().enumerate().map(|(i, m)| (m.lead_id.clone(), i)).collect();
        live.cache =
            Some(Cache { version, cursor: changes.cursor, order, members, by_id, index, holds, figures: None });
        Ok(())
    }

    /// The agent's session on a campaign: `command` applied, then where it stands. The session
    /// dials by itself when the engine says so (a progressive countdown that ran out, a zero
    /// countdown after a saved wrap-up); the call it placed is in `placed`.
    pub fn campaign_session(&self, id: &str, command: SessionCommand) -> Result<CampaignSession> {
        let c = self.store.read(|r| store::get(r, id))?;
        let rules = rules_of(&c);
        let (order, _) = order_of(&c.lead_order);
        let mode = mode_of(&c);
        let now = Utc::now();
        let me = self.me();
        let mut sessions = lock(&self.dialer.0);
        if !sessions.contains_key(id) {
            let (paused, skipped) = self.store.read(|r| store::session(r, id))?;
            sessions.insert(
                id.to_string(),
                Live {
                    session: Session::restore(mode, order, paused, skipped),
                    attempt: None,
                    held: HashMap::new(),
                    excluded: HashMap::new(),
                    ours: None,
                    offline_since: None,
                    cache: None,
                },
            );
        }
        let Some(live) = sessions.get_mut(id) else { return Err(IpcError::new(ErrorCode::Internal, "no session")) };
        self.refresh_members(&c, &rules, order, live, now)?;
        if c.local_presence && live.ours.is_none() {
            live.ours = Some(self.our_numbers());
        }
        let mut notice = None;
        let mut placed = None;
        if c.status == "active" {
            // A session opened in this process starts by offering its first lead, then applies
            // the agent's command to it.
            let idle = !live.session.in_call()
                && live.session.current().is_none()
                && !live.session.waiting()
                && !live.session.is_finished();
            let mut then =
                (idle && matches!(command, SessionCommand::DialNow | SessionCommand::Skip)).then_some(command);
            let mut step = Some(if then.is_some() { SessionCommand::Refresh } else { command });
            for _ in 0..50 {
                let Some(s) = step.take().or_else(|| then.take()) else { break };
                live.excluded.retain(|_, until| *until > now);
                // A sync cycle reached the backend since the session went offline: the leads held
                // back for being offline are free again (the next claim decides), instead of
                // waiting out their minute.
                if let Some(since) = live.offline_since
                    && let Some(synced) = self.sync_status().last_synced_at.as_deref().and_then(parse_ts)
                    && synced > since
                {
                    live.back_online(&rules, now);
                }
                if live.offline() {
                    live.hold_others(me.as_deref(), &rules, now);
                }
                let Some(cache) = live.cache.as_ref() else { break };
                let cx = Context { queue: cache.index.leads(), campaign: &rules, places: Places::embedded(), now };
                let action = match s {
                    SessionCommand::Refresh => {
                        if live.session.in_call() {
                            let saved = match &live.attempt {
                                Some(a) => self.store.read(|r| store::has_outcome(r, a))?,
                                None => true,
                            };
                            if saved {
                                live.attempt = None;
                                live.session.wrap_up_saved(&cx)
                            } else {
                                Action::Nothing
                            }
                        } else if live.session.current().is_none() && !live.session.waiting() {
                            live.session.advance(&cx)
                        } else {
                            live.session.tick(&cx)
                        }
                    }
                    SessionCommand::DialNow => live.session.dial_now(&cx),
                    SessionCommand::Skip => live.session.skip(&cx),
                    SessionCommand::Pause => {
                        live.session.pause();
                        Action::Nothing
                    }
                    SessionCommand::Resume => live.session.resume(&cx),
                    SessionCommand::End => {
                        live.session.end();
                        Action::Nothing
                    }
                };
                let member = |lead_id: &str| cache.by_id.get(lead_id).map(|&i| cache.members[i].clone());
                match action {
                    Action::Dial { lead_id, .. } => {
                        let Some(m) = member(&lead_id) else { break };
                        let ahead: Vec<String> = upcoming(&cx, order, &HashSet::new(), PREFETCH + 1)
                            .into_iter()
                            .map(|(e, _)| e)
                            .filter(|e| *e != lead_id)
                            .take(PREFETCH)
                            .collect();
                        if !self.reserve(id, live, &m, &ahead, &rules, now)?
                            || !self.hold_for_dial(id, live, &m, &rules, now)?
                        {
                            notice = Some(set_aside_notice(live.offline(), &m.name));
                            live.set_aside(&lead_id, self.set_aside(now), &rules, now);
                            // Out of the call the engine just started, on to the next lead.
                            step = Some(SessionCommand::Refresh);
                            live.attempt = None;
                            continue;
                        }
                        let caller_id = caller_id(&c, live.ours.as_deref().unwrap_or(&[]), &m);
                        let req = PlaceCall {
                            to: m.phone_e164.clone().unwrap_or_default(),
                            lead_id: Some(lead_id.clone()),
                            caller_id: caller_id.clone(),
                            ..PlaceCall::default()
                        };
                        match self.place_call(&req) {
                            Ok(call) => {
                                let attempt = self.store.write(|w| {
                                    store::insert_attempt(
                                        w,
                                        &store::NewAttempt {
                                            campaign_id: id,
                                            lead_id: &lead_id,
                                            call_log_id: &call.call_log_id,
                                            agent_id: me.as_deref(),
                                            from_number: caller_id.as_deref(),
                                        },
                                    )
                                })?;
                                live.attempt = Some(attempt);
                                placed = Some(call);
                            }
                            Err(e) => {
                                // Nothing rang: the session stops until the agent fixes it.
                                live.session.pause();
                                if let Some(cache) = live.cache.as_ref() {
                                    let cx = Context {
                                        queue: cache.index.leads(),
                                        campaign: &rules,
                                        places: Places::embedded(),
                                        now,
                                    };
                                    live.session.wrap_up_saved(&cx);
                                }
                                self.store.write(|w| store::save_session(w, id, true, &live.session.skipped()))?;
                                return Err(e);
                            }
                        }
                    }
                    Action::Show { lead_id, .. } | Action::DialAt { lead_id, .. } => {
                        // Reserve the offered lead now, so Dial (or the countdown) rings at once.
                        if let Some(m) = member(&lead_id)
                            && !self.reserve(id, live, &m, &[], &rules, now)?
                        {
                            notice = Some(set_aside_notice(live.offline(), &m.name));
                            live.set_aside(&lead_id, self.set_aside(now), &rules, now);
                            step = Some(SessionCommand::DialNow);
                        }
                    }
                    _ => {}
                }
            }
            if live.offline() && notice.is_none() {
                notice = Some("Offline: only the leads assigned to you are called until the backend is back.".into());
            }
        }
        let paused = live.session.is_paused();
        let skipped = live.session.skipped();
        if command == SessionCommand::End {
            let ended = sessions.remove(id);
            drop(sessions);
            let Some(ended) = ended else { return Err(IpcError::new(ErrorCode::Internal, "no session")) };
            self.release_leases(id, ended.held.into_keys().collect());
            self.store.write(|w| store::forget_session(w, id))?;
            let Some(mut cache) = ended.cache else { return Err(IpcError::new(ErrorCode::Internal, "no session")) };
            return self.session_view(&c, &rules, &mut cache, None, now, placed, notice, SessionCommand::End);
        }
        self.store.write(|w| store::save_session(w, id, paused, &skipped))?;
        let view = View { session: live.session.clone(), ours: live.ours.clone().unwrap_or_default() };
        let Some(cache) = live.cache.as_mut() else { return Err(IpcError::new(ErrorCode::Internal, "no session")) };
        let out = self.session_view(&c, &rules, cache, Some(view), now, placed, notice, command);
        drop(sessions);
        if command == SessionCommand::Pause {
            self.release_all(id);
        }
        out
    }

    /// The figures of the view that decide every lead: the progress, the five leads whose time
    /// comes first, and the leads passed over with why.
    fn figures(rules: &Rules, cache: &Cache, now: DateTime<Utc>) -> Figures {
        cache.index.with_entries(|queue| {
            let decided: Vec<std::result::Result<rules::Placement, Blocked>> =
                queue.iter().map(|e| rules::eligibility(&e.lead, rules, Places::embedded(), now)).collect();
            let mut opening: Vec<(DateTime<Utc>, usize)> = decided
                .iter()
                .enumerate()
                .filter_map(|(i, d)| match d {
                    Err(Blocked::OutsideWindow { opens_at: Some(at) }) => Some((*at, i)),
                    Err(
                        Blocked::RetryLater { at }
                        | Blocked::Unfinished { until: at }
                        | Blocked::DailyCap { until: at, .. },
                    ) => Some((*at, i)),
                    _ => None,
                })
                .collect();
            opening.sort_unstable();
            let mut waiting: Vec<(DateTime<Utc>, String, Tz)> = Vec::new();
            for (at, i) in opening {
                if waiting.len() >= 5 && waiting.last().is_some_and(|(last, _, _)| *last <= at) {
                    break;
                }
                let e = &queue[i];
                // Held back for another agent or for being offline: not the lead's own time.
                if cache.holds.contains_key(&e.id) {
                    continue;
                }
                let Ok(placement) = rules::place(&e.lead, rules, Places::embedded()) else { continue };
                // A retry time may fall outside the window: shown is when it can be called.
                let at = if placement.hours.open_in_all(&placement.zones, at) {
                    at
                } else {
                    match placement.hours.next_open(&placement.zones, at) {
                        Some(t) => t,
                        None => continue,
                    }
                };
                let z = placement.zones.first().copied().unwrap_or(rules.zone);
                waiting.push((at, e.id.clone(), z));
                waiting.sort_by_key(|(t, _, _)| *t);
                waiting.truncate(5);
            }
            let passed_over: Vec<PassedLead> = decided
                .iter()
                .zip(queue)
                .filter_map(|(d, e)| match d {
                    Err(b @ (Blocked::DoNotCall | Blocked::NoNumber | Blocked::NoLegalHours(_)))
                        if e.lead.attempts == 0 =>
                    {
                        Some(PassedLead {
                            lead_id: e.id.clone(),
                            name: cache.by_id.get(&e.id).map(|&i| cache.members[i].name.clone()).unwrap_or_default(),
                            reason: crate::capitalize(&b.to_string()),
                        })
                    }
                    _ => None,
                })
                .take(20)
                .collect();
            Figures { cursor: cache.cursor, at: now, progress: progress_of(queue, &decided), waiting, passed_over }
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn session_view(
        &self,
        c: &store::Campaign,
        rules: &Rules,
        cache: &mut Cache,
        live: Option<View>,
        now: DateTime<Utc>,
        placed: Option<crate::ipc::PlacedCall>,
        notice: Option<String>,
        command: SessionCommand,
    ) -> Result<CampaignSession> {
        let region = self.region()?;
        let card = |cache: &Cache, id: &str, caller_id: Option<String>| -> Option<SessionLead> {
            let m = &cache.members[*cache.by_id.get(id)?];
            let e = entry(m);
            let placement = rules::place(&e.lead, rules, Places::embedded()).ok();
            let why = match rules::eligibility(&e.lead, rules, Places::embedded(), now) {
                Ok(p) => format!(
                    "In its window {} ({}); attempt {} of {}",
                    p.hours.window,
                    p.zones.first().map(|z| now.with_timezone(z).format("%H:%M %Z").to_string()).unwrap_or_default(),
                    m.attempts + 1,
                    rules.max_attempts
                ),
                Err(b) => crate::capitalize(&b.to_string()),
            };
            let zone = placement.as_ref().and_then(|p| p.zones.first().copied());
            Some(SessionLead {
                lead_id: m.lead_id.clone(),
                name: m.name.clone(),
                company: m.company.clone(),
                status: m.status.clone(),
                number: m.phone_e164.clone(),
                contact_display: m.phone_e164.as_deref().map(|n| crate::leads::display_number(n, region)),
                attempts: m.attempts,
                max_attempts: rules.max_attempts,
                last_call_at: m.last_called_at.clone(),
                last_outcome: m.last_outcome.clone(),
                // The last call's note, else the lead's own notes.
                last_note: self
                    .store
                    .read(|r| store::last_call_note(r, &m.lead_id))
                    .ok()
                    .flatten()
                    .or_else(|| m.notes.clone()),
                local_time: zone.map(|z| now.with_timezone(&z).to_rfc3339_opts(SecondsFormat::Secs, false)),
                zone: zone.map(|z| z.name().to_string()),
                zone_assumed: placement.as_ref().is_some_and(|p| p.zone_assumed),
                state: placement.as_ref().and_then(|p| p.state.clone()),
                why,
                caller_id,
            })
        };
        let (state, lead, dial_at, wait_until, upcoming_ids) = match &live {
            _ if c.status != "active" => (SessionState::Inactive, None, None, None, vec![]),
            None => (SessionState::Finished, None, None, None, vec![]),
            Some(View { session: s, .. }) => {
                let current = s.current().map(str::to_string);
                let state = if command == SessionCommand::End || s.is_finished() {
                    SessionState::Finished
                } else if s.in_call() {
                    SessionState::InCall
                } else if s.is_paused() {
                    SessionState::Paused
                } else if s.waiting() {
                    SessionState::Waiting
                } else if s.due_at().is_some() {
                    SessionState::Countdown
                } else {
                    SessionState::Offering
                };
                let cx = Context { queue: cache.index.leads(), campaign: rules, places: Places::embedded(), now };
                let skipped: HashSet<String> = s.skipped().into_iter().collect();
                let next: Vec<String> = upcoming(&cx, s.order(), &skipped, 6)
                    .into_iter()
                    .map(|(e, _)| e)
                    .filter(|e| Some(e) != current.as_ref())
                    .take(5)
                    .collect();
                let due = s.due_at().map(ts);
                let (dial_at, wait_until) = if state == SessionState::Waiting {
                    (None, due)
                } else {
                    (due.filter(|_| state == SessionState::Countdown), None)
                };
                (state, current, dial_at, wait_until, next)
            }
        };
        // Every lead decided once for the progress, the waiting and the passed-over lists; kept
        // a few seconds while no lead changes (a countdown polls).
        let fresh = cache
            .figures
            .as_ref()
            .is_some_and(|f| f.cursor == cache.cursor && now - f.at < Duration::seconds(FIGURES_FOR) && now >= f.at);
        if !fresh || placed.is_some() {
            cache.figures = Some(Self::figures(rules, cache, now));
        }
        let Some(figures) = cache.figures.clone() else { return Err(IpcError::new(ErrorCode::Internal, "no figures")) };
        let ours = live.as_ref().map(|v| v.ours.clone()).unwrap_or_default();
        let caller = |id: &str| cache.by_id.get(id).and_then(|&i| caller_id(c, &ours, &cache.members[i]));
        Ok(CampaignSession {
            campaign_id: c.id.clone(),
            campaign_name: c.name.clone(),
            mode: if matches!(mode_of(c), Mode::Preview) { DialMode::Preview } else { DialMode::Progressive },
            state,
            lead: lead.as_deref().and_then(|id| card(cache, id, caller(id))),
            dial_at,
            wait_until,
            upcoming: upcoming_ids.iter().filter_map(|id| card(cache, id, caller(id))).collect(),
            waiting: figures
                .waiting
                .iter()
                .filter_map(|(at, id, z)| {
                    let m = &cache.members[*cache.by_id.get(id)?];
                    Some(WaitingLead {
                        lead_id: id.clone(),
                        name: m.name.clone(),
                        opens_at: ts(*at),
                        label: opens_label(*at, *z, now),
                    })
                })
                .collect(),
            passed_over: figures.passed_over,
            placed,
            notice,
            progress: figures.progress,
        })
    }

    /// A campaign's results: progress, dials, connects, conversations, talk time, outcomes,
    /// attempts per lead and dials per hour.
    pub fn campaign_stats(&self, id: &str) -> Result<CampaignStats> {
        let c = self.store.read(|r| store::get(r, id))?;
        let rules = rules_of(&c);
        let now = Utc::now();
        let members = self.store.read(|r| store::members(r, id, &cap_since(now)))?;
        let queue: Vec<QueueEntry> = members.iter().map(entry).collect();
        let attempts = self.store.read(|r| store::attempts(r, id))?;
        let threshold = crate::settings::conversation_seconds(&self.store)?;
        Ok(stats(id, progress(&rules, &queue, now), &members, &attempts, threshold))
    }

    /// Writes one row per lead (name, number, last outcome, attempts, last call, next retry,
    /// notes) to `path` as CSV, like the lead export.
    pub fn export_campaign(&self, id: &str, path: &str) -> Result<ExportReport> {
        let now = Utc::now();
        let members = self.store.read(|r| store::members(r, id, &cap_since(now)))?;
        let attempts = self.store.read(|r| store::attempts(r, id))?;
        let mut last_note: HashMap<&str, &str> = HashMap::new();
        for a in &attempts {
            if let Some(n) = a.notes.as_deref() {
                last_note.insert(a.lead_id.as_str(), n);
            }
        }
        crate::csv_io::write_rows(
            std::path::Path::new(path),
            &["name", "number", "last_outcome", "attempts", "last_call_at", "next_retry_at", "notes"],
            |emit| {
                for m in &members {
                    emit(&[
                        m.name.clone(),
                        m.phone_e164.clone().unwrap_or_default(),
                        m.last_outcome.clone().unwrap_or_default(),
                        m.attempts.to_string(),
                        m.last_called_at.clone().unwrap_or_default(),
                        m.next_retry_at.clone().unwrap_or_default(),
                        last_note.get(m.lead_id.as_str()).map(|s| s.to_string()).unwrap_or_default(),
                    ])?;
                }
                Ok(())
            },
        )
    }
}

/// How an unattended run wraps up its calls and when it stops.
#[derive(Debug, Clone)]
pub struct WorkOptions {
    /// The disposition of an answered call.
    pub answered_as: String,
    /// Stop after this many calls.
    pub max_calls: Option<u32>,
    /// Wait at most this long for a lead to become callable (another agent's lease, a window).
    pub max_wait: std::time::Duration,
}

/// A call an unattended run made.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkedCall {
    /// `dialed` when the call is placed, `wrapped` when its outcome is recorded.
    pub event: &'static str,
    pub lead_id: String,
    pub lead_name: String,
    pub call_log_id: String,
    /// How SignalWire says it ended.
    pub status: String,
    /// The outcome recorded.
    pub outcome: String,
}

/// The outcome an unattended run records for a bridge call that ended with `status`.
fn outcome_of_status(status: &str, answered_as: &str) -> String {
    match status {
        "completed" => answered_as,
        "busy" => "busy",
        "no-answer" => "no_answer",
        _ => "failed",
    }
    .to_string()
}

const FINAL_STATUSES: [&str; 5] = ["completed", "busy", "no-answer", "failed", "canceled"];

impl crate::App {
    /// Works a campaign without an agent at the keys (`ringdesk-cli campaign run`, for automation
    /// and tests): syncs, takes the session's next lead, places the call over the bridge route,
    /// follows it to its end and records how it ended (answered as `answered_as`, busy, no
    /// answer; a failed call's outcome without a wrap-up, so the agent still sees it), until the
    /// campaign has nothing callable within `max_wait` or `max_calls` were made.
    pub fn work_campaign(&self, id: &str, opts: &WorkOptions, on_call: &mut dyn FnMut(&WorkedCall)) -> Result<u32> {
        let (route, _, _) = crate::settings::calls(&self.store)?;
        if route != crate::ipc::CallRoute::Bridge {
            return Err(IpcError::invalid(
                "An unattended run places its calls over the bridge route: set the default route to bridge in Settings.",
            ));
        }
        let keys: Vec<String> = self.disposition_options()?.into_iter().map(|o| o.key).collect();
        if !keys.contains(&opts.answered_as) {
            return Err(IpcError::invalid(format!(
                "Unknown disposition {:?} for answered calls; use one of {}.",
                opts.answered_as,
                keys.join(", ")
            )));
        }
        // Calls this desktop placed before it stopped (a crash, a kill): followed to their end
        // and given their outcome first, so their leads are neither lost nor dialed twice.
        for (call_log_id, sid) in self.store.read(|r| store::unfinished_calls(r, id))? {
            let status = match sid {
                Some(sid) => self.follow_bridge_call(&sid)?,
                None => "failed".to_string(),
            };
            self.record_unattended(&call_log_id, &outcome_of_status(&status, &opts.answered_as))?;
        }
        let mut calls = 0u32;
        let mut waited = std::time::Duration::ZERO;
        loop {
            match self.sync_now() {
                Err(e) if e.code != ErrorCode::NotConfigured && e.code != ErrorCode::Offline => return Err(e),
                _ => {}
            }
            if opts.max_calls.is_some_and(|m| calls >= m) {
                break;
            }
            let mut s = self.campaign_session(id, SessionCommand::Refresh)?;
            if s.placed.is_none() {
                s = match s.state {
                    SessionState::Inactive => {
                        return Err(IpcError::new(
                            ErrorCode::Conflict,
                            format!("The campaign {:?} is not active.", s.campaign_name),
                        ));
                    }
                    SessionState::Finished => break,
                    SessionState::Paused => self.campaign_session(id, SessionCommand::Resume)?,
                    SessionState::Offering | SessionState::Countdown => {
                        self.campaign_session(id, SessionCommand::DialNow)?
                    }
                    SessionState::Waiting | SessionState::InCall => {
                        // Stop at once when the next lead opens later than the wait left.
                        let until = s.wait_until.as_deref().and_then(parse_ts);
                        let ahead = until.map(|t| (t - Utc::now()).to_std().unwrap_or_default());
                        if ahead.is_some_and(|a| waited + a > opts.max_wait) {
                            break;
                        }
                        let step = ahead
                            .unwrap_or(std::time::Duration::from_secs(1))
                            .clamp(std::time::Duration::from_millis(100), std::time::Duration::from_secs(1));
                        if waited + step > opts.max_wait {
                            break;
                        }
                        waited += step;
                        std::thread::sleep(step);
                        continue;
                    }
                };
            }
            let Some(placed) = s.placed else { continue };
            waited = std::time::Duration::ZERO;
            calls += 1;
            let Some(bridge) = placed.bridge else {
                return Err(IpcError::invalid("An unattended run follows bridge calls only."));
            };
            let lead_name = s.lead.as_ref().map(|l| l.name.clone()).unwrap_or_default();
            let mut worked = WorkedCall {
                event: "dialed",
                lead_id: placed.lead_id.clone().unwrap_or_default(),
                lead_name,
                call_log_id: placed.call_log_id.clone(),
                status: bridge.status.clone(),
                outcome: String::new(),
            };
            on_call(&worked);
            let status = self.follow_bridge_call(&bridge.sid)?;
            let outcome = outcome_of_status(&status, &opts.answered_as);
            self.record_unattended(&placed.call_log_id, &outcome)?;
            worked.event = "wrapped";
            worked.status = status;
            worked.outcome = outcome;
            on_call(&worked);
        }
        Ok(calls)
    }

    /// Polls a bridge call until SignalWire reports it ended; its final status.
    fn follow_bridge_call(&self, sid: &str) -> Result<String> {
        loop {
            let status = self.bridge_call_status(sid)?.status;
            if FINAL_STATUSES.contains(&status.as_str()) {
                return Ok(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// An unattended call's outcome: its wrap-up, or for a failed call the outcome alone (the
    /// call still waits for the agent's wrap-up).
    fn record_unattended(&self, call_log_id: &str, outcome: &str) -> Result<()> {
        if outcome == "failed" {
            self.store.write(|w| record_outcome(w, call_log_id, outcome))?;
            return Ok(());
        }
        self.dispose_call(&crate::ipc::DispositionRequest {
            call_log_id: call_log_id.to_string(),
            disposition: outcome.to_string(),
            notes: None,
            next_action: None,
            follow_up_at: None,
        })
        .map(|_| ())
    }
}

/// "08:00 in Denver, in 2 h 10 min".
fn opens_label(at: DateTime<Utc>, zone: Tz, now: DateTime<Utc>) -> String {
    let city = zone.name().rsplit('/').next().unwrap_or(zone.name()).replace('_', " ");
    let mins = (at - now).num_minutes().max(0);
    let wait = match (mins / 60, mins % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) if h < 48 => format!("{h} h {m} min"),
        (h, _) => format!("{} days", h / 24),
    };
    format!("{} in {city}, in {wait}", at.with_timezone(&zone).format("%H:%M"))
}

fn count_by(map: HashMap<String, u32>, numeric: bool) -> Vec<KeyCount> {
    let mut v: Vec<KeyCount> = map.into_iter().map(|(key, count)| KeyCount { key, count }).collect();
    if numeric {
        v.sort_by_key(|k| k.key.parse::<u32>().unwrap_or(u32::MAX));
    } else {
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    }
    v
}

fn stats(
    id: &str,
    progress: CampaignProgress,
    members: &[Member],
    attempts: &[store::AttemptRow],
    conversation_seconds: u32,
) -> CampaignStats {
    let mut outcomes: HashMap<String, u32> = HashMap::new();
    let (mut connects, mut conversations, mut talk) = (0u32, 0u32, 0i64);
    for a in attempts {
        *outcomes.entry(a.outcome.clone().unwrap_or_else(|| "none".into())).or_default() += 1;
        if a.answered_at.is_some() {
            connects += 1;
            let secs = a.duration_seconds.unwrap_or(0).max(0);
            talk += secs;
            if secs >= i64::from(conversation_seconds) {
                conversations += 1;
            }
        }
    }
    let mut per_lead: HashMap<String, u32> = HashMap::new();
    for m in members {
        *per_lead.entry(m.attempts.to_string()).or_default() += 1;
    }
    let first = attempts.first().map(|a| a.created_at.clone());
    let last = attempts.last().map(|a| a.ended_at.clone().unwrap_or_else(|| a.created_at.clone()));
    let span_h = match (first.as_deref().and_then(parse_ts), last.as_deref().and_then(parse_ts)) {
        (Some(a), Some(b)) => ((b - a).num_seconds().max(0) as f64 / 3600.0).max(1.0 / 60.0),
        _ => 0.0,
    };
    let dials = attempts.len() as u32;
    CampaignStats {
        campaign_id: id.to_string(),
        progress: CampaignProgress { dials, ..progress },
        connects,
        connect_rate: if dials == 0 { 0.0 } else { f64::from(connects) / f64::from(dials) },
        conversations,
        conversation_seconds,
        average_talk_seconds: if connects == 0 { 0.0 } else { talk as f64 / f64::from(connects) },
        outcomes: count_by(outcomes, false),
        attempts: count_by(per_lead, true),
        calls_per_hour: if span_h == 0.0 {
            0.0
        } else if span_h <= 1.0 / 60.0 {
            f64::from(dials)
        } else {
            f64::from(dials) / span_h
        },
        first_dial_at: first,
        last_dial_at: attempts.last().map(|a| a.created_at.clone()),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
