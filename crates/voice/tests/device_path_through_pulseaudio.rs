//! The real audio device path (cpal → ALSA → PulseAudio), smoke-tested without a sound card: a
//! user-mode PulseAudio with a null sink; a 1 kHz tone played to the sink comes back from its
//! monitor through the same resampling and ring buffers a call uses.

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
