//! Calling windows in the called party's local time.
//!
//! US law allows telemarketing calls from 08:00 to 21:00 in the called party's local time;
//! Florida (FTSA, 2021) and Oklahoma (OTSA, 2022) end at 20:00 (see docs/reference/dialer.md
//! §2.2). A campaign may narrow its window and leave weekdays out. A number whose prefix spans
//! several time zones may be called only when the window is open in every one of them.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// A daily span of local time: `start` included, `end` excluded, `start` before `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    start: NaiveTime,
    end: NaiveTime,
}

/// Why a window cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowError {
    /// The end is not after the start (windows do not run past midnight).
    EndNotAfterStart { start: NaiveTime, end: NaiveTime },
    /// The campaign's window and the law's do not overlap.
    NoOverlap { campaign: Window, legal: Window },
}

impl std::fmt::Display for WindowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WindowError::EndNotAfterStart { start, end } => {
                write!(
                    f,
                    "the calling window ends ({}) before it starts ({})",
                    end.format("%H:%M"),
                    start.format("%H:%M")
                )
            }
            WindowError::NoOverlap { campaign, legal } => {
                write!(f, "the campaign's window {campaign} is outside the hours the law allows here ({legal})")
            }
        }
    }
}

impl std::error::Error for WindowError {}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}–{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

const fn hm(h: u32, m: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(h, m, 0) {
        Some(t) => t,
        None => panic!("a valid time of day"),
    }
}

impl Window {
    /// 08:00–21:00: the federal hours.
    pub const FEDERAL: Window = Window { start: hm(8, 0), end: hm(21, 0) };
    /// 08:00–20:00: Florida and Oklahoma.
    pub const EIGHT_TO_EIGHT: Window = Window { start: hm(8, 0), end: hm(20, 0) };

    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Window, WindowError> {
        if end <= start {
            return Err(WindowError::EndNotAfterStart { start, end });
        }
        Ok(Window { start, end })
    }

    pub fn start(&self) -> NaiveTime {
        self.start
    }

    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// The part of both windows; an error when they do not overlap.
    pub fn within(self, legal: Window) -> Result<Window, WindowError> {
        Window::new(self.start.max(legal.start), self.end.min(legal.end))
            .map_err(|_| WindowError::NoOverlap { campaign: self, legal })
    }

    fn contains(&self, t: NaiveTime) -> bool {
        t >= self.start && t < self.end
    }
}

/// The hours the law allows in a state (a two-letter code; `None`: federal hours).
pub fn legal_window(state: Option<&str>) -> Window {
    match state {
        Some("FL" | "OK") => Window::EIGHT_TO_EIGHT,
        _ => Window::FEDERAL,
    }
}

/// The states that allow at most three calls to the same person in 24 hours.
pub fn three_calls_a_day(state: Option<&str>) -> bool {
    matches!(state, Some("FL" | "OK"))
}

/// The hours that apply to one number: a window and the weekdays never called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours {
    pub window: Window,
    pub excluded_days: Vec<Weekday>,
}

impl Hours {
    /// Whether a call at `at` is inside these hours in `zone`.
    pub fn open_in(&self, zone: Tz, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&zone);
        !self.excluded_days.contains(&local.weekday()) && self.window.contains(local.time())
    }

    /// Whether a call at `at` is inside these hours in every one of `zones`.
    pub fn open_in_all(&self, zones: &[Tz], at: DateTime<Utc>) -> bool {
        !zones.is_empty() && zones.iter().all(|z| self.open_in(*z, at))
    }

    /// The first instant at or after `at` when these hours are open in every one of `zones`;
    /// `None` when that does not happen within two weeks (every weekday excluded, or zones so far
    /// apart that their windows never overlap).
    pub fn next_open(&self, zones: &[Tz], at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let horizon = at + Duration::days(15);
        let mut t = at;
        while t <= horizon {
            if self.open_in_all(zones, t) {
                return Some(t);
            }
            // The latest of the zones' next openings: no instant before it is open in all.
            let mut next = t;
            for zone in zones {
                next = next.max(self.next_open_in(*zone, t)?);
            }
            if next == t {
                // Each zone is open at `t` on its own but not together: cannot happen for one
                // window; step on to stay safe.
                next = t + Duration::minutes(1);
            }
            t = next;
        }
        None
    }

    /// The first instant at or after `at` when these hours are open in `zone`.
    fn next_open_in(&self, zone: Tz, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.open_in(zone, at) {
            return Some(at);
        }
        let today = at.with_timezone(&zone).date_naive();
        (0..=8).find_map(|days| {
            let date = today + Duration::days(days);
            if self.excluded_days.contains(&date.weekday()) {
                return None;
            }
            let opening = first_instant_at_or_after(zone, date.and_time(self.window.start))?;
            (opening >= at && self.open_in(zone, opening)).then_some(opening)
        })
    }
}

