//! Any link text parses to a `TelUri` or a typed error, never a panic; a parsed link's canonical
//! form parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringdesk_core::{Region, TelUri};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(uri) = TelUri::parse(text) {
        let canonical = uri.to_string();
        let again = TelUri::parse(&canonical).expect("canonical form parses");
        assert_eq!(again.number, uri.number, "canonical form keeps the number");
        assert_eq!(again.extension, uri.extension, "canonical form keeps the extension");
        let _ = uri.phone_number(Region::US);
    }
});
