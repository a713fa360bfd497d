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
pub use ringdesk_sip::{
    Account, CallFailure, CallId, EndReason, RegistrationState, SIP_STACK_LOG_GUARD, Transport, set_log_redaction,
};

/// The local address that routes to the registrar (what to advertise in SDP); loopback when the
/// registrar cannot be resolved.
pub async fn local_ip_toward(registrar: &str) -> std::net::IpAddr {
    let fallback: std::net::IpAddr = [127, 0, 0, 1].into();
    let target = if registrar.contains(':') { registrar.to_owned() } else { format!("{registrar}:5060") };
    let Ok(socket) = tokio::net::UdpSocket::bind("0.0.0.0:0").await else { return fallback };
    let Ok(mut addrs) = tokio::net::lookup_host(target).await else { return fallback };
    let Some(addr) = addrs.next() else { return fallback };
    if socket.connect(addr).await.is_err() {
        return fallback;
    }
    socket.local_addr().map(|a| a.ip()).unwrap_or(fallback)
}
