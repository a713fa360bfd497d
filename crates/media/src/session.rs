//! One call's audio media, sans-IO: feed it captured frames, received datagrams and timeouts;
//! drain what it wants sent and what happened with [`MediaSession::poll_output`]; pull decoded
//! audio for the speaker with [`MediaSession::pull_audio`].
//!
//! It owns the encoder, the RTP sender, SRTP, the receive path (latching, sequence validation,
//! jitter buffer, DTMF), RTCP reports and the RTP timeout. Malformed or unauthenticated packets
//! are counted and dropped; nothing from the network can make it panic or stall.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcp::receiver_report::ReceiverReport;
use rtcp::sender_report::SenderReport;
use rtcp::source_description::{SdesType, SourceDescription, SourceDescriptionChunk, SourceDescriptionItem};

use crate::MediaError;
use crate::codec::Encoder;
use crate::dtmf::{DtmfDigit, DtmfReceiver, DtmfSender};
use crate::jitter::{JitterBuffer, JitterConfig, JitterStats};
use crate::rtp::{self, RtpReceiverStats, RtpSender, SeqVerdict};
use crate::sdp::{Direction, Negotiated};
use crate::srtp::SrtpSession;

/// How a session starts: what was negotiated plus the caller's random values and clocks.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The agreed media parameters.
    pub negotiated: Negotiated,
    /// Our SSRC (random).
    pub ssrc: u32,
    /// Our first sequence number (random).
    pub first_seq: u16,
    /// Our first RTP timestamp (random).
    pub first_timestamp: u32,
    /// The NTP wall-clock time at the session's start instant (for sender reports).
    pub ntp_at_start: u64,
    /// The CNAME sent in RTCP.
    pub cname: String,
    /// Silence from the peer for this long ends the call with a timeout event.
    pub rtp_timeout: Duration,
    /// Interval between RTCP reports.
    pub rtcp_interval: Duration,
}

/// Something the driver must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send `data` to `to`, from the RTP socket (`rtcp` false) or the RTCP one.
    Transmit {
        /// Destination.
        to: SocketAddr,
        /// The datagram.
        data: Vec<u8>,
        /// Whether it is RTCP (goes out on the RTCP socket unless rtcp-mux).
        rtcp: bool,
    },
    /// Something happened.
    Event(MediaEvent),
}

/// Things that happen to the media of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// The peer pressed a key.
    Dtmf(char),
    /// RTP from the peer comes from another address than its SDP said; we now send there.
    Latched(SocketAddr),
    /// Nothing from the peer for the configured time.
    RtpTimeout,
    /// The peer's stream restarted (new SSRC or sequence); the jitter buffer was reset.
    StreamRestarted,
}

/// Counters for the quality display and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MediaStats {
    /// The codec in use (`None` only in a default value).
    pub codec: Option<crate::codec::CodecKind>,
    /// RTP packets sent.
    pub packets_sent: u64,
    /// RTP packets received and accepted.
    pub packets_received: u64,
    /// Datagrams dropped as malformed, unauthenticated, or from an unexpected payload type.
    pub dropped: u64,
    /// Cumulative packets lost by the peer's stream.
    pub lost: i64,
    /// Fraction of the peer's packets lost (0..1) over the call.
    pub loss_fraction: f64,
    /// Interarrival jitter of the peer's stream, ms.
    pub jitter_ms: f64,
    /// Round-trip time from RTCP, ms.
    pub rtt_ms: Option<f64>,
    /// E-model MOS estimate.
    pub mos: f64,
    /// The jitter buffer's counters.
    pub buffer: JitterStats,
}

