//! Bench binary: the next-lead decision on a campaign of 100k leads (target p95 ≤ 2 ms), the
//! indexed queue beside a naive full scan (`session::upcoming`) in the same run. Release build:
//!
//!     cargo bench -p ringdesk-dialer --bench next_lead
//!
//! RINGDESK_BENCH_LEADS lowers the size for a quick run. The leads are generated
//! deterministically: numbers in every NANP area code of libphonenumber's zone file, a third
//! already tried once or twice, a few Do Not Call. A decision is followed by the call's outcome
//! (busy, no answer, voicemail or interested, in turn) and two minutes of clock.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use ringdesk_dialer::places::Places;
use ringdesk_dialer::queue::Queue;
use ringdesk_dialer::rules::{Campaign, Lead, next_retry};
use ringdesk_dialer::session::{Context, Leads, Order, QueueEntry, upcoming};

const ZONES: &str = include_str!("../data/timezones-map_data.txt");
const OUTCOMES: &[&str] = &["busy", "no_answer", "voicemail", "interested"];

fn area_codes() -> Vec<String> {
    ZONES
        .lines()
        .filter_map(|l| l.split_once('|').map(|(p, _)| p))
        .filter(|p| p.len() == 4 && p.starts_with('1'))
        .map(|p| p[1..].to_string())
        .collect()
}

fn leads(n: usize) -> Vec<QueueEntry> {
    let codes = area_codes();
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        seed >> 33
    };
    (0..n)
        .map(|i| {
            let code = &codes[next() as usize % codes.len()];
            let number = format!("+1{code}{:07}", 2_000_000 + next() % 7_000_000);
            let attempts = [0, 0, 1, 2][next() as usize % 4];
            let status = if next() % 100 == 0 { "do_not_call" } else { "new" };
            QueueEntry {
                id: format!("lead-{i}"),
                position: i as u32,
                lead: Lead { status: status.into(), phone_e164: Some(number), attempts, ..Lead::default() },
                ..QueueEntry::default()
            }
        })
        .collect()
}

fn percentile(sorted: &[StdDuration], p: f64) -> StdDuration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(what: &str, mut times: Vec<StdDuration>) -> StdDuration {
    times.sort();
    let p95 = percentile(&times, 0.95);
    println!(
        "{what}: {} decisions, p50 {:.3} ms, p95 {:.3} ms, max {:.3} ms",
        times.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
    p95
}

fn main() {
    let n: usize = std::env::var("RINGDESK_BENCH_LEADS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let campaign = Campaign::new(chrono_tz::America::Chicago);
    let places = Places::embedded();
    // A Tuesday, 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles (closed), 05:00 in Honolulu.
    let start: DateTime<Utc> =
        DateTime::parse_from_rfc3339("2026-07-07T15:00:00Z").expect("a time").with_timezone(&Utc);
    let entries = leads(n);

    let built = Instant::now();
    let mut queue = Queue::new(entries.clone(), Order::List, &campaign, places, start);
    println!("{n} leads; indexing them took {:.1} ms", built.elapsed().as_secs_f64() * 1e3);

    let mut now = start;
    let mut indexed = Vec::new();
    for d in 0..2_000 {
        let t = Instant::now();
        let next = queue.next(&campaign, places, now).map(|(e, p)| (e.id.clone(), e.lead.clone(), p));
        indexed.push(t.elapsed());
        if let Some((id, mut lead, placement)) = next {
            let outcome = OUTCOMES[d % OUTCOMES.len()];
            lead.attempts += 1;
            lead.recent_calls.push(now);
            lead.last_outcome = Some(outcome.into());
            lead.next_retry_at = next_retry(outcome, now + Duration::seconds(90), &campaign, &placement);
            queue.update(&id, lead, &campaign, places, now);
        }
        now += Duration::minutes(2);
    }
    let fast = report("indexed queue", indexed);

    let mut scanned = Vec::new();
    let skipped = Default::default();
    let mut now = start;
    for _ in 0..20 {
        let t = Instant::now();
        let cx = Context { queue: Leads::All(&entries), campaign: &campaign, places, now };
        std::hint::black_box(upcoming(&cx, Order::List, &skipped, 1));
        scanned.push(t.elapsed());
        now += Duration::minutes(2);
    }
    let slow = report("full scan (session::upcoming)", scanned);
    println!("full scan / indexed at p95: {:.0}x", slow.as_secs_f64() / fast.as_secs_f64().max(1e-9));
}
