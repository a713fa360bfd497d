//! The disposition step, follow-ups and history through the facade.

use std::sync::Arc;

use ringdesk_app::ipc::{DispositionOption, DispositionRequest, HistoryFilter, LeadPatch, NextAction};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_app::{App, ErrorCode};
use ringdesk_store::calls::{self, CallChange, NewCall};

fn app() -> (tempfile::TempDir, App) {
    app_with(&ringdesk_app::AppOptions::default())
}

fn app_with(options: &ringdesk_app::AppOptions) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("dir");
    let app = App::open_with(&dir.path().join("w.db"), Arc::new(MemorySecretStore::default()), options).expect("app");
    (dir, app)
}

/// A finished call logged the way the call service logs it.
fn ended_call(app: &App, lead: Option<&str>) -> String {
    let started = ringdesk_store::format_ts(chrono::Utc::now() - chrono::Duration::minutes(5));
    app.store()
        .write(|w| {
            let id = calls::insert(
                w,
                &NewCall {
                    lead_id: lead.map(str::to_string),
                    route: "softphone".into(),
                    contact_number: "+12025550143".into(),
                    direction: "outbound".into(),
                    started_at: started.clone(),
                    ..NewCall::default()
                },
            )?;
            calls::update(
                w,
                &id,
                &CallChange {
                    ended_at: Some(ringdesk_store::format_ts(chrono::Utc::now())),
                    duration_seconds: Some(240),
                    ..CallChange::default()
                },
            )?;
            Ok::<_, ringdesk_store::StoreError>(id)
        })
        .expect("call")
}

fn request(call: &str, disposition: &str) -> DispositionRequest {
    DispositionRequest {
        call_log_id: call.into(),
        disposition: disposition.into(),
        notes: None,
        next_action: None,
        follow_up_at: None,
    }
}

