//! Any datagram handed to the SIP stack's parser is a message or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ringdesk_sip::check_message(data);
});
