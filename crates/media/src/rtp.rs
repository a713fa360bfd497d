//! RTP and RTCP bookkeeping for one audio stream (RFC 3550): the sender's sequence numbers,
//! timestamps and counters, the receiver's sequence validation, loss and interarrival jitter, and
//! the sender/receiver reports built from them.
//!
//! Packets are built with webrtc-rs `rtp` and `rtcp`; what is here is the state those crates
//! leave to their caller. Received packets are checked here before those crates see them, and
//! incoming RTCP reports are read by hand: our `rtp_rtcp` fuzz target found `rtcp` 0.17 panicking
//! on crafted compound packets (a read past the end), and SR/RR are two fixed layouts.
//! Nothing reads a clock: arrival times come in as RTP-clock units or as NTP values computed by
//! the session from the instant it was given.

use bytes::Bytes;
pub use rtcp::reception_report::ReceptionReport;
use webrtc_util::marshal::Marshal;

use crate::MediaError;

/// The sending half of an RTP stream: one SSRC, a wrapping sequence number and counters.
#[derive(Debug, Clone)]
pub struct RtpSender {
    ssrc: u32,
    next_seq: u16,
    packets: u32,
    octets: u32,
    last_timestamp: u32,
}

impl RtpSender {
    /// A sender with the given SSRC and first sequence number (both random, from the caller).
    pub fn new(ssrc: u32, first_seq: u16) -> Self {
        Self { ssrc, next_seq: first_seq, packets: 0, octets: 0, last_timestamp: 0 }
    }

    /// The stream's SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Packets sent so far.
    pub fn packets_sent(&self) -> u32 {
        self.packets
    }

    /// Payload octets sent so far.
    pub fn octets_sent(&self) -> u32 {
        self.octets
    }

    /// The RTP timestamp of the last packet sent.
    pub fn last_timestamp(&self) -> u32 {
        self.last_timestamp
    }

