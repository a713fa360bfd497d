//! Voice engine numbers against real peers, release build, each beside its anchor measured in the
//! same run (BENCHMARKS.md). Run through `scripts/bench-voice.sh`, which also scores the WAVs
//! this writes with PESQ.
//!
//! - INVITE→200 through Kamailio with digest auth: Ringdesk → baresip, anchored by baresip →
//!   baresip through the same proxy.
//! - CPU per active G.711 call: Ringdesk's process vs a calling baresip (both playing into a
//!   PulseAudio null sink's clock: baresip's speaker is the null sink, Ringdesk's is a WAV sink
//!   on its own 10 ms clock), over the same length of call.
//! - Engine memory per call: Ringdesk's RSS with four calls up, against its RSS idle.
//! - Mouth-to-ear through a SIPp RTP echo, RTP send pacing (inter-departure at a relay).
//! - WAVs for PESQ: clean both directions, and 3 % random loss on the return path.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ringdesk_media::codec::CodecKind;
use ringdesk_media::srtp::SrtpPolicy;
use ringdesk_testkit::{
    AnswerMode, Baresip, Impairment, Kamailio, PulseAudio, Sipp, UdpRelay, cpu_seconds, free_port_block, read_wav,
    rss_bytes, similarity, sipp_uas_scenario_at, write_wav,
};
use ringdesk_voice::audio::WavDevices;
use ringdesk_voice::processing::ProcessingConfig;
use ringdesk_voice::{Account, CallId, CallState, Phone, PhoneConfig, PhoneEvent, RegistrationState, Transport};
use tokio::sync::mpsc::UnboundedReceiver;

fn account(registrar: &str, user: &str) -> Account {
    Account {
        registrar: registrar.into(),
        domain: "127.0.0.1".into(),
        username: user.into(),
        password: format!("{user}pw"),
        expires: 300,
        transport: Transport::Udp,
    }
}

async fn wait(
    events: &mut UnboundedReceiver<PhoneEvent>,
    pred: impl Fn(&PhoneEvent) -> bool,
) -> Result<PhoneEvent, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout(deadline.saturating_duration_since(Instant::now()), events.recv()).await {
            Ok(Some(e)) if pred(&e) => return Ok(e),
            Ok(Some(e)) => {
                if !matches!(e, PhoneEvent::Levels { .. } | PhoneEvent::Quality { .. }) {
                    seen.push(format!("{e:?}"));
                }
            }
            _ => return Err(format!("timed out waiting for a phone event; saw {seen:?}")),
        }
    }
}

fn active(call: &CallId) -> impl Fn(&PhoneEvent) -> bool {
    let call = call.clone();
    move |e| matches!(e, PhoneEvent::CallState { call: c, state: CallState::Active } if *c == call)
}

fn ended(call: &CallId) -> impl Fn(&PhoneEvent) -> bool {
    let call = call.clone();
    move |e| matches!(e, PhoneEvent::CallState { call: c, state: CallState::Ended(_) | CallState::Failed(_) } if *c == call)
}

/// Real speech for PESQ (which is meant for speech, not synthetic tones): espeak-ng, resampled to
/// 8 kHz mono by sox, padded with itself to 40 s.
fn spoken_wav(out: &Path, wav: &Path) -> Result<(), String> {
    let raw = out.join("espeak.wav");
    let text = "The quick brown fox jumps over the lazy dog. Please call me back tomorrow morning about the \
                renewal of your contract. Our team can offer a better price if you sign before the end of \
                the month. Thank you for your time, and have a wonderful day.";
    let ok = std::process::Command::new("espeak-ng")
        .args(["-s", "150", "-w"])
        .arg(&raw)
        .arg(text)
        .status()
        .map_err(|e| format!("espeak-ng: {e}"))?;
    if !ok.success() {
        return Err("espeak-ng failed".into());
    }
    let mono = out.join("espeak-8k.wav");
    let ok = std::process::Command::new("sox")
        .arg(&raw)
        .args(["-r", "8000", "-c", "1", "-b", "16"])
        .arg(&mono)
        .status()
        .map_err(|e| format!("sox: {e}"))?;
    if !ok.success() {
        return Err("sox failed".into());
    }
    let speech = read_wav(&mono)?;
    let padded: Vec<i16> = speech.iter().copied().cycle().take(40 * 8000).collect();
    write_wav(wav, 8000, &padded)
}

