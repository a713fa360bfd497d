//! Any session description parses to an audio stream or a typed error, never a panic; whatever
//! parses can be answered (or refused with a reason) without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringdesk_media::codec::CodecKind;
use ringdesk_media::sdp::{self, Direction, LocalAudio};
use ringdesk_media::srtp::SrtpPolicy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(offer) = sdp::parse_audio(text) {
        for srtp in [SrtpPolicy::Off, SrtpPolicy::Optional, SrtpPolicy::Required] {
            let local = LocalAudio {
                addr: "127.0.0.1".parse().expect("ip"),
                rtp_port: 4000,
                codecs: vec![CodecKind::Pcmu, CodecKind::Pcma],
                telephone_event: true,
                ptime_ms: 20,
                srtp,
                origin: (1, 1),
            };
            if let Ok((answer, _)) = sdp::answer_offer(&local, &offer, Direction::SendRecv, &mut |n| vec![7; n]) {
                sdp::parse_audio(&answer).expect("our own answer parses");
            }
        }
    }
});
