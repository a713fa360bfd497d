//! `ringdesk-cli` end to end: the real binary on a temporary database.

use std::process::{Command, Output};

fn cli(db: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ringdesk-cli")).arg("--db").arg(db).args(args).output().expect("ringdesk-cli runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn import_search_lists_and_export_work_from_the_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("r.db");
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "name,phone,email,company\nAnn Archer,(202) 555-0143,ann@acme.com,Acme\nBob,nope,,\n")
        .expect("write csv");

    let o = cli(&db, &["--json", "leads", "import", csv.to_str().expect("utf8 path"), "--list", "Spring"]);
    assert!(o.status.success(), "import succeeds: {}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(report["created"], 1, "one lead created: {report}");
    assert_eq!(report["invalid"][0]["line"], 3, "Bob's row is reported with its line: {report}");

    let o = cli(&db, &["--json", "leads", "search", "0143"]);
    assert!(o.status.success(), "search succeeds: {}", stderr(&o));
    let page: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json page");
    assert_eq!(page["rows"][0]["name"], "Ann Archer", "found by phone digits: {page}");
    assert_eq!(page["rows"][0]["phoneDisplay"], "(202) 555-0143", "display format: {page}");

    let o = cli(&db, &["lists"]);
    assert!(stdout(&o).contains("1  Spring"), "lists show member counts: {}", stdout(&o));

    let o = cli(&db, &["leads", "export", "--list", "Spring"]);
    assert!(o.status.success(), "export succeeds: {}", stderr(&o));
    assert!(stdout(&o).contains("Ann Archer,ann@acme.com,+12025550143,Acme"), "CSV on stdout: {}", stdout(&o));
}

#[test]
fn errors_are_clear_and_exit_non_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("r.db");
    let o = cli(&db, &["leads", "import", "/nonexistent/file.csv"]);
    assert_eq!(o.status.code(), Some(1), "missing file is an i/o failure");
    assert!(stderr(&o).starts_with("error[io]: Could not open /nonexistent/file.csv"), "message: {}", stderr(&o));

    let o = cli(&db, &["--json", "lookup", "tel:+1-202-555-01x3"]);
    assert_eq!(o.status.code(), Some(2), "a malformed link is bad input");
    let err: serde_json::Value = serde_json::from_slice(&o.stderr).expect("json error");
    assert_eq!(err["code"], "invalidInput", "typed code: {err}");
    assert!(err["message"].as_str().is_some_and(|m| m.contains("'x'")), "message names the character: {err}");

    let o = cli(&db, &["leads", "search", "x", "--list", "Nope"]);
    assert_eq!(o.status.code(), Some(2), "unknown list");
    assert!(stderr(&o).contains("no list named \"Nope\""), "message: {}", stderr(&o));

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 4096]).expect("junk");
    let o = cli(&junk, &["lists"]);
    assert_eq!(o.status.code(), Some(3), "an unreadable database has its own exit code");
    assert!(stderr(&o).contains("left untouched"), "message: {}", stderr(&o));
}

const PROJECT: &str = "3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60789";

/// What the CLI's SignalWire tests run in: the emulator (owning +12175550100), a D-Bus session
/// with an unlocked keyring, and a database in a temp dir. Bind `_rt` first: fields bound later
/// are dropped earlier, and the emulator runs on it.
struct SignalWireCli {
    _rt: tokio::runtime::Runtime,
    emu: ringdesk_testkit::signalwire::SignalWireEmulator,
    session: ringdesk_testkit::dbus::DbusSession,
    dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl SignalWireCli {
    fn start() -> Self {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let emu = rt
            .block_on(ringdesk_testkit::signalwire::SignalWireEmulator::start(PROJECT, "PTcli-token"))
            .expect("emulator");
        emu.own_number("+12175550100");
        let session =
            ringdesk_testkit::dbus::DbusSession::start().and_then(|s| s.with_keyring()).expect("keyring session");
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("r.db");
        SignalWireCli { _rt: rt, emu, session, dir, db }
    }
}

/// Runs the CLI on `db` inside `session` (its keyring), against SignalWire at `origin`.
fn cli_in(
    session: &ringdesk_testkit::dbus::DbusSession,
    origin: &str,
    db: &std::path::Path,
    args: &[&str],
    stdin: &str,
) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ringdesk-cli"))
        .envs(session.env())
        .env("RINGDESK_SIGNALWIRE_URL", origin)
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ringdesk-cli runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
    child.wait_with_output().expect("finishes")
}

