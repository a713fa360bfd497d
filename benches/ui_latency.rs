//! Call latency through the real window (release build), the UI included: Xvfb, the app driven
//! over WebDriver (tauri-driver + WebKitWebDriver), Kamailio with digest auth and baresip peers on
//! loopback, a PulseAudio null sink for the app's devices. Each number sits beside the same path
//! between two baresips in the same run.
//!
//! - **Click on a lead's phone button → the far phone ringing.** The click's time is taken in the
//!   page, by a capturing `click` listener (the moment the web view dispatches the click, before
//!   React's handler runs); the ringing is baresip's CALL_INCOMING, after the INVITE, Kamailio's
//!   407 challenge, the authenticated INVITE and the relay. An upper bound of "click → INVITE on
//!   the wire" (target ≤ 100 ms). Also reported from the moment the WebDriver click was sent,
//!   which adds the automation's own round trip.
//! - **A phone dials the agent → the screen pop shown.** From the `dial` command to baresip to
//!   the frame after the one that first had the incoming-call card with the lead's name in it
//!   (a MutationObserver notes the card; two `requestAnimationFrame`s later that frame has been
//!   painted). Target ≤ 300 ms.
//!
//! - **Wrap-up saved → the next lead's phone ringing** (a progressive campaign with a zero
//!   countdown): from the click on the wrap-up's Save (captured in the page) through the saved
//!   disposition, the session's next step and the core's dial, to the next lead's
//!   CALL_INCOMING. Target ≤ 100 ms to the INVITE on the wire.
//!
//! The page's times are `performance.timeOrigin + performance.now()`, wall-clock milliseconds, the
//! same clock as `SystemTime` here; the bench checks that the two agree before it starts.
//!
//! `cargo bench -p ringdesk --bench ui_latency` (results in BENCHMARKS.md; screenshots of the
//! last round in `artifacts/bench-ui/`).

#[allow(dead_code)]
#[path = "../tests/harness/mod.rs"]
mod harness;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fantoccini::Client;
use harness::{Desktop, click, element, eventually, phone_ready, save_sip_password, seed_ann_and_sip_line, shown, tid};
use ringdesk_testkit::{AnswerMode, Baresip, Kamailio, PulseAudio, speech_wav};

const ROUNDS: usize = 20;

/// Wall-clock milliseconds since the Unix epoch (the page's clock too).
fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs_f64() * 1e3
}

fn report(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!("{name:<64} p50 {:>6.1} ms  p95 {:>6.1} ms  max {:>6.1} ms  (n={})", p(0.5), p(0.95), p(1.0), v.len());
    if std::env::var_os("BENCH_SAMPLES").is_some() {
        println!("    {}", v.iter().map(|x| format!("{x:.1}")).collect::<Vec<_>>().join(" "));
    }
}

/// Runs a script in the page and returns its number.
async fn page_number(c: &Client, script: &str) -> f64 {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script {script}: {e}"))
        .as_f64()
        .unwrap_or_else(|| panic!("script {script} returned no number"))
}

/// Notes, in the page, when clicks are dispatched, when the UI sends `place_call` over IPC, and
/// when the incoming-call card naming `name` is first inserted and then painted.
const PROBES: &str = r#"
const name = arguments[0];
const now = () => performance.timeOrigin + performance.now();
window.__bench = { clicks: [], invokes: [], pops: [], popShown: false, saves: [] };
document.addEventListener("click", (e) => {
  window.__bench.clicks.push(now());
  if (e.target && e.target.closest && e.target.closest('[data-testid="wrapup-save"]')) window.__bench.saves.push(now());
}, true);
// Tauri's IPC on Linux is a fetch to the ipc: protocol, one URL per command.
const fetch = window.fetch;
window.fetch = function (resource, ...rest) {
  if (String(resource && resource.url ? resource.url : resource).includes("place_call")) window.__bench.invokes.push(now());
  return fetch.call(this, resource, ...rest);
};
new MutationObserver(() => {
  const card = document.querySelector('[data-testid="incoming-call"]');
  const named = card !== null && card.textContent.includes(name);
  if (named && !window.__bench.popShown) {
    window.__bench.popShown = true;
    const inserted = now();
    requestAnimationFrame(() => requestAnimationFrame(() => window.__bench.pops.push([inserted, now()])));
  } else if (card === null) {
    window.__bench.popShown = false;
  }
}).observe(document.body, { childList: true, subtree: true, characterData: true });
return true;
"#;