/// One call's media.
pub struct MediaSession {
    cfg: SessionConfig,
    start: Instant,
    /// RTP clock rate: what timestamps count in.
    rate: u32,
    /// PCM rate the codec encodes from and decodes to.
    sample_rate: u32,
    encoder: Box<dyn Encoder>,
    sender: RtpSender,
    next_timestamp: u32,
    talkspurt: bool,
    srtp: Option<SrtpSession>,
    remote_rtp: SocketAddr,
    remote_rtcp: SocketAddr,
    latched: bool,
    receiver: Option<RtpReceiverStats>,
    jitter: JitterBuffer,
    dtmf_tx: DtmfSender,
    dtmf_rx: DtmfReceiver,
    last_received: Instant,
    timed_out: bool,
    next_rtcp: Instant,
    rtt: Option<f64>,
    dropped: u64,
    packets_sent: u64,
    packets_received: u64,
    outputs: VecDeque<Output>,
    scratch: Vec<u8>,
}

impl std::fmt::Debug for MediaSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaSession")
            .field("codec", &self.cfg.negotiated.codec)
            .field("remote", &self.remote_rtp)
            .finish()
    }
}

impl MediaSession {
    /// Starts the media of a call at `now`.
    pub fn new(cfg: SessionConfig, now: Instant) -> Result<Self, MediaError> {
        let codec = cfg.negotiated.codec;
        let rate = codec.clock_rate();
        let srtp = cfg.negotiated.srtp.as_ref().map(SrtpSession::new).transpose()?;
        Ok(Self {
            start: now,
            rate,
            sample_rate: codec.sample_rate(),
            encoder: codec.encoder()?,
            sender: RtpSender::new(cfg.ssrc, cfg.first_seq),
            next_timestamp: cfg.first_timestamp,
            talkspurt: true,
            srtp,
            remote_rtp: cfg.negotiated.remote_rtp,
            remote_rtcp: cfg.negotiated.remote_rtcp,
            latched: false,
            receiver: None,
            jitter: JitterBuffer::new(JitterConfig::for_codec(codec), codec.decoder()?),
            dtmf_tx: DtmfSender::new(),
            dtmf_rx: DtmfReceiver::new(),
            last_received: now,
            timed_out: false,
            next_rtcp: now + cfg.rtcp_interval,
            rtt: None,
            dropped: 0,
            packets_sent: 0,
            packets_received: 0,
            outputs: VecDeque::new(),
            scratch: Vec::with_capacity(512),
            cfg,
        })
    }

    /// PCM samples per packet at the codec's sample rate.
    pub fn samples_per_packet(&self) -> usize {
        (self.sample_rate * self.cfg.negotiated.ptime_ms / 1000) as usize
    }

    /// The RTP clock rate.
    pub fn clock_rate(&self) -> u32 {
        self.rate
    }

    /// The rate of the PCM [`Self::send_audio`] takes and [`Self::pull_audio`] gives.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// RTP timestamp units for `samples` PCM samples.
    fn ticks(&self, samples: usize) -> u32 {
        (samples as u64 * u64::from(self.rate) / u64::from(self.sample_rate)) as u32
    }

    /// The negotiated parameters in force.
    pub fn negotiated(&self) -> &Negotiated {
        &self.cfg.negotiated
    }

    fn ms_since_start(&self, now: Instant) -> f64 {
        now.saturating_duration_since(self.start).as_secs_f64() * 1000.0
    }

    fn ntp(&self, now: Instant) -> u64 {
        let d = now.saturating_duration_since(self.start);
        let frac = ((u64::from(d.subsec_nanos())) << 32) / 1_000_000_000;
        self.cfg.ntp_at_start.wrapping_add((d.as_secs() << 32) | frac)
    }

