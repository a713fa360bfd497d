//! Texts, phone numbers and recordings through the app facade, against the SignalWire emulator: sent
//! exactly once whatever the network does, statuses followed, inbound caught up once, threads.

use std::sync::Arc;
use std::time::Duration;

use ringdesk_app::ipc::{NumberQuery, NumberRoutingUpdate, SecretKind, SendSms, SettingsUpdate};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_app::{App, AppOptions, ErrorCode};
use ringdesk_store::leads::{self, NewLead};
use ringdesk_testkit::signalwire::SignalWireEmulator;

const PROJECT: &str = "3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60789";
const TOKEN: &str = "PTtesttoken0123456789";
const OURS: &str = "+12175550100";
const ANN: &str = "+13125550142";

struct Rig {
    _dir: tempfile::TempDir,
    app: App,
    emu: SignalWireEmulator,
    _rt: tokio::runtime::Runtime,
}

fn rig() -> Rig {
    rig_with(None)
}

fn rig_with(recording_cache_bytes: Option<u64>) -> Rig {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let emu = rt.block_on(SignalWireEmulator::start(PROJECT, TOKEN)).expect("emulator");
    emu.own_number(OURS);
    let dir = tempfile::tempdir().expect("temp dir");
    let options = AppOptions { signalwire_origin: Some(emu.origin()), recording_cache_bytes, ..AppOptions::default() };
    let app = App::open_with(&dir.path().join("ringdesk.db"), Arc::new(MemorySecretStore::default()), &options)
        .expect("app opens");
    app.update_settings(&SettingsUpdate {
        signalwire_space: Some("example".into()),
        signalwire_project_id: Some(PROJECT.into()),
        ..SettingsUpdate::default()
    })
    .expect("settings");
    app.set_secret(SecretKind::SignalwireApiToken, TOKEN).expect("token");
    app.store()
        .write(|w| {
            leads::insert(
                w,
                &NewLead {
                    name: "Ann Archer".into(),
                    phone: Some(ANN.into()),
                    phone_e164: Some(ANN.into()),
                    ..NewLead::default()
                },
            )
        })
        .expect("lead");
    Rig { _dir: dir, app, emu, _rt: rt }
}

fn send(app: &App, to: &str, body: &str) -> Result<ringdesk_app::ipc::SmsMessage, ringdesk_app::IpcError> {
    app.send_sms(&SendSms { to: to.into(), from: None, body: body.into() })
}

#[test]
fn a_text_to_a_lead_goes_from_our_number_is_threaded_and_its_delivery_is_followed() {
    let r = rig();
    let sent = send(&r.app, "(312) 555-0142", "Hi Ann, following up on our call").expect("sent");
    assert_eq!(sent.status, "queued", "SignalWire took it: {sent:?}");
    assert_eq!(sent.our_number.as_deref(), Some(OURS), "from the project's SMS number");
    assert!(sent.lead_id.is_some(), "linked to the lead by E.164");
    assert_eq!(r.emu.sent_messages(), vec![(OURS.into(), ANN.into(), "Hi Ann, following up on our call".into())]);
    std::thread::sleep(Duration::from_millis(300));
    let report = r.app.sync_sms().expect("sync");
    assert_eq!(report.updated, 1, "the delivered status was picked up: {report:?}");
    let thread = r.app.sms_thread(ANN, None, None, 50).expect("thread");
    assert_eq!(thread.messages.len(), 1);
    assert_eq!(thread.messages[0].status, "delivered");
    let threads = r.app.sms_threads(None).expect("threads");
    assert_eq!(threads[0].lead_name.as_deref(), Some("Ann Archer"), "{threads:?}");
}

#[test]
fn inbound_texts_are_caught_up_once_with_unread_counts_and_unknown_numbers_shown_as_such() {
    let r = rig();
    r.emu.receive_message(ANN, OURS, "Can you call me at 3?");
    r.emu.receive_message(ANN, OURS, "Actually 4 works better");
    r.emu.receive_message("+14155550123", OURS, "Who is this?");
    let first = r.app.sync_sms().expect("sync");
    assert_eq!(first.received.len(), 3, "{first:?}");
    let again = r.app.sync_sms().expect("sync again");
    assert!(again.received.is_empty(), "nothing is stored twice: {again:?}");
    assert_eq!(r.app.sms_unread_count().expect("unread"), 3);
    let threads = r.app.sms_threads(None).expect("threads");
    let unknown = threads.iter().find(|t| t.contact_number == "+14155550123").expect("the stranger's thread");
    assert_eq!(unknown.lead_name, None, "an unknown number has no lead");
    let ann = threads.iter().find(|t| t.contact_number == ANN).expect("Ann's thread");
    assert_eq!((ann.unread, ann.lead_name.as_deref()), (2, Some("Ann Archer")));
    assert_eq!(r.app.mark_sms_read(ANN).expect("read"), 2);
    assert_eq!(r.app.sms_unread_count().expect("unread"), 1);
    let found = r.app.sms_threads(Some("4 works")).expect("search");
    assert_eq!(found.len(), 1, "search finds the thread by text");
}

