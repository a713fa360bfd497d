//! Bench binary: lead search at 100k leads and the call-history page at 1M calls, reported as
//! latency percentiles (the targets are p95 ≤ 5 ms and ≤ 10 ms). Release build:
//!
//!     cargo bench -p ringdesk-store --features fixtures --bench queries
//!
//! Sizes can be lowered for a quick run with RINGDESK_BENCH_LEADS / RINGDESK_BENCH_CALLS. The data
//! is generated deterministically (`fixtures`), through the same store functions the app uses.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use ringdesk_store::calls::{self, HistoryQuery, NewCall};
use ringdesk_store::fixtures::{self, DISPOSITIONS, mix};
use ringdesk_store::leads::{self, PageQuery, SortField};
use ringdesk_store::{Store, StoreError, format_ts};

/// Disposition notes of the seeded calls (the second word of each is searched).
const NOTES: &[&str] = &[
    "Wants pricing for twenty seats",
    "Asked callback after lunch",
    "Gatekeeper blocked again",
    "Budget approved next quarter",
    "Interested demo Thursday",
    "Competitor contract renews March",
    "Voicemail left twice",
    "Decision maker traveling",
];
const STATUSES: &[&str] = &["new", "contacted", "qualified", "proposal", "won", "lost"];

/// The benchmark's folder: deleted at the end, or kept for study.
enum Kept {
    Yes(std::path::PathBuf),
    No(tempfile::TempDir),
}

impl Kept {
    fn path(&self) -> &std::path::Path {
        match self {
            Kept::Yes(p) => p,
            Kept::No(d) => d.path(),
        }
    }
}

