//! Audio codecs behind one small interface, registered by name as baresip does: the session and
//! the jitter buffer never know which codec they carry.
//!
//! Frames are 16-bit mono PCM at the codec's *sample* rate ([`CodecKind::sample_rate`]): 8 kHz
//! for G.711, 16 kHz for G.722 and for Opus (decoded and encoded wideband). That is not always
//! the RTP clock rate ([`CodecKind::clock_rate`]): G.722 keeps the 8 kHz clock of RFC 3551 and
//! Opus counts at 48 kHz (RFC 7587). The session converts between the two. Resampling to and
//! from the device rate is [`crate::resample`]'s.
//!
//! - G.711: by hand ([`g711`]), about twenty lines of table-free arithmetic.
//! - G.722: `ezk-g722`, a pure-Rust port of libg722 (64 kbit/s mode).
//! - Opus: `opus`, libopus itself (built from the vendored source), voice mode with in-band FEC.

pub mod g711;
mod g722;
mod opus;

use std::fmt;

use crate::MediaError;

/// A codec this engine can negotiate, by its SDP encoding name and RTP clock rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodecKind {
    /// Opus (RFC 7587), wideband voice with in-band FEC, dynamic payload type.
    Opus,
    /// G.722, wideband ADPCM at 64 kbit/s, static payload type 9.
    G722,
    /// G.711 μ-law, static payload type 0.
    Pcmu,
    /// G.711 A-law, static payload type 8.
    Pcma,
}

impl CodecKind {
    /// Every codec, in Ringdesk's order of preference: wideband first.
    pub const ALL: [CodecKind; 4] = [CodecKind::Opus, CodecKind::G722, CodecKind::Pcmu, CodecKind::Pcma];

    /// The encoding name used in `a=rtpmap`.
    pub fn encoding_name(self) -> &'static str {
        match self {
            CodecKind::Opus => "opus",
            CodecKind::G722 => "G722",
            CodecKind::Pcmu => "PCMU",
            CodecKind::Pcma => "PCMA",
        }
    }

    /// The RTP clock rate (Hz): what timestamps count in.
    pub fn clock_rate(self) -> u32 {
        match self {
            CodecKind::Opus => 48_000,
            CodecKind::G722 | CodecKind::Pcmu | CodecKind::Pcma => 8000,
        }
    }

    /// The rate (Hz) of the PCM this engine encodes from and decodes to.
    pub fn sample_rate(self) -> u32 {
        match self {
            CodecKind::Opus | CodecKind::G722 => 16_000,
            CodecKind::Pcmu | CodecKind::Pcma => 8000,
        }
    }

    /// The `a=rtpmap` value after the payload type: `PCMU/8000`, `opus/48000/2`.
    pub fn rtpmap(self) -> String {
        match self {
            // RFC 7587 §7: always two channels in the rtpmap, whatever is sent.
            CodecKind::Opus => "opus/48000/2".to_owned(),
            _ => format!("{}/{}", self.encoding_name(), self.clock_rate()),
        }
    }

    /// The `a=fmtp` parameters we state for this codec, if any.
    pub fn fmtp(self) -> Option<&'static str> {
        match self {
            // We decode FEC, want mono wideband, and capture at 16 kHz.
            CodecKind::Opus => {
                Some("useinbandfec=1;stereo=0;sprop-stereo=0;maxplaybackrate=16000;sprop-maxcapturerate=16000")
            }
            _ => None,
        }
    }

    /// The payload type we offer it with: the static one where RFC 3551 assigns one.
    pub fn payload_type(self) -> u8 {
        match self {
            CodecKind::Opus => 111,
            CodecKind::G722 => 9,
            CodecKind::Pcmu => 0,
            CodecKind::Pcma => 8,
        }
    }

    /// The static payload type, where RFC 3551 assigns one.
    pub fn static_payload_type(self) -> Option<u8> {
        (self != CodecKind::Opus).then(|| self.payload_type())
    }

    /// Whether `ptime_ms` is a packet time this codec can send (Opus frames are 10, 20, 40 or
    /// 60 ms).
    pub fn supports_ptime(self, ptime_ms: u32) -> bool {
        match self {
            CodecKind::Opus => matches!(ptime_ms, 10 | 20 | 40 | 60),
            _ => ptime_ms.is_multiple_of(10) && (10..=60).contains(&ptime_ms),
        }
    }

    /// Finds a codec by its `a=rtpmap` encoding name (case-insensitive) and clock rate.
    pub fn from_rtpmap(name: &str, clock_rate: u32) -> Option<CodecKind> {
        CodecKind::ALL
            .into_iter()
            .find(|c| c.encoding_name().eq_ignore_ascii_case(name) && c.clock_rate() == clock_rate)
    }

    /// Finds a codec by its encoding name alone (case-insensitive), for configuration.
    pub fn from_name(name: &str) -> Option<CodecKind> {
        CodecKind::ALL.into_iter().find(|c| c.encoding_name().eq_ignore_ascii_case(name))
    }

    /// A new encoder for this codec.
    pub fn encoder(self) -> Result<Box<dyn Encoder>, MediaError> {
        Ok(match self {
            CodecKind::Opus => Box::new(opus::OpusEncoder::new()?),
            CodecKind::G722 => Box::new(g722::G722Encoder::new()),
            CodecKind::Pcmu | CodecKind::Pcma => Box::new(G711Codec { law: self }),
        })
    }

    /// A new decoder for this codec.
    pub fn decoder(self) -> Result<Box<dyn Decoder>, MediaError> {
        Ok(match self {
            CodecKind::Opus => Box::new(opus::OpusDecoder::new()?),
            CodecKind::G722 => Box::new(g722::G722Decoder::new()),
            CodecKind::Pcmu | CodecKind::Pcma => Box::new(G711Codec { law: self }),
        })
    }
}