#[test]
fn interested_with_a_note_and_a_follow_up_tomorrow_updates_the_lead_history_and_follow_ups() {
    let (_d, app) = app();
    let lead = app
        .create_lead(&LeadPatch {
            name: Some("Ann Archer".into()),
            phone: Some("+12025550143".into()),
            ..LeadPatch::default()
        })
        .expect("lead");
    let call = ended_call(&app, Some(&lead.id));
    let waiting = app.calls_awaiting_disposition().expect("awaiting");
    assert_eq!(waiting.len(), 1, "the ended call waits for its disposition (also after a restart)");
    assert_eq!(waiting[0].lead_name.as_deref(), Some("Ann Archer"), "with the lead's card");

    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let saved = app
        .dispose_call(&DispositionRequest {
            notes: Some("  Wants pricing for 20 seats ".into()),
            next_action: Some(NextAction::CallBack),
            follow_up_at: Some(tomorrow),
            ..request(&call, "interested")
        })
        .expect("saved");
    assert_eq!(saved.disposition.as_deref(), Some("interested"), "on the call");
    assert_eq!(saved.notes.as_deref(), Some("Wants pricing for 20 seats"), "trimmed note");
    assert_eq!(saved.duration_seconds, Some(240), "duration kept");
    assert_eq!(app.get_lead(&lead.id).expect("lead").status, "qualified", "interested maps to qualified");
    assert!(app.calls_awaiting_disposition().expect("awaiting").is_empty(), "nothing owed any more");

    let history = app.call_history(&HistoryFilter {
        limit: 20,
        disposition: Some("interested".into()),
        ..HistoryFilter::default()
    });
    assert_eq!(history.expect("history").len(), 1, "filtered by disposition");
    let follow_ups = app.follow_ups().expect("follow-ups");
    let all: Vec<_> = follow_ups.today.iter().chain(&follow_ups.upcoming).collect();
    assert_eq!(all.len(), 1, "one follow-up listed: {follow_ups:?}");
    assert_eq!(all[0].next_action, Some(NextAction::CallBack), "call back");
    assert!(follow_ups.overdue.is_empty(), "not overdue");

    let id = all[0].id.clone();
    let snoozed =
        app.snooze_follow_up(&id, &(chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339()).expect("snooze");
    assert!(snoozed.upcoming.iter().any(|f| f.id == id && f.snoozed), "snoozed to later");
    let earlier =
        app.reschedule_follow_up(&id, &(chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339()).expect("move");
    assert!(earlier.overdue.iter().any(|f| f.id == id), "rescheduled into the past: overdue");
    let done = app.complete_follow_up(&id).expect("complete");
    assert!(done.overdue.is_empty() && done.today.is_empty() && done.upcoming.is_empty(), "done leaves the list");
}

#[test]
fn do_not_call_and_the_disposition_set_follow_the_agents_configuration() {
    let (_d, app) = app();
    let options = app.disposition_options().expect("defaults");
    let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Answered",
            "Voicemail",
            "Busy",
            "No Answer",
            "Wrong Number",
            "Do Not Call",
            "Interested",
            "Not Interested",
            "Callback Requested",
            "Left Voicemail"
        ],
        "the default set (the last one is what a voicemail drop saves)"
    );
    let lead = app.create_lead(&LeadPatch { name: Some("Bo".into()), ..LeadPatch::default() }).expect("lead");
    let call = ended_call(&app, Some(&lead.id));
    app.dispose_call(&request(&call, "do_not_call")).expect("saved");
    assert_eq!(app.get_lead(&lead.id).expect("lead").status, ringdesk_app::DO_NOT_CALL, "marked do-not-call");

    let custom = vec![
        DispositionOption { key: "demo_booked".into(), label: "Demo booked".into(), lead_status: Some("demo".into()) },
        DispositionOption { key: "gatekeeper".into(), label: "Gatekeeper".into(), lead_status: None },
    ];
    assert_eq!(app.set_disposition_options(&custom).expect("saved"), custom, "stored as given");
    let call2 = ended_call(&app, Some(&lead.id));
    let err = app.dispose_call(&request(&call2, "interested")).expect_err("no longer in the set");
    assert!(err.message.contains("demo_booked, gatekeeper"), "lists the valid keys: {}", err.message);
    app.dispose_call(&request(&call2, "demo_booked")).expect("custom disposition");
    assert_eq!(app.get_lead(&lead.id).expect("lead").status, "demo", "custom mapping applied");

    let dup = vec![custom[0].clone(), custom[0].clone()];
    assert!(app.set_disposition_options(&dup).is_err(), "duplicate keys refused");
    let bad = vec![DispositionOption { key: "Bad Key".into(), label: "x".into(), lead_status: None }];
    assert!(app.set_disposition_options(&bad).is_err(), "bad key refused");
    assert_eq!(app.set_disposition_options(&[]).expect("reset").len(), 10, "an empty set restores the defaults");
}

#[test]
fn an_incomplete_disposition_is_refused_and_changes_nothing() {
    let (_d, app) = app();
    let call = ended_call(&app, None);
    let cases = [
        (
            DispositionRequest { next_action: Some(NextAction::CallBack), ..request(&call, "answered") },
            "when to follow up",
        ),
        (
            DispositionRequest { follow_up_at: Some("2026-12-01T10:00:00Z".into()), ..request(&call, "answered") },
            "what to do next",
        ),
        (
            DispositionRequest {
                next_action: Some(NextAction::CallBack),
                follow_up_at: Some("next tuesday".into()),
                ..request(&call, "answered")
            },
            "not a date",
        ),
        (request("no-such-call", "answered"), "not found"),
    ];
    for (req, expect) in cases {
        let err = app.dispose_call(&req).expect_err("refused");
        assert!(err.message.contains(expect), "{expect}: {}", err.message);
    }
    assert_eq!(app.calls_awaiting_disposition().expect("awaiting").len(), 1, "still waiting, nothing saved");
    app.dispose_call(&DispositionRequest {
        next_action: Some(NextAction::MarkDead),
        ..request(&call, "not_interested")
    })
    .expect("mark dead needs no date");
}

