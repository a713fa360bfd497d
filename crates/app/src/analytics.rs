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

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, Utc};

use ringdesk_store::analytics::{self as store, CallFact};
use serde::{Deserialize, Serialize};
use specta::Type;

pub use ringdesk_dialer::Tz;

mod facts;

pub use facts::{Builder, Facts, Selection};

use crate::App;
use crate::error::Result;
use crate::ipc::ExportReport;

/// Talk time that makes an answered call a conversation unless Settings or the query say
/// otherwise.
pub const CONVERSATION_SECONDS: u32 = crate::settings::CONVERSATION_SECONDS;
/// Fewer dials than this in a heatmap cell: its rate is not worth reading (shown greyed).
pub const SPARSE_CELL: u32 = 5;
/// A wrap-up this long after the call's end is not counted as handle time (the agent left).
const MAX_WRAP_UP: i64 = 3600;

/// How the figures are counted: the zone whose calendar days the volume falls in (the
/// agent's) and the talk that makes a conversation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counting {
    pub zone: Tz,
    pub conversation_seconds: u32,
    pub period: Period,
}

impl Default for Counting {
    fn default() -> Self {
        Counting { zone: Tz::UTC, conversation_seconds: CONVERSATION_SECONDS, period: Period::Day }
    }
}

/// What the volume is counted per, in the agent's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Period {
    #[default]
    Day,
    /// Weeks from Monday.
    Week,
    Month,
}

impl Period {
    /// The period `at` falls in: its first day (`YYYY-MM-DD`), or `YYYY-MM` for a month.
    fn key(self, at: chrono::NaiveDate) -> String {
        match self {
            Period::Day => at.format("%Y-%m-%d").to_string(),
            Period::Week => {
                (at - Duration::days(i64::from(at.weekday().num_days_from_monday()))).format("%Y-%m-%d").to_string()
            }
            Period::Month => at.format("%Y-%m").to_string(),
        }
    }
}

/// How a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Type)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContactRates {
    pub answered: f64,
    pub voicemail: f64,
    pub busy: f64,
    pub no_answer: f64,
    pub wrong_number: f64,
    pub unclassified: f64,
}

/// One day, week or month (in the filter's zone).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DayVolume {
    /// The day (`YYYY-MM-DD`), the week's Monday, or the month (`YYYY-MM`).
    pub day: String,
    pub calls: u32,
    pub inbound: u32,
    /// The outbound dials by outcome.
    pub outcomes: OutcomeCounts,
    #[specta(type = specta_typescript::Number)]
    pub talk_seconds: u64,
}

/// One hour of one weekday in the leads' local time.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
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
    /// Each step's share of the step before, in percent (null when that step is empty).
    pub conversation_rate: Option<f64>,
    pub interested_rate: Option<f64>,
    pub won_rate: Option<f64>,
}

/// Every figure of the Analytics page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsReport {
    /// The talk (seconds) from which an answered call counted as a conversation here.
    pub conversation_seconds: u32,
    /// A heatmap cell with fewer dials than this is marked sparse ([`SPARSE_CELL`]).
    pub sparse_cell: u32,
    pub calls: u32,
    pub outbound: u32,
    pub inbound: u32,
    /// The outbound dials by outcome, and as rates.
    pub outcomes: OutcomeCounts,
    pub rates: ContactRates,
    #[specta(type = specta_typescript::Number)]
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
    /// Per agent, side by side, most dials first.
    pub by_agent: Vec<AgentFigures>,
    /// The hour with the best answer rate, over all the leads and per lead time zone (most
    /// dials first).
    pub best_time: Option<BestTime>,
    pub best_time_by_zone: Vec<BestTime>,
    /// The best hour per list of the leads called, side by side (most dials first).
    pub best_time_by_list: Vec<BestTime>,
    /// This desktop's agent (their backend user id), to mark their row.
    pub me: Option<String>,
}

/// One agent's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AgentFigures {
    /// Their user id; empty for calls logged before anyone signed in.
    pub agent: String,
    pub calls: u32,
    /// Outbound calls.
    pub dials: u32,
    pub answered: u32,
    /// Answered share of the dials, in percent.
    pub connect_rate: f64,
    pub conversations: u32,
    #[specta(type = specta_typescript::Number)]
    pub talk_seconds: u64,
    /// Follow-ups their wrap-ups set that are due by now, and of those, done by their due time.
    pub follow_ups_due: u32,
    pub follow_ups_on_time: u32,
    /// Their wrap-ups by disposition, most first.
    pub dispositions: Vec<DispositionCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DispositionCount {
    pub disposition: String,
    pub calls: u32,
}

