//! The power dialer through the app facade, calls placed over the bridge route against the
//! SignalWire emulator: campaigns checked and stored, a preview session that dials in order, passes
//! over what it must with the reason, schedules retries by outcome, and its results and export.

use std::sync::Arc;

use chrono::Utc;
use ringdesk_app::ipc::{
    CallRoute, CampaignAction, CampaignDraft, CampaignStatus, DispositionRequest, SecretKind, SessionCommand,
    SessionState, SettingsUpdate,
};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_app::{App, AppOptions, ErrorCode};
use ringdesk_store::leads::{self, NewLead};
use ringdesk_store::lists;
use ringdesk_testkit::signalwire::SignalWireEmulator;

const PROJECT: &str = "3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60789";
const TOKEN: &str = "PTtesttoken0123456789";
const OURS: &str = "+12175550100";

struct Rig {
    dir: tempfile::TempDir,
    app: App,
    emu: SignalWireEmulator,
    _rt: tokio::runtime::Runtime,
    list: String,
    /// Ann (open), Bob (Do Not Call), Cid (closed now), Dee (open), by id.
    leads: Vec<String>,
}

fn open(dir: &std::path::Path, emu: &SignalWireEmulator) -> App {
    let options = AppOptions { signalwire_origin: Some(emu.origin()), ..AppOptions::default() };
    App::open_with(&dir.join("ringdesk.db"), Arc::new(MemorySecretStore::default()), &options).expect("app opens")
}

fn rig() -> Rig {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let emu = rt.block_on(SignalWireEmulator::start(PROJECT, TOKEN)).expect("emulator");
    emu.own_number(OURS);
    let dir = tempfile::tempdir().expect("temp dir");
    let app = open(dir.path(), &emu);
    app.update_settings(&SettingsUpdate {
        signalwire_space: Some("example".into()),
        signalwire_project_id: Some(PROJECT.into()),
        default_route: Some(CallRoute::Bridge),
        caller_id: Some(OURS.into()),
        agent_phone: Some("+16175550199".into()),
        ..SettingsUpdate::default()
    })
    .expect("settings");
    app.set_secret(SecretKind::SignalwireApiToken, TOKEN).expect("token");
    let (open_zone, closed_zone) = (ringdesk_testkit::zone_at(12), ringdesk_testkit::zone_at(3));
    let people = [
        ("Ann Archer", "+12125550101", "new", &open_zone),
        ("Bob Baker", "+12125550102", "do_not_call", &open_zone),
        ("Cid Cole", "+12125550103", "new", &closed_zone),
        ("Dee Dunn", "+12125550104", "new", &open_zone),
    ];
    let (list, ids) = app
        .store()
        .write(|w| {
            let list = lists::create(w, "Q4 push", None)?;
            let mut ids = Vec::new();
            for (name, phone, status, zone) in people {
                let id = leads::insert(
                    w,
                    &NewLead {
                        name: name.into(),
                        phone: Some(phone.into()),
                        phone_e164: Some(phone.into()),
                        status: Some(status.into()),
                        timezone: Some(zone.to_string()),
                        ..NewLead::default()
                    },
                )?
                .id;
                lists::add_member(w, &list, &id)?;
                ids.push(id);
            }
            Ok::<_, ringdesk_store::StoreError>((list, ids))
        })
        .expect("leads");
    Rig { dir, app, emu, _rt: rt, list, leads: ids }
}

fn draft(list: &str) -> CampaignDraft {
    CampaignDraft { name: "Q4 push".into(), list_id: list.into(), ..CampaignDraft::default() }
}

fn dispose(app: &App, call_log_id: &str, key: &str) {
    app.dispose_call(&DispositionRequest {
        call_log_id: call_log_id.into(),
        disposition: key.into(),
        notes: Some(format!("{key} on the first try")),
        next_action: None,
        follow_up_at: None,
    })
    .expect("wrap-up saved");
}

