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
pub mod relay;
pub mod sms;

pub use api::{AudioFormat, CallFilter, MessageFilter, NewCall, NewMessage, NumberRouting, NumberSearch};
pub use client::{Client, Config, RetryPolicy, Token};
pub use error::{ApiError, Error};