/// The hour of the week when most dials were answered, in the leads' local time.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BestTime {
    /// The leads' IANA zone; `None` over all the leads (and for a list's).
    pub zone: Option<String>,
    /// The list whose leads these are (`best_time_by_list`); `None` otherwise.
    pub list_id: Option<String>,
    /// 0 Monday … 6 Sunday.
    pub weekday: u8,
    pub hour: u8,
    pub dials: u32,
    pub answered: u32,
    /// Answered share of the cell's dials, in percent.
    pub rate: f64,
    /// The zone has no cell with [`SPARSE_CELL`] dials: this hour is a hint, not a finding.
    pub sparse: bool,
    /// Dials to the zone's leads (to all leads when `zone` is null), in every cell.
    pub total_dials: u32,
}

/// What the Analytics page (and `ringdesk-cli analytics`) asks for. Bounds are days
/// (`YYYY-MM-DD`, in `zone`; `to` included) or RFC 3339 instants (`to` excluded); null does not
/// filter.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub agent: Option<String>,
    pub campaign_id: Option<String>,
    pub list_id: Option<String>,
    pub disposition: Option<String>,
    pub lead_status: Option<String>,
    /// `softphone` or `bridge`.
    pub route: Option<String>,
    /// `outbound` or `inbound`.
    pub direction: Option<String>,
    /// The IANA zone whose calendar days are counted (the agent's); UTC when null.
    pub zone: Option<String>,
    /// Talk that makes a conversation; Settings → Calls' (60 s unless changed) when null.
    pub conversation_seconds: Option<u32>,
    /// What the volume is counted per; days when null.
    pub period: Option<Period>,
}

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

/// Every figure over `calls`; follow-ups count as due when their time is before `now`.
pub fn report(calls: &[CallFact], counting: &Counting, now: DateTime<Utc>) -> AnalyticsReport {
    let mut b = Builder::default();
    calls.iter().for_each(|c| b.add(c));
    b.finish().report(&Selection::default(), counting, now)
}

/// `n` of `of` in percent; 0 of nothing is 0.
fn percent(n: u32, of: u32) -> f64 {
    if of == 0 { 0.0 } else { f64::from(n) * 100.0 / f64::from(of) }
}

/// The cell with the best answer rate among those with enough dials (else among all, marked
/// sparse); ties go to more dials, then the earlier hour. None when no dial was answered.
fn best_time(zone: Option<String>, cells: impl Iterator<Item = ((u8, u8), (u32, u32))>) -> Option<BestTime> {
    let cells: Vec<_> = cells.filter(|(_, (dials, _))| *dials > 0).collect();
    let total_dials = cells.iter().map(|(_, (dials, _))| dials).sum();
    if cells.iter().all(|(_, (_, answered))| *answered == 0) {
        return None;
    }
    let dense = cells.iter().any(|(_, (dials, _))| *dials >= SPARSE_CELL);
    cells
        .into_iter()
        .filter(|(_, (dials, _))| !dense || *dials >= SPARSE_CELL)
        .map(|((weekday, hour), (dials, answered))| BestTime {
            zone: zone.clone(),
            list_id: None,
            weekday,
            hour,
            dials,
            answered,
            rate: percent(answered, dials),
            sparse: !dense,
            total_dials,
        })
        .max_by(|a, b| {
            a.rate.total_cmp(&b.rate).then(a.dials.cmp(&b.dials)).then((b.weekday, b.hour).cmp(&(a.weekday, a.hour)))
        })
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

impl AnalyticsQuery {
    /// The query read: its zone and bounds parsed, with a clear error for each.
    pub fn read(&self) -> Result<(Selection, Counting)> {
        let zone: Tz = match self.zone.as_deref() {
            None => Tz::UTC,
            Some(z) => z.parse().map_err(|_| {
                crate::error::IpcError::invalid(format!("{z:?} is not an IANA time zone (such as America/Denver)."))
            })?,
        };
        let at = |t: &Option<String>, end: bool| t.as_deref().map(|t| bound(t, zone, end)).transpose();
        let selection = Selection {
            from: at(&self.from, false)?,
            to: at(&self.to, true)?,
            agent: self.agent.clone(),
            campaign_id: self.campaign_id.clone(),
            list_id: self.list_id.clone(),
            disposition: self.disposition.clone(),
            lead_status: self.lead_status.clone(),
            route: self.route.clone(),
            direction: self.direction.clone(),
        };
        let counting = Counting {
            zone,
            conversation_seconds: self.conversation_seconds.unwrap_or(CONVERSATION_SECONDS),
            period: self.period.unwrap_or_default(),
        };
        Ok((selection, counting))
    }
}

/// The start page's strip: the agent's day so far against their own last 30 days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub today: DayFigures,
    /// Per day with calls in the 30 days before today (days off do not pull it down).
    pub average: DayFigures,
    /// Days with calls in those 30 days.
    pub active_days: u32,
    pub overdue_follow_ups: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DayFigures {
    pub calls: f64,
    pub talk_seconds: f64,
    /// Answered share of the outbound dials, in percent; null without dials.
    pub connect_rate: Option<f64>,
}

/// The strip's figures from a report of the agent's calls per day (in `zone`) of the last 31
/// days; `today` is the day that `now` falls in.
pub fn dashboard(r: &AnalyticsReport, zone: Tz, now: DateTime<Utc>) -> Dashboard {
    let today = now.with_timezone(&zone).format("%Y-%m-%d").to_string();
    let (mut past, mut dials, mut answered, mut out) = (DayFigures::default(), 0, 0, Dashboard::default());
    for d in &r.by_day {
        let day_dials = d.outcomes.total();
        if d.day == today {
            out.today = DayFigures {
                calls: f64::from(d.calls),
                talk_seconds: d.talk_seconds as f64,
                connect_rate: (day_dials > 0).then(|| percent(d.outcomes.answered, day_dials)),
            };
        } else if d.day < today {
            out.active_days += 1;
            past.calls += f64::from(d.calls);
            past.talk_seconds += d.talk_seconds as f64;
            dials += day_dials;
            answered += d.outcomes.answered;
        }
    }
    if out.active_days > 0 {
        let days = f64::from(out.active_days);
        out.average = DayFigures {
            calls: past.calls / days,
            talk_seconds: past.talk_seconds / days,
            connect_rate: (dials > 0).then(|| percent(answered, dials)),
        };
    }
    out
}

/// The tables beside the Analytics page's charts, each exportable as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum AnalyticsTable {
    /// Calls per day, stacked by outcome, with talk time.
    Volume,
    /// Dials and share per outcome.
    Outcomes,
    /// Dials and answers per weekday and hour in the leads' local time.
    Heatmap,
    /// Leads per funnel step and the conversion from the step before.
    Funnel,
    /// Per agent, side by side.
    Agents,
    /// The best hour to call, over all leads and per lead time zone.
    BestTimes,
}

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