#[test]
fn bad_campaigns_are_refused_by_field_and_nothing_is_stored() {
    let r = rig();
    let empty = r.app.store().write(|w| lists::create(w, "Empty", None)).expect("list");
    let cases = [
        (CampaignDraft { name: " ".into(), ..draft(&r.list) }, "name", "Name the campaign"),
        (CampaignDraft { list_id: "no-such-list".into(), ..draft(&r.list) }, "listId", "does not exist"),
        (draft(&empty), "listId", "has no leads"),
        (
            CampaignDraft { window_start: Some("17:00".into()), window_end: Some("09:00".into()), ..draft(&r.list) },
            "windowEnd",
            "before it starts",
        ),
        (CampaignDraft { window_start: Some("6am".into()), ..draft(&r.list) }, "windowStart", "not a time"),
        (CampaignDraft { max_attempts: Some(0), ..draft(&r.list) }, "maxAttempts", "between 1 and 20"),
        (CampaignDraft { countdown_seconds: Some(45), ..draft(&r.list) }, "countdownSeconds", "0 to 30"),
        (CampaignDraft { timezone: Some("Mars/Olympus".into()), ..draft(&r.list) }, "timezone", "IANA"),
        (CampaignDraft { caller_id: Some("hello".into()), ..draft(&r.list) }, "callerId", "Caller ID"),
        (CampaignDraft { excluded_days: vec!["funday".into()], ..draft(&r.list) }, "excludedDays", "weekday"),
    ];
    for (d, field, words) in cases {
        let e = r.app.create_campaign(&d).expect_err("refused");
        assert_eq!(e.code, ErrorCode::InvalidInput, "{field}: {}", e.message);
        assert_eq!(e.field.as_deref(), Some(field), "the form field is named: {}", e.message);
        assert!(e.message.contains(words), "{field}: the message says why: {}", e.message);
    }
    // A list whose leads have no number Ringdesk can call.
    let numberless = r
        .app
        .store()
        .write(|w| {
            let l = lists::create(w, "No numbers", None)?;
            let id = leads::insert(
                w,
                &NewLead { name: "Eve".into(), email: Some("eve@x.test".into()), ..NewLead::default() },
            )?
            .id;
            lists::add_member(w, &l, &id)?;
            Ok::<_, ringdesk_store::StoreError>(l)
        })
        .expect("list");
    let e = r.app.create_campaign(&draft(&numberless)).expect_err("no numbers");
    assert!(e.message.contains("has a number"), "{}", e.message);
    assert!(r.app.list_campaigns().expect("campaigns").is_empty(), "nothing was stored");
}

