//! The client against the SignalWire emulator (crates/testkit): every endpoint's happy path,
//! its documented errors, retries without double-sending, paging.

use std::time::Duration;

use ringdesk_signalwire::model::{CallStatus, MessageStatus};
use ringdesk_signalwire::{
    AudioFormat, CallFilter, Client, Config, Error, MessageFilter, NewCall, NewMessage, NumberRouting, NumberSearch,
    RetryPolicy, Token,
};
use ringdesk_testkit::signalwire::SignalWireEmulator;

const PROJECT: &str = "3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60789";
const TOKEN: &str = "PTtesttoken0123456789";
const OURS: &str = "+12175550100";

async fn setup() -> (SignalWireEmulator, Client) {
    let emu = SignalWireEmulator::start(PROJECT, TOKEN).await.expect("emulator");
    emu.own_number(OURS);
    let client = client_with(&emu, TOKEN, 1000);
    (emu, client)
}

fn client_with(emu: &SignalWireEmulator, token: &str, page_size: u32) -> Client {
    let mut cfg = Config::at(emu.origin().parse().expect("url"), PROJECT, Token::new(token)).expect("config");
    cfg.retry = RetryPolicy { attempts: 4, base: Duration::from_millis(10), max_wait: Duration::from_millis(50) };
    cfg.timeout = Duration::from_secs(5);
    cfg.page_size = page_size;
    Client::new(cfg).expect("client")
}

fn sms(to: &str, body: &str) -> NewMessage {
    NewMessage { from: OURS.into(), to: to.into(), body: body.into() }
}

#[tokio::test]
async fn a_wrong_token_is_an_authentication_error_with_advice() {
    let (emu, _) = setup().await;
    let bad = client_with(&emu, "wrong", 1000);
    let e = bad.list_messages(&MessageFilter::default(), 10).await.expect_err("401");
    let api = e.api().expect("an API error");
    assert_eq!((api.status, api.code), (401, Some(20003)), "{e}");
    assert!(e.advice().contains("API token"), "the advice says what to check: {}", e.advice());
}