    /// Applies a re-negotiation (re-INVITE: hold, resume, new address or codec).
    pub fn update(&mut self, now: Instant, negotiated: Negotiated) -> Result<(), MediaError> {
        if negotiated.codec != self.cfg.negotiated.codec {
            let codec = negotiated.codec;
            self.encoder = codec.encoder()?;
            self.rate = codec.clock_rate();
            self.sample_rate = codec.sample_rate();
            self.jitter = JitterBuffer::new(JitterConfig::for_codec(codec), codec.decoder()?);
        }
        if negotiated.srtp != self.cfg.negotiated.srtp {
            self.srtp = negotiated.srtp.as_ref().map(SrtpSession::new).transpose()?;
        }
        if negotiated.remote_rtp != self.cfg.negotiated.remote_rtp {
            self.remote_rtp = negotiated.remote_rtp;
            self.remote_rtcp = negotiated.remote_rtcp;
            self.latched = false;
        }
        if negotiated.direction.receives() && !self.cfg.negotiated.direction.receives() {
            // Resumed: the peer's silence while held does not count toward the timeout, and
            // its stream restarts from a new timestamp.
            self.timed_out = false;
            self.last_received = now;
            self.jitter.reset();
        }
        self.cfg.negotiated = negotiated;
        Ok(())
    }

    /// Our current direction.
    pub fn direction(&self) -> Direction {
        self.cfg.negotiated.direction
    }

    /// Queues one key press (sent in place of audio over the next packets).
    pub fn send_dtmf(&mut self, key: char) -> Result<(), MediaError> {
        let digit = DtmfDigit::from_char(key).ok_or_else(|| MediaError::Dtmf(format!("{key:?} is not a DTMF key")))?;
        if self.cfg.negotiated.telephone_event_pt.is_none() {
            return Err(MediaError::Dtmf("the peer did not agree to telephone-event".into()));
        }
        let step = self.ticks(self.samples_per_packet());
        // 100 ms tone, as most gateways expect at least 40 ms.
        self.dtmf_tx.start(digit, self.next_timestamp, self.rate / 10, step)
    }