#[test]
fn a_preview_session_dials_in_order_passes_over_dnc_and_closed_leads_and_schedules_retries() {
    let r = rig();
    let c = r.app.create_campaign(&draft(&r.list)).expect("created");
    assert_eq!(c.status, CampaignStatus::Draft);
    assert_eq!((c.max_attempts, c.window_start.as_str(), c.window_end.as_str()), (3, "08:00", "21:00"), "defaults");
    let inactive = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    assert_eq!(inactive.state, SessionState::Inactive, "a draft does not dial");
    r.app.campaign_action(&c.id, CampaignAction::Start).expect("started");
    let dup = r.app.campaign_action(&c.id, CampaignAction::Delete).expect_err("only a draft is deleted");
    assert_eq!(dup.code, ErrorCode::Conflict, "{}", dup.message);

    let s = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    assert_eq!(s.state, SessionState::Offering, "preview waits for the agent");
    let ann = s.lead.as_ref().expect("a lead offered");
    assert_eq!(ann.name, "Ann Archer", "the list's first eligible lead");
    assert!(ann.why.starts_with("In its window 08:00–21:00"), "why it may be called: {}", ann.why);
    assert_eq!(ann.caller_id, None, "no campaign caller ID: the one in Settings");
    let next: Vec<&str> = s.upcoming.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(next, ["Dee Dunn"], "Bob (Do Not Call) and Cid (closed now) are not queued");
    assert_eq!(s.waiting.len(), 1, "Cid waits for his window: {:?}", s.waiting);
    let passed: Vec<(&str, &str)> = s.passed_over.iter().map(|p| (p.name.as_str(), p.reason.as_str())).collect();
    assert_eq!(passed, [("Bob Baker", "The lead is Do Not Call")], "Bob is never dialed, and the session says why");
    assert!(s.waiting[0].label.starts_with("08:00 in "), "when it opens: {}", s.waiting[0].label);
    assert_eq!((s.progress.total, s.progress.done, s.progress.waiting_for_window), (4, 1, 1), "{:?}", s.progress);

    let dialed = r.app.campaign_session(&c.id, SessionCommand::DialNow).expect("dialed");
    assert_eq!(dialed.state, SessionState::InCall);
    let placed = dialed.placed.expect("the session placed the call");
    assert_eq!(placed.lead_id.as_deref(), Some(r.leads[0].as_str()), "logged against Ann");
    let bridge = placed.bridge.expect("over the bridge route");
    assert!(r.emu.calls().iter().any(|c| c.0 == bridge.sid && c.1 == OURS), "placed at SignalWire from our number");
    let waiting = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    assert_eq!(waiting.state, SessionState::InCall, "one call per agent until the wrap-up is saved");

    dispose(&r.app, &placed.call_log_id, "busy");
    let s = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("next");
    assert_eq!(s.lead.as_ref().map(|l| l.name.as_str()), Some("Dee Dunn"), "the next lead after the wrap-up");
    assert_eq!(s.lead.as_ref().and_then(|l| l.last_note.as_deref()), None, "Dee was never called and has no notes");
    let ann_retry = s.waiting.iter().find(|w| w.name == "Ann Archer").expect("Ann waits for her retry");
    let at = chrono::DateTime::parse_from_rfc3339(&ann_retry.opens_at).expect("a time").with_timezone(&Utc);
    let in_minutes = (at - Utc::now()).num_minutes();
    assert!((55..=60).contains(&in_minutes), "busy: again in an hour, not {in_minutes} min");

    let dialed = r.app.campaign_session(&c.id, SessionCommand::DialNow).expect("dialed Dee");
    dispose(&r.app, &dialed.placed.expect("placed").call_log_id, "interested");
    let s = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    assert_eq!(s.state, SessionState::Waiting, "Ann's retry and Cid's window are ahead: {s:?}");
    assert!(s.wait_until.is_some(), "it says when to ask again");

    let stats = r.app.campaign_stats(&c.id).expect("stats");
    assert_eq!(stats.progress.dials, 2);
    assert_eq!((stats.progress.done, stats.progress.remaining), (2, 2), "Bob and Dee are done: {:?}", stats.progress);
    let outcomes: Vec<(&str, u32)> = stats.outcomes.iter().map(|o| (o.key.as_str(), o.count)).collect();
    assert_eq!(outcomes, [("busy", 1), ("interested", 1)]);
    let attempts: Vec<(&str, u32)> = stats.attempts.iter().map(|o| (o.key.as_str(), o.count)).collect();
    assert_eq!(attempts, [("0", 2), ("1", 2)], "leads by dials");

    let file = r.dir.path().join("results.csv");
    let report = r.app.export_campaign(&c.id, &file.display().to_string()).expect("exported");
    assert_eq!(report.rows, 4, "one row per lead");
    let text = std::fs::read_to_string(&file).expect("the file");
    assert!(text.starts_with("name,number,last_outcome,attempts,last_call_at,next_retry_at,notes"), "{text}");
    assert!(text.contains("Dee Dunn,+12125550104,interested,1,"), "Dee's row: {text}");
    assert!(text.contains("interested on the first try"), "the wrap-up's notes: {text}");

    let pending = r.app.store().read(|rd| ringdesk_store::outbox::pending(rd, 1000)).expect("outbox");
    let queued = pending.iter().filter(|m| m.table_name.starts_with("dialer_")).count();
    assert_eq!(queued, 1 + 1 + 2 + 2, "the campaign, its start and each attempt with its outcome replicate");

    // The analytics of this campaign and of its list see the same two dials; another list none.
    use ringdesk_app::analytics::AnalyticsQuery;
    let of = |filter: AnalyticsQuery| r.app.analytics(&filter).expect("analytics");
    let campaign = of(AnalyticsQuery { campaign_id: Some(c.id.clone()), ..AnalyticsQuery::default() });
    assert_eq!((campaign.outbound, campaign.outcomes.busy, campaign.outcomes.answered), (2, 1, 1), "{campaign:?}");
    assert_eq!((campaign.funnel.leads_called, campaign.funnel.interested), (2, 1), "Ann and Dee; Dee interested");
    let list = of(AnalyticsQuery { list_id: Some(r.list.clone()), ..AnalyticsQuery::default() });
    assert_eq!(list.outbound, 2, "the list's calls: {list:?}");
    let other = r.app.store().write(|w| lists::create(w, "Other", None)).expect("another list");
    assert_eq!(of(AnalyticsQuery { list_id: Some(other), ..AnalyticsQuery::default() }).calls, 0, "no calls");

    // The funnel's table as CSV, and a chart image: a PNG is written as it came, anything else
    // is refused and writes nothing.
    use ringdesk_app::analytics::AnalyticsTable;
    let csv = r.dir.path().join("funnel.csv");
    let query = AnalyticsQuery { campaign_id: Some(c.id.clone()), ..AnalyticsQuery::default() };
    let done = r.app.export_analytics(&csv.display().to_string(), &query, AnalyticsTable::Funnel).expect("exported");
    assert_eq!(done.rows, 4, "one row per funnel step");
    let text = std::fs::read_to_string(&csv).expect("the file");
    assert!(text.starts_with("step,leads,percent_of_previous,value\nleads_called,2,,\n"), "{text}");
    let png = r.dir.path().join("chart.png");
    let bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let encoded = format!("data:image/png;base64,{}", base64_of(bytes));
    r.app.save_chart_png(&png.display().to_string(), &encoded).expect("a PNG is saved");
    assert_eq!(std::fs::read(&png).expect("written"), bytes, "the image as the window drew it");
    let svg = r.dir.path().join("chart2.png");
    let e = r
        .app
        .save_chart_png(&svg.display().to_string(), "data:image/svg+xml;charset=UTF-8,%3Csvg")
        .expect_err("refused");
    assert!(e.message.contains("not a PNG (image/svg+xml)"), "{}", e.message);
    let e = r.app.save_chart_png(&svg.display().to_string(), "aGVsbG8=").expect_err("refused");
    assert!(e.message.contains("not a PNG"), "base64 of text: {}", e.message);
    assert!(!svg.exists(), "nothing written for a refused image");
}

