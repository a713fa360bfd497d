//! A process for the crash tests to kill -9 (tests/crash.rs): it writes or syncs in a loop and
//! reports progress on stdout, so the test can kill it at a known point. A binary rather than an
//! example so that cargo builds it for the integration tests (`CARGO_BIN_EXE_...`); it is not
//! part of the product.
//!
//! `ringdesk-sync-crash-child write DB` — local writes forever: each one transaction with a lead, a call log and
//!   their outbox mutations; prints `wrote N` after each.
//! `ringdesk-sync-crash-child pull DB URL PAGE` — sync cycles with PAGE rows per pull page; prints `pulled N`
//!   after each applied page.

use ringdesk_store::{Store, calls, leads};
use ringdesk_sync::{PgTransport, Syncer, SyncerOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let db = std::path::Path::new(args.get(2).map(String::as_str).unwrap_or("child.db")).to_path_buf();
    let store = Store::open(&db).unwrap_or_else(|e| panic!("open {}: {e}", db.display()));
    match args.get(1).map(String::as_str) {
        Some("write") => {
            for n in 1u64.. {
                store
                    .write(|w| {
                        let lead = leads::insert(
                            w,
                            &leads::NewLead {
                                name: format!("Crash {n}"),
                                phone: Some("+12025550199".into()),
                                ..Default::default()
                            },
                        )?;
                        let call = calls::NewCall {
                            lead_id: Some(lead.id),
                            route: "softphone".into(),
                            contact_number: "+12025550199".into(),
                            direction: "outbound".into(),
                            started_at: "2026-11-29T10:00:00.000Z".into(),
                            ..Default::default()
                        };
                        calls::insert(w, &call)?;
                        Ok::<_, ringdesk_store::StoreError>(())
                    })
                    .unwrap_or_else(|e| panic!("write: {e}"));
                println!("wrote {n}");
            }
        }
        Some("pull") => {
            let url = args.get(3).cloned().unwrap_or_default();
            let page: u32 = args.get(4).and_then(|p| p.parse().ok()).unwrap_or(500);
            let rt =
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"));
            let transport = PgTransport::new(&url).unwrap_or_else(|e| panic!("{e}"));
            let syncer = Syncer::new(
                transport,
                SyncerOptions { pull_page: page, apply_batch: page as usize, ..SyncerOptions::default() },
            );
            loop {
                rt.block_on(syncer.cycle(&store, &|p| println!("pulled {}", p.done)))
                    .unwrap_or_else(|e| panic!("sync: {e}"));
            }
        }
        _ => eprintln!("usage: ringdesk-sync-crash-child write DB | pull DB URL PAGE"),
    }
}