    /// Builds the next RTP packet (plain, before SRTP) and advances the counters.
    pub fn packetize(
        &mut self,
        payload_type: u8,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<Bytes, MediaError> {
        let packet = rtp::packet::Packet {
            header: rtp::header::Header {
                version: 2,
                marker,
                payload_type,
                sequence_number: self.next_seq,
                timestamp,
                ssrc: self.ssrc,
                ..Default::default()
            },
            payload: Bytes::copy_from_slice(payload),
        };
        let raw = packet.marshal().map_err(|e| MediaError::Rtp(e.to_string()))?;
        self.next_seq = self.next_seq.wrapping_add(1);
        self.packets = self.packets.wrapping_add(1);
        self.octets = self.octets.wrapping_add(payload.len() as u32);
        self.last_timestamp = timestamp;
        Ok(raw)
    }
}

/// Checks an RTP header's structure (version, CSRC list, extension) against the datagram's
/// length; returns the header length. Padding is not checked: under SRTP it is encrypted.
pub fn check_rtp_header_only(data: &[u8]) -> Result<usize, MediaError> {
    if data.len() < 12 {
        return Err(MediaError::Rtp(format!("{} bytes is shorter than an RTP header", data.len())));
    }
    if data[0] >> 6 != 2 {
        return Err(MediaError::Rtp(format!("RTP version {} is not 2", data[0] >> 6)));
    }
    let mut len = 12 + 4 * usize::from(data[0] & 0x0F);
    if data[0] & 0x10 != 0 {
        if data.len() < len + 4 {
            return Err(MediaError::Rtp("header extension beyond the packet".into()));
        }
        len += 4 + 4 * usize::from(u16::from_be_bytes([data[len + 2], data[len + 3]]));
    }
    if data.len() < len {
        return Err(MediaError::Rtp(format!("header of {len} bytes in a {}-byte packet", data.len())));
    }
    Ok(len)
}

/// Checks that the RFC 8285 header extension elements of a packet whose header
/// [`check_rtp_header_only`] accepted each fit in their block. Needed before webrtc-srtp decrypts:
/// it parses them with the `rtp` crate, which reads element lengths without bounds and panics
/// (found by our fuzz target). Plain RTP is read by hand and never looks at the elements.
pub fn check_rtp_extension_elements(data: &[u8]) -> Result<(), MediaError> {
    let header = check_rtp_header_only(data)?;
    if data[0] & 0x10 == 0 {
        return Ok(());
    }
    let at = 12 + 4 * usize::from(data[0] & 0x0F);
    let profile = u16::from_be_bytes([data[at], data[at + 1]]);
    check_extension_elements(profile, &data[at + 4..header])
}

fn check_extension_elements(profile: u16, block: &[u8]) -> Result<(), MediaError> {
    let overrun = || MediaError::Rtp("a header extension element runs past its block".into());
    let mut i = 0;
    match profile {
        0xBEDE => {
            while i < block.len() {
                let b = block[i];
                if b == 0 {
                    i += 1;
                    continue;
                }
                if b >> 4 == 15 {
                    break;
                }
                let end = i + 1 + usize::from(b & 0x0F) + 1;
                if end > block.len() {
                    return Err(overrun());
                }
                i = end;
            }
        }
        0x1000 => {
            while i < block.len() {
                if block[i] == 0 {
                    i += 1;
                    continue;
                }
                let len = *block.get(i + 1).ok_or_else(overrun)?;
                let end = i + 2 + usize::from(len);
                if end > block.len() {
                    return Err(overrun());
                }
                i = end;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Checks a plain RTP packet's structure, padding included; returns the header length.
pub fn check_rtp(data: &[u8]) -> Result<usize, MediaError> {
    let len = check_rtp_header_only(data)?;
    if data[0] & 0x20 != 0 {
        let pad = usize::from(data[data.len() - 1]);
        if pad == 0 || len + pad > data.len() {
            return Err(MediaError::Rtp(format!("padding of {pad} bytes does not fit")));
        }
    }
    Ok(len)
}

/// The fields of a received RTP packet the session uses, borrowed from the datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpView<'a> {
    /// Marker bit.
    pub marker: bool,
    /// Payload type.
    pub payload_type: u8,
    /// Sequence number.
    pub sequence_number: u16,
    /// RTP timestamp.
    pub timestamp: u32,
    /// Synchronization source.
    pub ssrc: u32,
    /// The payload, without header, extension or padding.
    pub payload: &'a [u8],
}

/// Parses a received RTP packet, rejecting what is not well-formed RTP version 2 with a typed
/// error. Read by hand: `rtp` 0.17's unmarshal panics on crafted header extensions (found by
/// our fuzz target), and the fixed header is twelve bytes.
pub fn parse_rtp(data: &[u8]) -> Result<RtpView<'_>, MediaError> {
    let header = check_rtp(data)?;
    let pad = if data[0] & 0x20 != 0 { usize::from(data[data.len() - 1]) } else { 0 };
    Ok(RtpView {
        marker: data[1] & 0x80 != 0,
        payload_type: data[1] & 0x7F,
        sequence_number: u16::from_be_bytes([data[2], data[3]]),
        timestamp: u32::from_be_bytes([data[4], data[5], data[6], data[7]]),
        ssrc: u32::from_be_bytes([data[8], data[9], data[10], data[11]]),
        payload: &data[header..data.len() - pad],
    })
}

/// Whether a datagram on a muxed port is RTCP rather than RTP (RFC 5761 §4: payload types
/// 64–95 with the marker bit are RTCP packet types 192–223).
pub fn is_rtcp(data: &[u8]) -> bool {
    data.len() >= 2 && (192..=223).contains(&data[1])
}

const RTP_SEQ_MOD: u32 = 1 << 16;
const MAX_DROPOUT: u16 = 3000;
const MAX_MISORDER: u16 = 100;
const MIN_SEQUENTIAL: u32 = 2;

/// What the receiver made of one packet's sequence number (RFC 3550 A.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqVerdict {
    /// In sequence, or a tolerable jump; carries the extended (32-bit) sequence number.
    Valid(u32),
    /// Still probating a new source: not played yet.
    Probation,
    /// A duplicate or a very late packet, or a jump too large: dropped.
    Invalid,
    /// The source restarted (a large jump confirmed by the next packet): stream reset.
    Restarted(u32),
}

/// Receiver statistics for one remote SSRC: RFC 3550 A.1 (sequence), A.3 (loss), A.8 (jitter).
#[derive(Debug, Clone)]
pub struct RtpReceiverStats {
    ssrc: u32,
    max_seq: u16,
    cycles: u32,
    base_seq: u32,
    bad_seq: u32,
    probation: u32,
    received: u32,
    expected_prior: u32,
    received_prior: u32,
    transit: Option<i64>,
    jitter: f64,
    duplicates: u64,
    /// Middle 32 bits of the NTP time in the last SR, and the NTP time it arrived.
    last_sr: Option<(u32, u64)>,
}

impl RtpReceiverStats {
    /// Starts tracking a source from its first packet's sequence number.
    pub fn new(ssrc: u32, seq: u16) -> Self {
        let mut stats = Self {
            ssrc,
            max_seq: seq.wrapping_sub(1),
            cycles: 0,
            base_seq: u32::from(seq),
            bad_seq: RTP_SEQ_MOD + 1,
            probation: MIN_SEQUENTIAL,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            transit: None,
            jitter: 0.0,
            duplicates: 0,
            last_sr: None,
        };
        stats.init_seq(seq);
        stats.max_seq = seq.wrapping_sub(1);
        stats.probation = MIN_SEQUENTIAL;
        stats
    }

    /// The SSRC these statistics are for.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    fn init_seq(&mut self, seq: u16) {
        self.base_seq = u32::from(seq);
        self.max_seq = seq;
        self.bad_seq = RTP_SEQ_MOD + 1;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
    }

    /// Feeds one packet's sequence number; says whether to play it.
    pub fn update_seq(&mut self, seq: u16) -> SeqVerdict {
        let udelta = seq.wrapping_sub(self.max_seq);
        if self.probation > 0 {
            if seq == self.max_seq.wrapping_add(1) {
                self.probation -= 1;
                self.max_seq = seq;
                if self.probation == 0 {
                    self.init_seq(seq);
                    self.received += 1;
                    return SeqVerdict::Valid(self.extended(seq));
                }
            } else {
                self.probation = MIN_SEQUENTIAL - 1;
                self.max_seq = seq;
            }
            return SeqVerdict::Probation;
        } else if udelta < MAX_DROPOUT {
            if udelta == 0 {
                self.duplicates += 1;
                return SeqVerdict::Invalid;
            }
            if seq < self.max_seq {
                self.cycles = self.cycles.wrapping_add(RTP_SEQ_MOD);
            }
            self.max_seq = seq;
        } else if u32::from(udelta) <= RTP_SEQ_MOD - u32::from(MAX_MISORDER) {
            // A very large jump. Accept it only when the next packet confirms it.
            if u32::from(seq) == self.bad_seq {
                self.init_seq(seq);
                self.received += 1;
                return SeqVerdict::Restarted(self.extended(seq));
            }
            self.bad_seq = (u32::from(seq) + 1) & (RTP_SEQ_MOD - 1);
            return SeqVerdict::Invalid;
        } else {
            // Duplicate or reordered packet: counted, and played if the buffer still wants it.
            self.received += 1;
            let ext = self.extended_behind(seq);
            return ext.map_or(SeqVerdict::Invalid, SeqVerdict::Valid);
        }
        self.received += 1;
        SeqVerdict::Valid(self.extended(seq))
    }

    fn extended(&self, seq: u16) -> u32 {
        self.cycles.wrapping_add(u32::from(seq))
    }

    /// Extended number of a packet behind `max_seq` (reordered), which may sit in the previous
    /// cycle.
    fn extended_behind(&self, seq: u16) -> Option<u32> {
        if seq <= self.max_seq {
            Some(self.cycles.wrapping_add(u32::from(seq)))
        } else {
            self.cycles.checked_sub(RTP_SEQ_MOD).map(|c| c + u32::from(seq))
        }
    }

    /// Updates the interarrival jitter with one packet (A.8). `arrival` is the arrival time in
    /// RTP clock units, `rtp_ts` the packet's timestamp.
    pub fn update_jitter(&mut self, arrival: i64, rtp_ts: u32) {
        let transit = arrival - i64::from(rtp_ts);
        if let Some(prev) = self.transit {
            let d = (transit - prev).abs() as f64;
            self.jitter += (d - self.jitter) / 16.0;
        }
        self.transit = Some(transit);
    }

    /// Interarrival jitter in RTP clock units.
    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    /// Packets received (valid ones).
    pub fn received(&self) -> u32 {
        self.received
    }

    /// Duplicates seen.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Packets expected from the first to the highest sequence number.
    pub fn expected(&self) -> u32 {
        let ext_max = self.cycles.wrapping_add(u32::from(self.max_seq));
        ext_max.wrapping_sub(self.base_seq).wrapping_add(1)
    }

    /// Cumulative packets lost (may be negative with duplicates, clamped as RFC 3550 says).
    pub fn cumulative_lost(&self) -> i64 {
        i64::from(self.expected()) - i64::from(self.received)
    }

    /// Fraction lost since the last report (0..=1).
    pub fn fraction_lost_since_last(&self) -> f64 {
        let expected_interval = self.expected().wrapping_sub(self.expected_prior);
        let received_interval = self.received.wrapping_sub(self.received_prior);
        let lost = i64::from(expected_interval) - i64::from(received_interval);
        if expected_interval == 0 || lost <= 0 { 0.0 } else { lost as f64 / f64::from(expected_interval) }
    }

    /// Notes a sender report from this source: its NTP time and when (our NTP) it arrived.
    pub fn note_sender_report(&mut self, sr_ntp: u64, arrived_ntp: u64) {
        self.last_sr = Some((ntp_middle32(sr_ntp), arrived_ntp));
    }

    /// Builds the reception report block for this source and starts a new interval.
    pub fn report_block(&mut self, now_ntp: u64) -> ReceptionReport {
        let fraction = (self.fraction_lost_since_last() * 256.0).min(255.0) as u8;
        self.expected_prior = self.expected();
        self.received_prior = self.received;
        let lost = self.cumulative_lost().clamp(-0x80_0000, 0x7F_FFFF);
        let (lsr, dlsr) = match self.last_sr {
            Some((lsr, arrived)) => {
                // Delay in units of 1/65536 s.
                let delay = now_ntp.saturating_sub(arrived) >> 16;
                (lsr, delay.min(u64::from(u32::MAX)) as u32)
            }
            None => (0, 0),
        };
        ReceptionReport {
            ssrc: self.ssrc,
            fraction_lost: fraction,
            total_lost: (lost as u32) & 0x00FF_FFFF,
            last_sequence_number: self.cycles.wrapping_add(u32::from(self.max_seq)),
            jitter: self.jitter as u32,
            last_sender_report: lsr,
            delay: dlsr,
        }
    }
}

/// The middle 32 bits of a 64-bit NTP timestamp, as LSR and RTT use them.
pub fn ntp_middle32(ntp: u64) -> u32 {
    ((ntp >> 16) & 0xFFFF_FFFF) as u32
}

/// Round-trip time from a reception report about our stream (RFC 3550 §6.4.1), in seconds.
/// `None` when the peer has not seen a sender report from us yet.
pub fn round_trip_from_report(report: &ReceptionReport, now_ntp: u64) -> Option<f64> {
    if report.last_sender_report == 0 {
        return None;
    }
    let now = ntp_middle32(now_ntp);
    let rtt = now.wrapping_sub(report.last_sender_report).wrapping_sub(report.delay);
    // A wrapped (negative) result means clocks or reports are inconsistent.
    if rtt > 0x8000_0000 {
        return None;
    }
    Some(f64::from(rtt) / 65536.0)
}

/// The parts of an RTCP packet the session uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RtcpReport {
    /// A sender report: the sender's SSRC, its NTP time and its report blocks.
    Sender {
        /// Sender SSRC.
        ssrc: u32,
        /// NTP timestamp of the report.
        ntp: u64,
        /// Reception report blocks.
        reports: Vec<ReceptionReport>,
    },
    /// A receiver report.
    Receiver {
        /// Reporter SSRC.
        ssrc: u32,
        /// Reception report blocks.
        reports: Vec<ReceptionReport>,
    },
}

