//! The softphone route through the facade, against real peers on loopback: Kamailio with digest
//! auth as the registrar, baresip as the lead's phone. A call placed from a lead is logged when
//! it starts and as it changes (answered, ended with its duration), moves the lead's last
//! contact, and waits for its disposition; an incoming call is announced and logged; a lead
//! marked Do Not Call is not dialled without an override.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ringdesk_app::ipc::{
    CallNotice, CallPhase, DialRequest, DispositionRequest, LeadPatch, SecretKind, SettingsUpdate, SipTransport,
};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_app::{App, ErrorCode, PhoneOptions};
use ringdesk_testkit::{AnswerMode, Baresip, Kamailio, speech_wav};
use ringdesk_voice::audio::WavDevices;

type Notices = Arc<Mutex<Vec<CallNotice>>>;

fn wait_for<T>(what: &str, notices: &Notices, mut pick: impl FnMut(&CallNotice) -> Option<T>) -> T {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if let Some(found) = notices.lock().expect("lock").iter().find_map(&mut pick) {
            return found;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}; notices: {:?}", notices.lock().expect("lock"));
}

/// Kamailio, a baresip peer registered as `peer` (answering by itself, speaking from a WAV),
/// and the app's phone registered as alice with WAV devices; the phone's notices are collected.
struct Rig {
    kam: Kamailio,
    peer: Baresip,
    app: App,
    notices: Notices,
    _dir: tempfile::TempDir,
}

fn rig(peer: &str) -> Rig {
    let kam = Kamailio::start().expect("kamailio");
    let dir = tempfile::tempdir().expect("dir");
    let wav = dir.path().join("speech.wav");
    speech_wav(&wav, 30).expect("wav");
    let peer = Baresip::start(peer, &kam.addr(), &wav, AnswerMode::Auto, false).expect("baresip");
    peer.wait_registered(Duration::from_secs(5)).expect("the peer registers");
    let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("app");
    app.update_settings(&SettingsUpdate {
        sip_registrar: Some(kam.addr()),
        sip_username: Some("alice".into()),
        sip_transport: Some(SipTransport::Udp),
        ..SettingsUpdate::default()
    })
    .expect("sip settings");
    app.set_secret(SecretKind::SipPassword, "alicepw").expect("password");
    let notices: Notices = Arc::default();
    let keep = notices.clone();
    let out = dir.path().join("heard");
    std::fs::create_dir_all(&out).expect("dir");
    app.start_phone(
        PhoneOptions {
            devices: Some(Arc::new(WavDevices { input: wav.clone(), output_dir: out })),
            sip_bind: "127.0.0.1:0".parse().expect("addr"),
            media_ip: Some("127.0.0.1".parse().expect("ip")),
            ring_timeout: Duration::from_secs(10),
            desktop_notifications: false,
        },
        Arc::new(move |n| keep.lock().expect("lock").push(n)),
    )
    .expect("the phone starts");
    wait_for("registration", &notices, |n| {
        matches!(n, CallNotice::Registration { registered: true, .. }).then_some(())
    });
    Rig { kam, peer, app, notices, _dir: dir }
}

