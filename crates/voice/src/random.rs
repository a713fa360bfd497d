//! The driver's randomness, from the operating system: SSRCs, sequence and timestamp starts, SDP
//! session ids and SRTP master keys. The media engine itself takes all of these as arguments.

/// `n` random bytes (SRTP keys). Falls back to a time-seeded mix only if the OS source fails,
/// which getrandom documents as not happening on supported platforms.
pub fn bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    if getrandom::fill(&mut out).is_err() {
        let mut x = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        for b in out.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
    }
    out
}

/// A random u32.
pub fn u32() -> u32 {
    let b = bytes(4);
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// A random u64 below 2^62 (SDP `o=` session ids must fit in signed 64 bits for some peers).
pub fn session_id() -> u64 {
    let b = bytes(8);
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) >> 2
}
