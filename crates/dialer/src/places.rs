//! Where a phone number rings: its time zones and, in the NANP, its state or province.
//!
//! From libphonenumber's own data (Apache-2.0, `data/`, copied unchanged with its LICENSE):
//! `timezones-map_data.txt` (`prefix|Zone&Zone`) and the NANP geocoding file
//! (`prefix|Place, ST`). Both are read by the longest prefix of the number's digits: area codes
//! split by time zone at the NPA-NXX level (208, 219, 250, 270, ...), so the area code alone is
//! wrong for some exchanges. The `phonenumber` crate has no time-zone mapper or geocoder, and no
//! maintained crate reads these files, hence this small reader.

use std::sync::OnceLock;

use chrono_tz::Tz;

const ZONES: &str = include_str!("../data/timezones-map_data.txt");
const GEOCODING_NANP: &str = include_str!("../data/geocoding-en-1.txt");

/// The zones a number may ring in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zones {
    /// Its exchange or region says where: one zone, or several when the prefix spans them (then
    /// a call must be allowed in every one of them).
    Known(Vec<Tz>),
    /// Only the country is known and it spans several zones (a NANP number of an area code the
    /// data does not place, a non-geographic number): the campaign's zone applies, with a warning.
    Unknown,
}

/// The prefix tables, read once.
#[derive(Debug)]
pub struct Places {
    zones: Prefixes,
    /// The distinct zone sets the zone lines name, by index.
    zone_sets: Vec<Vec<Tz>>,
    states: Prefixes,
    /// The distinct state codes, by index.
    state_codes: Vec<String>,
}

/// Prefixes of digits and what each maps to, as two sorted arrays instead of a map of strings:
/// 32,000 NANP exchange lines held as 9 bytes each (a `HashMap<String, String>` of them took
/// about 3.5 MiB of small allocations, resident in every process that places a number).
#[derive(Debug, Default)]
struct Prefixes {
    /// The prefix as a number with its length in the low four bits (a prefix may start with 0
    /// digits elsewhere; lengths tell "1201" from "01201"), sorted.
    keys: Vec<u64>,
    /// Index into the table's values, by key.
    values: Vec<u16>,
    /// The longest prefix's length.
    max: usize,
}

impl Prefixes {
    /// The key of a prefix of 1 to 15 ASCII digits; `None` for anything else.
    fn key(digits: &str) -> Option<u64> {
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = digits.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
        Some(n << 4 | digits.len() as u64)
    }

    /// From `(prefix, value index)` pairs; a prefix that is not 1 to 15 digits is left out, and
    /// of a prefix given twice the last wins (as a map's insert did).
    fn new(pairs: Vec<(&str, u16)>) -> Prefixes {
        let mut keyed: Vec<(u64, u16, usize)> =
            pairs.iter().enumerate().filter_map(|(i, (p, v))| Prefixes::key(p).map(|k| (k, *v, i))).collect();
        keyed.sort_unstable_by_key(|(k, _, i)| (*k, std::cmp::Reverse(*i)));
        keyed.dedup_by_key(|(k, _, _)| *k);
        let max = keyed.iter().map(|(k, _, _)| (k & 15) as usize).max().unwrap_or(0);
        Prefixes { keys: keyed.iter().map(|e| e.0).collect(), values: keyed.iter().map(|e| e.1).collect(), max }
    }

    /// The longest prefix of `digits` in the table: its length and value index.
    fn longest(&self, digits: &str) -> Option<(usize, u16)> {
        (1..=digits.len().min(self.max)).rev().find_map(|n| {
            let key = Prefixes::key(digits.get(..n)?)?;
            self.keys.binary_search(&key).ok().map(|i| (n, self.values[i]))
        })
    }
}

