//! The media of one call, driven for real: an RTP and an RTCP socket, a 10 ms clock, the audio
//! devices, and a [`MediaSession`] in the middle. It runs as its own task and takes commands
//! (re-negotiation, mute, DTMF, playing a recorded message instead of the microphone, stop) over
//! a channel; what happens comes back as [`MediaNotice`]s.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ringdesk_media::resample::Resampler;
use ringdesk_media::sdp::Negotiated;
use ringdesk_media::session::{MediaEvent, MediaSession, MediaStats, Output, SessionConfig};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::audio::{AudioSink, AudioSource, frame_len, level_dbfs};
use crate::processing::{ProcessingConfig, VoiceProcessing};
use crate::random;

/// A bound RTP/RTCP port pair.
#[derive(Debug)]
pub(crate) struct PortPair {
    pub rtp: UdpSocket,
    pub rtcp: UdpSocket,
}

impl PortPair {
    /// Binds an even RTP port and the next one for RTCP, somewhere in `range`.
    pub async fn bind(ip: IpAddr, range: (u16, u16)) -> std::io::Result<Self> {
        let span = u32::from(range.1.saturating_sub(range.0)).max(2) / 2;
        for _ in 0..64 {
            let port = range.0.saturating_add(((random::u32() % span) * 2) as u16);
            let Ok(rtp) = UdpSocket::bind(SocketAddr::new(ip, port)).await else { continue };
            let Ok(rtcp) = UdpSocket::bind(SocketAddr::new(ip, port.saturating_add(1))).await else { continue };
            return Ok(Self { rtp, rtcp });
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            format!("no free RTP port pair in {}-{}", range.0, range.1),
        ))
    }

    /// The RTP port.
    pub fn port(&self) -> u16 {
        self.rtp.local_addr().map(|a| a.port()).unwrap_or(0)
    }
}

/// Commands to a running call's media.
#[derive(Debug)]
pub(crate) enum MediaCommand {
    Update(Box<Negotiated>),
    Mute(bool),
    Dtmf(char),
    /// Sends these samples (at `rate` Hz) instead of the microphone, then tells `done`.
    Play {
        samples: Vec<i16>,
        rate: u32,
        done: tokio::sync::oneshot::Sender<()>,
    },
    Stop,
}

/// What the media task reports.
#[derive(Debug, Clone)]
pub(crate) enum MediaNotice {
    Dtmf(char),
    Timeout,
    Levels { input_dbfs: f32, output_dbfs: f32 },
    Quality(MediaStats),
}

/// Control of a running media task.
#[derive(Debug, Clone)]
pub(crate) struct MediaHandle {
    commands: mpsc::UnboundedSender<MediaCommand>,
    stats: Arc<Mutex<MediaStats>>,
}

impl MediaHandle {
    pub fn send(&self, command: MediaCommand) {
        let _ = self.commands.send(command);
    }

    pub fn stats(&self) -> MediaStats {
        *self.stats.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Starts the media of a call.
pub(crate) fn spawn(
    ports: PortPair,
    negotiated: Negotiated,
    source: Box<dyn AudioSource>,
    sink: Box<dyn AudioSink>,
    notices: mpsc::UnboundedSender<MediaNotice>,
    rtp_timeout: Duration,
    processing: ProcessingConfig,
) -> Result<MediaHandle, ringdesk_media::MediaError> {
    let cfg = SessionConfig {
        negotiated,
        ssrc: random::u32(),
        first_seq: random::u32() as u16,
        first_timestamp: random::u32(),
        ntp_at_start: ntp_now(),
        cname: format!("ringdesk-{:08x}", random::u32()),
        rtp_timeout,
        rtcp_interval: Duration::from_secs(5),
    };
    let session = MediaSession::new(cfg, Instant::now())?;
    let (tx, rx) = mpsc::unbounded_channel();
    let stats = Arc::new(Mutex::new(session.stats()));
    let device_rate = session.sample_rate();
    let processing = VoiceProcessing::new(processing, device_rate);
    let devices = Devices { source, sink, rate: device_rate };
    tokio::spawn(run(ports, session, devices, rx, notices, stats.clone(), processing));
    Ok(MediaHandle { commands: tx, stats })
}

/// The call's devices and the rate they were opened at.
struct Devices {
    source: Box<dyn AudioSource>,
    sink: Box<dyn AudioSink>,
    rate: u32,
}

/// Converters between the device rate (fixed for the call) and the codec's, which a re-INVITE
/// may change; pass-throughs while they agree.
struct RateBridge {
    codec_rate: u32,
    to_codec: Resampler,
    to_device: Resampler,
    played: std::collections::VecDeque<i16>,
}

impl RateBridge {
    fn new(device_rate: u32, codec_rate: u32) -> Self {
        let make = |from, to| {
            Resampler::new(from, to).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "no resampler; audio passes at the wrong rate");
                Resampler::passthrough()
            })
        };
        Self {
            codec_rate,
            to_codec: make(device_rate, codec_rate),
            to_device: make(codec_rate, device_rate),
            played: std::collections::VecDeque::new(),
        }
    }
}

fn ntp_now() -> u64 {
    let since_unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = since_unix.as_secs() + 2_208_988_800;
    let frac = (u64::from(since_unix.subsec_nanos()) << 32) / 1_000_000_000;
    (secs << 32) | frac
}

