//! The rows behind the agent's call workflow: a call logged and updated, its disposition with a
//! follow-up and the lead's new status in one transaction, and the follow-up's later life.

use ringdesk_store::calls::{self, CallChange, Disposition, NewCall};
use ringdesk_store::{Store, followups, leads, outbox};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&dir.path().join("w.db")).expect("store");
    (dir, store)
}

fn call_for(store: &Store, lead: Option<&str>) -> String {
    store
        .write(|w| {
            calls::insert(
                w,
                &NewCall {
                    lead_id: lead.map(str::to_string),
                    route: "softphone".into(),
                    contact_number: "+12025550143".into(),
                    direction: "outbound".into(),
                    started_at: "2026-11-29T10:00:00.000Z".into(),
                    ..NewCall::default()
                },
            )
        })
        .expect("call logged")
}

#[test]
fn a_disposition_sets_the_lead_status_and_opens_a_follow_up_in_one_transaction() {
    let (_d, store) = store();
    let lead = store
        .write(|w| leads::insert(w, &leads::NewLead { name: "Ann".into(), ..Default::default() }))
        .expect("lead")
        .id;
    let call = call_for(&store, Some(&lead));
    store
        .write(|w| {
            calls::update(
                w,
                &call,
                &CallChange {
                    answered_at: Some("2026-11-29T10:00:05.000Z".into()),
                    ended_at: Some("2026-11-29T10:03:05.000Z".into()),
                    duration_seconds: Some(180),
                    end_reason: Some("hangup".into()),
                    ..CallChange::default()
                },
            )
        })
        .expect("ended");
    let waiting = store.read(|r| calls::awaiting_disposition(r, "2026-11-01T00:00:00.000Z", 10)).expect("awaiting");
    assert_eq!(waiting.len(), 1, "the ended call waits for its disposition");
    assert_eq!(waiting[0].duration_seconds, Some(180), "with its duration");

    let before = store.read(|r| outbox::pending_count(r)).expect("pending");
    let d = store
        .write(|w| {
            calls::dispose(
                w,
                &Disposition {
                    call_log_id: &call,
                    disposition_type: "interested",
                    notes: Some("Wants a demo"),
                    next_action: Some("call_back"),
                    follow_up_date: Some("2026-11-30T15:00:00.000Z"),
                    created_by: None,
                    lead_status: Some("qualified"),
                },
            )
        })
        .expect("disposed");
    assert_eq!(store.read(|r| leads::get(r, &lead)).expect("lead").status, "qualified", "mapped status applied");
    let after = store.read(|r| outbox::pending_count(r)).expect("pending");
    assert_eq!(after - before, 3, "disposition, follow-up and lead status all queued to sync");
    assert!(
        store.read(|r| calls::awaiting_disposition(r, "2026-11-01T00:00:00.000Z", 10)).expect("awaiting").is_empty(),
        "no longer waiting"
    );
    let history =
        store.read(|r| calls::history(r, &calls::HistoryQuery { limit: 10, ..Default::default() })).expect("h");
    assert_eq!(
        (history[0].disposition.as_deref(), history[0].notes.as_deref()),
        (Some("interested"), Some("Wants a demo")),
        "history shows it"
    );

    let due = store.read(|r| followups::pending(r, "2026-12-01T00:00:00.000Z", 10)).expect("due");
    assert_eq!(due.len(), 1, "the follow-up is listed");
    assert_eq!((due[0].id.as_str(), due[0].lead_name.as_deref()), (d.as_str(), Some("Ann")), "named by its lead");
    assert_eq!(
        store.read(|r| followups::overdue_count(r, "2026-11-30T16:00:00.000Z")).expect("count"),
        1,
        "overdue later"
    );
    assert_eq!(store.read(|r| followups::overdue_count(r, "2026-11-30T14:00:00.000Z")).expect("count"), 0, "not yet");

    let snoozed = store.write(|w| followups::snooze(w, &d, "2026-12-02T09:00:00.000Z")).expect("snooze");
    assert_eq!(snoozed.effective_due, "2026-12-02T09:00:00.000Z", "due after the snooze");
    let moved = store.write(|w| followups::reschedule(w, &d, "2026-12-05T09:00:00.000Z")).expect("reschedule");
    assert_eq!((moved.status.as_str(), moved.snoozed_until), ("open", None), "rescheduling clears the snooze");
    let done = store.write(|w| followups::complete(w, &d)).expect("complete");
    assert_eq!(done.status, "done", "done");
    let again = store.write(|w| followups::complete(w, &d));
    assert!(again.is_err(), "a finished follow-up cannot be completed twice");
    assert!(store.read(|r| followups::pending(r, "2027-01-01T00:00:00.000Z", 10)).expect("due").is_empty(), "gone");
}