/// CPU per active Opus call with echo cancellation and noise suppression, against a baresip
/// caller on Opus (both with a clocked PulseAudio speaker, no AEC on baresip's).
async fn opus_cpu(
    out: &Path,
    reference: &[i16],
    wav: &Path,
    reg: &str,
    pulse: &PulseAudio,
    window: Duration,
) -> Result<(), String> {
    let me = std::process::id();
    let wav48 = out.join("reference-48k.wav");
    write_wav(&wav48, 48_000, &ringdesk_media::resample::convert(reference, 8000, 48_000).map_err(|e| e.to_string())?)?;
    let opus = "opus/48000/1";
    let grace = Baresip::start_full("grace", reg, &wav48, AnswerMode::Auto, false, Some(&pulse.server()), opus)?;
    grace.wait_registered(Duration::from_secs(5))?;
    let mut frank_b = Baresip::start_full("frank", reg, &wav48, AnswerMode::Auto, false, Some(&pulse.server()), opus)?;
    frank_b.wait_registered(Duration::from_secs(5))?;
    let aec = ProcessingConfig { echo_cancellation: true, noise_suppression: true };
    let (frank, mut frank_events) = phone_with(wav, &out.join("frank"), vec![CodecKind::Opus], aec).await?;
    frank.add_line("main", account(reg, "frank")).map_err(|e| e.to_string())?;
    wait(&mut frank_events, |e| {
        matches!(e, PhoneEvent::Registration { state: RegistrationState::Registered { .. }, .. })
    })
    .await?;
    let c0 = cpu_seconds(me).ok_or("no /proc")?;
    tokio::time::sleep(window).await;
    let idle = cpu_seconds(me).ok_or("no /proc")? - c0;
    let call = frank.dial("main", "grace").await.map_err(|e| e.to_string())?;
    wait(&mut frank_events, active(&call)).await.map_err(|e| format!("{e}; grace's log:\n{}", grace.log()))?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let c1 = cpu_seconds(me).ok_or("no /proc")?;
    tokio::time::sleep(window).await;
    let in_call = cpu_seconds(me).ok_or("no /proc")? - c1;
    let codec = frank.stats(&call).map_err(|e| e.to_string())?.codec;
    frank.hang_up(&call).await.map_err(|e| e.to_string())?;
    wait(&mut frank_events, ended(&call)).await?;
    frank.shutdown();
    let b_idle0 = cpu_seconds(frank_b.pid()).ok_or("no /proc")?;
    tokio::time::sleep(window).await;
    let b_idle = cpu_seconds(frank_b.pid()).ok_or("no /proc")? - b_idle0;
    frank_b.command("dial", &format!("sip:grace@{reg}"))?;
    frank_b.wait_event("CALL_ESTABLISHED", Duration::from_secs(8))?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let b0 = cpu_seconds(frank_b.pid()).ok_or("no /proc")?;
    tokio::time::sleep(window).await;
    let baresip_call = cpu_seconds(frank_b.pid()).ok_or("no /proc")? - b0;
    frank_b.command("hangup", "")?;
    let _ = frank_b.wait_event("CALL_CLOSED", Duration::from_secs(5));
    let ours_pct = (in_call - idle).max(0.0) / window.as_secs_f64() * 100.0;
    let theirs_pct = (baresip_call - b_idle).max(0.0) / window.as_secs_f64() * 100.0;
    println!(
        "CPU per active Opus call with AEC+NS ({codec:?}, 15 s, minus idle): Ringdesk {ours_pct:.2} % of one core | baresip caller on Opus, no AEC {theirs_pct:.2} % | ratio {:.2}",
        if theirs_pct > 0.0 { ours_pct / theirs_pct } else { f64::NAN }
    );

    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn phone(
    wav: &Path,
    out: &Path,
    codecs: Vec<CodecKind>,
) -> Result<(Phone, UnboundedReceiver<PhoneEvent>), String> {
    phone_with(wav, out, codecs, ProcessingConfig::default()).await
}

async fn phone_with(
    wav: &Path,
    out: &Path,
    codecs: Vec<CodecKind>,
    processing: ProcessingConfig,
) -> Result<(Phone, UnboundedReceiver<PhoneEvent>), String> {
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    let cfg = PhoneConfig {
        sip_bind: "127.0.0.1:0".parse().map_err(|_| "addr")?,
        tcp: false,
        media_ip: "127.0.0.1".parse().map_err(|_| "ip")?,
        rtp_ports: (10_000, 19_998),
        codecs,
        srtp: SrtpPolicy::Off,
        devices: Arc::new(WavDevices { input: wav.to_path_buf(), output_dir: out.to_path_buf() }),
        rtp_timeout: Duration::from_secs(30),
        ring_timeout: None,
        processing,
        extra_tls_roots: None,
    };
    Phone::start(cfg).await.map_err(|e| e.to_string())
}

fn newest_wav(dir: &Path) -> Result<PathBuf, String> {
    std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "wav"))
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .ok_or_else(|| format!("no recording in {}", dir.display()))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let out = PathBuf::from(std::env::var("VOICE_BENCH_OUT").unwrap_or_else(|_| "target/voice-bench".into()));
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    // Absolute: baresip reads the files from its own working directory.
    let out = std::fs::canonicalize(&out).map_err(|e| e.to_string())?;
    let wav = out.join("reference.wav");
    spoken_wav(&out, &wav)?;
    let reference = read_wav(&wav)?;
    let pulse = PulseAudio::start()?;
    let kam = Kamailio::start()?;
    let reg = kam.addr();
    // bob answers at once (ALSA null speaker) for call set-up times; dave plays into the
    // PulseAudio null sink, a clocked device, for CPU and audio figures.
    let bob = Baresip::start("bob", &reg, &wav, AnswerMode::Auto, false)?;
    bob.wait_registered(Duration::from_secs(5))?;
    let dave = Baresip::start_with("dave", &reg, &wav, AnswerMode::Auto, false, Some(&pulse.server()))?;
    dave.wait_registered(Duration::from_secs(5))?;
    let mut carol = Baresip::start_with("carol", &reg, &wav, AnswerMode::Auto, false, Some(&pulse.server()))?;
    carol.wait_registered(Duration::from_secs(5))?;
    // erin calls with ALSA's null speaker, so opening its own device does not delay the anchor.
    let mut erin = Baresip::start("erin", &reg, &wav, AnswerMode::Auto, false)?;
    erin.wait_registered(Duration::from_secs(5))?;
    let (alice, mut events) = phone(&wav, &out.join("alice"), vec![CodecKind::Pcmu]).await?;
    alice.add_line("main", account(&reg, "alice")).map_err(|e| e.to_string())?;
    wait(&mut events, |e| matches!(e, PhoneEvent::Registration { state: RegistrationState::Registered { .. }, .. }))
        .await?;
    let me = std::process::id();
    // VOICE_BENCH_ONLY=echo runs only the echo-loop section (mouth-to-ear, pacing, loss);
    // VOICE_BENCH_ONLY=opus only the Opus + AEC CPU comparison.
    let only_echo = std::env::var("VOICE_BENCH_ONLY").is_ok_and(|v| v == "echo");
    if std::env::var("VOICE_BENCH_ONLY").is_ok_and(|v| v == "opus") {
        opus_cpu(&out, &reference, &wav, &reg, &pulse, Duration::from_secs(15)).await?;
        alice.shutdown();
        return Ok(());
    }

    if !only_echo {
        // 1. INVITE→200 through Kamailio with 407, 20 calls each.
        let mut ours = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let call = alice.dial("main", "bob").await.map_err(|e| e.to_string())?;
            wait(&mut events, active(&call)).await?;
            ours.push(t.elapsed().as_secs_f64() * 1000.0);
            alice.hang_up(&call).await.map_err(|e| e.to_string())?;
            wait(&mut events, ended(&call)).await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut theirs = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            erin.command("dial", &format!("sip:bob@{reg}"))?;
            erin.wait_event("CALL_ESTABLISHED", Duration::from_secs(5))?;
            theirs.push(t.elapsed().as_secs_f64() * 1000.0);
            erin.command("hangup", "")?;
            erin.wait_event("CALL_CLOSED", Duration::from_secs(5))?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ours.sort_by(f64::total_cmp);
        theirs.sort_by(f64::total_cmp);
        println!(
            "INVITE→200 via Kamailio (407 + retry), 20 calls: Ringdesk median {:.1} ms p95 {:.1} ms | baresip→baresip median {:.1} ms p95 {:.1} ms (includes its ctrl_tcp round trip)",
            percentile(&ours, 0.5),
            percentile(&ours, 0.95),
            percentile(&theirs, 0.5),
            percentile(&theirs, 0.95)
        );

        // 2. CPU per active call, 15 s each, idle baseline first.
        let window = Duration::from_secs(15);
        let c0 = cpu_seconds(me).ok_or("no /proc")?;
        tokio::time::sleep(window).await;
        let idle = cpu_seconds(me).ok_or("no /proc")? - c0;
        let call = alice.dial("main", "dave").await.map_err(|e| e.to_string())?;
        wait(&mut events, active(&call)).await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let c1 = cpu_seconds(me).ok_or("no /proc")?;
        tokio::time::sleep(window).await;
        let in_call = cpu_seconds(me).ok_or("no /proc")? - c1;
        alice.hang_up(&call).await.map_err(|e| e.to_string())?;
        wait(&mut events, ended(&call)).await?;
        let carol_idle0 = cpu_seconds(carol.pid()).ok_or("no /proc")?;
        tokio::time::sleep(window).await;
        let carol_idle = cpu_seconds(carol.pid()).ok_or("no /proc")? - carol_idle0;
        carol.command("dial", &format!("sip:dave@{reg}"))?;
        carol.wait_event("CALL_ESTABLISHED", Duration::from_secs(8))?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let b0 = cpu_seconds(carol.pid()).ok_or("no /proc")?;
        tokio::time::sleep(window).await;
        let baresip_call = cpu_seconds(carol.pid()).ok_or("no /proc")? - b0;
        carol.command("hangup", "")?;
        let _ = carol.wait_event("CALL_CLOSED", Duration::from_secs(5));
        let ours_pct = (in_call - idle).max(0.0) / window.as_secs_f64() * 100.0;
        let theirs_pct = (baresip_call - carol_idle).max(0.0) / window.as_secs_f64() * 100.0;
        println!(
            "CPU per active G.711 call (15 s, minus idle): Ringdesk {ours_pct:.2} % of one core (idle {:.2} %) | baresip caller {theirs_pct:.2} % (idle {:.2} %) | ratio {:.2}",
            idle / window.as_secs_f64() * 100.0,
            carol_idle / window.as_secs_f64() * 100.0,
            if theirs_pct > 0.0 { ours_pct / theirs_pct } else { f64::NAN }
        );

        opus_cpu(&out, &reference, &wav, &reg, &pulse, window).await?;

        // 3. Memory per call: four calls to a SIPp echo at once.
        let media_port = free_port_block(4)?;
        let mut sipp = Sipp::uas_with_media_port(
            &sipp_uas_scenario_at(0, "", "[media_port]"),
            &["-rtp_echo", "-m", "4"],
            media_port,
        )?;
        alice.add_static_line("echo", account(&sipp.addr(), "alice"));
        let rss_idle = rss_bytes(me).ok_or("no /proc")?;
        let mut calls = Vec::new();
        for _ in 0..4 {
            let call = alice.dial("echo", "echo").await.map_err(|e| e.to_string())?;
            wait(&mut events, active(&call)).await?;
            calls.push(call);
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        let rss_calls = rss_bytes(me).ok_or("no /proc")?;
        for call in &calls {
            alice.hang_up(call).await.map_err(|e| e.to_string())?;
        }
        let _ = sipp.wait_success(Duration::from_secs(5));
        println!(
            "RSS: idle {:.1} MB, with 4 calls {:.1} MB → {:.2} MB per call (baresip in a G.711 call: {:.1} MB RSS)",
            rss_idle as f64 / 1e6,
            rss_calls as f64 / 1e6,
            (rss_calls.saturating_sub(rss_idle)) as f64 / 4e6,
            rss_bytes(dave.pid()).unwrap_or(0) as f64 / 1e6
        );
    }

    // 4. Mouth-to-ear through a SIPp echo behind a relay (clean), and RTP pacing.
    for (label, to_phone) in [("clean", Impairment::default()), ("loss3", Impairment { loss: 0.03, jitter_ms: 0.0 })] {
        let media_port = free_port_block(4)?;
        let relay =
            UdpRelay::start_asymmetric(([127, 0, 0, 1], media_port).into(), Impairment::default(), to_phone, 7)?;
        let mut sipp = Sipp::uas_with_media_port(
            &sipp_uas_scenario_at(0, "", &relay.port.to_string()),
            &["-rtp_echo"],
            media_port,
        )?;
        let dir = out.join(format!("echo-{label}"));
        let (echo_phone, mut echo_events) = phone(&wav, &dir, vec![CodecKind::Pcmu]).await?;
        echo_phone.add_static_line("echo", account(&sipp.addr(), "alice"));
        let call = echo_phone.dial("echo", "echo").await.map_err(|e| e.to_string())?;
        wait(&mut echo_events, active(&call)).await?;
        tokio::time::sleep(Duration::from_secs(20)).await;
        let stats = echo_phone.stats(&call).map_err(|e| e.to_string())?;
        echo_phone.hang_up(&call).await.map_err(|e| e.to_string())?;
        let _ = sipp.wait_success(Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(500)).await;
        let heard = read_wav(&newest_wav(&dir)?)?;
        // Search the first 6 s only: the reference repeats every ~12 s.
        let (sim, lag) = similarity(&reference, &heard[..heard.len().min(48_000)]);
        let lag = lag.saturating_sub(4000);
        // Aligned copy of what came back, for PESQ against the reference.
        let aligned: Vec<i16> = heard.iter().skip(lag).copied().collect();
        write_wav(&out.join(format!("echo-{label}-aligned.wav")), 8000, &aligned)?;
        if label == "clean" {
            let arrivals = relay.arrivals();
            let mut gaps: Vec<f64> = arrivals.windows(2).map(|w| (w[1] - w[0]).as_secs_f64() * 1000.0).collect();
            gaps.sort_by(f64::total_cmp);
            println!(
                "mouth-to-ear through the SIPp RTP echo loop: {:.1} ms (similarity {sim:.3}); jitter-buffer level {:.1} ms",
                lag as f64 / 8.0,
                stats.buffer.level_ms
            );
            println!(
                "RTP send pacing ({} packets): inter-departure p50 {:.1} ms p99 {:.1} ms max {:.1} ms",
                gaps.len(),
                percentile(&gaps, 0.5),
                percentile(&gaps, 0.99),
                gaps.last().copied().unwrap_or(0.0)
            );
        } else {
            println!(
                "3 % random loss on the return path: lost {} of {} packets, concealed {:.0} ms, similarity {sim:.3}",
                stats.lost,
                stats.packets_received as i64 + stats.lost,
                stats.buffer.concealed_samples as f64 / 8.0
            );
        }
        echo_phone.shutdown();
    }

    if only_echo {
        alice.shutdown();
        return Ok(());
    }

    // 5. WAVs for PESQ, clean, both directions with baresip.
    let call = alice.dial("main", "dave").await.map_err(|e| e.to_string())?;
    wait(&mut events, active(&call)).await?;
    tokio::time::sleep(Duration::from_secs(15)).await;
    alice.hang_up(&call).await.map_err(|e| e.to_string())?;
    wait(&mut events, ended(&call)).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let heard = read_wav(&newest_wav(&out.join("alice"))?)?;
    let (_, lag) = similarity(&reference, &heard[..heard.len().min(48_000)]);
    let aligned: Vec<i16> = heard.iter().skip(lag.saturating_sub(4000)).copied().collect();
    write_wav(&out.join("ringdesk-hears-baresip-aligned.wav"), 8000, &aligned)?;
    let bob_heard = read_wav(dave.received_recordings().first().ok_or("baresip recorded nothing")?)?;
    let (_, lag) = similarity(&reference, &bob_heard[..bob_heard.len().min(48_000)]);
    let aligned: Vec<i16> = bob_heard.iter().skip(lag.saturating_sub(4000)).copied().collect();
    write_wav(&out.join("baresip-hears-ringdesk-aligned.wav"), 8000, &aligned)?;
    println!("PESQ inputs written to {}", out.display());
    alice.shutdown();
    Ok(())
}