#[test]
fn links_fill_the_dialer_and_select_the_lead_but_never_dial_by_themselves() {
    let (_d, app) = app();
    let ann = app
        .create_lead(&LeadPatch {
            name: Some("Ann Archer".into()),
            phone: Some("(202) 555-0143".into()),
            ..LeadPatch::default()
        })
        .expect("lead");
    let other = app.create_lead(&LeadPatch { name: Some("Other".into()), ..LeadPatch::default() }).expect("lead");
    let t = app.open_link("tel:+1-202-555-0143").expect("tel link");
    assert_eq!(t.e164, "+12025550143", "normalized");
    assert_eq!(t.lead.as_ref().map(|l| l.id.as_str()), Some(ann.id.as_str()), "matched by number");
    assert!(!t.auto_dial, "a link never dials by itself by default");
    let t = app
        .open_link(&format!("ringdesk://dial?to=%2B12025550143&leadId={}&name=From%20the%20CRM", ann.id))
        .expect("ringdesk link");
    assert_eq!(t.lead.as_ref().map(|l| l.name.as_str()), Some("Ann Archer"), "the link's lead, which owns the number");
    assert_eq!(t.name.as_deref(), Some("From the CRM"), "name carried");
    let err = app
        .open_link(&format!("ringdesk://dial?to=%2B12025550143&leadId={}", other.id))
        .expect_err("a lead id that does not own the link's number");
    assert!(err.message.contains("not Other's number"), "says why: {}", err.message);
    let t = app.open_link("ringdesk://dial?to=2025550199&leadId=0190a000-0000-7000-8000-0000000000ff").expect("link");
    assert!(t.lead.is_none(), "an unknown lead id and an unknown number select nothing");
    for (bad, says) in [
        ("javascript:alert(1)", "not a link Ringdesk opens"),
        ("ringdesk://dial?name=Ann", "no number"),
        ("ringdesk://dial?to=12", "number"),
        ("tel:", "malformed"),
    ] {
        let err = app.open_link(bad).expect_err("refused");
        assert!(err.message.contains(says), "{bad}: {}", err.message);
    }
    app.update_settings(&ringdesk_app::ipc::SettingsUpdate { links_auto_dial: Some(true), ..Default::default() })
        .expect("auto-dial on");
    let first = app.open_link("tel:+12025550143").expect("link");
    assert!(first.auto_dial, "the agent allowed links to dial");
    assert_eq!(
        first.countdown_seconds,
        ringdesk_app::LINK_AUTO_DIAL_COUNTDOWN_SECONDS,
        "after a countdown the agent can cancel"
    );
    assert!(first.held.is_none(), "nothing held the first link: {:?}", first.held);
}

#[test]
fn with_auto_dial_on_at_most_one_link_dials_by_itself_per_gap() {
    // Long enough that a stalled CI machine still opens the burst within one gap.
    let gap = std::time::Duration::from_secs(1);
    let (_d, app) = app_with(&ringdesk_app::AppOptions { link_auto_dial_gap: Some(gap), ..Default::default() });
    app.update_settings(&ringdesk_app::ipc::SettingsUpdate { links_auto_dial: Some(true), ..Default::default() })
        .expect("auto-dial on");
    // A web page opening links in a loop: the first dials (after its countdown), the rest wait.
    let burst: Vec<_> = (0..5).map(|i| app.open_link(&format!("tel:+1202555014{i}")).expect("link")).collect();
    assert!(burst[0].auto_dial, "the first link of a burst dials by itself");
    for t in &burst[1..] {
        assert!(!t.auto_dial, "{} must wait for the agent's Dial", t.e164);
        assert_eq!(t.countdown_seconds, 0, "no countdown for a held link");
        let held = t.held.as_deref().unwrap_or_default();
        assert!(held.contains("press Dial"), "the held link says what to do: {held}");
    }
    std::thread::sleep(gap + std::time::Duration::from_millis(50));
    assert!(app.open_link("tel:+12025550149").expect("link").auto_dial, "after the gap a link dials by itself again");
    app.update_settings(&ringdesk_app::ipc::SettingsUpdate { links_auto_dial: Some(false), ..Default::default() })
        .expect("auto-dial off");
    let off = app.open_link("tel:+12025550148").expect("link");
    assert!(!off.auto_dial && off.held.is_none(), "with auto-dial off nothing dials and nothing is held");
}

