//! Personal data in logs: phone numbers, SIP users and URIs are logged through [`Pii`], which
//! prints `<redacted>` unless redaction was turned off for the process (for debugging a line
//! with its owner's consent). Redaction is on by default.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

static REDACT: AtomicBool = AtomicBool::new(true);

/// A log directive every binary adds to its filter, whatever `RUST_LOG` says, while redaction is
/// on: rsipstack logs whole SIP messages at info and below, and they carry SRTP master keys (the
/// SDP's `a=crypto` lines), digest responses, numbers and names.
pub const SIP_STACK_LOG_GUARD: &str = "rsipstack=warn";

/// Turns redaction of personal data in logs on (the default) or off.
pub fn set_log_redaction(on: bool) {
    REDACT.store(on, Ordering::Relaxed);
}

/// A value that is personal data: printed only when redaction is off.
#[derive(Clone, Copy)]
pub struct Pii<T>(pub T);

impl<T: fmt::Display> fmt::Display for Pii<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if REDACT.load(Ordering::Relaxed) { f.write_str("<redacted>") } else { self.0.fmt(f) }
    }
}

impl<T: fmt::Display> fmt::Debug for Pii<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_prints_only_when_redaction_is_off() {
        assert_eq!(Pii("+12025550143").to_string(), "<redacted>", "redacted by default");
        set_log_redaction(false);
        assert_eq!(Pii("+12025550143").to_string(), "+12025550143", "shown when turned off");
        set_log_redaction(true);
        assert_eq!(format!("{:?}", Pii("sip:alice@example.com")), "<redacted>", "Debug too");
    }
}
