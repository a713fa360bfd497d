//! Replication speed against a real PostgreSQL on loopback (a throwaway cluster), each number
//! beside an anchor measured in the same run on the same database:
//!
//! - initial pull of 100,000 leads into an empty desktop (target ≤ 10 s); anchor: the server
//!   alone turning the same rows into JSON and sending them (`jsonb_agg(to_jsonb(...))`);
//! - push of 10,000 queued call logs (target ≤ 5 s); anchor: one `INSERT ... SELECT` of 10,000
//!   call logs;
//! - an idle sync cycle (nothing to push or pull; target ≤ 50 ms); anchor: `select 1` on a
//!   connection of the same role;
//! - a fresh desktop pulling 20,000 leads with a call log each after every lead was renamed (so
//!   every call arrives before its lead and waits for it); anchor: the same rows pulled before
//!   the renames, parents first.
//!
//! `cargo bench -p ringdesk-sync --bench replication` (release build).

use std::time::{Duration, Instant};

use ringdesk_store::{Store, calls};
use ringdesk_sync::{PgTransport, Syncer, SyncerOptions};
use ringdesk_testkit::postgres::PgCluster;

const AGENT: &str = "0190a000-0000-7000-8000-00000000000a";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let cluster = PgCluster::start().expect("postgres");
    let db = cluster.create_database("bench", None).expect("db");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    rt.block_on(ringdesk_sync::backend::migrate(&cluster.url(&db, "postgres"))).expect("migrations");
    cluster.ensure_role("agent_a", &["ringdesk_agent"]).expect("role");
    cluster.psql(&db, &format!("insert into sync.agent_role values ('agent_a', '{AGENT}')")).expect("map");
    cluster
        .psql(
            &db,
            &format!(
                "insert into crm_leads(user_id, name, email, phone, company, position, status, value, source, notes)
                 select '{AGENT}', 'Lead ' || g, 'lead' || g || '@example.com', '+1202555' || lpad((g % 10000)::text, 4, '0'),
                        'Company ' || (g % 997), 'Buyer', 'new', g % 5000, 'bench', 'Met at the fair; call after 3pm'
                 from generate_series(1, 100000) g; analyze;"
            ),
        )
        .expect("100k leads");
    let url = cluster.url(&db, "agent_a");

    // Anchor for the pull: the server producing the same rows as JSON, streamed to a client.
    let anchor_pull = rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connect");
        tokio::spawn(conn);
        let t = Instant::now();
        let rows = client
            .simple_query("select jsonb_agg(to_jsonb(x))::text from crm_leads x")
            .await
            .expect("json of all leads");
        assert!(!rows.is_empty(), "an answer");
        t.elapsed()
    });

    // The transport alone: every page of the pull fetched and parsed, nothing stored.
    let transport_only = rt.block_on(async {
        use ringdesk_sync::Transport;
        let t = PgTransport::new(&url).expect("url");
        let start = Instant::now();
        let mut cursor = "0:0:00000000-0000-0000-0000-000000000000".to_string();
        loop {
            let page = t.pull(&cursor, None, SyncerOptions::default().pull_page).await.expect("page");
            cursor = page["next"].as_str().expect("next").to_string();
            if !page["more"].as_bool().unwrap_or(false) {
                break;
            }
        }
        start.elapsed()
    });

    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&dir.path().join("bench.db")).expect("store");
    let syncer = Syncer::new(PgTransport::new(&url).expect("url"), SyncerOptions::default());
    let t = Instant::now();
    let report = rt.block_on(syncer.cycle(&store, &|_| {})).expect("initial pull");
    let pull = t.elapsed();
    let pull_split = (report.backend_time, report.apply_time);
    assert_eq!(report.pulled, 100_000, "every lead pulled");
    let pulled_leads = store.read(|r| ringdesk_store::leads::count(r)).expect("count");
    assert_eq!(pulled_leads, 100_000, "every lead stored");

    // Push of 10,000 queued call logs (one local transaction each, as calls are logged).
    for i in 0..10_000 {
        let call = calls::NewCall {
            route: "softphone".into(),
            contact_number: format!("+1312555{:04}", i % 10_000),
            direction: "outbound".into(),
            started_at: "2026-11-29T10:00:00.000Z".into(),
            duration_seconds: Some(60),
            ..Default::default()
        };
        store.write(|w| calls::insert(w, &call)).expect("queue a call log");
    }
    let t = Instant::now();
    let report = rt.block_on(syncer.cycle(&store, &|_| {})).expect("push");
    let push = t.elapsed();
    let push_backend = report.backend_time;
    assert_eq!(report.pushed, 10_000, "every call log pushed");
    let anchor_push = {
        let t = Instant::now();
        cluster
            .psql(
                &db,
                &format!(
                    "insert into call_logs(user_id, contact_number, direction, route, started_at, duration_seconds)
                     select '{AGENT}', '+1312555' || lpad(g::text, 4, '0'), 'outbound', 'softphone', now(), 60
                     from generate_series(1, 10000) g"
                ),
            )
            .expect("anchor insert");
        t.elapsed()
    };

    // Idle cycles.
    let mut idle = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        rt.block_on(syncer.cycle(&store, &|_| {})).expect("idle cycle");
        idle.push(t.elapsed());
    }
    let mut select1 = Vec::new();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connect");
        tokio::spawn(conn);
        for _ in 0..200 {
            let t = Instant::now();
            client.simple_query("select 1").await.expect("select 1");
            select1.push(t.elapsed());
        }
    });
    // Children before parents: 20,000 leads with a call each, pulled by a fresh desktop before and
    // after every lead is renamed in a later transaction.
    let order_db = cluster.create_database("order", None).expect("db");
    rt.block_on(ringdesk_sync::backend::migrate(&cluster.url(&order_db, "postgres"))).expect("migrations");
    cluster.psql(&order_db, &format!("insert into sync.agent_role values ('agent_a', '{AGENT}')")).expect("map");
    cluster
        .psql(
            &order_db,
            &format!(
                "insert into crm_leads(user_id, name, phone, status)
                 select '{AGENT}', 'Lead ' || g, '+1202555' || lpad((g % 10000)::text, 4, '0'), 'new'
                   from generate_series(1, 20000) g;
                 insert into call_logs(user_id, lead_id, contact_number, direction, status, started_at)
                 select '{AGENT}', id, phone, 'outbound', 'completed', now() from crm_leads; analyze;"
            ),
        )
        .expect("leads and calls");
    let order_url = cluster.url(&order_db, "agent_a");
    let fresh_pull = || {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("order.db")).expect("store");
        let syncer = Syncer::new(PgTransport::new(&order_url).expect("url"), SyncerOptions::default());
        let t = Instant::now();
        let report = rt.block_on(syncer.cycle(&store, &|_| {})).expect("pull");
        let took = t.elapsed();
        assert_eq!(report.pulled, 40_000, "every lead and call pulled");
        assert_eq!(report.issues, 0, "every call found its lead");
        took
    };
    let parents_first = fresh_pull();
    cluster.psql(&order_db, "update crm_leads set name = name || ' (renamed)'").expect("rename every lead");
    let children_first = fresh_pull();

    idle.sort();
    select1.sort();
    let p = |v: &[Duration], q: f64| ms(v[((v.len() - 1) as f64 * q).round() as usize]);

    println!("initial pull of 100,000 leads        {:>8.0} ms   (target ≤ 10000 ms)", ms(pull));
    println!(
        "  anchor: server JSON of the same rows {:>6.0} ms   ratio {:.1}x",
        ms(anchor_pull),
        ms(pull) / ms(anchor_pull)
    );
    println!("  of which fetching the pages alone   {:>7.0} ms", ms(transport_only));
    println!("  in the cycle: backend {:.0} ms, applying locally {:.0} ms", ms(pull_split.0), ms(pull_split.1));
    println!("push of 10,000 queued call logs      {:>8.0} ms   (target ≤ 5000 ms)", ms(push));
    println!("  in the cycle: backend {:.0} ms", ms(push_backend));
    println!(
        "  anchor: one INSERT ... SELECT 10k   {:>7.0} ms   ratio {:.1}x",
        ms(anchor_push),
        ms(push) / ms(anchor_push)
    );
    println!(
        "idle sync cycle (push + pull)         p50 {:>5.2} ms  p95 {:>5.2} ms  max {:>5.2} ms  (target ≤ 50 ms)",
        p(&idle, 0.5),
        p(&idle, 0.95),
        p(&idle, 1.0)
    );
    println!(
        "  anchor: select 1 round trip         p50 {:>5.2} ms  p95 {:>5.2} ms",
        p(&select1, 0.5),
        p(&select1, 0.95)
    );
    println!(
        "fresh pull, 20k calls before their 20k leads {:>6.0} ms   anchor: parents first {:.0} ms   ratio {:.2}x",
        ms(children_first),
        ms(parents_first),
        ms(children_first) / ms(parents_first)
    );
}
