//! A live media session (plain and SRTP) fed arbitrary datagrams interleaved with pulls and
//! timers never panics and keeps producing audio frames.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use ringdesk_media::codec::CodecKind;
use ringdesk_media::sdp::{Direction, Negotiated};
use ringdesk_media::session::{MediaSession, SessionConfig};
use ringdesk_media::srtp::{CryptoSuite, KeySalt, SrtpKeys};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let srtp = (selector & 1 == 1).then(|| SrtpKeys {
        suite: CryptoSuite::AesCm128HmacSha1_80,
        local: KeySalt::new(CryptoSuite::AesCm128HmacSha1_80, &[1; 30]).expect("key"),
        remote: KeySalt::new(CryptoSuite::AesCm128HmacSha1_80, &[2; 30]).expect("key"),
    });
    let negotiated = Negotiated {
        codec: CodecKind::Pcmu,
        payload_type: 0,
        telephone_event_pt: Some(101),
        ptime_ms: 20,
        remote_rtp: "127.0.0.1:4000".parse().expect("addr"),
        remote_rtcp: "127.0.0.1:4001".parse().expect("addr"),
        rtcp_mux: false,
        direction: Direction::SendRecv,
        srtp,
    };
    let start = Instant::now();
    let cfg = SessionConfig {
        negotiated,
        ssrc: 1,
        first_seq: 1,
        first_timestamp: 1,
        ntp_at_start: 1 << 32,
        cname: "fuzz".into(),
        rtp_timeout: Duration::from_secs(5),
        rtcp_interval: Duration::from_secs(1),
    };
    let Ok(mut session) = MediaSession::new(cfg, start) else { return };
    let from = "127.0.0.1:4000".parse().expect("addr");
    let mut now = start;
    // Datagrams are separated by 0xFE; each is followed by 10 ms of time.
    for (i, chunk) in rest.split(|&b| b == 0xFE).enumerate() {
        session.handle_receive(now, from, chunk);
        let mut frame = [0i16; 80];
        session.pull_audio(now, &mut frame);
        if i % 2 == 0 {
            session.send_audio(now, &[0; 160]);
        }
        session.handle_timeout(now);
        while session.poll_output().is_some() {}
        now += Duration::from_millis(10);
    }
});
