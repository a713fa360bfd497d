//! Hold by re-negotiation: while Alice holds (sendonly / recvonly), Bob's audio stops reaching
//! her and hers keeps flowing; after resume both directions flow again.

mod common;

use common::Call;
use ringdesk_media::sdp::Direction;
use ringdesk_media::srtp::SrtpPolicy;
use ringdesk_media::wav::speechlike;

#[test]
fn hold_stops_the_held_direction_and_resume_restarts_it() {
    let mut call = Call::new(5, SrtpPolicy::Off, SrtpPolicy::Off).expect("negotiates");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    call.run(1000, &mut speechlike, &mut speechlike, &mut a, &mut b);
    let before = call.alice.stats().packets_received;
    assert!(before > 40, "audio flows before hold");

    // Alice offers sendonly; Bob answers recvonly.
    let mut alice_neg = call.alice.negotiated().clone();
    alice_neg.direction = Direction::SendOnly;
    let mut bob_neg = call.bob.negotiated().clone();
    bob_neg.direction = Direction::SendOnly.answer_to(Direction::SendRecv);
    assert_eq!(bob_neg.direction, Direction::RecvOnly, "Bob answers recvonly");
    call.alice.update(call.now(), alice_neg.clone()).expect("hold");
    call.bob.update(call.now(), bob_neg.clone()).expect("hold answered");
    call.run(500, &mut speechlike, &mut speechlike, &mut a, &mut b);
    let (alice_mid, bob_mid) = (call.alice.stats().packets_received, call.bob.stats().packets_received);
    call.run(2000, &mut speechlike, &mut speechlike, &mut a, &mut b);
    assert_eq!(call.alice.stats().packets_received, alice_mid, "Bob sends nothing while held");
    assert!(call.bob.stats().packets_received > bob_mid + 90, "Alice keeps sending (music on hold)");
    assert!(!call.alice_events.contains(&ringdesk_media::session::MediaEvent::RtpTimeout), "no timeout while held");

    alice_neg.direction = Direction::SendRecv;
    bob_neg.direction = Direction::SendRecv;
    call.alice.update(call.now(), alice_neg).expect("resume");
    call.bob.update(call.now(), bob_neg).expect("resume answered");
    call.run(1000, &mut speechlike, &mut speechlike, &mut a, &mut b);
    assert!(call.alice.stats().packets_received > alice_mid + 40, "Bob's audio is back after resume");
    let tail = &a[a.len() - 4000..];
    assert!(tail.iter().filter(|s| s.abs() > 1500).count() > 500, "and Alice hears it");
}