/// Reads the SR and RR packets of an RTCP compound packet (RFC 3550 §6.4); other packet types
/// (SDES, BYE, APP, feedback) are skipped. Any length that does not add up is an error.
pub fn parse_rtcp(data: &[u8]) -> Result<Vec<RtcpReport>, MediaError> {
    let be32 = |b: &[u8], at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let mut out = Vec::new();
    let mut rest = data;
    if rest.is_empty() {
        return Err(MediaError::Rtcp("empty packet".into()));
    }
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Err(MediaError::Rtcp(format!("{} trailing bytes are not an RTCP header", rest.len())));
        }
        if rest[0] >> 6 != 2 {
            return Err(MediaError::Rtcp(format!("RTCP version {} is not 2", rest[0] >> 6)));
        }
        let count = usize::from(rest[0] & 0x1F);
        let packet_type = rest[1];
        let len = 4 * (usize::from(u16::from_be_bytes([rest[2], rest[3]])) + 1);
        if len > rest.len() {
            return Err(MediaError::Rtcp(format!("packet of {len} bytes in {} remaining", rest.len())));
        }
        let packet = &rest[..len];
        let blocks_at = match packet_type {
            200 => 28,
            201 => 8,
            _ => 0,
        };
        if blocks_at > 0 {
            if len < blocks_at + 24 * count {
                return Err(MediaError::Rtcp(format!("{count} report blocks do not fit in {len} bytes")));
            }
            let reports = (0..count)
                .map(|i| {
                    let b = &packet[blocks_at + 24 * i..blocks_at + 24 * (i + 1)];
                    let lost = be32(b, 4);
                    ReceptionReport {
                        ssrc: be32(b, 0),
                        fraction_lost: (lost >> 24) as u8,
                        total_lost: lost & 0x00FF_FFFF,
                        last_sequence_number: be32(b, 8),
                        jitter: be32(b, 12),
                        last_sender_report: be32(b, 16),
                        delay: be32(b, 20),
                    }
                })
                .collect();
            let ssrc = be32(packet, 4);
            out.push(if packet_type == 200 {
                RtcpReport::Sender {
                    ssrc,
                    ntp: (u64::from(be32(packet, 8)) << 32) | u64::from(be32(packet, 12)),
                    reports,
                }
            } else {
                RtcpReport::Receiver { ssrc, reports }
            });
        }
        rest = &rest[len..];
    }
    Ok(out)
}

