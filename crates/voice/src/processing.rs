//! Echo cancellation and noise suppression on the call's audio, at the device boundary (the call's
//! rate, 10 ms frames): what the speaker plays is fed as the far-end reference, and the echo of it is
//! removed from the microphone. Both are switchable (users of headsets often want them off).
//!
//! The processing is sonora's (a pure-Rust port of the WebRTC audio processing module: AEC3 and
//! its noise suppressor); this module only adapts frames.

use sonora::config::{EchoCanceller, NoiseSuppression};
use sonora::{AudioProcessing, Config, StreamConfig};

use crate::audio::frame_len;

/// Which processing a call's microphone gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProcessingConfig {
    /// Remove the far end's echo.
    pub echo_cancellation: bool,
    /// Suppress steady background noise.
    pub noise_suppression: bool,
}

/// The audio processing of one call.
pub struct VoiceProcessing {
    apm: AudioProcessing,
    input: Vec<f32>,
    output: Vec<f32>,
}

impl std::fmt::Debug for VoiceProcessing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VoiceProcessing")
    }
}

impl VoiceProcessing {
    /// Processing as configured for audio at `rate` Hz, or `None` when everything is off.
    pub fn new(cfg: ProcessingConfig, rate: u32) -> Option<Self> {
        if !cfg.echo_cancellation && !cfg.noise_suppression {
            return None;
        }
        let config = Config {
            echo_canceller: cfg.echo_cancellation.then(EchoCanceller::default),
            noise_suppression: cfg.noise_suppression.then(NoiseSuppression::default),
            ..Default::default()
        };
        let stream = StreamConfig::new(rate, 1);
        let frame = frame_len(rate);
        let apm = AudioProcessing::builder().config(config).capture_config(stream).render_config(stream).build();
        Some(Self { apm, input: vec![0.0; frame], output: vec![0.0; frame] })
    }

    /// Feeds a 10 ms frame the speaker is about to play (the echo reference).
    pub fn render(&mut self, played: &[i16]) {
        if played.len() != self.input.len() {
            return;
        }
        for (d, s) in self.input.iter_mut().zip(played) {
            *d = f32::from(*s) / 32768.0;
        }
        if let Err(e) = self.apm.process_render_f32(&[&self.input], &mut [&mut self.output]) {
            tracing::debug!(error = ?e, "echo reference frame refused");
        }
    }

    /// Removes echo and noise from a 10 ms microphone frame, in place.
    pub fn capture(&mut self, mic: &mut [i16]) {
        if mic.len() != self.input.len() {
            return;
        }
        for (d, s) in self.input.iter_mut().zip(mic.iter()) {
            *d = f32::from(*s) / 32768.0;
        }
        if self.apm.process_capture_f32(&[&self.input], &mut [&mut self.output]).is_ok() {
            for (d, s) in mic.iter_mut().zip(&self.output) {
                *d = (s.clamp(-1.0, 1.0) * 32767.0) as i16;
            }
        }
    }
}