#[test]
fn while_signalwire_is_down_a_text_waits_and_is_sent_exactly_once_when_it_is_back() {
    let r = rig();
    // Learn the default number first, so only the send itself meets the outage.
    send(&r.app, ANN, "warm-up").expect("sent");
    r.emu.fail_next(50, 503, 0, None);
    let waiting = send(&r.app, ANN, "sent during the outage").expect("kept, not lost");
    assert_eq!(waiting.status, "sending", "stored and waiting: {waiting:?}");
    assert_eq!(r.emu.sent_messages().len(), 1, "nothing went out during the outage");
    r.emu.clear_faults();
    let report = r.app.sync_sms().expect("sync");
    assert_eq!((report.resent, report.confirmed), (1, 0), "{report:?}");
    let bodies: Vec<String> = r.emu.sent_messages().into_iter().map(|(_, _, b)| b).collect();
    assert_eq!(bodies, ["warm-up", "sent during the outage"], "exactly once");
    let again = r.app.sync_sms().expect("sync");
    assert_eq!(again.resent, 0, "never twice");
}

#[test]
fn a_send_whose_answer_is_cut_is_confirmed_not_repeated() {
    let r = rig();
    send(&r.app, ANN, "warm-up").expect("sent");
    r.emu.cut_next_create();
    let sent = send(&r.app, ANN, "the answer to this is lost").expect("reconciled");
    assert_ne!(sent.status, "sending", "found on SignalWire at once: {sent:?}");
    assert_eq!(r.emu.sent_messages().len(), 2, "warm-up and this one, once");
}

#[test]
fn refused_and_invalid_texts_say_why_and_store_nothing_half_done() {
    let r = rig();
    let e = send(&r.app, "+13125550001", "x").expect_err("SignalWire refuses the number");
    assert_eq!(e.code, ErrorCode::Provider, "{e:?}");
    assert!(e.message.contains("21211"), "the SignalWire code is shown: {}", e.message);
    let thread = r.app.sms_thread("+13125550001", None, None, 10).expect("thread");
    assert_eq!(thread.messages[0].status, "failed", "the attempt is kept as failed, with the reason");
    assert!(thread.messages[0].error.as_deref().is_some_and(|m| m.contains("21211")));
    let empty = send(&r.app, ANN, "   ").expect_err("empty");
    assert_eq!(empty.code, ErrorCode::InvalidInput);
    let bad_to = send(&r.app, "not a number", "hi").expect_err("bad To");
    assert_eq!(bad_to.code, ErrorCode::InvalidInput, "{bad_to:?}");
    assert_eq!(r.app.sms_thread(ANN, None, None, 10).expect("thread").messages.len(), 0, "nothing stored for them");
    let segments = r.app.sms_segments(&"a".repeat(161));
    assert_eq!((segments.segments, segments.encoding.as_str()), (2, "gsm7"));
}

#[test]
fn without_signalwire_settings_sending_is_refused_with_what_to_set_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("opens");
    let e = send(&app, ANN, "hello").expect_err("not configured");
    assert_eq!(e.code, ErrorCode::NotConfigured, "{e:?}");
    assert!(e.message.contains("Settings"), "{}", e.message);
}

#[test]
fn numbers_are_searched_bought_routed_and_released_through_the_app() {
    let r = rig();
    let offers =
        r.app.search_numbers(&NumberQuery { area_code: Some("415".into()), ..NumberQuery::default() }).expect("search");
    assert_eq!(offers.len(), 10);
    assert!(offers[0].display.contains("415"), "shown formatted: {:?}", offers[0]);
    let bought = r.app.buy_number(&offers[0].phone_number).expect("bought");
    assert_eq!(r.app.list_numbers().expect("list").len(), 2);
    let routed = r
        .app
        .route_number(
            &bought.sid,
            &NumberRoutingUpdate { friendly_name: Some("Sales line".into()), ..Default::default() },
        )
        .expect("routed");
    assert_eq!(routed.friendly_name, "Sales line");
    r.app.release_number(&bought.sid).expect("released");
    assert_eq!(r.app.list_numbers().expect("list").len(), 1);
    let twice = r.app.release_number(&bought.sid).expect_err("already gone");
    assert_eq!(twice.code, ErrorCode::Provider, "{twice:?}");
}

