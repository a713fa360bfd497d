//! Ringdesk's audio media engine, sans-IO: it does no network I/O, starts no threads and never
//! reads a clock or a random source. Time comes in as `Instant` arguments, randomness (SSRC,
//! sequence start, SRTP keys) from the caller, packets as byte slices; what must go on the wire
//! comes out of [`session::MediaSession::poll_output`]. That is what lets a ten-minute call with
//! loss and jitter run in milliseconds in a test.
//!
//! - [`sdp`]: offer/answer for one audio stream (codec, ptime, telephone-event, SDES, direction).
//! - [`rtp`]: RTP/RTCP bookkeeping (sequence validation, loss, jitter, SR/RR, RTT, MOS estimate).
//! - [`srtp`]: SDES keys and SRTP/SRTCP protection.
//! - [`codec`]: codecs behind one interface (G.711, G.722, Opus with FEC).
//! - [`resample`]: sample-rate conversion between devices and codecs.
//! - [`dtmf`]: RFC 4733 telephone events.
//! - [`jitter`]: the adaptive jitter buffer with concealment.
//! - [`session`]: one call's media, tying the above together.
//! - [`wav`]: WAV bytes in and out, and the speech-like calibration signal.
//!
//! The socket, device and timer driver lives in `crates/voice`; signalling in `crates/sip`.

pub mod codec;
pub mod dtmf;
pub mod jitter;
pub mod resample;
pub mod rtp;
pub mod sdp;
pub mod session;
pub mod srtp;
pub mod wav;

/// Everything that can go wrong in media, each variant naming the layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// A session description could not be read.
    #[error("SDP: {0}")]
    Sdp(String),
    /// Offer and answer cannot agree.
    #[error("media negotiation failed: {0}")]
    Negotiation(String),
    /// A malformed RTP packet.
    #[error("RTP: {0}")]
    Rtp(String),
    /// A malformed RTCP packet.
    #[error("RTCP: {0}")]
    Rtcp(String),
    /// SRTP keying or authentication failed.
    #[error("SRTP: {0}")]
    Srtp(String),
    /// A bad telephone event.
    #[error("DTMF: {0}")]
    Dtmf(String),
    /// A codec could not be set up.
    #[error("codec: {0}")]
    Codec(String),
}
