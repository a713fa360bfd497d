//! A clean 20 ms stream of each wideband codec, timestamped at its RTP clock, plays through the
//! jitter buffer at its sample rate with nothing concealed, stretched or dropped.

use ringdesk_media::codec::CodecKind;
use ringdesk_media::jitter::{JitterBuffer, JitterConfig};

/// Plays `seconds` of a 300 Hz tone; returns the buffer's counters, what came out, and what a
/// second decoder makes of the same packets directly.
fn play(codec: CodecKind, seconds: usize) -> (ringdesk_media::jitter::JitterStats, Vec<i16>, Vec<i16>) {
    let rate = codec.sample_rate() as usize;
    let spp = rate / 50;
    let ticks = codec.clock_rate() / 50;
    let mut enc = codec.encoder().expect("encoder");
    let mut jb = JitterBuffer::new(JitterConfig::for_codec(codec), codec.decoder().expect("decoder"));
    let mut direct = codec.decoder().expect("decoder");
    let (mut heard, mut reference) = (Vec::new(), Vec::new());
    let mut out = vec![0i16; rate / 100];
    let first_ts: u32 = 0xffff_f000; // wraps during the call
    for tick in 0..seconds * 100 {
        let now_ms = tick as f64 * 10.0;
        if tick % 2 == 0 {
            let n = tick / 2;
            let pcm: Vec<i16> = (n * spp..(n + 1) * spp)
                .map(|i| ((i as f64 * 2.0 * std::f64::consts::PI * 300.0 / rate as f64).sin() * 8000.0) as i16)
                .collect();
            let mut payload = Vec::new();
            enc.encode(&pcm, &mut payload);
            jb.insert(now_ms + 1.0, first_ts.wrapping_add(n as u32 * ticks), &payload);
            direct.decode(&payload, &mut reference);
        }
        jb.pull(now_ms + 2.0, &mut out);
        heard.extend_from_slice(&out);
    }
    (jb.stats(), heard, reference)
}

#[test]
fn clean_g722_and_opus_streams_play_without_concealment() {
    for codec in [CodecKind::G722, CodecKind::Opus] {
        let (stats, heard, reference) = play(codec, 5);
        assert_eq!(stats.packets, 250, "{codec}: every packet buffered: {stats:?}");
        assert_eq!(stats.concealed_samples, 0, "{codec}: nothing concealed on a clean path: {stats:?}");
        assert_eq!(stats.underruns, 0, "{codec}: no underruns: {stats:?}");
        assert!(stats.level_ms <= 60.0, "{codec}: steady delay ≤ 60 ms: {stats:?}");
        // After the start-up delay, the buffer's output is the decoder's, sample for sample.
        let start = heard.iter().position(|&s| s != 0).expect("sound comes out");
        let offset = reference.iter().position(|&s| s != 0).expect("sound decoded");
        let tail = &heard[start..heard.len() - 2000];
        let differing = tail.iter().zip(&reference[offset..]).filter(|(a, b)| a != b).count();
        assert_eq!(differing, 0, "{codec}: played exactly as decoded ({} samples compared)", tail.len());
    }
}