/// A recorded bridge call placed on the emulator and logged locally; returns the call log id.
fn recorded_call(r: &Rig) -> String {
    let mut cfg = ringdesk_signalwire::Config::at(
        r.emu.origin().parse().expect("url"),
        PROJECT,
        ringdesk_signalwire::Token::new(TOKEN),
    )
    .expect("config");
    cfg.timeout = Duration::from_secs(5);
    let client = ringdesk_signalwire::Client::new(cfg).expect("client");
    let call = r
        ._rt
        .block_on(client.create_call(&ringdesk_signalwire::NewCall {
            to: ANN.into(),
            from: OURS.into(),
            url: "https://example.com/bridge.xml".into(),
            timeout_secs: None,
            record: true,
        }))
        .expect("call placed");
    r.app
        .store()
        .write(|w| {
            ringdesk_store::calls::insert(
                w,
                &ringdesk_store::calls::NewCall {
                    route: "bridge".into(),
                    contact_number: ANN.into(),
                    provider_call_sid: Some(call.sid.clone()),
                    direction: "outbound".into(),
                    started_at: "2026-11-29T10:00:00.000Z".into(),
                    ..Default::default()
                },
            )
        })
        .expect("logged")
}

#[test]
fn a_calls_recording_is_pulled_once_fetched_into_the_cache_and_evicted_past_the_cap() {
    // Room for one recording (about 16 kB each) in the cache.
    let r = rig_with(Some(20_000));
    let first = recorded_call(&r);
    let second = recorded_call(&r);
    std::thread::sleep(Duration::from_millis(1700));
    let first_sid =
        r.app.store().read(|rd| ringdesk_store::calls::provider_sid(rd, &first)).expect("sid").expect("bridge");
    let rec_sids = r.emu.recordings_of(&first_sid);
    r.emu.add_transcription(&rec_sids[0], "Hi Ann, it's about the proposal.");
    let recs = r.app.sync_call_recordings(&first).expect("pulled");
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(recs[0].transcription.as_deref(), Some("Hi Ann, it's about the proposal."), "the transcription is kept");
    assert!(!recs[0].cached, "metadata only until it is played");
    assert_eq!(r.app.sync_call_recordings(&first).expect("again").len(), 1, "stored once");
    let file = r.app.fetch_recording(&recs[0].id).expect("fetched");
    let bytes = std::fs::read(&file.path).expect("on disk");
    assert!(bytes.starts_with(b"RIFF") && bytes.len() as u64 == file.bytes, "a WAV file of {} bytes", file.bytes);
    assert!(r.app.call_recordings(&first).expect("list")[0].cached);
    let other = r.app.sync_call_recordings(&second).expect("pulled");
    let file2 = r.app.fetch_recording(&other[0].id).expect("fetched");
    assert!(std::path::Path::new(&file2.path).is_file());
    assert!(!std::path::Path::new(&file.path).exists(), "the older file was evicted to honour the cap");
    assert!(!r.app.call_recordings(&first).expect("list")[0].cached, "and the store knows");
    let refetched = r.app.fetch_recording(&recs[0].id).expect("fetched again on demand");
    assert!(std::path::Path::new(&refetched.path).is_file());
    r.app.delete_recording(&other[0].id).expect("deleted");
    assert!(!std::path::Path::new(&file2.path).exists(), "its cached audio is gone");
    assert!(r.app.call_recordings(&second).expect("list").is_empty(), "and its row");
    assert!(r.app.sync_call_recordings(&second).expect("pulled").is_empty(), "SignalWire no longer has it");
    let synced = r.app.store().read(|rd| ringdesk_store::outbox::pending(rd, 1000)).expect("outbox");
    let rows: Vec<String> =
        synced.iter().filter(|m| m.table_name == "call_recordings").map(|m| m.args.to_string()).collect();
    let count = |op: &str| synced.iter().filter(|m| m.table_name == "call_recordings" && m.op == op).count();
    assert_eq!((count("insert"), count("delete")), (2, 1), "each recording inserted once, one deleted: {rows:?}");
    assert!(rows.iter().all(|a| !a.contains("http")), "no playable URL is stored or synced: {rows:?}");
}

