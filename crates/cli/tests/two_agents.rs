//! Two agents (two desktop databases, one throwaway PostgreSQL, calls over the bridge route
//! against the SignalWire emulator) work one campaign of 200 leads at once through
//! `ringdesk-cli campaign run` under random faults: agent A's link to the backend is cut now and
//! then (sometimes for longer than a lease, so its leases expire and agent B takes the leads
//! over; a push's reply is sometimes lost after the backend committed it), and agent A is killed
//! with SIGKILL in the middle of a call (and of a lease) at a random dial and started again at
//! once. No lead is dialed twice within its retry interval or while another agent holds it, and
//! every lead is reached or accounted for. The faults come from a seed printed at the start
//! (`RINGDESK_FAULT_SEED` replays one).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use ringdesk_testkit::SeededRng;
use ringdesk_testkit::dbus::DbusSession;
use ringdesk_testkit::postgres::{FaultProxy, PgCluster};
use ringdesk_testkit::signalwire::SignalWireEmulator;

const PROJECT: &str = "3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60789";
const TOKEN: &str = "PTcli-token";
const AGENT_A: &str = "0190a000-0000-7000-8000-00000000000a";
const AGENT_B: &str = "0190a000-0000-7000-8000-00000000000b";
const LEADS: usize = 200;
const LEASE_SECONDS: i64 = 5;
/// Agent A, cut off now and then, waits out an offline minute (the leads it may not call
/// offline are held back a minute at a time, or until a sync reaches the backend again).
const A_MAX_WAIT: &str = "90";

/// An attempt as the backend has it: agent, when (epoch seconds), outcome ("" when none), retry time.
type Attempt = (String, f64, String, Option<f64>);

struct Agent<'a> {
    db: std::path::PathBuf,
    session: &'a DbusSession,
    origin: String,
}

impl Agent<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ringdesk-cli"));
        c.envs(self.session.env())
            .env("RINGDESK_SIGNALWIRE_URL", &self.origin)
            .env("RINGDESK_LEASE_SECONDS", LEASE_SECONDS.to_string())
            .arg("--db")
            .arg(&self.db)
            .args(args);
        c
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        use std::io::Write as _;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ringdesk-cli runs");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin");
        let o = child.wait_with_output().expect("finishes");
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        o
    }

    /// `campaign run` in the background, waiting up to `max_wait` seconds for a lead, its JSON
    /// lines sent to `lines`.
    fn work(&self, max_wait: &str, lines: std::sync::mpsc::Sender<serde_json::Value>) -> Child {
        let mut child = self
            .command(&["campaign", "run", "Team push", "--answered-as", "interested", "--max-wait", max_wait])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("campaign run starts");
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    let _ = lines.send(v);
                }
            }
        });
        child
    }
}

