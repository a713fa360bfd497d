//! Media engine numbers in a release build (BENCHMARKS.md): the jitter buffer's delay on a clean
//! path and under 30 ms of jitter, and the CPU the sans-IO engine spends per call, measured in
//! virtual time so the machine's load does not move the delay figures.
//!
//! `cargo bench -p ringdesk-media --bench media`

use std::time::{Duration, Instant};

use ringdesk_media::codec::CodecKind;
use ringdesk_media::jitter::{JitterBuffer, JitterConfig};
use ringdesk_media::sdp::{Direction, Negotiated};
use ringdesk_media::session::{MediaSession, Output, SessionConfig};
use ringdesk_media::srtp::{CryptoSuite, KeySalt, SrtpKeys};
use ringdesk_media::wav::speechlike;

struct Xorshift(u64);
impl Xorshift {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Runs `seconds` of speech through a jitter buffer with uniform extra delay 0..=jitter_ms;
/// returns (mean level after 3 s, p95 level after 3 s, underruns+late after 3 s, stretched %).
fn jitter_run(jitter_ms: f64, seconds: usize) -> (f64, f64, u64, f64) {
    let mut enc = CodecKind::Pcmu.encoder().expect("encoder");
    let mut jb = JitterBuffer::new(JitterConfig::new(8000), CodecKind::Pcmu.decoder().expect("decoder"));
    let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15);
    let packets = seconds * 50;
    let mut arrivals: Vec<(f64, usize)> = (0..packets).map(|n| (n as f64 * 20.0 + rng.unit() * jitter_ms, n)).collect();
    arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut next, mut t) = (0, 0.0);
    let mut levels = Vec::new();
    let mut bad = 0;
    while t < packets as f64 * 20.0 - 100.0 {
        while next < arrivals.len() && arrivals[next].0 <= t {
            let n = arrivals[next].1;
            let pcm: Vec<i16> = (n * 160..(n + 1) * 160).map(speechlike).collect();
            let mut payload = Vec::new();
            enc.encode(&pcm, &mut payload);
            jb.insert(arrivals[next].0, (n * 160) as u32, &payload);
            next += 1;
        }
        let before = jb.stats().underruns + jb.stats().late;
        let mut frame = [0i16; 80];
        jb.pull(t, &mut frame);
        if t >= 3000.0 {
            levels.push(jb.stats().level_ms);
            bad += jb.stats().underruns + jb.stats().late - before;
        }
        t += 10.0;
    }
    let s = jb.stats();
    levels.sort_by(f64::total_cmp);
    let mean = levels.iter().sum::<f64>() / levels.len() as f64;
    let p95 = levels[levels.len() * 95 / 100];
    let stretched = (s.accelerated_samples + s.expanded_samples) as f64 / (packets * 160) as f64 * 100.0;
    (mean, p95, bad, stretched)
}

/// CPU time the engine spends per second of call (both directions of one side: encode, SRTP,
/// packetize, receive, SRTP, jitter buffer, decode, RTCP).
fn cpu_per_call_second(srtp: bool) -> Duration {
    let keys = |a: u8, b: u8| SrtpKeys {
        suite: CryptoSuite::AesCm128HmacSha1_80,
        local: KeySalt::new(CryptoSuite::AesCm128HmacSha1_80, &[a; 30]).expect("key"),
        remote: KeySalt::new(CryptoSuite::AesCm128HmacSha1_80, &[b; 30]).expect("key"),
    };
    let negotiated = |srtp: Option<SrtpKeys>| Negotiated {
        codec: CodecKind::Pcmu,
        payload_type: 0,
        telephone_event_pt: Some(101),
        ptime_ms: 20,
        remote_rtp: "127.0.0.1:4000".parse().expect("addr"),
        remote_rtcp: "127.0.0.1:4001".parse().expect("addr"),
        rtcp_mux: false,
        direction: Direction::SendRecv,
        srtp,
    };
    let cfg = |n, ssrc| SessionConfig {
        negotiated: n,
        ssrc,
        first_seq: 1,
        first_timestamp: 1,
        ntp_at_start: 1 << 32,
        cname: "bench".into(),
        rtp_timeout: Duration::from_secs(60),
        rtcp_interval: Duration::from_secs(5),
    };
    let start = Instant::now();
    let mut a = MediaSession::new(cfg(negotiated(srtp.then(|| keys(1, 2))), 1), start).expect("a");
    let mut b = MediaSession::new(cfg(negotiated(srtp.then(|| keys(2, 1))), 2), start).expect("b");
    let seconds = 120;
    let from = "127.0.0.1:4000".parse().expect("addr");
    let pcm: Vec<i16> = (0..160).map(speechlike).collect();
    let mut frame = [0i16; 80];
    let mut a_time = Duration::ZERO;
    for tick in 0..seconds * 100 {
        let now = start + Duration::from_millis(tick as u64 * 10);
        let t0 = Instant::now();
        if tick % 2 == 0 {
            a.send_audio(now, &pcm);
        }
        a.pull_audio(now, &mut frame);
        a.handle_timeout(now);
        let mut out = Vec::new();
        while let Some(Output::Transmit { data, .. }) = a.poll_output() {
            out.push(data);
        }
        a_time += t0.elapsed();
        if tick % 2 == 0 {
            b.send_audio(now, &pcm);
        }
        b.handle_timeout(now);
        for d in out {
            b.handle_receive(now, from, &d);
        }
        let mut back = Vec::new();
        while let Some(o) = b.poll_output() {
            if let Output::Transmit { data, .. } = o {
                back.push(data);
            }
        }
        b.pull_audio(now, &mut frame);
        let t1 = Instant::now();
        for d in back {
            a.handle_receive(now, from, &d);
        }
        a_time += t1.elapsed();
    }
    a_time / seconds as u32
}

fn main() {
    println!("jitter buffer (speech-like G.711, 20 ms packets, 10 ms pulls, 60 s per run)");
    for (label, jitter) in [("clean path (0.5 ms)", 0.5), ("30 ms jitter (uniform 0–90 ms)", 90.0)] {
        let (mean, p95, bad, stretched) = jitter_run(jitter, 60);
        println!(
            "  {label:32} level mean {mean:6.1} ms  p95 {p95:6.1} ms  underruns+late after 3 s: {bad}  stretched {stretched:.2} %"
        );
    }
    for srtp in [false, true] {
        let per_s = cpu_per_call_second(srtp);
        println!(
            "engine CPU per call ({}): {:.1} µs per second of call = {:.3} % of one core",
            if srtp { "G.711 + SRTP" } else { "G.711" },
            per_s.as_secs_f64() * 1e6,
            per_s.as_secs_f64() * 100.0
        );
    }
}
