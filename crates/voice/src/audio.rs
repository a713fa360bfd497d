//! Audio devices as the call sees them: a source it reads 10 ms frames from and a sink it writes
//! 10 ms frames to, mono 16-bit at the rate the call asks for when it opens them (its codec's:
//! 8 kHz for G.711, 16 kHz for G.722 and Opus). Real devices and WAV files implement the same
//! two traits, so the call never knows which it has.

use std::path::{Path, PathBuf};

use ringdesk_media::resample;

/// Samples in one 10 ms frame at `rate` Hz.
pub const fn frame_len(rate: u32) -> usize {
    (rate / 100) as usize
}

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
    /// A source and a sink for the call `label`, both at `rate` Hz.
    fn open(&self, label: &str, rate: u32) -> (Box<dyn AudioSource>, Box<dyn AudioSink>);
}

/// Plays a WAV file as the microphone, then silence.
#[derive(Debug, Clone)]
pub struct WavSource {
    samples: Vec<i16>,
    pos: usize,
}

impl WavSource {
    /// Reads a 16-bit WAV (first channel), converted to `rate` Hz.
    pub fn open(path: &Path, rate: u32) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (file_rate, samples) =
            ringdesk_media::wav::parse_with_rate(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let samples = resample::convert(&samples, file_rate, rate).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self { samples, pos: 0 })
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

/// Records what the speaker would play into a WAV file (at the call's rate) when the call ends.
#[derive(Debug)]
pub struct WavSink {
    path: PathBuf,
    rate: u32,
    samples: Vec<i16>,
}

impl WavSink {
    /// A sink of `rate` Hz audio that writes `path` when finished.
    pub fn create(path: PathBuf, rate: u32) -> Self {
        Self { path, rate, samples: Vec::new() }
    }
}

impl AudioSink for WavSink {
    fn write(&mut self, samples: &[i16]) {
        self.samples.extend_from_slice(samples);
    }

    fn finish(&mut self) {
        if let Err(e) = std::fs::write(&self.path, ringdesk_media::wav::encode(self.rate, &self.samples)) {
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
    fn open(&self, label: &str, rate: u32) -> (Box<dyn AudioSource>, Box<dyn AudioSink>) {
        let source: Box<dyn AudioSource> = match WavSource::open(&self.input, rate) {
            Ok(s) => Box::new(s),
            Err(e) => {
                tracing::warn!(error = %e, "microphone WAV unreadable; sending silence");
                Box::new(WavSource::from_samples(Vec::new()))
            }
        };
        let safe: String = label.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        (source, Box::new(WavSink::create(self.output_dir.join(format!("{safe}.wav")), rate)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_in_dbfs() {
        assert_eq!(level_dbfs(&[0; 80]), -100.0, "silence");
        let full: Vec<i16> = (0..80).map(|i| if i % 2 == 0 { 32767 } else { -32767 }).collect();
        assert!(level_dbfs(&full) > -0.1, "full scale is 0 dBFS");
    }
}
