//! SRTP keyed by SDES (RFC 4568): the `a=crypto` attribute, the suites Ringdesk offers, the
//! required/optional policy, and a pair of webrtc-srtp contexts (one per direction) for a call.
//!
//! The cipher work is webrtc-srtp's; this module only turns SDP attributes into its keys. Keys
//! are secret: `KeySalt` never prints its bytes, and the attribute text is never logged.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use webrtc_srtp::context::Context;
use webrtc_srtp::option::{srtcp_replay_protection, srtp_replay_protection};
use webrtc_srtp::protection_profile::ProtectionProfile;

use crate::MediaError;

/// Whether a call's media must, may or must not be encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SrtpPolicy {
    /// Plain RTP only; an SRTP-only offer is refused.
    Off,
    /// Offer SRTP keys on a plain RTP/AVP line (best effort); use SRTP when the peer does.
    #[default]
    Optional,
    /// RTP/SAVP only; a peer without SRTP is refused with a clear reason.
    Required,
}

/// An SDES crypto suite (RFC 4568, RFC 6188, RFC 7714 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CryptoSuite {
    /// AES_CM_128_HMAC_SHA1_80, the default everyone speaks.
    AesCm128HmacSha1_80,
    /// AES_CM_128_HMAC_SHA1_32.
    AesCm128HmacSha1_32,
    /// AES_256_CM_HMAC_SHA1_80.
    Aes256CmHmacSha1_80,
    /// AES_256_CM_HMAC_SHA1_32.
    Aes256CmHmacSha1_32,
    /// AEAD_AES_128_GCM.
    AeadAes128Gcm,
    /// AEAD_AES_256_GCM.
    AeadAes256Gcm,
}

impl CryptoSuite {
    /// The suites offered, in order of preference (AES_CM_128_HMAC_SHA1_80 first, see voip.md §6).
    pub const OFFERED: [CryptoSuite; 4] = [
        CryptoSuite::AesCm128HmacSha1_80,
        CryptoSuite::AesCm128HmacSha1_32,
        CryptoSuite::Aes256CmHmacSha1_80,
        CryptoSuite::Aes256CmHmacSha1_32,
    ];

    const ALL: [CryptoSuite; 6] = [
        CryptoSuite::AesCm128HmacSha1_80,
        CryptoSuite::AesCm128HmacSha1_32,
        CryptoSuite::Aes256CmHmacSha1_80,
        CryptoSuite::Aes256CmHmacSha1_32,
        CryptoSuite::AeadAes128Gcm,
        CryptoSuite::AeadAes256Gcm,
    ];

    /// The suite's SDP name.
    pub fn name(self) -> &'static str {
        match self {
            CryptoSuite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            CryptoSuite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
            CryptoSuite::Aes256CmHmacSha1_80 => "AES_256_CM_HMAC_SHA1_80",
            CryptoSuite::Aes256CmHmacSha1_32 => "AES_256_CM_HMAC_SHA1_32",
            CryptoSuite::AeadAes128Gcm => "AEAD_AES_128_GCM",
            CryptoSuite::AeadAes256Gcm => "AEAD_AES_256_GCM",
        }
    }

    /// Finds a suite by its SDP name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    fn profile(self) -> ProtectionProfile {
        match self {
            CryptoSuite::AesCm128HmacSha1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
            CryptoSuite::AesCm128HmacSha1_32 => ProtectionProfile::Aes128CmHmacSha1_32,
            CryptoSuite::Aes256CmHmacSha1_80 => ProtectionProfile::Aes256CmHmacSha1_80,
            CryptoSuite::Aes256CmHmacSha1_32 => ProtectionProfile::Aes256CmHmacSha1_32,
            CryptoSuite::AeadAes128Gcm => ProtectionProfile::AeadAes128Gcm,
            CryptoSuite::AeadAes256Gcm => ProtectionProfile::AeadAes256Gcm,
        }
    }

    /// Master key length in bytes.
    pub fn key_len(self) -> usize {
        self.profile().key_len()
    }

    /// Master salt length in bytes.
    pub fn salt_len(self) -> usize {
        self.profile().salt_len()
    }
}

/// A master key and salt. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct KeySalt(Vec<u8>);

impl KeySalt {
    /// Key‖salt bytes for `suite`, from the caller's random source.
    pub fn new(suite: CryptoSuite, bytes: &[u8]) -> Result<Self, MediaError> {
        let want = suite.key_len() + suite.salt_len();
        if bytes.len() != want {
            return Err(MediaError::Srtp(format!("{} needs {want} key bytes, got {}", suite.name(), bytes.len())));
        }
        Ok(Self(bytes.to_vec()))
    }

    fn split(&self, suite: CryptoSuite) -> (&[u8], &[u8]) {
        self.0.split_at(suite.key_len())
    }
}

impl fmt::Debug for KeySalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeySalt(<{} bytes redacted>)", self.0.len())
    }
}

