//! An adaptive jitter buffer with packet-loss concealment, modelled on WebRTC's NetEq.
//!
//! - **Reordering.** Packets are kept by (unwrapped) RTP timestamp, so order of arrival does not
//!   matter; duplicates and packets older than the playout point are counted and dropped.
//! - **Target delay.** Each packet's *relative delay* is its arrival time minus its media time,
//!   less the smallest such value in the last two seconds (the fastest packet). The target is
//!   the largest relative delay in that window, held and allowed to fall only slowly, plus one
//!   packet and one pull interval, clamped to 20–200 ms of extra delay. It starts at 60 ms.
//! - **Control.** The device pulls 10 ms at a time. When the buffer runs more than 30 ms over
//!   target, a 10 ms frame of silence is dropped (accelerate); far over target, any frame is. When
//!   it runs under target in silence, a frame of silence is inserted (preemptive expand).
//! - **Concealment.** A missing frame is replaced by the codec's own concealment where it has one
//!   (Opus: its FEC copy in the next packet when that is already buffered, else libopus's PLC),
//!   else by [`Concealer`]: the last pitch period repeated, fading out over 60 ms, and
//!   cross-faded back into real audio when packets return (G.711 Appendix I in spirit). For a
//!   stateless codec (G.711) a short hole is also blended toward the packet after it.
//!
//! Written here because the Rust NetEq port is an early preview and the other buffers are tied to
//! their engines. Time is an argument (milliseconds on the caller's monotonic clock).

use std::collections::{BTreeMap, VecDeque};

use crate::codec::Decoder;

/// Jitter buffer parameters.
#[derive(Debug, Clone, Copy)]
pub struct JitterConfig {
    /// RTP clock rate (Hz): what the packets' timestamps count in.
    pub clock_rate: u32,
    /// Rate (Hz) of the decoded PCM. Everything inside the buffer counts in these samples;
    /// timestamps are converted on the way in (G.722: 8 kHz clock, 16 kHz audio; Opus: 48 kHz
    /// clock, decoded at 16 kHz).
    pub sample_rate: u32,
    /// Extra delay before the first pull, in milliseconds.
    pub start_delay_ms: f64,
    /// Smallest extra delay target.
    pub min_delay_ms: f64,
    /// Largest extra delay target.
    pub max_delay_ms: f64,
}

impl JitterConfig {
    /// Defaults for a codec whose audio runs at its clock rate (G.711).
    pub fn new(rate: u32) -> Self {
        Self { clock_rate: rate, sample_rate: rate, start_delay_ms: 60.0, min_delay_ms: 0.0, max_delay_ms: 200.0 }
    }

    /// Defaults for `codec`.
    pub fn for_codec(codec: crate::codec::CodecKind) -> Self {
        Self { clock_rate: codec.clock_rate(), sample_rate: codec.sample_rate(), ..Self::new(codec.sample_rate()) }
    }
}

/// Counters a call's quality display and the tests read.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct JitterStats {
    /// Packets accepted into the buffer.
    pub packets: u64,
    /// Packets that arrived after their playout time.
    pub late: u64,
    /// Duplicate packets.
    pub duplicates: u64,
    /// Times the buffer ran dry while playing (each episode once).
    pub underruns: u64,
    /// Samples produced by concealment of missing packets.
    pub concealed_samples: u64,
    /// Samples dropped to shrink the delay.
    pub accelerated_samples: u64,
    /// Samples of silence inserted to grow the delay.
    pub expanded_samples: u64,
    /// Buffered audio ahead of the playout point at the last pull, in milliseconds.
    pub level_ms: f64,
    /// Current target level, in milliseconds.
    pub target_ms: f64,
}

struct Stored {
    payload: Vec<u8>,
    samples: usize,
}

/// The jitter buffer of one incoming stream.
pub struct JitterBuffer {
    cfg: JitterConfig,
    decoder: Box<dyn Decoder>,
    packets: BTreeMap<i64, Stored>,
    unwrap: TimestampUnwrapper,
    playout: Option<i64>,
    first_arrival_ms: Option<f64>,
    decoded: Option<(i64, Vec<i16>)>,
    delay: DelayManager,
    concealer: Concealer,
    history: VecDeque<i16>,
    in_underrun: bool,
    pulls_since_adjust: u32,
    smoothed_level: Option<f64>,
    /// Samples concealed while the buffer was dry at the playout point; if the missing packet
    /// turns out lost (a later one arrives), that much of the gap was already played.
    stalled: i64,
    /// Where the current hole in the stream began.
    gap_start: i64,
    pending: VecDeque<i16>,
    stats: JitterStats,
}

