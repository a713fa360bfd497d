//! Links that open the dialer: `tel:` URIs (RFC 3966) and `ringdesk://dial?to=...&leadId=...&name=...`
//! (what a web CRM emits, the seed's PhoneDialButton equivalent).
//!
//! A link only fills the dialer; whether it may dial by itself is the app's decision (off by
//! default, so a web page can never make Ringdesk call on its own). The query is read with the
//! `url` crate; the rules (which parameters, their limits) are ours.

use crate::tel::TelUri;

/// What a link asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialLink {
    /// The number as the link gave it: a `tel:` URI or the `to` parameter's text.
    pub number: String,
    /// The lead the web app meant (a UUID), when it said.
    pub lead_id: Option<String>,
    /// The contact's name as the web app showed it.
    pub name: Option<String>,
}

/// Why a link was refused, in words for the agent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is {0} characters long; links are limited to 2048")]
    TooLong(usize),
    #[error("{0:?} is not a link Ringdesk opens (tel: or ringdesk://dial)")]
    UnknownScheme(String),
    #[error("ringdesk:// links can only dial (ringdesk://dial?to=...), not {0:?}")]
    UnknownAction(String),
    #[error("the link has no number to call (its \"to\" parameter is missing or empty)")]
    MissingNumber,
    #[error("the link's leadId {0:?} is not a lead id (a UUID)")]
    BadLeadId(String),
    #[error("the link's {0} is longer than {1} characters")]
    FieldTooLong(&'static str, usize),
    #[error("the tel: link is malformed: {0}")]
    BadTel(String),
    #[error("the link is malformed: {0}")]
    Malformed(String),
}

const MAX_LINK: usize = 2048;

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12].iter().zip(&parts).all(|(n, p)| p.len() == *n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Reads a link handed to Ringdesk by the operating system.
pub fn parse_link(link: &str) -> Result<DialLink, LinkError> {
    let link = link.trim();
    if link.chars().count() > MAX_LINK {
        return Err(LinkError::TooLong(link.chars().count()));
    }
    let scheme = link.split(':').next().unwrap_or("").to_ascii_lowercase();
    match scheme.as_str() {
        "tel" => {
            TelUri::parse(link).map_err(|e| LinkError::BadTel(e.to_string()))?;
            Ok(DialLink { number: link.to_string(), lead_id: None, name: None })
        }
        "ringdesk" => {
            let url = url::Url::parse(link).map_err(|e| LinkError::Malformed(e.to_string()))?;
            // ringdesk://dial?... puts "dial" in the host; ringdesk:dial?... in the path.
            let action = url.host_str().map(str::to_string).unwrap_or_else(|| url.path().trim_matches('/').to_string());
            if !action.eq_ignore_ascii_case("dial") {
                return Err(LinkError::UnknownAction(action));
            }
            let mut link = DialLink { number: String::new(), lead_id: None, name: None };
            for (k, v) in url.query_pairs() {
                let v = v.trim();
                match k.as_ref() {
                    "to" if v.chars().count() > 200 => return Err(LinkError::FieldTooLong("number", 200)),
                    "to" => link.number = v.to_string(),
                    "leadId" | "lead_id" if !v.is_empty() => {
                        if !is_uuid(v) {
                            return Err(LinkError::BadLeadId(v.to_string()));
                        }
                        link.lead_id = Some(v.to_ascii_lowercase());
                    }
                    "name" if v.chars().count() > 200 => return Err(LinkError::FieldTooLong("name", 200)),
                    "name" if !v.is_empty() => link.name = Some(v.to_string()),
                    _ => {}
                }
            }
            if link.number.is_empty() {
                return Err(LinkError::MissingNumber);
            }
            if link.number.to_ascii_lowercase().starts_with("tel:") {
                TelUri::parse(&link.number).map_err(|e| LinkError::BadTel(e.to_string()))?;
            }
            Ok(link)
        }
        _ => Err(LinkError::UnknownScheme(link.chars().take(60).collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tel_and_ringdesk_links_become_a_number_with_the_lead_and_name() {
        assert_eq!(
            parse_link("tel:+1-202-555-0143"),
            Ok(DialLink { number: "tel:+1-202-555-0143".into(), lead_id: None, name: None }),
            "tel: as given"
        );
        let l = parse_link(
            "ringdesk://dial?to=%2B12025550143&leadId=0190A000-0000-7000-8000-0000000000A1&name=Ann%20Archer",
        )
        .expect("parsed");
        assert_eq!(l.number, "+12025550143", "decoded number");
        assert_eq!(l.lead_id.as_deref(), Some("0190a000-0000-7000-8000-0000000000a1"), "lowercased id");
        assert_eq!(l.name.as_deref(), Some("Ann Archer"), "decoded name");
        assert_eq!(parse_link("ringdesk:dial?to=2025550143").map(|l| l.number), Ok("2025550143".into()), "no slashes");
    }

    #[test]
    fn malformed_links_say_what_is_wrong() {
        assert!(matches!(parse_link("http://evil.example/"), Err(LinkError::UnknownScheme(_))), "other schemes");
        assert!(matches!(parse_link("ringdesk://hangup?to=1"), Err(LinkError::UnknownAction(a)) if a == "hangup"));
        assert_eq!(parse_link("ringdesk://dial?name=Ann"), Err(LinkError::MissingNumber), "no number");
        assert!(matches!(parse_link("ringdesk://dial?to=1&leadId=drop%20table"), Err(LinkError::BadLeadId(_))));
        assert!(matches!(parse_link("tel:"), Err(LinkError::BadTel(_))), "empty tel");
        assert!(matches!(parse_link(&format!("tel:{}", "1".repeat(3000))), Err(LinkError::TooLong(_))));
        assert!(matches!(
            parse_link(&format!("ringdesk://dial?to=1&name={}", "x".repeat(300))),
            Err(LinkError::FieldTooLong("name", 200))
        ));
    }
}