impl fmt::Display for CodecKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.encoding_name(), self.clock_rate())
    }
}

/// Turns PCM frames into RTP payloads.
pub trait Encoder: Send {
    /// Appends the payload for `pcm` (one packet's worth of samples) to `out`. Appends nothing
    /// when the codec refuses the frame (the packet is then not sent).
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>);

    /// The loss the far end reports (RTCP fraction lost, in percent), for codecs that tune their
    /// redundancy to it (Opus FEC). Others ignore it.
    fn set_expected_loss(&mut self, _percent: u8) {}
}

/// Turns RTP payloads back into PCM.
pub trait Decoder: Send {
    /// Appends the samples of `payload` to `out`; returns how many were appended (0 for a
    /// payload the codec cannot read).
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> usize;

    /// How many samples a payload stands for, so the jitter buffer can place a packet before
    /// decoding it (0 for an unreadable payload, which is then dropped).
    fn samples_in(&self, payload: &[u8]) -> usize;

    /// Whether decoding keeps no state between packets (G.711), so a payload may be decoded
    /// again or out of turn — the jitter buffer's look-ahead across a hole relies on this.
    fn is_stateless(&self) -> bool {
        false
    }

    /// Fills `out` in place of lost audio with the codec's own concealment. `next` is the
    /// packet right after the hole when it is already here (Opus recovers the lost frame from
    /// its in-band FEC) and `until_next` the samples left before it. Returns false when the
    /// codec has no concealment of its own; the jitter buffer then conceals generically.
    fn conceal(&mut self, _next: Option<&[u8]>, _until_next: usize, _out: &mut [i16]) -> bool {
        false
    }
}

struct G711Codec {
    law: CodecKind,
}

impl Encoder for G711Codec {
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        out.reserve(pcm.len());
        match self.law {
            CodecKind::Pcma => out.extend(pcm.iter().map(|&s| g711::linear_to_alaw(s))),
            _ => out.extend(pcm.iter().map(|&s| g711::linear_to_ulaw(s))),
        }
    }
}

impl Decoder for G711Codec {
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> usize {
        out.reserve(payload.len());
        match self.law {
            CodecKind::Pcma => out.extend(payload.iter().map(|&b| g711::alaw_to_linear(b))),
            _ => out.extend(payload.iter().map(|&b| g711::ulaw_to_linear(b))),
        }
        payload.len()
    }

    fn samples_in(&self, payload: &[u8]) -> usize {
        payload.len()
    }