/// One `a=crypto` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoAttribute {
    /// The tag that pairs an answer with its offer line.
    pub tag: u32,
    /// The suite.
    pub suite: CryptoSuite,
    /// The master key and salt.
    pub key: KeySalt,
}

impl CryptoAttribute {
    /// Parses the value of an `a=crypto:` attribute. `Ok(None)` for a well-formed line with a
    /// suite or key parameter Ringdesk does not support (it is skipped, not an error).
    pub fn parse(value: &str) -> Result<Option<Self>, MediaError> {
        let mut parts = value.split_ascii_whitespace();
        let (Some(tag), Some(suite), Some(key_params)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(MediaError::Sdp(format!(
                "a=crypto needs a tag, a suite and key parameters: {:?}",
                redact_inline(value)
            )));
        };
        let tag: u32 = tag
            .parse()
            .ok()
            .filter(|t| *t < 1_000_000_000)
            .ok_or_else(|| MediaError::Sdp(format!("a=crypto tag {tag:?} is not a number of up to 9 digits")))?;
        let Some(suite) = CryptoSuite::from_name(suite) else {
            return Ok(None);
        };
        // Only one key, no MKI, no session parameters we would have to honour.
        if key_params.contains(';') || parts.next().is_some() {
            return Ok(None);
        }
        let Some(inline) = key_params.strip_prefix("inline:") else {
            return Err(MediaError::Sdp("a=crypto key method is not inline:".into()));
        };
        let mut fields = inline.split('|');
        let b64 = fields.next().unwrap_or_default();
        for extra in fields {
            // Lifetime (2^n or a number) is accepted; an MKI (n:len) is not supported.
            if extra.contains(':') {
                return Ok(None);
            }
        }
        let bytes = STANDARD
            .decode(b64)
            .or_else(|_| STANDARD_NO_PAD.decode(b64))
            .map_err(|_| MediaError::Sdp("a=crypto inline key is not base64".into()))?;
        let key = KeySalt::new(suite, &bytes).map_err(|_| {
            MediaError::Sdp(format!(
                "a=crypto {} key is {} bytes, expected {}",
                suite.name(),
                bytes.len(),
                suite.key_len() + suite.salt_len()
            ))
        })?;
        Ok(Some(Self { tag, suite, key }))
    }

    /// The attribute value (after `a=crypto:`).
    pub fn to_value(&self) -> String {
        format!("{} {} inline:{}", self.tag, self.suite.name(), STANDARD.encode(&self.key.0))
    }
}

fn redact_inline(value: &str) -> String {
    match value.find("inline:") {
        Some(i) => format!("{}inline:<redacted>", &value[..i]),
        None => value.to_owned(),
    }
}

/// The negotiated keys of one call: ours protects what we send, the peer's what we receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrtpKeys {
    /// The suite both sides use.
    pub suite: CryptoSuite,
    /// Our key (we encrypt with it).
    pub local: KeySalt,
    /// The peer's key (we decrypt with it).
    pub remote: KeySalt,
}

/// SRTP and SRTCP protection for both directions of one call.
pub struct SrtpSession {
    outbound: Context,
    inbound: Context,
    tag_len_rtp: usize,
    tag_len_rtcp: usize,
}

impl fmt::Debug for SrtpSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SrtpSession")
    }
}

impl SrtpSession {
    /// Contexts for the negotiated keys, with replay protection on what we receive.
    pub fn new(keys: &SrtpKeys) -> Result<Self, MediaError> {
        let (lk, ls) = keys.local.split(keys.suite);
        let (rk, rs) = keys.remote.split(keys.suite);
        let profile = keys.suite.profile();
        let outbound = Context::new(lk, ls, profile, None, None).map_err(|e| MediaError::Srtp(e.to_string()))?;
        let inbound =
            Context::new(rk, rs, profile, Some(srtp_replay_protection(64)), Some(srtcp_replay_protection(64)))
                .map_err(|e| MediaError::Srtp(e.to_string()))?;
        let tag_len_rtp = profile.rtp_auth_tag_len() + profile.aead_auth_tag_len();
        let tag_len_rtcp = profile.rtcp_auth_tag_len() + profile.aead_auth_tag_len();
        Ok(Self { outbound, inbound, tag_len_rtp, tag_len_rtcp })
    }

    /// Encrypts an RTP packet.
    pub fn protect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, MediaError> {
        self.outbound.encrypt_rtp(packet).map(|b| b.to_vec()).map_err(|e| MediaError::Srtp(e.to_string()))
    }

