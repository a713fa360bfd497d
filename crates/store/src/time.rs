//! Timestamps as stored: UTC RFC 3339 with milliseconds and `Z`, so text order is time order.

use chrono::{DateTime, SecondsFormat, Utc};

/// Formats a timestamp the way every table stores it.
pub fn format_ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads a stored timestamp back; `None` when the text is not one.
pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn stored_timestamps_sort_as_text_and_round_trip() {
        let a = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).single().expect("valid date");
        let b = a + chrono::Duration::milliseconds(1500);
        assert_eq!(format_ts(a), "2026-01-02T03:04:05.000Z", "fixed-width UTC form");
        assert!(format_ts(a) < format_ts(b), "text order is time order");
        assert_eq!(parse_ts(&format_ts(b)), Some(b), "round trip");
    }
}
