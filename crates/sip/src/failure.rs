//! Why a call or a registration did not work, in the words an agent reads: each SIP failure a
//! user can meet maps to a variant with a clear reason and, where there is one, what to do.

use std::fmt;

/// Why a call ended before it was answered, or was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallFailure {
    /// 404 / 604: the number or address does not exist.
    NotFound,
    /// 486 / 600: the callee is busy.
    Busy,
    /// 408, or no final answer in time.
    NoAnswer,
    /// 480: the callee is not reachable right now.
    Unavailable,
    /// 487: the call was cancelled (by us, while ringing).
    Cancelled,
    /// 603: the callee declined.
    Declined,
    /// 503 / 502 / 504 / 500: the provider or the network failed.
    ServiceUnavailable(u16),
    /// 401 / 407 / 403 after our credentials: wrong username or password, or not allowed.
    AuthFailed(u16),
    /// 488 / 606: no common codec or encryption.
    NotAcceptable,
    /// The signalling transport failed (no route, connection refused, timeout on the wire).
    Transport(String),
    /// Any other final response.
    Other(u16, String),
}

impl CallFailure {
    /// Maps a final non-2xx response code (and its reason phrase) to a failure.
    pub fn from_status(code: u16, reason: &str) -> Self {
        match code {
            404 | 604 => CallFailure::NotFound,
            486 | 600 => CallFailure::Busy,
            408 => CallFailure::NoAnswer,
            480 => CallFailure::Unavailable,
            487 => CallFailure::Cancelled,
            603 => CallFailure::Declined,
            500 | 502 | 503 | 504 => CallFailure::ServiceUnavailable(code),
            401 | 403 | 407 => CallFailure::AuthFailed(code),
            488 | 606 => CallFailure::NotAcceptable,
            _ => CallFailure::Other(code, reason.to_owned()),
        }
    }

    /// The SIP status code behind this failure, where there is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            CallFailure::NotFound => Some(404),
            CallFailure::Busy => Some(486),
            CallFailure::NoAnswer => Some(408),
            CallFailure::Unavailable => Some(480),
            CallFailure::Cancelled => Some(487),
            CallFailure::Declined => Some(603),
            CallFailure::ServiceUnavailable(c) | CallFailure::AuthFailed(c) | CallFailure::Other(c, _) => Some(*c),
            CallFailure::NotAcceptable => Some(488),
            CallFailure::Transport(_) => None,
        }
    }
}

impl fmt::Display for CallFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallFailure::NotFound => f.write_str("the number does not exist (404)"),
            CallFailure::Busy => f.write_str("busy (486)"),
            CallFailure::NoAnswer => f.write_str("no answer (408)"),
            CallFailure::Unavailable => f.write_str("the callee is unavailable right now (480)"),
            CallFailure::Cancelled => f.write_str("cancelled (487)"),
            CallFailure::Declined => f.write_str("the call was declined (603)"),
            CallFailure::ServiceUnavailable(c) => write!(f, "the provider is unavailable ({c}); try again shortly"),
            CallFailure::AuthFailed(c) => {
                write!(f, "the SIP account's username or password was refused ({c}); check the line's settings")
            }
            CallFailure::NotAcceptable => f.write_str("no codec or encryption in common with the callee (488)"),
            CallFailure::Transport(e) => write!(f, "could not reach the SIP server: {e}"),
            CallFailure::Other(c, r) => write!(f, "the call failed: {c} {r}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_a_user_can_meet_has_its_own_reason() {
        let cases = [
            (404, "does not exist"),
            (486, "busy"),
            (408, "no answer"),
            (480, "unavailable"),
            (487, "cancelled"),
            (503, "provider is unavailable"),
            (407, "password was refused"),
            (488, "no codec"),
            (603, "declined"),
            (499, "499 Odd"),
        ];
        for (code, text) in cases {
            let f = CallFailure::from_status(code, "Odd");
            assert!(f.to_string().contains(text), "{code} reads {f}");
            assert_eq!(f.status(), Some(code), "{code} keeps its status");
        }
    }
}