#[test]
fn texts_and_numbers_from_the_terminal_with_the_token_in_the_keychain() {
    let SignalWireCli { _rt, emu, session, dir: _dir, db } = SignalWireCli::start();
    let origin = emu.origin();
    let run = |args: &[&str], stdin: &str| cli_in(&session, &origin, &db, args, stdin);

    let o = run(&["sms", "send", "--to", "+13125550142", "--body", "hi"], "");
    assert_eq!(o.status.code(), Some(2), "not set up yet is a usage error: {}", stderr(&o));
    assert!(stderr(&o).contains("Settings"), "says what to set up: {}", stderr(&o));

    let o = run(&["settings", "set", "--signalwire-space", "example", "--signalwire-project-id", PROJECT], "");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["secret", "set", "signalwire-api-token"], "PTcli-token\n");
    assert!(o.status.success(), "the token goes to the keychain from stdin: {}", stderr(&o));
    let o = run(&["settings", "show"], "");
    assert!(stdout(&o).contains("api token         set"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("PTcli-token"), "the token is never printed");

    let o = run(&["--json", "sms", "send", "--to", "(312) 555-0142"], "Hello from the terminal\n");
    assert!(o.status.success(), "sent: {}", stderr(&o));
    let sent: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(sent["status"], "queued", "{sent}");
    assert_eq!(emu.sent_messages().len(), 1, "exactly one message");

    emu.receive_message("+13125550142", "+12175550100", "Thanks, got it");
    let o = run(&["sms", "sync"], "");
    assert!(stdout(&o).contains("received 1"), "{} {}", stdout(&o), stderr(&o));
    let o = run(&["sms", "list", "--contact", "+13125550142"], "");
    let text = stdout(&o);
    assert!(text.contains("→") && text.contains("←") && text.contains("Thanks, got it"), "both directions: {text}");

    let o = run(&["numbers", "search", "--area-code", "415"], "");
    assert!(stdout(&o).contains("10 numbers for sale"), "{}", stdout(&o));
    let o = run(&["numbers", "buy", "+14155550105"], "");
    assert_eq!(o.status.code(), Some(2), "buying needs --yes: {}", stderr(&o));
    assert!(stderr(&o).contains("monthly"), "{}", stderr(&o));
    let o = run(&["numbers", "buy", "+14155550105", "--yes"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(emu.owned_numbers().contains(&"+14155550105".to_string()));
}

#[test]
fn listening_stores_each_text_once_through_a_relay_cut_and_notifies_the_desktop() {
    use std::io::BufRead as _;
    let SignalWireCli { _rt, emu, session, dir, db } = SignalWireCli::start();
    let desktop =
        ringdesk_testkit::notifications::NotificationServer::start(session.address()).expect("notification server");
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "name,phone,company\nAnn Archer,(312) 555-0142,Acme\n").expect("csv");
    let origin = emu.origin();
    let run = |args: &[&str], stdin: &str| cli_in(&session, &origin, &db, args, stdin);
    assert!(run(&["leads", "import", csv.to_str().expect("utf8")], "").status.success());
    assert!(
        run(&["settings", "set", "--signalwire-space", "example", "--signalwire-project-id", PROJECT], "")
            .status
            .success()
    );
    assert!(run(&["secret", "set", "signalwire-api-token"], "PTcli-token").status.success());

    let mut listener = Command::new(env!("CARGO_BIN_EXE_ringdesk-cli"))
        .envs(session.env())
        .env("RINGDESK_SIGNALWIRE_URL", &origin)
        .arg("--db")
        .arg(&db)
        .args(["sms", "listen", "--seconds", "12"])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("listener runs");
    let (lines_tx, lines) = std::sync::mpsc::channel::<serde_json::Value>();
    let stdout = listener.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line) {
                let _ = lines_tx.send(v);
            }
        }
    });
    let stderr_pipe = listener.stderr.take().expect("stderr");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        for line in std::io::BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
            eprintln!("listener: {line}");
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let wait = |what: &str, pred: &dyn Fn(&serde_json::Value) -> bool| -> serde_json::Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(8);
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match lines.recv_timeout(left) {
                Ok(v) if pred(&v) => return v,
                Ok(v) => seen.push(v),
                Err(_) => panic!("no {what} from the listener; it said {seen:?}"),
            }
        }
    };
    wait("connection", &|v| v["kind"] == "connection" && v["online"] == true);

    // One text from a lead: stored, announced, and a desktop notification with the lead's name.
    let sent_at = std::time::Instant::now();
    emu.receive_message("+13125550142", "+12175550100", "Can we talk at 3?");
    let got = wait("the text", &|v| v["kind"] == "smsReceived");
    assert_eq!(got["leadName"], "Ann Archer", "{got}");
    let shown = desktop.wait_for(1, std::time::Duration::from_secs(5));
    assert_eq!(shown.len(), 1, "one notification: {shown:?}");
    assert!(shown[0].summary.contains("Ann Archer"), "titled with the lead: {:?}", shown[0]);
    assert_eq!(shown[0].body, "Can we talk at 3?");
    assert_eq!(shown[0].app_name, "Ringdesk");
    assert!(shown[0].actions.contains(&"default".to_string()), "clickable: {:?}", shown[0].actions);
    eprintln!("RELAY event to desktop notification: {:?}", shown[0].at.duration_since(sent_at));
    // The agent clicks a moment later (the listener subscribes to clicks once it has shown it).
    std::thread::sleep(std::time::Duration::from_millis(500));
    desktop.click(shown[0].id, "default").expect("click");
    let open = wait("open conversation", &|v| v["kind"] == "openConversation");
    assert_eq!(open["contactNumber"], "+13125550142", "clicking opens that conversation: {open}");

    // A burst cut in the middle: every text stored exactly once after the reconnect and catch-up.
    for i in 0..10 {
        emu.receive_message("+14155550123", "+12175550100", &format!("burst {i}"));
    }
    emu.relay_cut();
    for i in 10..20 {
        emu.receive_message("+14155550123", "+12175550100", &format!("burst {i}"));
    }
    emu.relay_forget_sessions();
    let mut burst = std::collections::HashSet::new();
    while burst.len() < 20 {
        let v = wait("all 20 texts", &|v| v["kind"] == "smsReceived");
        assert!(burst.insert(v["message"]["body"].as_str().unwrap_or_default().to_string()), "announced twice: {v}");
    }
    let status = listener.wait().expect("listener ends");
    let errors = errors.join().unwrap_or_default();
    assert!(status.success(), "{errors}");
    let o = run(&["--json", "sms", "list", "--contact", "+14155550123", "--limit", "100"], "");
    let page: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let bodies: Vec<&str> =
        page["messages"].as_array().expect("messages").iter().filter_map(|m| m["body"].as_str()).collect();
    assert_eq!(bodies.len(), 20, "each of the 20 texts stored exactly once: {bodies:?}");
}

