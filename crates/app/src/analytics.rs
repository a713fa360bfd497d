//! Call analytics computed on this desktop from the local store, so they work offline: volume by
//! day and outcome, talk and handle time, contact rates, the hour-by-weekday heatmap in each
//! lead's own local time, and the conversion funnel.
//!
//! The rules live here once: how a call's outcome is classified (its wrap-up first, then how it
//! ended), what talk time is (answer to end; a clock that ran backwards counts none), what a
//! conversation is (talk of at least the threshold, 60 s by default as Orum and Glencoco count
//! them), and in which zone a lead's hour falls (the power dialer's own placement: the lead's
//! time zone, else its number's). A call that fits no class is counted as "unclassified", never
//! dropped.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};

use ringdesk_dialer::places::Places;
use ringdesk_dialer::rules::{self, Campaign as Rules, Lead as EngineLead};
use ringdesk_store::analytics::{self as store, CallFact, FactFilter};
use serde::Serialize;

pub use ringdesk_dialer::Tz;

use crate::App;
use crate::error::Result;

/// Talk time that makes an answered call a conversation, unless the filter says otherwise.
pub const CONVERSATION_SECONDS: u32 = crate::campaigns::CONVERSATION_SECONDS;
/// Fewer dials than this in a heatmap cell: its rate is not worth reading (shown greyed).
pub const SPARSE_CELL: u32 = 5;
/// A wrap-up this long after the call's end is not counted as handle time (the agent left).
const MAX_WRAP_UP: i64 = 3600;

/// Which calls the figures cover; `None` does not filter.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyticsFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub agent: Option<String>,
    pub campaign_id: Option<String>,
    pub list_id: Option<String>,
    pub disposition: Option<String>,
    pub lead_status: Option<String>,
    pub route: Option<String>,
    pub direction: Option<String>,
    /// The zone whose calendar days the volume is counted in (the agent's).
    pub zone: Tz,
    pub conversation_seconds: u32,
}

impl Default for AnalyticsFilter {
    fn default() -> Self {
        AnalyticsFilter {
            from: None,
            to: None,
            agent: None,
            campaign_id: None,
            list_id: None,
            disposition: None,
            lead_status: None,
            route: None,
            direction: None,
            zone: Tz::UTC,
            conversation_seconds: CONVERSATION_SECONDS,
        }
    }
}

/// How a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Answered,
    Voicemail,
    Busy,
    NoAnswer,
    WrongNumber,
    /// Still running, failed for another reason, or ended without saying how.
    Unclassified,
}

/// Calls per outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeCounts {
    pub answered: u32,
    pub voicemail: u32,
    pub busy: u32,
    pub no_answer: u32,
    pub wrong_number: u32,
    pub unclassified: u32,
}

impl OutcomeCounts {
    fn add(&mut self, o: Outcome) {
        let n = match o {
            Outcome::Answered => &mut self.answered,
            Outcome::Voicemail => &mut self.voicemail,
            Outcome::Busy => &mut self.busy,
            Outcome::NoAnswer => &mut self.no_answer,
            Outcome::WrongNumber => &mut self.wrong_number,
            Outcome::Unclassified => &mut self.unclassified,
        };
        *n += 1;
    }

    fn total(&self) -> u32 {
        self.answered + self.voicemail + self.busy + self.no_answer + self.wrong_number + self.unclassified
    }
}

/// Each outcome's share of the outbound dials, in percent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRates {
    pub answered: f64,
    pub voicemail: f64,
    pub busy: f64,
    pub no_answer: f64,
    pub wrong_number: f64,
    pub unclassified: f64,
}

/// One calendar day (in the filter's zone).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayVolume {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub calls: u32,
    /// The outbound dials by outcome.
    pub outcomes: OutcomeCounts,
    pub talk_seconds: u64,
}

/// One hour of one weekday in the leads' local time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeatCell {
    /// 0 Monday … 6 Sunday.
    pub weekday: u8,
    /// 0 … 23.
    pub hour: u8,
    pub dials: u32,
    pub answered: u32,
    /// Fewer than [`SPARSE_CELL`] dials: the rate is not worth reading.
    pub sparse: bool,
}

/// Leads at each step from a first call to a won deal.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Funnel {
    /// Leads dialed at least once.
    pub leads_called: u32,
    /// Of those, leads with a conversation (talk ≥ the threshold).
    pub conversations: u32,
    /// Leads whose wrap-up said interested, or set a meeting.
    pub interested: u32,
    /// Called leads whose status is now won, and their value summed.
    pub won: u32,
    pub won_value: f64,
}

