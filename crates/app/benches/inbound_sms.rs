//! Inbound SMS latency: from the RELAY event leaving SignalWire (the emulator) to the stored row
//! (the app's notice) and to the desktop notification on the bus (a private D-Bus session with a
//! recording notification server). Anchor in the same run: `notify-send` (libnotify) posting a
//! notification to the same server, from process start to arrival.
//!
//! `cargo bench -p ringdesk-app --bench inbound_sms` (release build).

use std::sync::Arc;
use std::time::{Duration, Instant};

use ringdesk_app::ipc::{RealtimeNotice, SecretKind, SettingsUpdate};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_app::{App, AppOptions, RealtimeOptions};
use ringdesk_testkit::dbus::DbusSession;
use ringdesk_testkit::notifications::NotificationServer;
use ringdesk_testkit::signalwire::SignalWireEmulator;

const PROJECT: &str = "3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60789";
const TOKEN: &str = "PTbench";
const ROUNDS: usize = 30;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut v: Vec<Duration>) {
    v.sort();
    println!(
        "{name:<48} p50 {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms",
        percentile(&v, 0.5).as_secs_f64() * 1e3,
        percentile(&v, 0.95).as_secs_f64() * 1e3,
        v[v.len() - 1].as_secs_f64() * 1e3
    );
}

const CHILD: &str = "RINGDESK_BENCH_BUS";

fn main() {
    // notify-rust finds the session bus through the environment, so the measuring process is
    // started again with the private bus's address in it.
    let Ok(address) = std::env::var(CHILD) else {
        let session = DbusSession::start().expect("dbus session");
        let me = std::env::current_exe().expect("bench binary");
        let status = std::process::Command::new(me)
            .args(std::env::args().skip(1))
            .envs(session.env())
            .env(CHILD, session.address())
            .status()
            .expect("bench child runs");
        assert!(status.success(), "the measuring child failed");
        return;
    };
    measure(&address);
}

fn measure(address: &str) {
    let desktop = NotificationServer::start(address).expect("notification server");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let emu = rt.block_on(SignalWireEmulator::start(PROJECT, TOKEN)).expect("emulator");
    emu.own_number("+12175550100");
    let dir = tempfile::tempdir().expect("temp");
    let app = App::open_with(
        &dir.path().join("r.db"),
        Arc::new(MemorySecretStore::default()),
        &AppOptions { signalwire_origin: Some(emu.origin()), ..AppOptions::default() },
    )
    .expect("app");
    app.update_settings(&SettingsUpdate {
        signalwire_space: Some("example".into()),
        signalwire_project_id: Some(PROJECT.into()),
        ..SettingsUpdate::default()
    })
    .expect("settings");
    app.set_secret(SecretKind::SignalwireApiToken, TOKEN).expect("token");
    let (tx, rx) = std::sync::mpsc::channel::<(Instant, RealtimeNotice)>();
    let sink: ringdesk_app::NoticeSink = Arc::new(move |n| {
        let _ = tx.send((Instant::now(), n));
    });
    let _live = app.start_realtime(RealtimeOptions::default(), sink).expect("realtime");
    loop {
        let (_, n) = rx.recv_timeout(Duration::from_secs(10)).expect("online");
        if matches!(n, RealtimeNotice::Connection { online: true, .. }) {
            break;
        }
    }
    let mut stored = Vec::new();
    let mut notified = Vec::new();
    for i in 0..ROUNDS {
        let before = desktop.shown().len();
        let t0 = Instant::now();
        emu.receive_message(&format!("+1415555{:04}", 100 + i), "+12175550100", &format!("bench {i}"));
        let at = loop {
            let (at, n) = rx.recv_timeout(Duration::from_secs(10)).expect("notice");
            if matches!(n, RealtimeNotice::SmsReceived { .. }) {
                break at;
            }
        };
        stored.push(at - t0);
        let shown = desktop.wait_for(before + 1, Duration::from_secs(10));
        notified.push(shown[before].at - t0);
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut anchor = Vec::new();
    for i in 0..ROUNDS {
        let before = desktop.shown().len();
        let t0 = Instant::now();
        let status = std::process::Command::new("notify-send")
            .args(["-a", "anchor", "Anchor", &format!("anchor {i}")])
            .status()
            .expect("notify-send (libnotify-bin) runs");
        assert!(status.success(), "notify-send failed");
        let shown = desktop.wait_for(before + 1, Duration::from_secs(10));
        anchor.push(shown[before].at - t0);
    }
    // The client's CPU per REST request (the provider runtime's thread), beside the emulator's
    // (axum on the bench runtime's workers) serving the same requests.
    let n = 2000;
    let (client0, server0) = (thread_cpu("ringdesk-provid"), thread_cpu("tokio-rt-worker"));
    for _ in 0..n {
        app.list_numbers().expect("list numbers");
    }
    let (client1, server1) = (thread_cpu("ringdesk-provid"), thread_cpu("tokio-rt-worker"));
    // Opening a thread of 10,000 messages: the conversation list and the newest page.
    let contact = "+13125550142";
    app.store()
        .write(|w| {
            for i in 0..10_000 {
                let at =
                    format!("2026-11-{:02}T{:02}:{:02}:{:02}.000Z", 1 + i / 3600 % 28, i / 60 % 24, i % 60, i % 60);
                ringdesk_store::sms::insert_inbound(
                    w,
                    &ringdesk_store::sms::Inbound {
                        sid: &format!("seed-{i}"),
                        from: contact,
                        to: "+12175550100",
                        body: &format!("seeded message number {i} with some ordinary text in it"),
                        received_at: &at,
                    },
                )?;
            }
            Ok::<_, ringdesk_store::StoreError>(())
        })
        .expect("seed 10k");
    let mut open = Vec::new();
    for _ in 0..ROUNDS {
        let t0 = Instant::now();
        let threads = app.sms_threads(None).expect("threads");
        let page = app.sms_thread(contact, None, None, 50).expect("thread");
        open.push(t0.elapsed());
        assert!(threads.iter().any(|t| t.total >= 10_000) && page.messages.len() == 50 && page.has_more);
    }
    println!("inbound SMS, {ROUNDS} texts one at a time (release build)");
    report("RELAY event → stored row and notice", stored);
    report("RELAY event → desktop notification on the bus", notified);
    report("anchor: notify-send process → notification", anchor);
    println!(
        "{:<48} client {:.3} ms CPU per request; anchor: the emulator serving it {:.3} ms",
        format!("REST list numbers ×{n}"),
        (client1 - client0) * 1e3 / f64::from(n),
        (server1 - server0) * 1e3 / f64::from(n)
    );
    report("open a 10k-message thread (list + newest 50)", open);
}

/// CPU seconds (user + system) of this process's threads whose name starts with `prefix`.
fn thread_cpu(prefix: &str) -> f64 {
    let tick = 100.0; // USER_HZ on Linux
    let mut total = 0.0;
    for task in std::fs::read_dir("/proc/self/task").expect("/proc").flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        if !stat[open + 1..close].starts_with(prefix) {
            continue;
        }
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        let ticks: f64 = fields.get(11).and_then(|u| u.parse::<f64>().ok()).unwrap_or(0.0)
            + fields.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
        total += ticks / tick;
    }
    total
}
