//! Opus through libopus (the `opus` crate, which builds the vendored library with cmake):
//! mono, 16 kHz wideband, voice mode, 24 kbit/s with in-band FEC. Decoding uses libopus's own
//! concealment, and when the packet after a hole is already buffered, its FEC copy of the lost
//! frame (RFC 7587 §3.3, RFC 6716 §2.1.7).

use std::collections::VecDeque;

use opus::{Application, Bitrate, Channels};

use super::{Decoder, Encoder};
use crate::MediaError;

const RATE: u32 = 16_000;
/// 120 ms at 16 kHz: the longest an Opus packet decodes to.
const MAX_FRAME: usize = RATE as usize * 120 / 1000;
/// Concealment and FEC work in multiples of 2.5 ms.
const QUANTUM: usize = RATE as usize / 400;

fn opus_error(what: &str, e: opus::Error) -> MediaError {
    MediaError::Codec(format!("Opus {what}: {e}"))
}

pub(super) struct OpusEncoder {
    enc: opus::Encoder,
    buf: Vec<u8>,
}

impl OpusEncoder {
    pub fn new() -> Result<Self, MediaError> {
        let mut enc =
            opus::Encoder::new(RATE, Channels::Mono, Application::Voip).map_err(|e| opus_error("encoder", e))?;
        enc.set_bitrate(Bitrate::Bits(24_000)).map_err(|e| opus_error("bitrate", e))?;
        enc.set_inband_fec(true).map_err(|e| opus_error("FEC", e))?;
        // Until the first receiver report says otherwise, expect some loss so FEC is carried.
        enc.set_packet_loss_perc(5).map_err(|e| opus_error("loss hint", e))?;
        Ok(Self { enc, buf: vec![0; 1500] })
    }
}

impl Encoder for OpusEncoder {
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        match self.enc.encode(pcm, &mut self.buf) {
            Ok(n) => out.extend_from_slice(&self.buf[..n]),
            Err(e) => tracing::debug!(error = %e, samples = pcm.len(), "Opus refused a frame"),
        }
    }

    fn set_expected_loss(&mut self, percent: u8) {
        // FEC is only worth its bits when loss is expected; keep a floor so a burst after a
        // clean spell is still covered.
        let _ = self.enc.set_packet_loss_perc(i32::from(percent.clamp(5, 30)));
    }
}

pub(super) struct OpusDecoder {
    dec: opus::Decoder,
    buf: Vec<i16>,
    /// Concealment made in whole frames but not yet played.
    leftover: VecDeque<i16>,
    last_frame: usize,
}

impl OpusDecoder {
    pub fn new() -> Result<Self, MediaError> {
        let dec = opus::Decoder::new(RATE, Channels::Mono).map_err(|e| opus_error("decoder", e))?;
        Ok(Self { dec, buf: vec![0; MAX_FRAME], leftover: VecDeque::new(), last_frame: RATE as usize / 50 })
    }
}

impl Decoder for OpusDecoder {
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> usize {
        // Real audio again: concealment made for the hole is no longer wanted.
        self.leftover.clear();
        if payload.is_empty() {
            return 0;
        }
        match self.dec.decode(payload, &mut self.buf, false) {
            Ok(n) => {
                out.extend_from_slice(&self.buf[..n]);
                self.last_frame = n.clamp(QUANTUM, MAX_FRAME);
                n
            }
            Err(e) => {
                tracing::debug!(error = %e, "unreadable Opus payload");
                0
            }
        }
    }

    fn samples_in(&self, payload: &[u8]) -> usize {
        if payload.is_empty() {
            return 0;
        }
        opus::packet::get_nb_samples(payload, RATE).unwrap_or(0).min(MAX_FRAME)
    }

    fn conceal(&mut self, next: Option<&[u8]>, until_next: usize, out: &mut [i16]) -> bool {
        let mut filled = 0;
        while filled < out.len() {
            if self.leftover.is_empty() {
                let gap = until_next.saturating_sub(filled);
                // The next packet's FEC rebuilds the frame just before it; libopus conceals
                // whatever precedes that within `gap` first.
                let (n, fec_from) = match next {
                    Some(p) if gap > 0 && gap.is_multiple_of(QUANTUM) && gap <= MAX_FRAME => (gap, Some(p)),
                    _ => (self.last_frame, None),
                };
                let made = match fec_from {
                    Some(p) => self.dec.decode(p, &mut self.buf[..n], true),
                    None => self.dec.decode(&[], &mut self.buf[..n], false),
                };
                match made {
                    Ok(m) if m > 0 => self.leftover.extend(&self.buf[..m.min(n)]),
                    _ => self.leftover.extend(std::iter::repeat_n(0, n)),
                }
            }
            let take = self.leftover.len().min(out.len() - filled);
            for (o, s) in out[filled..filled + take].iter_mut().zip(self.leftover.drain(..take)) {
                *o = s;
            }
            filled += take;
        }
        true
    }
}
