//! When the peer vanishes mid-call (no RTP, no RTCP), the session reports an RTP timeout once.

mod common;

use common::{Call, Impairment};
use ringdesk_media::session::MediaEvent;
use ringdesk_media::srtp::SrtpPolicy;
use ringdesk_media::wav::speechlike;

#[test]
fn a_vanished_peer_is_detected_by_rtp_timeout() {
    let mut call = Call::new(9, SrtpPolicy::Off, SrtpPolicy::Off).expect("negotiates");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    call.run(3000, &mut speechlike, &mut speechlike, &mut a, &mut b);
    assert!(!call.alice_events.contains(&MediaEvent::RtpTimeout), "no timeout while Bob talks");
    call.to_alice = Impairment { loss: 1.0, ..Default::default() }; // Bob is gone
    call.run(9000, &mut speechlike, &mut speechlike, &mut a, &mut b);
    assert!(!call.alice_events.contains(&MediaEvent::RtpTimeout), "not before the 10 s timeout");
    call.run(2000, &mut speechlike, &mut speechlike, &mut a, &mut b);
    let timeouts = call.alice_events.iter().filter(|e| **e == MediaEvent::RtpTimeout).count();
    assert_eq!(timeouts, 1, "exactly one timeout after 10 s of silence");
}
