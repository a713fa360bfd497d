//! Real audio devices through cpal: the agent's headset or speakers.
//!
//! cpal streams are not `Send` on every platform, so each call's streams live on their own
//! thread; the call's [`AudioSource`] and [`AudioSink`] talk to it through ring buffers. The
//! device runs at its own rate (often 48 kHz) with a fixed 10 ms buffer (cpal #1250, #1029: the
//! default buffer size can mean seconds of latency on PipeWire's ALSA plugin); rubato resamples
//! to and from the call's rate (8 kHz for G.711, 16 kHz for G.722 and Opus) in 10 ms chunks.
//! When a device errors (unplugged, or the sound server went away) or a stream stops calling
//! back (some drivers retry forever without an error), the thread reopens every second: the
//! chosen device if it is back, else the system default. The old streams are released on a
//! thread of their own and their callbacks stop touching the call's audio. The call carries on
//! with silence meanwhile.
//!
//! The agent can switch devices during a call ([`CpalDevices::choose`]): the calls' threads see
//! the new choice within 50 ms and reopen only the side that changed, so a new speaker does not
//! cut the microphone (the ALSA pulse plugin takes about 2 s to deliver from a new capture).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rubato::{FftFixedInOut, Resampler};

use crate::audio::{AudioDevices, AudioSink, AudioSource, frame_len};

/// One audio device as the settings page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The name to choose it by.
    pub name: String,
    /// It can capture.
    pub input: bool,
    /// It can play.
    pub output: bool,
}

/// Lists the devices of the default host (on Linux: ALSA, which reaches PulseAudio and PipeWire
/// through their plugins as `pulse`, `pipewire` and `default`).
pub fn list_devices() -> Vec<DeviceInfo> {
    let host = cpal::default_host();
    let mut out: Vec<DeviceInfo> = Vec::new();
    let mut add = |name: String, input: bool| match out.iter_mut().find(|d| d.name == name) {
        Some(d) => {
            d.input |= input;
            d.output |= !input;
        }
        None => out.push(DeviceInfo { name, input, output: !input }),
    };
    if let Ok(devs) = host.input_devices() {
        for d in devs {
            if let Ok(n) = d.name() {
                add(n, true);
            }
        }
    }
    if let Ok(devs) = host.output_devices() {
        for d in devs {
            if let Ok(n) = d.name() {
                add(n, false);
            }
        }
    }
    out
}

/// Opens the chosen (or default) microphone and speaker for each call. Clones share the
/// choice: [`CpalDevices::choose`] on any of them switches every call's devices.
#[derive(Debug, Clone, Default)]
pub struct CpalDevices {
    choice: Arc<Choice>,
}

/// The devices chosen (names; `None` for the system default), and a count of changes.
#[derive(Debug, Default)]
struct Choice {
    names: Mutex<(Option<String>, Option<String>)>,
    version: AtomicU64,
}