#[test]
fn the_backend_is_migrated_signed_into_and_synced_from_the_terminal() {
    use ringdesk_testkit::postgres::PgCluster;
    use ringdesk_testkit::supabase::SupabaseFront;
    const AGENT: &str = "0190a000-0000-7000-8000-00000000000a";
    let cluster = PgCluster::start().expect("a throwaway PostgreSQL");
    let db = cluster.create_database("cli", None).expect("db");
    let admin = cluster.url(&db, "postgres");
    let dir = tempfile::tempdir().expect("temp dir");
    let local = dir.path().join("r.db");

    let o = cli(&local, &["backend", "migrate", "--url", &admin]);
    assert!(o.status.success(), "migrate: {}", stderr(&o));
    assert!(stdout(&o).contains("0003_sync"), "names what it applied: {}", stdout(&o));
    let o = cli(&local, &["backend", "migrate", "--url", &admin]);
    assert!(stdout(&o).contains("up to date"), "idempotent: {}", stdout(&o));

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let front = rt.block_on(SupabaseFront::start(&admin, "anon-key")).expect("front");
    front.add_user("ann@example.com", "right-pw", AGENT);
    cluster
        .psql(&db, &format!("insert into crm_leads(user_id, name, status) values ('{AGENT}', 'From the web', 'new')"))
        .expect("web lead");

    let session = ringdesk_testkit::dbus::DbusSession::start().and_then(|s| s.with_keyring()).expect("keyring session");
    let run = |args: &[&str], stdin: &str| cli_in(&session, "http://127.0.0.1:9", &local, args, stdin);
    let o = run(&["sync"], "");
    assert_eq!(o.status.code(), Some(2), "not configured yet: {}", stderr(&o));
    assert!(stderr(&o).contains("Set the backend in Settings"), "says what to do: {}", stderr(&o));
    let o = run(&["settings", "set", "--backend-url", &front.url()], "");
    assert!(o.status.success(), "backend url: {}", stderr(&o));
    let o = run(&["secret", "set", "backend-key"], "anon-key\n");
    assert!(o.status.success(), "key: {}", stderr(&o));
    let o = run(&["backend", "sign-in", "--email", "ann@example.com"], "wrong\n");
    assert!(!o.status.success(), "a wrong password fails");
    assert!(stderr(&o).contains("Invalid login credentials"), "says why: {}", stderr(&o));
    let o = run(&["backend", "sign-in", "--email", "ann@example.com"], "right-pw\n");
    assert!(stdout(&o).contains("signed in as ann@example.com"), "signed in: {} {}", stdout(&o), stderr(&o));

    let o = run(&["--json", "sync"], "");
    assert!(o.status.success(), "sync: {}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(report["pulled"], 1.0, "the web lead arrived: {report}");
    let o = run(&["leads", "search", "web"], "");
    assert!(stdout(&o).contains("From the web"), "stored locally: {}", stdout(&o));
    let o = run(&["sync", "status"], "");
    assert!(stdout(&o).contains("0 pending"), "status: {}", stdout(&o));
    let o = run(&["settings", "show"], "");
    assert!(stdout(&o).contains("signed in as ann@example.com"), "settings: {}", stdout(&o));
    assert!(!stdout(&o).contains("anon-key"), "no secret printed: {}", stdout(&o));
    let o = run(&["backend", "sign-out"], "");
    assert!(stdout(&o).contains("signed out"), "{}", stdout(&o));
}

#[test]
fn a_call_is_wrapped_up_and_its_follow_up_done_from_the_terminal() {
    use ringdesk_store::calls::{self, CallChange, NewCall};
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("r.db");
    let call = {
        let store = ringdesk_store::Store::open(&db).expect("store");
        let started = ringdesk_store::format_ts(chrono::Utc::now() - chrono::Duration::minutes(3));
        store
            .write(|w| {
                let id = calls::insert(
                    w,
                    &NewCall {
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
                        ended_at: Some(started.clone()),
                        duration_seconds: Some(95),
                        ..CallChange::default()
                    },
                )?;
                Ok::<_, ringdesk_store::StoreError>(id)
            })
            .expect("a logged call")
    };
    let o = cli(&db, &["history"]);
    assert!(
        stdout(&o).contains("(to wrap up)") && stdout(&o).contains("1:35"),
        "awaiting, with duration: {}",
        stdout(&o)
    );

    let o = cli(&db, &["dispose", &call, "interested", "--next", "call-back"]);
    assert_eq!(o.status.code(), Some(2), "a next action needs a time");
    assert!(stderr(&o).contains("Pick when to follow up"), "says so: {}", stderr(&o));
    let soon = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let o = cli(
        &db,
        &["dispose", &call, "interested", "--notes", "Send pricing", "--next", "call-back", "--follow-up", &soon],
    );
    assert!(o.status.success(), "disposed: {}", stderr(&o));
    let o = cli(&db, &["--json", "history", "--disposition", "interested"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(rows[0]["notes"], "Send pricing", "history has the note: {rows}");
    let o = cli(&db, &["--json", "followups"]);
    let f: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let all: Vec<&serde_json::Value> =
        f["today"].as_array().into_iter().chain(f["upcoming"].as_array()).flatten().collect();
    assert_eq!(all.len(), 1, "one follow-up: {f}");
    let id = all[0]["id"].as_str().expect("id").to_string();
    let o = cli(&db, &["followups", "done", &id]);
    assert!(o.status.success(), "done: {}", stderr(&o));
    assert!(stdout(&o).contains("today (0)") && stdout(&o).contains("upcoming (0)"), "list empty: {}", stdout(&o));

    // The analytics count the call by its wrap-up, and an empty range is zeros, not an error.
    let o = cli(&db, &["--json", "analytics"]);
    assert!(o.status.success(), "analytics: {}", stderr(&o));
    let a: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        (a["calls"].as_u64(), a["outcomes"]["answered"].as_u64(), a["rates"]["answered"].as_f64()),
        (Some(1), Some(1), Some(100.0)),
        "the interested call counts as answered: {a}"
    );
    assert_eq!(
        (a["byAgent"][0]["dials"].as_u64(), a["byAgent"][0]["dispositions"][0]["disposition"].as_str()),
        (Some(1), Some("interested")),
        "the agent's row: {a}"
    );
    let o = cli(&db, &["analytics"]);
    assert!(
        stdout(&o).contains("agent ") && stdout(&o).contains("1 dials"),
        "the text lists the agent: {}",
        stdout(&o)
    );
    let o = cli(&db, &["--json", "analytics", "--from", "2000-01-01", "--to", "2000-01-02"]);
    let a: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(a["calls"].as_u64(), Some(0), "nothing in 2000: {a}");
    let o = cli(&db, &["analytics", "--from", "last tuesday"]);
    assert_eq!(o.status.code(), Some(2), "a bad date is refused");
    assert!(stderr(&o).contains("neither a day"), "and says why: {}", stderr(&o));
}

#[test]
fn a_follow_up_that_falls_due_raises_one_desktop_notification() {
    use ringdesk_store::calls::{self, Disposition, NewCall};
    let session = ringdesk_testkit::dbus::DbusSession::start().and_then(|s| s.with_keyring()).expect("session");
    let desktop =
        ringdesk_testkit::notifications::NotificationServer::start(session.address()).expect("notification server");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("r.db");
    {
        let store = ringdesk_store::Store::open(&db).expect("store");
        store
            .write(|w| {
                let lead = ringdesk_store::leads::insert(
                    w,
                    &ringdesk_store::leads::NewLead { name: "Dora Diaz".into(), ..Default::default() },
                )?;
                let call = calls::insert(
                    w,
                    &NewCall {
                        lead_id: Some(lead.id),
                        route: "softphone".into(),
                        contact_number: "+12025550143".into(),
                        direction: "outbound".into(),
                        started_at: "2026-11-28T10:00:00.000Z".into(),
                        ..NewCall::default()
                    },
                )?;
                // Due two seconds from now: it falls due while the reminders run.
                let due = ringdesk_store::format_ts(chrono::Utc::now() + chrono::Duration::seconds(2));
                calls::dispose(
                    w,
                    &Disposition {
                        call_log_id: &call,
                        disposition_type: "callback_requested",
                        notes: Some("Asked to call after lunch"),
                        next_action: Some("call_back"),
                        follow_up_date: Some(&due),
                        ..Disposition::default()
                    },
                )
            })
            .expect("a follow-up");
    }
    let run = |secs: &str| cli_in(&session, "http://127.0.0.1:9", &db, &["followups", "watch", "--seconds", secs], "");
    let o = run("5");
    assert!(o.status.success(), "watch: {}", stderr(&o));
    let shown = desktop.wait_for(1, std::time::Duration::from_secs(5));
    assert_eq!(shown.len(), 1, "one notification: {shown:?}");
    assert_eq!(shown[0].summary, "Follow-up due: call back — Dora Diaz", "names the lead and the action");
    assert!(shown[0].body.contains("after lunch"), "with the note: {:?}", shown[0]);
    assert!(stdout(&o).contains("\"overdue\":1"), "the overdue count for the badge: {}", stdout(&o));
    let o = run("2");
    assert!(o.status.success(), "watch again: {}", stderr(&o));
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(desktop.shown().len(), 1, "not announced twice, also across restarts");
}

/// Imports `csv` (a header and one lead) through the CLI; the id of the lead `search` finds.
fn import_one_lead(
    run: &dyn Fn(&[&str], &str) -> std::process::Output,
    dir: &std::path::Path,
    csv: &str,
    search: &str,
) -> String {
    let file = dir.join("leads.csv");
    std::fs::write(&file, csv).expect("csv");
    assert!(run(&["leads", "import", file.to_str().expect("utf-8")], "").status.success(), "imported");
    let o = run(&["--json", "leads", "search", search], "");
    let found: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    found["rows"][0]["id"].as_str().expect("the lead's id").to_string()
}

/// Enters the emulator's SignalWire project and token through the CLI.
fn set_up_signalwire(run: &dyn Fn(&[&str], &str) -> std::process::Output) {
    assert!(
        run(&["settings", "set", "--signalwire-space", "example", "--signalwire-project-id", PROJECT], "")
            .status
            .success()
    );
    assert!(run(&["secret", "set", "signalwire-api-token"], "PTcli-token\n").status.success());
}

#[test]
fn a_lead_is_called_over_the_bridge_route_from_the_terminal_and_found_in_the_history() {
    let SignalWireCli { _rt, emu, session, dir, db } = SignalWireCli::start();
    let origin = emu.origin();
    let run = |args: &[&str], stdin: &str| cli_in(&session, &origin, &db, args, stdin);
    let lead =
        import_one_lead(&run, dir.path(), "name,company,phone\nAnn Archer,Acme Rockets,(312) 555-0142\n", "archer");

    let o = run(&["call", &lead, "--route", "bridge"], "");
    assert_eq!(o.status.code(), Some(2), "SignalWire is not set up yet: {}", stderr(&o));
    assert!(stderr(&o).contains("Settings"), "says what to set up: {}", stderr(&o));
    set_up_signalwire(&run);
    let o = run(&["call", &lead, "--route", "bridge"], "");
    assert_eq!(o.status.code(), Some(2), "no agent phone yet: {}", stderr(&o));
    assert!(stderr(&o).contains("your own phone"), "says which phone is missing: {}", stderr(&o));
    let o = run(&["settings", "set", "--default-route", "bridge", "--agent-phone", "+1 617 555 0199"], "");
    assert!(o.status.success(), "{}", stderr(&o));

    let o = run(&["--json", "call", &lead, "--hang-up-after", "1", "--timeout", "30"], "");
    assert!(o.status.success(), "called: {}", stderr(&o));
    let states: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).expect("a JSON line per state")).collect();
    let names: Vec<&str> = states.iter().filter_map(|s| s["state"].as_str()).collect();
    assert_eq!(names.first(), Some(&"queued"), "{names:?}");
    assert!(names.contains(&"in-progress") && names.last() == Some(&"completed"), "followed to its end: {names:?}");
    let calls = emu.calls();
    assert_eq!(calls.len(), 1, "one call placed");
    assert_eq!(calls[0].2, "+16175550199", "the agent's phone rings first");

    let o = run(&["--json", "history", "--route", "bridge", "--text", "acme"], "");
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "the call, found by the lead's company: {rows}");
    assert_eq!(rows[0]["id"], states[0]["callLogId"], "the same call");
    assert_eq!(rows[0]["leadName"], "Ann Archer");
}