/// The first instant whose local time in `zone` is `local` or, when a clock change skips it, the
/// first instant after the gap.
pub(crate) fn first_instant_at_or_after(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    (0..=24 * 60).step_by(15).find_map(|minutes| {
        match zone.from_local_datetime(&(local + Duration::minutes(minutes))) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
            LocalResult::None => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("an RFC 3339 time").with_timezone(&Utc)
    }

    fn federal() -> Hours {
        Hours { window: Window::FEDERAL, excluded_days: vec![] }
    }

    #[test]
    fn the_window_is_read_in_the_lead_s_local_time() {
        // 13:30 UTC in July: 09:30 in New York, 06:30 in Los Angeles.
        let at = utc("2026-07-01T13:30:00Z");
        assert!(federal().open_in(America::New_York, at), "09:30 in New York is open");
        assert!(!federal().open_in(America::Los_Angeles, at), "06:30 in Los Angeles is not");
        assert_eq!(
            federal().next_open(&[America::Los_Angeles], at),
            Some(utc("2026-07-01T15:00:00Z")),
            "08:00 in Los Angeles"
        );
        assert!(!federal().open_in(America::New_York, utc("2026-07-02T01:00:00Z")), "21:00 in New York is closed");
    }

    #[test]
    fn a_number_spanning_two_zones_is_called_only_when_both_are_open() {
        let both = [America::Denver, America::Los_Angeles];
        // 14:30 UTC in July: 08:30 in Denver, 07:30 in Los Angeles.
        let at = utc("2026-07-01T14:30:00Z");
        assert!(!federal().open_in_all(&both, at), "not yet open in Los Angeles");
        assert_eq!(federal().next_open(&both, at), Some(utc("2026-07-01T15:00:00Z")), "when Los Angeles opens");
        // 02:30 UTC: 20:30 in Denver... is 19:30 in LA, but Denver closes at 21:00 local: 03:00 UTC.
        assert!(federal().open_in_all(&both, utc("2026-07-02T02:30:00Z")), "20:30 Denver, 19:30 LA");
        assert!(!federal().open_in_all(&both, utc("2026-07-02T03:00:00Z")), "21:00 in Denver closes both");
    }

    #[test]
    fn florida_and_oklahoma_close_at_eight_and_a_campaign_narrows_further() {
        assert_eq!(legal_window(Some("FL")), Window::EIGHT_TO_EIGHT);
        assert_eq!(legal_window(Some("OK")), Window::EIGHT_TO_EIGHT);
        assert_eq!(legal_window(Some("TX")), Window::FEDERAL);
        let campaign = Window::new(hm(10, 0), hm(22, 0)).expect("a window");
        assert_eq!(campaign.within(Window::EIGHT_TO_EIGHT), Ok(Window { start: hm(10, 0), end: hm(20, 0) }));
        assert!(Window::new(hm(18, 0), hm(9, 0)).is_err(), "an overnight window is refused");
        let late = Window::new(hm(21, 30), hm(23, 0)).expect("a window");
        assert!(matches!(late.within(Window::FEDERAL), Err(WindowError::NoOverlap { .. })), "no legal hour in it");
    }

    #[test]
    fn excluded_weekdays_move_the_opening_to_the_next_allowed_day() {
        let weekdays = Hours { window: Window::FEDERAL, excluded_days: vec![Weekday::Sat, Weekday::Sun] };
        // Friday 2026-07-03 22:00 in New York → Monday 08:00.
        let friday_night = utc("2026-07-04T02:00:00Z");
        assert_eq!(weekdays.next_open(&[America::New_York], friday_night), Some(utc("2026-07-06T12:00:00Z")));
        let never = Hours {
            window: Window::FEDERAL,
            excluded_days: std::iter::successors(Some(Weekday::Mon), |d| Some(d.succ())).take(7).collect(),
        };
        assert_eq!(never.next_open(&[America::New_York], friday_night), None, "every day excluded: never");
    }

    #[test]
    fn the_opening_follows_daylight_saving_time() {
        // 2026-03-08: New York springs forward. Saturday 21:30 EST → Sunday 08:00 EDT = 12:00 UTC.
        let at = utc("2026-03-08T02:30:00Z");
        assert_eq!(federal().next_open(&[America::New_York], at), Some(utc("2026-03-08T12:00:00Z")));
        // 2026-11-01: back to EST. Sunday 08:00 EST = 13:00 UTC.
        let at = utc("2026-11-01T02:30:00Z");
        assert_eq!(federal().next_open(&[America::New_York], at), Some(utc("2026-11-01T13:00:00Z")));
    }
}