#[tokio::test]
async fn a_sent_message_is_queued_then_delivered_and_listed_by_filter() {
    let (emu, client) = setup().await;
    let sent = client.send_message(&sms("+13125550142", "Hello from Ringdesk")).await.expect("sent");
    assert_eq!(sent.status, MessageStatus::Queued, "a new message is queued: {sent:?}");
    assert_eq!(sent.num_segments, Some(1));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = client.get_message(&sent.sid).await.expect("get");
    assert_eq!(later.status, MessageStatus::Delivered, "{later:?}");
    assert!(later.date_sent.is_some(), "a delivered message has its send date");
    client.send_message(&sms("+13125550199", "Someone else")).await.expect("sent");
    let to_one = MessageFilter { to: Some("+13125550142".into()), ..Default::default() };
    let listed = client.list_messages(&to_one, 100).await.expect("list");
    assert_eq!(listed.len(), 1, "filtered by To: {listed:?}");
    assert_eq!(listed[0].sid, sent.sid);
    let today = chrono::Utc::now().date_naive();
    let since = MessageFilter { sent_on_or_after: Some(today), ..Default::default() };
    assert_eq!(
        client.list_messages(&since, 100).await.expect("list").len(),
        1,
        "a queued message has no send date yet"
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(client.list_messages(&since, 100).await.expect("list").len(), 2, "both sent today");
    assert_eq!(emu.sent_messages().len(), 2);
}

#[tokio::test]
async fn invalid_messages_are_refused_before_or_by_the_api_with_the_reason() {
    let (emu, client) = setup().await;
    let e = client.send_message(&sms("+13125550001", "x")).await.expect_err("invalid To");
    assert_eq!(e.api().and_then(|a| a.code), Some(21211), "{e}");
    let foreign = NewMessage { from: "+19995550123".into(), ..sms("+13125550142", "x") };
    let e = client.send_message(&foreign).await.expect_err("From not ours");
    assert_eq!(e.api().and_then(|a| a.code), Some(21606), "{e}");
    let before = emu.requests_to("Messages");
    let e = client.send_message(&sms("+13125550142", &"x".repeat(1601))).await.expect_err("too long");
    assert!(matches!(e, Error::Invalid(_)), "checked locally: {e}");
    let e = client.send_message(&sms("3125550142", "x")).await.expect_err("not E.164");
    assert!(e.to_string().contains("E.164"), "{e}");
    assert_eq!(emu.requests_to("Messages"), before, "nothing invalid was sent");
    assert!(emu.sent_messages().is_empty(), "and nothing was created");
}

#[tokio::test]
async fn throttling_is_retried_after_retry_after_and_sends_exactly_once() {
    let (emu, client) = setup().await;
    emu.fail_next(2, 429, 20429, Some(0));
    let sent = client.send_message(&sms("+13125550142", "after the throttle")).await.expect("sent on the third try");
    assert_eq!(emu.requests_to("Messages"), 3, "two throttled tries, then the send");
    assert_eq!(emu.sent_messages().len(), 1, "exactly one message: {sent:?}");
}

#[tokio::test]
async fn throttling_that_never_ends_gives_up_with_the_rate_limit_error() {
    let (emu, client) = setup().await;
    emu.fail_next(10, 429, 20429, None);
    let e = client.list_messages(&MessageFilter::default(), 10).await.expect_err("still throttled");
    assert!(e.api().is_some_and(|a| a.is_rate_limited()), "{e}");
    assert_eq!(emu.requests_to("Messages"), 4, "the policy's four attempts");
}

#[tokio::test]
async fn a_connection_cut_after_the_server_accepted_a_message_leaves_exactly_one_message() {
    let (emu, client) = setup().await;
    emu.cut_next_create();
    let m = sms("+13125550142", "sent once, whatever happens");
    let plain = client.send_message(&m).await.expect_err("the answer was cut");
    assert!(matches!(plain, Error::Ambiguous(_)), "a cut answer is ambiguous: {plain}");
    assert_eq!(emu.sent_messages().len(), 1, "the server did send it");
    // The create-once path reconciles instead of sending again.
    emu.cut_next_create();
    let intent = chrono::Utc::now();
    let m2 = sms("+13125550142", "the second text");
    let adopted = client.send_message_once(&m2, intent).await.expect("reconciled");
    assert_eq!(adopted.body, m2.body);
    let bodies: Vec<String> = emu.sent_messages().into_iter().map(|(_, _, b)| b).collect();
    assert_eq!(bodies.iter().filter(|b| **b == m2.body).count(), 1, "exactly one copy: {bodies:?}");
}

#[tokio::test]
async fn a_server_error_on_a_create_is_reconciled_then_sent_once() {
    let (emu, client) = setup().await;
    emu.fail_next(1, 500, 0, None);
    let sent = client.send_message_once(&sms("+13125550142", "after a 500"), chrono::Utc::now()).await.expect("sent");
    assert_eq!(emu.sent_messages().len(), 1, "not found on reconciling, so sent once: {sent:?}");
}

#[tokio::test]
async fn reads_retry_server_errors_and_a_proxys_html_page() {
    let (emu, client) = setup().await;
    emu.html_next();
    emu.fail_next(1, 503, 0, None);
    let list = client.list_messages(&MessageFilter::default(), 10).await.expect("third time works");
    assert!(list.is_empty());
    emu.fail_next(10, 502, 0, None);
    let e = client.list_messages(&MessageFilter::default(), 10).await.expect_err("gives up");
    assert_eq!(e.api().map(|a| a.status), Some(502), "{e}");
}

#[tokio::test]
async fn lists_follow_next_page_uri_across_pages_and_stop_at_the_cap() {
    let (emu, _) = setup().await;
    for i in 0..57 {
        emu.receive_message(&format!("+1312555{i:04}"), OURS, &format!("inbound {i}"));
    }
    let client = client_with(&emu, TOKEN, 10);
    let all = client.list_messages(&MessageFilter::default(), 1000).await.expect("all pages");
    assert_eq!(all.len(), 57, "six pages of ten followed to the end");
    assert_eq!(all[0].body, "inbound 56", "newest first");
    assert!(all.iter().all(|m| m.is_inbound() && m.status == MessageStatus::Received));
    let before = emu.requests_to("Messages");
    let capped = client.list_messages(&MessageFilter::default(), 25).await.expect("capped");
    assert_eq!(capped.len(), 25, "the cap is honoured");
    assert_eq!(emu.requests_to("Messages") - before, 3, "and no page past it is fetched");
}

#[tokio::test]
async fn numbers_are_searched_bought_once_routed_and_released() {
    let (emu, client) = setup().await;
    let search = NumberSearch { country: "US".into(), area_code: Some("415".into()), ..Default::default() };
    let found = client.search_numbers(&search).await.expect("search");
    assert_eq!(found.len(), 10, "{found:?}");
    assert!(found[0].capabilities.sms && found[0].capabilities.voice, "capabilities read (SMS in capitals)");
    let wanted = found[3].phone_number.clone();
    let contains = NumberSearch { contains: Some("5550103".into()), ..search.clone() };
    assert_eq!(client.search_numbers(&contains).await.expect("contains").len(), 1);
    emu.cut_next_create();
    let bought = client.buy_number_once(&wanted, &NumberRouting::default()).await.expect("bought");
    assert_eq!(bought.phone_number, wanted);
    assert_eq!(emu.owned_numbers().iter().filter(|n| **n == wanted).count(), 1, "owned once");
    let again = client.buy_number(&wanted, &NumberRouting::default()).await.expect_err("no longer for sale");
    assert_eq!(again.api().and_then(|a| a.code), Some(21422), "{again}");
    let routed = client
        .update_number(
            &bought.sid,
            &NumberRouting { sms_url: Some("https://example.com/sms".into()), ..Default::default() },
        )
        .await
        .expect("routed");
    assert_eq!(routed.sms_url.as_deref(), Some("https://example.com/sms"));
    assert_eq!(client.list_numbers(None).await.expect("list").len(), 2, "ours and the new one");
    client.release_number(&bought.sid).await.expect("released");
    assert!(!emu.owned_numbers().contains(&wanted), "released");
    let gone = client.release_number(&bought.sid).await.expect_err("already released");
    assert_eq!(gone.api().and_then(|a| a.code), Some(20404), "{gone}");
    let bad = NumberSearch { country: "USA".into(), ..Default::default() };
    assert!(matches!(client.search_numbers(&bad).await, Err(Error::Invalid(_))), "country checked locally");
}

#[tokio::test]
async fn a_bridge_call_moves_through_its_statuses_and_hangs_up() {
    let (_emu, client) = setup().await;
    let call = client
        .create_call(&NewCall {
            to: "+13125550142".into(),
            from: OURS.into(),
            url: "https://example.com/bridge.xml".into(),
            timeout_secs: Some(30),
            record: true,
        })
        .await
        .expect("created");
    assert_eq!(call.status, CallStatus::Queued);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(client.get_call(&call.sid).await.expect("get").status, CallStatus::InProgress);
    let ended = client.hang_up_call(&call.sid, false).await.expect("hung up");
    assert_eq!(ended.status, CallStatus::Completed, "{ended:?}");
    let again = client.hang_up_call(&call.sid, false).await.expect_err("already over");
    assert_eq!(again.api().and_then(|a| a.code), Some(10000), "{again}");
    let listed = client.list_calls(&CallFilter { to: Some("+13125550142".into()), ..Default::default() }, 10).await;
    assert_eq!(listed.expect("list").len(), 1);
    let bad = client
        .create_call(&NewCall {
            to: "+13125550001".into(),
            from: OURS.into(),
            url: "https://example.com/x".into(),
            timeout_secs: None,
            record: false,
        })
        .await
        .expect_err("invalid To");
    assert_eq!(bad.api().and_then(|a| a.code), Some(13224), "the array error shape is read: {bad}");
}

#[tokio::test]
async fn a_recorded_calls_recording_is_listed_downloaded_and_deleted() {
    let (_emu, client) = setup().await;
    let call = client
        .create_call(&NewCall {
            to: "+13125550142".into(),
            from: OURS.into(),
            url: "https://example.com/bridge.xml".into(),
            timeout_secs: None,
            record: true,
        })
        .await
        .expect("created");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let recs = client.list_recordings(Some(&call.sid), None, 10).await.expect("list");
    assert_eq!(recs.len(), 1, "a recording once the call ended: {recs:?}");
    // Metadata is `Recordings/{sid}.json`; the bare path answers the audio.
    let meta = client.get_recording(&recs[0].sid).await.expect("the recording's metadata");
    assert_eq!(meta.sid, recs[0].sid, "the same recording, read as JSON");
    let wav = client.download_recording(&recs[0].sid, AudioFormat::Wav).await.expect("wav");
    assert!(wav.len() > 16_000, "a second of 8 kHz audio: {} bytes", wav.len());
    let mp3 = client.download_recording(&recs[0].sid, AudioFormat::Mp3).await.expect("mp3");
    assert!(mp3.starts_with(b"ID3"));
    client.delete_recording(&recs[0].sid).await.expect("deleted");
    let gone = client.get_recording(&recs[0].sid).await.expect_err("gone");
    assert_eq!(gone.api().map(|a| (a.status, a.code)), Some((404, Some(20404))), "{gone}");
    let debug = format!("{recs:?}");
    assert!(!debug.contains("http"), "no recording URL is kept where it could be logged: {debug}");
}

#[tokio::test]
async fn a_cxml_script_is_created_once_and_updated_when_its_contents_change() {
    let (emu, client) = setup().await;
    let v1 = "<Response><Dial><Number>{{Lead}}</Number></Dial></Response>";
    let v2 = "<Response><Dial answerOnBridge=\"true\"><Number>{{Lead}}</Number></Dial></Response>";
    let first = client.ensure_cxml_script("bridge", v1).await.expect("created");
    assert!(first.request_url.is_some(), "a URL to give calls");
    let same = client.ensure_cxml_script("bridge", v1).await.expect("found");
    assert_eq!(same.sid, first.sid, "found, not created again");
    // SignalWire's UpdateCxmlScriptRequest requires Name: the update sends it (the emulator refuses
    // an update without it, as the spec does).
    let updated = client.ensure_cxml_script("bridge", v2).await.expect("updated");
    assert_eq!((updated.sid.as_str(), updated.contents.as_str()), (first.sid.as_str(), v2), "updated in place");
    assert_eq!(updated.name, "bridge", "the name is kept");
    assert_eq!(emu.cxml_scripts().len(), 1);
    let bad = client.create_cxml_script("x", "<Dial/>").await.expect_err("not a Response document");
    assert!(matches!(bad, Error::Invalid(_)), "{bad}");
}

#[tokio::test]
async fn answers_that_are_not_what_the_api_documents_are_typed_errors_never_panics() {
    let (emu, client) = setup().await;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("plain text", b"hello".to_vec()),
        ("truncated JSON", br#"{"uri":"/x","messages":[{"sid":"a","fr"#.to_vec()),
        ("invalid UTF-8 in a string", b"{\"uri\":\"/x\",\"messages\":[{\"sid\":\"a\",\"from\":\"\xff\xfe\",\"to\":\"+1\",\"status\":\"queued\"}]}".to_vec()),
        ("a page without its list", br#"{"uri":"/x","page":0}"#.to_vec()),
        ("a message missing its sid", br#"{"uri":"/x","messages":[{"from":"+1","to":"+2","status":"queued"}]}"#.to_vec()),
    ];
    for (what, body) in cases {
        emu.raw_next(200, body);
        let e = client.list_messages(&MessageFilter::default(), 10).await.expect_err(what);
        assert!(matches!(e, Error::Decode(_)), "{what}: a decode error, got {e}");
    }
    // 10 MB of text in one message is read, not refused and not truncated.
    let big = "x".repeat(10 * 1024 * 1024);
    let body = format!(
        r#"{{"uri":"/x","next_page_uri":null,"messages":[{{"sid":"b","from":"+1","to":"+2","status":"received","body":"{big}","direction":"inbound"}}]}}"#
    );
    emu.raw_next(200, body.into_bytes());
    let got = client.list_messages(&MessageFilter::default(), 10).await.expect("a huge body is still a message");
    assert_eq!(got[0].body.len(), 10 * 1024 * 1024);
    // An error status with a body that is no documented shape keeps the status.
    emu.raw_next(400, b"\xff\xfe not json".to_vec());
    let e = client.get_message("c").await.expect_err("400");
    assert_eq!(e.api().map(|a| a.status), Some(400), "{e}");
}

#[tokio::test]
async fn a_sip_endpoints_caller_id_goes_back_to_automatic_as_random_never_null() {
    let (_emu, client) = setup().await;
    let e = client
        .create_sip_endpoint(&ringdesk_signalwire::native::NewSipEndpoint {
            username: "desk-7".into(),
            password: "s3cret-pass".into(),
            caller_id: None,
            send_as: Some(OURS.into()),
        })
        .await
        .expect("created");
    assert_eq!(e.send_as_number(), Some(OURS));
    let automatic = client.set_sip_endpoint_send_as(&e.id, None).await.expect("automatic is accepted");
    assert_eq!(automatic.send_as.as_deref(), Some("random"), "SignalWire's documented value for any number");
    assert_eq!(automatic.send_as_number(), None, "shown as Automatic");
    let bad = client.set_sip_endpoint_send_as(&e.id, Some("not a number")).await.expect_err("refused");
    let api = bad.api().expect("an API error");
    assert_eq!(api.code_name.as_deref(), Some("send_as_is_invalid"), "relay/rest's error shape is read: {api:?}");
    assert_eq!(api.family(), ringdesk_signalwire::Family::Validation, "{api:?}");
}

#[tokio::test]
async fn a_numbers_texts_are_routed_to_a_relay_topic_that_the_answer_confirms() {
    let (_emu, client) = setup().await;
    let number =
        client.list_native_numbers().await.expect("numbers").into_iter().find(|n| n.number == OURS).expect("ours");
    let routed = client.route_native_number(&number.id, None, Some("ringdesk")).await.expect("routed");
    assert_eq!(routed.message_handler.as_deref(), Some("relay_topic"), "{routed:?}");
    assert!(routed.texts_to("ringdesk"), "the answer names the topic: {routed:?}");
    assert!(!routed.texts_to("another"), "and only that one");
    let again =
        client.list_native_numbers().await.expect("numbers").into_iter().find(|n| n.number == OURS).expect("ours");
    assert!(again.texts_to("ringdesk"), "as listed later: {again:?}");
}
