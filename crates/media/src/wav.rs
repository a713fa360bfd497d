//! 16-bit PCM WAV in and out (RIFF, mono or first channel), and the speech-like calibration
//! signal the tests, benchmarks and device checks send through calls. Bytes in, bytes out: no
//! files here.
//!
//! Written by hand: a WAV header is 44 bytes, and reading one is a chunk walk; `hound` would
//! be a dependency for that alone.

/// Parses a 16-bit PCM WAV and returns its samples (the first channel of multi-channel files).
pub fn parse(bytes: &[u8]) -> Result<Vec<i16>, String> {
    parse_with_rate(bytes).map(|(_, samples)| samples)
}

/// Parses a 16-bit PCM WAV and returns its sample rate and samples (first channel).
pub fn parse_with_rate(bytes: &[u8]) -> Result<(u32, Vec<i16>), String> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err("not a RIFF/WAVE file".into());
    }
    let mut at = 12;
    let mut channels = 1usize;
    let mut bits = 16u16;
    let mut rate = 8000u32;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]) as usize;
        let body = &bytes[at + 8..(at + 8).saturating_add(len).min(bytes.len())];
        if id == b"fmt " && body.len() >= 16 {
            channels = usize::from(u16::from_le_bytes([body[2], body[3]])).max(1);
            bits = u16::from_le_bytes([body[14], body[15]]);
            rate = u32::from_le_bytes([body[4], body[5], body[6], body[7]]);
            if rate == 0 {
                return Err("a sample rate of 0 Hz".into());
            }
        }
        if id == b"data" {
            if bits != 16 {
                return Err(format!("{bits}-bit samples; only 16-bit PCM is read"));
            }
            return Ok((rate, body.chunks_exact(2 * channels).map(|c| i16::from_le_bytes([c[0], c[1]])).collect()));
        }
        at = at.saturating_add(8 + len + (len & 1));
    }
    Err("no data chunk".into())
}

/// The bytes of a mono 16-bit WAV file.
pub fn encode(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// Sample `i` (8 kHz) of a speech-like calibration signal: voiced "syllables" of 200 ms with a
/// 120–180 Hz pitch and formant-like harmonics, each followed by a 50 ms pause.
pub fn speechlike(i: usize) -> i16 {
    let t = i as f64 / 8000.0;
    let syllable = (t / 0.25) as u64;
    let phase_in = (t % 0.25) / 0.25;
    let envelope = if phase_in < 0.8 { (phase_in / 0.8 * std::f64::consts::PI).sin() } else { 0.0 };
    let pitch = 120.0 + 60.0 * (((syllable * 7919) % 11) as f64 / 10.0);
    let mut v = 0.0;
    for (h, amp) in [(1.0, 1.0), (2.0, 0.6), (3.0, 0.45), (5.0, 0.25), (8.0, 0.12)] {
        v += amp * (2.0 * std::f64::consts::PI * pitch * h * t).sin();
    }
    (v * envelope * 5000.0) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_round_trips_and_bad_files_are_errors() {
        let samples: Vec<i16> = (0..800).map(speechlike).collect();
        assert_eq!(parse(&encode(8000, &samples)).expect("parses"), samples, "round trip");
        assert!(parse(b"RIFF").is_err(), "truncated");
        assert!(parse(&[0; 64]).is_err(), "not RIFF");
        let mut eight_bit = encode(8000, &samples);
        eight_bit[34] = 8;
        assert!(parse(&eight_bit).expect_err("8-bit").contains("16-bit"), "says what it reads");
    }
}
