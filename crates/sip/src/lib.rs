//! Ringdesk's SIP user agent: REGISTER with refresh and unregister, digest auth (401 and 407,
//! MD5 and SHA-256), outgoing calls with CANCEL, incoming calls with ringing/answer/reject, BYE,
//! hold and resume by re-INVITE, blind transfer by REFER, and the failures a user sees mapped to
//! clear reasons.
//!
//! The protocol work is rsipstack's (transactions, dialogs, digest, transports), pinned exactly
//! and wrapped here so it can be replaced: no rsipstack type appears in this crate's public API.
//! Media is not here: SDP travels as text between this crate and `ringdesk-media`.

mod agent;
mod failure;
mod pii;

pub use agent::{Account, AgentConfig, CallId, EndReason, RegistrationState, Responder, SipAgent, SipEvent, Transport};
pub use failure::CallFailure;
pub use pii::{Pii, SIP_STACK_LOG_GUARD, set_log_redaction};

/// Parses one SIP message the way the transport does for every datagram or stream frame, and
/// reports whether it is well-formed. It exists for the `sip_message` fuzz target: the stack's
/// parser reads untrusted network input and must never panic.
pub fn check_message(bytes: &[u8]) -> Result<(), SipError> {
    rsipstack::sip::SipMessage::try_from(bytes.to_vec()).map(|_| ()).map_err(|e| SipError::Stack(e.to_string()))
}

/// What can go wrong when asking the agent to do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SipError {
    /// The signalling socket could not be bound.
    #[error("could not open the SIP port: {0}")]
    Bind(String),
    /// A target or account address is not a valid SIP URI.
    #[error("not a valid SIP address: {0}")]
    BadUri(String),
    /// No call with this id.
    #[error("no such call: {0}")]
    NoSuchCall(CallId),
    /// The peer refused a request in the call.
    #[error("refused: {0}")]
    Refused(CallFailure),
    /// The stack reported an error.
    #[error("SIP stack: {0}")]
    Stack(String),
}
