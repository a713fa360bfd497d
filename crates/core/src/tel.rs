//! `tel:` URIs (RFC 3966) parsed into a typed value or a specific error.
//!
//! Written by hand because no maintained crate parses RFC 3966: the grammar is small (section 3),
//! and the parser must never panic on links that arrive from any web page. Grammar followed:
//! global numbers (`+` and digits), local numbers (hex digits, `*`, `#`) that require a
//! `;phone-context=`, visual separators `-` `.` `(` `)`, and the `;ext=`, `;isub=` and generic
//! parameters. Two leniencies, because browsers and CRMs produce them: percent-encoded visual
//! separators and spaces (`%20`) inside the number, and a `tel://` prefix.

use std::fmt;

use crate::phone::{PhoneError, PhoneNumber, Region};

/// Longest URI we accept; anything longer is not a phone link.
pub const MAX_URI_LEN: usize = 512;

/// A parsed `tel:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelUri {
    pub number: TelNumber,
    /// The `;ext=` digits, separators removed.
    pub extension: Option<String>,
    /// The `;isub=` ISDN subaddress, percent-decoded.
    pub isdn_subaddress: Option<String>,
    /// Any other parameters, names lowercased, values percent-decoded.
    pub params: Vec<(String, Option<String>)>,
}

/// The subscriber part of a `tel:` URI, visual separators removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelNumber {
    /// `+` followed by digits, such as `+15551234567`.
    Global(String),
    /// Digits (and `*`, `#`, hex letters) valid within `context`.
    Local { digits: String, context: PhoneContext },
}

/// The `;phone-context=` of a local number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneContext {
    /// A global number prefix, such as `+1` or `+4930`.
    Prefix(String),
    /// A domain name, such as `example.com`.
    Domain(String),
}

/// Why a link is not a usable `tel:` URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TelUriError {
    #[error("the link is empty")]
    Empty,
    #[error("the link is too long ({len} characters; at most {MAX_URI_LEN})")]
    TooLong { len: usize },
    #[error("the link does not start with \"tel:\"")]
    NotTel,
    #[error("the link has no phone number after \"tel:\"")]
    NoNumber,
    #[error("{character:?} at position {position} cannot appear in a phone number")]
    InvalidCharacter { position: usize, character: char },
    #[error("the number has no digits")]
    NoDigits,
    #[error("a local number (without +) needs a ;phone-context= parameter")]
    LocalWithoutContext,
    #[error("a global number (with +) cannot have a ;phone-context= parameter")]
    GlobalWithContext,
    #[error("the ;phone-context= value {value:?} is neither a +prefix nor a domain name")]
    InvalidContext { value: String },
    #[error("the ;ext= value {value:?} is not an extension (digits only)")]
    InvalidExtension { value: String },
    #[error("the parameter {name:?} appears twice")]
    DuplicateParameter { name: String },
    #[error("a parameter has no name")]
    EmptyParameterName,
    #[error("the parameter name {name:?} has a character other than letters, digits and '-'")]
    InvalidParameterName { name: String },
    #[error("the parameter {name:?} has an empty value")]
    EmptyParameterValue { name: String },
    #[error("bad percent-encoding at position {position}")]
    BadPercentEncoding { position: usize },
}

