//! Bench binary: the Analytics page's figures after a filter change, through the facade the
//! window calls (`App::analytics`), on 1M calls to 100k leads by 8 agents over a year, release
//! build:
//!
//!     cargo bench -p ringdesk-app --bench analytics [-- <calls> <leads>]
//!
//! Timed in the same run: the first query (reads every call from SQLite into the in-memory
//! columns), then queries cycling through the page's filters (range, agent, list, campaign,
//! disposition, direction, per week), and beside them the anchor: the same kinds of aggregates
//! (volume per day and outcome, per agent, hour × weekday, distinct leads called) computed by
//! plain `GROUP BY` queries over the raw tables for the same filter. Memory: the columns' bytes
//! and the process's resident memory before and after they were built.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use ringdesk_app::App;
use ringdesk_app::analytics::{AnalyticsQuery, Period};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_store::{fixtures, leads, lists};

fn percentile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let calls = args.first().copied().unwrap_or(1_000_000);
    let n_leads = args.get(1).copied().unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("app");
    let t = Instant::now();
    let (lead_ids, list_a) = app
        .store()
        .write(|w| {
            let a = lists::create(w, "Expo", None)?;
            let b = lists::create(w, "Webinar", None)?;
            let mut ids = Vec::with_capacity(n_leads as usize);
            for i in 0..n_leads {
                let id = leads::insert(w, &fixtures::lead(i))?.id;
                lists::add_member(w, if i % 3 == 0 { &a } else { &b }, &id)?;
                ids.push(id);
            }
            Ok::<_, ringdesk_store::StoreError>((ids, a))
        })
        .expect("leads");
    let campaign =
        app.store().write(|w| fixtures::seed_calls(w, &lead_ids, &list_a, calls, Utc::now())).expect("calls");
    let now = Utc::now();
    println!("seeded {calls} calls to {n_leads} leads in {:.1} s", t.elapsed().as_secs_f64());

    let zone = Some("America/Denver".to_string());
    let day = |days: i64| (now - Duration::days(days)).format("%Y-%m-%d").to_string();
    let queries: Vec<(&str, AnalyticsQuery)> = vec![
        ("all time", AnalyticsQuery { zone: zone.clone(), ..AnalyticsQuery::default() }),
        ("last 30 days", AnalyticsQuery { from: Some(day(29)), zone: zone.clone(), ..AnalyticsQuery::default() }),
        (
            "one agent",
            AnalyticsQuery { agent: Some("agent-3".into()), zone: zone.clone(), ..AnalyticsQuery::default() },
        ),
        ("one list", AnalyticsQuery { list_id: Some(list_a.clone()), zone: zone.clone(), ..AnalyticsQuery::default() }),
        (
            "campaign",
            AnalyticsQuery { campaign_id: Some(campaign.clone()), zone: zone.clone(), ..AnalyticsQuery::default() },
        ),
        (
            "disposition",
            AnalyticsQuery { disposition: Some("busy".into()), zone: zone.clone(), ..AnalyticsQuery::default() },
        ),
        (
            "inbound",
            AnalyticsQuery { direction: Some("inbound".into()), zone: zone.clone(), ..AnalyticsQuery::default() },
        ),
        ("per week", AnalyticsQuery { period: Some(Period::Week), zone: zone.clone(), ..AnalyticsQuery::default() }),
    ];

    let t = Instant::now();
    let mut read = 0u64;
    app.store().read(|r| ringdesk_store::analytics::each_call_fact(r, None, None, |_| read += 1)).expect("read alone");
    println!("reading the {read} call rows alone (SQL and row decoding): {:.0} ms", t.elapsed().as_secs_f64() * 1e3);

    // The phone-number places (the power dialer's, which the figures use for each lead's zone)
    // load once per process; measured apart from the columns.
    let bare = rss_mib();
    ringdesk_dialer::places::Places::embedded();
    let before = rss_mib();
    println!("memory: the phone-number places loaded: +{:.1} MiB resident", before - bare);
    let t = Instant::now();
    let first = app.analytics(&queries[0].1).expect("first");
    let first_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(u64::from(first.calls), calls, "every call counted");
    let after = rss_mib();
    let columns = app.analytics_facts().expect("facts").heap_bytes() as f64 / 1048576.0;
    println!("first query (reads {calls} calls into columns): {first_ms:.0} ms");
    println!("memory: columns {columns:.1} MiB; resident {before:.0} -> {after:.0} MiB (+{:.1})", after - before);
    if std::env::var_os("ANALYTICS_FIRST_ONLY").is_some() {
        return; // (profiling the first query)
    }

    let mut strip = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        app.dashboard(zone.as_deref()).expect("dashboard");
        strip.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "start page strip (the last 30 days of every agent, read from SQLite): p50 {:.0} ms",
        percentile(&mut strip, 0.5)
    );

    let mut facade = Vec::new();
    for round in 0..10 {
        for (name, q) in &queries {
            let t = Instant::now();
            let r = app.analytics(q).expect("query");
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if round == 0 {
                println!("  {name:<14} {:>8} calls  {ms:>7.1} ms", r.calls);
            }
            facade.push(ms);
        }
    }

    // The anchor: plain GROUP BY over the raw tables, the same filters where SQL has them.
    let mut plain = Vec::new();
    for round in 0..3 {
        for (name, q) in &queries {
            let from = q.from.as_deref().map(|d| format!("{d}T07:00:00Z")).unwrap_or_default();
            let mut cond = String::from("c.deleted_at IS NULL AND c.started_at >= ?1");
            if let Some(a) = &q.agent {
                cond.push_str(&format!(" AND c.user_id = '{a}'"));
            }
            if let Some(d) = &q.disposition {
                cond.push_str(&format!(" AND c.disposition = '{d}'"));
            }
            if let Some(d) = &q.direction {
                cond.push_str(&format!(" AND c.direction = '{d}'"));
            }
            if let Some(l) = &q.list_id {
                cond.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM lead_list_members m WHERE m.lead_id = c.lead_id AND m.list_id = '{l}' AND m.deleted_at IS NULL)"
                ));
            }
            if let Some(c) = &q.campaign_id {
                cond.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM dialer_campaign_calls a WHERE a.call_log_id = c.id AND a.campaign_id = '{c}')"
                ));
            }
            let sqls = [
                format!(
                    "SELECT substr(c.started_at, 1, 10), c.direction, c.disposition, count(*), sum(c.duration_seconds)
                       FROM call_logs c WHERE {cond} GROUP BY 1, 2, 3"
                ),
                format!(
                    "SELECT c.user_id, count(*), sum(c.answered_at IS NOT NULL), sum(c.duration_seconds >= 60), sum(c.duration_seconds)
                       FROM call_logs c WHERE {cond} GROUP BY 1"
                ),
                format!(
                    "SELECT strftime('%w', c.started_at), strftime('%H', c.started_at), count(*), sum(c.answered_at IS NOT NULL)
                       FROM call_logs c WHERE {cond} AND c.direction = 'outbound' GROUP BY 1, 2"
                ),
                format!(
                    "SELECT count(DISTINCT c.lead_id), count(DISTINCT CASE WHEN c.duration_seconds >= 60 THEN c.lead_id END)
                       FROM call_logs c WHERE {cond} AND c.direction = 'outbound'"
                ),
            ];
            let t = Instant::now();
            let rows: usize = app
                .store()
                .read(|r| {
                    let mut n = 0;
                    for sql in &sqls {
                        let mut stmt = fixtures::read_conn(r).prepare(sql)?;
                        let mut rows = stmt.query([&from])?;
                        while rows.next()?.is_some() {
                            n += 1;
                        }
                    }
                    Ok::<_, ringdesk_store::StoreError>(n)
                })
                .expect("plain SQL");
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if round == 0 {
                println!("  anchor {name:<14} {rows:>6} rows  {ms:>7.1} ms");
            }
            plain.push(ms);
        }
    }
    let (f50, f95) = (percentile(&mut facade, 0.5), percentile(&mut facade, 0.95));
    let (p50, p95) = (percentile(&mut plain, 0.5), percentile(&mut plain, 0.95));
    println!("facade after a filter change: p50 {f50:.1} ms, p95 {f95:.1} ms ({} queries)", facade.len());
    println!("anchor, plain GROUP BY:       p50 {p50:.1} ms, p95 {p95:.1} ms ({} queries)", plain.len());
    println!("ratio p95 facade / anchor: {:.2}", f95 / p95);
}