/// Standard base64 (the window's canvas encoding), written here so the test does not share the
/// code under test.
fn base64_of(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn a_paused_session_stays_paused_after_a_restart_and_resumes_where_it_was() {
    let r = rig();
    let c = r.app.create_campaign(&draft(&r.list)).expect("created");
    r.app.campaign_action(&c.id, CampaignAction::Start).expect("started");
    r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    let skipped = r.app.campaign_session(&c.id, SessionCommand::Skip).expect("skipped Ann");
    assert_eq!(skipped.lead.as_ref().map(|l| l.name.as_str()), Some("Dee Dunn"));
    let paused = r.app.campaign_session(&c.id, SessionCommand::Pause).expect("paused");
    assert_eq!(paused.state, SessionState::Paused);
    let dir = r.dir;
    drop(r.app);
    let app = open(dir.path(), &r.emu);
    let after = app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    assert_eq!(after.state, SessionState::Paused, "still paused after the restart");
    let resumed = app.campaign_session(&c.id, SessionCommand::Resume).expect("resumed");
    assert_eq!(
        resumed.lead.as_ref().map(|l| l.name.as_str()),
        Some("Dee Dunn"),
        "Ann, skipped before the restart, comes after Dee"
    );
    let copy = app.campaign_action(&c.id, CampaignAction::Duplicate).expect("duplicated").expect("the copy");
    assert_eq!((copy.name.as_str(), copy.status), ("Q4 push (copy)", CampaignStatus::Draft));
    assert_eq!(app.campaign_action(&copy.id, CampaignAction::Delete).expect("deleted"), None, "a draft is deleted");
    assert_eq!(app.list_campaigns().expect("list").len(), 1, "the copy is gone");
}

/// `seconds` of speech-like audio at 8 kHz as WAV bytes.
fn speech(seconds: u32) -> Vec<u8> {
    let samples: Vec<i16> = (0..(seconds * 8000) as usize).map(ringdesk_media::wav::speechlike).collect();
    ringdesk_media::wav::encode(8000, &samples)
}

#[test]
fn voicemail_messages_are_checked_on_import_and_bad_ones_are_not_kept() {
    let r = rig();
    let dir = r.dir.path();
    let write = |name: &str, bytes: Vec<u8>| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("file");
        p.display().to_string()
    };
    let not_wav = write("notes.wav", b"this is not audio".to_vec());
    let long = write("long.wav", speech(121));
    let silent = write("silent.wav", ringdesk_media::wav::encode(8000, &vec![0i16; 16_000]));
    let short = write("short.wav", speech(1)[..2000].to_vec());
    for (path, words) in [
        (&not_wav, "is not a WAV file"),
        (&long, "at most 120 s"),
        (&silent, "silent"),
        (&short, "shorter than half a second"),
    ] {
        let e = r.app.import_voicemail("Intro", path).expect_err("refused");
        assert_eq!(e.code, ErrorCode::InvalidInput, "{path}: {}", e.message);
        assert!(e.message.contains(words), "{path}: says why: {}", e.message);
    }
    assert!(r.app.voicemail_messages().expect("list").is_empty(), "nothing kept");
    let good = write("intro.wav", speech(4));
    let m = r.app.import_voicemail(" Intro ", &good).expect("kept");
    assert_eq!((m.name.as_str(), m.duration_seconds), ("Intro", 4.0));
    assert!(std::path::Path::new(&m.path).exists(), "its audio is kept in the data folder");
    let twice = r.app.import_voicemail("intro", &good).expect_err("the same name again");
    assert_eq!(twice.code, ErrorCode::Conflict, "{}", twice.message);
    let plain = r.app.set_voicemail_url(&m.id, Some("http://files.example.com/intro.wav")).expect_err("not https");
    assert_eq!(plain.field.as_deref(), Some("publicUrl"), "{}", plain.message);
    let set = r.app.set_voicemail_url(&m.id, Some("https://files.example.com/intro.wav")).expect("set");
    assert_eq!(set.public_url.as_deref(), Some("https://files.example.com/intro.wav"));
    assert!(r.app.delete_voicemail(&m.id).expect("deleted").is_empty());
    assert!(!std::path::Path::new(&m.path).exists(), "and its audio");
}