impl std::fmt::Debug for JitterBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JitterBuffer").field("stats", &self.stats).finish()
    }
}

const SILENCE_MEAN_ABS: f64 = 200.0;

impl JitterBuffer {
    /// An empty buffer decoding with `decoder`.
    pub fn new(cfg: JitterConfig, decoder: Box<dyn Decoder>) -> Self {
        let rate = cfg.sample_rate;
        Self {
            cfg,
            decoder,
            packets: BTreeMap::new(),
            unwrap: TimestampUnwrapper::default(),
            playout: None,
            first_arrival_ms: None,
            decoded: None,
            delay: DelayManager::new(cfg),
            concealer: Concealer::new(rate),
            history: VecDeque::with_capacity(rate as usize / 20),
            in_underrun: false,
            pulls_since_adjust: 0,
            smoothed_level: None,
            stalled: 0,
            gap_start: 0,
            pending: VecDeque::new(),
            stats: JitterStats { target_ms: cfg.start_delay_ms, ..Default::default() },
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    /// Forgets everything (new SSRC, or a sequence jump the RTP layer called a restart).
    pub fn reset(&mut self) {
        self.packets.clear();
        self.unwrap = TimestampUnwrapper::default();
        self.playout = None;
        self.first_arrival_ms = None;
        self.decoded = None;
        self.delay = DelayManager::new(self.cfg);
        self.concealer = Concealer::new(self.cfg.sample_rate);
        self.history.clear();
        self.pending.clear();
        self.smoothed_level = None;
        self.stalled = 0;
        self.in_underrun = false;
    }

    fn ms(&self, samples: i64) -> f64 {
        samples as f64 * 1000.0 / f64::from(self.cfg.sample_rate)
    }

    /// Adds a packet that arrived at `arrival_ms`.
    pub fn insert(&mut self, arrival_ms: f64, rtp_timestamp: u32, payload: &[u8]) {
        let ts = self.unwrap.unwrap(rtp_timestamp) * i64::from(self.cfg.sample_rate) / i64::from(self.cfg.clock_rate);
        let samples = self.decoder.samples_in(payload);
        if samples == 0 {
            return;
        }
        // A jump of more than 10 s either way is a new stream, not a late packet.
        if let Some(p) = self.playout
            && ts.saturating_sub(p).saturating_abs() > i64::from(self.cfg.sample_rate) * 10
        {
            self.reset();
            return self.insert(arrival_ms, rtp_timestamp, payload);
        }
        let media_ms = self.ms(ts);
        self.delay.observe(arrival_ms, media_ms);
        self.first_arrival_ms.get_or_insert(arrival_ms);
        if let Some(p) = self.playout
            && ts + samples as i64 <= p
        {
            self.stats.late += 1;
            return;
        }
        if self.packets.contains_key(&ts) {
            self.stats.duplicates += 1;
            return;
        }
        self.stats.packets += 1;
        self.packets.insert(ts, Stored { payload: payload.to_vec(), samples });
        // Never hold more than a second beyond the largest target.
        let cap = i64::from(self.cfg.sample_rate) * 12 / 10;
        while let (Some((&first, _)), Some((&last, _))) =
            (self.packets.first_key_value(), self.packets.last_key_value())
        {
            if last - first <= cap {
                break;
            }
            self.packets.remove(&first);
        }
    }

    /// Buffered audio ahead of the playout point (or in total, before playout starts), in ms.
    fn level_ms(&self) -> f64 {
        let pending = self.ms(self.pending.len() as i64);
        let Some((&last, stored)) = self.packets.last_key_value() else {
            return pending;
        };
        let end = last + stored.samples as i64;
        let start = match self.playout {
            Some(p) => p,
            None => self.packets.first_key_value().map_or(end, |(&k, _)| k),
        };
        self.ms((end - start).max(0)) + pending
    }

    /// Fills `out` with the next samples to play (one pull, normally 10 ms).
    pub fn pull(&mut self, now_ms: f64, out: &mut [i16]) {
        let target = self.delay.target_level_ms(now_ms);
        self.stats.target_ms = target;
        let instant_level = self.level_ms();
        self.stats.level_ms = instant_level;
        // Decisions follow the level smoothed over ~300 ms, not the saw-tooth of arrivals.
        self.smoothed_level = match self.smoothed_level {
            Some(l) => Some(l + 0.03 * (instant_level - l)),
            None => Some(instant_level),
        };
        let level = self.smoothed_level.unwrap_or(instant_level);
        let n = out.len();

        if self.playout.is_none() {
            let waited = self.first_arrival_ms.is_some_and(|t| now_ms - t >= target);
            if self.packets.is_empty() || (instant_level < target && !waited) {
                out.fill(0);
                return;
            }
            self.playout = self.packets.first_key_value().map(|(&k, _)| k);
            self.smoothed_level = Some(instant_level);
        }

        let pull_ms = self.ms(n as i64);
        self.pulls_since_adjust = self.pulls_since_adjust.saturating_add(1);
        let may_adjust = self.pulls_since_adjust > 4;
        let (low, high) = (0.75 * target, target.max(0.75 * target + 2.0 * pull_ms));
        let silent_before = self.last_output_silent();
        if may_adjust
            && self.pending.is_empty()
            && level < low
            && instant_level > 0.0
            && (silent_before || level < 0.5 * low)
        {
            // Under target: stretch by one frame without moving the playout point. Silence is
            // stretched with silence; sound, only when the buffer is nearly dry, by repeating its
            // last pitch period (otherwise wait for the next pause, where it is inaudible).
            if silent_before {
                out.fill(0);
            } else {
                let hist: Vec<i16> = self.history.iter().copied().collect();
                self.concealer.start(&hist);
                self.concealer.fill(out);
            }
            self.pulls_since_adjust = 0;
            self.stats.expanded_samples += n as u64;
            self.remember(out);
            return;
        }

        let mut had_audio = self.fill_pending(n);
        if may_adjust && level > high + pull_ms {
            // Over target: drop a silent frame; compress sound by one pitch period only when far
            // over (otherwise wait for the next pause).
            had_audio &= self.fill_pending(2 * n);
            let far = level > 2.0 * target + 6.0 * pull_ms;
            let head: Vec<i16> = self.pending.iter().take(n).copied().collect();
            if is_silent(&head) {
                self.pending.drain(..n);
                self.stats.accelerated_samples += n as u64;
                self.pulls_since_adjust = 0;
            } else if let Some(lag) = far.then(|| self.compressible_lag(n)).flatten() {
                let buf: Vec<i16> = self.pending.drain(..n + lag).collect();
                for (i, o) in out.iter_mut().enumerate() {
                    *o = if i < lag {
                        let w = (i + 1) as f64 / (lag + 1) as f64;
                        (f64::from(buf[i]) * (1.0 - w) + f64::from(buf[i + lag]) * w) as i16
                    } else {
                        buf[i + lag]
                    };
                }
                self.stats.accelerated_samples += lag as u64;
                self.pulls_since_adjust = 0;
                self.finish_pull(had_audio, out);
                return;
            }
            had_audio &= self.fill_pending(n);
        }
        for (o, s) in out.iter_mut().zip(self.pending.drain(..n)) {
            *o = s;
        }
        self.finish_pull(had_audio, out);
    }

    fn finish_pull(&mut self, had_audio: bool, out: &[i16]) {
        if !had_audio && !self.in_underrun {
            self.stats.underruns += 1;
        }
        self.in_underrun = !had_audio;
        self.remember(out);
    }

    /// Makes sure `pending` holds at least `n` samples; false when the buffer ran dry.
    fn fill_pending(&mut self, n: usize) -> bool {
        if self.pending.len() >= n {
            return true;
        }
        let mut chunk = vec![0i16; n - self.pending.len()];
        let ok = self.produce(&mut chunk);
        self.pending.extend(chunk);
        ok
    }

    /// The pitch lag (≤ one pull) at which the pending audio best repeats itself: one period
    /// there can be cut out with a cross-fade.
    fn compressible_lag(&self, n: usize) -> Option<usize> {
        let min_lag = (self.cfg.sample_rate / 400) as usize;
        if self.pending.len() < 2 * n || n <= min_lag {
            return None;
        }
        let buf: Vec<i16> = self.pending.iter().copied().collect();
        Some(best_lag(min_lag..=n, |lag| normalized_correlation(&buf[..lag], &buf[lag..2 * lag])))
    }

    fn last_output_silent(&self) -> bool {
        let len = self.history.len().min(self.cfg.sample_rate as usize / 100);
        if len == 0 {
            return true;
        }
        let sum: f64 = self.history.iter().rev().take(len).map(|&s| f64::from(s).abs()).sum();
        sum / len as f64 <= SILENCE_MEAN_ABS
    }

    fn remember(&mut self, out: &[i16]) {
        let keep = self.cfg.sample_rate as usize / 20; // 50 ms for pitch search
        for &s in out {
            if self.history.len() == keep {
                self.history.pop_front();
            }
            self.history.push_back(s);
        }
    }

    /// Produces `out.len()` samples from the playout point, concealing what is missing.
    /// Returns false when the buffer had nothing at or after the playout point (an underrun).
    fn produce(&mut self, out: &mut [i16]) -> bool {
        let mut filled = 0;
        let mut any_future = true;
        while filled < out.len() {
            let Some(p) = self.playout else { return false };
            // The packet covering p.
            let covering =
                self.packets.range(..=p).next_back().filter(|(k, s)| **k + s.samples as i64 > p).map(|(k, _)| *k);
            if let Some(key) = covering {
                if self.decoded.as_ref().is_none_or(|(k, _)| *k != key) {
                    let mut pcm = Vec::new();
                    if let Some(stored) = self.packets.get(&key) {
                        self.decoder.decode(&stored.payload, &mut pcm);
                    }
                    self.decoded = Some((key, pcm));
                }
                let Some((_, pcm)) = self.decoded.as_ref() else { return false };
                let offset = (p - key) as usize;
                let take = (pcm.len().saturating_sub(offset)).min(out.len() - filled);
                if take == 0 {
                    // The decoder gave fewer samples than the packet stands for: skip the rest.
                    let span = self.packets.remove(&key).map_or(1, |s| s.samples as i64);
                    self.playout = Some(key + span);
                    continue;
                }
                out[filled..filled + take].copy_from_slice(&pcm[offset..offset + take]);
                // The packet was late, not lost: the stall stays as extra delay.
                self.stalled = 0;
                if self.concealer.active() {
                    self.concealer.merge_into(&mut out[filled..filled + take]);
                }
                filled += take;
                self.playout = Some(p + take as i64);
                // Drop fully played packets.
                if offset + take >= pcm.len() {
                    self.packets.remove(&key);
                }
            } else {
                // Missing: is there anything after p?
                let next = self.packets.range(p..).next().map(|(k, _)| *k);
                let gap_end = next.unwrap_or(i64::MAX);
                if next.is_some() && gap_end.saturating_sub(p) > i64::from(self.cfg.sample_rate) / 5 {
                    // A gap of more than 200 ms is a pause in sending (hold, silence suppression),
                    // not loss: jump to the next packet instead of concealing the whole gap.
                    self.playout = Some(gap_end);
                    continue;
                }
                if next.is_some() && self.stalled > 0 {
                    // The packet we stalled for is lost: the stall already played its place.
                    let skip = self.stalled.min(gap_end.saturating_sub(p));
                    self.stalled -= skip;
                    self.playout = Some(p + skip);
                    continue;
                }
                let want = (out.len() - filled).min(gap_end.saturating_sub(p).clamp(0, i64::MAX) as usize);
                let next_payload = next.and_then(|k| self.packets.get(&k)).map(|s| s.payload.as_slice());
                let until_next = usize::try_from(gap_end.saturating_sub(p)).unwrap_or(usize::MAX);
                if !self.decoder.conceal(next_payload, until_next, &mut out[filled..filled + want]) {
                    // No concealment of the codec's own: repeat the last pitch period.
                    if !self.concealer.active() {
                        let hist: Vec<i16> =
                            self.history.iter().copied().chain(out[..filled].iter().copied()).collect();
                        self.concealer.start(&hist);
                        self.gap_start = p;
                    }
                    self.concealer.fill(&mut out[filled..filled + want]);
                    if let Some(key) = next.filter(|_| self.decoder.is_stateless()) {
                        // The packet after the hole is here: blend toward its first pitch period,
                        // extended backwards, so the concealment ends where the real audio begins.
                        self.interpolate_toward(key, p, &mut out[filled..filled + want]);
                    }
                }
                self.stats.concealed_samples += want as u64;
                filled += want;
                if next.is_some() {
                    // Loss: move past the missing samples.
                    self.playout = Some(p + want as i64);
                } else {
                    // Nothing buffered at all: an underrun. Hold the playout point; the delay
                    // grows by what was concealed, unless the packet proves lost.
                    self.stalled += want as i64;
                    any_future = false;
                }
            }
        }
        any_future
    }
}

impl JitterBuffer {
    /// Cross-fades concealment `out` (covering `at..at+out.len()` of the hole that began at
    /// `gap_start` and ends at `next`) into the periodic backward extension of the packet at
    /// `next`. Holes longer than 60 ms keep the plain fading concealment.
    fn interpolate_toward(&mut self, next: i64, at: i64, out: &mut [i16]) {
        let gap = next - self.gap_start;
        if gap <= 0 || gap > i64::from(self.cfg.sample_rate) * 6 / 100 {
            return;
        }
        let Some(stored) = self.packets.get(&next) else { return };
        let mut pcm = Vec::new();
        self.decoder.decode(&stored.payload, &mut pcm);
        let min_lag = (self.cfg.sample_rate / 400) as usize;
        if pcm.len() < 2 * min_lag {
            return;
        }
        // Pitch of the next packet: the lag with the best normalized self-similarity.
        let max_lag = (pcm.len() / 2).min((self.cfg.sample_rate / 67) as usize);
        let best = best_lag(min_lag..=max_lag, |lag| normalized_correlation(&pcm[..pcm.len() - lag], &pcm[lag..]));
        let lag = best as i64;
        for (i, o) in out.iter_mut().enumerate() {
            let pos = at + i as i64;
            let before_next = next - pos; // 1..=gap
            let b = f64::from(pcm[((lag - before_next.rem_euclid(lag)) % lag) as usize]);
            let w = (pos - self.gap_start + 1) as f64 / (gap + 1) as f64;
            *o = (f64::from(*o) * (1.0 - w) + b * w) as i16;
        }
        if at + out.len() as i64 >= next {
            // Ends on the real audio: no merge needed.
            self.concealer.finish();
        }
    }
}

/// Normalized cross-correlation of two equal-length stretches (0 when either is silent).
fn normalized_correlation(a: &[i16], b: &[i16]) -> f64 {
    let (mut num, mut ea, mut eb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        num += x * y;
        ea += x * x;
        eb += y * y;
    }
    if ea > 0.0 && eb > 0.0 { num / (ea * eb).sqrt() } else { 0.0 }
}

/// The first lag in `lags` with the highest `score`.
fn best_lag(lags: std::ops::RangeInclusive<usize>, score: impl Fn(usize) -> f64) -> usize {
    let start = *lags.start();
    lags.fold((start, f64::MIN), |best, lag| {
        let c = score(lag);
        if c > best.1 { (lag, c) } else { best }
    })
    .0
}

fn is_silent(pcm: &[i16]) -> bool {
    if pcm.is_empty() {
        return true;
    }
    let sum: f64 = pcm.iter().map(|&s| f64::from(s).abs()).sum();
    sum / pcm.len() as f64 <= SILENCE_MEAN_ABS
}

/// Unwraps 32-bit RTP timestamps into a monotonic 64-bit count from the first one seen.
#[derive(Debug, Default, Clone)]
struct TimestampUnwrapper {
    last: Option<(u32, i64)>,
}

impl TimestampUnwrapper {
    fn unwrap(&mut self, ts: u32) -> i64 {
        let Some((last_raw, last_ext)) = self.last else {
            self.last = Some((ts, 0));
            return 0;
        };
        let diff = ts.wrapping_sub(last_raw) as i32;
        let ext = last_ext + i64::from(diff);
        if diff > 0 {
            self.last = Some((ts, ext));
        }
        ext
    }
}

/// Tracks relative packet delay and turns it into a target buffer level.
#[derive(Debug, Clone)]
struct DelayManager {
    cfg: JitterConfig,
    window: VecDeque<(f64, f64)>,
    current_extra: f64,
    peak: (f64, f64),
    packet_ms: f64,
    last_media_ms: Option<f64>,
    observations: usize,
}

const WINDOW_MS: f64 = 2000.0;
/// How fast a held peak may fall (ms of target per second).
const DECAY_MS_PER_S: f64 = 5.0;

impl DelayManager {
    fn new(cfg: JitterConfig) -> Self {
        Self {
            cfg,
            window: VecDeque::new(),
            current_extra: 0.0,
            peak: (0.0, 0.0),
            packet_ms: 20.0,
            last_media_ms: None,
            observations: 0,
        }
    }

    fn held(&self, now_ms: f64) -> f64 {
        (self.peak.0 - (now_ms - self.peak.1).max(0.0) / 1000.0 * DECAY_MS_PER_S).max(0.0)
    }

    fn observe(&mut self, arrival_ms: f64, media_ms: f64) {
        self.observations += 1;
        if let Some(last) = self.last_media_ms {
            let step = media_ms - last;
            if step > 0.0 && step <= 120.0 {
                self.packet_ms = step;
            }
        }
        self.last_media_ms = Some(self.last_media_ms.map_or(media_ms, |l| l.max(media_ms)));
        self.window.push_back((arrival_ms, arrival_ms - media_ms));
        while self.window.front().is_some_and(|(t, _)| arrival_ms - *t > WINDOW_MS) {
            self.window.pop_front();
        }
        let min = self.window.iter().map(|(_, d)| *d).fold(f64::INFINITY, f64::min);
        let max_rel = self.window.iter().map(|(_, d)| d - min).fold(0.0, f64::max);
        self.current_extra = max_rel.clamp(self.cfg.min_delay_ms, self.cfg.max_delay_ms);
        // Rise at once; fall slowly from a held peak.
        if self.current_extra >= self.held(arrival_ms) {
            self.peak = (self.current_extra, arrival_ms);
        }
    }

    /// The level (ms of buffered audio ahead of playout) to aim for.
    fn target_level_ms(&self, now_ms: f64) -> f64 {
        // Too few observations: keep the start delay.
        if self.observations < 10 {
            return self.cfg.start_delay_ms;
        }
        let extra = self.held(now_ms).max(self.current_extra);
        // One packet must be whole before it plays, plus one 10 ms pull of slack.
        extra + self.packet_ms + 10.0
    }
}

/// Conceals missing audio by repeating the last pitch period, fading out, and cross-fades back
/// into real audio when it returns.
#[derive(Debug, Clone)]
pub struct Concealer {
    rate: u32,
    period: Vec<i16>,
    pos: usize,
    produced: usize,
    active: bool,
}

impl Concealer {
    /// A concealer for audio at `rate` Hz.
    pub fn new(rate: u32) -> Self {
        Self { rate, period: Vec::new(), pos: 0, produced: 0, active: false }
    }

    /// Whether concealment is under way (real audio must be merged in).
    pub fn active(&self) -> bool {
        self.active
    }

    /// Starts concealing after `history` (the most recent output, oldest first).
    pub fn start(&mut self, history: &[i16]) {
        let rate = self.rate as usize;
        let min_lag = rate / 400; // 2.5 ms
        let max_lag = rate / 67; // ~15 ms
        let window = rate / 100; // 10 ms correlation window
        self.period.clear();
        self.pos = 0;
        self.produced = 0;
        self.active = true;
        if history.len() < max_lag + window {
            // Not enough past to find a pitch: conceal with silence.
            return;
        }
        let tail = &history[history.len() - window..];
        let mut best = (min_lag, f64::MIN);
        for lag in min_lag..=max_lag {
            let past = &history[history.len() - window - lag..history.len() - lag];
            let (mut num, mut energy) = (0.0, 0.0);
            for (a, b) in tail.iter().zip(past) {
                num += f64::from(*a) * f64::from(*b);
                energy += f64::from(*b) * f64::from(*b);
            }
            let score = if energy > 0.0 { num / energy.sqrt() } else { 0.0 };
            if score > best.1 {
                best = (lag, score);
            }
        }
        // Repeat the last period; a period shorter than 2.5 ms of noise is fine too.
        let lag = best.0;
        self.period.extend_from_slice(&history[history.len() - lag..]);
    }

    fn gain(&self) -> f64 {
        // Full level for 10 ms, then down 20 % per 10 ms, silent after 60 ms.
        let ms = self.produced as f64 * 1000.0 / f64::from(self.rate);
        if ms < 10.0 { 1.0 } else { (1.0 - (ms - 10.0) / 50.0).max(0.0) }
    }

    /// Fills `out` with concealment.
    pub fn fill(&mut self, out: &mut [i16]) {
        for s in out.iter_mut() {
            *s = self.next_sample();
        }
    }

    fn next_sample(&mut self) -> i16 {
        if self.period.is_empty() {
            self.produced += 1;
            return 0;
        }
        let v = f64::from(self.period[self.pos]) * self.gain();
        self.pos = (self.pos + 1) % self.period.len();
        self.produced += 1;
        v as i16
    }

    /// Ends concealment without a merge (the concealment already meets the real audio).
    pub fn finish(&mut self) {
        self.active = false;
    }

    /// Blends the start of real audio with the continuing concealment, then stops.
    pub fn merge_into(&mut self, real: &mut [i16]) {
        let len = (self.rate as usize * 375 / 100_000).max(1).min(real.len()); // 3.75 ms
        for (i, s) in real.iter_mut().take(len).enumerate() {
            let w = (i + 1) as f64 / (len + 1) as f64;
            let c = f64::from(self.next_sample());
            *s = (f64::from(*s) * w + c * (1.0 - w)) as i16;
        }
        self.active = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::CodecKind;

    const RATE: u32 = 8000;
    const PKT: usize = 160;

    fn tone(i: usize) -> i16 {
        ((i as f64 * 2.0 * std::f64::consts::PI * 440.0 / f64::from(RATE)).sin() * 8000.0) as i16
    }

    fn packet(n: usize) -> Vec<u8> {
        let pcm: Vec<i16> = (n * PKT..(n + 1) * PKT).map(tone).collect();
        let mut enc = CodecKind::Pcmu.encoder().expect("encoder");
        let mut out = Vec::new();
        enc.encode(&pcm, &mut out);
        out
    }

    fn buffer() -> JitterBuffer {
        JitterBuffer::new(JitterConfig::new(RATE), CodecKind::Pcmu.decoder().expect("decoder"))
    }

    /// Sends `count` packets with the given extra delays (ms), pulls 10 ms every 10 ms, and
    /// returns (buffer, output).
    fn run(delays: &[f64]) -> (JitterBuffer, Vec<i16>, Vec<f64>) {
        let mut jb = buffer();
        // An infinite delay is a lost packet.
        let mut arrivals: Vec<(f64, usize)> =
            delays.iter().enumerate().filter(|(_, d)| d.is_finite()).map(|(n, d)| (n as f64 * 20.0 + d, n)).collect();
        arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
        let end = arrivals.last().map_or(0.0, |a| a.0) + 15.0;
        let (mut out, mut levels) = (Vec::new(), Vec::new());
        let mut next = 0;
        let mut t = 0.0;
        while t < end {
            while next < arrivals.len() && arrivals[next].0 <= t {
                let n = arrivals[next].1;
                jb.insert(arrivals[next].0, (n * PKT) as u32, &packet(n));
                next += 1;
            }
            let mut frame = [0i16; 80];
            jb.pull(t, &mut frame);
            out.extend_from_slice(&frame);
            levels.push(jb.stats().level_ms);
            t += 10.0;
        }
        (jb, out, levels)
    }

    #[test]
    fn a_clean_stream_plays_every_sample_in_order_at_low_delay() {
        let (jb, out, levels) = run(&vec![0.5; 300]);
        let stats = jb.stats();
        assert_eq!((stats.underruns, stats.late, stats.concealed_samples), (0, 0, 0), "nothing missing: {stats:?}");
        let steady: f64 = levels[200..590].iter().sum::<f64>() / 390.0;
        assert!(steady <= 60.0, "steady level {steady} ms must be ≤ 60 ms");
        // Once settled, the output is the coded input, sample for sample.
        let reference: Vec<i16> = (0..PKT * 300).map(|i| coded(tone(i))).collect();
        let tail = &out[out.len() - 8000..out.len() - 400];
        let at = (0..reference.len() - tail.len())
            .find(|&i| reference[i..i + 40] == tail[..40])
            .expect("the tail of the output is found in the input");
        assert_eq!(tail, &reference[at..at + tail.len()], "the settled stream is bit-exact");
    }

    fn coded(s: i16) -> i16 {
        crate::codec::g711::ulaw_to_linear(crate::codec::g711::linear_to_ulaw(s))
    }

    #[test]
    fn reordered_packets_are_played_in_timestamp_order() {
        // Every pair swapped: packet 2k arrives 25 ms late, after 2k+1.
        let delays: Vec<f64> = (0..200).map(|n| if n % 2 == 0 { 25.0 } else { 0.0 }).collect();
        let (jb, _, _) = run(&delays);
        let stats = jb.stats();
        assert_eq!(stats.late, 0, "nothing is lost to reordering: {stats:?}");
        assert_eq!(stats.packets, 200, "every packet was accepted: {stats:?}");
        let adjusted = stats.expanded_samples + stats.accelerated_samples;
        assert!(adjusted < 200 * 160 / 20, "the buffer settles instead of hunting (≤ 5 % stretched): {stats:?}");
    }

    #[test]
    fn jitter_of_30ms_raises_the_target_without_underruns_once_adapted() {
        // Uniform 0–90 ms delay: RFC 3550 interarrival jitter of about 30 ms.
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let delays: Vec<f64> = (0..1500)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % 9001) as f64 / 100.0
            })
            .collect();
        let mut jb = buffer();
        let mut underruns_after_warmup = 0;
        let mut arrivals: Vec<(f64, usize)> =
            delays.iter().enumerate().map(|(n, d)| (n as f64 * 20.0 + d, n)).collect();
        arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut next = 0;
        let mut t = 0.0;
        let (mut level_sum, mut pulls) = (0.0, 0.0);
        while t < 1490.0 * 20.0 {
            while next < arrivals.len() && arrivals[next].0 <= t {
                let n = arrivals[next].1;
                jb.insert(arrivals[next].0, (n * PKT) as u32, &packet(n));
                next += 1;
            }
            let before = jb.stats().underruns + jb.stats().late;
            let mut frame = [0i16; 80];
            jb.pull(t, &mut frame);
            if t > 3000.0 {
                underruns_after_warmup += jb.stats().underruns + jb.stats().late - before;
                level_sum += jb.stats().level_ms;
                pulls += 1.0;
            }
            t += 10.0;
        }
        let stats = jb.stats();
        eprintln!("30 ms jitter: {stats:?}, mean level {}", level_sum / pulls);
        assert_eq!(underruns_after_warmup, 0, "no underrun or late packet after 3 s: {stats:?}");
        assert!(stats.target_ms > 90.0, "the target rose with the jitter: {stats:?}");
        let mean = level_sum / pulls;
        assert!(mean <= 200.0, "the steady level stays ≤ 200 ms, got {mean}");
    }

