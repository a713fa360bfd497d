//! Symmetric RTP: when the peer's packets come from another address than its SDP said (a NAT),
//! the session latches and sends there.

mod common;

use std::net::SocketAddr;

use common::Call;
use ringdesk_media::session::MediaEvent;
use ringdesk_media::srtp::SrtpPolicy;
use ringdesk_media::wav::speechlike;

#[test]
fn media_is_sent_to_where_the_peers_rtp_comes_from() {
    let mut call = Call::new(13, SrtpPolicy::Off, SrtpPolicy::Off).expect("negotiates");
    let nat: SocketAddr = "203.0.113.9:61000".parse().expect("addr");
    call.alice_source = nat;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    call.run(500, &mut speechlike, &mut speechlike, &mut a, &mut b);
    assert!(
        call.bob_events.contains(&MediaEvent::Latched(nat)),
        "Bob latched to the NAT address: {:?}",
        call.bob_events
    );
    let mut sent_to = None;
    call.bob.send_audio(call.now(), &[0; 160]);
    while let Some(o) = call.bob.poll_output() {
        if let ringdesk_media::session::Output::Transmit { to, rtcp: false, .. } = o {
            sent_to = Some(to);
        }
    }
    assert_eq!(sent_to, Some(nat), "Bob's RTP now goes to the observed source");
}
