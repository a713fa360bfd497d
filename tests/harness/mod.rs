//! A private desktop for end-to-end tests: Xvfb, a D-Bus session with an unlocked throwaway
//! gnome-keyring, and tauri-driver, all started here and stopped on drop. Children get their
//! environment explicitly (the test process's own environment is never modified).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator, key::Key};

pub struct Desktop {
    dir: tempfile::TempDir,
    artifacts: PathBuf,
    env: Vec<(String, String)>,
    xvfb: Child,
    dbus: Child,
    driver: Option<Child>,
    driver_port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn need(program: &str, package: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(found, "{program} is missing: install the Debian package {package} (scripts/setup.sh does)");
}

fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} was not ready within {timeout:?}");
}

fn terminate(child: &mut Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Desktop {
    /// Starts Xvfb, the session bus and the keyring, with extra environment for the app (e.g. the
    /// SignalWire emulator's URL); `name` names the artifacts folder.
    pub fn start_with(name: &str, extra_env: &[(&str, &str)]) -> Desktop {
        need("Xvfb", "xvfb");
        need("xdpyinfo", "x11-utils");
        need("dbus-daemon", "dbus");
        need("gnome-keyring-daemon", "gnome-keyring");
        need("WebKitWebDriver", "webkit2gtk-driver");
        need("tauri-driver", "tauri-driver (cargo install tauri-driver --locked)");

        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = dir.path().join("run");
        for sub in ["run", "data", "config", "home"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("xdg dir");
        }
        let _ = Command::new("chmod").arg("700").arg(&runtime).status();
        let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts").join(name);
        std::fs::create_dir_all(&artifacts).expect("artifacts dir");

        // A free X display: the lowest :N from 90 without a socket or lock file.
        let display = (90..200)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .expect("a free X display number");
        let display = format!(":{display}");
        let xvfb = Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        wait_until("Xvfb", Duration::from_secs(10), || {
            Command::new("xdpyinfo")
                .args(["-display", &display])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        });

        let mut env: Vec<(String, String)> = vec![
            ("DISPLAY".into(), display),
            ("XDG_RUNTIME_DIR".into(), runtime.display().to_string()),
            ("XDG_DATA_HOME".into(), dir.path().join("data").display().to_string()),
            ("XDG_CONFIG_HOME".into(), dir.path().join("config").display().to_string()),
            ("HOME".into(), dir.path().join("home").display().to_string()),
            ("RINGDESK_DB".into(), dir.path().join("ringdesk.db").display().to_string()),
            // The debug build's file dialogs answer with this file's content (see answer_file_dialogs).
            ("RINGDESK_TEST_FILE_DIALOG".into(), dir.path().join("file-dialog-answer").display().to_string()),
        ];
        env.extend(extra_env.iter().map(|(k, v)| (k.to_string(), v.to_string())));

        let address_file = dir.path().join("bus-address");
        let dbus = Command::new("sh")
            .args([
                "-c",
                &format!("exec dbus-daemon --session --nofork --print-address=1 > '{}'", address_file.display()),
            ])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .spawn()
            .expect("dbus-daemon starts");
        wait_until("the session bus", Duration::from_secs(10), || {
            std::fs::read_to_string(&address_file).map(|s| s.contains("unix:")).unwrap_or(false)
        });
        let address = std::fs::read_to_string(&address_file).expect("bus address").trim().to_string();
        env.push(("DBUS_SESSION_BUS_ADDRESS".into(), address));

        let unlocked = Command::new("sh")
            .args(["-c", "echo '' | gnome-keyring-daemon --unlock --components=secrets >/dev/null"])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .status()
            .expect("gnome-keyring-daemon runs");
        assert!(unlocked.success(), "gnome-keyring unlocked");

        let mut desktop = Desktop { dir, artifacts, env, xvfb, dbus, driver: None, driver_port: 0 };
        eprintln!("e2e: desktop up");
        desktop.start_driver();
        eprintln!("e2e: driver up");
        desktop
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The environment of each WebKit web process this desktop's app started (found by the
    /// app's database path, which they inherit), as `KEY=value` entries.
    pub fn web_process_environments(&self) -> Vec<Vec<String>> {
        let db = format!("RINGDESK_DB={}", self.dir.path().join("ringdesk.db").display());
        let mut out = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            if !comm.starts_with("WebKitWebProces") {
                continue;
            }
            let Ok(raw) = std::fs::read(entry.path().join("environ")) else { continue };
            let vars: Vec<String> = raw.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect();
            if vars.contains(&db) {
                out.push(vars);
            }
        }
        out
    }

    /// What the app's next file dialogs answer, as if the agent chose `path` in them (WebDriver
    /// cannot reach a native GTK dialog; src-tauri/files.rs reads this in debug builds only).
    pub fn answer_file_dialogs(&self, path: &Path) {
        std::fs::write(self.dir.path().join("file-dialog-answer"), path.display().to_string())
            .expect("dialog answer written");
    }

    /// The desktop's session bus (for a notification server the app's notifications go to).
    pub fn bus_address(&self) -> String {
        self.env.iter().find(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS").map(|(_, v)| v.clone()).expect("a session bus")
    }

    /// A command that runs inside this desktop (its display, session bus and XDG folders), such
    /// as `gio open tel:...` as a click in another application would.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// Kills the app started with `marker` among its arguments with SIGKILL, as a crash would,
    /// and waits until it is gone.
    pub fn kill_app(&self, marker: &str) {
        let pattern = format!("{}.*{marker}", env!("CARGO_BIN_EXE_ringdesk"));
        let killed =
            Command::new("pkill").args(["-KILL", "-f", &pattern]).status().map(|s| s.success()).unwrap_or(false);
        assert!(killed, "the app ({pattern}) was running and was killed");
        wait_until("the killed app to exit", Duration::from_secs(10), || {
            !Command::new("pgrep")
                .args(["-f", &pattern])
                .stdout(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        });
    }

    fn start_driver(&mut self) {
        let port = free_port();
        let native = free_port();
        let log = std::fs::File::create(self.artifacts.join("tauri-driver.log")).expect("driver log");
        let child = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("tauri-driver starts");
        wait_until("tauri-driver", Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        self.driver = Some(child);
        self.driver_port = port;
    }

    /// Launches the app (the real binary) in a new WebDriver session.
    pub async fn launch(&self) -> Client {
        self.launch_with_args(&[]).await
    }

    /// Launches the app with command-line arguments.
    pub async fn launch_with_args(&self, args: &[&str]) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": env!("CARGO_BIN_EXE_ringdesk"), "args": args }),
        );
        let url = format!("http://127.0.0.1:{}", self.driver_port);
        eprintln!("e2e: connecting to {url}");
        let mut last = None;
        for _ in 0..40 {
            match ClientBuilder::native().capabilities(caps.clone()).connect(&url).await {
                Ok(c) => return c,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("could not start a WebDriver session with the app: {last:?}");
    }

    pub async fn quit(&self, c: Client) {
        c.close().await.expect("the session ends and the app closes");
    }

    /// The last `lines` lines of what tauri-driver, WebKitWebDriver and the app printed, for a
    /// failure's message (a later run of the same test overwrites the file).
    pub fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(self.artifacts.join("tauri-driver.log")).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// A screenshot of the app as the X server shows it. (WebDriver's own screenshot hangs in
    /// WebKitWebDriver when accelerated compositing is off, which is how Ringdesk runs.)
    pub async fn screenshot(&self, _c: &Client, name: &str) {
        self.root_screenshot(name);
    }

    /// A screenshot of the whole X screen (the real window as the X server draws it).
    pub fn root_screenshot(&self, name: &str) {
        let out = self.artifacts.join(format!("{name}.png"));
        let ok = Command::new("import")
            .args(["-window", "root"])
            .arg(&out)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "import -window root took a screenshot");
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        if let Some(d) = self.driver.as_mut() {
            terminate(d); // SIGTERM: only then does tauri-driver stop WebKitWebDriver
        }
        terminate(&mut self.dbus);
        terminate(&mut self.xvfb);
    }
}

// --- steps shared by the end-to-end tests and the window benchmark ---

pub fn tid(id: &str) -> Locator<'_> {
    Locator::Css(Box::leak(format!("[data-testid=\"{id}\"]").into_boxed_str()))
}

/// The element with this test id, waiting up to 15 s for it; fails the test naming it.
pub async fn element(c: &Client, id: &str) -> Element {
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(tid(id))
        .await
        .unwrap_or_else(|e| panic!("element {id} did not appear: {e}"))
}

pub async fn text(c: &Client, id: &str) -> String {
    eprintln!("e2e: text of {id}");
    element(c, id).await.text().await.unwrap_or_else(|e| panic!("text of {id}: {e}"))
}

/// The element with this test id once it has stopped moving: WebDriver clicks at the point where
/// the element was, and a page still laying out what just loaded (a list of numbers above it, a
/// lookup's answer) can move it away in between, so the click lands on something else.
async fn settled(c: &Client, id: &str) -> Element {
    let mut last = None;
    let mut still_for = 0;
    for _ in 0..60 {
        let el = element(c, id).await;
        let rect = el.rectangle().await.ok();
        if rect.is_some() && rect == last {
            still_for += 1;
            if still_for == 2 {
                return el;
            }
        } else {
            still_for = 0;
        }
        last = rect;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    element(c, id).await
}

pub async fn click(c: &Client, id: &str) {
    eprintln!("e2e: click {id}");
    let el = settled(c, id).await;
    if el.click().await.is_ok() {
        return;
    }
    // Covered, most likely by a toast: dismiss them as a person would, then click again.
    for toast in c.find_all(Locator::Css("[data-testid=toast] button[aria-label=Dismiss]")).await.unwrap_or_default() {
        let _ = toast.click().await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.find(tid(id))
        .await
        .unwrap_or_else(|e| panic!("element {id} is gone: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {id}: {e}"));
}

pub async fn type_into(c: &Client, id: &str, value: &str) {
    let el = element(c, id).await;
    // Emptied with the keyboard only, as a person would: WebDriver's clear() sets the DOM value
    // behind React's back, and React's next render puts the old value back before what is typed.
    let select_all = format!("{}a{}{}", Key::Control, Key::Null, Key::Backspace);
    el.send_keys(&select_all).await.unwrap_or_else(|e| panic!("empty {id}: {e}"));
    el.send_keys(value).await.unwrap_or_else(|e| panic!("type into {id}: {e}"));
}

/// Polls until `f` is true, or saves a screenshot named after `what` and fails the test.
pub async fn eventually<F, Fut>(desktop: &Desktop, c: &Client, what: &str, mut f: F)
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
    panic!("timed out waiting until {what}; the last lines of the app's log:\n{}", desktop.log_tail(40));
}

/// Runs `f` on the app's database from a second `App` (as another reader or writer would), on a
/// plain thread: an `App` owns runtimes, which must not be dropped inside the test's async task.
pub fn with_db<T: Send + 'static>(db: &Path, f: impl FnOnce(&ringdesk_app::App) -> T + Send + 'static) -> T {
    let db = db.to_path_buf();
    std::thread::spawn(move || {
        let app =
            ringdesk_app::App::open(&db, std::sync::Arc::new(ringdesk_app::keychain::MemorySecretStore::default()))
                .expect("the database opens beside the running app");
        f(&app)
    })
    .join()
    .expect("the database work finished")
}

/// Whether an element with this test id is on screen now.
pub async fn shown(c: &Client, id: &str) -> bool {
    c.find(tid(id)).await.is_ok()
}

/// Whether the sidebar shows the phone line as registered.
pub async fn phone_ready(c: &Client) -> bool {
    match c.find(tid("phone-status")).await {
        Ok(status) => status.attr("data-state").await.ok().flatten().as_deref() == Some("ready"),
        Err(_) => false,
    }
}

/// Types the SIP password in Settings and saves it (to the keychain).
pub async fn save_sip_password(c: &Client, password: &str) {
    click(c, "nav-settings").await;
    type_into(c, "settings-sip-password", password).await;
    click(c, "settings-sip-save").await;
    element(c, "settings-sip-saved").await;
}

/// The database as the agent left it before a call test: Ann Archer of Acme Rockets at
/// (312) 555-0142, and the SIP line `alice` at `registrar` over UDP with the softphone as the
/// default route, plus `more` settings. The SIP password goes in through the window.
pub fn seed_ann_and_sip_line(db: &Path, registrar: String, more: ringdesk_app::ipc::SettingsUpdate) {
    with_db(db, move |seed| {
        use ringdesk_app::ipc::{CallRoute, LeadPatch, SettingsUpdate, SipTransport};
        seed.create_lead(&LeadPatch {
            name: Some("Ann Archer".into()),
            company: Some("Acme Rockets".into()),
            phone: Some("(312) 555-0142".into()),
            ..LeadPatch::default()
        })
        .expect("Ann");
        seed.update_settings(&SettingsUpdate {
            sip_registrar: Some(registrar),
            sip_username: Some("alice".into()),
            sip_transport: Some(SipTransport::Udp),
            default_route: Some(CallRoute::Softphone),
            ..more
        })
        .expect("settings");
    });
}
