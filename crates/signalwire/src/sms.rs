//! SMS segment counting, so the agent sees how many messages (and charges) a text costs before
//! sending. Written here because no maintained crate counts GSM 03.38 segments; the rules are
//! short: GSM-7 text fits 160 septets in one segment and 153 per segment once split (the UDH
//! takes 7); the extension characters `^{}\[~]|€` and form feed take two septets; any other
//! character switches the whole message to UCS-2, 70 UTF-16 units alone or 67 per segment.

/// How the text is encoded on the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The GSM 7-bit alphabet.
    Gsm7,
    /// UCS-2 (UTF-16), for anything outside it (emoji, most non-Latin scripts).
    Ucs2,
}

/// A message body's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// Segments it is sent as (0 for an empty body).
    pub count: u32,
    /// Septets (GSM-7) or UTF-16 units (UCS-2) used.
    pub units: u32,
    /// Units left in the last segment before another one starts.
    pub remaining: u32,
}

/// SignalWire, like Twilio, refuses bodies over 1,600 characters.
pub const MAX_BODY_CHARS: usize = 1600;

const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{000C}";

/// Septets a character takes in GSM-7, or `None` when it is not in the alphabet.
fn gsm_septets(c: char) -> Option<u32> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENDED.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts the segments of `body`.
pub fn segments(body: &str) -> Segments {
    let gsm: Option<u32> = body.chars().map(gsm_septets).sum();
    let (encoding, units, single, multi) = match gsm {
        Some(septets) => (Encoding::Gsm7, septets, 160, 153),
        None => (Encoding::Ucs2, body.encode_utf16().count() as u32, 70, 67),
    };
    let count = match units {
        0 => 0,
        u if u <= single => 1,
        u => u.div_ceil(multi),
    };
    let capacity = if count <= 1 { single } else { count * multi };
    Segments { encoding, count, units, remaining: capacity.saturating_sub(units) }
}

/// Checks a body before sending: not empty, not over [`MAX_BODY_CHARS`].
pub fn validate_body(body: &str) -> Result<Segments, crate::Error> {
    let chars = body.chars().count();
    if body.trim().is_empty() {
        return Err(crate::Error::Invalid("The message is empty.".into()));
    }
    if chars > MAX_BODY_CHARS {
        return Err(crate::Error::Invalid(format!(
            "The message has {chars} characters; SMS allows at most {MAX_BODY_CHARS}."
        )));
    }
    Ok(segments(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm_text_splits_at_160_then_153_per_segment() {
        assert_eq!(segments(&"a".repeat(160)).count, 1, "160 septets fit one segment");
        assert_eq!(segments(&"a".repeat(161)).count, 2, "161 need two");
        assert_eq!(segments(&"a".repeat(306)).count, 2, "two hold 306");
        assert_eq!(segments(&"a".repeat(307)).count, 3, "307 need three");
        let s = segments("Hello");
        assert_eq!((s.encoding, s.units, s.remaining), (Encoding::Gsm7, 5, 155));
    }

    #[test]
    fn extension_characters_count_twice_and_emoji_switch_to_ucs2() {
        assert_eq!(segments("[]").units, 4, "brackets are escaped septets");
        assert_eq!(segments(&"€".repeat(80)).count, 1, "80 euros are 160 septets");
        assert_eq!(segments(&"€".repeat(81)).count, 2);
        let emoji = segments("Hi 👋");
        assert_eq!((emoji.encoding, emoji.units), (Encoding::Ucs2, 5), "an emoji is two UTF-16 units");
        assert_eq!(segments(&"ж".repeat(70)).count, 1, "70 UCS-2 units fit one segment");
        assert_eq!(segments(&"ж".repeat(71)).count, 2, "then 67 per segment");
        assert_eq!(segments("").count, 0);
    }

    #[test]
    fn empty_and_oversized_bodies_are_refused_with_the_reason() {
        assert!(validate_body("  ").is_err(), "blank");
        let long = validate_body(&"x".repeat(1601)).expect_err("too long");
        assert!(long.to_string().contains("1601"), "{long}");
        assert!(validate_body(&"x".repeat(1600)).is_ok());
    }
}