/// Every figure of the Analytics page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsReport {
    pub calls: u32,
    pub outbound: u32,
    pub inbound: u32,
    /// The outbound dials by outcome, and as rates.
    pub outcomes: OutcomeCounts,
    pub rates: ContactRates,
    pub talk_seconds: u64,
    pub conversations: u32,
    /// Talk plus wrap-up, over the calls that were answered.
    pub average_handle_seconds: Option<f64>,
    /// Calls per hour an agent was at it (from each agent's first call of a day to the end of the
    /// last one).
    pub calls_per_agent_hour: Option<f64>,
    pub by_day: Vec<DayVolume>,
    /// Only the cells with dials.
    pub heatmap: Vec<HeatCell>,
    pub funnel: Funnel,
    /// Calls whose end came before their start (a clock that jumped): counted, no talk time.
    pub clock_skewed: u32,
}

/// An agent's day: first call's start, last call's end, calls.
type Span = (DateTime<Utc>, DateTime<Utc>, u32);

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc))
}

/// How the call went: its wrap-up when it says, else how it ended.
pub fn outcome(call: &CallFact) -> Outcome {
    match call.disposition.as_deref() {
        Some("voicemail" | "left_voicemail") => return Outcome::Voicemail,
        Some("busy") => return Outcome::Busy,
        Some("no_answer") => return Outcome::NoAnswer,
        Some("wrong_number") => return Outcome::WrongNumber,
        Some("answered" | "interested" | "not_interested" | "callback_requested" | "do_not_call") => {
            return Outcome::Answered;
        }
        _ => {}
    }
    if call.answered_at.is_some() {
        return Outcome::Answered;
    }
    match call.status.as_deref() {
        Some("busy") => Outcome::Busy,
        Some("no-answer" | "canceled") => Outcome::NoAnswer,
        _ => Outcome::Unclassified,
    }
}

/// Seconds talked: answer to end. `None` when the clock ran backwards (end before answer).
pub fn talk_seconds(call: &CallFact) -> Option<u64> {
    let (Some(a), Some(e)) = (call.answered_at.as_deref().and_then(parse), call.ended_at.as_deref().and_then(parse))
    else {
        return Some(0);
    };
    u64::try_from((e - a).num_seconds()).ok()
}

/// The lead's zone as the power dialer places it (its time zone, else its number's).
fn lead_zone(call: &CallFact, fallback: Tz) -> Tz {
    let lead = EngineLead {
        status: String::new(),
        phone_e164: call.lead_phone_e164.clone().or_else(|| Some(call.contact_number.clone())),
        timezone: call.lead_timezone.clone(),
        ..EngineLead::default()
    };
    rules::place(&lead, &Rules::new(fallback), Places::embedded())
        .ok()
        .and_then(|p| p.zones.first().copied())
        .unwrap_or(fallback)
}

