//! Bench binary: CSV import of 100k rows (target ≤ 3 s) and lead search through the facade the UI
//! calls (store query + phone display formatting), release build:
//!
//!     cargo bench -p ringdesk-app --bench import
//!
//! The CSV is generated deterministically from `ringdesk_store::fixtures`, with numbers written
//! the ways people write them, so every row goes through full normalization.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ringdesk_app::App;
use ringdesk_app::ipc::{ImportRequest, ImportTarget, LeadQuery};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_store::fixtures;

fn csv(rows: u64) -> String {
    let mut out = String::from("Name,Email,Phone,Company,Title,Status,Deal Value,Source\n");
    for i in 0..rows {
        let l = fixtures::lead(i);
        let e164 = l.phone_e164.unwrap_or_default();
        let d = &e164[2..];
        let phone = match i % 4 {
            0 => format!("({}) {}-{}", &d[..3], &d[3..6], &d[6..]),
            1 => format!("{}.{}.{}", &d[..3], &d[3..6], &d[6..]),
            2 => format!("+1 {} {} {}", &d[..3], &d[3..6], &d[6..]),
            _ => e164.clone(),
        };
        out.push_str(&format!(
            "{},{},{phone},\"{}\",{},{},\"${:.2}\",{}\n",
            l.name,
            l.email.unwrap_or_default(),
            l.company.unwrap_or_default(),
            l.position.unwrap_or_default(),
            l.status.unwrap_or_default(),
            l.value.unwrap_or_default(),
            l.source.unwrap_or_default()
        ));
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::var("RINGDESK_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("leads.csv");
    std::fs::write(&path, csv(rows))?;
    let size = std::fs::metadata(&path)?.len();
    println!("CSV: {rows} rows, {:.1} MB", size as f64 / 1e6);

    let mut times = Vec::new();
    let mut last_app = None;
    for run in 0..3 {
        let app = App::open(&dir.path().join(format!("run{run}.db")), Arc::new(MemorySecretStore::default()))?;
        let start = Instant::now();
        let preview = app.preview_import(&path.display().to_string())?;
        let report = app.import_leads(
            &ImportRequest {
                path: path.display().to_string(),
                mapping: preview.mapping,
                target: ImportTarget::NewList { name: "Bench".into() },
            },
            &mut |_| {},
        )?;
        let took = start.elapsed();
        assert_eq!(report.created as u64, rows, "every row imported: {report:?}");
        println!(
            "import run {run}: {:.3} s ({} created, {} invalid)",
            took.as_secs_f64(),
            report.created,
            report.invalid_total
        );
        times.push(took);
        last_app = Some(app);
    }
    times.sort();
    let verdict = if times[1] <= Duration::from_secs(3) { "met" } else { "MISSED" };
    println!(
        "CSV import of {rows} rows: median {:.3} s, best {:.3} s (target ≤ 3 s: {verdict})",
        times[1].as_secs_f64(),
        times[0].as_secs_f64()
    );

    // Search through the facade (what the UI's search box calls), 50 rows with display formatting.
    let app = last_app.ok_or("no app")?;
    let inputs =
        ["a", "ar", "Arch", "acme", "Naka", "202", "5550", "9192", "ann.", "zh", "Pat", "glob", "r", "Müller", "ja"];
    let mut lat = Vec::new();
    for round in 0..40 {
        for s in inputs {
            let q = LeadQuery { search: Some(s.to_string()), limit: 50, ..LeadQuery::default() };
            let start = Instant::now();
            let page = app.list_leads(&q)?;
            if round > 0 {
                lat.push(start.elapsed());
            }
            assert!(page.rows.len() <= 50, "page size");
        }
    }
    lat.sort();
    let p = |q: f64| lat[((lat.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    println!(
        "facade lead search (page of 50 + formatting), {rows} leads: p50={:.3} ms p95={:.3} ms p99={:.3} ms",
        p(0.5),
        p(0.95),
        p(0.99)
    );
    Ok(())
}
