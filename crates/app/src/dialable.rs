//! What the agent typed as a number to call or ring, made dialable.
//!
//! `normalize` is the rule for the bridge route and the number settings (the agent's phone, the
//! caller ID): E.164, or a full `sip:` address as written. The softphone's dial target
//! (`calling::target`) also takes a bare SIP user, which the registrar resolves; the two are to
//! become one function with the route as a parameter (issue 17).

use ringdesk_core::{PhoneNumber, Region};

use crate::error::{IpcError, Result};

/// A number as E.164, or a `sip:` address as written; the error names the field.
pub(crate) fn normalize(what: &str, v: &str, region: Region) -> Result<String> {
    let v = v.trim();
    if v.starts_with("sip:") {
        if v.len() > 4 && !v.contains(char::is_whitespace) {
            return Ok(v.to_string());
        }
        return Err(IpcError::invalid(format!("{what} {v:?} is not a SIP address.")));
    }
    PhoneNumber::parse(v, region)
        .map(|n| n.e164().to_string())
        .map_err(|e| IpcError::invalid(format!("{what} {v:?}: {e}.")))
}
