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

/// `second N: level X dBFS, ...` lines: each second's level.
fn level_per_second(stdout: &str) -> Vec<f64> {
    stdout
        .lines()
        .filter(|l| l.starts_with("second "))
        .filter_map(|l| l.split("level ").nth(1)?.split_whitespace().next()?.parse().ok())
        .collect()
}

/// `pactl list short KIND` rows, split at tabs.
fn pactl_rows(server: &str, kind: &str) -> Vec<Vec<String>> {
    let out = Command::new("pactl").args(["-s", server, "list", "short", kind]).output().expect("pactl runs");
    String::from_utf8_lossy(&out.stdout).lines().map(|l| l.split('\t').map(str::to_string).collect()).collect()
}

/// A headset and speakers: two PulseAudio null sinks. cpal 0.16 lists only ALSA's built-in
/// names (`default`, `pipewire`, `pulse`, `jack`, `oss`) and sound cards, and this machine has
/// no cards and no PipeWire, so the test's ALSA config gives the name `pipewire` to the second
/// sink. A tone plays into the headset (`pulse`) and comes back from its monitor (the
/// "microphone"). 5 s in, the speaker is switched to the speakers, as the in-call picker does:
/// the tone leaves the headset (silence on its monitor), the app's stream is on the speakers'
/// sink, and the microphone's stream is still the same one. At 9 s it is switched back and the
/// tone returns.
#[test]
fn switching_the_speaker_mid_call_moves_the_audio_and_keeps_the_microphone_open() {
    let pulse = PulseAudio::start().expect("pulseaudio");
    let server = pulse.server();
    let loaded = Command::new("pactl")
        .args(["-s", &server, "load-module", "module-null-sink", "sink_name=ringdesk_speakers"])
        .output()
        .expect("pactl runs");
    assert!(loaded.status.success(), "a second sink: {}", String::from_utf8_lossy(&loaded.stderr));
    let home = tempfile::tempdir().expect("home");
    std::fs::write(home.path().join(".asoundrc"), "pcm.pipewire { type pulse device \"ringdesk_speakers\" }\n")
        .expect("an ALSA device for the second sink");
    let check = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ringdesk-audio-check"));
        c.args(args).env("PULSE_SERVER", &server).env("HOME", home.path());
        c
    };
    let list = check(&["--list"]).output().expect("runs");
    let devices = String::from_utf8_lossy(&list.stdout).into_owned();
    for name in ["pulse", "pipewire"] {
        assert!(devices.lines().any(|l| l.starts_with(&format!("{name}\t"))), "{name} is listed:\n{devices}");
    }

    let run = check(&[
        "--input",
        "pulse",
        "--output",
        "pulse",
        "--seconds",
        "15",
        "--switch-output",
        "5:pipewire",
        "--switch-output",
        "9:pulse",
    ])
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .expect("runs");
    let sink_index = |name: &str| {
        pactl_rows(&server, "sinks")
            .into_iter()
            .find(|r| r.get(1).is_some_and(|n| n == name))
            .and_then(|r| r.first().cloned())
            .unwrap_or_else(|| panic!("sink {name} exists"))
    };
    let (headset, speakers) = (sink_index("ringdesk_null"), sink_index("ringdesk_speakers"));
    // Which sink the app plays to, and which recording stream is the app's, 4 s and 7 s in.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let before = (pactl_rows(&server, "sink-inputs"), pactl_rows(&server, "source-outputs"));
    std::thread::sleep(std::time::Duration::from_secs(3));
    let after = (pactl_rows(&server, "sink-inputs"), pactl_rows(&server, "source-outputs"));
    let out = run.wait_with_output().expect("finishes");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let tail: String = stderr.lines().rev().take(20).collect::<Vec<_>>().join("\n");
    assert!(out.status.success(), "the check ran; stderr ends with:\n{tail}");

    let sinks_of = |rows: &[Vec<String>]| rows.iter().filter_map(|r| r.get(1).cloned()).collect::<Vec<_>>();
    assert_eq!(sinks_of(&before.0), vec![headset.clone()], "before the switch the app plays to the headset");
    assert_eq!(sinks_of(&after.0), vec![speakers], "after the switch the app plays to the speakers");
    let ids = |rows: &[Vec<String>]| rows.iter().filter_map(|r| r.first().cloned()).collect::<Vec<_>>();
    assert_eq!(ids(&before.1).len(), 1, "one microphone stream: {:?}", before.1);
    assert_eq!(ids(&before.1), ids(&after.1), "the microphone's stream was not reopened by a new speaker");

    let levels = level_per_second(&stdout);
    assert_eq!(levels.len(), 15, "one line per second: {stdout}\n{tail}");
    assert!(levels[3..5].iter().all(|l| *l > -20.0), "the headset played the tone before the switch: {levels:?}");
    assert!(levels[6..9].iter().all(|l| *l < -60.0), "after the switch nothing plays into the headset: {levels:?}");
    assert!(levels[10..].iter().all(|l| *l > -20.0), "switched back, the tone is in the headset again: {levels:?}");
}