impl TelUri {
    /// Parses a `tel:` URI per RFC 3966, with the leniencies in the module doc.
    pub fn parse(uri: &str) -> Result<TelUri, TelUriError> {
        let uri = uri.trim();
        if uri.is_empty() {
            return Err(TelUriError::Empty);
        }
        let len = uri.chars().count();
        if len > MAX_URI_LEN {
            return Err(TelUriError::TooLong { len });
        }
        let scheme_ok = uri.len() >= 4 && uri.is_char_boundary(4) && uri[..4].eq_ignore_ascii_case("tel:");
        if !scheme_ok {
            return Err(TelUriError::NotTel);
        }
        let mut offset = 4;
        let mut rest = &uri[4..];
        if let Some(stripped) = rest.strip_prefix("//") {
            rest = stripped;
            offset += 2;
        }
        if rest.is_empty() {
            return Err(TelUriError::NoNumber);
        }
        let mut parts = rest.split(';');
        let subscriber = parts.next().unwrap_or_default();
        if subscriber.is_empty() {
            return Err(TelUriError::NoNumber);
        }
        let number_text = decode_number(subscriber, offset)?;

        let mut extension = None;
        let mut isdn_subaddress = None;
        let mut context = None;
        let mut params = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut param_offset = offset + subscriber.len();
        for raw in parts {
            let at = param_offset + 1;
            param_offset += raw.len() + 1;
            let (name, value) = match raw.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (raw, None),
            };
            if name.is_empty() {
                return Err(TelUriError::EmptyParameterName);
            }
            if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(TelUriError::InvalidParameterName { name: name.to_string() });
            }
            let name = name.to_ascii_lowercase();
            if seen.contains(&name) {
                return Err(TelUriError::DuplicateParameter { name });
            }
            seen.push(name.clone());
            let value = match value {
                Some("") => return Err(TelUriError::EmptyParameterValue { name }),
                Some(v) => Some(percent_decode(v, at + name.len() + 1)?),
                None => None,
            };
            match name.as_str() {
                "ext" => {
                    let v = value.unwrap_or_default();
                    let digits: String = v.chars().filter(|c| !is_visual_separator(*c)).collect();
                    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(TelUriError::InvalidExtension { value: v });
                    }
                    extension = Some(digits);
                }
                "isub" => isdn_subaddress = value,
                "phone-context" => context = Some(parse_context(&value.unwrap_or_default())?),
                _ => params.push((name, value)),
            }
        }

        let number = if let Some(global) = number_text.strip_prefix('+') {
            if context.is_some() {
                return Err(TelUriError::GlobalWithContext);
            }
            let digits = strip_separators(global, offset + 1, |c| c.is_ascii_digit())?;
            TelNumber::Global(format!("+{digits}"))
        } else {
            let digits = strip_separators(&number_text, offset, |c| c.is_ascii_hexdigit() || c == '*' || c == '#')?;
            let context = context.ok_or(TelUriError::LocalWithoutContext)?;
            TelNumber::Local { digits, context }
        };
        Ok(TelUri { number, extension, isdn_subaddress, params })
    }

    /// The number this link dials, as E.164. Local numbers with a `+prefix` context are read in
    /// that prefix; local numbers with a domain context are read in `default_region`.
    pub fn phone_number(&self, default_region: Region) -> Result<PhoneNumber, PhoneError> {
        match &self.number {
            TelNumber::Global(digits) => PhoneNumber::parse(digits, default_region),
            TelNumber::Local { digits, context: PhoneContext::Prefix(prefix) } => {
                PhoneNumber::parse(&format!("{prefix}{digits}"), default_region)
            }
            TelNumber::Local { digits, context: PhoneContext::Domain(_) } => PhoneNumber::parse(digits, default_region),
        }
    }
}

impl fmt::Display for TelUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.number {
            TelNumber::Global(d) => write!(f, "tel:{d}")?,
            TelNumber::Local { digits, .. } => write!(f, "tel:{digits}")?,
        }
        if let Some(ext) = &self.extension {
            write!(f, ";ext={ext}")?;
        }
        if let TelNumber::Local { context, .. } = &self.number {
            match context {
                PhoneContext::Prefix(p) => write!(f, ";phone-context={p}")?,
                PhoneContext::Domain(d) => write!(f, ";phone-context={d}")?,
            }
        }
        Ok(())
    }
}

fn is_visual_separator(c: char) -> bool {
    matches!(c, '-' | '.' | '(' | ')' | ' ')
}

/// Percent-decodes the number part; only separators and digits may be encoded there.
fn decode_number(text: &str, offset: usize) -> Result<String, TelUriError> {
    let decoded = percent_decode(text, offset)?;
    if let Some((i, c)) = decoded.char_indices().find(|(_, c)| c.is_control()) {
        return Err(TelUriError::InvalidCharacter { position: offset + i, character: c });
    }
    Ok(decoded)
}

/// Removes visual separators and checks that what remains satisfies `allowed`.
fn strip_separators(text: &str, offset: usize, allowed: impl Fn(char) -> bool) -> Result<String, TelUriError> {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if is_visual_separator(c) {
            continue;
        }
        if !allowed(c) {
            return Err(TelUriError::InvalidCharacter { position: offset + i, character: c });
        }
        out.push(c.to_ascii_uppercase());
    }
    if !out.bytes().any(|b| b.is_ascii_digit()) {
        return Err(TelUriError::NoDigits);
    }
    Ok(out)
}

fn parse_context(value: &str) -> Result<PhoneContext, TelUriError> {
    let invalid = || TelUriError::InvalidContext { value: value.to_string() };
    if let Some(prefix) = value.strip_prefix('+') {
        let digits: String = prefix.chars().filter(|c| !is_visual_separator(*c)).collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        return Ok(PhoneContext::Prefix(format!("+{digits}")));
    }
    let domain = value.strip_suffix('.').unwrap_or(value);
    let labels_ok = !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if !labels_ok {
        return Err(invalid());
    }
    Ok(PhoneContext::Domain(domain.to_ascii_lowercase()))
}

