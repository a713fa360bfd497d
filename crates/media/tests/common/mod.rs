//! Two media sessions negotiated by real offer/answer, wired through a seeded network emulator
//! (loss, jitter, reordering, duplication) and driven in virtual time: 10 ms device ticks, one
//! packet per ptime. A minute of call runs in well under a second.
#![allow(dead_code)]

use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ringdesk_media::codec::CodecKind;
use ringdesk_media::sdp::{self, Direction, LocalAudio};
use ringdesk_media::session::{MediaEvent, MediaSession, Output, SessionConfig};
use ringdesk_media::srtp::SrtpPolicy;

/// xorshift64*: deterministic randomness for keys and impairments.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// What the network does to each datagram.
#[derive(Debug, Clone, Copy, Default)]
pub struct Impairment {
    /// Probability a datagram is lost.
    pub loss: f64,
    /// Extra delay, uniform in 0..=jitter_ms.
    pub jitter_ms: f64,
    /// Probability a datagram is delivered twice.
    pub duplicate: f64,
}

#[derive(Debug, PartialEq, Eq)]
struct InFlight {
    at_us: u64,
    seq: u64,
    to_bob: bool,
    from: SocketAddr,
    data: Vec<u8>,
}

impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.at_us.cmp(&self.at_us).then(other.seq.cmp(&self.seq))
    }
}
impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Rewrites one datagram on its way to Bob into zero or more datagrams.
pub type Tamper = Box<dyn FnMut(&mut Rng, Vec<u8>) -> Vec<Vec<u8>>>;

pub const ALICE: &str = "10.0.0.1:40000";
pub const BOB: &str = "10.0.0.2:50000";

/// A call between two sessions.
pub struct Call {
    pub start: Instant,
    pub now_us: u64,
    pub alice: MediaSession,
    pub bob: MediaSession,
    pub rng: Rng,
    pub to_bob: Impairment,
    pub to_alice: Impairment,
    /// Where Alice's packets appear to come from at Bob (a NAT can change it).
    pub alice_source: SocketAddr,
    net: BinaryHeap<InFlight>,
    seq: u64,
    pub alice_events: Vec<MediaEvent>,
    pub bob_events: Vec<MediaEvent>,
    /// RTP sequence numbers Alice sent that the network dropped (for zero-fill baselines).
    pub dropped_to_bob: Vec<u64>,
    pub sent_to_bob: u64,
    /// A hook to tamper with datagrams to Bob: returns the datagram to deliver, if any.
    pub tamper_to_bob: Option<Tamper>,
}

pub fn local(addr: &str, srtp: SrtpPolicy, origin: u64) -> LocalAudio {
    let a: SocketAddr = addr.parse().expect("socket address");
    LocalAudio {
        addr: a.ip(),
        rtp_port: a.port(),
        codecs: vec![CodecKind::Pcmu, CodecKind::Pcma],
        telephone_event: true,
        ptime_ms: 20,
        srtp,
        origin: (origin, 1),
    }
}

impl Call {
    /// Negotiates Alice → Bob with the given SRTP policies and starts both sessions.
    pub fn new(seed: u64, alice_srtp: SrtpPolicy, bob_srtp: SrtpPolicy) -> Result<Self, String> {
        let mut rng = Rng(seed);
        let start = Instant::now();
        let mut keys = |n: usize| rng.bytes(n);
        let offer = sdp::create_offer(&local(ALICE, alice_srtp, 1), Direction::SendRecv, &mut keys)
            .map_err(|e| e.to_string())?;
        let parsed_offer = sdp::parse_audio(&offer.sdp).map_err(|e| e.to_string())?;
        let (answer_sdp, bob_neg) =
            sdp::answer_offer(&local(BOB, bob_srtp, 2), &parsed_offer, Direction::SendRecv, &mut keys)
                .map_err(|e| e.to_string())?;
        let parsed_answer = sdp::parse_audio(&answer_sdp).map_err(|e| e.to_string())?;
        let alice_neg = sdp::accept_answer(&offer, &parsed_answer).map_err(|e| e.to_string())?;
        let config = |neg, ssrc, cname: &str| SessionConfig {
            negotiated: neg,
            ssrc,
            first_seq: (ssrc as u16).wrapping_mul(7),
            first_timestamp: ssrc.wrapping_mul(13),
            ntp_at_start: 3_900_000_000u64 << 32,
            cname: cname.into(),
            rtp_timeout: Duration::from_secs(10),
            rtcp_interval: Duration::from_secs(5),
        };
        let alice = MediaSession::new(config(alice_neg, 0xA11CE, "alice"), start).map_err(|e| e.to_string())?;
        let bob = MediaSession::new(config(bob_neg, 0xB0B, "bob"), start).map_err(|e| e.to_string())?;
        Ok(Self {
            start,
            now_us: 0,
            alice,
            bob,
            rng,
            to_bob: Impairment::default(),
            to_alice: Impairment::default(),
            alice_source: ALICE.parse().expect("addr"),
            net: BinaryHeap::new(),
            seq: 0,
            alice_events: Vec::new(),
            bob_events: Vec::new(),
            dropped_to_bob: Vec::new(),
            sent_to_bob: 0,
            tamper_to_bob: None,
        })
    }

