//! How soon a lead changed on the web shows in the desktop app: from the web's committed UPDATE
//! to the app's "changed" notice (the UI refreshes on it) with the new value readable through
//! `App::get_lead`, at the default sync interval (target ≤ 2 s). Anchor in the same run: the
//! same change fetched by an explicit `sync_now` right after the write (what a realtime poke
//! would trigger), i.e. the cycle alone without waiting for the interval.
//!
//! `cargo bench -p ringdesk-app --bench sync_latency` (release build).

use std::sync::Arc;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use ringdesk_app::ipc::SettingsUpdate;
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_app::{App, DEFAULT_SYNC_INTERVAL};
use ringdesk_testkit::postgres::PgCluster;

const AGENT: &str = "0190a000-0000-7000-8000-00000000000a";
const ROUNDS: usize = 20;

fn report(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    println!("{name:<58} p50 {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms", p(0.5), p(0.95), p(1.0));
}

fn main() {
    let cluster = PgCluster::start().expect("postgres");
    let db = cluster.create_database("lat", None).expect("db");
    ringdesk_app::migrate_backend(&cluster.url(&db, "postgres")).expect("migrations");
    cluster.ensure_role("agent_a", &["ringdesk_agent"]).expect("role");
    cluster.psql(&db, &format!("insert into sync.agent_role values ('agent_a', '{AGENT}')")).expect("map");
    let id = cluster
        .psql(
            &db,
            &format!("insert into crm_leads(user_id, name, status) values ('{AGENT}', 'Round 0', 'new') returning id"),
        )
        .expect("lead");

    let dir = tempfile::tempdir().expect("dir");
    let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("app");
    app.update_settings(&SettingsUpdate {
        backend_url: Some(cluster.url(&db, "agent_a")),
        ..SettingsUpdate::default()
    })
    .expect("settings");
    let (tx, rx) = channel();
    app.start_sync(
        DEFAULT_SYNC_INTERVAL,
        Arc::new(move |n| {
            if n.changed {
                let _ = tx.send(Instant::now());
            }
        }),
    )
    .expect("sync service");
    // Wait for the first pull.
    let start = Instant::now();
    while app.get_lead(&id).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "the first pull arrives");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    while rx.try_recv().is_ok() {}

    let mut interval = Vec::new();
    for round in 1..=ROUNDS {
        // Spread the writes over the interval's phase.
        std::thread::sleep(Duration::from_millis(137 * (round as u64 % 11)));
        let name = format!("Round {round}");
        cluster.psql(&db, &format!("update crm_leads set name = '{name}' where id = '{id}'")).expect("web update");
        let t0 = Instant::now();
        loop {
            let at = rx.recv_timeout(Duration::from_secs(10)).expect("a changed notice");
            if app.get_lead(&id).expect("lead").name == name {
                interval.push(at.max(t0) - t0);
                break;
            }
        }
    }
    let mut poke = Vec::new();
    for round in 1..=ROUNDS {
        let name = format!("Poke {round}");
        cluster.psql(&db, &format!("update crm_leads set name = '{name}' where id = '{id}'")).expect("web update");
        let t0 = Instant::now();
        app.sync_now().expect("sync now");
        assert_eq!(app.get_lead(&id).expect("lead").name, name, "pulled by the poke");
        poke.push(t0.elapsed());
    }
    println!("default interval {} ms (jittered ±15 %)", DEFAULT_SYNC_INTERVAL.as_millis());
    report("web change -> changed notice, default interval", interval);
    report("  anchor: web change -> sync_now (a realtime poke)", poke);
}