fn weekday(n: u8) -> String {
    WEEKDAYS.get(usize::from(n)).map_or_else(|| n.to_string(), |d| d.to_string())
}

fn fixed(v: f64, places: usize) -> String {
    format!("{v:.places$}")
}

/// One of the page's tables: its header and rows, as the CSV export writes them.
pub fn table(r: &AnalyticsReport, which: AnalyticsTable) -> (&'static [&'static str], Vec<Vec<String>>) {
    let counts = |o: &OutcomeCounts| {
        [o.answered, o.voicemail, o.busy, o.no_answer, o.wrong_number, o.unclassified].map(|n| n.to_string())
    };
    match which {
        AnalyticsTable::Volume => (
            &[
                "period",
                "calls",
                "inbound",
                "answered",
                "voicemail",
                "busy",
                "no_answer",
                "wrong_number",
                "unclassified",
                "talk_minutes",
            ],
            r.by_day
                .iter()
                .map(|d| {
                    let mut row = vec![d.day.clone(), d.calls.to_string(), d.inbound.to_string()];
                    row.extend(counts(&d.outcomes));
                    row.push(fixed(d.talk_seconds as f64 / 60.0, 1));
                    row
                })
                .collect(),
        ),
        AnalyticsTable::Outcomes => {
            let o = &r.outcomes;
            let rates = &r.rates;
            let rows = [
                ("answered", o.answered, rates.answered),
                ("voicemail", o.voicemail, rates.voicemail),
                ("busy", o.busy, rates.busy),
                ("no_answer", o.no_answer, rates.no_answer),
                ("wrong_number", o.wrong_number, rates.wrong_number),
                ("unclassified", o.unclassified, rates.unclassified),
            ];
            (
                &["outcome", "dials", "percent"],
                rows.iter().map(|(name, n, pct)| vec![name.to_string(), n.to_string(), fixed(*pct, 1)]).collect(),
            )
        }
        AnalyticsTable::Heatmap => (
            &["weekday", "hour", "dials", "answered", "answered_percent", "few_dials"],
            r.heatmap
                .iter()
                .map(|c| {
                    vec![
                        weekday(c.weekday),
                        format!("{:02}:00", c.hour),
                        c.dials.to_string(),
                        c.answered.to_string(),
                        fixed(percent(c.answered, c.dials), 1),
                        c.sparse.to_string(),
                    ]
                })
                .collect(),
        ),
        AnalyticsTable::Funnel => {
            let f = &r.funnel;
            let rate = |v: Option<f64>| v.map(|v| fixed(v, 1)).unwrap_or_default();
            let rows = vec![
                vec!["leads_called".into(), f.leads_called.to_string(), String::new(), String::new()],
                vec!["conversations".into(), f.conversations.to_string(), rate(f.conversation_rate), String::new()],
                vec!["interested".into(), f.interested.to_string(), rate(f.interested_rate), String::new()],
                vec!["won".into(), f.won.to_string(), rate(f.won_rate), fixed(f.won_value, 2)],
            ];
            (&["step", "leads", "percent_of_previous", "value"], rows)
        }
        AnalyticsTable::Agents => (
            &[
                "agent",
                "calls",
                "dials",
                "answered",
                "connect_percent",
                "conversations",
                "talk_minutes",
                "follow_ups_due",
                "follow_ups_on_time",
                "dispositions",
            ],
            r.by_agent
                .iter()
                .map(|a| {
                    let d: Vec<String> =
                        a.dispositions.iter().map(|d| format!("{} {}", d.disposition, d.calls)).collect();
                    vec![
                        a.agent.clone(),
                        a.calls.to_string(),
                        a.dials.to_string(),
                        a.answered.to_string(),
                        fixed(a.connect_rate, 1),
                        a.conversations.to_string(),
                        fixed(a.talk_seconds as f64 / 60.0, 1),
                        a.follow_ups_due.to_string(),
                        a.follow_ups_on_time.to_string(),
                        d.join("; "),
                    ]
                })
                .collect(),
        ),
        AnalyticsTable::BestTimes => (
            &[
                "list_id",
                "lead_zone",
                "weekday",
                "hour",
                "dials",
                "answered",
                "answered_percent",
                "few_dials",
                "zone_dials",
            ],
            r.best_time
                .iter()
                .chain(&r.best_time_by_zone)
                .chain(&r.best_time_by_list)
                .map(|b| {
                    vec![
                        b.list_id.clone().unwrap_or_default(),
                        b.zone
                            .clone()
                            .unwrap_or_else(|| if b.list_id.is_some() { String::new() } else { "all".into() }),
                        weekday(b.weekday),
                        format!("{:02}:00", b.hour),
                        b.dials.to_string(),
                        b.answered.to_string(),
                        fixed(b.rate, 1),
                        b.sparse.to_string(),
                        b.total_dials.to_string(),
                    ]
                })
                .collect(),
        ),
    }
}