async fn run(
    ports: PortPair,
    mut session: MediaSession,
    mut devices: Devices,
    mut commands: mpsc::UnboundedReceiver<MediaCommand>,
    notices: mpsc::UnboundedSender<MediaNotice>,
    stats: Arc<Mutex<MediaStats>>,
    mut processing: Option<VoiceProcessing>,
) {
    let mut clock = tokio::time::interval(Duration::from_millis(10));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let device_frame = frame_len(devices.rate);
    let mut bridge = RateBridge::new(devices.rate, session.sample_rate());
    let mut captured: Vec<i16> = Vec::with_capacity(device_frame * 12);
    let mut frame = vec![0i16; device_frame];
    let mut played = vec![0i16; device_frame];
    let mut codec_out = Vec::with_capacity(device_frame * 6);
    let (mut rtp_buf, mut rtcp_buf) = ([0u8; 2048], [0u8; 2048]);
    let mut muted = false;
    // A message played instead of the microphone: its samples at the device rate, the next one,
    // and whom to tell when it has all gone out.
    let mut playing: Option<(Vec<i16>, usize, tokio::sync::oneshot::Sender<()>)> = None;
    let mut ticks: u64 = 0;
    let (mut peak_in, mut peak_out) = (-100f32, -100f32);
    loop {
        tokio::select! {
            _ = clock.tick() => {
                let now = Instant::now();
                ticks += 1;
                if bridge.codec_rate != session.sample_rate() {
                    bridge = RateBridge::new(devices.rate, session.sample_rate());
                    captured.clear();
                }
                devices.source.read(&mut frame);
                if let Some(p) = processing.as_mut() {
                    p.capture(&mut frame);
                }
                if muted {
                    frame.fill(0);
                }
                if let Some((samples, pos, _)) = playing.as_mut() {
                    for s in frame.iter_mut() {
                        *s = samples.get(*pos).copied().unwrap_or(0);
                        *pos += 1;
                    }
                    if *pos >= samples.len() + device_frame * 20 {
                        // All sent, and 200 ms more for the far end's jitter buffer to play it.
                        if let Some((_, _, done)) = playing.take() {
                            let _ = done.send(());
                        }
                    }
                }
                peak_in = peak_in.max(level_dbfs(&frame));
                bridge.to_codec.process(&frame, &mut captured);
                let spp = session.samples_per_packet();
                while captured.len() >= spp {
                    session.send_audio(now, &captured[..spp]);
                    captured.drain(..spp);
                }
                // Pull 10 ms at the codec's rate until a device frame is ready (one pull when
                // the rates agree).
                let codec_frame = frame_len(session.sample_rate());
                while bridge.played.len() < device_frame {
                    codec_out.clear();
                    codec_out.resize(codec_frame, 0);
                    session.pull_audio(now, &mut codec_out);
                    let mut converted = Vec::with_capacity(device_frame);
                    bridge.to_device.process(&codec_out, &mut converted);
                    bridge.played.extend(converted);
                }
                for (o, s) in played.iter_mut().zip(bridge.played.drain(..device_frame)) {
                    *o = s;
                }
                if let Some(p) = processing.as_mut() {
                    p.render(&played);
                }
                peak_out = peak_out.max(level_dbfs(&played));
                devices.sink.write(&played);
                session.handle_timeout(now);
                if ticks.is_multiple_of(10) {
                    let _ = notices.send(MediaNotice::Levels { input_dbfs: peak_in, output_dbfs: peak_out });
                    (peak_in, peak_out) = (-100.0, -100.0);
                    let s = session.stats();
                    *stats.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = s;
                    if ticks.is_multiple_of(100) {
                        let _ = notices.send(MediaNotice::Quality(s));
                    }
                }
            }
            r = ports.rtp.recv_from(&mut rtp_buf) => {
                if let Ok((n, from)) = r {
                    session.handle_receive(Instant::now(), from, &rtp_buf[..n]);
                }
            }
            r = ports.rtcp.recv_from(&mut rtcp_buf) => {
                if let Ok((n, from)) = r {
                    session.handle_receive(Instant::now(), from, &rtcp_buf[..n]);
                }
            }
            cmd = commands.recv() => match cmd {
                Some(MediaCommand::Update(n)) => {
                    if let Err(e) = session.update(Instant::now(), *n) {
                        tracing::warn!(error = %e, "media update failed");
                    }
                }
                Some(MediaCommand::Mute(m)) => muted = m,
                Some(MediaCommand::Play { samples, rate, done }) => {
                    match ringdesk_media::resample::convert(&samples, rate, devices.rate) {
                        Ok(s) => playing = Some((s, 0, done)),
                        Err(e) => tracing::warn!(error = %e, "the message cannot be played"),
                    }
                }
                Some(MediaCommand::Dtmf(k)) => {
                    if let Err(e) = session.send_dtmf(k) {
                        tracing::debug!(error = %e, "DTMF not sent");
                    }
                }
                Some(MediaCommand::Stop) | None => break,
            },
        }
        while let Some(out) = session.poll_output() {
            match out {
                Output::Transmit { to, data, rtcp } => {
                    let socket = if rtcp && !session.negotiated().rtcp_mux { &ports.rtcp } else { &ports.rtp };
                    let _ = socket.send_to(&data, to).await;
                }
                Output::Event(MediaEvent::Dtmf(k)) => {
                    let _ = notices.send(MediaNotice::Dtmf(k));
                }
                Output::Event(MediaEvent::RtpTimeout) => {
                    let _ = notices.send(MediaNotice::Timeout);
                }
                Output::Event(e) => tracing::debug!(event = ?e, "media event"),
            }
        }
    }
    *stats.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = session.stats();
    devices.sink.finish();
}