/// Every figure over `calls`.
pub fn report(calls: &[CallFact], filter: &AnalyticsFilter) -> AnalyticsReport {
    let mut out = AnalyticsReport::default();
    let mut days: BTreeMap<String, DayVolume> = BTreeMap::new();
    let mut cells: HashMap<(u8, u8), (u32, u32)> = HashMap::new();
    let mut spans: HashMap<(String, String), Span> = HashMap::new();
    let (mut handle_total, mut handled) = (0i64, 0u32);
    let mut called: HashSet<&str> = HashSet::new();
    let mut talked: HashSet<&str> = HashSet::new();
    let mut interested: HashSet<&str> = HashSet::new();
    let mut won: HashMap<&str, f64> = HashMap::new();
    let mut zones: HashMap<(Option<&str>, Option<&str>, &str), Tz> = HashMap::new();
    for call in calls {
        let Some(started) = parse(&call.started_at) else { continue };
        out.calls += 1;
        let outbound = call.direction == "outbound";
        if outbound {
            out.outbound += 1;
        } else {
            out.inbound += 1;
        }
        let o = outcome(call);
        let talk = match talk_seconds(call) {
            Some(t) => t,
            None => {
                out.clock_skewed += 1;
                0
            }
        };
        out.talk_seconds += talk;
        let conversation = talk >= u64::from(filter.conversation_seconds);
        if conversation {
            out.conversations += 1;
        }
        let day_key = started.with_timezone(&filter.zone).format("%Y-%m-%d").to_string();
        let day = days.entry(day_key.clone()).or_insert_with(|| DayVolume {
            day: day_key.clone(),
            calls: 0,
            outcomes: OutcomeCounts::default(),
            talk_seconds: 0,
        });
        day.calls += 1;
        day.talk_seconds += talk;
        // Handle time: talk plus the wrap-up's time after the end, for answered calls.
        if o == Outcome::Answered
            && let Some(end) = call.ended_at.as_deref().and_then(parse)
        {
            let wrap = call
                .disposed_at
                .as_deref()
                .and_then(parse)
                .map(|d| (d - end).num_seconds())
                .filter(|s| (0..=MAX_WRAP_UP).contains(s))
                .unwrap_or(0);
            handle_total += talk as i64 + wrap;
            handled += 1;
        }
        // The agent's span that day.
        let end = call.ended_at.as_deref().and_then(parse).filter(|e| *e >= started).unwrap_or(started);
        let agent = call.user_id.clone().unwrap_or_default();
        let span = spans.entry((agent, day_key)).or_insert((started, end, 0));
        span.0 = span.0.min(started);
        span.1 = span.1.max(end);
        span.2 += 1;
        if !outbound {
            continue;
        }
        out.outcomes.add(o);
        day.outcomes.add(o);
        let key = (call.lead_timezone.as_deref(), call.lead_phone_e164.as_deref(), call.contact_number.as_str());
        let zone = *zones.entry(key).or_insert_with(|| lead_zone(call, filter.zone));
        let local = started.with_timezone(&zone);
        let cell = cells.entry((local.weekday().num_days_from_monday() as u8, local.hour() as u8)).or_default();
        cell.0 += 1;
        if o == Outcome::Answered {
            cell.1 += 1;
        }
        if let Some(lead) = call.lead_id.as_deref() {
            called.insert(lead);
            if conversation {
                talked.insert(lead);
            }
            if call.disposition.as_deref() == Some("interested")
                || call.next_action.as_deref() == Some("schedule_meeting")
            {
                interested.insert(lead);
            }
            if call.lead_status.as_deref() == Some("won") {
                won.insert(lead, call.lead_value.unwrap_or(0.0));
            }
        }
    }
    let dials = out.outcomes.total();
    let pct = |n: u32| if dials == 0 { 0.0 } else { f64::from(n) * 100.0 / f64::from(dials) };
    out.rates = ContactRates {
        answered: pct(out.outcomes.answered),
        voicemail: pct(out.outcomes.voicemail),
        busy: pct(out.outcomes.busy),
        no_answer: pct(out.outcomes.no_answer),
        wrong_number: pct(out.outcomes.wrong_number),
        unclassified: pct(out.outcomes.unclassified),
    };
    out.average_handle_seconds = (handled > 0).then(|| handle_total as f64 / f64::from(handled));
    let (span_seconds, span_calls) = spans.values().fold((0i64, 0u32), |(s, n), (a, b, c)| {
        // A lone call counts as a minute at least, so one call is not an infinite rate.
        (s + (*b - *a).max(Duration::minutes(1)).num_seconds(), n + c)
    });
    out.calls_per_agent_hour = (span_seconds > 0).then(|| f64::from(span_calls) * 3600.0 / span_seconds as f64);
    out.by_day = days.into_values().collect();
    let mut heat: Vec<HeatCell> = cells
        .into_iter()
        .map(|((weekday, hour), (dials, answered))| HeatCell {
            weekday,
            hour,
            dials,
            answered,
            sparse: dials < SPARSE_CELL,
        })
        .collect();
    heat.sort_by_key(|c| (c.weekday, c.hour));
    out.heatmap = heat;
    out.funnel = Funnel {
        leads_called: called.len() as u32,
        conversations: talked.len() as u32,
        interested: interested.len() as u32,
        won: won.len() as u32,
        won_value: won.values().sum(),
    };
    out
}

