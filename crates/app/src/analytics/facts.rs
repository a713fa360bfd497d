//! Every call as a handful of fixed-size columns in memory, sorted by start, so the Analytics
//! page's figures for any filter are one pass over at most a million small rows (tens of
//! milliseconds) instead of a SQL read of them each time. Built once from the store and again
//! when the store's change journal says the calls, their wrap-ups, follow-ups, leads, lists or
//! campaign attempts changed ([`super::App::analytics`]).
//!
//! 17 bytes a call: the start (seconds since 1970 as `u32`, good until 2106), talk, wrap-up and
//! time on the line (seconds as `u16`: at most 18 h each), the lead, the hour of the week in the
//! lead's zone, and its *kind*: the agent, outcome with direction and route, disposition and
//! campaign together, interned (a desktop sees a few thousand distinct kinds, not one per call;
//! a filter on any of them is a lookup of the kind). A call without a lead counts against its
//! number as a stand-in "lead" that is no lead (its zone, no status, outside every funnel and
//! list). Per lead: its status, value and zone; per list: its leads as a bitset. Strings are
//! interned; lead ids are not kept once the lists are mapped. Hand-written because the scan is
//! the whole point: no embedded analytics engine (DuckDB, Polars) is worth its megabytes for
//! these few fixed aggregates.

use std::collections::HashMap;

use super::Tz;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};

use ringdesk_dialer::places::Places;
use ringdesk_dialer::rules::{self, Campaign as Rules, Lead as EngineLead};
use ringdesk_store::analytics::CallFact;

use super::{
    AgentFigures, AnalyticsReport, BestTime, ContactRates, Counting, DayVolume, DispositionCount, Funnel, HeatCell,
    MAX_WRAP_UP, Outcome, OutcomeCounts, Period, SPARSE_CELL, best_time, outcome, parse, percent, talk_seconds,
};

/// The lead's zone was not known: the filter's zone stands in, decided per query.
const NO_ZONE: u16 = u16::MAX;
/// The status of a stand-in lead: a number called without a lead (never a status id: [`Names`]
/// stops short of it).
const NOT_A_LEAD: u16 = u16::MAX;

// Bits of `flags` (the low three hold the outcome).
const OUTBOUND: u8 = 1 << 3;
const SKEWED: u8 = 1 << 4;
const BRIDGE: u8 = 1 << 5;
const INTERESTED: u8 = 1 << 6;
const ANSWERED_WITH_END: u8 = 1 << 7;

const OUTCOMES: [Outcome; 6] = [
    Outcome::Answered,
    Outcome::Voicemail,
    Outcome::Busy,
    Outcome::NoAnswer,
    Outcome::WrongNumber,
    Outcome::Unclassified,
];

/// Strings seen, each once; index 0 is "none".
#[derive(Debug, Default)]
struct Names {
    names: Vec<String>,
    index: HashMap<String, u16>,
}

impl Names {
    fn id(&mut self, name: Option<&str>) -> u16 {
        let Some(name) = name else { return 0 };
        if let Some(id) = self.index.get(name) {
            return *id;
        }
        self.names.push(name.to_string());
        // Past 65,533 distinct names (never seen: agents, campaigns, dispositions) the rest share one.
        let id = u16::try_from(self.names.len()).map_or(u16::MAX - 1, |id| id.min(u16::MAX - 1));
        self.index.insert(name.to_string(), id);
        id
    }

    /// The id of `name`, `None` when it was never seen (a filter on it selects nothing).
    fn find(&self, name: &str) -> Option<u16> {
        self.index.get(name).copied()
    }

    fn name(&self, id: u16) -> &str {
        id.checked_sub(1).and_then(|i| self.names.get(usize::from(i))).map_or("", String::as_str)
    }
}

/// A follow-up set by a call's latest wrap-up (times in seconds since 1970, as the starts).
#[derive(Debug, Clone, Copy)]
struct FollowUp {
    due: u32,
    /// When it was done; `u32::MAX`: not done.
    completed: u32,
    done: bool,
    cancelled: bool,
}