#[test]
fn a_call_from_a_lead_is_logged_as_it_happens_and_an_incoming_call_is_announced() {
    let Rig { kam, peer: mut bob, app, notices, _dir } = rig("bob");

    let lead = app.create_lead(&LeadPatch { name: Some("Bob Baker".into()), ..LeadPatch::default() }).expect("lead");
    let call = app
        .dial(&DialRequest { to: "bob".into(), lead_id: Some(lead.id.clone()), override_dnc: false })
        .expect("dialled");
    assert_eq!(call.lead_id.as_deref(), Some(lead.id.as_str()), "filed under the lead");
    let waiting = app.call_history(&Default::default());
    assert!(waiting.is_ok(), "history readable while the call runs");
    bob.wait_event("CALL_ESTABLISHED", Duration::from_secs(10)).expect("bob's phone answered");
    wait_for("active", &notices, |n| match n {
        CallNotice::State { call_id, phase: CallPhase::Active, .. } if *call_id == call.call_id => Some(()),
        _ => None,
    });
    std::thread::sleep(Duration::from_millis(2200));
    app.hang_up(&call.call_id).expect("hang up");
    wait_for("ended", &notices, |n| match n {
        CallNotice::State { call_id, phase: CallPhase::Ended, .. } if *call_id == call.call_id => Some(()),
        _ => None,
    });

    let owed = app.calls_awaiting_disposition().expect("awaiting");
    assert_eq!(owed.len(), 1, "the call waits for its disposition: {owed:?}");
    assert_eq!(owed[0].id, call.call_log_id, "the logged call");
    assert_eq!(owed[0].lead_name.as_deref(), Some("Bob Baker"), "with the lead");
    assert!(owed[0].duration_seconds.is_some_and(|d| (1..=5).contains(&d)), "talk time logged: {:?}", owed[0]);
    assert!(app.get_lead(&lead.id).expect("lead").last_contact.is_some(), "last contact moved");
    app.dispose_call(&DispositionRequest {
        call_log_id: call.call_log_id.clone(),
        disposition: "interested".into(),
        notes: Some("Call again next week".into()),
        next_action: None,
        follow_up_at: None,
    })
    .expect("disposition");
    assert_eq!(app.get_lead(&lead.id).expect("lead").status, "qualified", "the lead moved on");

    // Bob calls back: announced (unknown number, no lead), answered, hung up by Bob.
    bob.command("dial", &format!("sip:alice@{}", kam.addr())).expect("bob dials");
    let (incoming, log) = wait_for("incoming", &notices, |n| match n {
        CallNotice::Incoming { call_id, call_log_id, from, lead, .. } => {
            assert_eq!(from, "bob", "the caller");
            assert!(lead.is_none(), "no lead has this number");
            Some((call_id.clone(), call_log_id.clone()))
        }
        _ => None,
    });
    app.answer_call(&incoming).expect("answer");
    bob.wait_event("CALL_ESTABLISHED", Duration::from_secs(10)).expect("bob connected");
    std::thread::sleep(Duration::from_millis(1200));
    bob.command("hangup", "").expect("bob hangs up");
    wait_for("inbound ended", &notices, |n| match n {
        CallNotice::State { call_id, phase: CallPhase::Ended, .. } if *call_id == incoming => Some(()),
        _ => None,
    });
    let history = app.call_history(&ringdesk_app::ipc::HistoryFilter { limit: 10, ..Default::default() }).expect("h");
    let inbound = history.iter().find(|c| c.id == log).expect("the inbound call is in the history");
    assert_eq!(inbound.direction, "inbound", "logged as inbound");

    // Do Not Call: refused without the override.
    app.update_lead(&lead.id, &LeadPatch { status: Some(ringdesk_app::DO_NOT_CALL.into()), ..LeadPatch::default() })
        .expect("mark DNC");
    let err = app
        .dial(&DialRequest { to: "bob".into(), lead_id: Some(lead.id.clone()), override_dnc: false })
        .expect_err("a Do Not Call lead is not dialled");
    assert_eq!(err.code, ErrorCode::Conflict, "{err:?}");
    assert!(err.message.contains("Do Not Call"), "{}", err.message);
    let bad = app.dial(&DialRequest { to: "not a number!".into(), lead_id: None, override_dnc: false });
    assert!(bad.is_err(), "garbage is refused before anything is logged");
    app.stop_phone();
}