#[test]
fn the_realtime_connection_stores_texts_as_they_arrive_and_catches_up_after_a_cut() {
    let r = rig();
    let (tx, rx) = std::sync::mpsc::channel();
    let sink: ringdesk_app::NoticeSink = Arc::new(move |n| {
        let _ = tx.send(n);
    });
    let options = ringdesk_app::RealtimeOptions { desktop_notifications: false, ..Default::default() };
    let handle = r.app.start_realtime(options, sink).expect("started");
    let wait = |what: &str, pred: &dyn Fn(&ringdesk_app::ipc::RealtimeNotice) -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let mut seen = Vec::new();
        loop {
            match rx.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
                Ok(n) if pred(&n) => return n,
                Ok(n) => seen.push(n),
                Err(_) => panic!("no {what}; saw {seen:?}"),
            }
        }
    };
    use ringdesk_app::ipc::RealtimeNotice as N;
    wait("online", &|n| matches!(n, N::Connection { online: true, .. }));
    r.emu.receive_message(ANN, OURS, "over RELAY");
    let got = wait("the text", &|n| matches!(n, N::SmsReceived { .. }));
    let N::SmsReceived { message, lead_name } = got else { unreachable!() };
    assert_eq!((message.body.as_str(), lead_name.as_deref()), ("over RELAY", Some("Ann Archer")));
    for i in 0..5 {
        r.emu.receive_message(ANN, OURS, &format!("before the cut {i}"));
    }
    r.emu.relay_forget_sessions();
    for i in 0..5 {
        r.emu.receive_message(ANN, OURS, &format!("after the cut {i}"));
    }
    let mut bodies = std::collections::HashSet::new();
    while bodies.len() < 10 {
        if let N::SmsReceived { message, .. } = wait("ten more", &|n| matches!(n, N::SmsReceived { .. })) {
            assert!(bodies.insert(message.body.clone()), "announced twice: {}", message.body);
        }
    }
    drop(handle);
    let stored = r.app.sms_thread(ANN, None, None, 100).expect("thread");
    assert_eq!(stored.messages.len(), 11, "each text stored exactly once");
}

#[test]
fn a_lead_created_from_an_unknown_number_takes_over_its_conversation() {
    let r = rig();
    r.emu.receive_message("+14155550123", OURS, "Hi, I saw your ad");
    r.app.sync_sms().expect("sync");
    let unknown = r.app.sms_threads(None).expect("threads");
    assert_eq!(unknown[0].lead_name, None, "unknown at first");
    let missing_name =
        r.app.create_lead(&ringdesk_app::ipc::LeadPatch { phone: Some("+14155550123".into()), ..Default::default() });
    assert_eq!(missing_name.expect_err("a name is required").code, ErrorCode::InvalidInput);
    let lead = r
        .app
        .create_lead(&ringdesk_app::ipc::LeadPatch {
            name: Some("Zed Zimmer".into()),
            phone: Some("(415) 555-0123".into()),
            company: Some("Initech".into()),
            ..Default::default()
        })
        .expect("created");
    assert_eq!(lead.phone_e164.as_deref(), Some("+14155550123"), "{lead:?}");
    let threads = r.app.sms_threads(None).expect("threads");
    assert_eq!(threads[0].lead_name.as_deref(), Some("Zed Zimmer"), "the conversation now shows the lead");
    let thread = r.app.sms_thread("+14155550123", None, None, 10).expect("thread");
    assert!(thread.messages.iter().all(|m| m.lead_id.as_deref() == Some(lead.id.as_str())), "linked");
}

#[test]
fn a_refused_pending_text_is_marked_failed_and_the_others_still_go_out() {
    let r = rig();
    send(&r.app, ANN, "warm-up").expect("sent");
    r.emu.fail_next(100, 503, 0, None);
    let doomed = send(&r.app, "+13125550001", "to a number SignalWire refuses").expect("kept");
    let fine = send(&r.app, ANN, "this one is fine").expect("kept");
    assert_eq!((doomed.status.as_str(), fine.status.as_str()), ("sending", "sending"));
    r.emu.clear_faults();
    let report = r.app.sync_sms().expect("the sync goes on past the refusal");
    assert_eq!((report.failed, report.resent), (1, 1), "{report:?}");
    let refused = r.app.sms_thread("+13125550001", None, None, 10).expect("thread");
    assert_eq!(refused.messages[0].status, "failed");
    assert!(r.emu.sent_messages().iter().any(|(_, _, b)| b == "this one is fine"), "the other went out");
}

#[test]
fn releasing_the_default_number_makes_the_next_text_go_from_one_still_owned() {
    let r = rig();
    let other =
        r.app.search_numbers(&NumberQuery { area_code: Some("415".into()), ..Default::default() }).expect("search");
    let bought = r.app.buy_number(&other[0].phone_number).expect("bought");
    send(&r.app, ANN, "from the first number").expect("sent");
    let ours = r.app.list_numbers().expect("list").into_iter().find(|n| n.phone_number == OURS).expect("ours");
    r.app.release_number(&ours.sid).expect("released");
    let next = send(&r.app, "+13125550177", "after the release").expect("sent from another number");
    assert_eq!(next.our_number.as_deref(), Some(bought.phone_number.as_str()), "{next:?}");
}