#[test]
fn two_agents_share_a_campaign_through_leases_and_a_killed_one_loses_nothing() {
    let cluster = PgCluster::start().expect("a throwaway PostgreSQL");
    let db = cluster.create_database("team", None).expect("db");
    let admin = cluster.url(&db, "postgres");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let emu = rt.block_on(SignalWireEmulator::start(PROJECT, TOKEN)).expect("emulator");
    emu.own_number("+12175550100");
    emu.calls_last(std::time::Duration::from_millis(400));
    let session = DbusSession::start().and_then(|s| s.with_keyring()).expect("keyring session");
    let dir = tempfile::tempdir().expect("temp dir");
    let agent =
        |name: &str| Agent { db: dir.path().join(format!("{name}.db")), session: &session, origin: emu.origin() };
    let (a, b) = (agent("a"), agent("b"));
    let seed = std::env::var("RINGDESK_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    });
    eprintln!("two agents: fault seed {seed} (RINGDESK_FAULT_SEED={seed} replays it)");
    let mut faults = SeededRng::new(seed);
    // Agent A reaches the backend through a proxy that can cut it off.
    let proxy = std::sync::Arc::new(FaultProxy::start(cluster.addr()).expect("a fault proxy"));

    // The backend: migrated, two agent roles; 200 web leads of agent A, all assigned to agent B
    // (both see every lead, so every lead is contended); every tenth lead's line is busy.
    a.run(&["backend", "migrate", "--url", &admin], "");
    for (role, id) in [("agent_a", AGENT_A), ("agent_b", AGENT_B)] {
        cluster.ensure_role(role, &["ringdesk_agent"]).expect("role");
        cluster.psql(&db, &format!("insert into sync.agent_role values ('{role}', '{id}')")).expect("mapping");
    }
    let zone = ringdesk_testkit::zone_at(12);
    cluster
        .psql(
            &db,
            &format!(
                "insert into crm_lead_lists(id, user_id, name) values ('0190b000-0000-7000-8000-000000000001', '{AGENT_A}', 'Team list');
                 insert into crm_leads(user_id, assigned_to, name, phone, status, timezone)
                   select '{AGENT_A}', '{AGENT_B}', 'Lead ' || i, '+1212555' || lpad((200 + i)::text, 4, '0'), 'new', '{zone}'
                     from generate_series(1, {LEADS}) i;
                 insert into crm_lead_list_members(list_id, lead_id)
                   select '0190b000-0000-7000-8000-000000000001', id from crm_leads;"
            ),
        )
        .expect("web data");
    for i in (10..=LEADS).step_by(10) {
        emu.lead_is_busy(&format!("+1212555{:04}", 200 + i));
    }

    // Each desktop: its agent's backend role, SignalWire over the bridge route.
    for (who, url) in [(&a, proxy.url_for(&db, "agent_a")), (&b, cluster.url(&db, "agent_b"))] {
        who.run(&["settings", "set", "--backend-url", &url], "");
        who.run(
            &[
                "settings",
                "set",
                "--signalwire-space",
                "example",
                "--signalwire-project-id",
                PROJECT,
                "--default-route",
                "bridge",
                "--agent-phone",
                "+16175550199",
            ],
            "",
        );
        who.run(&["secret", "set", "signalwire-api-token"], &format!("{TOKEN}\n"));
        who.run(&["sync"], "");
    }
    // Agent A creates and starts the campaign; agent B pulls it.
    a.run(&["campaign", "create", "--name", "Team push", "--list", "Team list"], "");
    a.run(&["campaign", "start", "Team push"], "");
    a.run(&["sync"], "");
    b.run(&["sync"], "");
    let listed = String::from_utf8_lossy(&b.run(&["campaign", "list"], "").stdout).to_string();
    assert!(listed.contains("Team push") && listed.contains("200 leads"), "agent B works it: {listed}");

    // Both at once. Agent A's link is cut at random moments for random times (up to twice the
    // lease), and a push's reply is lost now and then; A is killed right after a random call.
    let kill_at = faults.between(3, 12) as usize;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cuts = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let fault_thread = {
        let (proxy, stop, cuts) = (proxy.clone(), stop.clone(), cuts.clone());
        let mut faults = SeededRng::new(faults.next_u64());
        std::thread::spawn(move || {
            use std::sync::atomic::Ordering;
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(faults.between(3_000, 8_000)));
                if faults.between(0, 3) == 0 {
                    proxy.lose_replies_to(b"sync.push", 1);
                }
                proxy.refuse(true);
                proxy.cut_all();
                cuts.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(
                    faults.between(500, 2 * LEASE_SECONDS as u64 * 1_000),
                ));
                proxy.refuse(false);
            }
            proxy.heal();
        })
    };
    let (a_tx, a_lines) = std::sync::mpsc::channel();
    let (b_tx, b_lines) = std::sync::mpsc::channel();
    let mut a_run = a.work(A_MAX_WAIT, a_tx);
    let mut b_run = b.work("20", b_tx);
    let mut dialed_by_a = 0;
    let killed_on = loop {
        let line = match a_lines.recv_timeout(std::time::Duration::from_secs(90)) {
            Ok(line) => line,
            Err(e) => {
                let status = a_run.wait();
                let mut err = String::new();
                if let Some(mut stderr) = a_run.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
                }
                panic!("agent A stopped dialing after {dialed_by_a} calls ({e}; {status:?}; seed {seed}): {err}");
            }
        };
        if line["event"] == "dialed" {
            dialed_by_a += 1;
            if dialed_by_a == kill_at {
                a_run.kill().expect("SIGKILL");
                break line["leadId"].as_str().expect("a lead").to_string();
            }
        }
    };
    let _ = a_run.wait();
    // Agent A starts again at once: its outbox (the killed call's attempt) goes out, and it works
    // on beside agent B.
    let (a_tx, a_again) = std::sync::mpsc::channel();
    let mut a_run = a.work(A_MAX_WAIT, a_tx);
    assert!(b_run.wait().expect("agent B finishes").success(), "agent B's run ended well");
    assert!(a_run.wait().expect("agent A finishes").success(), "agent A's second run ended well");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    fault_thread.join().expect("the fault thread");
    assert!(cuts.load(std::sync::atomic::Ordering::SeqCst) > 0, "agent A's link was cut at least once (seed {seed})");
    a.run(&["sync"], "");
    b.run(&["sync"], "");
    let b_calls = b_lines.try_iter().filter(|l| l["event"] == "dialed").count();
    let a_calls = dialed_by_a + a_again.try_iter().filter(|l| l["event"] == "dialed").count();
    assert!(a_calls > kill_at && b_calls > 20, "both agents dialed: A {a_calls}, B {b_calls} (seed {seed})");

    // Every call placed is on record on the backend, once.
    let attempts: i64 =
        cluster.psql(&db, "select count(*) from dialer_campaign_calls").expect("q").trim().parse().expect("n");
    assert_eq!(attempts as usize, emu.calls().len(), "one attempt per call SignalWire placed");
    assert_eq!(attempts as usize, a_calls + b_calls, "and per call the agents report");

    // No lead dialed again before its retry time, nor while another agent's lease held it.
    let rows = cluster
        .psql(
            &db,
            "select lead_id, agent_id, extract(epoch from created_at), coalesce(outcome, ''),
                    coalesce(extract(epoch from next_retry_at)::text, '')
               from dialer_campaign_calls order by lead_id, created_at",
        )
        .expect("attempts");
    let mut by_lead: std::collections::BTreeMap<String, Vec<Attempt>> = Default::default();
    for line in rows.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('|').collect();
        by_lead.entry(f[0].to_string()).or_default().push((
            f[1].to_string(),
            f[2].parse().expect("epoch"),
            f[3].to_string(),
            f[4].parse().ok(),
        ));
    }
    for (lead, tries) in &by_lead {
        for pair in tries.windows(2) {
            let ((_, t1, outcome, retry), (_, t2, _, _)) = (&pair[0], &pair[1]);
            match (outcome.as_str(), retry) {
                ("", _) => panic!(
                    "{lead}: dialed again {:.1} s after a call that has no outcome: {tries:?} (seed {seed})",
                    t2 - t1
                ),
                (o, Some(r)) => assert!(
                    t2 >= r,
                    "{lead}: dialed {:.0} s before its retry time after {o}: {tries:?} (seed {seed})",
                    r - t2
                ),
                (o, None) => {
                    panic!("{lead}: dialed again {:.1} s after the final outcome {o}: {tries:?} (seed {seed})", t2 - t1)
                }
            }
        }
    }
    // Every lead reached or accounted for: interested (final) or busy (its retry pending); the
    // call agent A was killed in got its outcome when A started again.
    assert_eq!(by_lead.len(), LEADS, "every lead was dialed");
    for (lead, tries) in &by_lead {
        let (_, _, last, _) = tries.last().expect("an attempt");
        assert!(last == "interested" || last == "busy", "{lead}: ended with {last:?}");
    }
    let killed = &by_lead[&killed_on];
    assert_eq!(killed.len(), 1, "the lead of the killed call was not dialed again: {killed:?}");
    let busy = by_lead.values().filter(|t| t.last().is_some_and(|x| x.2 == "busy")).count();
    assert_eq!(busy, LEADS / 10, "the busy lines wait for their retry");
    let agents = by_lead.values().flatten().map(|t| t.0.as_str()).collect::<std::collections::BTreeSet<_>>();
    assert_eq!(agents.len(), 2, "both agents' attempts are on the backend: {agents:?}");
    assert_eq!(
        cluster.psql(&db, "select count(*) from sync.campaign_lease where expires_at > now()").expect("q").trim(),
        "0",
        "no lease left held"
    );
}