/// A PNG's first eight bytes.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

impl App {
    /// Writes one of the Analytics page's tables, for the calls `query` selects, to `path` as CSV.
    pub fn export_analytics(&self, path: &str, query: &AnalyticsQuery, which: AnalyticsTable) -> Result<ExportReport> {
        let report = self.analytics(query)?;
        let (headers, rows) = table(&report, which);
        crate::csv_io::write_rows(std::path::Path::new(path), headers, |emit| rows.iter().try_for_each(|row| emit(row)))
    }

    /// Writes a chart's image (a PNG, base64 as the window's canvas gives it, with or without
    /// its `data:image/png;base64,` prefix) to `path`. Rejects with "invalidInput" for anything
    /// but a PNG; nothing is written then.
    pub fn save_chart_png(&self, path: &str, png_base64: &str) -> Result<ExportReport> {
        use base64::Engine as _;
        let text = match png_base64.strip_prefix("data:image/png;base64,") {
            Some(data) => data,
            None if png_base64.starts_with("data:") => {
                let kind = png_base64.trim_start_matches("data:").split([';', ',']).next().unwrap_or_default();
                return Err(crate::error::IpcError::invalid(format!("The chart image is not a PNG ({kind}).")));
            }
            None => png_base64,
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| crate::error::IpcError::invalid(format!("The chart image is not base64: {e}.")))?;
        if !bytes.starts_with(PNG_SIGNATURE) {
            return Err(crate::error::IpcError::invalid("The chart image is not a PNG."));
        }
        crate::csv_io::write_bytes(std::path::Path::new(path), &bytes)?;
        Ok(ExportReport { path: path.to_string(), rows: 1 })
    }
}

