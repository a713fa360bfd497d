//! Ringdesk's SignalWire client: the Compatibility REST API (signalwire.md §1) for messages,
//! calls, phone numbers and recordings.
//!
//! Hand-written over `reqwest` because the one Rust crate for SignalWire (`signalwire` 1.0)
//! is blocking, stubs its realtime client, and has no retry or create-once rules
//! (signalwire.md §4.1). What this crate guarantees:
//! - typed answers, unknown fields tolerated, required ones enforced ([`model`]);
//! - both documented error shapes read into [`ApiError`], with advice for the agent;
//! - throttling retried with backoff, and creates (messages, calls, number purchases) never
//!   sent twice by accident: an ambiguous failure is reconciled by listing first
//!   ([`Client::send_message_once`], [`Client::buy_number_once`]);
//! - the API token and recording URLs never reach a log;
//! - [`relay`]: the realtime WebSocket for inbound texts and call offers, with session resume.

mod api;
mod client;
mod error;
pub mod model;
pub mod native;
pub mod relay;
pub mod sms;

pub use api::{AudioFormat, CallFilter, MessageFilter, NewCall, NewMessage, NumberRouting, NumberSearch};
pub use client::{Client, Config, RetryPolicy, Token};
pub use error::{ApiError, Error, Family};

/// Entry points for the fuzz targets: every reader of SignalWire's answers, on arbitrary bytes.
#[doc(hidden)]
pub mod fuzzing {
    /// Reads `body` as an answer with `status` the way the client would: the error shapes, and
    /// every resource type and a page of them. Never panics; returns how many decodes succeeded.
    pub fn read_answer(status: u16, body: &[u8]) -> usize {
        let _ = crate::error::parse_error_body(status, body);
        let mut ok = 0;
        ok += usize::from(serde_json::from_slice::<crate::model::Message>(body).is_ok());
        ok += usize::from(serde_json::from_slice::<crate::model::Call>(body).is_ok());
        ok += usize::from(serde_json::from_slice::<crate::model::Recording>(body).is_ok());
        ok += usize::from(serde_json::from_slice::<crate::model::OwnedNumber>(body).is_ok());
        ok += usize::from(serde_json::from_slice::<crate::model::AvailableNumber>(body).is_ok());
        if let Ok(mut page) = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body)
            && let Some(items) = page.remove("messages")
        {
            ok += usize::from(serde_json::from_value::<Vec<crate::model::Message>>(items).is_ok());
        }
        if let Ok(text) = std::str::from_utf8(body) {
            let _ = crate::sms::segments(text);
            ok += usize::from(crate::relay::decode_event(text).is_some());
        }
        ok
    }
}