/// What a call is beside its times and lead, one interned value for many calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Kind {
    agent: u16,
    disposition: u16,
    campaign: u16,
    flags: u8,
}

/// A column of ids: `u16` each until an id needs more, then `u32` (converted once).
#[derive(Debug)]
enum Ids {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Default for Ids {
    fn default() -> Self {
        Ids::Narrow(Vec::new())
    }
}

impl Ids {
    fn reserve_exact(&mut self, n: usize) {
        match self {
            Ids::Narrow(v) => v.reserve_exact(n),
            Ids::Wide(v) => v.reserve_exact(n),
        }
    }

    fn push(&mut self, id: u32) {
        if let Ids::Narrow(v) = self {
            if let Ok(id) = u16::try_from(id) {
                v.push(id);
                return;
            }
            let mut wide = Vec::with_capacity(v.capacity().max(v.len() + 1));
            wide.extend(v.iter().map(|x| u32::from(*x)));
            *self = Ids::Wide(wide);
        }
        if let Ids::Wide(v) = self {
            v.push(id);
        }
    }

    #[inline]
    fn get(&self, i: usize) -> u32 {
        match self {
            Ids::Narrow(v) => u32::from(v[i]),
            Ids::Wide(v) => v[i],
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Ids::Narrow(v) => v.capacity() * 2,
            Ids::Wide(v) => v.capacity() * 4,
        }
    }

    fn apply(&mut self, order: &[u32]) {
        match self {
            Ids::Narrow(v) => apply(v, order),
            Ids::Wide(v) => apply(v, order),
        }
    }

    fn trim(&mut self) {
        match self {
            Ids::Narrow(v) => trim(v),
            Ids::Wide(v) => trim(v),
        }
    }
}

/// `v` reordered: element `k` of the result is `v[order[k]]`.
fn apply<T: Copy>(v: &mut Vec<T>, order: &[u32]) {
    *v = order.iter().map(|i| v[*i as usize]).collect();
}

/// A column with little to spare is left as it is: shrinking copies it.
fn trim<T>(v: &mut Vec<T>) {
    if v.capacity() > v.len() + v.len() / 50 + 64 {
        v.shrink_to_fit();
    }
}

/// Which calls count: the page's filters, each `None` when it does not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub agent: Option<String>,
    pub campaign_id: Option<String>,
    pub list_id: Option<String>,
    pub disposition: Option<String>,
    pub lead_status: Option<String>,
    pub route: Option<String>,
    pub direction: Option<String>,
}

/// The calls, column by column (see the module doc).
#[derive(Debug, Default)]
pub struct Facts {
    start: Vec<u32>,
    /// Talk seconds, at most `u16::MAX` (18 h).
    talk: Vec<u16>,
    wrap: Vec<u16>,
    /// Start to end (the agent's time on it), at most 18 h.
    span: Vec<u16>,
    /// The lead, or the stand-in lead of the number a call without one went to.
    lead: Vec<u32>,
    /// Hour of the week (weekday × 24 + hour, Monday 0) in the lead's zone.
    how: Vec<u8>,
    /// Index into `kinds`.
    kind: Ids,
    kinds: Vec<Kind>,
    /// (call index, its follow-up), by index.
    follow_ups: Vec<(u32, FollowUp)>,
    agents: Names,
    dispositions: Names,
    campaigns: Names,
    statuses: Names,
    zones: Vec<Tz>,
    /// Per lead: its status ([`NOT_A_LEAD`] for a number's stand-in), value and zone (an index of
    /// `zones`, or [`NO_ZONE`]).
    lead_status: Vec<u16>,
    lead_value: Vec<f64>,
    lead_zone: Vec<u16>,
    lists: HashMap<String, Vec<u64>>,
    /// The lists' ids, in order; `lead_lists[lead_list_at[l]..lead_list_at[l + 1]]` are the
    /// lists (by that order) lead `l` is on, for the best time per list.
    list_ids: Vec<String>,
    lead_list_at: Vec<u32>,
    lead_lists: Vec<u16>,
}

