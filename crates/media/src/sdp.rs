//! SDP offer/answer for one audio stream (RFC 3264, RFC 4566): what Ringdesk offers, how it
//! answers an offer, and how it reads the answer to its own offer, including the telephone-event
//! payload (RFC 4733), `ptime`, direction attributes for hold, and SDES keys (RFC 4568).
//!
//! The text is parsed by webrtc-rs `sdp` into its syntax tree; the audio semantics on top are
//! ours, because that crate leaves negotiation to its WebRTC stack (which only speaks
//! `UDP/TLS/RTP/SAVPF`). Ringdesk's own SDP is written here as text, in the order RFC 4566 fixes,
//! and the tests parse it back with the same parser peers use.

use std::io::Cursor;
use std::net::{IpAddr, SocketAddr};

use crate::MediaError;
use crate::codec::CodecKind;
use crate::srtp::{CryptoAttribute, CryptoSuite, KeySalt, SrtpKeys, SrtpPolicy};

/// Which way media flows, from the point of view of the side that wrote the SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Both ways (the default).
    #[default]
    SendRecv,
    /// Only from the writer: it holds the call (music on hold).
    SendOnly,
    /// Only to the writer.
    RecvOnly,
    /// Neither way: both sides hold.
    Inactive,
}

impl Direction {
    /// The attribute name.
    pub fn attribute(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    fn from_attribute(key: &str) -> Option<Self> {
        match key {
            "sendrecv" => Some(Direction::SendRecv),
            "sendonly" => Some(Direction::SendOnly),
            "recvonly" => Some(Direction::RecvOnly),
            "inactive" => Some(Direction::Inactive),
            _ => None,
        }
    }

    /// The same flow seen from the other side.
    pub fn reversed(self) -> Self {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }

    /// The direction an answerer who wants `wanted` may answer an offer of `self` with.
    pub fn answer_to(self, wanted: Direction) -> Direction {
        let can_send = matches!(self, Direction::SendRecv | Direction::RecvOnly);
        let can_recv = matches!(self, Direction::SendRecv | Direction::SendOnly);
        let want_send = matches!(wanted, Direction::SendRecv | Direction::SendOnly);
        let want_recv = matches!(wanted, Direction::SendRecv | Direction::RecvOnly);
        match (can_send && want_send, can_recv && want_recv) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }

    /// Whether the writer of this direction sends media.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether the writer of this direction receives media.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }
}

/// One payload format of a remote `m=audio` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadFormat {
    /// RTP payload type.
    pub payload_type: u8,
    /// Encoding name from `a=rtpmap`, or the RFC 3551 static name.
    pub name: String,
    /// Clock rate.
    pub clock_rate: u32,
}

/// The audio stream of a parsed session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioDescription {
    /// Where to send RTP.
    pub rtp_addr: SocketAddr,
    /// Where to send RTCP (`a=rtcp`, else the next port), unless `rtcp_mux`.
    pub rtcp_addr: SocketAddr,
    /// `a=rtcp-mux` present.
    pub rtcp_mux: bool,
    /// The transport profile is RTP/SAVP.
    pub savp: bool,
    /// Payload formats in the writer's order of preference.
    pub formats: Vec<PayloadFormat>,
    /// `a=ptime`, in milliseconds.
    pub ptime_ms: Option<u32>,
    /// The writer's direction.
    pub direction: Direction,
    /// Supported `a=crypto` lines, in order.
    pub crypto: Vec<CryptoAttribute>,
    /// The `o=` session id and version (a re-INVITE with the same version changes nothing).
    pub origin: (u64, u64),
}

impl AudioDescription {
    /// Whether the stream was declined (port 0).
    pub fn is_declined(&self) -> bool {
        self.rtp_addr.port() == 0
    }

    /// The telephone-event payload type at `clock_rate`: events share the audio's timestamps,
    /// so their clock must be the codec's (RFC 4733 §2.1).
    fn telephone_event_pt(&self, clock_rate: u32) -> Option<u8> {
        self.formats
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case("telephone-event") && f.clock_rate == clock_rate)
            .map(|f| f.payload_type)
    }
}