    #[test]
    fn a_lost_packet_is_concealed_from_the_last_pitch_period() {
        let mut delays = vec![0.5; 200];
        delays[100] = f64::INFINITY; // lost
        let (jb, out, _) = run(&delays);
        let stats = jb.stats();
        assert!((160..=240).contains(&stats.concealed_samples), "one packet's worth concealed: {stats:?}");
        // The tone goes on through the loss: no 10 ms stretch of the output falls silent.
        let start = out.iter().position(|&s| s != 0).unwrap_or(0);
        let quietest = out[start..out.len() - 800]
            .chunks(80)
            .map(|w| w.iter().map(|&s| f64::from(s).abs()).sum::<f64>() / 80.0)
            .fold(f64::MAX, f64::min);
        assert!(quietest > 2000.0, "concealment carries the tone on, quietest 10 ms has mean |s| {quietest}");
    }

    #[test]
    fn the_concealer_fades_to_silence_after_60ms() {
        let hist: Vec<i16> = (0..400).map(tone).collect();
        let mut c = Concealer::new(RATE);
        c.start(&hist);
        let mut out = vec![0i16; 8 * 80];
        c.fill(&mut out);
        let tail = &out[60 * 8..];
        assert!(tail.iter().all(|&s| s == 0), "silent after 60 ms");
        assert!(out[..80].iter().any(|&s| s.abs() > 4000), "full level in the first 10 ms");
    }

    #[test]
    fn timestamps_unwrap_across_the_32_bit_boundary() {
        let mut u = TimestampUnwrapper::default();
        assert_eq!(u.unwrap(u32::MAX - 159), 0, "first");
        assert_eq!(u.unwrap(0), 160, "wraps forward");
        assert_eq!(u.unwrap(u32::MAX - 159), 0, "a late packet before the wrap stays behind");
    }
}