/// What building needs beside the facts, dropped once built.
#[derive(Default)]
pub struct Builder {
    facts: Facts,
    leads: HashMap<String, u32>,
    /// The stand-in leads of numbers called without a lead.
    numbers: HashMap<String, u32>,
    kind_ids: HashMap<Kind, u32>,
    zone_ids: HashMap<Tz, u16>,
    /// Rows arrived out of start order (they come sorted from the store).
    unsorted: bool,
}

fn secs(t: DateTime<Utc>) -> u32 {
    u32::try_from(t.timestamp().max(0)).unwrap_or(u32::MAX)
}

fn hour_of_week(t: DateTime<Utc>, zone: Tz) -> u8 {
    let local = t.with_timezone(&zone);
    (local.weekday().num_days_from_monday() * 24 + local.hour()) as u8
}

impl Builder {
    /// A builder whose columns take `calls` calls without growing (growth would leave the
    /// doubled buffers' memory behind in the allocator).
    pub fn with_capacity(calls: usize) -> Builder {
        let mut b = Builder::default();
        let f = &mut b.facts;
        f.start.reserve_exact(calls);
        f.talk.reserve_exact(calls);
        f.wrap.reserve_exact(calls);
        f.span.reserve_exact(calls);
        f.lead.reserve_exact(calls);
        f.how.reserve_exact(calls);
        f.kind.reserve_exact(calls);
        b
    }

    fn zone_id(&mut self, zone: Tz) -> u16 {
        if let Some(id) = self.zone_ids.get(&zone) {
            return *id;
        }
        let id = u16::try_from(self.facts.zones.len()).unwrap_or(NO_ZONE);
        self.facts.zones.push(zone);
        self.zone_ids.insert(zone, id);
        id
    }

    /// Where the call rang, as the power dialer places it: the lead's time zone, else its number's
    /// (the call's number without a lead); `NO_ZONE` when neither says.
    fn place(&mut self, call: &CallFact) -> u16 {
        let lead = EngineLead {
            status: String::new(),
            phone_e164: call.lead_phone_e164.clone().or_else(|| Some(call.contact_number.clone())),
            timezone: call.lead_timezone.clone(),
            ..EngineLead::default()
        };
        match rules::place(&lead, &Rules::new(Tz::UTC), Places::embedded()) {
            Ok(p) if !p.zone_assumed => p.zones.first().map_or(NO_ZONE, |z| self.zone_id(*z)),
            _ => NO_ZONE,
        }
    }