    /// Encodes and sends one packet's worth of captured audio (`samples_per_packet` samples at
    /// the codec's sample rate). While holding with recvonly/inactive, nothing goes out but the
    /// timestamp keeps running.
    pub fn send_audio(&mut self, _now: Instant, pcm: &[i16]) {
        let ts = self.next_timestamp;
        self.next_timestamp = self.next_timestamp.wrapping_add(self.ticks(pcm.len()));
        if !self.cfg.negotiated.direction.sends() {
            self.talkspurt = true;
            return;
        }
        let (pt, marker, timestamp, payload) =
            match (self.dtmf_tx.next_packet(), self.cfg.negotiated.telephone_event_pt) {
                (Some(event), Some(te_pt)) => (te_pt, event.marker, event.timestamp, event.payload.to_bytes().to_vec()),
                _ => {
                    self.scratch.clear();
                    self.encoder.encode(pcm, &mut self.scratch);
                    if self.scratch.is_empty() {
                        return;
                    }
                    let marker = std::mem::replace(&mut self.talkspurt, false);
                    (self.cfg.negotiated.payload_type, marker, ts, std::mem::take(&mut self.scratch))
                }
            };
        let packet = match self.sender.packetize(pt, timestamp, marker, &payload) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "could not build an RTP packet");
                return;
            }
        };
        self.scratch = payload;
        self.transmit(packet, false);
        self.packets_sent += 1;
    }

    fn transmit(&mut self, plain: Bytes, rtcp: bool) {
        let data = match (&mut self.srtp, rtcp) {
            (None, _) => plain.to_vec(),
            (Some(s), false) => match s.protect_rtp(&plain) {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(error = %e, "SRTP protect failed");
                    return;
                }
            },
            (Some(s), true) => match s.protect_rtcp(&plain) {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(error = %e, "SRTCP protect failed");
                    return;
                }
            },
        };
        let to = if rtcp && !self.cfg.negotiated.rtcp_mux { self.remote_rtcp } else { self.remote_rtp };
        self.outputs.push_back(Output::Transmit { to, data, rtcp });
    }

    /// Handles one datagram received on the RTP (or muxed) port or the RTCP port.
    pub fn handle_receive(&mut self, now: Instant, from: SocketAddr, data: &[u8]) {
        if rtp::is_rtcp(data) {
            self.receive_rtcp(now, data);
        } else if let Err(e) = self.receive_rtp(now, from, data) {
            self.dropped += 1;
            tracing::debug!(error = %e, "dropped a media packet");
        }
    }

    fn receive_rtp(&mut self, now: Instant, from: SocketAddr, data: &[u8]) -> Result<(), MediaError> {
        let plain;
        let data = match &mut self.srtp {
            Some(s) => {
                plain = s.unprotect_rtp(data)?;
                &plain[..]
            }
            None => data,
        };
        let packet = rtp::parse_rtp(data)?;
        let h = &packet;
        let te = self.cfg.negotiated.telephone_event_pt;
        if h.payload_type != self.cfg.negotiated.payload_type && Some(h.payload_type) != te {
            // Comfort noise (13) and anything unnegotiated are not played.
            return Err(MediaError::Rtp(format!("payload type {} was not negotiated", h.payload_type)));
        }
        // A new SSRC restarts the stream.
        if self.receiver.as_ref().is_some_and(|r| r.ssrc() != h.ssrc) {
            self.receiver = None;
            self.jitter.reset();
            self.outputs.push_back(Output::Event(MediaEvent::StreamRestarted));
        }
        let arrival_ms = self.ms_since_start(now);
        let rate = self.rate;
        let receiver = self.receiver.get_or_insert_with(|| RtpReceiverStats::new(h.ssrc, h.sequence_number));
        receiver.update_jitter((arrival_ms * f64::from(rate) / 1000.0) as i64, h.timestamp);
        match receiver.update_seq(h.sequence_number) {
            SeqVerdict::Invalid => return Err(MediaError::Rtp("duplicate or out-of-window sequence number".into())),
            SeqVerdict::Probation => {}
            SeqVerdict::Restarted(_) => {
                self.jitter.reset();
                self.outputs.push_back(Output::Event(MediaEvent::StreamRestarted));
            }
            SeqVerdict::Valid(_) => {}
        }
        self.last_received = now;
        self.timed_out = false;
        self.packets_received += 1;
        // Symmetric RTP: send where the peer's packets come from.
        if from != self.remote_rtp && !self.latched {
            self.latched = true;
            if !self.cfg.negotiated.rtcp_mux {
                self.remote_rtcp = SocketAddr::new(from.ip(), from.port().wrapping_add(1));
            }
            self.remote_rtp = from;
            self.outputs.push_back(Output::Event(MediaEvent::Latched(from)));
        } else {
            self.latched = true;
        }
        if Some(h.payload_type) == te {
            if let Some(digit) = self.dtmf_rx.receive(h.timestamp, packet.payload)? {
                self.outputs.push_back(Output::Event(MediaEvent::Dtmf(digit.as_char())));
            }
            return Ok(());
        }
        if self.cfg.negotiated.direction.receives() {
            self.jitter.insert(arrival_ms, h.timestamp, packet.payload);
        }
        Ok(())
    }

    fn receive_rtcp(&mut self, now: Instant, data: &[u8]) {
        let plain;
        let data = match &mut self.srtp {
            Some(s) => match s.unprotect_rtcp(data) {
                Ok(p) => {
                    plain = p;
                    &plain[..]
                }
                Err(_) => {
                    self.dropped += 1;
                    return;
                }
            },
            None => data,
        };
        let Ok(packets) = rtp::parse_rtcp(data) else {
            self.dropped += 1;
            return;
        };
        let now_ntp = self.ntp(now);
        for p in packets {
            let reports = match p {
                rtp::RtcpReport::Sender { ssrc, ntp, reports } => {
                    if let Some(r) = self.receiver.as_mut().filter(|r| r.ssrc() == ssrc) {
                        r.note_sender_report(ntp, now_ntp);
                    }
                    reports
                }
                rtp::RtcpReport::Receiver { reports, .. } => reports,
            };
            for report in reports.iter().filter(|r| r.ssrc == self.cfg.ssrc) {
                if let Some(rtt) = rtp::round_trip_from_report(report, now_ntp) {
                    self.rtt = Some(rtt * 1000.0);
                }
                // The far end's loss tunes the encoder's redundancy (Opus FEC).
                self.encoder.set_expected_loss(((u32::from(report.fraction_lost) * 100) / 256) as u8);
            }
        }
        self.last_received = now;
    }

    /// Fills `out` with audio for the speaker (normally 10 ms at the codec's sample rate).
    pub fn pull_audio(&mut self, now: Instant, out: &mut [i16]) {
        let now_ms = self.ms_since_start(now);
        self.jitter.pull(now_ms, out);
    }

    /// Runs timers: RTCP reports and the RTP timeout. Returns when to call again.
    pub fn handle_timeout(&mut self, now: Instant) -> Instant {
        if now >= self.next_rtcp {
            self.send_report(now);
            self.next_rtcp = now + self.cfg.rtcp_interval;
        }
        let expecting = self.cfg.negotiated.direction.receives();
        if expecting && !self.timed_out && now.saturating_duration_since(self.last_received) >= self.cfg.rtp_timeout {
            self.timed_out = true;
            self.outputs.push_back(Output::Event(MediaEvent::RtpTimeout));
        }
        let timeout_at = self.last_received + self.cfg.rtp_timeout;
        if expecting && !self.timed_out { self.next_rtcp.min(timeout_at) } else { self.next_rtcp }
    }

    fn send_report(&mut self, now: Instant) {
        let now_ntp = self.ntp(now);
        let reports: Vec<_> = self.receiver.as_mut().map(|r| r.report_block(now_ntp)).into_iter().collect();
        let first: Box<dyn rtcp::packet::Packet + Send + Sync> = if self.packets_sent > 0 {
            let elapsed = now.saturating_duration_since(self.start);
            let rtp_time = self.cfg.first_timestamp.wrapping_add((elapsed.as_secs_f64() * f64::from(self.rate)) as u32);
            Box::new(SenderReport {
                ssrc: self.cfg.ssrc,
                ntp_time: now_ntp,
                rtp_time,
                packet_count: self.sender.packets_sent(),
                octet_count: self.sender.octets_sent(),
                reports,
                profile_extensions: Bytes::new(),
            })
        } else {
            Box::new(ReceiverReport { ssrc: self.cfg.ssrc, reports, profile_extensions: Bytes::new() })
        };
        let sdes = SourceDescription {
            chunks: vec![SourceDescriptionChunk {
                source: self.cfg.ssrc,
                items: vec![SourceDescriptionItem {
                    sdes_type: SdesType::SdesCname,
                    text: Bytes::copy_from_slice(self.cfg.cname.as_bytes()),
                }],
            }],
        };
        match rtcp::packet::marshal(&[first, Box::new(sdes)]) {
            Ok(raw) => self.transmit(raw, true),
            Err(e) => tracing::warn!(error = %e, "could not build an RTCP report"),
        }
    }

    /// The next thing to do, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// Quality counters so far.
    pub fn stats(&self) -> MediaStats {
        let (lost, loss_fraction, jitter_ms) = match &self.receiver {
            Some(r) => {
                let expected = f64::from(r.expected().max(1));
                (
                    r.cumulative_lost(),
                    (r.cumulative_lost().max(0) as f64 / expected).min(1.0),
                    r.jitter() * 1000.0 / f64::from(self.rate),
                )
            }
            None => (0, 0.0, 0.0),
        };
        let buffer = self.jitter.stats();
        let one_way = self.rtt.unwrap_or(0.0) / 2.0 + buffer.level_ms + f64::from(self.cfg.negotiated.ptime_ms);
        MediaStats {
            codec: Some(self.cfg.negotiated.codec),
            packets_sent: self.packets_sent,
            packets_received: self.packets_received,
            dropped: self.dropped,
            lost,
            loss_fraction,
            jitter_ms,
            rtt_ms: self.rtt,
            mos: rtp::mos_estimate(one_way, loss_fraction),
            buffer,
        }
    }
}
