//! Whether a campaign may dial a lead now, and when an outcome lets it try again.
//!
//! The checks, in the order their reasons are reported: Do Not Call; no usable number; a final
//! outcome already reached; the campaign's maximum attempts; a retry time not yet come; the
//! three-calls-a-day cap of Florida and Oklahoma; the calling window in the lead's local time.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::places::{Places, Zones};
use crate::window::{Hours, Window, WindowError, first_instant_at_or_after, legal_window, three_calls_a_day};

/// How long a call without an outcome (its wrap-up not saved, or its agent gone) keeps its lead
/// from being dialed again.
pub const UNFINISHED_HOLD: Duration = Duration::hours(2);

/// The status and disposition that forbid dialing.
pub const DO_NOT_CALL: &str = "do_not_call";

/// When an outcome lets a lead be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    After(Duration),
    /// From the next day in the lead's local time (the window then decides the hour).
    NextDay,
    /// Never: the lead is done for this campaign.
    Final,
}

/// A campaign's retry rule per outcome (a disposition key, or `failed` for a call that did not
/// go through).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryRules {
    rules: Vec<(String, Retry)>,
    /// For an outcome with no rule (a disposition added later).
    otherwise: Retry,
}

impl Default for RetryRules {
    /// Busy 1 h, No Answer 4 h, Voicemail next day, a failed call 15 min; a person reached
    /// (answered, interested, not interested, callback requested), a wrong number or Do Not Call
    /// ends the lead.
    fn default() -> Self {
        let rules = [
            ("busy", Retry::After(Duration::hours(1))),
            ("no_answer", Retry::After(Duration::hours(4))),
            ("voicemail", Retry::NextDay),
            ("left_voicemail", Retry::NextDay),
            ("failed", Retry::After(Duration::minutes(15))),
            ("answered", Retry::Final),
            ("interested", Retry::Final),
            ("not_interested", Retry::Final),
            ("callback_requested", Retry::Final),
            ("wrong_number", Retry::Final),
            (DO_NOT_CALL, Retry::Final),
        ];
        RetryRules { rules: rules.into_iter().map(|(k, r)| (k.to_string(), r)).collect(), otherwise: Retry::NextDay }
    }
}

impl RetryRules {
    /// These rules with `outcome`'s replaced (or added).
    pub fn with(mut self, outcome: &str, retry: Retry) -> Self {
        self.rules.retain(|(k, _)| k != outcome);
        self.rules.push((outcome.to_string(), retry));
        self
    }

    /// Every outcome with a rule, in the defaults' order (changed ones last).
    pub fn entries(&self) -> impl Iterator<Item = (&str, Retry)> {
        self.rules.iter().map(|(k, r)| (k.as_str(), *r))
    }

    pub fn for_outcome(&self, outcome: &str) -> Retry {
        if outcome == DO_NOT_CALL {
            return Retry::Final;
        }
        self.rules.iter().find(|(k, _)| k == outcome).map(|(_, r)| *r).unwrap_or(self.otherwise)
    }
}

/// What a campaign decides by.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    /// Attempts per lead (the seed's default: 3).
    pub max_attempts: u32,
    /// The campaign's own window, narrowed further by each state's law.
    pub window: Window,
    pub excluded_days: Vec<chrono::Weekday>,
    /// The zone of a lead whose number does not say where it rings.
    pub zone: Tz,
    pub retry: RetryRules,
}

impl Campaign {
    /// Three attempts, the federal window every day, the default retry rules, in `zone`.
    pub fn new(zone: Tz) -> Campaign {
        Campaign { max_attempts: 3, window: Window::FEDERAL, excluded_days: vec![], zone, retry: RetryRules::default() }
    }
}

/// A lead as the engine sees it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lead {
    pub status: String,
    pub phone_e164: Option<String>,
    /// The lead's own IANA zone, when the CRM has one: it wins over the number's.
    pub timezone: Option<String>,
    /// Calls this campaign made to it.
    pub attempts: u32,
    /// The outcome of its last call in this campaign.
    pub last_outcome: Option<String>,
    pub next_retry_at: Option<DateTime<Utc>>,
    /// When this campaign last dialed it, if that call has no outcome yet (its wrap-up is not
    /// saved, or the agent's desktop stopped): the lead waits for it, at most [`UNFINISHED_HOLD`].
    pub unfinished_since: Option<DateTime<Utc>>,
    /// When it was called (any campaign or by hand); only the last 24 hours matter.
    pub recent_calls: Vec<DateTime<Utc>>,
}