    pub fn add(&mut self, call: &CallFact) {
        let Some(started) = parse(&call.started_at) else { return };
        let f = &mut self.facts;
        let start = secs(started);
        if f.start.last().is_some_and(|last| *last > start) {
            self.unsorted = true;
        }
        let o = outcome(call);
        let talk = talk_seconds(call);
        let ended = call.ended_at.as_deref().and_then(parse);
        let mut flags = OUTCOMES.iter().position(|x| *x == o).unwrap_or(5) as u8;
        if call.direction == "outbound" {
            flags |= OUTBOUND;
        }
        if talk.is_none() {
            flags |= SKEWED;
        }
        if call.route == "bridge" {
            flags |= BRIDGE;
        }
        if call.disposition.as_deref() == Some("interested") || call.next_action.as_deref() == Some("schedule_meeting")
        {
            flags |= INTERESTED;
        }
        let mut wrap = 0u16;
        if o == Outcome::Answered
            && let Some(end) = ended
        {
            flags |= ANSWERED_WITH_END;
            wrap = call
                .disposed_at
                .as_deref()
                .and_then(parse)
                .map(|d| (d - end).num_seconds())
                .filter(|s| (0..=MAX_WRAP_UP).contains(s))
                .map_or(0, |s| s as u16);
        }
        let span = ended.filter(|e| *e >= started).map_or(0, |e| (e - started).num_seconds().min(18 * 3600) as u16);
        let lead = match call.lead_id.as_deref() {
            Some(id) => self.leads.get(id).copied(),
            None => self.numbers.get(call.contact_number.as_str()).copied(),
        };
        let lead = match lead {
            Some(i) => i,
            None => {
                let i = self.facts.lead_status.len() as u32;
                let status = match call.lead_id.as_deref() {
                    Some(id) => {
                        self.leads.insert(id.to_string(), i);
                        self.facts.lead_value.push(call.lead_value.unwrap_or(0.0));
                        self.facts.statuses.id(call.lead_status.as_deref())
                    }
                    None => {
                        self.numbers.insert(call.contact_number.clone(), i);
                        self.facts.lead_value.push(0.0);
                        NOT_A_LEAD
                    }
                };
                self.facts.lead_status.push(status);
                let zone = self.place(call);
                self.facts.lead_zone.push(zone);
                i
            }
        };
        let zone = self.facts.lead_zone[lead as usize];
        let kind = Kind {
            agent: self.facts.agents.id(Some(call.user_id.as_deref().unwrap_or_default())),
            disposition: self.facts.dispositions.id(call.disposition.as_deref()),
            campaign: self.facts.campaigns.id(call.campaign_id.as_deref()),
            flags,
        };
        let kind = match self.kind_ids.get(&kind) {
            Some(k) => *k,
            None => {
                let k = self.facts.kinds.len() as u32;
                self.facts.kinds.push(kind);
                self.kind_ids.insert(kind, k);
                k
            }
        };
        let f = &mut self.facts;
        let how = match zone {
            NO_ZONE => 0,
            z => hour_of_week(started, f.zones[usize::from(z)]),
        };
        if let Some(due) = call.follow_up_due_at.as_deref().and_then(parse) {
            let status = call.follow_up_status.as_deref();
            f.follow_ups.push((
                f.start.len() as u32,
                FollowUp {
                    due: secs(due),
                    // A follow-up done before 1970 (a broken clock) counts as done at 1970.
                    completed: call.follow_up_completed_at.as_deref().and_then(parse).map_or(u32::MAX, secs),
                    done: status == Some("done"),
                    cancelled: status == Some("cancelled"),
                },
            ));
        }
        f.start.push(start);
        f.talk.push(u16::try_from(talk.unwrap_or(0)).unwrap_or(u16::MAX));
        f.wrap.push(wrap);
        f.span.push(span);
        f.lead.push(lead);
        f.how.push(how);
        f.kind.push(kind);
    }

    /// A live list membership; a lead without calls is of no figure and is left out.
    pub fn member(&mut self, lead: &str, list: &str) {
        let Some(i) = self.leads.get(lead).map(|i| *i as usize) else { return };
        let words = self.facts.lead_status.len().div_ceil(64);
        let bits = self.facts.lists.entry(list.to_string()).or_insert_with(|| vec![0; words]);
        if let Some(w) = bits.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    pub fn finish(self) -> Facts {
        let mut f = self.facts;
        if self.unsorted {
            let mut order: Vec<u32> = (0..f.start.len() as u32).collect();
            order.sort_by_key(|i| f.start[*i as usize]);
            apply(&mut f.start, &order);
            apply(&mut f.talk, &order);
            apply(&mut f.wrap, &order);
            apply(&mut f.span, &order);
            apply(&mut f.lead, &order);
            apply(&mut f.how, &order);
            f.kind.apply(&order);
            let mut new_of = vec![0u32; order.len()];
            for (new, old) in order.iter().enumerate() {
                new_of[*old as usize] = new as u32;
            }
            for fu in &mut f.follow_ups {
                fu.0 = new_of[fu.0 as usize];
            }
            f.follow_ups.sort_by_key(|fu| fu.0);
        }
        trim(&mut f.follow_ups);
        trim(&mut f.talk);
        trim(&mut f.start);
        trim(&mut f.wrap);
        trim(&mut f.span);
        trim(&mut f.lead);
        trim(&mut f.how);
        f.kind.trim();
        trim(&mut f.lead_status);
        trim(&mut f.lead_value);
        trim(&mut f.lead_zone);
        f.index_lists();
        f
    }
}

/// The first instant of the local day `date` in `zone` (a midnight that DST skips: the first
/// valid hour after it), in seconds.
fn midnight(date: NaiveDate, zone: Tz) -> i64 {
    let m = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..3)
        .find_map(|h| (m + Duration::hours(h)).and_local_timezone(zone).earliest())
        .map_or_else(|| m.and_utc().timestamp(), |t| t.timestamp())
}

