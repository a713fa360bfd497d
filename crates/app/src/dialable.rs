//! What the agent typed as a number to call, ring or show as caller ID, made dialable: the one
//! rule, for every route and number setting.
//!
//! A phone number comes out as E.164 (read in the default region). Otherwise it may be a SIP
//! address, in the form the route can reach: the softphone's registrar resolves a bare SIP user
//! (`alice`, `alice@pbx.example`), while the bridge route and the number settings need a full
//! `sip:` address, which SignalWire dials.

use ringdesk_core::{PhoneNumber, Region};

use crate::error::{IpcError, Result};

/// Which SIP addresses a route can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SipForm {
    /// A `sip:` URI (SignalWire's bridge, the number settings).
    Uri,
    /// A bare SIP user too (the softphone, through its registrar).
    BareUser,
}

/// A dialable target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A phone number in E.164.
    Number(String),
    /// A SIP address as written.
    Sip(String),
}

impl Target {
    /// What to dial: the E.164 number or the SIP address.
    pub(crate) fn into_string(self) -> String {
        match self {
            Target::Number(n) | Target::Sip(n) => n,
        }
    }

    pub(crate) fn e164(&self) -> Option<&str> {
        match self {
            Target::Number(n) => Some(n),
            Target::Sip(_) => None,
        }
    }
}

/// Reads `input` (trimmed) as a number or, in `form`, a SIP address; the error names the field
/// `what`.
pub(crate) fn dialable(what: &str, input: &str, region: Region, form: SipForm) -> Result<Target> {
    let v = input.trim();
    let not_a_number = match number(what, v, region) {
        Ok(e164) => return Ok(Target::Number(e164)),
        Err(e) => e,
    };
    match form {
        SipForm::Uri if v.starts_with("sip:") => {
            if v.len() > 4 && !v.contains(char::is_whitespace) {
                return Ok(Target::Sip(v.to_string()));
            }
            Err(IpcError::invalid(format!("{what} {v:?} is not a SIP address.")))
        }
        SipForm::Uri => Err(not_a_number),
        SipForm::BareUser => {
            let user = v.strip_prefix("sip:").unwrap_or(v);
            if !user.is_empty()
                && user.len() <= 128
                && user.chars().all(|c| c.is_ascii_alphanumeric() || "._-+@:".contains(c))
            {
                return Ok(Target::Sip(v.to_string()));
            }
            Err(IpcError::invalid(format!("{what} {v:?} is neither a phone number nor a SIP address.")))
        }
    }
}

/// Reads `input` (trimmed) as a phone number only (one of the project's numbers, a caller ID, a
/// text's recipient) and gives it in E.164; the error names the field `what` (none when empty).
pub(crate) fn number(what: &str, input: &str, region: Region) -> Result<String> {
    let v = input.trim();
    PhoneNumber::parse(v, region).map(|n| n.e164().to_string()).map_err(|e| {
        let field = if what.is_empty() { String::new() } else { format!("{what} ") };
        IpcError::invalid(format!("{field}{v:?}: {e}."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_e164_and_sip_addresses_are_taken_in_the_form_the_route_reaches() {
        let us = Region::US;
        assert_eq!(
            dialable("To", " (212) 555-0123 ", us, SipForm::Uri).expect("dialable"),
            Target::Number("+12125550123".into())
        );
        assert_eq!(
            dialable("To", "sip:bob@pbx.example", us, SipForm::Uri).expect("dialable"),
            Target::Sip("sip:bob@pbx.example".into())
        );
        let bare = dialable("To", "bob", us, SipForm::Uri).expect_err("the bridge cannot dial a bare SIP user");
        assert!(bare.message.starts_with("To \"bob\":"), "the number's own error: {}", bare.message);
        assert_eq!(
            dialable("To", "bob", us, SipForm::BareUser).expect("dialable"),
            Target::Sip("bob".into()),
            "the registrar resolves it"
        );
        let spaced = dialable("To", "sip:a b", us, SipForm::Uri).expect_err("a space");
        assert_eq!(spaced.message, "To \"sip:a b\" is not a SIP address.");
        assert_eq!(number("", "+1 415 555 0100", us).expect("a number"), "+14155550100");
        let unnamed = number("", "12", us).expect_err("too short");
        assert!(unnamed.message.starts_with("\"12\": "), "no field name, no leading space: {}", unnamed.message);
        let neither = dialable("Transfer to", "<script>", us, SipForm::BareUser).expect_err("neither");
        assert_eq!(neither.message, "Transfer to \"<script>\" is neither a phone number nor a SIP address.");
    }
}
