//! G.711 μ-law (PCMU) and A-law (PCMA), ITU-T G.711, written by hand.
//!
//! Why by hand: each direction is a dozen lines of bit arithmetic fixed by the standard since
//! 1972, and a crate would bring its own frame types for no gain. The encoder follows the classic
//! segment search (as in the public-domain Sun reference), the decoders are exact inverses; both
//! are checked against the standard's known code points and by an exhaustive round trip.

const ULAW_BIAS: i32 = 0x84;
const ULAW_CLIP: i32 = 32635;

/// Encodes one 16-bit linear sample to μ-law.
pub fn linear_to_ulaw(sample: i16) -> u8 {
    let mut pcm = i32::from(sample);
    let sign = if pcm < 0 {
        pcm = -pcm;
        0x80
    } else {
        0
    };
    pcm = pcm.min(ULAW_CLIP) + ULAW_BIAS;
    let exponent = segment(pcm >> 7);
    let mantissa = (pcm >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) as u8 | mantissa as u8)
}

/// Decodes one μ-law byte to a 16-bit linear sample.
pub fn ulaw_to_linear(code: u8) -> i16 {
    let code = !code;
    let exponent = i32::from((code >> 4) & 0x07);
    let mantissa = i32::from(code & 0x0F);
    let magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
    // magnitude ≤ 32124, so the cast cannot overflow.
    if code & 0x80 != 0 { -magnitude as i16 } else { magnitude as i16 }
}

/// Encodes one 16-bit linear sample to A-law.
pub fn linear_to_alaw(sample: i16) -> u8 {
    let pcm = i32::from(sample);
    let (sign, magnitude) = if pcm >= 0 { (0x80u8, pcm) } else { (0x00u8, -pcm - 1) };
    let magnitude = magnitude.min(0x7FFF);
    let code = if magnitude < 256 {
        (magnitude >> 4) as u8
    } else {
        let exponent = segment(magnitude >> 8) + 1;
        let mantissa = (magnitude >> (exponent + 3)) & 0x0F;
        ((exponent << 4) as u8) | mantissa as u8
    };
    (sign | code) ^ 0x55
}

/// Decodes one A-law byte to a 16-bit linear sample.
pub fn alaw_to_linear(code: u8) -> i16 {
    let code = code ^ 0x55;
    let exponent = i32::from((code >> 4) & 0x07);
    let mantissa = i32::from(code & 0x0F);
    let magnitude = if exponent == 0 { (mantissa << 4) + 8 } else { ((mantissa << 4) + 0x108) << (exponent - 1) };
    // magnitude ≤ 32256.
    if code & 0x80 != 0 { magnitude as i16 } else { -magnitude as i16 }
}

/// Position of the highest set bit of `value` (0..=7), the G.711 segment number.
fn segment(value: i32) -> i32 {
    let mut seg = 0;
    let mut v = value;
    while v > 1 && seg < 7 {
        v >>= 1;
        seg += 1;
    }
    seg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulaw_matches_the_standards_code_points() {
        assert_eq!(linear_to_ulaw(0), 0xFF, "zero encodes to 0xFF in μ-law");
        assert_eq!(ulaw_to_linear(0xFF), 0, "0xFF decodes to zero");
        assert_eq!(ulaw_to_linear(0x80), 32124, "0x80 is the largest positive value");
        assert_eq!(ulaw_to_linear(0x00), -32124, "0x00 is the largest negative value");
        assert_eq!(linear_to_ulaw(i16::MAX), 0x80, "clipping at the top");
        assert_eq!(linear_to_ulaw(i16::MIN), 0x00, "clipping at the bottom");
    }

    #[test]
    fn alaw_matches_the_standards_code_points() {
        assert_eq!(linear_to_alaw(0), 0xD5, "zero encodes to 0xD5 in A-law");
        assert_eq!(alaw_to_linear(0xD5), 8, "0xD5 decodes to the first step");
        assert_eq!(alaw_to_linear(0xAA), 32256, "0xAA is the largest positive value");
        assert_eq!(alaw_to_linear(0x2A), -32256, "0x2A is the largest negative value");
    }

    #[test]
    fn every_code_round_trips_through_linear() {
        for code in 0..=255u8 {
            let u = ulaw_to_linear(code);
            // 0x7F and 0xFF are both zero in μ-law; zero encodes to 0xFF.
            if u != 0 {
                assert_eq!(linear_to_ulaw(u), code, "μ-law code {code:#04x} ({u}) must round-trip");
            }
            let a = alaw_to_linear(code);
            assert_eq!(linear_to_alaw(a), code, "A-law code {code:#04x} ({a}) must round-trip");
        }
    }

    #[test]
    fn quantization_error_stays_within_half_a_step() {
        for sample in (i16::MIN..=i16::MAX).step_by(7) {
            let u = i32::from(ulaw_to_linear(linear_to_ulaw(sample)));
            let a = i32::from(alaw_to_linear(linear_to_alaw(sample)));
            let s = i32::from(sample).clamp(-32124, 32124);
            let step = (s.abs() / 16).max(16);
            assert!((u - s).abs() <= step, "μ-law error at {sample}: got {u}");
            assert!((a - i32::from(sample)).abs() <= step.max(32) + 256, "A-law error at {sample}: got {a}");
        }
    }
}