/// Parses a session description and returns its first audio stream.
pub fn parse_audio(text: &str) -> Result<AudioDescription, MediaError> {
    if text.len() > 64 * 1024 {
        return Err(MediaError::Sdp(format!("session description of {} bytes is too large", text.len())));
    }
    let desc = sdp::description::session::SessionDescription::unmarshal(&mut Cursor::new(text.as_bytes()))
        .map_err(|e| MediaError::Sdp(format!("unreadable session description: {e}")))?;
    let media = desc
        .media_descriptions
        .iter()
        .find(|m| m.media_name.media == "audio")
        .ok_or_else(|| MediaError::Sdp("no m=audio line".into()))?;
    let conn = media
        .connection_information
        .as_ref()
        .or(desc.connection_information.as_ref())
        .and_then(|c| c.address.as_ref())
        .ok_or_else(|| MediaError::Sdp("no c= address for the audio stream".into()))?;
    let ip: IpAddr = conn
        .address
        .parse()
        .map_err(|_| MediaError::Sdp(format!("c= address {:?} is not an IP address", conn.address)))?;
    let port = u16::try_from(media.media_name.port.value)
        .map_err(|_| MediaError::Sdp(format!("m=audio port {} is out of range", media.media_name.port.value)))?;
    let proto = media.media_name.protos.join("/");
    let savp = match proto.as_str() {
        "RTP/AVP" => false,
        "RTP/SAVP" => true,
        other => return Err(MediaError::Sdp(format!("m=audio transport {other} is not RTP/AVP or RTP/SAVP"))),
    };

    let mut formats = Vec::new();
    for f in &media.media_name.formats {
        let pt: u8 = f
            .parse()
            .ok()
            .filter(|pt| *pt < 128)
            .ok_or_else(|| MediaError::Sdp(format!("m=audio format {f:?} is not a payload type")))?;
        let mapped = media.attributes.iter().filter(|a| a.key == "rtpmap").find_map(|a| {
            let v = a.value.as_deref()?;
            let (num, rest) = v.split_once(' ')?;
            if num.trim().parse::<u8>().ok()? != pt {
                return None;
            }
            let mut parts = rest.trim().split('/');
            let name = parts.next()?.to_owned();
            let rate = parts.next()?.parse::<u32>().ok()?;
            Some((name, rate))
        });
        let (name, clock_rate) = match mapped {
            Some(m) => m,
            None => match pt {
                0 => ("PCMU".to_owned(), 8000),
                8 => ("PCMA".to_owned(), 8000),
                9 => ("G722".to_owned(), 8000),
                // A dynamic type without rtpmap cannot be used; keep it out.
                _ => continue,
            },
        };
        formats.push(PayloadFormat { payload_type: pt, name, clock_rate });
    }

    let attr = |key: &str| media.attributes.iter().find(|a| a.key == key).and_then(|a| a.value.clone());
    let ptime_ms = attr("ptime").and_then(|v| v.trim().parse::<u32>().ok()).filter(|p| (10..=200).contains(p));
    let direction = media
        .attributes
        .iter()
        .chain(desc.attributes.iter())
        .find_map(|a| Direction::from_attribute(&a.key))
        .unwrap_or_default();
    let rtcp_mux = media.attributes.iter().any(|a| a.key == "rtcp-mux");
    let rtcp_addr = match attr("rtcp") {
        Some(v) => {
            let mut parts = v.split_ascii_whitespace();
            let p = parts
                .next()
                .and_then(|p| p.parse::<u16>().ok())
                .ok_or_else(|| MediaError::Sdp(format!("a=rtcp:{v} has no port")))?;
            let a = match (parts.next(), parts.next(), parts.next()) {
                (Some("IN"), Some(_), Some(addr)) => addr.parse().unwrap_or(ip),
                _ => ip,
            };
            SocketAddr::new(a, p)
        }
        None => SocketAddr::new(ip, port.saturating_add(1)),
    };
    let mut crypto = Vec::new();
    for a in media.attributes.iter().filter(|a| a.key == "crypto") {
        if let Some(c) = CryptoAttribute::parse(a.value.as_deref().unwrap_or_default())? {
            crypto.push(c);
        }
    }
    let session_id = desc.origin.session_id;
    let version = desc.origin.session_version;
    Ok(AudioDescription {
        rtp_addr: SocketAddr::new(ip, port),
        rtcp_addr,
        rtcp_mux,
        savp,
        formats,
        ptime_ms,
        direction,
        crypto,
        origin: (session_id, version),
    })
}

