//! Phone numbers: normalization to E.164 and display formatting.
//!
//! Parsing and the numbering-plan metadata come from the `phonenumber` crate (libphonenumber's
//! data). That crate has panicked on crafted input before, so every call into it runs inside
//! [`guarded`], which turns a panic into [`PhoneError::Unparseable`]; inputs are also bounded in
//! length and character set before they reach it. The `phone_normalize` fuzz target exercises
//! exactly this path.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;

use phonenumber::country::Id as CountryId;
use phonenumber::{Mode, metadata::DATABASE};

/// Longest input we hand to the parser; real numbers with extensions are far shorter.
pub const MAX_INPUT_LEN: usize = 64;

/// Why a piece of text is not a dialable phone number. Each variant is a specific, user-facing reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the number is empty")]
    Empty,
    #[error("the number is too long ({len} characters; at most {MAX_INPUT_LEN})")]
    TooLong { len: usize },
    #[error("the number contains {character:?}, which cannot appear in a phone number")]
    InvalidCharacter { character: char },
    #[error("the number has no digits")]
    NoDigits,
    #[error("{input:?} is not a phone number")]
    Unparseable { input: String },
    #[error("{e164} is not a valid number in any numbering plan")]
    Invalid { e164: String },
    #[error("{code:?} is not a known region code (use ISO 3166 alpha-2, such as US or GB)")]
    UnknownRegion { code: String },
}

/// A numbering region (ISO 3166-1 alpha-2), used to read numbers written without a country code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(CountryId);

impl Region {
    pub const US: Region = Region(CountryId::US);

    /// The region's ISO code, such as `"US"`.
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }

    /// The international calling code of the region, such as 1 for US or 44 for GB.
    pub fn calling_code(&self) -> Option<u16> {
        DATABASE.by_id(self.code()).map(|m| m.country_code())
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Region {
    type Err = PhoneError;
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        let upper = code.trim().to_ascii_uppercase();
        let unknown = || PhoneError::UnknownRegion { code: code.to_string() };
        if upper.len() != 2 || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(unknown());
        }
        let id = CountryId::from_str(&upper).map_err(|_| unknown())?;
        if DATABASE.by_id(id.as_ref()).is_none() {
            return Err(unknown());
        }
        Ok(Region(id))
    }
}

/// A region with the name the settings screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionInfo {
    pub region: Region,
    pub name: &'static str,
}

/// Regions offered as the default region, by name. Any ISO code libphonenumber knows is accepted
/// by [`Region::from_str`]; this list is what the picker shows.
pub fn common_regions() -> Vec<RegionInfo> {
    const NAMES: &[(&str, &str)] = &[
        ("AR", "Argentina"),
        ("AT", "Austria"),
        ("AU", "Australia"),
        ("BE", "Belgium"),
        ("BR", "Brazil"),
        ("CA", "Canada"),
        ("CH", "Switzerland"),
        ("CL", "Chile"),
        ("CN", "China"),
        ("CO", "Colombia"),
        ("CZ", "Czechia"),
        ("DE", "Germany"),
        ("DK", "Denmark"),
        ("EG", "Egypt"),
        ("ES", "Spain"),
        ("FI", "Finland"),
        ("FR", "France"),
        ("GB", "United Kingdom"),
        ("GR", "Greece"),
        ("HK", "Hong Kong"),
        ("IE", "Ireland"),
        ("IL", "Israel"),
        ("IN", "India"),
        ("IT", "Italy"),
        ("JP", "Japan"),
        ("KE", "Kenya"),
        ("KR", "South Korea"),
        ("MX", "Mexico"),
        ("MY", "Malaysia"),
        ("NG", "Nigeria"),
        ("NL", "Netherlands"),
        ("NO", "Norway"),
        ("NZ", "New Zealand"),
        ("PE", "Peru"),
        ("PH", "Philippines"),
        ("PK", "Pakistan"),
        ("PL", "Poland"),
        ("PR", "Puerto Rico"),
        ("PT", "Portugal"),
        ("RO", "Romania"),
        ("SA", "Saudi Arabia"),
        ("SE", "Sweden"),
        ("SG", "Singapore"),
        ("TH", "Thailand"),
        ("TR", "Turkey"),
        ("UA", "Ukraine"),
        ("AE", "United Arab Emirates"),
        ("US", "United States"),
        ("VN", "Vietnam"),
        ("ZA", "South Africa"),
    ];
    let mut out: Vec<RegionInfo> =
        NAMES.iter().filter_map(|(code, name)| Some(RegionInfo { region: code.parse().ok()?, name })).collect();
    out.sort_by(|a, b| a.name.cmp(b.name));
    out
}

/// A phone number known to be valid, held in E.164 form (`+15551234567`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber {
    e164: String,
    region: Option<Region>,
}

