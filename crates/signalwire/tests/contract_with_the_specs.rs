//! Every request the client can build, each API function once, through the emulator, which checks
//! each request against SignalWire's published OpenAPI specs (and refuses what they refuse) and
//! each of its own JSON answers against them too (`ringdesk_testkit::signalwire_spec`). Any
//! violation on either side fails the test, naming the operation and the field.

use std::time::Duration;

use ringdesk_signalwire::native::NewSipEndpoint;
use ringdesk_signalwire::{
    AudioFormat, CallFilter, Client, Config, MessageFilter, NewCall, NewMessage, NumberRouting, NumberSearch,
    RetryPolicy, Token,
};
use ringdesk_testkit::signalwire::SignalWireEmulator;

const PROJECT: &str = "3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60789";
const TOKEN: &str = "PTtesttoken0123456789";
const OURS: &str = "+12175550100";

#[tokio::test]
async fn every_request_the_client_builds_and_every_answer_it_reads_follow_signalwires_specs() {
    let emu = SignalWireEmulator::start(PROJECT, TOKEN).await.expect("emulator");
    emu.own_number(OURS);
    let agent = emu.add_ai_agent("Receptionist", "Be kind");
    let mut cfg = Config::at(emu.origin().parse().expect("url"), PROJECT, Token::new(TOKEN)).expect("config");
    cfg.retry = RetryPolicy { attempts: 2, base: Duration::from_millis(10), max_wait: Duration::from_millis(20) };
    cfg.page_size = 2;
    let client = Client::new(cfg).expect("client");
    let mut done: Vec<&str> = Vec::new();
    let step = |done: &mut Vec<&'static str>, name: &'static str| done.push(name);

    // Messages.
    let m = NewMessage { from: OURS.into(), to: "+13125550142".into(), body: "Hello from the contract".into() };
    let sent = client.send_message(&m).await.expect("send_message");
    step(&mut done, "send_message");
    let now = chrono::Utc::now();
    client.send_message_once(&NewMessage { body: "Once".into(), ..m.clone() }, now).await.expect("send_message_once");
    step(&mut done, "send_message_once");
    client.find_sent(&m, now - chrono::Duration::minutes(5)).await.expect("find_sent");
    step(&mut done, "find_sent");
    let filter = MessageFilter {
        to: Some(m.to.clone()),
        from: Some(OURS.into()),
        sent_on_or_after: Some(now.date_naive()),
        sent_on_or_before: Some(now.date_naive()),
    };
    client.list_messages(&filter, 10).await.expect("list_messages");
    step(&mut done, "list_messages");
    client.get_message(&sent.sid).await.expect("get_message");
    step(&mut done, "get_message");

    // cXML scripts.
    let v1 = "<Response><Dial><Number>{{Lead}}</Number></Dial></Response>";
    let script = client.create_cxml_script("contract", v1).await.expect("create_cxml_script");
    step(&mut done, "create_cxml_script");
    client.list_cxml_scripts().await.expect("list_cxml_scripts");
    step(&mut done, "list_cxml_scripts");
    client
        .update_cxml_script(&script.sid, "contract", "<Response><Hangup/></Response>")
        .await
        .expect("update_cxml_script");
    step(&mut done, "update_cxml_script");
    client.ensure_cxml_script("contract", v1).await.expect("ensure_cxml_script");
    step(&mut done, "ensure_cxml_script");

    // Calls and recordings.
    let url = script.request_url.clone().expect("a script URL");
    let call = client
        .create_call(&NewCall {
            to: "+13125550142".into(),
            from: OURS.into(),
            url: url.clone(),
            timeout_secs: Some(30),
            record: true,
        })
        .await
        .expect("create_call");
    step(&mut done, "create_call");
    client.get_call(&call.sid).await.expect("get_call");
    step(&mut done, "get_call");
    let other = client
        .create_call(&NewCall { to: "+13125550143".into(), from: OURS.into(), url, timeout_secs: None, record: false })
        .await
        .expect("a second call");
    client.hang_up_call(&other.sid, true).await.expect("hang_up_call");
    step(&mut done, "hang_up_call");
    let calls = CallFilter {
        to: Some("+13125550142".into()),
        started_on_or_after: Some(now.date_naive()),
        ..CallFilter::default()
    };
    client.list_calls(&calls, 10).await.expect("list_calls");
    step(&mut done, "list_calls");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let recs = client.list_recordings(Some(&call.sid), Some(now.date_naive()), 10).await.expect("list_recordings");
    step(&mut done, "list_recordings");
    let rec = recs.first().expect("the recorded call's recording");
    client.get_recording(&rec.sid).await.expect("get_recording");
    step(&mut done, "get_recording");
    client.download_recording(&rec.sid, AudioFormat::Wav).await.expect("download_recording wav");
    client.download_recording(&rec.sid, AudioFormat::Mp3).await.expect("download_recording mp3");
    step(&mut done, "download_recording");
    client.list_transcriptions(&rec.sid).await.expect("list_transcriptions");
    step(&mut done, "list_transcriptions");
    client.delete_recording(&rec.sid).await.expect("delete_recording");
    step(&mut done, "delete_recording");

    // Numbers.
    let search = NumberSearch { country: "US".into(), area_code: Some("415".into()), ..NumberSearch::default() };
    let offers = client.search_numbers(&search).await.expect("search_numbers");
    step(&mut done, "search_numbers");
    let routing = NumberRouting {
        friendly_name: Some("Contract line".into()),
        voice_url: Some("https://example.com/voice".into()),
        sms_url: Some("https://example.com/sms".into()),
    };
    let bought = client.buy_number(&offers[0].phone_number, &routing).await.expect("buy_number");
    step(&mut done, "buy_number");
    let once =
        client.buy_number_once(&offers[1].phone_number, &NumberRouting::default()).await.expect("buy_number_once");
    step(&mut done, "buy_number_once");
    client.list_numbers(None).await.expect("list_numbers");
    client.list_numbers(Some(&bought.phone_number)).await.expect("list_numbers by number");
    step(&mut done, "list_numbers");
    client.update_number(&bought.sid, &routing).await.expect("update_number");
    step(&mut done, "update_number");
    client.release_number(&once.sid).await.expect("release_number");
    step(&mut done, "release_number");

    // SignalWire's own APIs: SIP endpoints, the SIP profile, numbers' handlers, AI agents.
    let endpoint = client
        .create_sip_endpoint(&NewSipEndpoint {
            username: "contract-desk".into(),
            password: "s3cret-pass".into(),
            caller_id: Some("Ringdesk".into()),
            send_as: Some(OURS.into()),
        })
        .await
        .expect("create_sip_endpoint");
    step(&mut done, "create_sip_endpoint");
    client.list_sip_endpoints().await.expect("list_sip_endpoints");
    step(&mut done, "list_sip_endpoints");
    client.set_sip_endpoint_send_as(&endpoint.id, Some(OURS)).await.expect("set_sip_endpoint_send_as");
    client.set_sip_endpoint_send_as(&endpoint.id, None).await.expect("set_sip_endpoint_send_as automatic");
    step(&mut done, "set_sip_endpoint_send_as");
    client.sip_profile().await.expect("sip_profile");
    step(&mut done, "sip_profile");
    let numbers = client.list_native_numbers().await.expect("list_native_numbers");
    step(&mut done, "list_native_numbers");
    let ours = numbers.iter().find(|n| n.number == OURS).expect("ours");
    client
        .route_native_number(
            &ours.id,
            Some(&ringdesk_signalwire::native::CallRoute::SipEndpoint { endpoint_id: endpoint.id.clone() }),
            Some("ringdesk"),
        )
        .await
        .expect("route_native_number");
    client
        .route_native_number(
            &ours.id,
            Some(&ringdesk_signalwire::native::CallRoute::Relay { context: "ringdesk".into() }),
            None,
        )
        .await
        .expect("route_native_number to RELAY");
    step(&mut done, "route_native_number");
    client.list_ai_agents().await.expect("list_ai_agents");
    step(&mut done, "list_ai_agents");
    client.assign_phone_route(&agent, &ours.id).await.expect("assign_phone_route");
    step(&mut done, "assign_phone_route");

    assert_eq!(done.len(), 32, "every API function was called once: {done:?}");
    let violations = emu.spec_violations();
    assert!(violations.is_empty(), "requests or answers that break SignalWire's specs:\n{}", violations.join("\n"));
}