    pub fn now(&self) -> Instant {
        self.start + Duration::from_micros(self.now_us)
    }

    fn drain(&mut self, alice_side: bool) {
        loop {
            let out = if alice_side { self.alice.poll_output() } else { self.bob.poll_output() };
            let Some(out) = out else { break };
            match out {
                Output::Event(e) => {
                    if alice_side {
                        self.alice_events.push(e)
                    } else {
                        self.bob_events.push(e)
                    }
                }
                Output::Transmit { data, rtcp, .. } => {
                    let imp = if alice_side { self.to_bob } else { self.to_alice };
                    let audio = !rtcp;
                    if alice_side && audio {
                        self.sent_to_bob += 1;
                    }
                    if self.rng.unit() < imp.loss {
                        if alice_side && audio {
                            self.dropped_to_bob.push(self.sent_to_bob - 1);
                        }
                        continue;
                    }
                    let mut copies = vec![data];
                    if alice_side && let Some(t) = self.tamper_to_bob.as_mut() {
                        let d = copies.pop().unwrap_or_default();
                        copies = t(&mut self.rng, d);
                    }
                    if self.rng.unit() < imp.duplicate
                        && let Some(first) = copies.first().cloned()
                    {
                        copies.push(first);
                    }
                    let from = if alice_side { self.alice_source } else { BOB.parse().expect("addr") };
                    for data in copies {
                        let delay = (self.rng.unit() * imp.jitter_ms * 1000.0) as u64 + 200;
                        self.seq += 1;
                        self.net.push(InFlight {
                            at_us: self.now_us + delay,
                            seq: self.seq,
                            to_bob: alice_side,
                            from,
                            data,
                        });
                    }
                }
            }
        }
    }

    /// Runs `ms` milliseconds. Each side sends a packet every 20 ms from its `source` and pulls
    /// 10 ms into its `sink` (8 kHz samples), sample clocks shared with the virtual time.
    pub fn run(
        &mut self,
        ms: u64,
        alice_src: &mut dyn FnMut(usize) -> i16,
        bob_src: &mut dyn FnMut(usize) -> i16,
        alice_sink: &mut Vec<i16>,
        bob_sink: &mut Vec<i16>,
    ) {
        let end = self.now_us + ms * 1000;
        while self.now_us < end {
            let now = self.now();
            let tick = self.now_us / 10_000;
            // Deliver what is due.
            while self.net.peek().is_some_and(|p| p.at_us <= self.now_us) {
                let Some(p) = self.net.pop() else { break };
                if p.to_bob {
                    self.bob.handle_receive(now, p.from, &p.data);
                } else {
                    self.alice.handle_receive(now, p.from, &p.data);
                }
            }
            if tick.is_multiple_of(2) {
                let base = (tick / 2) as usize * 160;
                let a: Vec<i16> = (base..base + 160).map(&mut *alice_src).collect();
                let b: Vec<i16> = (base..base + 160).map(&mut *bob_src).collect();
                self.alice.send_audio(now, &a);
                self.bob.send_audio(now, &b);
            }
            let mut frame = [0i16; 80];
            self.alice.pull_audio(now, &mut frame);
            alice_sink.extend_from_slice(&frame);
            self.bob.pull_audio(now, &mut frame);
            bob_sink.extend_from_slice(&frame);
            self.alice.handle_timeout(now);
            self.bob.handle_timeout(now);
            self.drain(true);
            self.drain(false);
            self.now_us += 10_000;
        }
    }
}

/// G.711 μ-law coding of a signal (what a perfect receiver would hear).
pub fn coded(sample: i16) -> i16 {
    use ringdesk_media::codec::g711;
    g711::ulaw_to_linear(g711::linear_to_ulaw(sample))
}

/// The lag (in samples, 0..max_lag) at which `received` best matches `reference`.
pub fn best_lag(reference: &[i16], received: &[i16], max_lag: usize) -> usize {
    let n = reference.len().min(received.len().saturating_sub(max_lag)).min(16_000);
    let mut best = (0, f64::MIN);
    for lag in 0..max_lag {
        let mut acc = 0.0;
        for i in 0..n {
            acc += f64::from(reference[i]) * f64::from(received[i + lag]);
        }
        if acc > best.1 {
            best = (lag, acc);
        }
    }
    best.0
}

/// Signal-to-noise ratio (dB) of `received` against `reference`.
pub fn snr_db(reference: &[i16], received: &[i16]) -> f64 {
    let (mut s, mut n) = (0.0, 0.0);
    for (a, b) in reference.iter().zip(received) {
        s += f64::from(*a).powi(2);
        n += (f64::from(*a) - f64::from(*b)).powi(2);
    }
    10.0 * (s / n.max(1.0)).log10()
}
