//! Any text, in any region, normalizes to a valid E.164 number or a typed error: never a panic
//! (the `phonenumber` crate is called only inside the guard), and a success round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringdesk_core::{PhoneNumber, Region};

const REGIONS: [&str; 6] = ["US", "GB", "DE", "IN", "BR", "JP"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let Ok(region) = REGIONS[pick as usize % REGIONS.len()].parse::<Region>() else { return };
    if let Ok(n) = PhoneNumber::parse(text, region) {
        assert!(n.e164().starts_with('+'), "E.164 starts with +");
        let again = PhoneNumber::parse(n.e164(), region).expect("an E.164 result parses again");
        assert_eq!(again.e164(), n.e164(), "normalization is idempotent");
        let _ = n.display(region);
    }
});
