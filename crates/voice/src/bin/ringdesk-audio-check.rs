//! Lists audio devices, and checks a device path end to end: plays a 1 kHz tone on the speaker
//! and listens on the microphone through the same call plumbing a call uses (resampling, ring
//! buffers, 10 ms frames). With a PulseAudio null sink as speaker and its monitor as microphone,
//! the tone comes back; on a real machine, hold the headset's mic to its earpiece.
//!
//! `ringdesk-audio-check [--input NAME] [--output NAME] [--seconds N] [--switch-output S:NAME]...`
//!
//! `--switch-output S:NAME` switches the speaker to NAME S seconds in, as the in-call picker
//! does (repeatable; `default` for the system default).

use std::time::{Duration, Instant};

use ringdesk_voice::audio::{AudioDevices, frame_len, level_dbfs};

const FRAME: usize = frame_len(8000);
use ringdesk_voice::cpal_devices::{CpalDevices, list_devices};

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    if args.iter().any(|a| a == "--list") {
        for d in list_devices() {
            println!("{}\t{}{}", d.name, if d.input { "in " } else { "" }, if d.output { "out" } else { "" });
        }
        return;
    }
    let seconds: u64 = value("--seconds").and_then(|s| s.parse().ok()).unwrap_or(5).max(3);
    let input = value("--input");
    let devices = CpalDevices::new(input.clone(), value("--output"));
    let mut switches: Vec<(f64, Option<String>)> = args
        .windows(2)
        .filter(|w| w[0] == "--switch-output")
        .filter_map(|w| {
            let (at, name) = w[1].split_once(':')?;
            Some((at.parse().ok()?, (name != "default").then(|| name.to_string())))
        })
        .collect();
    switches.sort_by(|a, b| a.0.total_cmp(&b.0));
    switches.reverse();
    let (mut mic, mut speaker) = devices.open("check", 8000);
    let start = Instant::now();
    let mut tick = Instant::now();
    let mut heard: Vec<i16> = Vec::new();
    let mut n = 0usize;
    while start.elapsed() < Duration::from_secs(seconds) {
        if switches.last().is_some_and(|(at, _)| start.elapsed().as_secs_f64() >= *at) {
            let (at, output) = switches.pop().expect("a switch is due");
            eprintln!("switching the speaker to {output:?} at {at} s");
            devices.choose(input.clone(), output);
        }
        let tone: Vec<i16> = (n..n + FRAME)
            .map(|i| ((i as f64 * 2.0 * std::f64::consts::PI * 1000.0 / 8000.0).sin() * 12000.0) as i16)
            .collect();
        n += FRAME;
        speaker.write(&tone);
        let mut frame = [0i16; FRAME];
        mic.read(&mut frame);
        heard.extend_from_slice(&frame);
        tick += Duration::from_millis(10);
        std::thread::sleep(tick.saturating_duration_since(Instant::now()));
    }
    speaker.finish();
    // Per second, on stdout: stderr also carries the sound system's own messages.
    for (i, second) in heard.chunks(8000).enumerate() {
        let filled = second.iter().filter(|s| **s != 0).count() as f64 / second.len() as f64;
        println!("second {i}: level {:.1} dBFS, filled {filled:.2}", level_dbfs(second));
    }
    // Skip the first 2.5 s (the ALSA pulse plugin ramps up for about 2 s), then measure the
    // level and the tone's frequency.
    let tail = &heard[heard.len().min(20_000)..];
    let level = level_dbfs(tail);
    let crossings = tail.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count();
    let freq = crossings as f64 / 2.0 / (tail.len() as f64 / 8000.0);
    let nonzero = tail.iter().filter(|s| **s != 0).count() as f64 / tail.len().max(1) as f64;
    println!("level_dbfs={level:.1} frequency_hz={freq:.0} filled={nonzero:.2}");
}
