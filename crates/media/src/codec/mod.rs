//! Audio codecs behind one small interface, registered by name as baresip does: the session and
//! the jitter buffer never know which codec they carry.
//!
//! Frames are 16-bit mono PCM at the codec's own clock rate (8 kHz for G.711). Resampling to and
//! from the device rate is the driver's job.

pub mod g711;

use std::fmt;

/// A codec this engine can negotiate, by its SDP encoding name and RTP clock rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodecKind {
    /// G.711 μ-law, static payload type 0.
    Pcmu,
    /// G.711 A-law, static payload type 8.
    Pcma,
}

impl CodecKind {
    /// Every codec, in Ringdesk's order of preference.
    pub const ALL: [CodecKind; 2] = [CodecKind::Pcmu, CodecKind::Pcma];

    /// The encoding name used in `a=rtpmap`.
    pub fn encoding_name(self) -> &'static str {
        match self {
            CodecKind::Pcmu => "PCMU",
            CodecKind::Pcma => "PCMA",
        }
    }

    /// The RTP clock rate (Hz).
    pub fn clock_rate(self) -> u32 {
        8000
    }

    /// The static payload type, where RFC 3551 assigns one.
    pub fn static_payload_type(self) -> Option<u8> {
        match self {
            CodecKind::Pcmu => Some(0),
            CodecKind::Pcma => Some(8),
        }
    }

    /// Finds a codec by its `a=rtpmap` encoding name (case-insensitive) and clock rate.
    pub fn from_rtpmap(name: &str, clock_rate: u32) -> Option<CodecKind> {
        CodecKind::ALL
            .into_iter()
            .find(|c| c.encoding_name().eq_ignore_ascii_case(name) && c.clock_rate() == clock_rate)
    }

    /// A new encoder for this codec.
    pub fn encoder(self) -> Box<dyn Encoder> {
        match self {
            CodecKind::Pcmu => Box::new(G711Codec { law: self }),
            CodecKind::Pcma => Box::new(G711Codec { law: self }),
        }
    }

    /// A new decoder for this codec.
    pub fn decoder(self) -> Box<dyn Decoder> {
        match self {
            CodecKind::Pcmu => Box::new(G711Codec { law: self }),
            CodecKind::Pcma => Box::new(G711Codec { law: self }),
        }
    }
}

impl fmt::Display for CodecKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.encoding_name(), self.clock_rate())
    }
}

/// Turns PCM frames into RTP payloads.
pub trait Encoder: Send {
    /// Appends the payload for `pcm` (one packet's worth of samples) to `out`.
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>);
}

/// Turns RTP payloads back into PCM.
pub trait Decoder: Send {
    /// Appends the samples of `payload` to `out`; returns how many were appended.
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> usize;

    /// Whether the codec conceals loss itself (Opus); if not, the jitter buffer's generic
    /// concealment is used.
    fn has_native_concealment(&self) -> bool {
        false
    }

    /// How many samples one payload byte count stands for, so the jitter buffer can size a packet
    /// before decoding it.
    fn samples_in(&self, payload: &[u8]) -> usize;
}

struct G711Codec {
    law: CodecKind,
}

impl Encoder for G711Codec {
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        out.reserve(pcm.len());
        match self.law {
            CodecKind::Pcmu => out.extend(pcm.iter().map(|&s| g711::linear_to_ulaw(s))),
            CodecKind::Pcma => out.extend(pcm.iter().map(|&s| g711::linear_to_alaw(s))),
        }
    }
}

impl Decoder for G711Codec {
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> usize {
        out.reserve(payload.len());
        match self.law {
            CodecKind::Pcmu => out.extend(payload.iter().map(|&b| g711::ulaw_to_linear(b))),
            CodecKind::Pcma => out.extend(payload.iter().map(|&b| g711::alaw_to_linear(b))),
        }
        payload.len()
    }

    fn samples_in(&self, payload: &[u8]) -> usize {
        payload.len()
    }
}