fn env_n(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Stats(Vec<Duration>);

impl Stats {
    fn report(mut self, name: &str, target_ms: Option<f64>) {
        self.0.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let at = |p: f64| ms(self.0[((self.0.len() as f64 - 1.0) * p).round() as usize]);
        let verdict = match target_ms {
            Some(t) if at(0.95) <= t => format!("  (target p95 ≤ {t} ms: met)"),
            Some(t) => format!("  (target p95 ≤ {t} ms: MISSED)"),
            None => String::new(),
        };
        println!(
            "{name:<44} n={:<5} p50={:>7.3} ms  p95={:>7.3} ms  p99={:>7.3} ms  max={:>7.3} ms{verdict}",
            self.0.len(),
            at(0.5),
            at(0.95),
            at(0.99),
            ms(*self.0.last().unwrap_or(&Duration::ZERO)),
        );
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// Search inputs an agent types: name, company and email prefixes, digits from numbers.
fn search_inputs(n: u64, leads: u64) -> Vec<String> {
    (0..n)
        .map(|k| {
            let h = mix(k ^ 0xABCD);
            let lead = fixtures::lead(h % leads);
            let first = lead.name.split(' ').next().unwrap_or("a").to_string();
            let last = lead.name.split(' ').nth(1).unwrap_or("b").to_string();
            let take = |s: &str, n: usize| s.chars().take(n).collect::<String>();
            match h % 6 {
                0 => take(&first, 1 + (h >> 8) as usize % 4),
                1 => take(&last, 2 + (h >> 8) as usize % 4),
                2 => take(lead.company.as_deref().unwrap_or("acme"), 3 + (h >> 8) as usize % 4),
                3 => {
                    let digits = &lead.phone_e164.as_deref().unwrap_or("+12025550100")[1..];
                    let len = 4 + (h >> 8) as usize % 4;
                    let start = (h >> 16) as usize % (digits.len() - len);
                    digits[start..start + len].to_string()
                }
                4 => format!("{first} {}", take(&last, 2)),
                _ => take(lead.email.as_deref().unwrap_or("x@y.z"), 5),
            }
        })
        .collect()
}

/// Counts the rows of a query, failing on the first error.
trait CountOk {
    fn count_ok(self) -> rusqlite::Result<usize>;
}

impl<I: Iterator<Item = rusqlite::Result<String>>> CountOk for I {
    fn count_ok(self) -> rusqlite::Result<usize> {
        let mut n = 0;
        for row in self {
            row?;
            n += 1;
        }
        Ok(n)
    }
}

fn query(s: &str) -> PageQuery<'_> {
    PageQuery { search: Some(s), limit: 50, ..PageQuery::default() }
}

fn main() -> Result<(), StoreError> {
    let n_leads = env_n("RINGDESK_BENCH_LEADS", 100_000);
    let n_calls = env_n("RINGDESK_BENCH_CALLS", 1_000_000);
    let dir = tempfile::tempdir().map_err(|e| StoreError::Io { path: "tempdir".into(), source: e })?;
    let store = Store::open(&dir.path().join("bench.db"))?;
    // RINGDESK_BENCH_KEEP=1 keeps the seeded database (its path is printed) to study query plans.
    if std::env::var_os("RINGDESK_BENCH_KEEP").is_some() {
        println!("database: {}", dir.path().join("bench.db").display());
    }
    let dir = if std::env::var_os("RINGDESK_BENCH_KEEP").is_some() { Kept::Yes(dir.keep()) } else { Kept::No(dir) };

    let (ids, took) = time(|| {
        store.write(|w| {
            (0..n_leads).map(|i| leads::insert(w, &fixtures::lead(i)).map(|l| l.id)).collect::<Result<Vec<_>, _>>()
        })
    });
    let ids = ids?;
    println!("seeded {n_leads} leads (insert + FTS + outbox, one transaction) in {:.2} s", took.as_secs_f64());

    // --- lead search ---
    let inputs = search_inputs(400, n_leads);
    for s in &inputs {
        store.read(|r| leads::page(r, &query(s)))?; // warm the page cache
    }
    let mut search = Vec::new();
    let mut hits = 0i64;
    for _ in 0..3 {
        for s in &inputs {
            let ((_, total), d) = {
                let (r, d) = time(|| store.read(|r| leads::page(r, &query(s))));
                (r?, d)
            };
            hits += total;
            if std::env::var_os("RINGDESK_BENCH_VERBOSE").is_some() && d > Duration::from_millis(5) {
                println!("  slow: {s:?} matches={total} took {:.2} ms", d.as_secs_f64() * 1000.0);
            }
            search.push(d);
        }
    }
    Stats(search).report(&format!("lead search, first page of 50, {n_leads} leads"), Some(5.0));
    println!("  (mean matches per query: {})", hits / (3 * inputs.len() as i64));

    // Anchor, same data and run: the naive search a web CRM often ships (LIKE '%q%' on each
    // column, count + first page), on a plain connection to the same file.
    let raw = rusqlite::Connection::open(dir.path().join("bench.db"))?;
    let mut naive = Vec::new();
    for s in inputs.iter().take(100) {
        let like = format!("%{s}%");
        let (r, d) = time(|| -> rusqlite::Result<()> {
            let filter =
                "deleted_at IS NULL AND (name LIKE ?1 OR company LIKE ?1 OR email LIKE ?1 OR phone_e164 LIKE ?1)";
            let _: i64 = raw.query_row(&format!("SELECT count(*) FROM leads WHERE {filter}"), [&like], |r| r.get(0))?;
            let mut stmt =
                raw.prepare_cached(&format!("SELECT id, name FROM leads WHERE {filter} ORDER BY name LIMIT 50"))?;
            let rows = stmt.query_map([&like], |r| r.get::<_, String>(0))?;
            for row in rows {
                row?;
            }
            Ok(())
        });
        r?;
        naive.push(d);
    }
    Stats(naive).report("anchor: naive LIKE '%q%' search, same data", None);

    let mut scroll = Vec::new();
    for k in 0..300u64 {
        let sort = [SortField::Name, SortField::Company, SortField::LastContact, SortField::Value][(k % 4) as usize];
        let q = PageQuery {
            sort,
            descending: k % 2 == 1,
            offset: (mix(k) % n_leads) as u32,
            limit: 100,
            ..PageQuery::default()
        };
        let (r, d) = time(|| store.read(|r| leads::page(r, &q)));
        r?;
        scroll.push(d);
    }
    Stats(scroll).report("lead table page of 100 at a random offset", None);

    // --- call history ---
    let t0 = Utc.with_ymd_and_hms(2025, 11, 25, 0, 0, 0).single().expect("valid start");
    let year_ms = 365 * 24 * 3600 * 1000i64;
    let (seeded, took) = time(|| {
        store.write(|w| {
            for i in 0..n_calls {
                let h = mix(i ^ 0x5EED);
                let started = t0 + chrono::Duration::milliseconds((h % year_ms as u64) as i64);
                let lead = &ids[(h >> 20) as usize % ids.len()];
                let call = NewCall {
                    lead_id: Some(lead.clone()),
                    route: if h.is_multiple_of(3) { "bridge" } else { "softphone" }.into(),
                    contact_number: fixtures::phone((h >> 20) % n_leads),
                    from_number: Some("+12025550100".into()),
                    provider_call_sid: None,
                    direction: if h.is_multiple_of(5) { "inbound" } else { "outbound" }.into(),
                    status: Some("completed".into()),
                    started_at: format_ts(started),
                    ended_at: None,
                    duration_seconds: Some(((h >> 8) % 900) as i64),
                };
                let id = calls::insert(w, &call)?;
                if h % 10 < 6 {
                    calls::insert_disposition(
                        w,
                        &id,
                        DISPOSITIONS[((h >> 40) % DISPOSITIONS.len() as u64) as usize],
                        Some(NOTES[((h >> 44) % NOTES.len() as u64) as usize]),
                    )?;
                }
            }
            Ok::<_, StoreError>(())
        })
    });
    seeded?;
    // Answered, except one inbound call in ten (2% of all): the "Missed" view. Set directly: the
    // benchmark's calls are not replicated.
    rusqlite::Connection::open(dir.path().join("bench.db"))?
        .execute("UPDATE call_logs SET answered_at = started_at WHERE direction = 'outbound' OR rowid % 10 <> 7", [])?;
    println!("seeded {n_calls} calls (60% with a disposition) in {:.2} s", took.as_secs_f64());

    let mut history = Vec::new();
    let windows = [7i64, 30, 90, 365];
    for k in 0..400u64 {
        let h = mix(k ^ 0xF00D);
        let days = windows[(h % 4) as usize];
        let from = t0 + chrono::Duration::days((h >> 8) as i64 % (365 - days + 1));
        let to = from + chrono::Duration::days(days);
        let (from, to) = (format_ts(from), format_ts(to));
        let disposition = if h.is_multiple_of(5) {
            None
        } else {
            Some(DISPOSITIONS[((h >> 16) % DISPOSITIONS.len() as u64) as usize])
        };
        let q = HistoryQuery { from: Some(&from), to: Some(&to), disposition, limit: 50, ..HistoryQuery::default() };
        let (rows, d) = time(|| store.read(|r| calls::history(r, &q)));
        let rows = rows?;
        history.push(d);
        if let Some(last) = rows.last() {
            let q2 = HistoryQuery { before: Some((&last.started_at, &last.id)), ..q.clone() };
            let (r, d) = time(|| store.read(|r| calls::history(r, &q2)));
            r?;
            history.push(d);
        }
    }
    Stats(history).report(&format!("call history page of 50 (date + disposition), {n_calls} calls"), Some(10.0));

    // The other filters of the History page, alone and combined, as the UI sends them: lead
    // status, direction, route, missed calls, and free text (a lead's name, their number from the
    // country code, a word of the notes, a company word).
    let mut filtered = Vec::new();
    let mut broad = Vec::new();
    for k in 0..400u64 {
        let h = mix(k ^ 0xF11E);
        let who = (h >> 8) % n_leads;
        let lead = fixtures::lead(who);
        let number = fixtures::phone(who);
        let note_word = NOTES[((h >> 20) % NOTES.len() as u64) as usize].split(' ').nth(1).unwrap_or("pricing");
        let company_word = lead.company.as_deref().and_then(|c| c.split(' ').next()).unwrap_or("Acme").to_string();
        let text: Option<String> = match k % 6 {
            0 => Some(lead.name.clone()),
            1 => Some(number[1..].to_string()),
            2 => Some(note_word.to_string()),
            3 => Some(format!("{} {company_word}", lead.name)),
            _ => None,
        };
        let status = STATUSES[((h >> 32) % STATUSES.len() as u64) as usize];
        let q = HistoryQuery {
            text: text.as_deref(),
            lead_status: (k % 3 == 0).then_some(status),
            direction: (k % 4 == 1).then_some("inbound"),
            route: (k % 5 == 2).then_some("bridge"),
            missed: k % 6 == 5,
            limit: 50,
            ..HistoryQuery::default()
        };
        let (rows, d) = time(|| store.read(|r| calls::history(r, &q)));
        let rows = rows?;
        if std::env::var_os("RINGDESK_BENCH_VERBOSE").is_some() && d > Duration::from_millis(5) {
            println!("  slow: {q:?} rows={} took {:.2} ms", rows.len(), d.as_secs_f64() * 1000.0);
        }
        filtered.push(d);
        // Broad text: a company word alone matches thousands of leads' calls.
        let q = HistoryQuery { text: Some(&company_word), limit: 50, ..HistoryQuery::default() };
        let (rows, d) = time(|| store.read(|r| calls::history(r, &q)));
        let rows = rows?;
        if std::env::var_os("RINGDESK_BENCH_VERBOSE").is_some() && d > Duration::from_millis(5) {
            println!("  slow broad: {company_word:?} rows={} took {:.2} ms", rows.len(), d.as_secs_f64() * 1000.0);
        }
        broad.push(d);
    }
    Stats(filtered).report(
        &format!("call history page of 50 (status, direction, route, missed, text), {n_calls} calls"),
        Some(10.0),
    );
    Stats(broad)
        .report(&format!("call history page of 50, one company word (broad text), {n_calls} calls"), Some(10.0));

    // Anchor, same data and run: the seed checklist's history query (join dispositions, filter
    // on the joined type), first pages only.
    let mut seed_query = Vec::new();
    for k in 0..100u64 {
        let h = mix(k ^ 0xF00D);
        let days = windows[(h % 4) as usize];
        let from = format_ts(t0 + chrono::Duration::days((h >> 8) as i64 % (365 - days + 1)));
        let to = format_ts(t0 + chrono::Duration::days((h >> 8) as i64 % (365 - days + 1) + days));
        let disposition = DISPOSITIONS[((h >> 16) % DISPOSITIONS.len() as u64) as usize];
        let (r, d) = time(|| -> rusqlite::Result<usize> {
            let mut stmt = raw.prepare_cached(
                "SELECT cl.id, cd.disposition_type, cd.notes, l.name, l.company FROM call_logs cl
                 LEFT JOIN call_dispositions cd ON cd.call_log_id = cl.id
                 LEFT JOIN leads l ON l.id = cl.lead_id
                 WHERE cl.started_at >= ?1 AND cl.started_at < ?2 AND cd.disposition_type = ?3
                 ORDER BY cl.started_at DESC LIMIT 50",
            )?;
            let rows = stmt.query_map(rusqlite::params![from, to, disposition], |r| r.get::<_, String>(0))?;
            rows.count_ok()
        });
        r?;
        seed_query.push(d);
    }
    Stats(seed_query).report("anchor: the seed's join-and-filter history query", None);

    // The wrap-up step's save (disposition + follow-up + the lead's mapped status + their outbox
    // entries, one transaction with synchronous=FULL) on the 1M-call database, beside the smallest
    // write transaction the app makes (one call log and its outbox entry).
    let mut saves = Vec::new();
    let mut bare = Vec::new();
    for k in 0..200u64 {
        let lead = ids[(mix(k ^ 0xD15) as usize) % ids.len()].clone();
        let call = NewCall {
            lead_id: Some(lead),
            route: "softphone".into(),
            contact_number: fixtures::phone(k),
            direction: "outbound".into(),
            status: Some("completed".into()),
            started_at: format_ts(t0 + chrono::Duration::days(400)),
            ..NewCall::default()
        };
        let (id, d) = time(|| store.write(|w| calls::insert(w, &call)));
        let id = id?;
        bare.push(d);
        let (r, d) = time(|| {
            store.write(|w| {
                calls::dispose(
                    w,
                    &calls::Disposition {
                        call_log_id: &id,
                        disposition_type: "interested",
                        notes: Some("Wants pricing for 20 seats; call after 3pm"),
                        next_action: Some("call_back"),
                        follow_up_date: Some("2027-01-05T15:00:00.000Z"),
                        created_by: None,
                        lead_status: Some(if k % 2 == 0 { "qualified" } else { "contacted" }),
                    },
                )
            })
        });
        r?;
        saves.push(d);
    }
    Stats(saves).report("disposition save (+ follow-up, lead status, outbox), 1M calls", Some(20.0));
    Stats(bare).report("anchor: logging one call (smallest write transaction)", None);
    Ok(())
}
