//! CPU and echo removal of echo cancellation and noise suppression per call (release build,
//! BENCHMARKS.md). The echo path is synthetic: the far end at half level, 60 ms late.
//! `cargo bench -p ringdesk-voice --bench aec`

use std::time::Instant;

use ringdesk_testkit::speechlike;
const FRAME: usize = ringdesk_voice::audio::frame_len(8000);
use ringdesk_voice::processing::{ProcessingConfig, VoiceProcessing};

fn energy(s: &[i16]) -> f64 {
    s.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() + 1.0
}

fn main() {
    let seconds = 60;
    let far: Vec<i16> = (0..seconds * 8000).map(speechlike).collect();
    let mic_all: Vec<i16> = (0..far.len()).map(|i| if i >= 480 { far[i - 480] / 2 } else { 0 }).collect();
    let configs = [
        ("echo cancellation", ProcessingConfig { echo_cancellation: true, noise_suppression: false }),
        (
            "echo cancellation + noise suppression",
            ProcessingConfig { echo_cancellation: true, noise_suppression: true },
        ),
    ];
    for (label, cfg) in configs {
        let mut p = VoiceProcessing::new(cfg, 8000).expect("processing on");
        let mut out = Vec::with_capacity(far.len());
        let start = Instant::now();
        for f in 0..far.len() / FRAME {
            let r = f * FRAME..(f + 1) * FRAME;
            let mut mic = mic_all[r.clone()].to_vec();
            p.render(&far[r]);
            p.capture(&mut mic);
            out.extend_from_slice(&mic);
        }
        let per_frame = start.elapsed().as_secs_f64() / (far.len() / FRAME) as f64;
        let half = out.len() / 2;
        let erle = 10.0 * (energy(&mic_all[half..out.len()]) / energy(&out[half..])).log10();
        println!(
            "{label}: {:.1} µs per 10 ms frame = {:.2} % of one core per call; ERLE over the last 30 s {erle:.1} dB",
            per_frame * 1e6,
            per_frame / 0.010 * 100.0
        );
    }
}
