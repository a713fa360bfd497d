//! The Analytics page in the real window (release build) on 1M calls to 100k leads: the time from
//! a filter change to the charts painted, and the memory of the open page beside the History
//! page's. Xvfb, the app driven over WebDriver (tauri-driver + WebKitWebDriver).
//!
//! - **Filter change → charts painted.** The `change` event's time is taken in the page (a
//!   capturing listener: the moment the select changed, before React's handler); the paint is the
//!   frame after the one in which the volume chart finished drawing the new report (uPlot's
//!   `draw` hook marks the page's `data-painted`; two `requestAnimationFrame`s later that frame
//!   has been painted). The direction filter toggles between outbound and both, so every
//!   round scans the million calls. Target ≤ 300 ms.
//! - **Memory.** Proportional set size of the app and its web processes with the History page
//!   open, then with Analytics open (its columns built). Target ≤ 30 MB above History.
//!
//! `cargo bench -p ringdesk --bench analytics_window [-- <calls>]` (results in BENCHMARKS.md;
//! screenshots in `artifacts/bench-analytics/`). Each process's PSS is printed with its anonymous
//! and file-backed parts. `RINGDESK_BENCH_MEMORY_ONLY=1` stops after the memory figures;
//! `RINGDESK_BENCH_SETTLE=<s>` waits that long after the paint instead of 5 s.

#[allow(dead_code)]
#[path = "../tests/harness/mod.rs"]
mod harness;

use std::time::Duration;

use harness::{Desktop, click, eventually, shown, tid};

const ROUNDS: usize = 20;