/// What Ringdesk can do on a line, and where it listens.
#[derive(Debug, Clone)]
pub struct LocalAudio {
    /// The address to put in `c=` and `o=`.
    pub addr: IpAddr,
    /// Our RTP port (RTCP is the next one, or the same with rtcp-mux).
    pub rtp_port: u16,
    /// Codecs in order of preference.
    pub codecs: Vec<CodecKind>,
    /// Offer/accept RFC 4733 telephone events.
    pub telephone_event: bool,
    /// Packet time we send, in milliseconds.
    pub ptime_ms: u32,
    /// Encryption policy.
    pub srtp: SrtpPolicy,
    /// `o=` session id (random, from the caller) and version (incremented per new offer).
    pub origin: (u64, u64),
}

/// The media parameters both sides agreed on: what the session needs to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The codec for audio.
    pub codec: CodecKind,
    /// Its payload type as the peer numbered it (we send with it; RFC 3264 §6.1).
    pub payload_type: u8,
    /// The telephone-event payload type, when both sides support it.
    pub telephone_event_pt: Option<u8>,
    /// Packet time we send.
    pub ptime_ms: u32,
    /// Where to send RTP.
    pub remote_rtp: SocketAddr,
    /// Where to send RTCP.
    pub remote_rtcp: SocketAddr,
    /// RTP and RTCP share one port.
    pub rtcp_mux: bool,
    /// Our direction.
    pub direction: Direction,
    /// SRTP keys, when the media is encrypted.
    pub srtp: Option<SrtpKeys>,
}

/// Our SDP offer, with the keys we generated for it (kept to match the answer).
#[derive(Debug, Clone)]
pub struct Offer {
    /// The SDP text.
    pub sdp: String,
    /// Our crypto lines, one per offered suite.
    pub crypto: Vec<CryptoAttribute>,
    /// What we offered.
    pub local: LocalAudio,
    /// Our direction.
    pub direction: Direction,
}

const TELEPHONE_EVENT_PT: u8 = 101;
/// telephone-event at Opus's 48 kHz clock.
const TELEPHONE_EVENT_WIDE_PT: u8 = 102;

/// Builds an offer. `key_bytes` supplies random key material of the requested length.
pub fn create_offer(
    local: &LocalAudio,
    direction: Direction,
    key_bytes: &mut dyn FnMut(usize) -> Vec<u8>,
) -> Result<Offer, MediaError> {
    let mut crypto = Vec::new();
    if local.srtp != SrtpPolicy::Off {
        for (i, suite) in CryptoSuite::OFFERED.into_iter().enumerate() {
            let key = KeySalt::new(suite, &key_bytes(suite.key_len() + suite.salt_len()))?;
            crypto.push(CryptoAttribute { tag: i as u32 + 1, suite, key });
        }
    }
    let mut payloads: Vec<Payload> = local.codecs.iter().map(|&c| Payload::codec(c.payload_type(), c)).collect();
    if payloads.is_empty() {
        return Err(MediaError::Sdp("no codec to offer".into()));
    }
    if local.telephone_event {
        // One telephone-event per clock rate in use: 8 kHz for G.711/G.722, 48 kHz for Opus.
        let mut clocks: Vec<u32> = local.codecs.iter().map(|c| c.clock_rate()).collect();
        clocks.sort_unstable();
        clocks.dedup();
        for clock in clocks {
            let pt = if clock == 8000 { TELEPHONE_EVENT_PT } else { TELEPHONE_EVENT_WIDE_PT };
            payloads.push(Payload::telephone_event(pt, clock));
        }
    }
    let sdp = write_sdp(local, local.srtp == SrtpPolicy::Required, &payloads, direction, &crypto);
    Ok(Offer { sdp, crypto, local: local.clone(), direction })
}

