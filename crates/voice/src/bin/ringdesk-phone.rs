//! Try the voice engine from a terminal against any SIP account: register, then place a call or
//! wait for one and answer it. Audio goes to the system's default devices, or to WAV files.
//!
//! ```text
//! RINGDESK_SIP_PASSWORD=secret ringdesk-phone --registrar sip.example.com:5060 --user 1001 \
//!     [--domain example.com] [--tcp | --tls [--tls-ca ca.pem]] [--srtp off|optional|required] [--codecs opus,g722,pcmu,pcma] \
//!     [--wav-in speech.wav --wav-out ./heard] (--call 15551234567 | --answer) [--seconds 30]
//! ```
//!
//! The password comes from the environment, never from the command line (which other users can
//! read in the process list). Events are printed as they happen; Ctrl-C hangs up.

use std::sync::Arc;
use std::time::Duration;

use ringdesk_media::codec::CodecKind;
use ringdesk_media::srtp::SrtpPolicy;
use ringdesk_voice::audio::{AudioDevices, WavDevices};
use ringdesk_voice::cpal_devices::CpalDevices;
use ringdesk_voice::processing::ProcessingConfig;
use ringdesk_voice::{Account, CallState, Phone, PhoneConfig, PhoneEvent, Transport};

fn usage(problem: &str) -> ! {
    eprintln!("error: {problem}");
    eprintln!(
        "usage: RINGDESK_SIP_PASSWORD=... ringdesk-phone --registrar HOST[:PORT] --user USER [--domain DOMAIN] [--tcp | --tls [--tls-ca FILE]] \
         [--srtp off|optional|required] [--codecs LIST] [--wav-in FILE --wav-out DIR] [--no-aec] [--log-pii] (--call NUMBER | --answer) [--seconds N]"
    );
    std::process::exit(2)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    // Numbers, SIP addresses and the SIP stack's whole messages (SRTP keys) stay out of the logs
    // unless asked for.
    let redact = !has("--log-pii");
    ringdesk_voice::set_log_redaction(redact);
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    if let Some(guard) = redact.then(|| ringdesk_voice::SIP_STACK_LOG_GUARD.parse().ok()).flatten() {
        filter = filter.add_directive(guard);
    }
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let registrar = value("--registrar").unwrap_or_else(|| usage("--registrar is required"));
    let user = value("--user").unwrap_or_else(|| usage("--user is required"));
    let password = std::env::var("RINGDESK_SIP_PASSWORD").unwrap_or_else(|_| usage("set RINGDESK_SIP_PASSWORD"));
    let domain = value("--domain").unwrap_or_else(|| registrar.split(':').next().unwrap_or_default().to_owned());
    let srtp = match value("--srtp").as_deref() {
        None | Some("optional") => SrtpPolicy::Optional,
        Some("off") => SrtpPolicy::Off,
        Some("required") => SrtpPolicy::Required,
        Some(other) => usage(&format!("--srtp {other}: expected off, optional or required")),
    };
    // In order of preference; wideband first by default.
    let codecs: Vec<CodecKind> = match value("--codecs") {
        None => CodecKind::ALL.to_vec(),
        Some(list) => list
            .split(',')
            .map(|name| {
                CodecKind::from_name(name.trim())
                    .unwrap_or_else(|| usage(&format!("--codecs: {name:?} is not one of opus, g722, pcmu, pcma")))
            })
            .collect(),
    };
    let seconds: u64 =
        value("--seconds").map_or(Ok(60), |s| s.parse()).unwrap_or_else(|_| usage("--seconds takes a number"));
    let (devices, real): (Arc<dyn AudioDevices>, bool) = match (value("--wav-in"), value("--wav-out")) {
        (Some(input), Some(out)) => (Arc::new(WavDevices { input: input.into(), output_dir: out.into() }), false),
        (None, None) => (Arc::new(CpalDevices::default()), true),
        _ => usage("--wav-in and --wav-out go together"),
    };
    // Echo cancellation and noise suppression on real devices, unless --no-aec.
    let on = real && !has("--no-aec");
    let processing = ProcessingConfig { echo_cancellation: on, noise_suppression: on };
    let cfg = PhoneConfig {
        sip_bind: "0.0.0.0:0".parse().unwrap_or_else(|_| usage("bad bind address")),
        tcp: has("--tcp"),
        media_ip: ringdesk_voice::local_ip_toward(&registrar).await,
        rtp_ports: (16_384, 32_766),
        codecs,
        srtp,
        devices,
        rtp_timeout: Duration::from_secs(30),
        // Most carriers send a call to voicemail or give up around 60 s.
        ring_timeout: Some(Duration::from_secs(60)),
        processing,
        // A private PBX's CA, trusted besides the system's roots.
        extra_tls_roots: value("--tls-ca")
            .map(|path| std::fs::read(&path).unwrap_or_else(|e| usage(&format!("--tls-ca {path}: {e}")))),
    };
    let (phone, mut events) = match Phone::start(cfg).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1)
        }
    };
    let account = Account {
        registrar,
        domain,
        username: user,
        password,
        expires: 120,
        transport: if has("--tls") {
            Transport::Tls
        } else if has("--tcp") {
            Transport::Tcp
        } else {
            Transport::Udp
        },
    };
    if let Err(e) = phone.add_line("main", account) {
        eprintln!("error: {e}");
        std::process::exit(1)
    }
    let target = value("--call");
    let answer = has("--answer");
    if target.is_none() && !answer {
        usage("say --call NUMBER or --answer");
    }
    let deadline = tokio::time::sleep(Duration::from_secs(seconds));
    tokio::pin!(deadline);
    let mut current = None;
    loop {
        tokio::select! {
            _ = &mut deadline => break,
            _ = tokio::signal::ctrl_c() => break,
            event = events.recv() => {
                let Some(event) = event else { break };
                match &event {
                    PhoneEvent::Levels { .. } => continue,
                    PhoneEvent::Registration { state: ringdesk_voice::RegistrationState::Registered { .. }, .. } => {
                        println!("{event:?}");
                        if let (Some(t), None) = (&target, &current) {
                            match phone.dial("main", t).await {
                                Ok(call) => current = Some(call),
                                Err(e) => eprintln!("error: {e}"),
                            }
                        }
                        continue;
                    }
                    PhoneEvent::IncomingCall { call, .. } if answer && current.is_none() => {
                        println!("{event:?}");
                        if let Err(e) = phone.answer(call) {
                            eprintln!("error: {e}");
                        }
                        current = Some(call.clone());
                        continue;
                    }
                    PhoneEvent::CallState { state: CallState::Ended(_) | CallState::Failed(_), .. } => {
                        println!("{event:?}");
                        break;
                    }
                    _ => {}
                }
                println!("{event:?}");
            }
        }
    }
    if let Some(call) = current {
        let _ = phone.hang_up(&call).await;
    }
    phone.shutdown();
    tokio::time::sleep(Duration::from_millis(300)).await;
}