#[test]
fn a_bridge_call_still_queued_after_the_hang_up_is_asked_about_with_pauses_and_given_up_with_a_reason() {
    let SignalWireCli { _rt, emu, session, dir, db } = SignalWireCli::start();
    let origin = emu.origin();
    let run = |args: &[&str], stdin: &str| cli_in(&session, &origin, &db, args, stdin);
    let lead = import_one_lead(&run, dir.path(), "name,phone\nStuck Call,(312) 555-0143\n", "stuck");
    set_up_signalwire(&run);
    let o = run(&["settings", "set", "--default-route", "bridge", "--agent-phone", "+1 617 555 0199"], "");
    assert!(o.status.success(), "{}", stderr(&o));

    // The provider keeps answering `queued`, hang-ups included.
    emu.calls_stay_queued();
    let started = std::time::Instant::now();
    let o = run(&["call", &lead, "--timeout", "1"], "");
    let took = started.elapsed();
    assert!(!o.status.success(), "the call is not reported as done: {}", stdout(&o));
    assert!(
        stderr(&o).contains("still reports it as queued") && stderr(&o).contains("stopped asking"),
        "says what happened: {}",
        stderr(&o)
    );
    assert!(took < std::time::Duration::from_secs(40), "gave up within its bound: {took:?}");
    // One create and at most three hang-ups (POST Calls/{sid}), with status polls in between,
    // not a loop (192 hang-up/status pairs in 19 s before).
    let posts_and_polls = emu.requests_to("Calls");
    assert!(posts_and_polls <= 15, "a bounded number of requests, with pauses: {posts_and_polls}");
}