impl Choice {
    fn get(&self) -> Chosen {
        // Read under the lock: a version read with names from before the change would hide it.
        let names = lock(&self.names);
        Chosen { version: self.version.load(Ordering::Acquire), input: names.0.clone(), output: names.1.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Chosen {
    version: u64,
    input: Option<String>,
    output: Option<String>,
}

impl CpalDevices {
    /// The microphone and speaker by name; `None` for the system default.
    pub fn new(input: Option<String>, output: Option<String>) -> Self {
        let devices = Self::default();
        *lock(&devices.choice.names) = (input, output);
        devices
    }

    /// Switches to these devices: calls running now move to them at once (the side that
    /// changed is reopened), and later calls open them.
    pub fn choose(&self, input: Option<String>, output: Option<String>) {
        let mut names = lock(&self.choice.names);
        if *names != (input.clone(), output.clone()) {
            *names = (input, output);
            self.choice.version.fetch_add(1, Ordering::Release);
        }
    }

    /// The chosen microphone and speaker.
    pub fn chosen(&self) -> (Option<String>, Option<String>) {
        lock(&self.choice.names).clone()
    }
}

/// Ring buffers shared between a call and its device thread, at the call's rate.
#[derive(Debug, Default)]
struct Rings {
    rate: u32,
    captured: Mutex<VecDeque<i16>>,
    to_play: Mutex<VecDeque<i16>>,
    stop: AtomicBool,
    device_lost: AtomicBool,
    /// Bumped at each reopen of that side: callbacks of older streams (one a driver has not let
    /// go of) no longer touch the rings.
    input_generation: AtomicU64,
    output_generation: AtomicU64,
    /// Callbacks seen, input and output: a stream that stops calling back is stalled.
    input_beats: AtomicU64,
    output_beats: AtomicU64,
}

impl Rings {
    /// At most this much audio waits in a ring (older samples are dropped): 200 ms.
    fn cap(&self) -> usize {
        self.rate as usize / 5
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct CpalSource(Arc<Rings>);
struct CpalSink(Arc<Rings>);

impl AudioSource for CpalSource {
    fn read(&mut self, out: &mut [i16]) {
        let mut ring = lock(&self.0.captured);
        for s in out.iter_mut() {
            *s = ring.pop_front().unwrap_or(0);
        }
    }
}

impl AudioSink for CpalSink {
    fn write(&mut self, samples: &[i16]) {
        let mut ring = lock(&self.0.to_play);
        ring.extend(samples.iter().copied());
        let excess = ring.len().saturating_sub(self.0.cap());
        ring.drain(..excess);
    }

    fn finish(&mut self) {
        self.0.stop.store(true, Ordering::Relaxed);
    }
}

impl Drop for CpalSink {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::Relaxed);
    }
}

impl AudioDevices for CpalDevices {
    fn open(&self, _label: &str, rate: u32) -> (Box<dyn AudioSource>, Box<dyn AudioSink>) {
        let rings = Arc::new(Rings { rate, ..Rings::default() });
        let thread_rings = rings.clone();
        let choice = self.choice.clone();
        let spawned = std::thread::Builder::new()
            .name("ringdesk-audio".into())
            .spawn(move || device_thread(thread_rings, choice));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start the audio thread; the call is silent");
        }
        (Box::new(CpalSource(rings.clone())), Box::new(CpalSink(rings)))
    }
}

/// The named device, or the system default when it is not there (unplugged), or when no name
/// is given.
fn find(host: &cpal::Host, name: Option<&str>, input: bool) -> Option<cpal::Device> {
    let named = name.and_then(|n| {
        let mut devs = if input { host.input_devices().ok()? } else { host.output_devices().ok()? };
        devs.find(|d| d.name().is_ok_and(|x| x == n))
    });
    match named {
        Some(d) => Some(d),
        None if input => host.default_input_device(),
        None => host.default_output_device(),
    }
}

/// A stream that has not called back for this long, after the start-up grace, is stalled: some
/// drivers (ALSA's pulse plugin when the server dies) retry forever without reporting an error.
const STALL: Duration = Duration::from_millis(1500);
/// The ALSA pulse plugin takes about 2 s to start delivering.
const GRACE: Duration = Duration::from_secs(3);

fn device_thread(rings: Arc<Rings>, choice: Arc<Choice>) {
    let host = cpal::default_host();
    let mut chosen = choice.get();
    let (mut input, mut output): (Option<cpal::Stream>, Option<cpal::Stream>) = (None, None);
    let mut reopen = (true, true);
    while !rings.stop.load(Ordering::Relaxed) {
        rings.device_lost.store(false, Ordering::Relaxed);
        if reopen.0 {
            input = find(&host, chosen.input.as_deref(), true).and_then(|d| open_input(&d, rings.clone()));
        }
        if reopen.1 {
            output = find(&host, chosen.output.as_deref(), false).and_then(|d| open_output(&d, rings.clone()));
        }
        if input.is_none() || output.is_none() {
            tracing::warn!(input = ?chosen.input, output = ?chosen.output, "an audio device could not be opened; retrying in a second");
        }
        // Run until the call ends, a device fails, a stream stalls, or the agent switches.
        let opened = std::time::Instant::now();
        let mut beats = (0, 0);
        let mut beat_at = opened;
        let mut switched = false;
        while !rings.stop.load(Ordering::Relaxed) && !rings.device_lost.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(50));
            if choice.version.load(Ordering::Acquire) != chosen.version {
                switched = true;
                break;
            }
            if input.is_none() || output.is_none() {
                break;
            }
            let now = (rings.input_beats.load(Ordering::Relaxed), rings.output_beats.load(Ordering::Relaxed));
            if now.0 != beats.0 && now.1 != beats.1 {
                beats = now;
                beat_at = std::time::Instant::now();
            } else if opened.elapsed() > GRACE && beat_at.elapsed() > STALL {
                tracing::warn!("an audio stream stopped calling back; reopening the devices");
                break;
            }
        }
        if rings.stop.load(Ordering::Relaxed) {
            drop((input, output));
            break;
        }
        if switched {
            // Only the side that changed moves; the other keeps running.
            let next = choice.get();
            reopen = (next.input != chosen.input, next.output != chosen.output);
            tracing::info!(input = ?next.input, output = ?next.output, "switching the call's audio devices");
            chosen = next;
            if reopen.0 {
                rings.input_generation.fetch_add(1, Ordering::Relaxed);
                release((input.take(), None));
            }
            if reopen.1 {
                rings.output_generation.fetch_add(1, Ordering::Relaxed);
                release((None, output.take()));
            }
            continue;
        }
        // Lost, stalled or missing: older callbacks stop touching the rings, and the streams are
        // let go of on a thread of their own (a stuck driver can block a drop for good).
        rings.input_generation.fetch_add(1, Ordering::Relaxed);
        rings.output_generation.fetch_add(1, Ordering::Relaxed);
        release((input.take(), output.take()));
        reopen = (true, true);
        // Try again shortly: the chosen device if it is back, else the default.
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Drops streams off this thread (on Linux, where cpal's ALSA streams are `Send`; elsewhere
/// they are not, and are dropped here).
#[cfg(target_os = "linux")]
fn release(streams: (Option<cpal::Stream>, Option<cpal::Stream>)) {
    let spawned = std::thread::Builder::new().name("ringdesk-audio-release".into()).spawn(move || drop(streams));
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "no thread to release the old audio streams");
    }
}

#[cfg(not(target_os = "linux"))]
fn release(streams: (Option<cpal::Stream>, Option<cpal::Stream>)) {
    drop(streams);
}

fn stream_config(device: &cpal::Device, input: bool) -> Option<(cpal::StreamConfig, cpal::SampleFormat)> {
    let supported = if input { device.default_input_config() } else { device.default_output_config() };
    let supported = supported.map_err(|e| tracing::warn!(error = %e, input, "no default stream config")).ok()?;
    let rate = supported.sample_rate().0;
    // About 10 ms, rounded up to a power of two (ALSA plugins refuse other sizes, cpal #1250).
    let want = (rate / 100).next_power_of_two();
    let buffer_size = match supported.buffer_size() {
        cpal::SupportedBufferSize::Range { min, max } if (*min..=*max).contains(&want) => cpal::BufferSize::Fixed(want),
        cpal::SupportedBufferSize::Unknown => cpal::BufferSize::Fixed(want),
        _ => cpal::BufferSize::Default,
    };
    Some((
        cpal::StreamConfig { channels: supported.channels(), sample_rate: supported.sample_rate(), buffer_size },
        supported.sample_format(),
    ))
}

fn open_input(device: &cpal::Device, rings: Arc<Rings>) -> Option<cpal::Stream> {
    let (config, format) = stream_config(device, true)?;
    let rate = config.sample_rate.0 as usize;
    let channels = usize::from(config.channels);
    let chunk = rate / 100;
    let call_rate = rings.rate as usize;
    let mut resampler = FftFixedInOut::<f32>::new(rate, call_rate, chunk, 1)
        .map_err(|e| tracing::warn!(error = %e, rate, "no resampler for the microphone"))
        .ok()?;
    let mut pending: Vec<f32> = Vec::with_capacity(chunk * 2);
    let lost = rings.clone();
    let generation = rings.input_generation.load(Ordering::Relaxed);
    let on_samples = move |mono: &mut dyn Iterator<Item = f32>| {
        if rings.input_generation.load(Ordering::Relaxed) != generation {
            return;
        }
        rings.input_beats.fetch_add(1, Ordering::Relaxed);
        pending.extend(mono);
        while pending.len() >= chunk {
            let block: Vec<f32> = pending.drain(..chunk).collect();
            if let Ok(out) = resampler.process(&[block], None) {
                let mut ring = lock(&rings.captured);
                ring.extend(out[0].iter().map(|&v| (v.clamp(-1.0, 1.0) * 32767.0) as i16));
                let excess = ring.len().saturating_sub(rings.cap());
                ring.drain(..excess);
            }
        }
    };
    // A dead device can report the same error thousands of times a second until the stream is
    // dropped: say it once per loss.
    let err = move |e: cpal::StreamError| {
        if lost.input_generation.load(Ordering::Relaxed) == generation
            && !lost.device_lost.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(error = %e, "microphone stream failed");
        }
    };
    let err = Arc::new(err);
    let err = move || {
        let e = err.clone();
        move |x: cpal::StreamError| e(x)
    };
    let on_samples = Arc::new(Mutex::new(on_samples));
    let build = |config: &cpal::StreamConfig| {
        let (cb, err) = (on_samples.clone(), err());
        match format {
            cpal::SampleFormat::F32 => device.build_input_stream(
                config,
                move |data: &[f32], _: &cpal::InputCallbackInfo| {
                    lock(&cb)(&mut data.chunks(channels).map(|f| f[0]));
                },
                err,
                None,
            ),
            cpal::SampleFormat::I16 => device.build_input_stream(
                config,
                move |data: &[i16], _: &cpal::InputCallbackInfo| {
                    lock(&cb)(&mut data.chunks(channels).map(|f| f32::from(f[0]) / 32768.0));
                },
                err,
                None,
            ),
            other => Err(cpal::BuildStreamError::BackendSpecific {
                err: cpal::BackendSpecificError { description: format!("unsupported sample format {other:?}") },
            }),
        }
    };
    let stream = build(&config)
        .or_else(|_| build(&cpal::StreamConfig { buffer_size: cpal::BufferSize::Default, ..config.clone() }))
        .map_err(|e| tracing::warn!(error = %e, ?config, "could not open the audio stream"))
        .ok()?;
    stream.play().map_err(|e| tracing::warn!(error = %e, "could not start the audio stream")).ok()?;
    Some(stream)
}

