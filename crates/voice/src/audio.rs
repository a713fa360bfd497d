//! Audio devices as the call sees them: a source it reads 10 ms frames from and a sink it writes
//! 10 ms frames to, both 8 kHz mono 16-bit (the G.711 clock; wider codecs will resample at this
//! boundary). Real devices and WAV files implement the same two traits, so the call never knows
//! which it has.

use std::path::{Path, PathBuf};

/// Samples per second at the device boundary.
pub const DEVICE_RATE: u32 = 8000;
/// Samples in one 10 ms frame.
pub const FRAME: usize = (DEVICE_RATE / 100) as usize;

/// Where the microphone's audio comes from.
pub trait AudioSource: Send {
    /// Fills `out` with the next captured samples (silence when nothing is there).
    fn read(&mut self, out: &mut [i16]);
}

/// Where the far end's audio goes.
pub trait AudioSink: Send {
    /// Plays `samples`.
    fn write(&mut self, samples: &[i16]);
    /// Called once when the call ends.
    fn finish(&mut self) {}
}

/// Opens the devices for each new call.
pub trait AudioDevices: Send + Sync {
    /// A source and a sink for the call `label`.
    fn open(&self, label: &str) -> (Box<dyn AudioSource>, Box<dyn AudioSink>);
}

/// Plays a WAV file as the microphone, then silence.
#[derive(Debug, Clone)]
pub struct WavSource {
    samples: Vec<i16>,
    pos: usize,
}

impl WavSource {
    /// Reads an 8 kHz mono 16-bit WAV.
    pub fn open(path: &Path) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self { samples: parse_wav(&bytes).map_err(|e| format!("{}: {e}", path.display()))?, pos: 0 })
    }

    /// A source of the given samples.
    pub fn from_samples(samples: Vec<i16>) -> Self {
        Self { samples, pos: 0 }
    }
}

impl AudioSource for WavSource {
    fn read(&mut self, out: &mut [i16]) {
        for s in out.iter_mut() {
            *s = self.samples.get(self.pos).copied().unwrap_or(0);
            self.pos += 1;
        }
    }
}

/// Records what the speaker would play into a WAV file when the call ends.
#[derive(Debug)]
pub struct WavSink {
    path: PathBuf,
    samples: Vec<i16>,
}

impl WavSink {
    /// A sink that writes `path` when finished.
    pub fn create(path: PathBuf) -> Self {
        Self { path, samples: Vec::new() }
    }
}

impl AudioSink for WavSink {
    fn write(&mut self, samples: &[i16]) {
        self.samples.extend_from_slice(samples);
    }

    fn finish(&mut self) {
        if let Err(e) = std::fs::write(&self.path, wav_bytes(DEVICE_RATE, &self.samples)) {
            tracing::warn!(path = %self.path.display(), error = %e, "could not write the call recording");
        }
    }
}

/// WAV devices for tests and the CLI: every call plays `input` and records to
/// `<output_dir>/<label>.wav`. Both run on the call's 10 ms clock, so the file in and the file
/// out share one sample clock and cross-correlation measures the true delay.
#[derive(Debug, Clone)]
pub struct WavDevices {
    /// The microphone's WAV.
    pub input: PathBuf,
    /// Where to write what was heard.
    pub output_dir: PathBuf,
}

impl AudioDevices for WavDevices {
    fn open(&self, label: &str) -> (Box<dyn AudioSource>, Box<dyn AudioSink>) {
        let source: Box<dyn AudioSource> = match WavSource::open(&self.input) {
            Ok(s) => Box::new(s),
            Err(e) => {
                tracing::warn!(error = %e, "microphone WAV unreadable; sending silence");
                Box::new(WavSource::from_samples(Vec::new()))
            }
        };
        let safe: String = label.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        (source, Box::new(WavSink::create(self.output_dir.join(format!("{safe}.wav")))))
    }
}

/// The level of a frame in dBFS (−100 for silence).
pub fn level_dbfs(frame: &[i16]) -> f32 {
    if frame.is_empty() {
        return -100.0;
    }
    let sum: f64 = frame.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    let rms = (sum / frame.len() as f64).sqrt() / 32768.0;
    if rms <= 1e-5 { -100.0 } else { (20.0 * rms.log10()) as f32 }
}

/// Parses a 16-bit PCM WAV (first channel).
pub fn parse_wav(bytes: &[u8]) -> Result<Vec<i16>, String> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err("not a RIFF/WAVE file".into());
    }
    let mut at = 12;
    let mut channels = 1usize;
    let mut bits = 16u16;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]) as usize;
        let body = &bytes[at + 8..(at + 8).saturating_add(len).min(bytes.len())];
        if id == b"fmt " && body.len() >= 16 {
            channels = usize::from(u16::from_le_bytes([body[2], body[3]])).max(1);
            bits = u16::from_le_bytes([body[14], body[15]]);
        }
        if id == b"data" {
            if bits != 16 {
                return Err(format!("{bits}-bit samples; only 16-bit PCM is read"));
            }
            return Ok(body.chunks_exact(2 * channels).map(|c| i16::from_le_bytes([c[0], c[1]])).collect());
        }
        at = at.saturating_add(8 + len + (len & 1));
    }
    Err("no data chunk".into())
}

/// A mono 16-bit WAV file's bytes.
pub fn wav_bytes(rate: u32, samples: &[i16]) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_round_trips_and_bad_files_are_errors() {
        let samples: Vec<i16> = (0..800).map(|i| (i * 37 % 2000) as i16 - 1000).collect();
        assert_eq!(parse_wav(&wav_bytes(8000, &samples)).expect("parses"), samples, "round trip");
        assert!(parse_wav(b"RIFF").is_err(), "truncated");
        assert!(parse_wav(&[0; 64]).is_err(), "not RIFF");
    }

    #[test]
    fn levels_are_in_dbfs() {
        assert_eq!(level_dbfs(&[0; 80]), -100.0, "silence");
        let full: Vec<i16> = (0..80).map(|i| if i % 2 == 0 { 32767 } else { -32767 }).collect();
        assert!(level_dbfs(&full) > -0.1, "full scale is 0 dBFS");
    }
}