/// `serve --stdio`, as the UI tests drive it: JSON lines in, answers (by id) and events out.
#[test]
fn serve_answers_the_window_commands_as_json_lines_and_pushes_events() {
    use std::io::{BufRead, BufReader, Write};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ringdesk-cli"))
        .arg("--db")
        .arg(dir.path().join("r.db"))
        .args(["serve", "--stdio", "--memory-secrets"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "Name,Phone\nAnn Lee,(212) 555-0123\n").expect("csv");
    let requests = [
        serde_json::json!({"id": 1, "cmd": "create_lead", "args": {"fields": {"name": "Bo", "phone": "415-555-0100"}}}),
        serde_json::json!({"id": 2, "cmd": "import_leads", "args": {"request": {"path": csv, "mapping": ["name", "phone"], "target": {"kind": "none"}}}}),
        serde_json::json!({"id": 3, "cmd": "no_such_command"}),
        serde_json::json!({"id": 4, "cmd": "get_lead", "args": {}}),
        serde_json::json!({"id": 5, "cmd": "serve.open_link", "args": {"link": "tel:+14155550100"}}),
    ];
    let mut stdin = child.stdin.take().expect("stdin");
    let mut out = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut lines: Vec<serde_json::Value> = Vec::new();
    let mut read_until_answered = |id: u64, lines: &mut Vec<serde_json::Value>| {
        while !lines.iter().any(|l| l["id"] == id) {
            let line = out.next().expect("serve answers").expect("line");
            lines.push(serde_json::from_str(&line).expect("every line is JSON"));
        }
    };
    for r in &requests {
        writeln!(stdin, "{r}").expect("request written");
    }
    for id in 1..=5 {
        read_until_answered(id, &mut lines);
    }
    // Requests run concurrently; this one is sent after the link was delivered.
    writeln!(stdin, "{}", serde_json::json!({"id": 6, "cmd": "take_pending_links"})).expect("request written");
    read_until_answered(6, &mut lines);
    drop(stdin); // closing the input ends the process once every request is answered
    assert!(child.wait().expect("exit").success(), "serve ends cleanly when its input closes");
    let answer =
        |id: u64| lines.iter().find(|l| l["id"] == id).unwrap_or_else(|| panic!("no answer to {id}: {lines:?}"));
    assert_eq!(answer(1)["ok"]["phoneE164"], "+14155550100", "an app command answers with the facade's result");
    assert_eq!(
        answer(2)["error"]["message"].as_str().map(|m| m.contains("was not")),
        Some(true),
        "a host command keeps the shell's rule: only a file chosen in the dialog is imported: {:?}",
        answer(2)
    );
    assert_eq!(answer(3)["error"]["code"], "notFound", "an unknown command is named as such");
    assert_eq!(
        answer(4)["error"]["message"],
        "Command get_lead: argument id is missing",
        "a missing argument is named, with the window's (camelCase) name"
    );
    let pending = answer(6)["ok"].as_array().expect("pending links").clone();
    assert_eq!(pending.len(), 1, "a link delivered before the window asked waits for it: {pending:?}");
    assert_eq!(pending[0]["target"]["e164"], "+14155550100", "read by the core's link rules");
}

#[test]
fn the_dialer_explains_a_number_s_calling_window_from_the_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("r.db");
    let json = |args: &[&str]| -> serde_json::Value {
        let o = cli(&db, &[&["--json", "dialer", "window"][..], args].concat());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        serde_json::from_slice(&o.stdout).expect("json")
    };
    // 208-291 rings in Boise and Los Angeles: 07:30 in LA keeps both closed until 08:00 there.
    let split = json(&["208-291-0100", "--at", "2026-07-01T14:30:00Z"]);
    assert_eq!(split["zones"], serde_json::json!(["America/Boise", "America/Los_Angeles"]), "{split}");
    assert_eq!(split["state"], "ID", "{split}");
    assert_eq!(split["allowed"], false, "{split}");
    assert_eq!(split["opensAt"], "2026-07-01T15:00:00Z", "{split}");
    // Miami at 20:30: Florida closes at 20:00.
    let miami = json(&["(305) 555-0100", "--at", "2026-07-02T00:30:00Z"]);
    assert_eq!((miami["state"].as_str(), miami["window"].as_str()), (Some("FL"), Some("08:00–20:00")), "{miami}");
    assert_eq!(miami["allowed"], false, "{miami}");
    // The lead's own zone wins over the number's.
    let own = json(&["212-555-0100", "--at", "2026-07-01T13:00:00Z", "--timezone", "America/Los_Angeles"]);
    assert_eq!(own["zones"], serde_json::json!(["America/Los_Angeles"]), "{own}");
    assert!(own["reason"].as_str().is_some_and(|r| r.contains("outside its calling window")), "{own}");
    let ok = json(&["212-555-0100", "--at", "2026-07-01T16:00:00Z"]);
    assert_eq!(
        (ok["allowed"].as_bool(), ok["localTimes"][0].as_str()),
        (Some(true), Some("2026-07-01T12:00:00-04:00"))
    );
    // A toll-free number rings anywhere: the campaign's zone stands in, and the answer says so.
    let unknown = json(&["+1 800 555 0100", "--at", "2026-07-01T16:00:00Z", "--campaign-zone", "America/Chicago"]);
    assert_eq!(unknown["zoneAssumed"], true, "the zone is assumed, not known: {unknown}");
    assert_eq!(unknown["zones"], serde_json::json!(["America/Chicago"]), "the campaign's zone: {unknown}");
    let bad = cli(&db, &["dialer", "window", "212-555-0100", "--timezone", "Mars/Base"]);
    assert_eq!(bad.status.code(), Some(2), "a zone it cannot read is bad input");
    assert!(stderr(&bad).contains("not an IANA time zone"), "{}", stderr(&bad));
}

