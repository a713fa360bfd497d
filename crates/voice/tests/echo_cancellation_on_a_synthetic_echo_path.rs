//! Echo cancellation against a synthetic echo path: the far end's speech comes back into the
//! microphone at half level, 60 ms late. With cancellation on, the echo is removed; the near
//! end's own speech still gets through; with it off, nothing is touched.

use ringdesk_testkit::speechlike;
const FRAME: usize = ringdesk_voice::audio::frame_len(8000);
use ringdesk_voice::processing::{ProcessingConfig, VoiceProcessing};

/// A second talker unlike the first: a 210 Hz voice with its own formants and rhythm.
fn other_voice(i: usize) -> i16 {
    let t = i as f64 / 8000.0;
    let envelope = 0.6 + 0.4 * (2.0 * std::f64::consts::PI * 3.0 * t).sin();
    let v: f64 = [(1.0, 1.0), (3.0, 0.5), (4.0, 0.35), (7.0, 0.2)]
        .iter()
        .map(|(h, a)| a * (2.0 * std::f64::consts::PI * 210.0 * h * t).sin())
        .sum();
    (v * envelope * 3000.0) as i16
}

fn energy(s: &[i16]) -> f64 {
    s.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() + 1.0
}

/// Runs 10 s: far end = speech; mic = echo (+ near-end speech from `near_from` seconds on).
fn run(cfg: ProcessingConfig, near_from: Option<usize>) -> (Vec<i16>, Vec<i16>, Vec<i16>) {
    let mut p = VoiceProcessing::new(cfg, 8000);
    let n = 80_000;
    let far: Vec<i16> = (0..n).map(speechlike).collect();
    let near: Vec<i16> = (0..n)
        .map(|i| match near_from {
            Some(s) if i >= s * 8000 => other_voice(i),
            _ => 0,
        })
        .collect();
    let delay = 480; // 60 ms
    let mic: Vec<i16> =
        (0..n).map(|i| (if i >= delay { far[i - delay] / 2 } else { 0 }).saturating_add(near[i])).collect();
    let mut out = Vec::with_capacity(n);
    for f in 0..n / FRAME {
        let range = f * FRAME..(f + 1) * FRAME;
        let mut frame = mic[range.clone()].to_vec();
        if let Some(p) = p.as_mut() {
            p.render(&far[range]);
            p.capture(&mut frame);
        }
        out.extend_from_slice(&frame);
    }
    (mic, out, near)
}

#[test]
fn the_far_ends_echo_is_removed_from_the_microphone() {
    let (mic, out, _) = run(ProcessingConfig { echo_cancellation: true, noise_suppression: true }, None);
    let half = mic.len() / 2;
    let erle = 10.0 * (energy(&mic[half..]) / energy(&out[half..])).log10();
    assert!(erle > 20.0, "echo return loss enhancement over the last 5 s: {erle:.1} dB");
}

#[test]
fn the_near_ends_speech_survives_cancellation() {
    let (_, out, near) = run(ProcessingConfig { echo_cancellation: true, noise_suppression: false }, Some(6));
    // From 6 s on the agent talks over the echo: their speech must remain.
    let seg = 7 * 8000..10 * 8000;
    let kept = 10.0 * (energy(&out[seg.clone()]) / energy(&near[seg])).log10();
    assert!(kept > -10.0, "near-end speech kept within 10 dB during double talk: {kept:.1} dB");
}

#[test]
fn with_processing_off_the_microphone_is_untouched() {
    let (mic, out, _) = run(ProcessingConfig::default(), None);
    assert_eq!(mic, out, "no processing, no change");
}
