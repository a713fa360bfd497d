//! The RELAY client against the emulator's WebSocket: handshake, events acknowledged, refused
//! credentials, and a cut connection resumed with what was queued meanwhile.

use std::time::Duration;

use ringdesk_signalwire::Token;
use ringdesk_signalwire::relay::{self, RelayConfig, RelayEvent};
use ringdesk_testkit::signalwire::SignalWireEmulator;
use tokio::sync::mpsc::UnboundedReceiver;

const PROJECT: &str = "3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60789";
const TOKEN: &str = "PTrelaytoken";
const OURS: &str = "+12175550100";

fn config(emu: &SignalWireEmulator, token: &str) -> RelayConfig {
    // Texts to OURS go to the `ringdesk` RELAY context.
    if !emu.owned_numbers().iter().any(|n| n == OURS) {
        emu.own_number(OURS);
    }
    RelayConfig {
        url: emu.relay_url().parse().expect("url"),
        project_id: PROJECT.into(),
        token: Token::new(token),
        contexts: vec!["ringdesk".into()],
        min_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
    }
}

async fn next(rx: &mut UnboundedReceiver<RelayEvent>, what: &str, pred: impl Fn(&RelayEvent) -> bool) -> RelayEvent {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(e)) if pred(&e) => return e,
            Ok(Some(e)) => seen.push(e),
            _ => panic!("no {what} within 5 s; saw {seen:?}"),
        }
    }
}

#[tokio::test]
async fn an_inbound_text_arrives_with_its_fields_and_is_acknowledged() {
    let emu = SignalWireEmulator::start(PROJECT, TOKEN).await.expect("emulator");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _relay = relay::spawn(config(&emu, TOKEN), tx);
    let connected = next(&mut rx, "Connected", |e| matches!(e, RelayEvent::Connected { .. })).await;
    assert_eq!(connected, RelayEvent::Connected { resumed: false }, "a fresh session");
    let sid = emu.receive_message("+13125550142", OURS, "Are you free at 3?");
    let RelayEvent::Text(text) = next(&mut rx, "Text", |e| matches!(e, RelayEvent::Text(_))).await else {
        unreachable!()
    };
    assert_eq!(text.message_id, sid, "the RELAY id is the REST SID");
    assert_eq!(
        (text.from.as_str(), text.to.as_str(), text.body.as_str()),
        ("+13125550142", OURS, "Are you free at 3?")
    );
    assert_eq!(text.context, "ringdesk");
    for _ in 0..50 {
        if emu.relay_acks() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(emu.relay_acks(), 1, "the event was acknowledged");
}

#[tokio::test]
async fn wrong_credentials_are_refused_without_retrying() {
    let emu = SignalWireEmulator::start(PROJECT, TOKEN).await.expect("emulator");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _relay = relay::spawn(config(&emu, "wrong"), tx);
    let refused = next(&mut rx, "Refused", |e| matches!(e, RelayEvent::Refused { .. })).await;
    assert!(format!("{refused:?}").contains("Authentication failed"), "{refused:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(emu.relay_connects(), 0, "no session was made");
    assert!(rx.try_recv().is_err(), "and no retry followed");
}

#[tokio::test]
async fn a_cut_connection_resumes_its_session_and_gets_what_arrived_meanwhile() {
    let emu = SignalWireEmulator::start(PROJECT, TOKEN).await.expect("emulator");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _relay = relay::spawn(config(&emu, TOKEN), tx);
    next(&mut rx, "Connected", |e| matches!(e, RelayEvent::Connected { .. })).await;
    emu.relay_cut();
    next(&mut rx, "Disconnected", |e| matches!(e, RelayEvent::Disconnected { .. })).await;
    let sid = emu.receive_message("+13125550142", OURS, "sent while you were away");
    let resumed = next(&mut rx, "Connected", |e| matches!(e, RelayEvent::Connected { .. })).await;
    assert_eq!(resumed, RelayEvent::Connected { resumed: true }, "the session was resumed by its protocol");
    let RelayEvent::Text(text) = next(&mut rx, "Text", |e| matches!(e, RelayEvent::Text(_))).await else {
        unreachable!()
    };
    assert_eq!(text.message_id, sid, "queued while away, delivered after the resume");
    emu.relay_forget_sessions();
    let fresh = next(&mut rx, "Connected", |e| matches!(e, RelayEvent::Connected { .. })).await;
    assert_eq!(fresh, RelayEvent::Connected { resumed: false }, "a forgotten session starts afresh");
    assert_eq!(emu.relay_connects(), 3);
}
