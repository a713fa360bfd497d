//! The SIP agent against real peers on loopback: Kamailio as registrar and proxy with digest auth
//! (401 on REGISTER, 407 on INVITE) and baresip as the far phone. Audio is carried by
//! `ringdesk-media` over a plain UDP socket and checked by content, not by packet counts.
//! All scenarios live in this one binary so the peers' start-up cost is paid in one process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ringdesk_media::codec::CodecKind;
use ringdesk_media::sdp::{self, Direction, LocalAudio, Offer};
use ringdesk_media::session::{MediaSession, Output, SessionConfig};
use ringdesk_media::srtp::SrtpPolicy;
use ringdesk_sip::{
    Account, AgentConfig, CallFailure, CallId, EndReason, RegistrationState, SipAgent, SipEvent, Transport,
};
use ringdesk_testkit::{AnswerMode, Baresip, Kamailio, read_wav, similarity, speech_wav, speechlike};
use tokio::net::UdpSocket;
use tokio::sync::mpsc::UnboundedReceiver;

fn account(k: &Kamailio, user: &str, password: &str) -> Account {
    Account {
        registrar: k.addr(),
        domain: "127.0.0.1".into(),
        username: user.into(),
        password: password.into(),
        expires: 60,
        transport: Transport::Udp,
    }
}

async fn agent() -> (Arc<SipAgent>, UnboundedReceiver<SipEvent>) {
    SipAgent::start(AgentConfig {
        bind: "127.0.0.1:0".parse().expect("addr"),
        tcp: true,
        user_agent: "Ringdesk-test".into(),
        keepalive: Duration::from_secs(20),
        extra_tls_roots: None,
    })
    .await
    .expect("agent starts")
}

async fn next_event(
    rx: &mut UnboundedReceiver<SipEvent>,
    within: Duration,
    what: &str,
    pred: impl Fn(&SipEvent) -> bool,
) -> SipEvent {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(e)) if pred(&e) => return e,
            Ok(Some(e)) => seen.push(format!("{e:?}")),
            _ => panic!("no {what} within {within:?}; events seen: {seen:#?}"),
        }
    }
}

async fn registered(agent: &Arc<SipAgent>, rx: &mut UnboundedReceiver<SipEvent>, acct: Account) {
    agent.keep_registered(acct).expect("registration starts");
    next_event(rx, Duration::from_secs(5), "Registered", |e| {
        matches!(e, SipEvent::Registration { state: RegistrationState::Registered { .. }, .. })
    })
    .await;
}

fn wav_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let wav = dir.path().join("speech.wav");
    speech_wav(&wav, 30).expect("wav written");
    (dir, wav)
}

/// One side's media: an RTP socket and a session, driven in real time.
struct Media {
    socket: UdpSocket,
    local: LocalAudio,
}