fn open_output(device: &cpal::Device, rings: Arc<Rings>) -> Option<cpal::Stream> {
    let (config, format) = stream_config(device, false)?;
    let rate = config.sample_rate.0 as usize;
    let channels = usize::from(config.channels);
    let frame = frame_len(rings.rate);
    let mut resampler = FftFixedInOut::<f32>::new(rings.rate as usize, rate, frame, 1)
        .map_err(|e| tracing::warn!(error = %e, rate, "no resampler for the speaker"))
        .ok()?;
    let mut ready: VecDeque<f32> = VecDeque::new();
    let lost = rings.clone();
    let generation = rings.output_generation.load(Ordering::Relaxed);
    let next_sample = move || -> f32 {
        if rings.output_generation.load(Ordering::Relaxed) != generation {
            return 0.0;
        }
        if ready.is_empty() {
            rings.output_beats.fetch_add(1, Ordering::Relaxed);
            let frame: Vec<f32> = {
                let mut ring = lock(&rings.to_play);
                (0..frame).map(|_| f32::from(ring.pop_front().unwrap_or(0)) / 32768.0).collect()
            };
            if let Ok(out) = resampler.process(&[frame], None) {
                ready.extend(out[0].iter().copied());
            }
        }
        ready.pop_front().unwrap_or(0.0)
    };
    // A dead device can report the same error thousands of times a second until the stream is
    // dropped: say it once per loss.
    let err = move |e: cpal::StreamError| {
        if lost.output_generation.load(Ordering::Relaxed) == generation
            && !lost.device_lost.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(error = %e, "speaker stream failed");
        }
    };
    let err = Arc::new(err);
    let err = move || {
        let e = err.clone();
        move |x: cpal::StreamError| e(x)
    };
    let next_sample = Arc::new(Mutex::new(next_sample));
    let build = |config: &cpal::StreamConfig| {
        let (next, err) = (next_sample.clone(), err());
        match format {
            cpal::SampleFormat::F32 => device.build_output_stream(
                config,
                move |data: &mut [f32], _: &cpal::OutputCallbackInfo| {
                    let mut next = lock(&next);
                    for frame in data.chunks_mut(channels) {
                        frame.fill(next());
                    }
                },
                err,
                None,
            ),
            cpal::SampleFormat::I16 => device.build_output_stream(
                config,
                move |data: &mut [i16], _: &cpal::OutputCallbackInfo| {
                    let mut next = lock(&next);
                    for frame in data.chunks_mut(channels) {
                        frame.fill((next().clamp(-1.0, 1.0) * 32767.0) as i16);
                    }
                },
                err,
                None,
            ),
            other => Err(cpal::BuildStreamError::BackendSpecific {
                err: cpal::BackendSpecificError { description: format!("unsupported sample format {other:?}") },
            }),
        }
    };
    let stream = build(&config)
        .or_else(|_| build(&cpal::StreamConfig { buffer_size: cpal::BufferSize::Default, ..config.clone() }))
        .map_err(|e| tracing::warn!(error = %e, ?config, "could not open the audio stream"))
        .ok()?;
    stream.play().map_err(|e| tracing::warn!(error = %e, "could not start the audio stream")).ok()?;
    Some(stream)
}