impl PhoneNumber {
    /// Reads a number as a person writes it: with or without country code (then `default_region`
    /// applies), with spaces, dashes, dots, parentheses, a `tel:`-free extension such as `x12`, or
    /// letters (`1-800-FLOWERS`).
    pub fn parse(input: &str, default_region: Region) -> Result<PhoneNumber, PhoneError> {
        let trimmed = input.trim();
        check_shape(trimmed)?;
        let parsed = guarded(|| phonenumber::parse(Some(default_region.0), trimmed))
            .and_then(|r| r.ok())
            .ok_or_else(|| PhoneError::Unparseable { input: trimmed.to_string() })?;
        let e164 = guarded(|| parsed.format().mode(Mode::E164).to_string())
            .ok_or_else(|| PhoneError::Unparseable { input: trimmed.to_string() })?;
        let valid = guarded(|| phonenumber::is_valid(&parsed)).unwrap_or(false);
        if !valid {
            return Err(PhoneError::Invalid { e164 });
        }
        let region = guarded(|| parsed.country().id()).flatten().map(Region);
        Ok(PhoneNumber { e164, region })
    }

    /// The number in E.164 form, such as `+15551234567`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The digits of the E.164 form, without the `+`.
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }

    /// The region the number belongs to, when the numbering plan tells.
    pub fn region(&self) -> Option<Region> {
        self.region
    }

    /// How the agent sees the number: national format for numbers of `home`, international for
    /// all others (`(555) 123-4567` vs `+44 20 7946 0958`).
    pub fn display(&self, home: Region) -> String {
        let mode = if self.region == Some(home) { Mode::National } else { Mode::International };
        guarded(|| phonenumber::parse(None, &self.e164).ok().map(|p| p.format().mode(mode).to_string()))
            .flatten()
            .unwrap_or_else(|| self.e164.clone())
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.e164)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

/// Cheap checks before the parser sees the text: length, characters, at least one digit.
fn check_shape(input: &str) -> Result<(), PhoneError> {
    if input.is_empty() {
        return Err(PhoneError::Empty);
    }
    let len = input.chars().count();
    if len > MAX_INPUT_LEN {
        return Err(PhoneError::TooLong { len });
    }
    if let Some(character) = input.chars().find(|&c| {
        !(c.is_ascii_alphanumeric()
            || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')' | '/' | '#' | '*' | ',' | ';' | '='))
    }) {
        return Err(PhoneError::InvalidCharacter { character });
    }
    if !input.bytes().any(|b| b.is_ascii_digit()) {
        return Err(PhoneError::NoDigits);
    }
    Ok(())
}

/// Runs a call into the `phonenumber` crate, turning a panic into `None`. The default panic hook
/// would still print the panic; that is acceptable for a bug in a dependency and keeps the
/// process-wide hook untouched.
fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> Region {
        Region::US
    }

    #[track_caller]
    fn check(input: &str, region: &str, expect: Result<&str, PhoneError>) {
        let region: Region = region.parse().expect("test region is valid");
        let got = PhoneNumber::parse(input, region);
        match expect {
            Ok(e164) => {
                assert_eq!(got.as_ref().map(|n| n.e164()), Ok(e164), "{input:?} in {region} should normalize to {e164}")
            }
            Err(err) => assert_eq!(got, Err(err), "{input:?} in {region} should be rejected"),
        }
    }

    #[test]
    fn national_numbers_take_the_default_region() {
        check("(202) 555-0143", "US", Ok("+12025550143"));
        check("202.555.0143", "US", Ok("+12025550143"));
        check("020 7946 0958", "GB", Ok("+442079460958"));
        check("030 901820", "DE", Ok("+4930901820"));
    }

    #[test]
    fn international_numbers_ignore_the_default_region() {
        check("+44 20 7946 0958", "US", Ok("+442079460958"));
        check("+1 202-555-0143", "GB", Ok("+12025550143"));
    }

    #[test]
    fn bad_numbers_get_specific_reasons() {
        check("", "US", Err(PhoneError::Empty));
        check("   ", "US", Err(PhoneError::Empty));
        check("call me", "US", Err(PhoneError::NoDigits));
        check("555<script>", "US", Err(PhoneError::InvalidCharacter { character: '<' }));
        check(&"1".repeat(80), "US", Err(PhoneError::TooLong { len: 80 }));
        check("(123) 456-7890", "US", Err(PhoneError::Invalid { e164: "+1234567890".into() }));
    }

    #[test]
    fn display_is_national_at_home_and_international_abroad() {
        let n = PhoneNumber::parse("+12025550143", us()).expect("valid US number");
        assert_eq!(n.display(us()), "(202) 555-0143", "home numbers show in national format");
        let gb: Region = "GB".parse().expect("GB is a region");
        assert_eq!(n.display(gb), "+1 202-555-0143", "foreign numbers show in international format");
        assert_eq!(n.digits(), "12025550143", "digits drop the plus");
    }

    #[test]
    fn regions_parse_case_insensitively_and_reject_unknown_codes() {
        assert_eq!(
            "gb".parse::<Region>().map(|r| r.code().to_string()),
            Ok("GB".to_string()),
            "lowercase codes are accepted"
        );
        assert_eq!(
            "XX".parse::<Region>(),
            Err(PhoneError::UnknownRegion { code: "XX".into() }),
            "unknown codes are refused"
        );
        assert_eq!(Region::US.calling_code(), Some(1), "US calling code is 1");
        assert!(common_regions().len() >= 40, "the picker offers the common regions");
    }
}