#[test]
fn campaigns_are_created_paused_counted_and_exported_from_the_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("r.db");
    let csv = dir.path().join("leads.csv");
    std::fs::write(&csv, "name,phone\nAnn Archer,(212) 555-0101\nBob Baker,(312) 555-0102\nNo Phone,\n").expect("csv");
    assert!(cli(&db, &["leads", "import", csv.to_str().expect("utf-8"), "--list", "Q4"]).status.success());
    let json = |args: &[&str]| -> serde_json::Value {
        let o = cli(&db, &[&["--json"][..], args].concat());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        serde_json::from_slice(&o.stdout).expect("json")
    };
    let bad = cli(&db, &["campaign", "create", "--name", "Q4 push", "--list", "Q4", "--window", "17:00-09:00"]);
    assert_eq!(bad.status.code(), Some(2), "an invalid window is bad input");
    assert!(stderr(&bad).contains("before it starts"), "{}", stderr(&bad));
    let retry = cli(&db, &["campaign", "create", "--name", "Q4 push", "--list", "Q4", "--retry", "busy=soon"]);
    assert!(stderr(&retry).contains("--retry \"busy=soon\""), "names the bad rule: {}", stderr(&retry));
    let created = json(&[
        "campaign",
        "create",
        "--name",
        "Q4 push",
        "--list",
        "Q4",
        "--mode",
        "progressive",
        "--countdown",
        "0",
        "--window",
        "09:00-17:00",
        "--exclude-days",
        "sat,sun",
        "--retry",
        "busy=30m",
        "--timezone",
        "America/Chicago",
    ]);
    assert_eq!(created["status"], "draft", "{created}");
    assert_eq!((created["windowStart"].as_str(), created["windowEnd"].as_str()), (Some("09:00"), Some("17:00")));
    assert_eq!(created["excludedDays"], serde_json::json!(["sat", "sun"]));
    let busy = created["retry"].as_array().expect("rules").iter().find(|r| r["outcome"] == "busy").cloned();
    assert_eq!(busy, Some(serde_json::json!({"outcome": "busy", "retry": {"kind": "minutes", "minutes": 30}})));
    assert_eq!(created["progress"]["total"], 2, "the two leads with numbers are the list's members: {created}");
    let paused = cli(&db, &["campaign", "pause", "Q4 push"]);
    assert_eq!(paused.status.code(), Some(1), "a draft cannot be paused: {}", stderr(&paused));
    assert!(stderr(&paused).contains("cannot be paused"), "{}", stderr(&paused));
    assert_eq!(json(&["campaign", "start", "Q4 push"])["status"], "active");
    assert_eq!(json(&["campaign", "pause", "Q4 push"])["status"], "paused");
    let listed = json(&["campaign", "list"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let stats = json(&["campaign", "stats", "Q4 push"]);
    assert_eq!((stats["progress"]["dials"].as_u64(), stats["connects"].as_u64()), (Some(0), Some(0)), "{stats}");
    let out = dir.path().join("results.csv");
    let report = json(&["campaign", "export", "Q4 push", out.to_str().expect("utf-8")]);
    assert_eq!(report["rows"], 2, "{report}");
    let text = std::fs::read_to_string(&out).expect("the CSV");
    assert!(text.starts_with("name,number,last_outcome,attempts,last_call_at,next_retry_at,notes\n"), "{text}");
    assert!(text.contains("Ann Archer,+12125550101,,0,,,"), "{text}");
}
