//! Ringdesk's voice driver: the only place with sockets, timers and audio devices for calls.
//! It runs the SIP agent (`ringdesk-sip`) and, per call, a media task that drives a sans-IO
//! `ringdesk-media` session from a 10 ms clock, a UDP port pair and the audio devices.
//!
//! The app talks to it through [`Phone`]: lines, dial, answer, reject, hang up, hold, resume,
//! mute, DTMF, transfer; what happens comes back as [`PhoneEvent`]s.

pub mod audio;
pub mod cpal_devices;
mod media_task;
mod phone;
pub mod processing;
mod random;

pub use phone::{CallState, Phone, PhoneConfig, PhoneEvent, VoiceError};
pub use ringdesk_sip::{Account, CallFailure, CallId, EndReason, RegistrationState, Transport, set_log_redaction};