impl App {
    /// The start page's strip for this desktop's agent: today's calls, talk time and connect rate
    /// against their own 30-day average, and their overdue follow-ups. `zone` (IANA, UTC when
    /// null) says when today began.
    pub fn dashboard(&self, zone: Option<&str>) -> Result<Dashboard> {
        let now = Utc::now();
        let query = AnalyticsQuery { agent: self.me(), zone: zone.map(str::to_string), ..AnalyticsQuery::default() };
        let (mut selection, counting) = query.read()?;
        // Days start at the agent's midnight: whole days from 30 days before today.
        let today = now.with_timezone(&counting.zone).date_naive();
        let first = (today - Duration::days(30)).format("%Y-%m-%d").to_string();
        selection.from = Some(bound(&first, counting.zone, false)?);
        // Only the agent's last month is read (not the page's cache of every call, which a
        // wrap-up would make the strip rebuild whole).
        let since = selection.from.map(ringdesk_store::format_ts);
        let facts = self.store.read(|r| {
            let mut b = Builder::default();
            store::each_call_fact(r, since.as_deref(), selection.agent.as_deref(), |c| b.add(&c))?;
            Ok::<_, ringdesk_store::StoreError>(b.finish())
        })?;
        let report = facts.report(&selection, &counting, now);
        let mut out = dashboard(&report, counting.zone, now);
        let overdue =
            self.store.read(|r| ringdesk_store::followups::overdue_count(r, &ringdesk_store::format_ts(now)))?;
        out.overdue_follow_ups = u32::try_from(overdue).unwrap_or(u32::MAX);
        Ok(out)
    }

    /// The calls in memory as the analytics scan them: read once, then again only when the
    /// store's change journal names a write to the calls, their wrap-ups and follow-ups, the
    /// leads, lists or campaign attempts.
    pub fn analytics_facts(&self) -> Result<Arc<Facts>> {
        let mut cache = self.analytics.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let changes = self.store.changes_since(cache.as_ref().map_or(0, |c| c.0));
        if let Some((_, facts)) = cache.as_ref().filter(|_| changes.is_empty()) {
            return Ok(facts.clone());
        }
        // Drop the old columns before the new ones are built: at 1M calls that is 27 MB less.
        *cache = None;
        let facts = self.store.read(|r| {
            let calls = store::count_calls(r)?;
            // A few more than counted: calls logged between the count and the read.
            let mut b = Builder::with_capacity(usize::try_from(calls + calls / 100 + 16).unwrap_or(0));
            store::each_call_fact(r, None, None, |c| b.add(&c))?;
            store::each_list_member(r, |lead, list| b.member(lead, list))?;
            Ok::<_, ringdesk_store::StoreError>(b.finish())
        })?;
        // The read went through every call's pages: give the readers' page caches back.
        self.store.release_memory();
        let facts = Arc::new(facts);
        *cache = Some((changes.cursor, facts.clone()));
        Ok(facts)
    }