fn percent_decode(text: &str, offset: usize) -> Result<String, TelUriError> {
    if !text.contains('%') {
        return Ok(text.to_string());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(TelUriError::BadPercentEncoding { position: offset + i })?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|e| TelUriError::BadPercentEncoding { position: offset + e.utf8_error().valid_up_to() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(d: &str) -> TelNumber {
        TelNumber::Global(d.to_string())
    }

    #[track_caller]
    fn ok(uri: &str, number: TelNumber, ext: Option<&str>) {
        let got = TelUri::parse(uri).unwrap_or_else(|e| panic!("{uri:?} should parse, got {e}"));
        assert_eq!(got.number, number, "number of {uri:?}");
        assert_eq!(got.extension.as_deref(), ext, "extension of {uri:?}");
    }

    #[track_caller]
    fn err(uri: &str, expect: TelUriError) {
        assert_eq!(TelUri::parse(uri), Err(expect), "{uri:?} should be refused");
    }

    #[test]
    fn global_numbers_drop_visual_separators() {
        ok("tel:+1-202-555-0143", global("+12025550143"), None);
        ok("tel:+1.(202).555.0143", global("+12025550143"), None);
        ok("TEL:+442079460958", global("+442079460958"), None);
        ok("tel:+1%20202%20555%200143", global("+12025550143"), None);
        ok("tel://+12025550143", global("+12025550143"), None);
    }

    #[test]
    fn extensions_and_parameters_are_typed() {
        ok("tel:+1-202-555-0143;ext=1-23", global("+12025550143"), Some("123"));
        let uri = TelUri::parse("tel:+12025550143;isub=1411;foo=bar%2Fbaz;flag").expect("valid uri");
        assert_eq!(uri.isdn_subaddress.as_deref(), Some("1411"), "isub is kept");
        assert_eq!(
            uri.params,
            vec![("foo".to_string(), Some("bar/baz".to_string())), ("flag".to_string(), None)],
            "other parameters are kept, values decoded"
        );
    }

    #[test]
    fn local_numbers_need_a_phone_context() {
        ok(
            "tel:7042;phone-context=example.com",
            TelNumber::Local { digits: "7042".into(), context: PhoneContext::Domain("example.com".into()) },
            None,
        );
        ok(
            "tel:863-1234;phone-context=+1-914-555",
            TelNumber::Local { digits: "8631234".into(), context: PhoneContext::Prefix("+1914555".into()) },
            None,
        );
        ok(
            "tel:*67;phone-context=example.com",
            TelNumber::Local { digits: "*67".into(), context: PhoneContext::Domain("example.com".into()) },
            None,
        );
        err("tel:5550143", TelUriError::LocalWithoutContext);
        err("tel:+12025550143;phone-context=+1", TelUriError::GlobalWithContext);
        err("tel:7042;phone-context=exa_mple.com", TelUriError::InvalidContext { value: "exa_mple.com".into() });
    }

    #[test]
    fn malformed_links_get_specific_errors() {
        err("", TelUriError::Empty);
        err("mailto:a@b.c", TelUriError::NotTel);
        err("tel:", TelUriError::NoNumber);
        err("tel:;ext=1", TelUriError::NoNumber);
        err("tel:+1202555x0143", TelUriError::InvalidCharacter { position: 12, character: 'x' });
        err("tel:+---", TelUriError::NoDigits);
        err("tel:+12025550143;ext=12a", TelUriError::InvalidExtension { value: "12a".into() });
        err("tel:+12025550143;ext=1;EXT=2", TelUriError::DuplicateParameter { name: "ext".into() });
        err("tel:+12025550143;=x", TelUriError::EmptyParameterName);
        err("tel:+12025550143;a b=1", TelUriError::InvalidParameterName { name: "a b".into() });
        err("tel:+1202%Z5550143", TelUriError::BadPercentEncoding { position: 9 });
        err("tel:+1%0A2025550143", TelUriError::InvalidCharacter { position: 6, character: '\n' });
        err("tel:é", TelUriError::InvalidCharacter { position: 4, character: 'é' });
        let long = format!("tel:+{}", "1".repeat(600));
        err(&long, TelUriError::TooLong { len: 605 });
    }

    #[test]
    fn links_resolve_to_e164_numbers() {
        let us = Region::US;
        let n = |uri: &str| TelUri::parse(uri).expect("valid uri").phone_number(us).map(|p| p.e164().to_string());
        assert_eq!(n("tel:+44-20-7946-0958"), Ok("+442079460958".into()), "global number");
        assert_eq!(n("tel:555-0143;phone-context=+1-202"), Ok("+12025550143".into()), "prefix context");
        assert_eq!(n("tel:202-555-0143;phone-context=example.com"), Ok("+12025550143".into()), "domain context");
    }

    #[test]
    fn display_round_trips_the_canonical_form() {
        let uri = TelUri::parse("tel:+1-202-555-0143;ext=7").expect("valid uri");
        assert_eq!(uri.to_string(), "tel:+12025550143;ext=7", "canonical form");
        assert_eq!(TelUri::parse(&uri.to_string()), Ok(uri), "canonical form parses back to the same value");
    }
}
