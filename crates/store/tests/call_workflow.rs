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