impl Media {
    async fn new(srtp: SrtpPolicy) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("rtp socket");
        let port = socket.local_addr().expect("addr").port();
        let local = LocalAudio {
            addr: "127.0.0.1".parse().expect("ip"),
            rtp_port: port,
            codecs: vec![CodecKind::Pcmu, CodecKind::Pcma],
            telephone_event: true,
            ptime_ms: 20,
            srtp,
            origin: (u64::from(port), 1),
        };
        Self { socket, local }
    }

    fn offer(&self, direction: Direction) -> Offer {
        let mut n = 1u8;
        sdp::create_offer(&self.local, direction, &mut |len| {
            n = n.wrapping_add(1);
            vec![n; len]
        })
        .expect("offer")
    }

    fn session(&self, negotiated: sdp::Negotiated) -> MediaSession {
        let cfg = SessionConfig {
            negotiated,
            ssrc: 0x5151_0000 | u32::from(self.local.rtp_port),
            first_seq: 100,
            first_timestamp: 1000,
            ntp_at_start: 3_900_000_000u64 << 32,
            cname: "ringdesk-test".into(),
            rtp_timeout: Duration::from_secs(5),
            rtcp_interval: Duration::from_secs(1),
        };
        MediaSession::new(cfg, Instant::now()).expect("session")
    }

    /// Sends speech and records what arrives for `duration`; returns the 8 kHz samples heard.
    async fn talk(&self, session: &mut MediaSession, duration: Duration) -> Vec<i16> {
        let start = Instant::now();
        let mut heard = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        let mut n = 0usize;
        let mut buf = [0u8; 2048];
        while start.elapsed() < duration {
            tokio::select! {
                _ = tick.tick() => {
                    let now = Instant::now();
                    if n.is_multiple_of(2) {
                        let base = (n / 2) * 160;
                        let pcm: Vec<i16> = (base..base + 160).map(speechlike).collect();
                        session.send_audio(now, &pcm);
                    }
                    n += 1;
                    let mut frame = [0i16; 80];
                    session.pull_audio(now, &mut frame);
                    heard.extend_from_slice(&frame);
                    session.handle_timeout(now);
                    while let Some(out) = session.poll_output() {
                        if let Output::Transmit { to, data, .. } = out {
                            let _ = self.socket.send_to(&data, to).await;
                        }
                    }
                }
                r = self.socket.recv_from(&mut buf) => {
                    if let Ok((len, from)) = r {
                        session.handle_receive(Instant::now(), from, &buf[..len]);
                    }
                }
            }
        }
        heard
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_refreshes_before_expiry_and_unregister_removes_the_binding() {
    let kam = Kamailio::start().expect("kamailio");
    let (_dir, wav) = wav_dir();
    let (alice, mut events) = agent().await;
    let mut acct = account(&kam, "alice", "alicepw");
    acct.expires = 3;
    registered(&alice, &mut events, acct.clone()).await;
    // Past the 3 s lifetime: only refreshes keep alice reachable.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut bob = Baresip::start("bob", &kam.addr(), &wav, AnswerMode::Auto, false).expect("baresip");
    bob.wait_registered(Duration::from_secs(5)).expect("bob registers");
    bob.command("dial", &format!("sip:alice@{}", kam.addr())).expect("dial");
    let incoming =
        next_event(&mut events, Duration::from_secs(5), "IncomingCall", |e| matches!(e, SipEvent::IncomingCall { .. }))
            .await;
    let SipEvent::IncomingCall { call, from_user, .. } = incoming else { unreachable!("matched above") };
    assert_eq!(from_user, "bob", "the caller is named");
    alice.reject(&call, true).expect("decline");
    bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("bob sees the call closed");

    alice.unregister(&acct);
    next_event(&mut events, Duration::from_secs(5), "Unregistered", |e| {
        matches!(e, SipEvent::Registration { state: RegistrationState::Unregistered, .. })
    })
    .await;
    bob.command("dial", &format!("sip:alice@{}", kam.addr())).expect("dial again");
    let closed = bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("the call fails");
    assert!(closed.contains("404") || closed.contains("Not Found"), "unregistered alice is not found: {closed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_reported_as_an_authentication_failure() {
    let kam = Kamailio::start().expect("kamailio");
    let (alice, _events) = agent().await;
    let err = alice.register(&account(&kam, "alice", "wrong")).await.expect_err("refused");
    assert!(matches!(err, CallFailure::AuthFailed(_)), "auth failure, got {err:?}");
    assert!(err.to_string().contains("password"), "the reason says what to check: {err}");
    let granted = alice.register(&account(&kam, "alice", "alicepw")).await.expect("right password registers");
    assert!(granted > 0, "a lifetime is granted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_through_kamailio_to_baresip_carries_audio_both_ways() {
    let kam = Kamailio::start().expect("kamailio");
    let (_dir, wav) = wav_dir();
    let mut bob = Baresip::start("bob", &kam.addr(), &wav, AnswerMode::Auto, false).expect("baresip");
    bob.wait_registered(Duration::from_secs(5)).expect("bob registers");
    let (alice, mut events) = agent().await;
    let acct = account(&kam, "alice", "alicepw");
    let media = Media::new(SrtpPolicy::Optional).await;
    let offer = media.offer(Direction::SendRecv);
    let started = Instant::now();
    let call = alice.dial(&acct, "bob", offer.sdp.clone(), None).expect("dials");
    let answered = next_event(&mut events, Duration::from_secs(5), "Answered", |e| {
        matches!(e, SipEvent::Answered { .. } | SipEvent::Failed { .. })
    })
    .await;
    let setup = started.elapsed();
    let SipEvent::Answered { sdp: answer, .. } = answered else {
        panic!("the call failed: {answered:?}\n{}", kam.log())
    };
    assert!(setup < Duration::from_secs(2), "INVITE→200 through the 407 challenge took {setup:?}");
    let negotiated = sdp::accept_answer(&offer, &sdp::parse_audio(&answer).expect("answer parses")).expect("agreed");
    assert_eq!(negotiated.codec, CodecKind::Pcmu, "baresip is set to PCMU");
    let mut session = media.session(negotiated);
    let heard = media.talk(&mut session, Duration::from_secs(4)).await;
    alice.hang_up(&call).await.expect("BYE");
    bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("bob sees the hang-up");

    let stats = session.stats();
    assert!(stats.packets_received > 150, "RTP from baresip arrived: {stats:?}");
    let reference: Vec<i16> = (0..48_000).map(speechlike).collect();
    let (ours, _) = similarity(&reference, &heard);
    assert!(ours > 0.9, "we hear baresip's speech (similarity {ours:.3})");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let recordings = bob.received_recordings();
    let theirs_heard = read_wav(recordings.first().expect("baresip recorded the call")).expect("wav");
    let (theirs, _) = similarity(&reference, &theirs_heard);
    assert!(theirs > 0.9, "baresip hears our speech (similarity {theirs:.3})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calling_an_unregistered_user_fails_as_not_found() {
    let kam = Kamailio::start().expect("kamailio");
    let (alice, mut events) = agent().await;
    let media = Media::new(SrtpPolicy::Off).await;
    alice
        .dial(&account(&kam, "alice", "alicepw"), "nobody", media.offer(Direction::SendRecv).sdp, None)
        .expect("dials");
    let failed =
        next_event(&mut events, Duration::from_secs(5), "Failed", |e| matches!(e, SipEvent::Failed { .. })).await;
    let SipEvent::Failed { reason, .. } = failed else { unreachable!("matched above") };
    assert_eq!(reason, CallFailure::NotFound, "404 from the proxy: {reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_while_ringing_ends_the_call_as_cancelled() {
    let kam = Kamailio::start().expect("kamailio");
    let (_dir, wav) = wav_dir();
    let mut bob = Baresip::start("bob", &kam.addr(), &wav, AnswerMode::Manual, false).expect("baresip");
    bob.wait_registered(Duration::from_secs(5)).expect("bob registers");
    let (alice, mut events) = agent().await;
    let media = Media::new(SrtpPolicy::Off).await;
    let call = alice
        .dial(&account(&kam, "alice", "alicepw"), "bob", media.offer(Direction::SendRecv).sdp, None)
        .expect("dials");
    let progress =
        next_event(&mut events, Duration::from_secs(5), "Progress", |e| matches!(e, SipEvent::Progress { .. })).await;
    assert!(matches!(progress, SipEvent::Progress { status: 180, .. }), "bob rings: {progress:?}");
    bob.wait_event("CALL_INCOMING", Duration::from_secs(5)).expect("bob's phone rings");
    alice.hang_up(&call).await.expect("CANCEL");
    let failed =
        next_event(&mut events, Duration::from_secs(5), "Failed", |e| matches!(e, SipEvent::Failed { .. })).await;
    assert!(matches!(failed, SipEvent::Failed { reason: CallFailure::Cancelled, .. }), "cancelled: {failed:?}");
    bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("bob stops ringing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_callee_is_reported_as_busy_and_an_answered_one_hangs_up_cleanly() {
    let kam = Kamailio::start().expect("kamailio");
    let (alice, mut alice_events) = agent().await;
    let (carol, mut carol_events) = agent().await;
    registered(&carol, &mut carol_events, account(&kam, "carol", "carolpw")).await;
    let alice_media = Media::new(SrtpPolicy::Off).await;
    let acct = account(&kam, "alice", "alicepw");

    alice.dial(&acct, "carol", alice_media.offer(Direction::SendRecv).sdp, None).expect("dials");
    let incoming = next_event(&mut carol_events, Duration::from_secs(5), "IncomingCall", |e| {
        matches!(e, SipEvent::IncomingCall { .. })
    })
    .await;
    let SipEvent::IncomingCall { call, from_user, .. } = incoming else { unreachable!("matched above") };
    assert_eq!(from_user, "alice", "carol sees who calls");
    carol.reject(&call, false).expect("busy");
    let failed =
        next_event(&mut alice_events, Duration::from_secs(5), "Failed", |e| matches!(e, SipEvent::Failed { .. })).await;
    assert!(matches!(failed, SipEvent::Failed { reason: CallFailure::Busy, .. }), "busy: {failed:?}");

    // Second call: carol answers, alice hangs up, carol sees the remote hang-up.
    let offer = alice_media.offer(Direction::SendRecv);
    let out_call: CallId = alice.dial(&acct, "carol", offer.sdp.clone(), None).expect("dials");
    let incoming = next_event(&mut carol_events, Duration::from_secs(5), "IncomingCall", |e| {
        matches!(e, SipEvent::IncomingCall { .. })
    })
    .await;
    let SipEvent::IncomingCall { call, sdp: their_offer, .. } = incoming else { unreachable!("matched above") };
    let carol_media = Media::new(SrtpPolicy::Off).await;
    let parsed = sdp::parse_audio(&their_offer).expect("offer parses");
    let (answer, _) =
        sdp::answer_offer(&carol_media.local, &parsed, Direction::SendRecv, &mut |n| vec![3; n]).expect("answer");
    carol.answer(&call, answer).expect("answers");
    next_event(&mut alice_events, Duration::from_secs(5), "Answered", |e| matches!(e, SipEvent::Answered { .. })).await;
    next_event(&mut carol_events, Duration::from_secs(5), "Established", |e| matches!(e, SipEvent::Established { .. }))
        .await;
    alice.hang_up(&out_call).await.expect("BYE");
    let ended =
        next_event(&mut carol_events, Duration::from_secs(5), "Ended", |e| matches!(e, SipEvent::Ended { .. })).await;
    assert!(
        matches!(ended, SipEvent::Ended { reason: EndReason::RemoteHangup, .. }),
        "carol sees alice hang up: {ended:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_and_resume_by_reinvite_stop_and_restart_the_far_ends_audio() {
    let kam = Kamailio::start().expect("kamailio");
    let (_dir, wav) = wav_dir();
    let bob = Baresip::start("bob", &kam.addr(), &wav, AnswerMode::Auto, false).expect("baresip");
    bob.wait_registered(Duration::from_secs(5)).expect("bob registers");
    let (alice, mut events) = agent().await;
    let media = Media::new(SrtpPolicy::Off).await;
    let offer = media.offer(Direction::SendRecv);
    let call = alice.dial(&account(&kam, "alice", "alicepw"), "bob", offer.sdp.clone(), None).expect("dials");
    let SipEvent::Answered { sdp: answer, .. } =
        next_event(&mut events, Duration::from_secs(5), "Answered", |e| matches!(e, SipEvent::Answered { .. })).await
    else {
        unreachable!("matched above")
    };
    let mut session =
        media.session(sdp::accept_answer(&offer, &sdp::parse_audio(&answer).expect("parses")).expect("agreed"));
    media.talk(&mut session, Duration::from_secs(1)).await;
    let before = session.stats().packets_received;
    assert!(before > 30, "audio flows before hold");

    // Hold: a new offer with a=sendonly; baresip answers recvonly and stops sending.
    let mut held_local = media.local.clone();
    held_local.origin.1 += 1;
    let hold_offer = sdp::create_offer(&held_local, Direction::SendOnly, &mut |n| vec![9; n]).expect("offer");
    let hold_answer = alice.reinvite(&call, hold_offer.sdp.clone()).await.expect("re-INVITE answered");
    let parsed = sdp::parse_audio(&hold_answer).expect("answer parses");
    assert_eq!(parsed.direction, Direction::RecvOnly, "baresip answers recvonly: {hold_answer}");
    session.update(Instant::now(), sdp::accept_answer(&hold_offer, &parsed).expect("agreed")).expect("held");
    media.talk(&mut session, Duration::from_millis(500)).await;
    let held_at = session.stats().packets_received;
    media.talk(&mut session, Duration::from_secs(2)).await;
    let during = session.stats().packets_received - held_at;
    assert!(during <= 2, "baresip sends nothing while held ({during} packets)");

    held_local.origin.1 += 1;
    let resume_offer = sdp::create_offer(&held_local, Direction::SendRecv, &mut |n| vec![11; n]).expect("offer");
    let resume_answer = alice.reinvite(&call, resume_offer.sdp.clone()).await.expect("re-INVITE answered");
    let parsed = sdp::parse_audio(&resume_answer).expect("answer parses");
    session.update(Instant::now(), sdp::accept_answer(&resume_offer, &parsed).expect("agreed")).expect("resumed");
    let resumed_at = session.stats().packets_received;
    media.talk(&mut session, Duration::from_secs(2)).await;
    assert!(session.stats().packets_received > resumed_at + 60, "audio is back after resume");
    alice.hang_up(&call).await.expect("BYE");
}
