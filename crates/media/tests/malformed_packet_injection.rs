//! Garbage on the media port — random bytes, truncated headers, wrong versions, absurd CSRC
//! counts, unknown payload types, bad RTCP — is counted and dropped; the call goes on.

mod common;

use common::Call;
use ringdesk_media::srtp::SrtpPolicy;
use ringdesk_media::wav::speechlike;

#[test]
fn malformed_packets_are_dropped_and_the_call_goes_on() {
    let mut call = Call::new(17, SrtpPolicy::Off, SrtpPolicy::Off).expect("negotiates");
    let mut n = 0u64;
    call.tamper_to_bob = Some(Box::new(move |rng, data| {
        n += 1;
        let len = (rng.next_u64() % 300) as usize;
        let junk = match n % 6 {
            0 => rng.bytes(len),
            1 => data[..(len % 12).min(data.len())].to_vec(),
            2 => [&[0x40u8][..], &data[1..]].concat(),
            3 => [&[0x8Fu8][..], &data[1..14.min(data.len())]].concat(),
            4 => [&data[..1], &[0x7Fu8][..], &data[2..]].concat(),
            _ => [&[0x81u8, 201, 0xFF, 0xFF][..], &rng.bytes(len)[..]].concat(),
        };
        vec![data, junk]
    }));
    let (mut a, mut b) = (Vec::new(), Vec::new());
    call.run(5000, &mut speechlike, &mut speechlike, &mut a, &mut b);
    let stats = call.bob.stats();
    assert!(stats.dropped >= 150, "junk is counted: {stats:?}");
    assert!(stats.packets_received >= 240, "real packets still play: {stats:?}");
    assert_eq!(stats.buffer.concealed_samples, 0, "no real audio lost to the junk: {stats:?}");
    assert!(b[b.len() - 8000..].iter().filter(|s| s.abs() > 1500).count() > 1000, "Bob still hears Alice");
}
