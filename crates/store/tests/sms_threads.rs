//! Text messages: intents before sending, inbound stored once, threads with unread counts.

use ringdesk_store::leads::{self, NewLead};
use ringdesk_store::sms::{self, Inbound};
use ringdesk_store::{Store, StoreError, outbox};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("t.db")).expect("opens");
    (dir, store)
}

const OURS: &str = "+12175550100";

fn inbound<'a>(sid: &'a str, from: &'a str, body: &'a str, at: &'a str) -> Inbound<'a> {
    Inbound { sid, from, to: OURS, body, received_at: at }
}

#[test]
fn an_outbound_message_is_an_intent_until_confirmed_and_every_step_enters_the_outbox() {
    let (_d, store) = store();
    let before = store.read(|r| outbox::pending_count(r)).expect("count");
    let m = store.write(|w| sms::insert_outbound(w, OURS, "+13125550142", "Hi there")).expect("intent");
    assert_eq!(m.status.as_deref(), Some(sms::SENDING), "written before sending");
    assert_eq!(m.provider_message_sid, None);
    let unsettled = store.read(|r| sms::unsettled(r, 10)).expect("unsettled");
    assert_eq!(unsettled.len(), 1, "an unconfirmed intent is found at restart");
    let sent = store.write(|w| sms::confirm_sent(w, &m.id, "sm-1", "queued")).expect("confirmed");
    assert_eq!((sent.provider_message_sid.as_deref(), sent.status.as_deref()), (Some("sm-1"), Some("queued")));
    let changed = store.write(|w| sms::update_status(w, "sm-1", "delivered", None, None)).expect("status");
    assert!(changed, "a new status is applied");
    let again = store.write(|w| sms::update_status(w, "sm-1", "delivered", None, None)).expect("status");
    assert!(!again, "the same status twice changes nothing");
    assert!(store.read(|r| sms::unsettled(r, 10)).expect("unsettled").is_empty(), "delivered is settled");
    let after = store.read(|r| outbox::pending_count(r)).expect("count");
    assert_eq!(after - before, 3, "insert, confirm and the delivered status are three mutations");
    let failed = store.write(|w| sms::insert_outbound(w, OURS, "+13125550142", "x")).expect("intent");
    let failed = store.write(|w| sms::mark_failed(w, &failed.id, Some(21211), "Invalid 'To'")).expect("failed");
    assert_eq!((failed.status.as_deref(), failed.error_code), (Some("failed"), Some(21211)));
}

#[test]
fn an_inbound_message_seen_twice_is_stored_once_and_linked_to_the_lead() {
    let (_d, store) = store();
    let lead = store
        .write(|w| {
            leads::insert(
                w,
                &NewLead {
                    name: "Ann Archer".into(),
                    phone: Some("+13125550142".into()),
                    phone_e164: Some("+13125550142".into()),
                    ..NewLead::default()
                },
            )
        })
        .expect("lead");
    let m = inbound("sm-9", "+13125550142", "Call me", "2026-11-29T10:00:00.000Z");
    let first = store.write(|w| sms::insert_inbound(w, &m)).expect("stored");
    assert_eq!(first.as_ref().and_then(|m| m.lead_id.as_deref()), Some(lead.id.as_str()), "matched by E.164");
    assert_eq!(first.as_ref().and_then(|m| m.our_number.as_deref()), Some(OURS), "our number it came to");
    let second = store.write(|w| sms::insert_inbound(w, &m)).expect("no error");
    assert!(second.is_none(), "the same SID is not stored twice");
    assert_eq!(store.read(|r| sms::thread(r, "+13125550142", None, 50)).expect("thread").len(), 1);
}

#[test]
fn threads_are_newest_first_with_unread_counts_search_and_paging() -> Result<(), StoreError> {
    let (_d, store) = store();
    store.write(|w| {
        sms::insert_inbound(w, &inbound("a1", "+13125550001", "first from A", "2026-11-29T09:00:00.000Z"))?;
        sms::insert_inbound(w, &inbound("a2", "+13125550001", "second from A", "2026-11-29T09:01:00.000Z"))?;
        sms::insert_inbound(w, &inbound("b1", "+13125550002", "pricing question", "2026-11-29T09:05:00.000Z"))?;
        Ok::<_, StoreError>(())
    })?;
    let threads = store.read(|r| sms::threads(r, None, 50))?;
    let numbers: Vec<&str> = threads.iter().map(|t| t.contact_number.as_str()).collect();
    assert_eq!(numbers, ["+13125550002", "+13125550001"], "newest conversation first");
    assert_eq!((threads[1].unread, threads[1].total), (2, 2));
    assert_eq!(threads[1].last_body, "second from A");
    assert_eq!(store.read(|r| sms::unread_count(r))?, 3);
    assert_eq!(store.write(|w| sms::mark_read(w, "+13125550001"))?, 2);
    assert_eq!(store.read(|r| sms::unread_count(r))?, 1, "only B's message is unread now");
    let found = store.read(|r| sms::threads(r, Some("pricing"), 50))?;
    assert_eq!(found.len(), 1, "search finds text in a thread");
    assert_eq!(found[0].contact_number, "+13125550002");
    let page = store.read(|r| sms::thread(r, "+13125550001", None, 1))?;
    assert_eq!(page[0].body, "second from A", "the newest message first page");
    let older = store.read(|r| sms::thread(r, "+13125550001", Some((&page[0].created_at, &page[0].id)), 1))?;
    assert_eq!(older[0].body, "first from A", "then the one before it");
    Ok(())
}

#[test]
fn conversations_whose_last_texts_share_a_second_are_ordered_by_arrival() -> Result<(), StoreError> {
    // SignalWire dates texts to the second: two conversations often end in the same one.
    let (_d, store) = store();
    for (i, from) in ["+13125550003", "+13125550004", "+13125550005"].into_iter().enumerate() {
        let sid = format!("t{i}");
        store.write(|w| sms::insert_inbound(w, &inbound(&sid, from, "hello", "2026-11-29T09:00:00.000Z")))?;
        std::thread::sleep(std::time::Duration::from_millis(2)); // ids are time-ordered to the millisecond
    }
    let numbers: Vec<String> =
        store.read(|r| sms::threads(r, None, 50))?.into_iter().map(|t| t.contact_number).collect();
    assert_eq!(
        numbers,
        ["+13125550005", "+13125550004", "+13125550003"],
        "the one stored last comes first, every time"
    );
    Ok(())
}
