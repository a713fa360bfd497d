//! kill -9 in the middle of a local write and in the middle of applying a pull: after a restart
//! the database is consistent (sync.md §5, scenarios 10 and 12).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{Backend, Crm, Desktop, backend_leads, backend_projection};
use ringdesk_store::{Store, leads, outbox};

/// The crash-test child (src/bin/ringdesk-sync-crash-child.rs).
fn child(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ringdesk-sync-crash-child"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child")
}

/// Reads the child's progress lines until one says at least `n`, then kills it with SIGKILL
/// while it is still running (its stdout stays open, so it cannot die of a broken pipe instead).
fn kill_after(mut c: Child, prefix: &str, n: u64) -> u64 {
    let out = c.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    let mut seen = 0;
    for line in lines.by_ref() {
        let line = line.expect("a line");
        if let Some(v) = line.strip_prefix(prefix).and_then(|v| v.trim().parse::<u64>().ok()) {
            seen = v;
            if v >= n {
                break;
            }
        }
    }
    let status = Command::new("kill").args(["-9", &c.id().to_string()]).status().expect("kill");
    assert!(status.success(), "SIGKILL sent");
    let exit = c.wait().expect("wait");
    drop(lines);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(exit.signal(), Some(9), "the child died of SIGKILL, not of anything else: {exit:?}");
    seen
}

#[test]
fn a_process_killed_mid_write_keeps_each_change_and_its_outbox_entry_together() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crash.db");
    let db_s = db.to_str().expect("utf-8 path");
    Store::open(&db).expect("create");
    for round in 1..=3u64 {
        let wrote = kill_after(child(&["write", db_s]), "wrote ", 150 * round);
        let store = Store::open(&db).expect("the database opens after SIGKILL");
        let (lead_count, pending) =
            store.read(|r| Ok((leads::count(r)?, outbox::pending(r, 1_000_000)?))).expect("read back");
        let lead_inserts = pending.iter().filter(|m| m.table_name == "leads" && m.op == "insert").count() as i64;
        let call_inserts = pending.iter().filter(|m| m.table_name == "call_logs").count() as i64;
        assert!(lead_count as u64 >= wrote, "round {round}: every reported write survived ({lead_count} < {wrote})");
        assert_eq!(lead_count, lead_inserts, "round {round}: one outbox entry per lead, none orphaned");
        assert_eq!(call_inserts, lead_inserts, "round {round}: each transaction's call log came with its lead");
        let ids: Vec<i64> = pending.iter().map(|m| m.mutation_id).collect();
        assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "round {round}: mutation ids stay gapless");
    }
}

on_both_crms! {
async fn a_process_killed_while_applying_a_pull_resumes_to_the_backends_exact_projection(crm: Crm) {
    let backend = Backend::new(crm);
    backend.sql(&format!(
        "insert into crm_leads(user_id, name, phone, status)
         select '{}', 'Bulk ' || g, '+1202555' || lpad(g::text, 4, '0'), 'new' from generate_series(1, 6000) g",
        backend.agent("agent_a")
    ));
    // After the bulk, a history of every kind of row whose parents change after their children.
    common::web_history(&backend, "agent_a", 40);
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("ringdesk.db");
    Store::open(&db).expect("create");
    let url = backend.url_as("agent_a");
    let pulled = kill_after(child(&["pull", db.to_str().expect("path"), &url, "300"]), "pulled ", 1500);
    assert!(pulled >= 1500, "killed in the middle of the pull (after {pulled} rows)");
    let desktop = Desktop::open(dir, &url);
    let partial = desktop.leads().len();
    assert!(partial < 6000, "the pull was really interrupted ({partial} leads here)");
    assert_eq!(partial % 300, 0, "only whole pages were applied, each with its cursor ({partial} leads)");
    desktop.sync().await.expect("the pull resumes from the stored cursor");
    assert_eq!(desktop.leads(), backend_leads(&backend, "agent_a"), "equal to the backend's projection");
    assert_eq!(
        desktop.projection(),
        backend_projection(&backend, "agent_a"),
        "every row of every table, with every link, as the backend has them"
    );
}
}