    /// Every figure of the Analytics page for the calls `query` selects (the CLI's `analytics`).
    /// Rejects with "invalidInput" for a zone or bound it cannot read.
    pub fn analytics(&self, query: &AnalyticsQuery) -> Result<AnalyticsReport> {
        let (selection, mut counting) = query.read()?;
        if query.conversation_seconds.is_none() {
            counting.conversation_seconds = crate::settings::conversation_seconds(&self.store)?;
        }
        let mut out = self.analytics_facts()?.report(&selection, &counting, Utc::now());
        out.me = self.me();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-10T00:00:00Z".parse().expect("a time")
    }

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
        c1.follow_up_due_at = Some("2026-11-03T14:00:00Z".into());
        c1.follow_up_status = Some("done".into());
        c1.follow_up_completed_at = Some("2026-11-03T13:00:00Z".into());
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
        // a2's follow-ups: one overdue and open, one not due yet (not counted), one cancelled.
        for (id, due, status) in [
            ("c3", "2026-11-04T15:00:00Z", "open"),
            ("c5", "2026-12-01T15:00:00Z", "open"),
            ("c8", "2026-11-04T15:00:00Z", "cancelled"),
        ] {
            let c = calls.iter_mut().find(|c| c.id == id).expect("in the fixture");
            c.follow_up_due_at = Some(due.into());
            c.follow_up_status = Some(status.into());
        }
        for c in calls.iter_mut().filter(|c| c.lead_id.as_deref() == Some("ann")) {
            c.lead_status = Some("won".into());
            c.lead_value = Some(1000.0);
        }
        calls
    }

    #[test]
    fn every_figure_matches_the_hand_computed_fixture() {
        let r = report(&fixture(), &Counting::default(), now());
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
            Funnel {
                leads_called: 2,
                conversations: 1,
                interested: 1,
                won: 1,
                won_value: 1000.0,
                conversation_rate: Some(50.0),
                interested_rate: Some(100.0),
                won_rate: Some(100.0),
            },
            "Ann: called, talked, interested, won; Dan: called only; the call without a lead counts in none"
        );
    }

    #[test]
    fn agents_side_by_side_and_the_best_time_per_lead_zone() {
        let r = report(&fixture(), &Counting::default(), now());
        let a1 = r.by_agent.iter().find(|a| a.agent == "a1").expect("a1's row");
        let a2 = r.by_agent.iter().find(|a| a.agent == "a2").expect("a2's row");
        assert_eq!(
            (a1.calls, a1.dials, a1.answered, a1.conversations, a1.talk_seconds),
            (4, 3, 2, 2, 180),
            "a1: c1, c2, c6 (inbound), c7; answered c1 and the skewed c7; talk 120 + 60"
        );
        assert!((a1.connect_rate - 200.0 / 3.0).abs() < 1e-9, "2 of 3 dials: {}", a1.connect_rate);
        assert_eq!((a1.follow_ups_due, a1.follow_ups_on_time), (1, 1), "c1's follow-up, done an hour early");
        assert_eq!(
            (a2.calls, a2.dials, a2.answered, a2.conversations, a2.talk_seconds),
            (4, 4, 1, 0, 65),
            "a2: c3 busy, c4 answered, c5 voicemail, c8 ringing"
        );
        assert_eq!(
            (a2.follow_ups_due, a2.follow_ups_on_time),
            (1, 0),
            "c3's is overdue and open; c5's is not due until December; c8's was cancelled"
        );
        let dispositions: Vec<(&str, u32)> =
            a2.dispositions.iter().map(|d| (d.disposition.as_str(), d.calls)).collect();
        assert_eq!(dispositions, [("busy", 1), ("left_voicemail", 1)], "a2's wrap-ups");
        assert_eq!(r.by_agent.first().map(|a| a.agent.as_str()), Some("a2"), "most dials first");

        let best = r.best_time.expect("dials were answered");
        assert_eq!(
            (best.weekday, best.hour, best.dials, best.answered, best.sparse, best.total_dials),
            (0, 11, 1, 1, true, 7),
            "every cell is sparse; of the 100 % ones the earliest wins: Monday 11:00 (c4, a New York number)"
        );
        let zones: Vec<(Option<&str>, u8, u8, u32)> =
            r.best_time_by_zone.iter().map(|b| (b.zone.as_deref(), b.weekday, b.hour, b.total_dials)).collect();
        assert_eq!(
            zones,
            [(Some("America/New_York"), 0, 11, 4)],
            "New York (c1, c2, c4 by its number, c7): Monday 11:00; Denver (c3, c5, c8) had no dial answered"
        );
    }

    #[test]
    fn each_filter_selects_in_memory_what_it_names_and_an_unknown_name_selects_nothing() {
        let mut calls = fixture();
        calls[2].campaign_id = Some("camp".into());
        calls[4].campaign_id = Some("camp".into());
        calls[5].route = "bridge".into();
        let mut b = Builder::default();
        calls.iter().for_each(|c| b.add(c));
        b.member("dan", "list-d");
        b.member("nobody-called", "list-d");
        let facts = b.finish();
        let of = |sel: Selection| {
            let r = facts.report(&sel, &Counting::default(), now());
            (r.calls, r.outbound)
        };
        let some = |s: &str| Some(s.to_string());
        assert_eq!(of(Selection::default()), (8, 7), "everything");
        assert_eq!(of(Selection { agent: some("a2"), ..Selection::default() }), (4, 4), "a2's calls");
        assert_eq!(of(Selection { campaign_id: some("camp"), ..Selection::default() }), (2, 2), "c3 and c5");
        assert_eq!(of(Selection { list_id: some("list-d"), ..Selection::default() }), (3, 3), "Dan's calls");
        assert_eq!(of(Selection { disposition: some("busy"), ..Selection::default() }), (1, 1), "c3");
        assert_eq!(of(Selection { lead_status: some("won"), ..Selection::default() }), (4, 3), "Ann's, c6 inbound");
        assert_eq!(of(Selection { route: some("bridge"), ..Selection::default() }), (1, 0), "c6");
        assert_eq!(of(Selection { route: some("softphone"), ..Selection::default() }), (7, 7), "all but c6");
        assert_eq!(of(Selection { direction: some("inbound"), ..Selection::default() }), (1, 0), "c6");
        let at = |t: &str| Some(t.parse::<DateTime<Utc>>().expect("a time"));
        assert_eq!(
            of(Selection { from: at("2026-11-02T15:00:00Z"), to: at("2026-11-02T18:00:00Z"), ..Selection::default() }),
            (3, 3),
            "c3, c4, c5: from included, to excluded"
        );
        for unknown in [
            Selection { agent: some("a9"), ..Selection::default() },
            Selection { list_id: some("no-such-list"), ..Selection::default() },
            Selection { campaign_id: some("no-such-campaign"), ..Selection::default() },
            Selection { route: some("pigeon"), ..Selection::default() },
        ] {
            assert_eq!(of(unknown.clone()), (0, 0), "{unknown:?} selects nothing");
        }
    }

    #[test]
    fn the_best_hour_per_list_side_by_side_is_each_list_s_own_best_hour() {
        let mut b = Builder::default();
        fixture().iter().for_each(|c| b.add(c));
        for (lead, list) in [("ann", "list-a"), ("ann", "list-both"), ("dan", "list-both"), ("dan", "list-d")] {
            b.member(lead, list);
        }
        let facts = b.finish();
        let r = facts.report(&Selection::default(), &Counting::default(), now());
        let by_list: Vec<&str> = r.best_time_by_list.iter().filter_map(|b| b.list_id.as_deref()).collect();
        assert_eq!(
            by_list,
            ["list-both", "list-a"],
            "lists with an answered dial, most dials first; Dan's alone had none"
        );
        for side in &r.best_time_by_list {
            let alone = facts.report(
                &Selection { list_id: side.list_id.clone(), ..Selection::default() },
                &Counting::default(),
                now(),
            );
            let best = alone.best_time.expect("the filtered report has a best hour");
            assert_eq!(
                (side.weekday, side.hour, side.dials, side.answered, side.sparse, side.total_dials),
                (best.weekday, best.hour, best.dials, best.answered, best.sparse, best.total_dials),
                "{:?}: the same hour as the page filtered to that list",
                side.list_id
            );
        }
    }

    #[test]
    fn more_kinds_of_call_than_a_u16_names_still_filter_exactly() {
        // 300 agents × 240 dispositions: 72,000 kinds, past the 65,536 a narrow column holds.
        let mut b = Builder::default();
        let mut n = 0u32;
        for a in 0..300 {
            for d in 0..240 {
                let mut c = call(
                    &format!("c{n}"),
                    &format!("agent{a}"),
                    None,
                    "outbound",
                    "2026-11-02T13:30:00Z",
                    None,
                    None,
                    Some("no-answer"),
                    Some(&format!("d{d}")),
                );
                c.started_at = format!("2026-11-02T13:{:02}:{:02}Z", (n / 60) % 60, n % 60);
                b.add(&c);
                n += 1;
            }
        }
        let facts = b.finish();
        let all = facts.report(&Selection::default(), &Counting::default(), now());
        assert_eq!(all.calls, 72_000, "every call counted after the kind column widened");
        let last_kind =
            Selection { agent: Some("agent299".into()), disposition: Some("d239".into()), ..Selection::default() };
        let r = facts.report(&last_kind, &Counting::default(), now());
        assert_eq!(r.calls, 1, "the 72,000th kind selects its one call");
        assert_eq!(r.by_agent.len(), 1, "and one agent");
        assert_eq!(r.by_agent[0].agent, "agent299", "that agent");
        let one_agent = Selection { agent: Some("agent7".into()), ..Selection::default() };
        assert_eq!(facts.report(&one_agent, &Counting::default(), now()).calls, 240, "an agent's every disposition");
    }

    #[test]
    fn calls_without_a_lead_count_by_their_number_zone_and_stay_out_of_the_funnel() {
        // Two calls to one Denver number without a lead, one to a New York lead.
        let denver = call("x1", "a1", None, "outbound", "2026-11-02T16:30:00Z", None, None, Some("no-answer"), None);
        let mut denver = CallFact { contact_number: "+13035550100".into(), ..denver };
        denver.lead_phone_e164 = None;
        let mut again = denver.clone();
        again.id = "x2".into();
        again.started_at = "2026-11-03T16:30:00Z".into();
        denver.status = Some("busy".into());
        let lead = call(
            "x3",
            "a1",
            Some(("ann", Some("America/New_York"), "+12015550100")),
            "outbound",
            "2026-11-02T16:30:00Z",
            None,
            None,
            Some("no-answer"),
            None,
        );
        let mut b = Builder::default();
        [denver, again, lead].iter().for_each(|c| b.add(c));
        let facts = b.finish();
        let r = facts.report(&Selection::default(), &Counting::default(), now());
        assert_eq!(r.calls, 3, "all three counted");
        assert_eq!(r.funnel.leads_called, 1, "a number without a lead is no lead of the funnel");
        let denver_cells: u32 = r.heatmap.iter().filter(|c| c.hour == 9).map(|c| c.dials).sum();
        assert_eq!(denver_cells, 2, "both calls to the Denver number in the 09:00 cell (16:30 UTC is 09:30 there)");
        let new_york: u32 = r.heatmap.iter().filter(|c| c.hour == 11).map(|c| c.dials).sum();
        assert_eq!(new_york, 1, "the New York lead's call at 11:30 there");
        let with_status = Selection { lead_status: Some("contacted".into()), ..Selection::default() };
        let r = facts.report(&with_status, &Counting::default(), now());
        assert_eq!(r.calls, 1, "a lead-status filter selects the lead's call, never a number's");
    }

    #[test]
    fn a_talk_longer_than_eighteen_hours_counts_as_eighteen() {
        let long = call(
            "l1",
            "a1",
            None,
            "outbound",
            "2026-11-02T00:00:00Z",
            Some("2026-11-02T00:00:00Z"),
            Some("2026-11-03T00:00:00Z"),
            Some("completed"),
            None,
        );
        let r = report(&[long], &Counting::default(), now());
        assert_eq!(r.talk_seconds, u64::from(u16::MAX), "a day on the line is held as the column's most, 18 h 12 min");
    }

    #[test]
    fn calls_that_arrive_out_of_order_are_counted_as_if_sorted() {
        let mut calls = fixture();
        calls.reverse();
        let reversed = report(&calls, &Counting::default(), now());
        assert_eq!(reversed, report(&fixture(), &Counting::default(), now()), "the same figures");
    }

    #[test]
    fn the_dashboard_sets_today_against_the_average_of_the_days_with_calls() {
        let at = |t: &str, answered: bool| {
            let mut c = call("x", "a1", None, "outbound", t, None, None, Some("no-answer"), None);
            if answered {
                c.answered_at = Some(t.into());
                c.ended_at = Some((parse(t).expect("a time") + Duration::seconds(90)).to_rfc3339());
            }
            c
        };
        let calls = vec![
            at("2026-11-01T15:00:00Z", true),
            at("2026-11-01T16:00:00Z", false),
            at("2026-11-05T15:00:00Z", false),
            at("2026-11-05T16:00:00Z", false),
            // 01:00 on the 10th in UTC is still the 9th in Denver: an earlier day, not today.
            at("2026-11-10T01:00:00Z", false),
            at("2026-11-10T16:00:00Z", true),
        ];
        let now = "2026-11-10T20:00:00Z".parse().expect("a time");
        let r = report(&calls, &Counting { zone: Tz::America__Denver, ..Counting::default() }, now);
        let d = dashboard(&r, Tz::America__Denver, now);
        assert_eq!(d.today, DayFigures { calls: 1.0, talk_seconds: 90.0, connect_rate: Some(100.0) }, "today");
        assert_eq!(d.active_days, 3, "the 1st, 5th and 9th in Denver");
        assert_eq!(
            d.average,
            DayFigures { calls: 5.0 / 3.0, talk_seconds: 30.0, connect_rate: Some(20.0) },
            "5 calls and 90 s over 3 days; 1 of 5 answered"
        );
    }

    #[test]
    fn days_follow_the_agent_s_zone_and_an_empty_range_is_all_zeros() {
        let berlin = Counting { zone: Tz::Europe__Berlin, ..Counting::default() };
        let late = vec![call("x", "a1", None, "outbound", "2026-11-02T23:30:00Z", None, None, Some("busy"), None)];
        let r = report(&late, &berlin, now());
        assert_eq!(r.by_day.first().map(|d| d.day.as_str()), Some("2026-11-03"), "00:30 in Berlin is the next day");
        let by_week = report(&fixture(), &Counting { period: Period::Week, ..Counting::default() }, now());
        let weeks: Vec<(&str, u32)> = by_week.by_day.iter().map(|d| (d.day.as_str(), d.calls)).collect();
        assert_eq!(weeks, [("2026-10-26", 1), ("2026-11-02", 7)], "weeks from Monday");
        let by_month = report(&fixture(), &Counting { period: Period::Month, ..Counting::default() }, now());
        let months: Vec<(&str, u32)> = by_month.by_day.iter().map(|d| (d.day.as_str(), d.calls)).collect();
        assert_eq!(months, [("2026-10", 1), ("2026-11", 7)], "months");
        let empty = report(&[], &Counting::default(), now());
        assert_eq!(
            (empty.calls, empty.rates.answered, empty.average_handle_seconds),
            (0, 0.0, None),
            "no data, no NaN"
        );
        assert!(empty.by_day.is_empty() && empty.heatmap.is_empty(), "nothing to chart");
    }
}