#[test]
fn a_voicemail_drop_on_a_bridge_call_plays_to_the_lead_frees_the_agent_and_saves_its_outcome() {
    let r = rig();
    r.emu.calls_last(std::time::Duration::from_secs(30));
    let file = r.dir.path().join("intro.wav");
    std::fs::write(&file, speech(3)).expect("wav");
    let message = r.app.import_voicemail("Intro", &file.display().to_string()).expect("kept");
    let c = r.app.create_campaign(&draft(&r.list)).expect("created");
    r.app.campaign_action(&c.id, CampaignAction::Start).expect("started");
    r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    let placed = r.app.campaign_session(&c.id, SessionCommand::DialNow).expect("dialed").placed.expect("placed");
    let sid = placed.bridge.as_ref().expect("bridge").sid.clone();
    let start = std::time::Instant::now();
    while r.app.bridge_call_status(&sid).expect("status").status != "in-progress" {
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "the call connects");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let refused = r.app.drop_voicemail(&placed.call_log_id, &message.id).expect_err("no public URL");
    assert!(refused.message.contains("public URL"), "{}", refused.message);
    assert!(r.emu.played().is_empty(), "nothing played");

    let url = r.emu.host_file("intro.wav", speech(3));
    r.app.set_voicemail_url(&message.id, Some(&url)).expect("url");
    r.app.drop_voicemail(&placed.call_log_id, &message.id).expect("dropped");
    let played = r.emu.played();
    assert_eq!(played.len(), 1, "one message played: {played:?}");
    let legs = r.emu.lead_legs();
    let lead_leg = legs.iter().find(|l| l.1 == sid).expect("the lead's leg");
    assert_eq!(played[0].0, lead_leg.0, "into the lead's leg, not the agent's");
    assert_eq!(lead_leg.2, "+12125550101", "Ann's number");
    assert_eq!(played[0].2.as_deref(), Some(speech(3).as_slice()), "SignalWire fetched the message itself");
    assert_eq!(r.app.bridge_call_status(&sid).expect("status").status, "completed", "the agent's leg ended with it");

    // The outcome is saved by itself; the session moves on at once.
    let s = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("next");
    assert_eq!(s.lead.as_ref().map(|l| l.name.as_str()), Some("Dee Dunn"), "the next lead");
    let stats = r.app.campaign_stats(&c.id).expect("stats");
    assert_eq!(stats.outcomes.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), ["left_voicemail"]);
    let history = r.app.call_history(&ringdesk_app::ipc::HistoryFilter { limit: 5, ..Default::default() }).expect("h");
    let call = history.iter().find(|h| h.id == placed.call_log_id).expect("the call");
    assert_eq!(call.disposition.as_deref(), Some("left_voicemail"));
    assert_eq!(call.notes.as_deref(), Some("Voicemail drop: Intro"));
    let ann = s.waiting.iter().find(|w| w.name == "Ann Archer").expect("Ann waits");
    let at = chrono::DateTime::parse_from_rfc3339(&ann.opens_at).expect("t").with_timezone(&Utc);
    assert!(at > Utc::now() + chrono::Duration::hours(1), "left voicemail: again the next day, at {at}");
}

