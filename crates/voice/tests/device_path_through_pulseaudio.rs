//! The real audio device path (cpal → ALSA → PulseAudio), smoke-tested without a sound card: a
//! user-mode PulseAudio with a null sink; a 1 kHz tone played to the sink comes back from its
//! monitor through the same resampling and ring buffers a call uses. And the hot-unplug path:
//! the server is killed mid-call and restarted, and the streams are reopened.

use std::process::Command;

use ringdesk_testkit::PulseAudio;

#[test]
fn a_tone_played_into_a_pulseaudio_null_sink_comes_back_from_its_monitor() {
    let pulse = PulseAudio::start().expect("pulseaudio");
    let list = Command::new(env!("CARGO_BIN_EXE_ringdesk-audio-check"))
        .arg("--list")
        .env("PULSE_SERVER", pulse.server())
        .output()
        .expect("runs");
    let devices = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(devices.lines().any(|l| l.starts_with("pulse\t")), "the pulse device is listed:\n{devices}");
    let check = Command::new(env!("CARGO_BIN_EXE_ringdesk-audio-check"))
        .args(["--input", "pulse", "--output", "pulse", "--seconds", "6"])
        .env("PULSE_SERVER", pulse.server())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&check.stdout).into_owned();
    let field = |name: &str| -> f64 {
        text.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    assert!(field("level_dbfs") > -20.0, "the tone is heard back: {text} {}", String::from_utf8_lossy(&check.stderr));
    assert!((field("frequency_hz") - 1000.0).abs() < 50.0, "at 1 kHz: {text}");
    assert!(field("filled") > 0.9, "the device clock keeps the ring fed: {text}");
}

/// `second N: level X dBFS, filled F` lines from ringdesk-audio-check's stdout: how much of each
/// second of microphone audio was real (non-silent) samples.
fn filled_per_second(stdout: &str) -> Vec<f64> {
    stdout
        .lines()
        .filter(|l| l.starts_with("second "))
        .filter_map(|l| l.rsplit("filled ").next().and_then(|v| v.trim().parse().ok()))
        .collect()
}

#[test]
fn the_device_path_recovers_when_the_sound_server_vanishes_mid_call() {
    let mut pulse = PulseAudio::start().expect("pulseaudio");
    let check = Command::new(env!("CARGO_BIN_EXE_ringdesk-audio-check"))
        .args(["--input", "pulse", "--output", "pulse", "--seconds", "14"])
        .env("PULSE_SERVER", pulse.server())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    // The devices go away 5 s into the "call" and come back 2 s later.
    std::thread::sleep(std::time::Duration::from_secs(5));
    pulse.restart_after(std::time::Duration::from_secs(2)).expect("pulseaudio comes back");
    let out = check.wait_with_output().expect("finishes");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let tail: String = stderr.lines().rev().take(20).collect::<Vec<_>>().join("\n");
    assert!(out.status.success(), "the call survived the device loss; stderr ends with:\n{tail}");
    let filled = filled_per_second(&stdout);
    assert_eq!(filled.len(), 14, "one line per second: {stdout}\nstderr ends with:\n{tail}");
    assert!(filled[3] > 0.9, "the tone was heard before the loss: {filled:?}");
    assert!(filled[5..8].iter().any(|f| *f < 0.5), "the loss was real (silence while the server was gone): {filled:?}");
    assert!(
        filled[11..].iter().all(|f| *f > 0.9),
        "the devices were reopened and the tone is heard again: {filled:?}\n{tail}"
    );
}