/// Where a lead rings and the hours that apply to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Every zone the call must be inside the window of.
    pub zones: Vec<Tz>,
    /// True when the number did not say where it rings and the campaign's zone stands in (shown
    /// as a warning).
    pub zone_assumed: bool,
    /// The NANP state, when known.
    pub state: Option<String>,
    pub hours: Hours,
}

/// Why a lead is not dialed now.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocked {
    DoNotCall,
    NoNumber,
    /// Reached with an outcome that ends it.
    Finished {
        outcome: String,
    },
    MaxAttempts {
        attempts: u32,
        max: u32,
    },
    RetryLater {
        at: DateTime<Utc>,
    },
    /// Its last call has no outcome yet; dialed again at `until` at the latest.
    Unfinished {
        until: DateTime<Utc>,
    },
    /// Florida and Oklahoma: three calls in the last 24 hours; the next is allowed at `until`.
    DailyCap {
        state: String,
        until: DateTime<Utc>,
    },
    /// Outside its calling window; `opens_at` is `None` when it never opens within two weeks.
    OutsideWindow {
        opens_at: Option<DateTime<Utc>>,
    },
    /// The campaign's window has no hour the law allows in the lead's state.
    NoLegalHours(WindowError),
}

impl std::fmt::Display for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = |t: &DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        match self {
            Blocked::DoNotCall => f.write_str("the lead is Do Not Call"),
            Blocked::NoNumber => f.write_str("the lead has no number to call"),
            Blocked::Finished { outcome } => write!(f, "already reached: {outcome}"),
            Blocked::MaxAttempts { attempts, max } => write!(f, "{attempts} of {max} attempts made"),
            Blocked::RetryLater { at: t } => write!(f, "to be tried again at {}", at(t)),
            Blocked::Unfinished { until } => {
                write!(f, "its last call has no outcome yet (wrap it up); otherwise again at {}", at(until))
            }
            Blocked::DailyCap { state, until } => {
                write!(f, "three calls in 24 hours, the most {state} allows; again at {}", at(until))
            }
            Blocked::OutsideWindow { opens_at: Some(t) } => {
                write!(f, "outside its calling window; it opens at {}", at(t))
            }
            Blocked::OutsideWindow { opens_at: None } => f.write_str("outside its calling window, which never opens"),
            Blocked::NoLegalHours(e) => write!(f, "{e}"),
        }
    }
}

/// Where `lead` rings and which hours apply to it.
pub fn place(lead: &Lead, campaign: &Campaign, places: &Places) -> Result<Placement, Blocked> {
    let e164 = lead.phone_e164.as_deref().filter(|p| p.len() > 2).ok_or(Blocked::NoNumber)?;
    let state = places.state(e164).map(str::to_string);
    let own = lead.timezone.as_deref().and_then(|z| z.trim().parse::<Tz>().ok());
    let (zones, zone_assumed) = match (own, places.zones(e164)) {
        (Some(zone), _) => (vec![zone], false),
        (None, Zones::Known(zones)) => (zones, false),
        (None, Zones::Unknown) => (vec![campaign.zone], true),
    };
    let window = campaign.window.within(legal_window(state.as_deref())).map_err(Blocked::NoLegalHours)?;
    Ok(Placement { zones, zone_assumed, state, hours: Hours { window, excluded_days: campaign.excluded_days.clone() } })
}

/// Whether the campaign may dial `lead` at `now`: where it rings, or why not.
pub fn eligibility(
    lead: &Lead,
    campaign: &Campaign,
    places: &Places,
    now: DateTime<Utc>,
) -> Result<Placement, Blocked> {
    if lead.status == DO_NOT_CALL || lead.last_outcome.as_deref() == Some(DO_NOT_CALL) {
        return Err(Blocked::DoNotCall);
    }
    let placement = place(lead, campaign, places)?;
    if let Some(outcome) = &lead.last_outcome
        && campaign.retry.for_outcome(outcome) == Retry::Final
    {
        return Err(Blocked::Finished { outcome: outcome.clone() });
    }
    if lead.attempts >= campaign.max_attempts {
        return Err(Blocked::MaxAttempts { attempts: lead.attempts, max: campaign.max_attempts });
    }
    if let Some(since) = lead.unfinished_since
        && since + UNFINISHED_HOLD > now
    {
        return Err(Blocked::Unfinished { until: since + UNFINISHED_HOLD });
    }
    if let Some(at) = lead.next_retry_at
        && at > now
    {
        return Err(Blocked::RetryLater { at });
    }
    if three_calls_a_day(placement.state.as_deref()) {
        let day_ago = now - Duration::hours(24);
        let mut last_day: Vec<DateTime<Utc>> = lead.recent_calls.iter().copied().filter(|t| *t > day_ago).collect();
        if last_day.len() >= 3 {
            last_day.sort();
            // Allowed again 24 h after the oldest of the last three.
            let until = last_day[last_day.len() - 3] + Duration::hours(24);
            return Err(Blocked::DailyCap { state: placement.state.clone().unwrap_or_default(), until });
        }
    }
    if !placement.hours.open_in_all(&placement.zones, now) {
        return Err(Blocked::OutsideWindow { opens_at: placement.hours.next_open(&placement.zones, now) });
    }
    Ok(placement)
}