#[test]
fn a_lead_marked_do_not_call_by_a_pull_while_offered_is_never_dialed() {
    let r = rig();
    let c = r.app.create_campaign(&draft(&r.list)).expect("created");
    r.app.campaign_action(&c.id, CampaignAction::Start).expect("started");
    let s = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    assert_eq!(s.lead.as_ref().map(|l| l.name.as_str()), Some("Ann Archer"), "Ann is offered");
    // The team backend's pull brings Ann's new status (as replication stores it: no outbox).
    r.app
        .store()
        .write(|w| {
            let mut ann = leads::get(w, &r.leads[0])?;
            ann.status = "do_not_call".into();
            leads::put_replica(w, &ann)
        })
        .expect("the pull");
    // Dial pressed on Ann's card: she is checked again, passed over, and Dee's card comes up.
    let s = r.app.campaign_session(&c.id, SessionCommand::DialNow).expect("dial");
    assert!(s.placed.is_none() && r.emu.calls().is_empty(), "Ann was not dialed");
    assert_eq!(s.lead.as_ref().map(|l| l.name.as_str()), Some("Dee Dunn"), "Dee is offered instead");
    let passed: Vec<&str> = s.passed_over.iter().map(|p| p.name.as_str()).collect();
    assert!(passed.contains(&"Ann Archer"), "Ann is listed as never called: {passed:?}");
    let placed = r.app.campaign_session(&c.id, SessionCommand::DialNow).expect("dial").placed.expect("placed");
    assert_eq!(placed.lead_id.as_deref(), Some(r.leads[3].as_str()), "Dee was dialed");
}

#[test]
fn local_presence_shows_and_uses_a_number_in_the_lead_s_area_code_else_its_state() {
    let r = rig();
    r.emu.own_number("+12125550199"); // Manhattan, as the leads (212)
    r.emu.own_number("+13125550177"); // Chicago
    let c = r.app.create_campaign(&CampaignDraft { local_presence: true, ..draft(&r.list) }).expect("created");
    r.app.campaign_action(&c.id, CampaignAction::Start).expect("started");
    let s = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    assert_eq!(
        s.lead.as_ref().and_then(|l| l.caller_id.as_deref()),
        Some("+12125550199"),
        "the card shows the caller ID before the dial"
    );
    let placed = r.app.campaign_session(&c.id, SessionCommand::DialNow).expect("dialed").placed.expect("placed");
    let sid = placed.bridge.expect("bridge").sid;
    let from = r.emu.calls().into_iter().find(|x| x.0 == sid).expect("placed").1;
    assert_eq!(from, "+12125550199", "the lead sees a number of its own area code");
}

