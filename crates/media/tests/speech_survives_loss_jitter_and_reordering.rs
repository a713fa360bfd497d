//! Speech-like audio from Alice to Bob over a clean network, then over 3 % loss with 30 ms of
//! jitter (which reorders packets): the clean call is bit-exact after alignment, and under
//! impairment concealment keeps the signal far closer to the original than silence would.

mod common;

use common::{Call, Impairment, best_lag, coded};
use ringdesk_media::srtp::SrtpPolicy;
use ringdesk_media::wav::speechlike;

fn call(imp: Impairment, seconds: u64) -> (Call, Vec<i16>) {
    let mut call = Call::new(7, SrtpPolicy::Off, SrtpPolicy::Off).expect("negotiates");
    call.to_bob = imp;
    let (mut alice_hears, mut bob_hears) = (Vec::new(), Vec::new());
    call.run(seconds * 1000, &mut speechlike, &mut |_| 0, &mut alice_hears, &mut bob_hears);
    (call, bob_hears)
}

#[test]
fn a_clean_call_delivers_the_coded_signal_bit_exact() {
    let (call, heard) = call(Impairment::default(), 10);
    let reference: Vec<i16> = (0..80_000).map(|i| coded(speechlike(i))).collect();
    let lag = best_lag(&reference, &heard, 4000);
    let stats = call.bob.stats();
    assert_eq!(stats.buffer.concealed_samples, 0, "nothing concealed on a clean path: {stats:?}");
    assert!(lag as f64 / 8.0 <= 100.0, "one-way delay {} ms stays ≤ 100 ms", lag as f64 / 8.0);
    // Once settled, the last 2 s are the coded signal, sample for sample.
    let tail = &heard[heard.len() - 16_000..heard.len() - 800];
    let first_loud = tail.iter().position(|s| s.abs() > 1000).expect("sound in the tail");
    let probe = &tail[first_loud..first_loud + 80];
    let at = reference.windows(80).position(|w| w == probe).expect("the tail is found in the input");
    let compared = &tail[first_loud..];
    assert_eq!(compared, &reference[at..at + compared.len()], "the settled stream is bit-exact");
    assert!(stats.mos > 4.2, "MOS estimate on a clean path: {}", stats.mos);
}

#[test]
fn three_percent_loss_with_jitter_is_concealed_not_silenced() {
    let imp = Impairment { loss: 0.03, jitter_ms: 60.0, duplicate: 0.01 };
    let (call, heard) = call(imp, 20);
    let stats = call.bob.stats();
    assert!(stats.lost > 0, "the network lost packets: {stats:?}");
    assert!(stats.buffer.concealed_samples > 0, "and they were concealed: {stats:?}");
    assert!(stats.jitter_ms > 5.0, "jitter is measured: {stats:?}");
    assert!(stats.buffer.target_ms <= 200.0, "the target stays ≤ 200 ms: {stats:?}");
    assert!(stats.mos > 3.3 && stats.mos < 4.3, "MOS reflects the loss: {}", stats.mos);
    // Concealment keeps voiced stretches going: a 10 ms frame heard as silence between loud
    // frames 30 ms before and after cannot come from the signal (its pauses are 50 ms long and
    // fade), only from a hole where a lost packet was not concealed.
    let level: Vec<f64> = heard.chunks(80).map(|c| c.iter().map(|&v| f64::from(v).abs()).sum::<f64>() / 80.0).collect();
    let holes =
        (3..level.len() - 3).filter(|&i| level[i] < 100.0 && level[i - 3] > 1500.0 && level[i + 3] > 1500.0).count();
    assert_eq!(holes, 0, "no silent holes in speech; {} packets were lost", stats.lost);
}