/// The period `t` falls in: its key and the first second of the next one.
fn bucket(t: i64, zone: Tz, period: Period) -> (String, i64) {
    let date = DateTime::from_timestamp(t, 0).unwrap_or_default().with_timezone(&zone).date_naive();
    let next = match period {
        Period::Day => date.succ_opt(),
        Period::Week => date.checked_add_days(chrono::Days::new(u64::from(7 - date.weekday().num_days_from_monday()))),
        Period::Month => {
            let (y, m) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
            NaiveDate::from_ymd_opt(y, m, 1)
        }
    };
    (period.key(date), next.map_or(i64::MAX, |d| midnight(d, zone)))
}

/// Bits over lead indices.
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: u32) {
        let i = i as usize;
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
    fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.0
            .iter()
            .enumerate()
            .flat_map(|(w, bits)| (0..64).filter(move |b| bits & (1 << b) != 0).map(move |b| w * 64 + b))
    }
}

/// Per agent while scanning.
#[derive(Default, Clone)]
struct AgentSums {
    figures: AgentFigures,
    /// Their span today: (day number + 1, first start, last end, calls); 0: none yet.
    span: (u32, i64, i64, u32),
}

impl Facts {
    /// Calls held.
    pub fn len(&self) -> usize {
        self.start.len()
    }

    pub fn is_empty(&self) -> bool {
        self.start.is_empty()
    }

    /// Bytes the columns hold (the benchmark's memory figure).
    pub fn heap_bytes(&self) -> usize {
        self.start.capacity() * 4
            + self.talk.capacity() * 2
            + self.wrap.capacity() * 2
            + self.span.capacity() * 2
            + self.lead.capacity() * 4
            + self.how.capacity()
            + self.kind.heap_bytes()
            + self.kinds.capacity() * std::mem::size_of::<Kind>()
            + self.lead_status.capacity() * 2
            + self.lead_value.capacity() * 8
            + self.lead_zone.capacity() * 2
            + self.lists.values().map(|b| b.capacity() * 8 + 64).sum::<usize>()
            + self.follow_ups.capacity() * std::mem::size_of::<(u32, FollowUp)>()
            + self.lead_list_at.capacity() * 4
            + self.lead_lists.capacity() * 2
            + self.list_ids.iter().map(|l| l.capacity() + 24).sum::<usize>()
    }

