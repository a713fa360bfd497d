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