/// US states, DC and territories by the names libphonenumber's NANP file uses on area-code lines.
const STATE_NAMES: &[(&str, &str)] = &[
    ("Alabama", "AL"),
    ("Alaska", "AK"),
    ("Arizona", "AZ"),
    ("Arkansas", "AR"),
    ("California", "CA"),
    ("Colorado", "CO"),
    ("Connecticut", "CT"),
    ("Delaware", "DE"),
    ("Florida", "FL"),
    ("Georgia", "GA"),
    ("Hawaii", "HI"),
    ("Idaho", "ID"),
    ("Illinois", "IL"),
    ("Indiana", "IN"),
    ("Iowa", "IA"),
    ("Kansas", "KS"),
    ("Kentucky", "KY"),
    ("Louisiana", "LA"),
    ("Maine", "ME"),
    ("Maryland", "MD"),
    ("Massachusetts", "MA"),
    ("Michigan", "MI"),
    ("Minnesota", "MN"),
    ("Mississippi", "MS"),
    ("Missouri", "MO"),
    ("Montana", "MT"),
    ("Nebraska", "NE"),
    ("Nevada", "NV"),
    ("New Hampshire", "NH"),
    ("New Jersey", "NJ"),
    ("New Mexico", "NM"),
    ("New York", "NY"),
    ("North Carolina", "NC"),
    ("North Dakota", "ND"),
    ("Ohio", "OH"),
    ("Oklahoma", "OK"),
    ("Oregon", "OR"),
    ("Pennsylvania", "PA"),
    ("Rhode Island", "RI"),
    ("South Carolina", "SC"),
    ("South Dakota", "SD"),
    ("Tennessee", "TN"),
    ("Texas", "TX"),
    ("Utah", "UT"),
    ("Vermont", "VT"),
    ("Virginia", "VA"),
    ("Washington", "WA"),
    ("Washington D.C.", "DC"),
    ("Washington DC", "DC"),
    ("West Virginia", "WV"),
    ("Wisconsin", "WI"),
    ("Wyoming", "WY"),
    ("Puerto Rico", "PR"),
    ("Guam", "GU"),
    ("US Virgin Islands", "VI"),
    ("American Samoa", "AS"),
    ("Northern Mariana Islands", "MP"),
];

/// The state in a place: `"Fort Lee, NJ"` → NJ, `"Idaho"` → ID; `None` for places the file names
/// otherwise (Canadian provinces by name, Caribbean countries).
fn state_of(place: &str) -> Option<String> {
    if let Some((_, code)) = place.rsplit_once(", ")
        && code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
    {
        return Some(code.to_string());
    }
    STATE_NAMES.iter().find(|(name, _)| *name == place).map(|(_, code)| (*code).to_string())
}

/// Data lines `prefix|value` (comments and blank lines skipped).
fn entries(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).filter_map(|l| l.split_once('|'))
}

impl Places {
    /// The tables of the embedded libphonenumber files, read on first use.
    pub fn embedded() -> &'static Places {
        static PLACES: OnceLock<Places> = OnceLock::new();
        PLACES.get_or_init(|| Places::read(ZONES, GEOCODING_NANP))
    }

    /// Reads the two files; a zone this build of the IANA database does not know is left out of
    /// its line (a line left with none is dropped).
    pub fn read(zones_text: &str, geocoding_text: &str) -> Places {
        let mut zone_sets: Vec<Vec<Tz>> = Vec::new();
        let mut zones = Vec::new();
        for (prefix, names) in entries(zones_text) {
            let tzs: Vec<Tz> = names.split('&').filter_map(|n| n.parse::<Tz>().ok()).collect();
            if !tzs.is_empty() {
                zones.push((prefix, intern(&mut zone_sets, tzs)));
            }
        }
        let mut state_codes: Vec<String> = Vec::new();
        let mut states = Vec::new();
        for (prefix, place) in entries(geocoding_text) {
            if let Some(state) = state_of(place) {
                states.push((prefix, intern(&mut state_codes, state)));
            }
        }
        Places { zones: Prefixes::new(zones), zone_sets, states: Prefixes::new(states), state_codes }
    }

    /// The zones of an E.164 number (`+12085550100`), by the longest prefix of its digits.
    pub fn zones(&self, e164: &str) -> Zones {
        let digits = e164.trim_start_matches('+');
        let Some((tzs, prefix_len)) =
            self.zones.longest(digits).and_then(|(n, i)| Some((self.zone_sets.get(usize::from(i))?, n)))
        else {
            return Zones::Unknown;
        };
        // A country-wide line (no longer than a calling code) spanning several zones places
        // nothing: a whole country's zones are not where this number rings.
        if tzs.len() > 1 && is_calling_code(prefix_len) {
            return Zones::Unknown;
        }
        Zones::Known(tzs.clone())
    }

    /// The US state (or territory) of a NANP number, when its exchange or area code names one.
    pub fn state(&self, e164: &str) -> Option<&str> {
        let digits = e164.trim_start_matches('+');
        if !digits.starts_with('1') {
            return None;
        }
        self.states.longest(digits).and_then(|(_, i)| self.state_codes.get(usize::from(i))).map(String::as_str)
    }
}