/// Every process whose parent chain reaches `root`, `root` included.
fn tree(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The parent is the second field after the command's closing parenthesis.
        let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// Each process of `pids` with its command name and PSS, for the breakdown.
fn by_process(pids: &[u32]) -> String {
    pids.iter()
        .map(|p| {
            let name = std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
            let rollup = std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")).unwrap_or_default();
            let field = |key: &str| {
                rollup
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                    .unwrap_or(0.0)
                    / 1024.0
            };
            format!(
                "{} {:.1} (anon {:.1}, file {:.1})",
                name.trim(),
                field("Pss:"),
                field("Pss_Anon:"),
                field("Pss_File:")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn pss_mib(pids: &[u32]) -> f64 {
    pids.iter()
        .map(|p| {
            std::fs::read_to_string(format!("/proc/{p}/smaps_rollup"))
                .unwrap_or_default()
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                .unwrap_or(0.0)
        })
        .sum::<f64>()
        / 1024.0
}

/// The app process started on `db`.
fn app_pid(db: &str) -> u32 {
    let exe = env!("CARGO_BIN_EXE_ringdesk");
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd);
        if cmd.starts_with(exe) && cmd.contains(db) {
            return pid;
        }
    }
    panic!("the app on {db} is running");
}

fn report(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!("{name:<52} p50 {:>6.1} ms  p95 {:>6.1} ms  max {:>6.1} ms  (n={})", p(0.5), p(0.95), p(1.0), v.len());
}

const PROBES: &str = r#"
const now = () => performance.timeOrigin + performance.now();
const page = document.querySelector('[data-testid="analytics-page"]');
window.__bench = { changes: [], painted: {} };
document.addEventListener("change", () => window.__bench.changes.push(now()), true);
new MutationObserver(() => {
  const shown = page.dataset.shown;
  if (page.dataset.painted === shown && !(shown in window.__bench.painted)) {
    window.__bench.painted[shown] = 0;
    requestAnimationFrame(() => requestAnimationFrame(() => { window.__bench.painted[shown] = now(); }));
  }
}).observe(page, { attributes: true, attributeFilter: ["data-painted", "data-shown"] });
return true;
"#;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let calls: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let desktop = Desktop::start_with("bench-analytics", &[]);
    let db = desktop.dir().join("ringdesk.db");
    let t = std::time::Instant::now();
    {
        let store = ringdesk_store::Store::open(&db).expect("store");
        store
            .write(|w| {
                let list = ringdesk_store::lists::create(w, "Expo", None)?;
                let mut leads = Vec::new();
                for i in 0..100_000 {
                    let id = ringdesk_store::leads::insert(w, &ringdesk_store::fixtures::lead(i))?.id;
                    ringdesk_store::lists::add_member(w, &list, &id)?;
                    leads.push(id);
                }
                ringdesk_store::fixtures::seed_calls(w, &leads, &list, calls, chrono::Utc::now())
            })
            .expect("seeded");
    }
    println!("seeded {calls} calls in {:.1} s", t.elapsed().as_secs_f64());
    let db_arg = db.to_str().expect("utf-8 path").to_string();
    let c = desktop.launch_with_args(&["--db", &db_arg]).await;
    let pid = app_pid(&db_arg);
    // The seeded calls have no wrap-up: the app opens the wrap-up step for the newest at start.
    // Escape closes it (the calls stay waiting), as an agent would.
    eventually(&desktop, &c, "the workspace is up", || async { shown(&c, "nav-history").await }).await;
    eventually(&desktop, &c, "the wrap-up step opens", || async { shown(&c, "wrapup-dialog").await }).await;
    c.execute("document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))", vec![])
        .await
        .expect("escape");
    eventually(&desktop, &c, "the wrap-up step closes", || async { !shown(&c, "wrapup-dialog").await }).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    desktop.screenshot(&c, "00-start").await;
    click(&c, "nav-history").await;
    eventually(&desktop, &c, "History lists calls", || async { shown(&c, "history-count").await }).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let history = pss_mib(&tree(pid));
    println!("  History: {}", by_process(&tree(pid)));

    let t = std::time::Instant::now();
    click(&c, "nav-analytics").await;
    eventually(&desktop, &c, "the charts painted", || async {
        c.execute("return document.querySelector('[data-testid=analytics-page]')?.dataset.painted || ''", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(|s| !s.is_empty()))
            .unwrap_or(false)
    })
    .await;
    println!("first open of Analytics (reads the calls into columns): {:.1} s", t.elapsed().as_secs_f64());
    let settle = std::env::var("RINGDESK_BENCH_SETTLE").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    tokio::time::sleep(Duration::from_secs(settle)).await;
    let analytics = pss_mib(&tree(pid));
    println!("  Analytics: {}", by_process(&tree(pid)));
    println!(
        "memory (PSS, app and web processes): History {history:.1} MiB, Analytics {analytics:.1} MiB, +{:.1} MiB",
        analytics - history
    );
    desktop.screenshot(&c, "01-analytics").await;
    for (card, shot) in [("best-time", "01b-analytics-best-time"), ("team", "01c-analytics-funnel-team")] {
        c.execute(&format!("document.querySelector('[data-testid=analytics-card-{card}]').scrollIntoView()"), vec![])
            .await
            .expect("scroll to a card");
        tokio::time::sleep(Duration::from_millis(500)).await;
        desktop.screenshot(&c, shot).await;
    }
    c.execute("document.querySelector('[data-testid=analytics-page]').scrollIntoView()", vec![])
        .await
        .expect("scroll back");
    if std::env::var_os("RINGDESK_BENCH_MEMORY_ONLY").is_some() {
        return;
    }

    c.execute(PROBES, vec![]).await.expect("probes");
    let mut times = Vec::new();
    for round in 0..ROUNDS + 2 {
        let shown_before: u64 = c
            .execute("return Number(document.querySelector('[data-testid=analytics-page]').dataset.shown)", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .expect("the page's report count");
        let value = if round % 2 == 0 { "outbound" } else { "" };
        c.find(tid("analytics-direction")).await.expect("filter").select_by_value(value).await.expect("select");
        let want = shown_before + 1;
        let mut painted = 0.0;
        for _ in 0..200 {
            let v = c
                .execute(&format!("return window.__bench.painted['{want}'] || 0"), vec![])
                .await
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            if v > 0.0 {
                painted = v;
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert!(painted > 0.0, "round {round}: the report after the change was painted");
        let changed = c
            .execute("return window.__bench.changes[window.__bench.changes.length - 1]", vec![])
            .await
            .ok()
            .and_then(|v| v.as_f64())
            .expect("the change was seen");
        if round >= 2 {
            times.push(painted - changed);
        }
    }
    desktop.screenshot(&c, "02-after-filter-changes").await;
    report(&format!("filter change -> charts painted ({calls} calls)"), times);
}