#[test]
fn a_link_or_a_call_naming_another_lead_cannot_get_around_do_not_call() {
    let (_d, app) = app();
    let ann = app
        .create_lead(&LeadPatch {
            name: Some("Ann Archer".into()),
            phone: Some("(202) 555-0143".into()),
            status: Some("do_not_call".into()),
            ..LeadPatch::default()
        })
        .expect("lead");
    let other = app.create_lead(&LeadPatch { name: Some("Other".into()), ..LeadPatch::default() }).expect("lead");
    // The link that used to select Other and log the call against it.
    let err = app
        .open_link(&format!("ringdesk://dial?to=%2B12025550143&leadId={}", other.id))
        .expect_err("refused: Other does not own Ann's number");
    assert_eq!(err.code, ErrorCode::InvalidInput, "{err:?}");
    // A call request naming Other with Ann's number is checked against Ann too.
    let call = ringdesk_app::ipc::PlaceCall {
        to: "+12025550143".into(),
        lead_id: Some(other.id.clone()),
        override_dnc: false,
        route: None,
        caller_id: None,
        record: false,
    };
    let err = app.place_call(&call).expect_err("Do Not Call");
    assert_eq!(err.code, ErrorCode::Conflict, "{err:?}");
    assert!(
        err.message.contains("Ann Archer is marked Do Not Call"),
        "names the lead that owns the number: {}",
        err.message
    );
    assert_eq!(app.get_lead(&ann.id).expect("ann").status, "do_not_call", "nothing changed");
}

/// A keychain that cannot be reached (no Secret Service running, or a locked keychain).
struct LockedKeychain;

impl ringdesk_app::keychain::SecretStore for LockedKeychain {
    fn set(
        &self,
        _: ringdesk_app::ipc::SecretKind,
        _: &ringdesk_app::keychain::Secret,
    ) -> Result<(), ringdesk_app::IpcError> {
        Err(ringdesk_app::IpcError::new(ringdesk_app::ErrorCode::Keychain, "the keychain is locked"))
    }
    fn get(
        &self,
        _: ringdesk_app::ipc::SecretKind,
    ) -> Result<Option<ringdesk_app::keychain::Secret>, ringdesk_app::IpcError> {
        Err(ringdesk_app::IpcError::new(ringdesk_app::ErrorCode::Keychain, "the keychain is locked"))
    }
    fn delete(&self, _: ringdesk_app::ipc::SecretKind) -> Result<(), ringdesk_app::IpcError> {
        Err(ringdesk_app::IpcError::new(ringdesk_app::ErrorCode::Keychain, "the keychain is locked"))
    }
}

#[test]
fn a_link_opens_even_when_the_keychain_cannot_be_reached() {
    // Found with the installed .deb: xdg-open handed the link over, and reading the auto-dial
    // setting went through the keychain, which refused.
    let dir = tempfile::tempdir().expect("dir");
    let app = App::open(&dir.path().join("w.db"), Arc::new(LockedKeychain)).expect("app");
    let t = app.open_link("tel:+13125550142").expect("the link is read without the keychain");
    assert_eq!(t.e164, "+13125550142");
    assert!(!t.auto_dial, "links do not dial by default");
}