#[test]
fn a_sip_line_is_provisioned_in_signalwire_and_becomes_this_desktops_account() {
    let r = rig();
    let settings = r
        .app
        .provision_sip_line(&ringdesk_app::ipc::ProvisionSipLine {
            username: "agent-ann".into(),
            send_as: Some(OURS.into()),
        })
        .expect("provisioned");
    assert_eq!(settings.sip_username, "agent-ann");
    assert_eq!(settings.sip_registrar, "example-112233445566.sip.signalwire.com:5061", "the project's SIP domain");
    assert_eq!(settings.sip_transport, ringdesk_app::ipc::SipTransport::Tls, "TLS, as SignalWire recommends");
    assert!(settings.sip_password_set, "the generated password went to the keychain");
    assert_eq!(r.emu.sip_usernames(), ["agent-ann"]);
    let listed = r.app.list_sip_endpoints().expect("list");
    assert_eq!(listed[0].send_as.as_deref(), Some(OURS));
    let taken = r
        .app
        .provision_sip_line(&ringdesk_app::ipc::ProvisionSipLine { username: "agent-ann".into(), send_as: None })
        .expect_err("taken");
    assert_eq!(taken.code, ErrorCode::Provider, "{taken:?}");
    assert!(taken.message.contains("already been taken"), "{}", taken.message);
    let bad = r
        .app
        .provision_sip_line(&ringdesk_app::ipc::ProvisionSipLine { username: "agent ann".into(), send_as: None })
        .expect_err("spaces");
    assert_eq!(bad.code, ErrorCode::InvalidInput, "{bad:?}");
}

/// The caller ID in Settings reaches softphone calls through the SignalWire SIP endpoint's
/// `send_as`; "Automatic" gives it back to SignalWire; a SIP line from another provider is told
/// that its provider sets the caller ID, and nothing at SignalWire changes.
#[test]
fn the_caller_id_in_settings_becomes_the_softphone_endpoints_send_as() {
    let r = rig();
    let without_line = r.app.apply_softphone_caller_id().expect_err("no SIP line yet");
    assert_eq!(without_line.code, ErrorCode::NotConfigured, "{without_line:?}");
    r.app
        .provision_sip_line(&ringdesk_app::ipc::ProvisionSipLine { username: "agent-ann".into(), send_as: None })
        .expect("provisioned");
    r.app
        .update_settings(&SettingsUpdate { caller_id: Some(OURS.into()), ..SettingsUpdate::default() })
        .expect("caller ID");
    let applied = r.app.apply_softphone_caller_id().expect("applied");
    assert_eq!(applied.endpoint_username, "agent-ann");
    assert_eq!(applied.send_as.as_deref(), Some(OURS), "the endpoint now sends as our number");
    let listed = r.app.list_sip_endpoints().expect("list");
    assert_eq!(listed[0].send_as.as_deref(), Some(OURS), "SignalWire has it: {listed:?}");

    r.app
        .update_settings(&SettingsUpdate { caller_id: Some(String::new()), ..SettingsUpdate::default() })
        .expect("automatic caller ID");
    let automatic = r.app.apply_softphone_caller_id().expect("applied");
    assert_eq!(automatic.send_as, None, "Automatic leaves the choice to SignalWire");
    assert_eq!(r.app.list_sip_endpoints().expect("list")[0].send_as, None, "cleared at SignalWire");

    r.app
        .update_settings(&SettingsUpdate {
            sip_username: Some("someone-elses-line".into()),
            caller_id: Some(OURS.into()),
            ..SettingsUpdate::default()
        })
        .expect("another provider's line");
    let foreign = r.app.apply_softphone_caller_id().expect_err("not a SignalWire endpoint");
    assert_eq!(foreign.code, ErrorCode::NotFound, "{foreign:?}");
    assert!(foreign.message.contains("sets the caller ID"), "says who sets it: {}", foreign.message);
    assert_eq!(r.app.list_sip_endpoints().expect("list")[0].send_as, None, "nothing changed at SignalWire");

    r.app
        .provision_sip_line(&ringdesk_app::ipc::ProvisionSipLine { username: "agent-bob".into(), send_as: None })
        .expect("a second line");
    let bob = r.app.list_sip_endpoints().expect("list").into_iter().find(|e| e.username == "agent-bob").expect("bob's");
    assert_eq!(bob.send_as.as_deref(), Some(OURS), "a new line starts with the caller ID in Settings");
}