/// A filter bound read as a day (`YYYY-MM-DD`, in `zone`; `end`: the day after it starts) or an
/// RFC 3339 instant.
pub fn bound(text: &str, zone: Tz, end: bool) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        crate::error::IpcError::invalid(format!("{text:?} is neither a day (YYYY-MM-DD) nor an RFC 3339 time."))
    })?;
    let day = if end { day.succ_opt().unwrap_or(day) } else { day };
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A midnight that DST skips starts the day at its first valid instant.
    let local = (0..3)
        .find_map(|h| (midnight + Duration::hours(h)).and_local_timezone(zone).earliest())
        .ok_or_else(|| crate::error::IpcError::invalid(format!("{text} has no midnight in {}.", zone.name())))?;
    Ok(local.with_timezone(&Utc))
}

impl App {
    /// Every figure of the Analytics page for the calls `filter` selects (the CLI's `analytics`).
    pub fn analytics(&self, filter: &AnalyticsFilter) -> Result<AnalyticsReport> {
        let ts = |t: Option<DateTime<Utc>>| t.map(ringdesk_store::format_ts);
        let facts = FactFilter {
            from: ts(filter.from),
            to: ts(filter.to),
            agent: filter.agent.clone(),
            campaign_id: filter.campaign_id.clone(),
            list_id: filter.list_id.clone(),
            disposition: filter.disposition.clone(),
            lead_status: filter.lead_status.clone(),
            route: filter.route.clone(),
            direction: filter.direction.clone(),
        };
        let calls = self.store.read(|r| store::call_facts(r, &facts))?;
        Ok(report(&calls, filter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::too_many_arguments)]
    fn call(
        id: &str,
        agent: &str,
        lead: Option<(&str, Option<&str>, &str)>,
        direction: &str,
        started: &str,
        answered: Option<&str>,
        ended: Option<&str>,
        status: Option<&str>,
        disposition: Option<&str>,
    ) -> CallFact {
        CallFact {
            id: id.into(),
            user_id: Some(agent.into()),
            lead_id: lead.map(|l| l.0.to_string()),
            direction: direction.into(),
            route: "softphone".into(),
            status: status.map(str::to_string),
            started_at: started.into(),
            answered_at: answered.map(str::to_string),
            ended_at: ended.map(str::to_string),
            disposition: disposition.map(str::to_string),
            contact_number: lead.map_or("+12125550100", |l| l.2).into(),
            lead_timezone: lead.and_then(|l| l.1.map(str::to_string)),
            lead_phone_e164: lead.map(|l| l.2.to_string()),
            lead_status: lead.map(|_| "contacted".into()),
            ..CallFact::default()
        }
    }

    /// Two agents; Ann (New York, by her time zone field), Dan (Denver, by his number), a call
    /// without a lead; US daylight saving ends on 2026-11-01 between the first call and the rest.
    fn fixture() -> Vec<CallFact> {
        let ann = Some(("ann", Some("America/New_York"), "+12015550100"));
        let dan = Some(("dan", None, "+13035550100"));
        let mut c1 = call(
            "c1",
            "a1",
            ann,
            "outbound",
            "2026-10-31T12:30:00Z",
            Some("2026-10-31T12:30:10Z"),
            Some("2026-10-31T12:32:10Z"),
            Some("completed"),
            Some("interested"),
        );
        c1.disposed_at = Some("2026-10-31T12:33:10Z".into());
        let mut calls = vec![
            c1,
            call("c2", "a1", ann, "outbound", "2026-11-02T13:30:00Z", None, None, Some("no-answer"), None),
            call(
                "c3",
                "a2",
                dan,
                "outbound",
                "2026-11-02T15:00:00Z",
                None,
                Some("2026-11-02T15:00:20Z"),
                Some("busy"),
                Some("busy"),
            ),
            call(
                "c4",
                "a2",
                None,
                "outbound",
                "2026-11-02T16:00:00Z",
                Some("2026-11-02T16:00:05Z"),
                Some("2026-11-02T16:00:35Z"),
                Some("completed"),
                None,
            ),
            call(
                "c5",
                "a2",
                dan,
                "outbound",
                "2026-11-02T17:00:00Z",
                Some("2026-11-02T17:00:05Z"),
                Some("2026-11-02T17:00:40Z"),
                Some("completed"),
                Some("left_voicemail"),
            ),
            call(
                "c6",
                "a1",
                ann,
                "inbound",
                "2026-11-02T18:00:00Z",
                Some("2026-11-02T18:00:02Z"),
                Some("2026-11-02T18:01:02Z"),
                Some("completed"),
                None,
            ),
            // The clock jumped: the end is before the answer.
            call(
                "c7",
                "a1",
                ann,
                "outbound",
                "2026-11-02T19:00:00Z",
                Some("2026-11-02T19:00:10Z"),
                Some("2026-11-02T18:59:00Z"),
                Some("completed"),
                None,
            ),
            // Still ringing.
            call("c8", "a2", dan, "outbound", "2026-11-02T20:00:00Z", None, None, Some("ringing"), None),
        ];
        for c in calls.iter_mut().filter(|c| c.lead_id.as_deref() == Some("ann")) {
            c.lead_status = Some("won".into());
            c.lead_value = Some(1000.0);
        }
        calls
    }

    #[test]
    fn every_figure_matches_the_hand_computed_fixture() {
        let r = report(&fixture(), &AnalyticsFilter::default());
        assert_eq!((r.calls, r.outbound, r.inbound), (8, 7, 1), "calls by direction");
        assert_eq!(
            r.outcomes,
            OutcomeCounts { answered: 3, voicemail: 1, busy: 1, no_answer: 1, wrong_number: 0, unclassified: 1 },
            "c1 interested, c4 answered without a wrap-up and c7 skewed are answered; c8 still rings"
        );
        assert!((r.rates.answered - 300.0 / 7.0).abs() < 1e-9, "answered 3 of 7 dials: {}", r.rates.answered);
        assert!((r.rates.unclassified - 100.0 / 7.0).abs() < 1e-9, "the ringing call is not dropped");
        assert_eq!(r.talk_seconds, 120 + 30 + 35 + 60, "talk: c1, c4, c5, c6; none for the skewed c7");
        assert_eq!(r.clock_skewed, 1, "c7 ended before it was answered");
        assert_eq!(r.conversations, 2, "c1 (120 s) and c6 (60 s) reach 60 s");
        assert_eq!(
            r.average_handle_seconds,
            Some(270.0 / 4.0),
            "(120 + 60 wrap-up) + 30 + 60 + 0 over 4 answered calls"
        );
        let expected_rate = 8.0 * 3600.0 / f64::from(130 + 19_800 + 18_000);
        assert!(
            r.calls_per_agent_hour.is_some_and(|v| (v - expected_rate).abs() < 1e-9),
            "8 calls over a1's 130 s and 5.5 h and a2's 5 h: {:?}",
            r.calls_per_agent_hour
        );
        let days: Vec<(&str, u32, u32, u64)> =
            r.by_day.iter().map(|d| (d.day.as_str(), d.calls, d.outcomes.answered, d.talk_seconds)).collect();
        assert_eq!(days, [("2026-10-31", 1, 1, 120), ("2026-11-02", 7, 2, 125)], "volume by UTC day");
        let cells: Vec<(u8, u8, u32, u32)> =
            r.heatmap.iter().map(|c| (c.weekday, c.hour, c.dials, c.answered)).collect();
        assert_eq!(
            cells,
            [(0, 8, 2, 0), (0, 10, 1, 0), (0, 11, 1, 1), (0, 13, 1, 0), (0, 14, 1, 1), (5, 8, 1, 1)],
            "08:30 in New York is the 08:00 cell before and after DST ends (12:30Z on Saturday, 13:30Z \
             on Monday), and 15:00Z is 08:00 in Denver"
        );
        assert!(r.heatmap.iter().all(|c| c.sparse), "every cell has fewer than {SPARSE_CELL} dials");
        assert_eq!(
            r.funnel,
            Funnel { leads_called: 2, conversations: 1, interested: 1, won: 1, won_value: 1000.0 },
            "Ann: called, talked, interested, won; Dan: called only; the call without a lead counts in none"
        );
    }

    #[test]
    fn days_follow_the_agent_s_zone_and_an_empty_range_is_all_zeros() {
        let berlin = AnalyticsFilter { zone: Tz::Europe__Berlin, ..AnalyticsFilter::default() };
        let late = vec![call("x", "a1", None, "outbound", "2026-11-02T23:30:00Z", None, None, Some("busy"), None)];
        let r = report(&late, &berlin);
        assert_eq!(r.by_day.first().map(|d| d.day.as_str()), Some("2026-11-03"), "00:30 in Berlin is the next day");
        let empty = report(&[], &AnalyticsFilter::default());
        assert_eq!(
            (empty.calls, empty.rates.answered, empty.average_handle_seconds),
            (0, 0.0, None),
            "no data, no NaN"
        );
        assert!(empty.by_day.is_empty() && empty.heatmap.is_empty(), "nothing to chart");
    }
}