/// The anchor: `ROUNDS` times, `caller` dials `uri` (where `callee` is registered) and the time
/// to `callee`'s CALL_INCOMING is taken; each call is hung up before the next.
async fn baresip_to_baresip(caller: &mut Baresip, callee: &mut Baresip, uri: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for _ in 0..ROUNDS {
        let t0 = now_ms();
        caller.command("dial", uri).expect("the anchor dials");
        callee.wait_event("CALL_INCOMING", Duration::from_secs(5)).expect("the anchor's callee rings");
        out.push(now_ms() - t0);
        caller.command("hangup", "").expect("the anchor hangs up");
        callee.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("the anchor's call closed");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    out
}

/// Saves the wrap-up for the call that just ended, if it opened, as `outcome`.
async fn wrap_up_if_asked(desktop: &Desktop, c: &Client, outcome: &str) {
    for _ in 0..20 {
        if shown(c, "wrapup-dialog").await {
            click(c, &format!("wrapup-choice-{outcome}")).await;
            click(c, "wrapup-save").await;
            eventually(desktop, c, "the wrap-up closes", || async { !shown(c, "wrapup-dialog").await }).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let kam = Kamailio::start().expect("kamailio");
    let pulse = PulseAudio::start().expect("pulseaudio with a null sink for the app's audio devices");
    let desktop = Desktop::start_with("bench-ui", &[("PULSE_SERVER", &pulse.server())]);
    let _notifications = ringdesk_testkit::notifications::NotificationServer::start(&desktop.bus_address())
        .expect("a notification server on the desktop's bus");
    let wav = desktop.dir().join("speech.wav");
    speech_wav(&wav, 10).expect("speech");
    // The lead's phone (rings until told) and a second phone for the anchors.
    let mut bob =
        Baresip::start("13125550142", &kam.addr(), &wav, AnswerMode::Manual, false).expect("the lead's phone");
    bob.wait_registered(Duration::from_secs(5)).expect("the lead's phone registers");
    let mut carol = Baresip::start("carol", &kam.addr(), &wav, AnswerMode::Manual, false).expect("carol");
    carol.wait_registered(Duration::from_secs(5)).expect("carol registers");

    let db = desktop.dir().join("ringdesk.db");
    seed_ann_and_sip_line(&db, kam.addr(), ringdesk_app::ipc::SettingsUpdate::default());
    let db_arg = db.to_str().expect("utf-8 path").to_string();
    let c = desktop.launch_with_args(&["--db", &db_arg]).await;
    save_sip_password(&c, "alicepw").await;
    eventually(&desktop, &c, "the phone line registers", || async { phone_ready(&c).await }).await;
    click(&c, "nav-leads").await;
    element(&c, "lead-call").await;

    // The page's clock against this one: a reading in the page lies between two readings here.
    let before = now_ms();
    let page = page_number(&c, "return performance.timeOrigin + performance.now();").await;
    let after = now_ms();
    assert!(
        before - 2.0 <= page && page <= after + 2.0,
        "the page's clock agrees with this one: {before:.1} <= {page:.1} <= {after:.1}"
    );
    println!(
        "page clock check: {:.1} ms after this clock's reading, round trip {:.1} ms",
        page - before,
        after - before
    );
    c.execute(PROBES, vec![serde_json::json!("Ann Archer")]).await.expect("probes installed");

    // --- a click on the lead's phone button → the lead's phone rings ---
    let (mut from_click, mut from_webdriver, mut to_invoke, mut from_invoke) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS + 2 {
        let button = c.find(tid("lead-call")).await.expect("Ann's phone button");
        let sent = now_ms();
        // The click runs on the other worker while this one waits for the ring, so the ring is
        // timed when it comes, not when WebDriver's answer to the click is back.
        let clicking = tokio::spawn(async move { button.click().await });
        let rang = tokio::task::block_in_place(|| {
            bob.wait_event("CALL_INCOMING", Duration::from_secs(5)).expect("the lead's phone rings");
            now_ms()
        });
        clicking.await.expect("the click task").expect("click");
        let clicked = page_number(&c, "return window.__bench.clicks[window.__bench.clicks.length - 1];").await;
        let invoked = page_number(&c, "return window.__bench.invokes[window.__bench.invokes.length - 1];").await;
        // The first two rounds warm up (the web view's first call panel, the phone's first call).
        if round >= 2 {
            from_click.push(rang - clicked);
            from_webdriver.push(rang - sent);
            to_invoke.push(invoked - clicked);
            from_invoke.push(rang - invoked);
        }
        if round == ROUNDS + 1 {
            desktop.screenshot(&c, "01-calling").await;
        }
        click(&c, "call-hangup").await;
        bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("the lead's phone stops ringing");
        wrap_up_if_asked(&desktop, &c, "no_answer").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let dial_anchor = baresip_to_baresip(&mut carol, &mut bob, &format!("sip:13125550142@{}", kam.addr())).await;
    let dial_anchor_again = dial_anchor.clone();

    // --- the lead calls the agent → the screen pop is on screen ---
    let (mut pop_inserted, mut pop_painted) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS + 2 {
        let seen = page_number(&c, "return window.__bench.pops.length;").await as usize;
        let t0 = now_ms();
        bob.command("dial", &format!("sip:alice@{}", kam.addr())).expect("Ann's phone dials the agent");
        let mut pops = seen;
        for _ in 0..100 {
            pops = page_number(&c, "return window.__bench.pops.length;").await as usize;
            if pops > seen {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(pops > seen, "the screen pop appeared in round {round}");
        let times =
            c.execute("return window.__bench.pops[window.__bench.pops.length - 1];", vec![]).await.expect("pop times");
        let at = |i: usize| times[i].as_f64().expect("a time");
        if round >= 2 {
            pop_inserted.push(at(0) - t0);
            pop_painted.push(at(1) - t0);
        }
        if round == ROUNDS + 1 {
            desktop.screenshot(&c, "02-screen-pop").await;
        }
        click(&c, "incoming-reject").await;
        bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("Ann's phone sees the rejection");
        wrap_up_if_asked(&desktop, &c, "no_answer").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let pop_anchor = baresip_to_baresip(&mut bob, &mut carol, &format!("sip:carol@{}", kam.addr())).await;

    // --- a progressive campaign with a zero countdown: wrap-up saved → the next lead rings ---
    let list_id = harness::with_db(&db, move |seed| {
        let list = seed.create_list("Bench list", None).expect("list");
        let ids: Vec<String> = (0..ROUNDS + 3)
            .map(|i| {
                seed.create_lead(&ringdesk_app::ipc::LeadPatch {
                    name: Some(format!("Bench lead {i:02}")),
                    phone: Some("(312) 555-0142".into()),
                    ..Default::default()
                })
                .expect("lead")
                .id
            })
            .collect();
        seed.store()
            .write(|w| {
                for id in &ids {
                    ringdesk_store::lists::add_member(w, &list.id, id)?;
                }
                Ok::<_, ringdesk_store::StoreError>(())
            })
            .expect("members");
        let campaign = seed
            .create_campaign(&ringdesk_app::ipc::CampaignDraft {
                name: "Bench".into(),
                list_id: list.id.clone(),
                mode: ringdesk_app::ipc::DialMode::Progressive,
                countdown_seconds: Some(0),
                ..Default::default()
            })
            .expect("campaign");
        seed.campaign_action(&campaign.id, ringdesk_app::ipc::CampaignAction::Start).expect("started");
        list.id
    });
    assert!(!list_id.is_empty());
    click(&c, "nav-campaigns").await;
    click(&c, "campaign-open").await;
    // A zero countdown dials the first lead at once.
    tokio::task::block_in_place(|| {
        bob.wait_event("CALL_INCOMING", Duration::from_secs(10)).expect("the first lead rings")
    });
    let mut next_ring = Vec::new();
    for round in 0..ROUNDS + 2 {
        click(&c, "call-hangup").await;
        bob.wait_event("CALL_CLOSED", Duration::from_secs(5)).expect("the lead's phone stops ringing");
        c.wait().at_most(Duration::from_secs(10)).for_element(tid("wrapup-dialog")).await.expect("the wrap-up opens");
        click(&c, "wrapup-choice-no_answer").await;
        let save = c.find(tid("wrapup-save")).await.expect("Save");
        let clicking = tokio::spawn(async move { save.click().await });
        let rang = tokio::task::block_in_place(|| {
            bob.wait_event("CALL_INCOMING", Duration::from_secs(5)).expect("the next lead's phone rings");
            now_ms()
        });
        clicking.await.expect("the click task").expect("click");
        let saved = page_number(&c, "return window.__bench.saves[window.__bench.saves.length - 1];").await;
        if round >= 2 {
            next_ring.push(rang - saved);
        }
        if round == ROUNDS + 1 {
            desktop.screenshot(&c, "03-campaign-next-call").await;
        }
    }
    click(&c, "call-hangup").await;
    desktop.quit(c).await;

    report("click (dispatched in the page) -> far phone ringing", from_click);
    report("  of which: click -> place_call sent over IPC", to_invoke);
    report("  of which: place_call sent -> far phone ringing", from_invoke);
    report("  WebDriver click sent -> far phone ringing", from_webdriver);
    report("  anchor: baresip -> baresip, same path", dial_anchor);
    report("far phone dials -> screen pop card in the page", pop_inserted);
    report("far phone dials -> screen pop painted (next frame)", pop_painted);
    report("  anchor: the same call to baresip's CALL_INCOMING", pop_anchor);
    report("wrap-up Save clicked -> next lead's phone ringing (countdown 0)", next_ring);
    report("  anchor: baresip -> baresip, same path", dial_anchor_again);
}