#[test]
fn disposing_an_unknown_call_changes_nothing() {
    let (_d, store) = store();
    let before = store.read(|r| outbox::pending_count(r)).expect("pending");
    let err = store.write(|w| {
        calls::dispose(w, &Disposition { call_log_id: "nope", disposition_type: "busy", ..Disposition::default() })
    });
    assert!(err.is_err(), "refused");
    assert_eq!(store.read(|r| outbox::pending_count(r)).expect("pending"), before, "nothing queued");
    let call = call_for(&store, None);
    let err =
        store.write(|w| calls::update(w, "missing", &CallChange { status: Some("x".into()), ..CallChange::default() }));
    assert!(err.is_err(), "an unknown call cannot be updated");
    store
        .write(|w| {
            calls::dispose(
                w,
                &Disposition {
                    call_log_id: &call,
                    disposition_type: "busy",
                    lead_status: Some("contacted"),
                    ..Disposition::default()
                },
            )
        })
        .expect("a call without a lead takes a disposition; the status mapping has nothing to change");
}

/// Logs a call with every field the history filters look at.
fn log(
    store: &Store,
    lead: Option<&str>,
    number: &str,
    direction: &str,
    route: &str,
    at: &str,
    answered: bool,
) -> String {
    let id = store
        .write(|w| {
            calls::insert(
                w,
                &NewCall {
                    lead_id: lead.map(str::to_string),
                    route: route.into(),
                    contact_number: number.into(),
                    direction: direction.into(),
                    started_at: at.into(),
                    ..NewCall::default()
                },
            )
        })
        .expect("call logged");
    let change = CallChange {
        status: Some(if answered { "completed" } else { "missed" }.into()),
        answered_at: answered.then(|| at.to_string()),
        ended_at: Some(at.to_string()),
        duration_seconds: Some(if answered { 60 } else { 0 }),
        ..CallChange::default()
    };
    store.write(|w| calls::update(w, &id, &change)).expect("call ended");
    id
}

fn ids(rows: &[calls::HistoryRow]) -> Vec<String> {
    rows.iter().map(|r| r.id.clone()).collect()
}

#[test]
fn history_filters_by_lead_status_direction_route_missed_and_free_text() {
    let (_d, store) = store();
    let lead = |name: &str, company: &str, phone: &str, status: &str| {
        store
            .write(|w| {
                leads::insert(
                    w,
                    &leads::NewLead {
                        name: name.into(),
                        company: Some(company.into()),
                        phone: Some(phone.into()),
                        phone_e164: Some(phone.into()),
                        status: Some(status.into()),
                        ..Default::default()
                    },
                )
            })
            .expect("lead")
            .id
    };
    let ann = lead("Ann Archer", "Acme Rockets", "+12025550143", "qualified");
    let bob = lead("Bob Baker", "Globex", "+12025550144", "new");
    let a1 = log(&store, Some(&ann), "+12025550143", "outbound", "softphone", "2026-11-20T10:00:00.000Z", true);
    let a2 = log(&store, Some(&ann), "+12025550143", "inbound", "softphone", "2026-11-21T10:00:00.000Z", false);
    let b1 = log(&store, Some(&bob), "+12025550144", "outbound", "bridge", "2026-11-22T10:00:00.000Z", true);
    let u1 = log(&store, None, "+442079460000", "inbound", "softphone", "2026-11-23T10:00:00.000Z", false);
    store
        .write(|w| calls::insert_disposition(w, &b1, "interested", Some("Wants a pricing sheet for twenty seats")))
        .expect("disposition with a note");
    let q = |f: calls::HistoryQuery<'_>| {
        ids(&store.read(|r| calls::history(r, &calls::HistoryQuery { limit: 50, ..f })).expect("history"))
    };

    assert_eq!(
        q(calls::HistoryQuery { lead_status: Some("qualified"), ..Default::default() }),
        [a2.as_str(), a1.as_str()],
        "Ann's calls by her status"
    );
    assert_eq!(
        q(calls::HistoryQuery { direction: Some("inbound"), ..Default::default() }),
        [u1.as_str(), a2.as_str()],
        "inbound only"
    );
    assert_eq!(
        q(calls::HistoryQuery { route: Some("bridge"), ..Default::default() }),
        [b1.as_str()],
        "bridge calls only"
    );
    assert_eq!(
        q(calls::HistoryQuery { missed: true, ..Default::default() }),
        [u1.as_str(), a2.as_str()],
        "inbound calls nobody answered"
    );
    assert_eq!(
        q(calls::HistoryQuery { text: Some("archer"), ..Default::default() }),
        [a2.as_str(), a1.as_str()],
        "by the lead's name"
    );
    assert_eq!(
        q(calls::HistoryQuery { text: Some("glob"), ..Default::default() }),
        [b1.as_str()],
        "by a company prefix"
    );
    assert_eq!(
        q(calls::HistoryQuery { text: Some("pricing"), ..Default::default() }),
        [b1.as_str()],
        "by a word of the notes"
    );
    assert_eq!(
        q(calls::HistoryQuery { text: Some("44 20 79"), ..Default::default() }),
        [u1.as_str()],
        "by the digits of a number without a lead"
    );
    assert_eq!(
        q(calls::HistoryQuery { text: Some("zebra"), ..Default::default() }),
        Vec::<String>::new(),
        "nothing matches"
    );
    assert_eq!(
        q(calls::HistoryQuery { text: Some("\"*(:"), ..Default::default() }),
        Vec::<String>::new(),
        "punctuation alone matches nothing and is no error"
    );
    assert_eq!(
        q(calls::HistoryQuery { text: Some("archer"), missed: true, ..Default::default() }),
        [a2.as_str()],
        "filters combine"
    );

    let waiting = store.read(|r| calls::awaiting_disposition(r, "2026-11-01T00:00:00.000Z", 10)).expect("awaiting");
    assert_eq!(
        ids(&waiting),
        [a1.as_str()],
        "missed calls do not wait for a disposition; answered ones without one do (b1 has one)"
    );
}

