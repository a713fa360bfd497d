//! Call set-up latency through the app's softphone, against real peers on loopback (Kamailio
//! with digest auth, baresip), each beside the same path between two baresips in the same run:
//!
//! - `App::dial` (what the phone button calls) to the far phone ringing (baresip's
//!   CALL_INCOMING): the INVITE, Kamailio's 407 challenge, the authenticated INVITE, the relay.
//!   An upper bound of "click to INVITE on the wire" (target ≤ 100 ms). Anchor: baresip carol
//!   dialling bob over the same path.
//! - a phone dialling the agent to the app's Incoming notice with the screen pop (target
//!   ≤ 300 ms). Anchor: the same call to baresip carol, to her CALL_INCOMING.
//!
//! `cargo bench -p ringdesk-app --bench call_latency` (release build).

use std::sync::Arc;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use ringdesk_app::ipc::{CallNotice, DialRequest, LeadPatch, SecretKind, SettingsUpdate, SipTransport};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_app::{App, PhoneOptions};
use ringdesk_testkit::{AnswerMode, Baresip, Kamailio, speech_wav};
use ringdesk_voice::audio::WavDevices;

const ROUNDS: usize = 20;

fn report(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    println!("{name:<56} p50 {:>6.1} ms  p95 {:>6.1} ms  max {:>6.1} ms", p(0.5), p(0.95), p(1.0));
}

fn main() {
    let kam = Kamailio::start().expect("kamailio");
    let dir = tempfile::tempdir().expect("dir");
    let wav = dir.path().join("speech.wav");
    speech_wav(&wav, 10).expect("wav");
    let mut bob = Baresip::start("bob", &kam.addr(), &wav, AnswerMode::Manual, false).expect("bob");
    bob.wait_registered(Duration::from_secs(5)).expect("bob registers");
    let mut carol = Baresip::start("carol", &kam.addr(), &wav, AnswerMode::Manual, false).expect("carol");
    carol.wait_registered(Duration::from_secs(5)).expect("carol registers");

    let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("app");
    app.update_settings(&SettingsUpdate {
        sip_registrar: Some(kam.addr()),
        sip_username: Some("alice".into()),
        sip_transport: Some(SipTransport::Udp),
        ..SettingsUpdate::default()
    })
    .expect("settings");
    app.set_secret(SecretKind::SipPassword, "alicepw").expect("password");
    let (tx, rx) = channel();
    let out = dir.path().join("heard");
    std::fs::create_dir_all(&out).expect("dir");
    app.start_phone(
        PhoneOptions {
            devices: Some(Arc::new(WavDevices { input: wav.clone(), output_dir: out })),
            sip_bind: "127.0.0.1:0".parse().expect("addr"),
            media_ip: Some("127.0.0.1".parse().expect("ip")),
            ring_timeout: Duration::from_secs(20),
            desktop_notifications: false,
        },
        Arc::new(move |n| {
            let _ = tx.send((Instant::now(), n));
        }),
    )
    .expect("phone");
    loop {
        let (_, n) = rx.recv_timeout(Duration::from_secs(10)).expect("registered");
        if matches!(n, CallNotice::Registration { registered: true, .. }) {
            break;
        }
    }
    let lead = app.create_lead(&LeadPatch { name: Some("Bob".into()), ..LeadPatch::default() }).expect("lead");

    let mut dial = Vec::new();
    for _ in 0..ROUNDS {
        let t0 = Instant::now();
        let call = app
            .dial(&DialRequest { to: "bob".into(), lead_id: Some(lead.id.clone()), override_dnc: false })
            .expect("dial");
        bob.wait_event("CALL_INCOMING", Duration::from_secs(5)).expect("bob rings");
        dial.push(t0.elapsed());
        app.hang_up(&call.call_id).expect("hang up");
        bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("bob stops ringing");
        std::thread::sleep(Duration::from_millis(150));
    }
    let mut dial_anchor = Vec::new();
    for _ in 0..ROUNDS {
        let t0 = Instant::now();
        carol.command("dial", &format!("sip:bob@{}", kam.addr())).expect("carol dials");
        bob.wait_event("CALL_INCOMING", Duration::from_secs(5)).expect("bob rings");
        dial_anchor.push(t0.elapsed());
        carol.command("hangup", "").expect("carol hangs up");
        bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("closed");
        std::thread::sleep(Duration::from_millis(150));
    }
    while rx.try_recv().is_ok() {}
    let mut pop = Vec::new();
    for _ in 0..ROUNDS {
        let t0 = Instant::now();
        bob.command("dial", &format!("sip:alice@{}", kam.addr())).expect("bob dials");
        let (at, call) = loop {
            let (at, n) = rx.recv_timeout(Duration::from_secs(5)).expect("incoming");
            if let CallNotice::Incoming { call_id, .. } = n {
                break (at, call_id);
            }
        };
        pop.push(at - t0);
        app.reject_call(&call).expect("reject");
        bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("bob sees the rejection");
        std::thread::sleep(Duration::from_millis(150));
    }
    let mut pop_anchor = Vec::new();
    for _ in 0..ROUNDS {
        let t0 = Instant::now();
        bob.command("dial", &format!("sip:carol@{}", kam.addr())).expect("bob dials");
        carol.wait_event("CALL_INCOMING", Duration::from_secs(5)).expect("carol rings");
        pop_anchor.push(t0.elapsed());
        bob.command("hangup", "").expect("bob hangs up");
        carol.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("closed");
        std::thread::sleep(Duration::from_millis(150));
    }
    report("App::dial -> far phone ringing (INVITE, 407, INVITE)", dial);
    report("  anchor: baresip -> baresip, same path", dial_anchor);
    report("incoming INVITE -> screen pop notice", pop);
    report("  anchor: the same call to baresip's CALL_INCOMING", pop_anchor);
    app.stop_phone();
}