#[test]
fn a_lead_is_called_by_its_number_and_its_call_back_pops_up_with_the_lead_and_last_note() {
    // The lead's phone registers as its number's digits.
    let Rig { kam, peer: mut ann_phone, app, notices, _dir } = rig("13125550142");
    let ann = app
        .create_lead(&LeadPatch {
            name: Some("Ann Archer".into()),
            company: Some("Acme Rockets".into()),
            phone: Some("(312) 555-0142".into()),
            ..LeadPatch::default()
        })
        .expect("lead");

    let placed = app
        .place_call(&ringdesk_app::ipc::PlaceCall {
            to: "(312) 555-0142".into(),
            lead_id: Some(ann.id.clone()),
            ..Default::default()
        })
        .expect("placed over the default route, the softphone");
    let call = placed.call_id.expect("a softphone call");
    ann_phone.wait_event("CALL_ESTABLISHED", Duration::from_secs(10)).expect("the lead's phone answered its number");
    std::thread::sleep(Duration::from_millis(1200));
    app.hang_up(&call).expect("hang up");
    wait_for("ended", &notices, |n| match n {
        CallNotice::State { call_id, phase: CallPhase::Ended, .. } if *call_id == call => Some(()),
        _ => None,
    });
    app.dispose_call(&DispositionRequest {
        call_log_id: placed.call_log_id.clone(),
        disposition: "callback_requested".into(),
        notes: Some("Call back after the board meeting".into()),
        next_action: None,
        follow_up_at: None,
    })
    .expect("wrapped up");

    ann_phone.command("dial", &format!("sip:alice@{}", kam.addr())).expect("Ann calls back");
    let pop = wait_for("incoming with the screen pop", &notices, |n| match n {
        CallNotice::Incoming { from, lead, call_id, .. } => Some((from.clone(), lead.clone(), call_id.clone())),
        _ => None,
    });
    assert_eq!(pop.0, "+13125550142", "the caller's number, as E.164");
    let lead = pop.1.expect("the number matched Ann");
    assert_eq!((lead.name.as_str(), lead.company.as_deref()), ("Ann Archer", Some("Acme Rockets")), "{lead:?}");
    assert_eq!(lead.last_note.as_deref(), Some("Call back after the board meeting"), "the last call's note");
    assert!(lead.last_call_at.is_some(), "when they last spoke");
    // Nobody answers: the call is missed, listed as such, and owes no wrap-up.
    ann_phone.command("hangup", "").expect("Ann gives up");
    wait_for("the call back ends unanswered", &notices, |n| match n {
        CallNotice::State { call_id, phase: CallPhase::Ended | CallPhase::Failed, .. } if *call_id == pop.2 => Some(()),
        _ => None,
    });
    let missed = app
        .call_history(&ringdesk_app::ipc::HistoryFilter { missed: true, limit: 10, ..Default::default() })
        .expect("missed calls");
    assert_eq!(missed.len(), 1, "the unanswered call back is listed as missed: {missed:?}");
    assert!(missed[0].missed && missed[0].lead_name.as_deref() == Some("Ann Archer"), "{:?}", missed[0]);
    assert!(
        app.calls_awaiting_disposition().expect("awaiting").iter().all(|c| c.id != missed[0].id),
        "a missed call is not a call to wrap up"
    );
    app.stop_phone();
}

/// The phone opens the microphone and speaker chosen in Settings, and a change in Settings while
/// it runs reaches it at once: calls in progress switch (the device path itself is tested in
/// crates/voice/tests/device_path_through_pulseaudio.rs). A phone given its devices (here the
/// rig's WAV files) keeps them.
#[test]
fn a_device_change_in_settings_reaches_the_running_phone_and_its_calls() {
    let kam = Kamailio::start().expect("kamailio");
    let dir = tempfile::tempdir().expect("dir");
    let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("app");
    app.update_settings(&SettingsUpdate {
        sip_registrar: Some(kam.addr()),
        sip_username: Some("alice".into()),
        sip_transport: Some(SipTransport::Udp),
        audio_output: Some("Headset".into()),
        ..SettingsUpdate::default()
    })
    .expect("sip settings");
    app.set_secret(SecretKind::SipPassword, "alicepw").expect("password");
    assert_eq!(app.audio_choice(), None, "no phone, no devices");
    let options = PhoneOptions {
        devices: None,
        sip_bind: "127.0.0.1:0".parse().expect("addr"),
        media_ip: Some("127.0.0.1".parse().expect("ip")),
        ring_timeout: Duration::from_secs(10),
        desktop_notifications: false,
    };
    app.start_phone(options, Arc::new(|_| {})).expect("the phone starts");
    assert_eq!(app.audio_choice(), Some((None, Some("Headset".into()))), "Settings' speaker, the default microphone");

    app.update_settings(&SettingsUpdate {
        audio_input: Some("USB mic".into()),
        audio_output: Some("Speakers".into()),
        ..SettingsUpdate::default()
    })
    .expect("new devices");
    assert_eq!(
        app.audio_choice(),
        Some((Some("USB mic".into()), Some("Speakers".into()))),
        "the running phone switched to the new devices"
    );
    app.update_settings(&SettingsUpdate { audio_output: Some(String::new()), ..SettingsUpdate::default() })
        .expect("back to the default speaker");
    assert_eq!(app.audio_choice(), Some((Some("USB mic".into()), None)), "the default speaker again");
    app.stop_phone();

    let rig = rig("bob");
    rig.app
        .update_settings(&SettingsUpdate { audio_output: Some("Speakers".into()), ..SettingsUpdate::default() })
        .expect("a device saved");
    assert_eq!(rig.app.audio_choice(), None, "a phone given its devices keeps them");
}

