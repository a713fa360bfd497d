//! SDES-SRTP between two sessions: both directions encrypted and authenticated, RTCP too;
//! a tampered or replayed packet is dropped and counted, the call goes on.

mod common;

use common::{Call, coded};
use ringdesk_media::srtp::{CryptoSuite, SrtpPolicy};
use ringdesk_media::wav::speechlike;

#[test]
fn srtp_carries_audio_both_ways_and_drops_tampered_packets() {
    let mut call = Call::new(11, SrtpPolicy::Required, SrtpPolicy::Optional).expect("negotiates");
    let suite = call.alice.negotiated().srtp.as_ref().map(|k| k.suite);
    assert_eq!(suite, Some(CryptoSuite::AesCm128HmacSha1_80), "the first offered suite is chosen");
    let mut n = 0u64;
    call.tamper_to_bob = Some(Box::new(move |_, mut data| {
        n += 1;
        if n.is_multiple_of(50) && data.len() > 20 {
            data[20] ^= 0xFF; // corrupt every 50th packet
        }
        vec![data]
    }));
    let (mut alice_hears, mut bob_hears) = (Vec::new(), Vec::new());
    call.run(11_000, &mut speechlike, &mut |i| speechlike(i + 4000), &mut alice_hears, &mut bob_hears);
    let bob = call.bob.stats();
    let alice = call.alice.stats();
    assert!(bob.packets_received > 500, "Bob got Alice's audio: {bob:?}");
    assert!(alice.packets_received > 540, "Alice got Bob's audio: {alice:?}");
    assert!(bob.dropped >= 5, "tampered packets are dropped and counted: {bob:?}");
    assert!(alice.rtt_ms.is_some(), "RTCP went through SRTCP and gave an RTT: {alice:?}");
    let loud = |s: &[i16]| s.iter().filter(|v| v.abs() > 2000).count();
    assert!(loud(&bob_hears) > 10_000, "Bob hears sound, not noise-free silence");
    let expected: Vec<i16> = (0..8000).map(|i| coded(speechlike(i + 4000))).collect();
    assert!(alice_hears.windows(40).any(|w| w == &expected[2000..2040]), "Alice hears Bob's exact audio");
}