    /// Decrypts and authenticates an SRTP packet. The structure is checked first: webrtc-srtp
    /// slices by the lengths it reads and panics on crafted packets (found by our fuzz target).
    pub fn unprotect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, MediaError> {
        let header = crate::rtp::check_rtp_header_only(packet)?;
        crate::rtp::check_rtp_extension_elements(packet)?;
        if packet.len() < header + self.tag_len_rtp {
            return Err(MediaError::Srtp("packet shorter than its header and tag".into()));
        }
        self.inbound.decrypt_rtp(packet).map(|b| b.to_vec()).map_err(|e| MediaError::Srtp(e.to_string()))
    }

    /// Encrypts an RTCP compound packet.
    pub fn protect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, MediaError> {
        self.outbound.encrypt_rtcp(packet).map(|b| b.to_vec()).map_err(|e| MediaError::Srtp(e.to_string()))
    }

    /// Decrypts and authenticates an SRTCP packet.
    pub fn unprotect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, MediaError> {
        if packet.len() < 8 + 4 + self.tag_len_rtcp || packet[0] >> 6 != 2 {
            return Err(MediaError::Srtp("packet shorter than an SRTCP header, index and tag".into()));
        }
        self.inbound.decrypt_rtcp(packet).map(|b| b.to_vec()).map_err(|e| MediaError::Srtp(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtp::RtpSender;

    fn key(suite: CryptoSuite, fill: u8) -> KeySalt {
        KeySalt::new(suite, &vec![fill; suite.key_len() + suite.salt_len()]).expect("right length")
    }

    #[test]
    fn crypto_attribute_round_trips_and_never_prints_the_key() {
        let attr = CryptoAttribute {
            tag: 1,
            suite: CryptoSuite::AesCm128HmacSha1_80,
            key: key(CryptoSuite::AesCm128HmacSha1_80, 7),
        };
        let value = attr.to_value();
        assert!(value.starts_with("1 AES_CM_128_HMAC_SHA1_80 inline:"), "attribute text: {value}");
        let parsed = CryptoAttribute::parse(&value).expect("parses").expect("supported");
        assert_eq!(parsed, attr, "round trip");
        assert!(!format!("{parsed:?}").contains("BwcH"), "Debug must not show the key");
    }

    #[test]
    fn crypto_lines_from_real_peers_parse() {
        // baresip's offer line, and one with a lifetime.
        let line = "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
        assert!(CryptoAttribute::parse(line).expect("parses").is_some(), "baresip line");
        let with_lifetime = format!("{line}|2^31");
        assert!(CryptoAttribute::parse(&with_lifetime).expect("parses").is_some(), "lifetime accepted");
        let with_mki = format!("{line}|2^20|1:4");
        assert!(CryptoAttribute::parse(&with_mki).expect("parses").is_none(), "MKI is skipped, not used");
        assert!(
            CryptoAttribute::parse("2 F8_128_HMAC_SHA1_80 inline:AAAA").expect("parses").is_none(),
            "unknown suite skipped"
        );
    }

    #[test]
    fn bad_crypto_lines_are_specific_errors_without_the_key() {
        let err = CryptoAttribute::parse("x AES_CM_128_HMAC_SHA1_80 inline:AAAA").expect_err("bad tag");
        assert!(err.to_string().contains("tag"), "names the tag: {err}");
        let err = CryptoAttribute::parse("1 AES_CM_128_HMAC_SHA1_80 inline:QUJD").expect_err("short key");
        assert!(err.to_string().contains("expected 30"), "names the length: {err}");
        let err = CryptoAttribute::parse("1 AES_CM_128_HMAC_SHA1_80").expect_err("no key");
        assert!(!err.to_string().contains("inline:Q"), "no key text in errors: {err}");
    }

    #[test]
    fn each_suite_protects_and_unprotects_rtp_and_rejects_tampering() {
        for suite in CryptoSuite::ALL {
            let a = SrtpKeys { suite, local: key(suite, 1), remote: key(suite, 2) };
            let b = SrtpKeys { suite, local: key(suite, 2), remote: key(suite, 1) };
            let mut alice = SrtpSession::new(&a).expect("alice context");
            let mut bob = SrtpSession::new(&b).expect("bob context");
            let mut tx = RtpSender::new(0x1234, 1);
            let plain = tx.packetize(0, 160, false, &[0x55; 160]).expect("packet");
            let secret = alice.protect_rtp(&plain).expect("encrypts");
            assert_ne!(&secret[12..172], &plain[12..], "{}: payload is encrypted", suite.name());
            let back = bob.unprotect_rtp(&secret).expect("decrypts");
            assert_eq!(back, plain.to_vec(), "{}: round trip", suite.name());
            let replay = bob.unprotect_rtp(&secret);
            assert!(replay.is_err(), "{}: a replayed packet is refused", suite.name());
            let mut tampered =
                alice.protect_rtp(&tx.packetize(0, 320, false, &[0x55; 160]).expect("packet")).expect("encrypts");
            tampered[20] ^= 1;
            assert!(bob.unprotect_rtp(&tampered).is_err(), "{}: a tampered packet is refused", suite.name());
        }
    }
}
