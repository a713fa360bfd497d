//! Property: whatever the sequence of outcomes and clock jumps (backwards too, and across the
//! 2026 DST changes), the engine never offers a lead outside its calling window in any zone its
//! number rings in, on an excluded weekday, past the campaign's attempts, before its retry time
//! or past three calls a day in Florida and Oklahoma; and when it says when a window opens, the
//! lead is eligible at that instant. The local times are checked with chrono-tz directly, not
//! through the engine's window code.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;
use ringdesk_dialer::places::Places;
use ringdesk_dialer::rules::{Blocked, Campaign, Lead, eligibility, next_retry};
use ringdesk_dialer::window::Window;

/// New York, Los Angeles, the 208-291 exchange (Boise and Los Angeles), Miami (FL), Oklahoma
/// City (OK), Phoenix (no DST), Honolulu, an area code the data does not place, London.
const NUMBERS: &[&str] = &[
    "+12015550100",
    "+12135550100",
    "+12082910100",
    "+13055550100",
    "+14055550100",
    "+16025550100",
    "+18085550100",
    "+19995550100",
    "+442079460958",
];
const OWN_ZONES: &[Option<&str>] =
    &[None, None, None, Some("America/Chicago"), Some("Not/AZone"), Some("Europe/Berlin")];
const OUTCOMES: &[&str] =
    &["busy", "no_answer", "voicemail", "failed", "callback_requested", "mystery_outcome", "answered"];
const WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn base(days_before_a_dst_change: i64, march: bool) -> DateTime<Utc> {
    let change = if march { "2026-03-08T07:00:00Z" } else { "2026-11-01T06:00:00Z" };
    DateTime::parse_from_rfc3339(change).expect("a time").with_timezone(&Utc) - Duration::days(days_before_a_dst_change)
}

fn campaign(max_attempts: u32, start_hour: u32, length: u32, excluded: &[bool]) -> Option<Campaign> {
    let start = NaiveTime::from_hms_opt(start_hour, 0, 0)?;
    let end = NaiveTime::from_hms_opt((start_hour + length).min(23), 30, 0)?;
    let mut c = Campaign::new(chrono_tz::America::Chicago);
    c.max_attempts = max_attempts;
    c.window = Window::new(start, end).ok()?;
    c.excluded_days = WEEKDAYS.iter().zip(excluded).filter(|(_, x)| **x).map(|(d, _)| *d).collect();
    Some(c)
}

/// The checks of an offer, with chrono-tz only.
fn assert_allowed(lead: &Lead, c: &Campaign, zones: &[Tz], state: Option<&str>, now: DateTime<Utc>) {
    assert!(lead.attempts < c.max_attempts, "offered after {} of {} attempts", lead.attempts, c.max_attempts);
    assert!(
        lead.next_retry_at.is_none_or(|t| t <= now),
        "offered at {now} before its retry at {:?}",
        lead.next_retry_at
    );
    let close = if matches!(state, Some("FL" | "OK")) { 20 } else { 21 };
    for zone in zones {
        let local = now.with_timezone(zone);
        let t = local.time();
        assert!(t.hour() >= 8 && t.hour() < close, "offered at {local} in {zone} ({state:?})");
        assert!(t >= c.window.start() && t < c.window.end(), "outside the campaign's window: {local} in {zone}");
        assert!(!c.excluded_days.contains(&local.weekday()), "offered on an excluded {}", local.weekday());
    }
    if matches!(state, Some("FL" | "OK")) {
        let last_day = lead.recent_calls.iter().filter(|t| **t > now - Duration::hours(24)).count();
        assert!(last_day < 3, "a fourth call within 24 h in {state:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn no_lead_is_offered_outside_its_window_or_past_its_attempts(
        number in 0..NUMBERS.len(),
        own_zone in 0..OWN_ZONES.len(),
        days_before in 0i64..10,
        march in any::<bool>(),
        max_attempts in 1u32..6,
        start_hour in 6u32..13,
        length in 1u32..14,
        excluded in proptest::collection::vec(proptest::bool::weighted(0.2), 7),
        steps in proptest::collection::vec((-180i64..1800, 0..OUTCOMES.len(), 0i64..600), 1..40),
    ) {
        let Some(c) = campaign(max_attempts, start_hour, length, &excluded) else { return Ok(()) };
        let places = Places::embedded();
        let mut lead = Lead {
            status: "new".into(),
            phone_e164: Some(NUMBERS[number].into()),
            timezone: OWN_ZONES[own_zone].map(str::to_string),
            ..Lead::default()
        };
        let mut now = base(days_before, march);
        for (jump_minutes, outcome, talk_seconds) in steps {
            now += Duration::minutes(jump_minutes);
            match eligibility(&lead, &c, places, now) {
                Ok(placed) => {
                    assert_allowed(&lead, &c, &placed.zones, placed.state.as_deref(), now);
                    if let Some(own) = lead.timezone.as_deref().and_then(|z| z.parse::<Tz>().ok()) {
                        prop_assert_eq!(&placed.zones, &vec![own], "the lead's own zone wins");
                    }
                    // Dialed: the call ends `talk_seconds` later with `outcome`.
                    let ended = now + Duration::seconds(talk_seconds);
                    lead.attempts += 1;
                    lead.recent_calls.push(now);
                    lead.last_outcome = Some(OUTCOMES[outcome].to_string());
                    lead.next_retry_at = next_retry(OUTCOMES[outcome], ended, &c, &placed);
                    if let Some(at) = lead.next_retry_at {
                        prop_assert!(at > now, "a retry is after the call");
                    }
                }
                Err(Blocked::OutsideWindow { opens_at: Some(at) }) => {
                    prop_assert!(at > now, "the window opens later than now: {} vs {}", at, now);
                    let then = eligibility(&lead, &c, places, at);
                    prop_assert!(then.is_ok(), "eligible when its window opens at {}: {:?}", at, then);
                    if let Ok(placed) = then {
                        assert_allowed(&lead, &c, &placed.zones, placed.state.as_deref(), at);
                    }
                }
                Err(_) => {}
            }
        }
    }
}