/// Calling codes are 1 to 3 digits; a line that short is a country's (or a large part of one).
fn is_calling_code(prefix_len: usize) -> bool {
    prefix_len <= 3
}

/// The index of `value` in `seen`, added when new (a handful of distinct zone sets and states).
fn intern<T: PartialEq>(seen: &mut Vec<T>, value: T) -> u16 {
    let i = seen.iter().position(|v| *v == value).unwrap_or_else(|| {
        seen.push(value);
        seen.len() - 1
    });
    u16::try_from(i).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America;

    fn zones(e164: &str) -> Zones {
        Places::embedded().zones(e164)
    }

    #[test]
    fn an_exchange_finer_than_its_area_code_wins() {
        assert_eq!(zones("+12015550100"), Zones::Known(vec![America::New_York]), "201: New Jersey");
        assert_eq!(zones("+12082010100"), Zones::Known(vec![America::Denver]), "208-201: Denver, not Boise/LA");
        assert_eq!(zones("+12082150100"), Zones::Known(vec![America::Los_Angeles]), "208-215: Pacific");
        assert_eq!(
            zones("+12082910100"),
            Zones::Known(vec![America::Boise, America::Los_Angeles]),
            "2082 (no finer line): both zones"
        );
        assert_eq!(zones("+12702020100"), Zones::Known(vec![America::Chicago]), "270-202: western Kentucky, Central");
        assert_eq!(zones("+12702010100"), Zones::Known(vec![America::New_York]), "270-201 (no finer line): Eastern");
    }

    #[test]
    fn a_number_only_the_country_places_is_unknown_unless_the_country_has_one_zone() {
        assert_eq!(zones("+19995550100"), Zones::Unknown, "NANP, unplaced area code: 41 zones is no answer");
        assert_eq!(zones("+442079460958"), Zones::Known(vec![chrono_tz::Europe::London]), "the UK has one zone");
        assert_eq!(zones("+"), Zones::Unknown, "no digits");
    }

    #[test]
    fn prefixes_of_different_lengths_are_different_keys() {
        let p = Prefixes::new(vec![("1", 0), ("01", 1), ("001", 2), ("12", 3), ("12", 4), ("1x", 5), ("", 6)]);
        assert_eq!(p.longest("1555"), Some((1, 0)), "1 alone");
        assert_eq!(p.longest("0155"), Some((2, 1)), "a leading zero is a digit of the prefix");
        assert_eq!(p.longest("0015"), Some((3, 2)), "two leading zeros");
        assert_eq!(p.longest("1234"), Some((2, 4)), "the longer prefix wins; of a prefix given twice, the last");
        assert_eq!(p.longest("9"), None, "no prefix");
        assert_eq!(p.longest("1é"), Some((1, 0)), "a non-digit ends the number's digits without a panic");
        assert_eq!(p.keys.len(), 4, "non-digit and empty prefixes are left out, duplicates kept once");
    }

    #[test]
    fn the_state_comes_from_the_exchange_or_the_area_code() {
        let places = Places::embedded();
        assert_eq!(places.state("+12012240100"), Some("NJ"), "1201224: Fort Lee, NJ");
        assert_eq!(places.state("+12089990100"), Some("ID"), "1208: Idaho (area-code line)");
        assert_eq!(places.state("+13055550100"), Some("FL"), "305: Florida");
        assert_eq!(places.state("+14055550100"), Some("OK"), "405: Oklahoma");
        assert_eq!(places.state("+442079460958"), None, "not NANP");
    }
}