    fn is_stateless(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(rate: u32, seconds: f64) -> Vec<i16> {
        // A chirp from 200 Hz to 3 kHz: energy across the band every codec must carry.
        let n = (f64::from(rate) * seconds) as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / f64::from(rate);
                let f = 200.0 + 2800.0 * t / seconds;
                ((2.0 * std::f64::consts::PI * f * t / 2.0 * 2.0).sin() * 8000.0) as i16
            })
            .collect()
    }

    /// Encodes and decodes in 20 ms packets; returns what came out.
    fn round_trip(codec: CodecKind, pcm: &[i16]) -> Vec<i16> {
        let mut enc = codec.encoder().expect("encoder");
        let mut dec = codec.decoder().expect("decoder");
        let spp = codec.sample_rate() as usize / 50;
        let mut out = Vec::new();
        for frame in pcm.chunks_exact(spp) {
            let mut payload = Vec::new();
            enc.encode(frame, &mut payload);
            assert_eq!(dec.samples_in(&payload), spp, "{codec}: a 20 ms payload stands for 20 ms");
            assert_eq!(dec.decode(&payload, &mut out), spp, "{codec}: decodes one packet's samples");
        }
        out
    }

    /// The best normalized correlation of `b` against `a` over small delays (codec look-ahead).
    fn best_correlation(a: &[i16], b: &[i16]) -> f64 {
        (0..200)
            .map(|lag| {
                let n = a.len().min(b.len().saturating_sub(lag));
                let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
                for i in 0..n {
                    let (x, y) = (f64::from(a[i]), f64::from(b[i + lag]));
                    ab += x * y;
                    aa += x * x;
                    bb += y * y;
                }
                ab / (aa * bb).sqrt().max(1.0)
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn every_codec_carries_a_sweep_through_encode_and_decode() {
        for codec in CodecKind::ALL {
            let pcm = sweep(codec.sample_rate(), 1.0);
            let out = round_trip(codec, &pcm);
            let c = best_correlation(&pcm, &out);
            assert!(c > 0.9, "{codec}: decoded audio follows the input (correlation {c:.3})");
        }
    }

    #[test]
    fn sample_and_clock_rates_follow_the_rtp_profiles() {
        assert_eq!((CodecKind::G722.clock_rate(), CodecKind::G722.sample_rate()), (8000, 16_000), "RFC 3551 §4.5.2");
        assert_eq!(
            (CodecKind::Opus.clock_rate(), CodecKind::Opus.rtpmap().as_str()),
            (48_000, "opus/48000/2"),
            "RFC 7587"
        );
        assert_eq!(CodecKind::from_rtpmap("OPUS", 48_000), Some(CodecKind::Opus), "names are case-insensitive");
        assert_eq!(CodecKind::from_rtpmap("G722", 16_000), None, "G.722 at a 16 kHz clock is not RFC 3551's");
        assert!(!CodecKind::Opus.supports_ptime(30), "Opus has no 30 ms frame");
    }

    #[test]
    fn opus_recovers_a_lost_frame_from_the_next_packets_fec() {
        let codec = CodecKind::Opus;
        let pcm = sweep(16_000, 1.0);
        let mut enc = codec.encoder().expect("encoder");
        enc.set_expected_loss(10);
        let payloads: Vec<Vec<u8>> = pcm
            .chunks_exact(320)
            .map(|f| {
                let mut p = Vec::new();
                enc.encode(f, &mut p);
                p
            })
            .collect();
        let lost = 30;
        let play = |use_fec: bool| {
            let mut dec = codec.decoder().expect("decoder");
            let mut out = Vec::new();
            for (i, p) in payloads.iter().enumerate() {
                if i == lost {
                    let mut hole = vec![0i16; 320];
                    let next = use_fec.then(|| payloads[i + 1].as_slice());
                    assert!(dec.conceal(next, 320, &mut hole), "Opus conceals by itself");
                    out.extend_from_slice(&hole);
                } else {
                    dec.decode(p, &mut out);
                }
            }
            out
        };
        let error = |out: &[i16]| -> f64 {
            // Energy of the difference over the lost frame, against the clean decode.
            let clean = round_trip(codec, &pcm);
            (lost * 320..(lost + 1) * 320).map(|i| (f64::from(out[i]) - f64::from(clean[i])).powi(2)).sum::<f64>()
        };
        let (with_fec, plc_only) = (error(&play(true)), error(&play(false)));
        assert!(
            with_fec < plc_only * 0.5,
            "FEC rebuilds the lost frame far better than PLC (error {with_fec:.3e} vs {plc_only:.3e})"
        );
    }

    #[test]
    fn unreadable_opus_payloads_stand_for_no_samples() {
        let dec = CodecKind::Opus.decoder().expect("decoder");
        assert_eq!(dec.samples_in(&[0xff, 0xff, 0xff]), 0, "garbage is no audio");
        assert_eq!(dec.samples_in(&[]), 0, "empty is no audio");
    }
}