#[test]
fn a_bridge_call_rings_the_agent_first_through_a_script_the_app_keeps_up_to_date() {
    let r = rig();
    let no_phone = r.app.start_bridge_call(&ringdesk_app::ipc::BridgeCallRequest {
        to: ANN.into(),
        agent_phone: None,
        caller_id: None,
        record: false,
        lead_id: None,
        override_dnc: false,
    });
    assert_eq!(no_phone.expect_err("no agent phone yet").code, ErrorCode::InvalidInput);
    let call = r
        .app
        .start_bridge_call(&ringdesk_app::ipc::BridgeCallRequest {
            to: "(312) 555-0142".into(),
            agent_phone: Some("+16175550199".into()),
            caller_id: None,
            record: true,
            lead_id: None,
            override_dnc: false,
        })
        .expect("placed");
    assert_eq!(call.status, "queued");
    assert_eq!(call.agent_phone, "+16175550199");
    let placed = r.emu.calls();
    assert_eq!(placed.len(), 1);
    assert_eq!((placed[0].1.as_str(), placed[0].2.as_str()), (OURS, "+16175550199"), "from our number to the agent");
    let url = r.emu.call_url(&call.sid).expect("url");
    assert!(url.contains("Lead=%2B13125550142") && url.contains("Record=record-from-answer"), "{url}");
    let scripts = r.emu.cxml_scripts();
    assert_eq!(scripts.len(), 1, "one script, created on first use");
    assert!(scripts[0].1.contains("<Number>{{Lead}}</Number>"), "{scripts:?}");
    // A second call reuses the script and the remembered agent phone.
    let second = r
        .app
        .start_bridge_call(&ringdesk_app::ipc::BridgeCallRequest {
            to: ANN.into(),
            agent_phone: None,
            caller_id: None,
            record: false,
            lead_id: None,
            override_dnc: false,
        })
        .expect("placed");
    assert_eq!(second.agent_phone, "+16175550199", "the agent's phone is remembered");
    assert_eq!(r.emu.cxml_scripts().len(), 1, "not created twice");
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(r.app.bridge_call_status(&call.sid).expect("status").status, "in-progress");
    let ended = r.app.hang_up_bridge_call(&call.sid).expect("hung up");
    assert_eq!(ended.status, "completed");
    assert_eq!(ended.call_log_id, call.call_log_id, "the same logged call");
    let history = r.app.call_history(&ringdesk_app::ipc::HistoryFilter { limit: 10, ..Default::default() }).expect("h");
    let logged = history.iter().find(|c| Some(&c.id) == call.call_log_id.as_ref()).expect("in the history");
    assert_eq!((logged.route.as_str(), logged.contact_number.as_str()), ("bridge", "+13125550142"), "{logged:?}");
    let owed = r.app.calls_awaiting_disposition().expect("awaiting");
    assert!(
        owed.iter().any(|c| Some(&c.id) == call.call_log_id.as_ref()),
        "the ended bridge call waits for its disposition"
    );
    let to_ann = history.iter().find(|c| Some(&c.id) == second.call_log_id.as_ref()).expect("second call logged");
    assert!(to_ann.lead_id.is_some(), "a call to a lead's number is filed under the lead: {to_ann:?}");
    let cancelled = r.app.hang_up_bridge_call(&second.sid).expect("cancelled or ended");
    assert!(["canceled", "completed"].contains(&cancelled.status.as_str()), "{cancelled:?}");
}

#[test]
fn ai_agents_are_pulled_with_their_numbers_and_a_number_can_be_routed_to_one() {
    let r = rig();
    r.emu.add_ai_agent("Receptionist", "Greet callers and book meetings.");
    r.emu.add_ai_agent("After hours", "Take a message.");
    let agents = r.app.sync_ai_agents().expect("pulled");
    let names: Vec<&str> = agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["After hours", "Receptionist"], "by name");
    assert!(agents.iter().all(|a| a.assigned_number.is_none()), "no number routed yet");
    assert_eq!(agents[1].prompt.as_deref(), Some("Greet callers and book meetings."));
    let receptionist = agents[1].id.clone();
    let after = r.app.assign_ai_agent(&receptionist, "(217) 555-0100").expect("routed");
    let routed = after.iter().find(|a| a.id == receptionist).expect("still there");
    assert_eq!(routed.assigned_number.as_deref(), Some(OURS), "the number now answers with the agent");
    let moved = r.app.assign_ai_agent(&agents[0].id, OURS).expect("re-routed");
    assert_eq!(
        moved.iter().filter(|a| a.assigned_number.as_deref() == Some(OURS)).count(),
        1,
        "a number answers with one agent at a time: {moved:?}"
    );
    let foreign = r.app.assign_ai_agent(&receptionist, "+19995550123").expect_err("not ours");
    assert_eq!(foreign.code, ErrorCode::InvalidInput, "{foreign:?}");
}