/// When a lead whose call ended at `ended` with `outcome` may be tried again; `None` when the
/// outcome ends it.
pub fn next_retry(
    outcome: &str,
    ended: DateTime<Utc>,
    campaign: &Campaign,
    placement: &Placement,
) -> Option<DateTime<Utc>> {
    match campaign.retry.for_outcome(outcome) {
        Retry::Final => None,
        Retry::After(wait) => Some(ended + wait),
        Retry::NextDay => {
            // The next local midnight in the lead's (first) zone; the window then sets the hour.
            let zone = placement.zones.first().copied().unwrap_or(campaign.zone);
            let tomorrow = ended.with_timezone(&zone).date_naive() + Duration::days(1);
            first_instant_at_or_after(zone, tomorrow.and_time(chrono::NaiveTime::MIN))
                .or(Some(ended + Duration::hours(24)))
        }
    }
}

/// The caller ID local presence shows a lead: one of `ours` in the lead's area code, else in its
/// state, else `None` (the campaign's own caller ID).
pub fn local_presence<'a>(lead_e164: &str, ours: &'a [String], places: &Places) -> Option<&'a str> {
    let npa = |n: &str| n.strip_prefix("+1").filter(|r| r.len() == 10).map(|r| r[..3].to_string());
    let lead_npa = npa(lead_e164)?;
    if let Some(n) = ours.iter().find(|n| npa(n).as_deref() == Some(lead_npa.as_str())) {
        return Some(n);
    }
    let state = places.state(lead_e164)?;
    ours.iter().find(|n| places.state(n) == Some(state)).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("an RFC 3339 time").with_timezone(&Utc)
    }

    fn lead(phone: &str) -> Lead {
        Lead { status: "new".into(), phone_e164: Some(phone.into()), ..Lead::default() }
    }

    fn check(l: &Lead, now: &str) -> Result<Placement, Blocked> {
        eligibility(l, &Campaign::new(America::New_York), Places::embedded(), utc(now))
    }

    // 16:00 UTC on a July Wednesday: 12:00 in New York, 09:00 in Los Angeles.
    const NOON_NY: &str = "2026-07-01T16:00:00Z";

    #[test]
    fn a_lead_in_its_window_with_attempts_left_is_eligible_where_its_number_rings() {
        let placed = check(&lead("+12015550100"), NOON_NY).expect("eligible");
        assert_eq!(placed.zones, vec![America::New_York], "201 rings in New York");
        assert_eq!(placed.state.as_deref(), Some("NJ"));
        assert!(!placed.zone_assumed);
    }

    #[test]
    fn each_reason_is_reported_in_order() {
        let dnc = Lead { status: DO_NOT_CALL.into(), ..lead("+12015550100") };
        assert_eq!(check(&dnc, NOON_NY), Err(Blocked::DoNotCall));
        assert_eq!(check(&Lead { phone_e164: None, ..lead("") }, NOON_NY), Err(Blocked::NoNumber));
        let done = Lead { last_outcome: Some("interested".into()), attempts: 1, ..lead("+12015550100") };
        assert_eq!(check(&done, NOON_NY), Err(Blocked::Finished { outcome: "interested".into() }));
        let tried = Lead { attempts: 3, last_outcome: Some("busy".into()), ..lead("+12015550100") };
        assert_eq!(check(&tried, NOON_NY), Err(Blocked::MaxAttempts { attempts: 3, max: 3 }));
        let unfinished =
            Lead { unfinished_since: Some(utc("2026-07-01T15:30:00Z")), attempts: 1, ..lead("+12015550100") };
        assert_eq!(check(&unfinished, NOON_NY), Err(Blocked::Unfinished { until: utc("2026-07-01T17:30:00Z") }));
        let later = Lead { next_retry_at: Some(utc("2026-07-01T17:00:00Z")), ..lead("+12015550100") };
        assert_eq!(check(&later, NOON_NY), Err(Blocked::RetryLater { at: utc("2026-07-01T17:00:00Z") }));
        // 12:00 UTC = 08:00 New York but 05:00 in Los Angeles (a 213 number).
        assert_eq!(
            check(&lead("+12135550100"), "2026-07-01T12:00:00Z"),
            Err(Blocked::OutsideWindow { opens_at: Some(utc("2026-07-01T15:00:00Z")) })
        );
    }

    #[test]
    fn florida_allows_three_calls_a_day_and_closes_at_eight() {
        let calls = vec![utc("2026-07-01T13:00:00Z"), utc("2026-07-01T14:00:00Z"), utc("2026-07-01T15:00:00Z")];
        let miami = Lead { recent_calls: calls, attempts: 0, ..lead("+13055550100") };
        let mut campaign = Campaign::new(America::New_York);
        campaign.max_attempts = 10;
        let cap = eligibility(&miami, &campaign, Places::embedded(), utc(NOON_NY));
        assert_eq!(cap, Err(Blocked::DailyCap { state: "FL".into(), until: utc("2026-07-02T13:00:00Z") }));
        // 20:30 in Miami (00:30 UTC): closed in Florida, open in New Jersey.
        let evening = "2026-07-02T00:30:00Z";
        assert!(matches!(check(&lead("+13055550100"), evening), Err(Blocked::OutsideWindow { .. })));
        assert!(check(&lead("+12015550100"), evening).is_ok(), "20:30 in New Jersey is allowed");
    }

    #[test]
    fn the_lead_s_own_zone_wins_and_an_unplaced_number_takes_the_campaign_s_with_a_warning() {
        let moved = Lead { timezone: Some("America/Los_Angeles".into()), ..lead("+12015550100") };
        assert!(matches!(check(&moved, "2026-07-01T13:00:00Z"), Err(Blocked::OutsideWindow { .. })), "06:00 in LA");
        let unplaced = check(&lead("+19995550100"), NOON_NY).expect("eligible in the campaign's zone");
        assert_eq!(unplaced.zones, vec![America::New_York]);
        assert!(unplaced.zone_assumed, "shown as a warning");
    }

    #[test]
    fn local_presence_prefers_the_area_code_then_the_state_then_nothing() {
        let ours: Vec<String> = ["+13125550111", "+12125550123", "+17185550100"].map(String::from).to_vec();
        let p = Places::embedded();
        assert_eq!(local_presence("+12125559999", &ours, p), Some("+12125550123"), "same area code");
        // 315 is upstate New York: no number there, but 718 and 212 are in New York state.
        let in_state = local_presence("+13155550100", &ours, p);
        assert!(matches!(in_state, Some("+12125550123" | "+17185550100")), "same state: {in_state:?}");
        assert_eq!(local_presence("+14155550100", &ours, p), None, "California: no number of ours");
        assert_eq!(local_presence("+442071234567", &ours, p), None, "not NANP");
    }

    #[test]
    fn retries_follow_the_outcome() {
        let campaign = Campaign::new(America::New_York);
        let placed = check(&lead("+12015550100"), NOON_NY).expect("placed");
        let ended = utc(NOON_NY);
        assert_eq!(next_retry("busy", ended, &campaign, &placed), Some(ended + Duration::hours(1)));
        assert_eq!(next_retry("no_answer", ended, &campaign, &placed), Some(ended + Duration::hours(4)));
        assert_eq!(next_retry("failed", ended, &campaign, &placed), Some(ended + Duration::minutes(15)));
        assert_eq!(
            next_retry("voicemail", ended, &campaign, &placed),
            Some(utc("2026-07-02T04:00:00Z")),
            "NY midnight"
        );
        assert_eq!(next_retry("wrong_number", ended, &campaign, &placed), None);
        let custom = RetryRules::default().with("busy", Retry::After(Duration::minutes(30)));
        let campaign = Campaign { retry: custom, ..campaign };
        assert_eq!(next_retry("busy", ended, &campaign, &placed), Some(ended + Duration::minutes(30)));
    }
}
