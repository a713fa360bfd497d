//! Any datagram parses as RTP, RTCP or a telephone event, or is a typed error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringdesk_media::dtmf::EventPayload;
use ringdesk_media::rtp;

fuzz_target!(|data: &[u8]| {
    if rtp::is_rtcp(data) {
        let _ = rtp::parse_rtcp(data);
    } else if let Ok(packet) = rtp::parse_rtp(data) {
        let _ = EventPayload::parse(packet.payload);
    }
    let _ = rtp::parse_rtcp(data);
});