#[test]
fn voice_clones_keep_their_signalwire_import_status() {
    let r = rig();
    let clone = r
        .app
        .add_voice_clone(&ringdesk_app::ipc::NewVoiceClone {
            name: "Ann's voice".into(),
            sample_audio_url: Some("https://cdn.example.com/ann.wav".into()),
            playht_voice_id: None,
        })
        .expect("added");
    assert_eq!(clone.import_status, "not_requested", "cloned voices do not resolve on SignalWire until imported");
    let requested = r.app.set_voice_clone_import(&clone.id, "requested").expect("requested");
    assert_eq!(requested.import_status, "requested");
    let bad = r.app.set_voice_clone_import(&clone.id, "maybe").expect_err("unknown status");
    assert_eq!(bad.code, ErrorCode::InvalidInput);
    let no_name = r.app.add_voice_clone(&ringdesk_app::ipc::NewVoiceClone {
        name: " ".into(),
        sample_audio_url: None,
        playht_voice_id: None,
    });
    assert_eq!(no_name.expect_err("a name").code, ErrorCode::InvalidInput);
    assert_eq!(r.app.voice_clones().expect("list").len(), 1);
}

#[test]
fn while_connected_the_delivery_of_sent_texts_is_followed_until_it_is_final() {
    let r = rig();
    let (tx, rx) = std::sync::mpsc::channel();
    let sink: ringdesk_app::NoticeSink = Arc::new(move |n| {
        let _ = tx.send(n);
    });
    let options = ringdesk_app::RealtimeOptions {
        desktop_notifications: false,
        status_poll: Duration::from_millis(150),
        ..Default::default()
    };
    let _live = r.app.start_realtime(options, sink).expect("started");
    let sent = send(&r.app, ANN, "tracked").expect("sent");
    assert_eq!(sent.status, "queued");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let mut told = false;
    loop {
        let status = r.app.sms_thread(ANN, None, None, 5).expect("thread").messages[0].status.clone();
        if status == "delivered" && told {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {status} (UI told: {told}) after 5 s");
        if let Ok(n) = rx.recv_timeout(Duration::from_millis(200)) {
            told |= n == ringdesk_app::ipc::RealtimeNotice::SmsChanged;
        }
    }
}

#[test]
fn a_number_is_routed_to_this_desktop_texts_to_relay_and_calls_to_its_sip_endpoint() {
    let r = rig();
    let offer =
        r.app.search_numbers(&NumberQuery { area_code: Some("415".into()), ..Default::default() }).expect("search");
    let bought = r.app.buy_number(&offer[0].phone_number).expect("bought");
    // A new number sends texts nowhere Ringdesk hears live.
    r.emu.receive_message(ANN, &bought.phone_number, "before routing");
    let handling = r.app.route_number_to_ringdesk(&bought.phone_number).expect("routed");
    assert!(handling.texts_to_ringdesk && !handling.calls_to_softphone, "no SIP account yet: {handling:?}");
    r.app
        .provision_sip_line(&ringdesk_app::ipc::ProvisionSipLine { username: "desk-1".into(), send_as: None })
        .expect("sip line");
    let handling = r.app.route_number_to_ringdesk(&bought.phone_number).expect("routed");
    assert!(handling.calls_to_softphone, "calls ring the softphone's SIP endpoint: {handling:?}");
    assert_eq!(handling.call_handler.as_deref(), Some("relay_sip_endpoint"));
    let (handler, _, texts) = r.emu.number_handlers(&bought.phone_number).expect("known");
    assert_eq!((handler.as_deref(), texts.as_deref()), (Some("relay_sip_endpoint"), Some("ringdesk")));
    let stranger = r.app.route_number_to_ringdesk("+19995550123").expect_err("not ours");
    assert_eq!(stranger.code, ErrorCode::InvalidInput, "{stranger:?}");
}

#[test]
fn place_call_uses_the_default_route_and_caller_id_from_settings_and_a_call_can_override_them() {
    let r = rig();
    r.emu.own_number("+13125550177");
    let second_number = "+13125550177";
    // Without a SIP line the softphone route is refused with what to set up.
    let softphone = r.app.place_call(&ringdesk_app::ipc::PlaceCall { to: ANN.into(), ..Default::default() });
    assert_eq!(
        softphone.expect_err("no SIP line").code,
        ErrorCode::NotConfigured,
        "the default route is the softphone"
    );
    // Bad settings are refused with the field named, and nothing is stored.
    let bad = r.app.update_settings(&SettingsUpdate {
        default_route: Some(ringdesk_app::ipc::CallRoute::Bridge),
        caller_id: Some("not a number".into()),
        ..SettingsUpdate::default()
    });
    let err = bad.expect_err("caller ID refused");
    assert!(err.message.contains("Caller ID"), "{}", err.message);
    assert_eq!(
        r.app.get_settings().expect("settings").default_route,
        ringdesk_app::ipc::CallRoute::Softphone,
        "untouched"
    );
    let sip_caller_id = r
        .app
        .update_settings(&SettingsUpdate { caller_id: Some("sip:me@example.com".into()), ..SettingsUpdate::default() });
    assert!(sip_caller_id.expect_err("a SIP caller ID").message.contains("phone number"), "caller ID must be a number");
    let s = r
        .app
        .update_settings(&SettingsUpdate {
            default_route: Some(ringdesk_app::ipc::CallRoute::Bridge),
            caller_id: Some("(312) 555-0177".into()),
            agent_phone: Some("+1 617 555 0199".into()),
            ..SettingsUpdate::default()
        })
        .expect("saved");
    assert_eq!((s.caller_id.as_str(), s.agent_phone.as_str()), (second_number, "+16175550199"), "stored as E.164");

    let placed =
        r.app.place_call(&ringdesk_app::ipc::PlaceCall { to: ANN.into(), ..Default::default() }).expect("placed");
    assert_eq!(placed.route, ringdesk_app::ipc::CallRoute::Bridge, "the default route from Settings");
    assert!(placed.call_id.is_none() && placed.lead_id.is_some(), "a bridge call for Ann's lead: {placed:?}");
    let bridge = placed.bridge.expect("the bridge call");
    let calls = r.emu.calls();
    let this = calls.iter().find(|c| c.0 == bridge.sid).expect("placed at SignalWire");
    assert_eq!(
        (this.1.as_str(), this.2.as_str()),
        (second_number, "+16175550199"),
        "caller ID from Settings, agent phone rung first"
    );

    let overridden = r
        .app
        .place_call(&ringdesk_app::ipc::PlaceCall {
            to: ANN.into(),
            caller_id: Some(OURS.into()),
            ..Default::default()
        })
        .expect("placed");
    let sid = overridden.bridge.expect("bridge").sid;
    let calls = r.emu.calls();
    assert_eq!(calls.iter().find(|c| c.0 == sid).expect("placed").1, OURS, "the call's own caller ID wins");
    let forced = r.app.place_call(&ringdesk_app::ipc::PlaceCall {
        to: ANN.into(),
        route: Some(ringdesk_app::ipc::CallRoute::Softphone),
        ..Default::default()
    });
    assert_eq!(
        forced.expect_err("softphone not set up").code,
        ErrorCode::NotConfigured,
        "a call can override the route"
    );
    let history = r
        .app
        .call_history(&ringdesk_app::ipc::HistoryFilter {
            route: Some(ringdesk_app::ipc::CallRoute::Bridge),
            limit: 10,
            ..Default::default()
        })
        .expect("history");
    assert_eq!(history.len(), 2, "both bridge calls are logged and filtered by route");
}

#[test]
fn recordings_are_pulled_for_logged_calls_and_listed_by_contact_searchable_by_transcription() {
    let r = rig();
    let first = recorded_call(&r);
    let second = recorded_call(&r);
    std::thread::sleep(Duration::from_millis(1700));
    let sid = r.app.store().read(|rd| ringdesk_store::calls::provider_sid(rd, &first)).expect("sid").expect("bridge");
    r.emu.add_transcription(&r.emu.recordings_of(&sid)[0], "Ann asked for the enterprise proposal");
    let report = r.app.sync_recordings(30).expect("pulled");
    assert_eq!((report.seen, report.added, report.unmatched), (2, 2, 0), "{report:?}");
    let again = r.app.sync_recordings(30).expect("pulled again");
    assert_eq!(again.added, 0, "each recording is stored once");

    let all = r.app.recordings_library(&ringdesk_app::ipc::RecordingQuery::default()).expect("library");
    assert_eq!(all.len(), 1, "one contact: {all:?}");
    assert_eq!(all[0].contact_number, ANN);
    let calls: Vec<&str> = all[0].recordings.iter().map(|x| x.recording.call_log_id.as_str()).collect();
    assert!(calls.contains(&first.as_str()) && calls.contains(&second.as_str()), "both calls' recordings: {calls:?}");
    let found = r
        .app
        .recordings_library(&ringdesk_app::ipc::RecordingQuery {
            text: Some("enterprise".into()),
            ..Default::default()
        })
        .expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].recordings.len(), 1, "only the transcription that has the word");
    assert_eq!(found[0].recordings[0].recording.call_log_id, first);
    let none = r
        .app
        .recordings_library(&ringdesk_app::ipc::RecordingQuery { text: Some("zeppelin".into()), ..Default::default() })
        .expect("search");
    assert!(none.is_empty(), "nothing matches: {none:?}");
    let bad = r.app.recordings_library(&ringdesk_app::ipc::RecordingQuery {
        from: Some("yesterday".into()),
        ..Default::default()
    });
    assert!(bad.expect_err("a bad date").message.contains("From"), "the field is named");
    let history = r.app.call_history(&ringdesk_app::ipc::HistoryFilter { limit: 10, ..Default::default() }).expect("h");
    assert!(history.iter().all(|c| c.has_recording), "the history marks recorded calls: {history:?}");
}