#[test]
fn offline_from_the_team_backend_a_session_dials_only_the_leads_assigned_to_this_agent() {
    let r = rig();
    // The backend cannot be reached (nothing listens on port 9); this desktop's agent is "me".
    r.app
        .update_settings(&SettingsUpdate {
            backend_url: Some("postgres://agent_a@127.0.0.1:9/ringdesk".into()),
            ..SettingsUpdate::default()
        })
        .expect("backend");
    r.app
        .store()
        .write(|w| {
            ringdesk_store::settings::set(w, "backend.user_id", &"me".to_string())?;
            leads::set_assignee(w, &r.leads[0], Some("someone-else"))?;
            leads::set_assignee(w, &r.leads[3], Some("me"))
        })
        .expect("assignments");
    let c = r.app.create_campaign(&draft(&r.list)).expect("created");
    r.app.campaign_action(&c.id, CampaignAction::Start).expect("started");
    let s = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    assert_eq!(s.lead.as_ref().map(|l| l.name.as_str()), Some("Dee Dunn"), "Ann is not this agent's: {s:?}");
    assert!(s.notice.as_deref().is_some_and(|n| n.starts_with("Offline")), "the session says why: {:?}", s.notice);
    let placed = r.app.campaign_session(&c.id, SessionCommand::DialNow).expect("dial").placed.expect("placed");
    assert_eq!(placed.lead_id.as_deref(), Some(r.leads[3].as_str()), "Dee, assigned to this agent, is dialed");
    assert_eq!(r.emu.calls().len(), 1, "and nobody else");
}

#[test]
fn the_lead_s_card_shows_its_last_call_and_that_call_s_note() {
    let r = rig();
    // Ann was called by hand yesterday; the wrap-up left a note.
    let earlier = r
        .app
        .place_call(&ringdesk_app::ipc::PlaceCall { to: "+12125550101".into(), ..Default::default() })
        .expect("a call by hand");
    r.app
        .dispose_call(&DispositionRequest {
            call_log_id: earlier.call_log_id,
            disposition: "answered".into(),
            notes: Some("Asked for pricing; call after the board meeting".into()),
            next_action: None,
            follow_up_at: None,
        })
        .expect("wrapped up");
    let c = r.app.create_campaign(&draft(&r.list)).expect("created");
    r.app.campaign_action(&c.id, CampaignAction::Start).expect("started");
    let s = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    let ann = s.lead.expect("Ann is offered");
    assert_eq!(
        ann.last_note.as_deref(),
        Some("Asked for pricing; call after the board meeting"),
        "the last call's note"
    );
}

#[test]
fn a_running_session_sees_leads_edited_added_to_its_list_or_deleted_since_its_last_step() {
    let r = rig();
    let c = r.app.create_campaign(&draft(&r.list)).expect("created");
    r.app.campaign_action(&c.id, CampaignAction::Start).expect("started");
    let s = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    assert_eq!(s.lead.as_ref().map(|l| l.name.as_str()), Some("Ann Archer"), "Ann is offered first");
    assert_eq!(s.upcoming.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Dee Dunn"], "then Dee");

    // Between two steps: Dee's number is cleared by hand, and a new lead joins the list.
    let eve = r
        .app
        .store()
        .write(|w| {
            leads::update(w, &r.leads[3], &[leads::Change::Phone { raw: None, e164: None }])?;
            let eve = leads::insert(
                w,
                &NewLead {
                    name: "Eve Eads".into(),
                    phone: Some("+12125550105".into()),
                    phone_e164: Some("+12125550105".into()),
                    timezone: Some(ringdesk_testkit::zone_at(12)),
                    ..NewLead::default()
                },
            )?
            .id;
            lists::add_member(w, &r.list, &eve)?;
            Ok::<_, ringdesk_store::StoreError>(eve)
        })
        .expect("edits");
    let s = r.app.campaign_session(&c.id, SessionCommand::Refresh).expect("session");
    assert_eq!(s.progress.total, 5, "Eve counts: {:?}", s.progress);
    assert_eq!(
        s.upcoming.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["Eve Eads"],
        "Dee has no number any more and Eve is next"
    );
    assert!(s.passed_over.iter().any(|p| p.name == "Dee Dunn"), "Dee is passed over: {:?}", s.passed_over);

    // Ann is deleted on the web (a pull's tombstone): Dial passes her over and Eve is offered.
    r.app.store().write(|w| leads::remove_replica(w, &r.leads[0])).expect("the pull");
    let s = r.app.campaign_session(&c.id, SessionCommand::DialNow).expect("dial");
    assert!(s.placed.is_none() && r.emu.calls().is_empty(), "Ann was not dialed: {s:?}");
    assert_eq!(s.lead.as_ref().map(|l| l.lead_id.as_str()), Some(eve.as_str()), "Eve is offered instead");
    assert_eq!(s.progress.total, 4, "Ann is gone from the campaign");
}