#[test]
fn the_analytics_follow_each_call_wrap_up_follow_up_and_lead_change_without_a_restart() {
    use ringdesk_app::analytics::AnalyticsQuery;
    let (_d, app) = app();
    let of = || app.analytics(&AnalyticsQuery::default()).expect("analytics");
    assert_eq!(of().calls, 0, "nothing yet");
    let lead = app
        .create_lead(&LeadPatch {
            name: Some("Ann Archer".into()),
            phone: Some("+12025550143".into()),
            ..LeadPatch::default()
        })
        .expect("lead");
    let call = ended_call(&app, Some(&lead.id));
    let r = of();
    assert_eq!((r.calls, r.outcomes.unclassified), (1, 1), "a new call, not wrapped up yet: {r:?}");

    let soon = (chrono::Utc::now() + chrono::Duration::minutes(30)).to_rfc3339();
    app.dispose_call(&DispositionRequest {
        next_action: Some(NextAction::CallBack),
        follow_up_at: Some(soon),
        ..request(&call, "interested")
    })
    .expect("wrapped up");
    let r = of();
    assert_eq!((r.outcomes.answered, r.funnel.interested), (1, 1), "the wrap-up counts: {r:?}");
    assert_eq!(r.by_agent[0].follow_ups_due, 0, "the follow-up is not due yet");

    let follow_up = app.follow_ups().expect("follow-ups");
    let id = follow_up.today.iter().chain(&follow_up.upcoming).next().expect("the follow-up").id.clone();
    app.complete_follow_up(&id).expect("done");
    let r = of();
    assert_eq!(
        (r.by_agent[0].follow_ups_due, r.by_agent[0].follow_ups_on_time),
        (1, 1),
        "done before it was due: on time"
    );

    app.update_lead(
        &lead.id,
        &LeadPatch { status: Some("won".into()), value: Some("1200".into()), ..LeadPatch::default() },
    )
    .expect("won");
    let r = of();
    assert_eq!((r.funnel.won, r.funnel.won_value), (1, 1200.0), "the lead's new status and value count");

    // Nothing the figures read changed: the next query scans the same columns, no SQL read.
    let before = app.analytics_facts().expect("facts");
    app.update_settings(&ringdesk_app::ipc::SettingsUpdate {
        caller_id: Some("+12025550100".into()),
        ..Default::default()
    })
    .expect("a setting");
    assert!(std::sync::Arc::ptr_eq(&before, &app.analytics_facts().expect("facts")), "kept across a settings write");
}

#[test]
fn the_conversation_threshold_is_a_setting_the_analytics_follow_and_a_bad_one_is_refused_at_its_field() {
    use ringdesk_app::analytics::AnalyticsQuery;
    use ringdesk_app::ipc::SettingsUpdate;
    let (_d, app) = app();
    assert_eq!(app.get_settings().expect("settings").conversation_seconds, 60, "60 s by default");
    // One answered call with 45 s of talk: answered 45 s before it ended.
    let call = ended_call(&app, None);
    let answered = ringdesk_store::format_ts(chrono::Utc::now() - chrono::Duration::seconds(45));
    app.store()
        .write(|w| calls::update(w, &call, &CallChange { answered_at: Some(answered), ..CallChange::default() }))
        .expect("answered");
    let of = || app.analytics(&AnalyticsQuery::default()).expect("analytics");
    assert_eq!((of().conversations, of().conversation_seconds), (0, 60), "45 s is no conversation at 60 s");

    let s =
        app.update_settings(&SettingsUpdate { conversation_seconds: Some(30), ..Default::default() }).expect("30 s");
    assert_eq!(s.conversation_seconds, 30, "saved");
    assert_eq!((of().conversations, of().conversation_seconds), (1, 30), "the page counts it now");
    let explicit = AnalyticsQuery { conversation_seconds: Some(50), ..AnalyticsQuery::default() };
    assert_eq!(
        app.analytics(&explicit).expect("analytics").conversations,
        0,
        "a query's own threshold wins (the CLI's flag)"
    );

    for bad in [0, 3601] {
        let e = app
            .update_settings(&SettingsUpdate { conversation_seconds: Some(bad), ..Default::default() })
            .expect_err("out of range");
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidInput, Some("conversationSeconds")),
            "{bad}: {e:?}"
        );
        assert!(e.message.contains("between 1 s and 3600 s"), "says the range: {}", e.message);
    }
    assert_eq!(app.get_settings().expect("settings").conversation_seconds, 30, "a refused value stores nothing");
}
