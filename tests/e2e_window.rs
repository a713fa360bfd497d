//! End to end: the real Ringdesk window under Xvfb, driven over WebDriver (tauri-driver +
//! WebKitWebDriver). Imports a CSV with good and bad rows, sees the bad rows reported, searches,
//! opens a lead, edits a field, restarts the app and finds the edit persisted, and checks the
//! dialer's disabled Dial button. Then texting: SignalWire set up in Settings (the token to the
//! keychain), a text sent from a lead, and the lead's reply arriving live in the same thread
//! (SignalWire served by the emulator in crates/testkit). Screenshots of each step go to
//! `artifacts/e2e/`.
//!
//! The test starts everything it needs itself: Xvfb on a free display, a private D-Bus session
//! with an unlocked throwaway gnome-keyring, and tauri-driver on free ports, all with XDG folders
//! in a temp dir and `RINGDESK_DB` pointing at a temp database. It fails (never skips) when a
//! component is missing; `scripts/test.sh` installs them.

mod harness;

use std::time::Duration;

use fantoccini::{Client, Locator, key::Key};
use harness::Desktop;

const CSV: &str = "Name,Email,Phone,Company,Status\n\
Ann Archer,ann@acme.com,(202) 555-0143,Acme,new\n\
Bob Broken,bob-at-nowhere,202-555-0144,Globex,new\n\
Carol Chen,carol@initech.com,+44 20 7946 0958,Initech,qualified\n\
Dan Nophone,,,Hooli,new\n\
Erin Early,erin@vandelay.com,202.555.0145,Vandelay,contacted\n";

fn tid(id: &str) -> Locator<'_> {
    Locator::Css(Box::leak(format!("[data-testid=\"{id}\"]").into_boxed_str()))
}