#[test]
fn a_stopped_phone_unregisters_so_calls_to_it_are_refused_at_once_not_sent_to_a_dead_address() {
    let Rig { kam: _kam, peer: mut bob, app, notices: _notices, _dir } = rig("bob");
    let started = Instant::now();
    app.stop_phone();
    assert!(started.elapsed() < Duration::from_secs(3), "stopping waits for the registrar at most 2 s");
    // Kamailio no longer knows alice: it answers 404 at once instead of relaying the INVITE
    // to the address the stopped phone had.
    bob.command("dial", &format!("sip:alice@{}", _kam.addr())).expect("bob dials");
    let closed = bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("the call ends at once");
    assert!(closed.contains("404"), "refused as unknown, not timed out: {closed}");
}

#[test]
fn a_voicemail_drop_plays_the_message_into_the_call_which_then_hangs_up_by_itself() {
    let kam = Kamailio::start().expect("kamailio");
    let dir = tempfile::tempdir().expect("dir");
    let talk = dir.path().join("bob.wav");
    speech_wav(&talk, 30).expect("wav");
    let mut bob = Baresip::start("bob", &kam.addr(), &talk, AnswerMode::Auto, false).expect("baresip");
    bob.wait_registered(Duration::from_secs(5)).expect("the peer registers");
    let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("app");
    app.update_settings(&SettingsUpdate {
        sip_registrar: Some(kam.addr()),
        sip_username: Some("alice".into()),
        sip_transport: Some(SipTransport::Udp),
        ..SettingsUpdate::default()
    })
    .expect("sip settings");
    app.set_secret(SecretKind::SipPassword, "alicepw").expect("password");
    // The agent's microphone is silent: whatever bob hears of speech is the message.
    let quiet = dir.path().join("quiet.wav");
    ringdesk_testkit::write_wav(&quiet, 8000, &vec![0i16; 8000 * 30]).expect("wav");
    let out = dir.path().join("heard");
    std::fs::create_dir_all(&out).expect("dir");
    let notices: Notices = Arc::default();
    let keep = notices.clone();
    app.start_phone(
        PhoneOptions {
            devices: Some(Arc::new(WavDevices { input: quiet, output_dir: out })),
            sip_bind: "127.0.0.1:0".parse().expect("addr"),
            media_ip: Some("127.0.0.1".parse().expect("ip")),
            ring_timeout: Duration::from_secs(10),
            desktop_notifications: false,
        },
        Arc::new(move |n| keep.lock().expect("lock").push(n)),
    )
    .expect("the phone starts");
    wait_for("registration", &notices, |n| {
        matches!(n, CallNotice::Registration { registered: true, .. }).then_some(())
    });
    let message_file = dir.path().join("intro.wav");
    speech_wav(&message_file, 4).expect("wav");
    let message = app.import_voicemail("Intro", &message_file.display().to_string()).expect("kept");

    let call = app.dial(&DialRequest { to: "bob".into(), lead_id: None, override_dnc: false }).expect("dialled");
    bob.wait_event("CALL_ESTABLISHED", Duration::from_secs(10)).expect("bob answered");
    wait_for("active", &notices, |n| match n {
        CallNotice::State { call_id, phase: CallPhase::Active, .. } if *call_id == call.call_id => Some(()),
        _ => None,
    });
    let dropped = Instant::now();
    app.drop_voicemail(&call.call_log_id, &message.id).expect("dropped");
    assert!(dropped.elapsed() < Duration::from_millis(500), "the agent is free at once: {:?}", dropped.elapsed());
    assert!(app.calls_awaiting_disposition().expect("awaiting").is_empty(), "its outcome is already saved");
    wait_for("ended by itself", &notices, |n| match n {
        CallNotice::State { call_id, phase: CallPhase::Ended, .. } if *call_id == call.call_id => Some(()),
        _ => None,
    });
    let lasted = dropped.elapsed();
    assert!(
        lasted >= Duration::from_secs(4) && lasted < Duration::from_secs(8),
        "hung up once the 4-s message played: {lasted:?}"
    );
    bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("bob's side closed");
    std::thread::sleep(Duration::from_millis(300));
    let heard = ringdesk_testkit::read_wav(bob.received_recordings().first().expect("bob recorded")).expect("wav");
    let reference: Vec<i16> = (0..32_000).map(ringdesk_testkit::speechlike).collect();
    let (similarity, _) = ringdesk_testkit::similarity(&reference, &heard);
    assert!(similarity > 0.9, "bob heard the message (similarity {similarity:.3})");
    let history = app.call_history(&ringdesk_app::ipc::HistoryFilter { limit: 5, ..Default::default() }).expect("h");
    assert_eq!(history[0].disposition.as_deref(), Some("left_voicemail"), "saved by itself");
    app.stop_phone();
}