    /// Each lead's lists, from the lists' bitsets (a lead is on few lists: the scan visits only
    /// those, whatever the number of lists).
    fn index_lists(&mut self) {
        let mut ids: Vec<&String> = self.lists.keys().collect();
        ids.sort();
        ids.truncate(usize::from(u16::MAX));
        let mut pairs: Vec<(u32, u16)> = Vec::new();
        for (l, id) in ids.iter().enumerate() {
            for (w, word) in self.lists[*id].iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    let b = bits.trailing_zeros() as usize;
                    pairs.push(((w * 64 + b) as u32, l as u16));
                    bits &= bits - 1;
                }
            }
        }
        pairs.sort_unstable();
        let leads = self.lead_status.len();
        let mut at = vec![0u32; leads + 1];
        for (lead, _) in &pairs {
            if let Some(n) = at.get_mut(*lead as usize + 1) {
                *n += 1;
            }
        }
        for i in 1..at.len() {
            at[i] += at[i - 1];
        }
        self.lead_lists = pairs.into_iter().map(|(_, l)| l).collect();
        self.lead_list_at = at;
        self.list_ids = ids.into_iter().cloned().collect();
    }

    /// Every figure over the calls `sel` selects.
    pub fn report(&self, sel: &Selection, counting: &Counting, now: DateTime<Utc>) -> AnalyticsReport {
        let mut out = AnalyticsReport { sparse_cell: SPARSE_CELL, ..AnalyticsReport::default() };
        let never = || AnalyticsReport {
            conversation_seconds: counting.conversation_seconds,
            sparse_cell: SPARSE_CELL,
            ..AnalyticsReport::default()
        };
        // A filter on a name no call has selects nothing.
        let id = |names: &Names, v: &Option<String>| match v {
            None => Ok(None),
            Some(v) => names.find(v).map(Some).ok_or(()),
        };
        let (Ok(agent), Ok(campaign), Ok(disposition), Ok(status)) = (
            id(&self.agents, &sel.agent),
            id(&self.campaigns, &sel.campaign_id),
            id(&self.dispositions, &sel.disposition),
            id(&self.statuses, &sel.lead_status),
        ) else {
            return never();
        };
        let list = match &sel.list_id {
            None => None,
            Some(l) => match self.lists.get(l) {
                Some(bits) => Some(bits),
                None => return never(),
            },
        };
        let route = match sel.route.as_deref() {
            None => None,
            Some("bridge") => Some(BRIDGE),
            Some("softphone") => Some(0),
            Some(_) => return never(),
        };
        let direction = match sel.direction.as_deref() {
            None => None,
            Some("outbound") => Some(OUTBOUND),
            Some("inbound") => Some(0),
            Some(_) => return never(),
        };
        let at = |t: Option<DateTime<Utc>>, default: usize| {
            t.map_or(default, |t| self.start.partition_point(|s| i64::from(*s) < t.timestamp().max(0)))
        };
        let (lo, hi) = (at(sel.from, 0), at(sel.to, self.len()));
        let zone = counting.zone;
        let threshold = counting.conversation_seconds;
        out.conversation_seconds = threshold;
        let leads = self.lead_status.len();
        let (mut called, mut talked, mut interested) = (Bits::new(leads), Bits::new(leads), Bits::new(leads));
        let mut agents = vec![AgentSums::default(); self.agents.names.len() + 1];
        let mut dispositions = vec![0u32; agents.len() * (self.dispositions.names.len() + 1)];
        let stride = self.dispositions.names.len() + 1;
        // Heat per zone; the last slot is the filter's zone standing in for unknown ones.
        let mut heat = vec![[(0u32, 0u32); 168]; self.zones.len() + 1];
        let mut list_heat = vec![[(0u32, 0u32); 168]; self.list_ids.len()];
        let (mut bucket_end, mut day_end, mut day_no) = (i64::MIN, i64::MIN, 0u32);
        let (mut handle_total, mut handled) = (0u64, 0u32);
        let (mut span_seconds, mut span_calls) = (0i64, 0u32);
        let mut next_follow_up = self.follow_ups.partition_point(|fu| (fu.0 as usize) < lo);
        // The filters on what a call is, decided once per kind.
        let keep: Vec<bool> = self
            .kinds
            .iter()
            .map(|k| {
                agent.is_none_or(|a| k.agent == a)
                    && campaign.is_none_or(|c| k.campaign == c)
                    && disposition.is_none_or(|d| k.disposition == d)
                    && route.is_none_or(|r| k.flags & BRIDGE == r)
                    && direction.is_none_or(|d| k.flags & OUTBOUND == d)
            })
            .collect();
        let mut close_span = |span: &mut (u32, i64, i64, u32)| {
            if span.0 != 0 {
                span_seconds += (span.2 - span.1).max(60);
                span_calls += span.3;
            }
        };
        for i in lo..hi {
            let k = self.kind.get(i) as usize;
            let lead = self.lead[i];
            if !keep[k]
                || status.is_some_and(|s| self.lead_status[lead as usize] != s)
                || list.is_some_and(|bits| bits.get(lead as usize / 64).is_none_or(|w| w & (1 << (lead % 64)) == 0))
            {
                continue;
            }
            let kind = self.kinds[k];
            let flags = kind.flags;
            let t = i64::from(self.start[i]);
            if t >= bucket_end {
                let (key, end) = bucket(t, zone, counting.period);
                bucket_end = end;
                out.by_day.push(DayVolume {
                    day: key,
                    calls: 0,
                    inbound: 0,
                    outcomes: OutcomeCounts::default(),
                    talk_seconds: 0,
                });
            }
            if t >= day_end {
                day_end = bucket(t, zone, Period::Day).1;
                day_no += 1;
            }
            let o = OUTCOMES[usize::from(flags & 7)];
            let outbound = flags & OUTBOUND != 0;
            let talk = u32::from(self.talk[i]);
            let conversation = talk >= threshold;
            out.calls += 1;
            out.talk_seconds += u64::from(talk);
            out.conversations += u32::from(conversation);
            out.clock_skewed += u32::from(flags & SKEWED != 0);
            let day = out.by_day.last_mut().expect("a bucket was pushed");
            day.calls += 1;
            day.talk_seconds += u64::from(talk);
            if flags & ANSWERED_WITH_END != 0 {
                handle_total += u64::from(talk) + u64::from(self.wrap[i]);
                handled += 1;
            }
            let a = usize::from(kind.agent);
            let sums = &mut agents[a];
            if sums.span.0 != day_no {
                close_span(&mut sums.span);
                sums.span = (day_no, t, t, 0);
            }
            sums.span.2 = sums.span.2.max(t + i64::from(self.span[i]));
            sums.span.3 += 1;
            let fig = &mut sums.figures;
            fig.calls += 1;
            fig.talk_seconds += u64::from(talk);
            fig.conversations += u32::from(conversation);
            if kind.disposition != 0 {
                dispositions[a * stride + usize::from(kind.disposition)] += 1;
            }
            while self.follow_ups.get(next_follow_up).is_some_and(|fu| (fu.0 as usize) < i) {
                next_follow_up += 1;
            }
            if let Some((_, fu)) = self.follow_ups.get(next_follow_up).filter(|fu| fu.0 as usize == i)
                && !fu.cancelled
                && (i64::from(fu.due) <= now.timestamp() || fu.done)
            {
                fig.follow_ups_due += 1;
                fig.follow_ups_on_time += u32::from(fu.done && fu.completed <= fu.due);
            }
            if !outbound {
                out.inbound += 1;
                day.inbound += 1;
                continue;
            }
            out.outbound += 1;
            fig.dials += 1;
            let answered = o == Outcome::Answered;
            fig.answered += u32::from(answered);
            out.outcomes.add(o);
            day.outcomes.add(o);
            let (slot, how) = match self.lead_zone[lead as usize] {
                NO_ZONE => (self.zones.len(), hour_of_week(DateTime::from_timestamp(t, 0).unwrap_or_default(), zone)),
                z => (usize::from(z), self.how[i]),
            };
            let cell = &mut heat[slot][usize::from(how)];
            cell.0 += 1;
            cell.1 += u32::from(answered);
            if let (Some(a), Some(b)) = (self.lead_list_at.get(lead as usize), self.lead_list_at.get(lead as usize + 1))
            {
                for l in &self.lead_lists[*a as usize..*b as usize] {
                    let cell = &mut list_heat[usize::from(*l)][usize::from(how)];
                    cell.0 += 1;
                    cell.1 += u32::from(answered);
                }
            }
            if self.lead_status[lead as usize] != NOT_A_LEAD {
                called.set(lead);
                if conversation {
                    talked.set(lead);
                }
                if flags & INTERESTED != 0 {
                    interested.set(lead);
                }
            }
        }
        for sums in &mut agents {
            close_span(&mut sums.span);
        }
        let dials = out.outbound;
        let pct = |n: u32| percent(n, dials);
        out.rates = ContactRates {
            answered: pct(out.outcomes.answered),
            voicemail: pct(out.outcomes.voicemail),
            busy: pct(out.outcomes.busy),
            no_answer: pct(out.outcomes.no_answer),
            wrong_number: pct(out.outcomes.wrong_number),
            unclassified: pct(out.outcomes.unclassified),
        };
        out.average_handle_seconds = (handled > 0).then(|| handle_total as f64 / f64::from(handled));
        out.calls_per_agent_hour = (span_seconds > 0).then(|| f64::from(span_calls) * 3600.0 / span_seconds as f64);

        // The filter's zone stands in for leads whose zone is unknown: fold that slot into it.
        let mut zones: Vec<(Tz, [(u32, u32); 168])> =
            self.zones.iter().copied().zip(heat[..self.zones.len()].iter().copied()).collect();
        let unknown = heat[self.zones.len()];
        if unknown.iter().any(|c| c.0 > 0) {
            match zones.iter_mut().find(|(z, _)| *z == zone) {
                Some((_, cells)) => cells.iter_mut().zip(unknown).for_each(|(c, u)| *c = (c.0 + u.0, c.1 + u.1)),
                None => zones.push((zone, unknown)),
            }
        }
        let mut all = [(0u32, 0u32); 168];
        for (_, cells) in &zones {
            all.iter_mut().zip(cells).for_each(|(a, c)| *a = (a.0 + c.0, a.1 + c.1));
        }
        let cells = |c: &[(u32, u32); 168]| {
            c.iter().enumerate().map(|(h, v)| (((h / 24) as u8, (h % 24) as u8), *v)).collect::<Vec<_>>()
        };
        out.heatmap = cells(&all)
            .into_iter()
            .filter(|(_, (dials, _))| *dials > 0)
            .map(|((weekday, hour), (dials, answered))| HeatCell {
                weekday,
                hour,
                dials,
                answered,
                sparse: dials < SPARSE_CELL,
            })
            .collect();
        out.best_time = best_time(None, cells(&all).into_iter());
        let mut by_zone: Vec<BestTime> =
            zones.iter().filter_map(|(z, c)| best_time(Some(z.name().to_string()), cells(c).into_iter())).collect();
        by_zone.sort_by(|a, b| b.total_dials.cmp(&a.total_dials).then_with(|| a.zone.cmp(&b.zone)));
        out.best_time_by_zone = by_zone;
        let mut by_list: Vec<BestTime> = self
            .list_ids
            .iter()
            .zip(&list_heat)
            .filter_map(|(id, c)| {
                best_time(None, cells(c).into_iter()).map(|b| BestTime { list_id: Some(id.clone()), ..b })
            })
            .collect();
        by_list.sort_by(|a, b| b.total_dials.cmp(&a.total_dials).then_with(|| a.list_id.cmp(&b.list_id)));
        out.best_time_by_list = by_list;

        let mut by_agent: Vec<AgentFigures> = agents
            .into_iter()
            .enumerate()
            .filter(|(_, s)| s.figures.calls > 0)
            .map(|(a, s)| {
                let mut fig = s.figures;
                fig.agent = self.agents.name(a as u16).to_string();
                fig.connect_rate = percent(fig.answered, fig.dials);
                let mut d: Vec<DispositionCount> = (1..stride)
                    .filter_map(|k| {
                        let calls = dispositions[a * stride + k];
                        (calls > 0).then(|| DispositionCount {
                            disposition: self.dispositions.name(k as u16).to_string(),
                            calls,
                        })
                    })
                    .collect();
                d.sort_by(|x, y| y.calls.cmp(&x.calls).then_with(|| x.disposition.cmp(&y.disposition)));
                fig.dispositions = d;
                fig
            })
            .collect();
        by_agent.sort_by(|a, b| b.dials.cmp(&a.dials).then_with(|| a.agent.cmp(&b.agent)));
        out.by_agent = by_agent;

        let won_id = self.statuses.find("won");
        let (mut won, mut won_value) = (0u32, 0.0);
        for lead in called.ones() {
            if won_id.is_some_and(|w| self.lead_status[lead] == w) {
                won += 1;
                won_value += self.lead_value[lead];
            }
        }
        let (leads_called, conversations, interested) = (called.count(), talked.count(), interested.count());
        let step = |n: u32, of: u32| (of > 0).then(|| percent(n, of));
        out.funnel = Funnel {
            leads_called,
            conversations,
            interested,
            won,
            won_value,
            conversation_rate: step(conversations, leads_called),
            interested_rate: step(interested, conversations),
            won_rate: step(won, interested),
        };
        out
    }
}
