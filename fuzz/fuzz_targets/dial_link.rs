//! Any text handed over as a link (`tel:` or `ringdesk://dial?to=&leadId=&name=`) is read into a
//! `DialLink` or a typed error, never a panic; what is read is bounded and never empty.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringdesk_core::{PhoneNumber, Region, parse_link};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(link) = parse_link(text) {
        assert!(!link.number.trim().is_empty(), "a link read has a number");
        assert!(link.number.len() <= text.len() * 3 + 16, "the number comes from the link");
        let _ = PhoneNumber::parse(&link.number, Region::US);
        if let Some(id) = &link.lead_id {
            assert!(!id.is_empty(), "an empty lead id is no lead id");
        }
    }
});