#[test]
fn broad_free_text_pages_the_same_calls_as_a_narrow_one_would() {
    // 320 leads named "Dense": more than the threshold, so the page walks the history newest
    // first and checks each call, instead of starting from the matches.
    let (_d, store) = store();
    let mut expected = Vec::new();
    for i in 0..320u32 {
        let lead = store
            .write(|w| leads::insert(w, &leads::NewLead { name: format!("Dense {i}"), ..Default::default() }))
            .expect("lead")
            .id;
        let at = format!("2026-10-01T{:02}:{:02}:00.000Z", i / 60, i % 60);
        expected.push((at.clone(), log(&store, Some(&lead), "+12025550100", "outbound", "softphone", &at, true)));
        // A call of someone else in between, which must not show up...
        let other = format!("2026-10-01T{:02}:{:02}:30.000Z", i / 60, i % 60);
        let id = log(&store, None, "+12025550199", "outbound", "softphone", &other, true);
        // ...unless its notes have the word.
        if i % 100 == 0 {
            store
                .write(|w| calls::insert_disposition(w, &id, "answered", Some("asked about the dense plan")))
                .expect("note");
            expected.push((other, id));
        }
    }
    expected.sort();
    expected.reverse();
    let want: Vec<String> = expected.iter().map(|(_, id)| id.clone()).collect();
    let page1 = store
        .read(|r| calls::history(r, &calls::HistoryQuery { text: Some("dense"), limit: 50, ..Default::default() }))
        .expect("page 1");
    assert_eq!(ids(&page1), want[..50], "the newest 50 matches, by lead name or by notes");
    let last = page1.last().expect("a full page");
    let page2 = store
        .read(|r| {
            calls::history(
                r,
                &calls::HistoryQuery {
                    text: Some("dense"),
                    limit: 50,
                    before: Some((&last.started_at, &last.id)),
                    ..Default::default()
                },
            )
        })
        .expect("page 2");
    assert_eq!(ids(&page2), want[50..100], "the next page continues where the first stopped");
    let narrow = store
        .read(|r| calls::history(r, &calls::HistoryQuery { text: Some("dense 7"), limit: 50, ..Default::default() }))
        .expect("narrow");
    assert!(
        narrow.iter().all(|r| r.lead_name.as_deref().is_some_and(|n| n.starts_with("Dense 7"))),
        "a narrow query starts from its matches: {:?}",
        narrow.iter().map(|r| &r.lead_name).collect::<Vec<_>>()
    );
    assert_eq!(narrow.len(), 11, "Dense 7 and Dense 70..79");
}

#[test]
fn the_history_shows_a_calls_latest_disposition_whichever_way_it_arrived() {
    let (dir, store) = store();
    let call = log(&store, None, "+12025550100", "outbound", "softphone", "2026-11-20T10:00:00.000Z", true);
    store.write(|w| calls::insert_disposition(w, &call, "voicemail", Some("Left a message"))).expect("first");
    store
        .write(|w| calls::insert_disposition(w, &call, "interested", Some("Called back, wants a demo")))
        .expect("second");
    let rows =
        store.read(|r| calls::history(r, &calls::HistoryQuery { limit: 5, ..Default::default() })).expect("history");
    assert_eq!(rows[0].disposition.as_deref(), Some("interested"), "the newest disposition");
    assert_eq!(rows[0].notes.as_deref(), Some("Called back, wants a demo"), "with its notes");
    // A disposition with an older id arriving later (pulled from the backend) does not replace it.
    rusqlite::Connection::open(dir.path().join("w.db"))
        .and_then(|c| {
            c.execute(
                "INSERT INTO call_dispositions (id, call_log_id, disposition_type, notes, created_at)
                 VALUES ('00000000-0000-7000-8000-000000000001', ?1, 'busy', 'older', '2026-11-19T00:00:00.000Z')",
                [&call],
            )
        })
        .expect("an older one arrives, written as a pull would");
    let rows =
        store.read(|r| calls::history(r, &calls::HistoryQuery { limit: 5, ..Default::default() })).expect("history");
    assert_eq!(rows[0].disposition.as_deref(), Some("interested"), "still the newest by id");
}