/// Answers a remote offer: picks the first of the peer's codecs we support, matches
/// telephone-event and a crypto suite, and returns our SDP with what was agreed.
pub fn answer_offer(
    local: &LocalAudio,
    offer: &AudioDescription,
    wanted: Direction,
    key_bytes: &mut dyn FnMut(usize) -> Vec<u8>,
) -> Result<(String, Negotiated), MediaError> {
    if offer.is_declined() {
        return Err(MediaError::Negotiation("the offer's audio stream is declined (port 0)".into()));
    }
    let chosen = offer
        .formats
        .iter()
        .find_map(|f| {
            let codec = CodecKind::from_rtpmap(&f.name, f.clock_rate)?;
            local.codecs.contains(&codec).then_some((codec, f.payload_type))
        })
        .ok_or_else(|| {
            let theirs: Vec<&str> = offer.formats.iter().map(|f| f.name.as_str()).collect();
            MediaError::Negotiation(format!("no codec in common: the peer offers {}", theirs.join(", ")))
        })?;
    let te = if local.telephone_event { offer.telephone_event_pt(chosen.0.clock_rate()) } else { None };
    let srtp = match (local.srtp, offer.crypto.first(), offer.savp) {
        (SrtpPolicy::Off, _, true) => {
            return Err(MediaError::Negotiation("the peer requires SRTP and encryption is off on this line".into()));
        }
        (SrtpPolicy::Off, _, false) | (SrtpPolicy::Optional, None, false) => None,
        (SrtpPolicy::Required, None, _) | (SrtpPolicy::Optional, None, true) => {
            return Err(MediaError::Negotiation(
                "SRTP is required but the peer offered no supported crypto suite".into(),
            ));
        }
        (_, Some(theirs), _) => {
            let key = KeySalt::new(theirs.suite, &key_bytes(theirs.suite.key_len() + theirs.suite.salt_len()))?;
            Some((CryptoAttribute { tag: theirs.tag, suite: theirs.suite, key }, theirs.key.clone()))
        }
    };
    let direction = offer.direction.answer_to(wanted);
    let mut payloads = vec![Payload::codec(chosen.1, chosen.0)];
    payloads.extend(te.map(|pt| Payload::telephone_event(pt, chosen.0.clock_rate())));
    let ours: Vec<CryptoAttribute> = srtp.iter().map(|(c, _)| c.clone()).collect();
    let sdp = write_sdp(local, offer.savp, &payloads, direction, &ours);
    let negotiated = Negotiated {
        codec: chosen.0,
        payload_type: chosen.1,
        telephone_event_pt: te,
        ptime_ms: send_ptime(chosen.0, offer.ptime_ms, local.ptime_ms),
        remote_rtp: offer.rtp_addr,
        remote_rtcp: if offer.rtcp_mux { offer.rtp_addr } else { offer.rtcp_addr },
        rtcp_mux: offer.rtcp_mux,
        direction,
        srtp: srtp.map(|(c, remote)| SrtpKeys { suite: c.suite, local: c.key, remote }),
    };
    Ok((sdp, negotiated))
}

/// Reads the answer to our offer.
pub fn accept_answer(offer: &Offer, answer: &AudioDescription) -> Result<Negotiated, MediaError> {
    if answer.is_declined() {
        return Err(MediaError::Negotiation("the peer declined the audio stream".into()));
    }
    let chosen = answer
        .formats
        .iter()
        .find_map(|f| {
            let codec = CodecKind::from_rtpmap(&f.name, f.clock_rate)?;
            offer.local.codecs.contains(&codec).then_some((codec, f.payload_type))
        })
        .ok_or_else(|| {
            let theirs: Vec<&str> = answer.formats.iter().map(|f| f.name.as_str()).collect();
            MediaError::Negotiation(format!("the answer's codecs ({}) were not offered", theirs.join(", ")))
        })?;
    let te = if offer.local.telephone_event { answer.telephone_event_pt(chosen.0.clock_rate()) } else { None };
    let srtp = match answer.crypto.first() {
        Some(theirs) => {
            let ours =
                offer.crypto.iter().find(|c| c.tag == theirs.tag && c.suite == theirs.suite).ok_or_else(|| {
                    MediaError::Negotiation("the answer's a=crypto matches no offered tag and suite".into())
                })?;
            Some(SrtpKeys { suite: ours.suite, local: ours.key.clone(), remote: theirs.key.clone() })
        }
        None if offer.local.srtp == SrtpPolicy::Required => {
            return Err(MediaError::Negotiation("SRTP is required but the answer carries no key".into()));
        }
        None => None,
    };
    let direction = answer.direction.reversed().answer_to(offer.direction);
    Ok(Negotiated {
        codec: chosen.0,
        payload_type: chosen.1,
        telephone_event_pt: te,
        ptime_ms: send_ptime(chosen.0, answer.ptime_ms, offer.local.ptime_ms),
        remote_rtp: answer.rtp_addr,
        remote_rtcp: if answer.rtcp_mux { answer.rtp_addr } else { answer.rtcp_addr },
        rtcp_mux: answer.rtcp_mux,
        direction,
        srtp,
    })
}

