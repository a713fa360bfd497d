//! SignalWire's REST answers and RELAY frames: error bodies in both shapes, every resource, pages,
//! and WebSocket events, on arbitrary bytes. The first two bytes pick the HTTP status.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let _ = ringdesk_signalwire::fuzzing::read_answer(status, &data[2..]);
});
