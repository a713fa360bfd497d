//! RFC 4733 keys sent by one side are reported by the other exactly once each, in order.

mod common;

use common::Call;
use ringdesk_media::session::MediaEvent;
use ringdesk_media::srtp::SrtpPolicy;

#[test]
fn every_key_pressed_arrives_once_in_order() {
    let mut call = Call::new(3, SrtpPolicy::Off, SrtpPolicy::Off).expect("negotiates");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    call.run(200, &mut |_| 0, &mut |_| 0, &mut a, &mut b);
    for key in "0123456789*#ABCD".chars() {
        call.alice.send_dtmf(key).expect("key accepted");
        call.run(300, &mut |_| 0, &mut |_| 0, &mut a, &mut b);
    }
    let keys: String =
        call.bob_events.iter().filter_map(|e| if let MediaEvent::Dtmf(k) = e { Some(*k) } else { None }).collect();
    assert_eq!(keys, "0123456789*#ABCD", "each key once, in order");
    assert!(call.alice.send_dtmf('x').is_err(), "a non-key is refused");
}
