//! Ringdesk's power dialer engine, sans-IO like `media`: time, the leads and the agent's actions
//! are inputs, decisions are outputs. Nothing here reads the clock, the network or a database.
//!
//! - [`places`]: where a number rings (its time zones, its NANP state), from libphonenumber's
//!   prefix files.
//! - [`window`]: the calling window in the lead's local time (federal 08:00–21:00, Florida and
//!   Oklahoma 08:00–20:00, narrowed by the campaign), allowed or the instant it next opens.
//! - [`rules`]: whether a lead may be dialed now, and why not; when an outcome lets it be tried
//!   again.
//! - [`queue`]: the campaign's leads indexed by readiness, so the next lead of 100k is found
//!   without checking every one.
//! - [`session`]: an agent's session: the order of the eligible leads, preview and progressive
//!   modes, skip, pause, resume, and the re-check of a lead at the instant it is dialed.

pub mod places;
pub mod queue;
pub mod rules;
pub mod session;
pub mod window;

/// IANA time zones (chrono-tz), as the engine takes them.
pub use chrono_tz::Tz;
