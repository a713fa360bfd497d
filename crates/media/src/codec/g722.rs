//! G.722 at 64 kbit/s through `ezk-g722` (libg722 ported to Rust): one byte carries two 16 kHz
//! samples. ADPCM keeps state, so packets must be decoded once and in order; loss is concealed
//! by the jitter buffer's generic concealment.

use ezk_g722::libg722::{Bitrate, decoder, encoder};

use super::{Decoder, Encoder};

pub(super) struct G722Encoder(encoder::Encoder);

impl G722Encoder {
    pub fn new() -> Self {
        Self(encoder::Encoder::new(Bitrate::Mode1_64000, false, false))
    }
}

impl Encoder for G722Encoder {
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.encode(pcm));
    }
}

pub(super) struct G722Decoder(decoder::Decoder);

impl G722Decoder {
    pub fn new() -> Self {
        Self(decoder::Decoder::new(Bitrate::Mode1_64000, false, false))
    }
}

impl Decoder for G722Decoder {
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> usize {
        let pcm = self.0.decode(payload);
        out.extend_from_slice(&pcm);
        pcm.len()
    }

    fn samples_in(&self, payload: &[u8]) -> usize {
        payload.len() * 2
    }
}