async fn text(c: &Client, id: &str) -> String {
    eprintln!("e2e: text of {id}");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(tid(id))
        .await
        .unwrap_or_else(|e| panic!("element {id} did not appear: {e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("text of {id}: {e}"))
}

async fn click(c: &Client, id: &str) {
    eprintln!("e2e: click {id}");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(tid(id))
        .await
        .unwrap_or_else(|e| panic!("element {id} did not appear: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {id}: {e}"));
}

async fn type_into(c: &Client, id: &str, value: &str) {
    let el = c
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(tid(id))
        .await
        .unwrap_or_else(|e| panic!("element {id} did not appear: {e}"));
    el.clear().await.unwrap_or_else(|e| panic!("clear {id}: {e}"));
    // A React-controlled input can put its old value back after clear(): select it all and
    // delete it with the keyboard too, as a person would.
    let select_all = format!("{}a{}{}", Key::Control, Key::Null, Key::Backspace);
    el.send_keys(&select_all).await.unwrap_or_else(|e| panic!("empty {id}: {e}"));
    el.send_keys(value).await.unwrap_or_else(|e| panic!("type into {id}: {e}"));
}

/// Polls until `f` is true, or saves a screenshot named after `what` and fails the test.
async fn eventually<F, Fut>(desktop: &Desktop, c: &Client, what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..150 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    desktop.screenshot(c, &format!("FAILED {what}")).await;
    panic!("timed out waiting until {what}");
}

const SW_PROJECT: &str = "3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60789";
const SW_TOKEN: &str = "PTe2etoken";
const SW_NUMBER: &str = "+12175550100";

/// The text of every message bubble in the open conversation, oldest first.
async fn bubble_texts(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for el in c.find_all(tid("sms-message")).await.unwrap_or_default() {
        out.push(el.prop("textContent").await.ok().flatten().unwrap_or_default());
    }
    out
}

/// The full text of every rendered lead row (`textContent`: cells cut off with an ellipsis on
/// screen are still whole here).
async fn row_names(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for el in c.find_all(tid("lead-row")).await.unwrap_or_default() {
        out.push(el.prop("textContent").await.ok().flatten().unwrap_or_default());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_search_edit_restart_and_text_in_the_real_window() {
    let emu = ringdesk_testkit::signalwire::SignalWireEmulator::start(SW_PROJECT, SW_TOKEN).await.expect("emulator");
    emu.own_number(SW_NUMBER);
    let desktop = Desktop::start_with("e2e", &[("RINGDESK_SIGNALWIRE_URL", &emu.origin())]);
    let csv_path = desktop.dir().join("spring-leads.csv");
    std::fs::write(&csv_path, CSV).expect("write csv");

    // --- first run: import, search, edit ---
    let c = desktop.launch().await;
    eprintln!("e2e: launched");
    assert_eq!(text(&c, "lead-count").await.trim(), "0", "a fresh database has no leads");
    desktop.screenshot(&c, "01-empty").await;

    click(&c, "import-button").await;
    type_into(&c, "import-path", csv_path.to_str().expect("utf-8 path")).await;
    click(&c, "import-preview").await;
    c.wait().for_element(tid("import-mapping-0")).await.expect("mapping shown after preview");
    desktop.screenshot(&c, "02-import-mapping").await;
    click(&c, "import-target-new").await;
    click(&c, "import-start").await;
    assert_eq!(text(&c, "import-created").await.trim(), "3", "three good rows created");
    assert_eq!(text(&c, "import-invalid-count").await.trim(), "2", "two bad rows reported");
    let bad = c.find_all(tid("import-invalid-row")).await.expect("invalid rows listed");
    let mut bad_text = Vec::new();
    for row in &bad {
        bad_text.push(row.text().await.expect("row text"));
    }
    assert!(
        bad_text[0].contains('3') && bad_text[0].contains("bob-at-nowhere"),
        "line 3 names the bad email: {bad_text:?}"
    );
    assert!(
        bad_text[1].contains('5') && bad_text[1].contains("no phone number or email"),
        "line 5 says why: {bad_text:?}"
    );
    desktop.screenshot(&c, "03-import-report").await;
    click(&c, "import-close").await;

    eventually(&desktop, &c, "the table shows the three leads", || async { row_names(&c).await.len() == 3 }).await;
    assert_eq!(text(&c, "lead-count").await.trim(), "3", "the count follows the import");

    type_into(&c, "lead-search", "archer").await;
    eventually(&desktop, &c, "search narrows to Ann", || async {
        let rows = row_names(&c).await;
        rows.len() == 1 && rows[0].contains("Ann Archer")
    })
    .await;
    type_into(&c, "lead-search", "7946").await;
    eventually(&desktop, &c, "phone digits find Carol", || async {
        let rows = row_names(&c).await;
        rows.len() == 1 && rows[0].contains("Carol Chen")
    })
    .await;
    desktop.screenshot(&c, "04-search").await;

    c.find(tid("lead-row")).await.expect("Carol's row").click().await.expect("open Carol");
    c.wait().for_element(tid("lead-detail")).await.expect("detail panel opens");
    // The fields render once the lead has loaded.
    let company =
        c.wait().at_most(Duration::from_secs(15)).for_element(tid("lead-field-company")).await.expect("company field");
    company.clear().await.expect("clear");
    company.send_keys(&format!("Umbrella Corp{}", Key::Enter)).await.expect("type and save");
    eventually(&desktop, &c, "the row shows the new company", || async {
        row_names(&c).await.first().is_some_and(|r| r.contains("Umbrella Corp"))
    })
    .await;
    desktop.screenshot(&c, "05-edited").await;
    desktop.quit(c).await;

    // --- second run: the edit is still there ---
    let c = desktop.launch().await;
    eventually(&desktop, &c, "the restarted app shows three leads", || async {
        text(&c, "lead-count").await.trim() == "3"
    })
    .await;
    type_into(&c, "lead-search", "umbrella").await;
    eventually(&desktop, &c, "the edited company is searchable after restart", || async {
        let rows = row_names(&c).await;
        rows.len() == 1 && rows[0].contains("Carol Chen")
    })
    .await;
    c.find(tid("lead-row")).await.expect("row").click().await.expect("open");
    let value = c
        .wait()
        .for_element(tid("lead-field-company"))
        .await
        .expect("company field")
        .prop("value")
        .await
        .expect("value readable");
    assert_eq!(value.as_deref(), Some("Umbrella Corp"), "the edit persisted across a restart");
    desktop.screenshot(&c, "06-after-restart").await;

    // --- dialer: a pasted number is normalized and matched; Dial is disabled with its reason ---
    click(&c, "nav-dialer").await;
    type_into(&c, "dialer-input", "+1 (202) 555-0145").await;
    eventually(&desktop, &c, "the dialer matches Erin", || async {
        text(&c, "dialer-lead").await.contains("Erin Early")
    })
    .await;
    let dial = c.find(tid("dial-button")).await.expect("dial button");
    assert!(dial.attr("disabled").await.expect("attr").is_some(), "Dial is disabled without a phone line");
    assert!(!text(&c, "dial-disabled-reason").await.trim().is_empty(), "the reason is shown");
    desktop.screenshot(&c, "07-dialer").await;
    desktop.root_screenshot("08-desktop");

    // --- texting: set up SignalWire, text Ann from her lead, her reply arrives in the thread ---
    click(&c, "nav-settings").await;
    type_into(&c, "settings-sw-space", "example").await;
    type_into(&c, "settings-sw-project", SW_PROJECT).await;
    type_into(&c, "settings-sw-token", SW_TOKEN).await;
    click(&c, "settings-sw-save").await;
    c.wait().at_most(Duration::from_secs(15)).for_element(tid("settings-sw-saved")).await.expect("saved");
    click(&c, "nav-leads").await;
    type_into(&c, "lead-search", "archer").await;
    eventually(&desktop, &c, "Ann is listed", || async {
        let rows = row_names(&c).await;
        rows.len() == 1 && rows[0].contains("Ann Archer")
    })
    .await;
    c.find(tid("lead-row")).await.expect("Ann's row").click().await.expect("open Ann");
    click(&c, "lead-text").await;
    let to = c.wait().at_most(Duration::from_secs(15)).for_element(tid("sms-to")).await.expect("new message to Ann");
    assert_eq!(to.prop("value").await.expect("value").as_deref(), Some("+12025550143"), "addressed to Ann");
    type_into(&c, "sms-draft", "Hi Ann, following up on our call").await;
    click(&c, "sms-send").await;
    eventually(&desktop, &c, "the text is in Ann's conversation", || async {
        text(&c, "sms-conversation-name").await.contains("Ann Archer")
            && bubble_texts(&c).await.iter().any(|b| b.contains("following up"))
    })
    .await;
    assert_eq!(emu.sent_messages().len(), 1, "SignalWire got exactly one text");
    emu.receive_message("+12025550143", SW_NUMBER, "Sounds good, call me at 3");
    eventually(&desktop, &c, "Ann's reply arrives live in the same thread", || async {
        let b = bubble_texts(&c).await;
        b.len() == 2 && b[0].contains("following up") && b[1].contains("call me at 3")
    })
    .await;
    desktop.screenshot(&c, "08b-texting").await;
    desktop.quit(c).await;

    // --- a damaged database file: a blocking dialog, and the file is left byte for byte ---
    let junk = desktop.dir().join("damaged.db");
    let bytes: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&junk, &bytes).expect("write junk database");
    let c = desktop.launch_with_args(&["--db", junk.to_str().expect("utf-8 path")]).await;
    let dialog = text(&c, "startup-error").await;
    assert!(dialog.contains("damaged"), "the dialog names the problem: {dialog}");
    assert!(dialog.contains("left untouched"), "the dialog says the file was not changed: {dialog}");
    assert!(c.find(tid("nav-leads")).await.is_err(), "no navigation behind the dialog");
    desktop.screenshot(&c, "09-damaged-database").await;
    desktop.quit(c).await;
    assert_eq!(std::fs::read(&junk).expect("junk readable"), bytes, "the damaged file is untouched");
}
