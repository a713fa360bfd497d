//! Bench binary: one step of an agent's campaign session through the facade the window calls
//! (`campaign_session`: the list's members with their progress read from SQLite, the engine's
//! next lead, the view with the next five, the waiting and the passed-over leads), on campaigns
//! of 1k, 10k and 100k leads, release build:
//!
//!     cargo bench -p ringdesk-app --bench campaign_step
//!
//! Beside it, in the same run, the read of the campaign's members alone (the SQLite share).

use std::sync::Arc;
use std::time::Instant;

use ringdesk_app::App;
use ringdesk_app::ipc::{CampaignAction, CampaignDraft, SessionCommand};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_store::{fixtures, leads, lists};

fn percentile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    for n in [1_000u64, 10_000, 100_000] {
        let dir = tempfile::tempdir().expect("temp dir");
        let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("app");
        let list = app
            .store()
            .write(|w| {
                let list = lists::create(w, "Bench", None)?;
                for i in 0..n {
                    let id = leads::insert(w, &fixtures::lead(i))?.id;
                    lists::add_member(w, &list, &id)?;
                }
                Ok::<_, ringdesk_store::StoreError>(list)
            })
            .expect("seeded");
        let c = app
            .create_campaign(&CampaignDraft { name: "Bench".into(), list_id: list, ..CampaignDraft::default() })
            .expect("campaign");
        app.campaign_action(&c.id, CampaignAction::Start).expect("started");
        let mut times = Vec::new();
        for round in 0..12 {
            let t = Instant::now();
            let s = app.campaign_session(&c.id, SessionCommand::Refresh).expect("step");
            let ms = t.elapsed().as_secs_f64() * 1e3;
            assert_eq!(s.progress.total as u64, n, "every lead counted");
            if round >= 2 {
                times.push(ms);
            }
        }
        let (p50, p95) = (percentile(&mut times, 0.5), percentile(&mut times, 0.95));
        println!("campaign_session step, {n:>6} leads: p50 {p50:>8.1} ms  p95 {p95:>8.1} ms");
        let mut reads = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let m = app
                .store()
                .read(|r| ringdesk_store::campaigns::members(r, &c.id, "2000-01-01T00:00:00.000Z"))
                .expect("members");
            reads.push(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(m.len() as u64, n);
        }
        let (r50, r95) = (percentile(&mut reads, 0.5), percentile(&mut reads, 0.95));
        println!("  of which the members' read (SQLite):    p50 {r50:>8.1} ms  p95 {r95:>8.1} ms");
    }
}