/// The packet time to send with: the peer's `a=ptime` (what it wants to receive) when the codec
/// can send it, else ours when it can, else 20 ms.
fn send_ptime(codec: CodecKind, remote: Option<u32>, ours: u32) -> u32 {
    remote.filter(|p| codec.supports_ptime(*p)).or(Some(ours).filter(|p| codec.supports_ptime(*p))).unwrap_or(20)
}

/// One payload format we write: its type, `a=rtpmap` value and `a=fmtp` parameters.
struct Payload {
    pt: u8,
    rtpmap: String,
    fmtp: Option<String>,
}

impl Payload {
    fn codec(pt: u8, codec: CodecKind) -> Self {
        Self { pt, rtpmap: codec.rtpmap(), fmtp: codec.fmtp().map(str::to_owned) }
    }

    fn telephone_event(pt: u8, clock: u32) -> Self {
        Self { pt, rtpmap: format!("telephone-event/{clock}"), fmtp: Some("0-15".to_owned()) }
    }
}

fn write_sdp(
    local: &LocalAudio,
    savp: bool,
    payloads: &[Payload],
    direction: Direction,
    crypto: &[CryptoAttribute],
) -> String {
    let ip_kind = if local.addr.is_ipv4() { "IP4" } else { "IP6" };
    let pts: Vec<String> = payloads.iter().map(|p| p.pt.to_string()).collect();
    let mut s = String::with_capacity(512);
    s.push_str("v=0\r\n");
    s.push_str(&format!("o=ringdesk {} {} IN {ip_kind} {}\r\n", local.origin.0, local.origin.1, local.addr));
    s.push_str("s=Ringdesk\r\n");
    s.push_str(&format!("c=IN {ip_kind} {}\r\n", local.addr));
    s.push_str("t=0 0\r\n");
    let proto = if savp { "RTP/SAVP" } else { "RTP/AVP" };
    s.push_str(&format!("m=audio {} {proto} {}\r\n", local.rtp_port, pts.join(" ")));
    for p in payloads {
        s.push_str(&format!("a=rtpmap:{} {}\r\n", p.pt, p.rtpmap));
        if let Some(f) = &p.fmtp {
            s.push_str(&format!("a=fmtp:{} {f}\r\n", p.pt));
        }
    }
    s.push_str(&format!("a=ptime:{}\r\n", local.ptime_ms));
    for c in crypto {
        s.push_str(&format!("a=crypto:{}\r\n", c.to_value()));
    }
    s.push_str(&format!("a={}\r\n", direction.attribute()));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(srtp: SrtpPolicy) -> LocalAudio {
        LocalAudio {
            addr: "127.0.0.1".parse().expect("ip"),
            rtp_port: 40000,
            codecs: vec![CodecKind::Pcmu, CodecKind::Pcma],
            telephone_event: true,
            ptime_ms: 20,
            srtp,
            origin: (42, 1),
        }
    }

    fn keys() -> impl FnMut(usize) -> Vec<u8> {
        let mut n = 0u8;
        move |len| {
            n = n.wrapping_add(1);
            vec![n; len]
        }
    }

    const BARESIP_OFFER: &str = "v=0\r\no=- 1873 3214 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
        m=audio 10136 RTP/AVP 0 8 101\r\nb=AS:64\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
        a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";

    #[test]
    fn a_plain_offer_from_baresip_is_answered_with_pcmu_and_telephone_event() {
        let offer = parse_audio(BARESIP_OFFER).expect("parses");
        assert_eq!(offer.rtp_addr, "127.0.0.1:10136".parse().expect("addr"), "RTP address");
        assert_eq!(offer.rtcp_addr.port(), 10137, "RTCP on the next port");
        let (sdp, agreed) =
            answer_offer(&local(SrtpPolicy::Optional), &offer, Direction::SendRecv, &mut keys()).expect("answers");
        assert_eq!(agreed.codec, CodecKind::Pcmu, "the offerer's first codec we support");
        assert_eq!(agreed.telephone_event_pt, Some(101), "telephone-event matched");
        assert!(agreed.srtp.is_none(), "no keys offered, none used");
        let back = parse_audio(&sdp).expect("our answer parses");
        assert_eq!(back.formats.len(), 2, "one codec plus telephone-event in the answer: {sdp}");
        assert_eq!(back.direction, Direction::SendRecv, "sendrecv");
    }

    #[test]
    fn an_offer_round_trips_and_the_answer_is_accepted() {
        let mut k = keys();
        let offer = create_offer(&local(SrtpPolicy::Optional), Direction::SendRecv, &mut k).expect("offer");
        let parsed = parse_audio(&offer.sdp).expect("our offer parses");
        assert!(!parsed.savp, "optional SRTP rides on RTP/AVP");
        assert_eq!(parsed.crypto.len(), 4, "four suites offered");
        assert_eq!(parsed.crypto[0].suite, CryptoSuite::AesCm128HmacSha1_80, "AES_CM_128_HMAC_SHA1_80 first");
        let peer = local(SrtpPolicy::Optional);
        let (answer_sdp, peer_agreed) = answer_offer(&peer, &parsed, Direction::SendRecv, &mut k).expect("answer");
        let answer = parse_audio(&answer_sdp).expect("answer parses");
        let agreed = accept_answer(&offer, &answer).expect("accepted");
        let (ours, theirs) = (agreed.srtp.expect("srtp on our side"), peer_agreed.srtp.expect("srtp on theirs"));
        assert_eq!(ours.local, theirs.remote, "what we send with is what they receive with");
        assert_eq!(ours.remote, theirs.local, "and the other way round");
        assert_eq!(agreed.remote_rtp.port(), 40000, "the peer's port");
    }

    #[test]
    fn hold_directions_are_answered_as_rfc3264_says() {
        let cases = [
            (Direction::SendOnly, Direction::SendRecv, Direction::RecvOnly),
            (Direction::RecvOnly, Direction::SendRecv, Direction::SendOnly),
            (Direction::Inactive, Direction::SendRecv, Direction::Inactive),
            (Direction::SendRecv, Direction::SendOnly, Direction::SendOnly),
            (Direction::SendOnly, Direction::SendOnly, Direction::Inactive),
        ];
        for (offered, wanted, expected) in cases {
            assert_eq!(offered.answer_to(wanted), expected, "offer {offered:?}, wanting {wanted:?}");
        }
    }

    #[test]
    fn srtp_required_but_plain_offer_is_refused_with_a_reason() {
        let offer = parse_audio(BARESIP_OFFER).expect("parses");
        let err =
            answer_offer(&local(SrtpPolicy::Required), &offer, Direction::SendRecv, &mut keys()).expect_err("refused");
        assert!(err.to_string().contains("SRTP is required"), "reason: {err}");
    }

    #[test]
    fn a_savp_offer_on_a_line_with_encryption_off_is_refused() {
        let sdp = BARESIP_OFFER.replace("RTP/AVP", "RTP/SAVP").replace(
            "a=ptime:20",
            "a=ptime:20\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd",
        );
        let offer = parse_audio(&sdp).expect("parses");
        assert!(offer.savp, "RTP/SAVP");
        let err = answer_offer(&local(SrtpPolicy::Off), &offer, Direction::SendRecv, &mut keys()).expect_err("refused");
        assert!(err.to_string().contains("encryption is off"), "reason: {err}");
        let (answer, agreed) =
            answer_offer(&local(SrtpPolicy::Required), &offer, Direction::SendRecv, &mut keys()).expect("accepted");
        assert!(answer.contains("RTP/SAVP"), "answered on SAVP: {answer}");
        assert_eq!(agreed.srtp.map(|k| k.suite), Some(CryptoSuite::AesCm128HmacSha1_80), "the offered suite");
    }

    #[test]
    fn an_unknown_codec_answer_is_an_error_not_a_guess() {
        let mut k = keys();
        let offer = create_offer(&local(SrtpPolicy::Off), Direction::SendRecv, &mut k).expect("offer");
        let answer = parse_audio(
            &BARESIP_OFFER
                .replace("RTP/AVP 0 8 101", "RTP/AVP 18")
                .replace("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n", "a=rtpmap:18 G729/8000\r\n"),
        )
        .expect("parses");
        let err = accept_answer(&offer, &answer).expect_err("no common codec");
        assert!(err.to_string().contains("G729"), "names what the peer chose: {err}");
    }

    #[test]
    fn a_wideband_offer_lists_opus_with_fec_and_a_telephone_event_per_clock() {
        let mut wide = local(SrtpPolicy::Off);
        wide.codecs = CodecKind::ALL.to_vec();
        let offer = create_offer(&wide, Direction::SendRecv, &mut keys()).expect("offer");
        assert!(offer.sdp.contains("m=audio 40000 RTP/AVP 111 9 0 8 101 102\r\n"), "Opus first: {}", offer.sdp);
        assert!(offer.sdp.contains("a=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1"), "FEC: {}", offer.sdp);
        assert!(offer.sdp.contains("a=rtpmap:102 telephone-event/48000"), "events at Opus's clock: {}", offer.sdp);
        let parsed = parse_audio(&offer.sdp).expect("parses");
        let (answer, agreed) = answer_offer(&wide, &parsed, Direction::SendRecv, &mut keys()).expect("answer");
        assert_eq!((agreed.codec, agreed.telephone_event_pt), (CodecKind::Opus, Some(102)), "Opus with 48 kHz events");
        assert!(answer.contains("a=rtpmap:102 telephone-event/48000"), "answer names the events: {answer}");
        assert!(!answer.contains("telephone-event/8000"), "only the matching clock is answered: {answer}");
    }

    #[test]
    fn g722_keeps_the_8khz_clock_and_opus_refuses_a_30ms_ptime() {
        let g722 = BARESIP_OFFER.replace("RTP/AVP 0 8 101", "RTP/AVP 9 0 101").replace("a=ptime:20", "a=ptime:30");
        let mut wide = local(SrtpPolicy::Off);
        wide.codecs = vec![CodecKind::Opus, CodecKind::G722, CodecKind::Pcmu];
        let (_, agreed) = answer_offer(&wide, &parse_audio(&g722).expect("parses"), Direction::SendRecv, &mut keys())
            .expect("answer");
        assert_eq!(
            (agreed.codec, agreed.telephone_event_pt, agreed.ptime_ms),
            (CodecKind::G722, Some(101), 30),
            "G.722 at 30 ms"
        );
        let opus = BARESIP_OFFER
            .replace("RTP/AVP 0 8 101", "RTP/AVP 96")
            .replace("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n", "a=rtpmap:96 opus/48000/2\r\n")
            .replace("a=ptime:20", "a=ptime:30");
        let (_, agreed) = answer_offer(&wide, &parse_audio(&opus).expect("parses"), Direction::SendRecv, &mut keys())
            .expect("answer");
        assert_eq!(
            (agreed.codec, agreed.payload_type, agreed.ptime_ms),
            (CodecKind::Opus, 96, 20),
            "their PT, a 20 ms frame"
        );
        assert_eq!(agreed.telephone_event_pt, None, "8 kHz events do not mix with Opus's 48 kHz timestamps");
    }

    #[test]
    fn malformed_descriptions_are_specific_errors() {
        let cases = [
            ("", "unreadable"),
            ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=video 9 RTP/AVP 96\r\n", "no m=audio"),
            ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n", "no c= address"),
            (
                "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 host.example\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n",
                "not an IP",
            ),
            (
                "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n",
                "transport",
            ),
            (
                "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 99999 RTP/AVP 0\r\n",
                "too large",
            ),
            (
                "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 9 RTP/AVP abc\r\n",
                "not a payload type",
            ),
        ];
        for (text, expected) in cases {
            let err = parse_audio(text).expect_err(expected);
            assert!(err.to_string().contains(expected), "{expected:?} in {err}");
        }
    }

    #[test]
    fn a_declined_stream_is_refused() {
        let offer = parse_audio(&BARESIP_OFFER.replace("m=audio 10136", "m=audio 0")).expect("parses");
        assert!(offer.is_declined(), "port 0 declines");
        assert!(answer_offer(&local(SrtpPolicy::Off), &offer, Direction::SendRecv, &mut keys()).is_err(), "refused");
    }
}