/// Estimates a MOS (1–4.5) with the ITU-T G.107 E-model from one-way delay and packet loss,
/// for G.711 with concealment (Ie = 0, Bpl = 25.1).
pub fn mos_estimate(one_way_delay_ms: f64, loss_fraction: f64) -> f64 {
    let d = one_way_delay_ms.max(0.0);
    let id = 0.024 * d + if d > 177.3 { 0.11 * (d - 177.3) } else { 0.0 };
    let ppl = (loss_fraction * 100.0).clamp(0.0, 100.0);
    let ie_eff = 95.0 * ppl / (ppl + 25.1);
    let r = (93.2 - id - ie_eff).clamp(0.0, 100.0);
    1.0 + 0.035 * r + 7.0e-6 * r * (r - 60.0) * (100.0 - r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(stats: &mut RtpReceiverStats, seqs: &[u16]) -> Vec<SeqVerdict> {
        seqs.iter().map(|&s| stats.update_seq(s)).collect()
    }

    /// A 12-byte header with the extension bit, then the extension `profile` and `words` of block.
    fn with_extension(profile: u16, block: &[u8]) -> Vec<u8> {
        let mut p = vec![0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7];
        p.extend_from_slice(&profile.to_be_bytes());
        p.extend_from_slice(&((block.len() / 4) as u16).to_be_bytes());
        p.extend_from_slice(block);
        p.extend_from_slice(&[0; 20]);
        p
    }

    #[test]
    fn header_extension_elements_that_overrun_their_block_are_refused() {
        let check = |p: u16, b: &[u8]| check_rtp_extension_elements(&with_extension(p, b));
        // One-byte: id 1, length 2 (three bytes of data) in a four-byte block: fits.
        assert!(check(0xBEDE, &[0x12, 1, 2, 3]).is_ok(), "fits");
        // One-byte: id 1 claiming 16 bytes in a four-byte block.
        assert!(check(0xBEDE, &[0x1F, 1, 2, 3]).is_err(), "overruns");
        // Two-byte: id 5, length 128 in an eight-byte block (the fuzzer's crash).
        assert!(check(0x1000, &[5, 128, 0, 0, 0, 0, 0, 0]).is_err(), "overruns");
        // Two-byte: an element header cut at the block's end.
        assert!(check(0x1000, &[0, 0, 0, 5]).is_err(), "no length byte");
        // Two-byte: padding and one element that fits.
        assert!(check(0x1000, &[0, 5, 2, 9, 9, 0, 0, 0]).is_ok(), "fits");
        // Other profiles are opaque.
        assert!(check(0x1234, &[0xFF; 4]).is_ok(), "opaque");
        // No extension at all.
        assert!(check_rtp_extension_elements(&[0x80, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 1, 2]).is_ok(), "none");
    }

    #[test]
    fn a_new_source_is_played_after_two_packets_in_sequence() {
        let mut stats = RtpReceiverStats::new(7, 100);
        let verdicts = feed(&mut stats, &[100, 101, 102]);
        assert_eq!(verdicts[0], SeqVerdict::Probation, "first packet probates");
        assert_eq!(verdicts[1], SeqVerdict::Valid(101), "second in-sequence packet validates");
        assert_eq!(verdicts[2], SeqVerdict::Valid(102), "then packets play");
    }

    #[test]
    fn sequence_wrap_extends_the_number_and_counts_no_loss() {
        let mut stats = RtpReceiverStats::new(7, 65534);
        let verdicts = feed(&mut stats, &[65534, 65535, 0, 1]);
        assert_eq!(verdicts[2], SeqVerdict::Valid(65536), "0 after 65535 is the next cycle");
        assert_eq!(verdicts[3], SeqVerdict::Valid(65537), "and 1 follows it");
        assert_eq!(stats.cumulative_lost(), 0, "a wrap is not a loss");
    }

    #[test]
    fn gaps_are_counted_as_loss_and_duplicates_are_dropped() {
        let mut stats = RtpReceiverStats::new(7, 10);
        feed(&mut stats, &[10, 11, 12, 15, 16]);
        assert_eq!(stats.cumulative_lost(), 2, "13 and 14 are lost");
        assert_eq!(stats.update_seq(16), SeqVerdict::Invalid, "a duplicate is dropped");
        assert_eq!(stats.duplicates(), 1, "and counted");
        let block = stats.report_block(0);
        assert_eq!(block.total_lost, 2, "the report carries the loss");
        assert!(block.fraction_lost > 0, "and a non-zero fraction");
    }

    #[test]
    fn a_reordered_packet_is_still_playable() {
        let mut stats = RtpReceiverStats::new(7, 10);
        feed(&mut stats, &[10, 11, 13]);
        assert_eq!(stats.update_seq(12), SeqVerdict::Valid(12), "12 arriving after 13 still plays");
        assert_eq!(stats.cumulative_lost(), 0, "nothing is lost in the end");
    }

    #[test]
    fn a_restarted_source_is_accepted_once_confirmed() {
        let mut stats = RtpReceiverStats::new(7, 10);
        feed(&mut stats, &[10, 11, 12]);
        assert_eq!(stats.update_seq(40000), SeqVerdict::Invalid, "a huge jump is first refused");
        assert_eq!(stats.update_seq(40001), SeqVerdict::Restarted(40001), "and accepted when confirmed");
    }

    #[test]
    fn jitter_follows_rfc3550_for_steady_and_jittery_arrivals() {
        let mut steady = RtpReceiverStats::new(1, 0);
        for i in 0..100i64 {
            steady.update_jitter(i * 160 + 5000, (i * 160) as u32);
        }
        assert!(steady.jitter() < 0.001, "evenly spaced packets have no jitter, got {}", steady.jitter());
        let mut jittery = RtpReceiverStats::new(1, 0);
        for i in 0..2000i64 {
            let wobble = if i % 2 == 0 { 0 } else { 80 };
            jittery.update_jitter(i * 160 + wobble, (i * 160) as u32);
        }
        assert!(
            (jittery.jitter() - 80.0).abs() < 1.0,
            "alternating 10 ms offsets give 80 units, got {}",
            jittery.jitter()
        );
    }

    #[test]
    fn round_trip_time_comes_from_lsr_and_dlsr() {
        let sr_ntp: u64 = 1000 << 32;
        let report = ReceptionReport {
            last_sender_report: ntp_middle32(sr_ntp),
            delay: 65536 / 10, // 100 ms held at the peer
            ..Default::default()
        };
        let now = sr_ntp + (3u64 << 32) / 10; // 300 ms later
        let rtt = round_trip_from_report(&report, now).expect("an RTT");
        assert!((rtt - 0.2).abs() < 0.001, "300 ms minus 100 ms held is 200 ms, got {rtt}");
    }

    #[test]
    fn mos_falls_with_loss_and_delay() {
        let clean = mos_estimate(20.0, 0.0);
        assert!(clean > 4.3, "clean G.711 scores above 4.3, got {clean}");
        assert!(mos_estimate(20.0, 0.05) < clean - 0.4, "5 % loss costs at least 0.4 points");
        assert!(mos_estimate(400.0, 0.0) < 3.8, "400 ms one-way is poor");
    }

    #[test]
    fn reports_built_by_the_rtcp_crate_are_read_back() {
        let block = ReceptionReport {
            ssrc: 9,
            fraction_lost: 3,
            total_lost: 77,
            last_sequence_number: 1000,
            jitter: 12,
            last_sender_report: 5,
            delay: 6,
        };
        let sr = rtcp::sender_report::SenderReport {
            ssrc: 1,
            ntp_time: 0x0102_0304_0506_0708,
            rtp_time: 5,
            packet_count: 6,
            octet_count: 7,
            reports: vec![block.clone()],
            profile_extensions: Bytes::new(),
        };
        let rr = rtcp::receiver_report::ReceiverReport {
            ssrc: 2,
            reports: vec![block.clone(), block.clone()],
            profile_extensions: Bytes::new(),
        };
        let bye = rtcp::goodbye::Goodbye { sources: vec![1], reason: Bytes::from_static(b"bye") };
        let raw = rtcp::packet::marshal(&[Box::new(sr), Box::new(rr), Box::new(bye)]).expect("marshals");
        let parsed = parse_rtcp(&raw).expect("parses");
        assert_eq!(
            parsed,
            vec![
                RtcpReport::Sender { ssrc: 1, ntp: 0x0102_0304_0506_0708, reports: vec![block.clone()] },
                RtcpReport::Receiver { ssrc: 2, reports: vec![block.clone(), block] },
            ],
            "SR and RR read back, BYE skipped"
        );
        for cut in [3, 10, 30, raw.len() - 1] {
            assert!(parse_rtcp(&raw[..cut]).is_err(), "truncated at {cut} is an error");
        }
    }

    #[test]
    fn packets_we_build_parse_back_with_extension_and_padding_stripped() {
        let mut tx = RtpSender::new(0xABCD, 65535);
        let raw = tx.packetize(8, 1234, true, &[1, 2, 3]).expect("builds");
        let p = parse_rtp(&raw).expect("parses");
        assert_eq!(
            (p.marker, p.payload_type, p.sequence_number, p.timestamp, p.ssrc, p.payload),
            (true, 8, 65535, 1234, 0xABCD, &[1u8, 2, 3][..]),
            "fields"
        );
        // One CSRC, a one-word extension and two bytes of padding around a 2-byte payload.
        let pkt = [0xB1, 0, 0, 7, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0, 5, 6, 0, 2];
        assert_eq!(parse_rtp(&pkt).expect("parses").payload, &[5, 6], "only the payload remains");
    }

    #[test]
    fn malformed_rtp_is_an_error_not_a_panic() {
        assert!(parse_rtp(&[]).is_err(), "empty");
        assert!(parse_rtp(&[0x80; 5]).is_err(), "short");
        assert!(parse_rtp(&[0x40; 20]).is_err(), "version 1");
        // Claims 15 CSRCs but carries none.
        let mut pkt = vec![0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
        pkt.extend([0; 4]);
        assert!(parse_rtp(&pkt).is_err(), "CSRC count beyond the packet");
        let mut ext = vec![0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0x00, 0x09];
        ext.extend([0; 8]);
        assert!(parse_rtp(&ext).is_err(), "extension longer than the packet");
        let mut pad = vec![0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3];
        pad.push(200);
        assert!(parse_rtp(&pad).is_err(), "padding longer than the payload");
        // Found by the rtp_rtcp fuzz target: a two-byte-header extension that made `rtp` 0.17 panic.
        let crash = [
            0x90, 0, 0x32, 0x10, 0x80, 0, 0, 0x32, 0, 0x80, 0, 0, 0x10, 0, 0, 1, 0x10, 0x41, 0, 0, 1, 0, 0x10, 0, 0, 0,
            0, 0, 0, 0, 0,
        ];
        assert!(parse_rtp(&crash).is_ok(), "read without panicking");
    }
}
