//! Bench binary: one step of an agent's campaign session through the facade the window calls
//! (`campaign_session`: the leads written since the last step re-read from SQLite, the engine's
//! next lead from its index, the view with the next five, the waiting and the passed-over
//! leads), on campaigns of 1k, 10k and 100k leads, release build:
//!
//!     cargo bench -p ringdesk-app --bench campaign_step
//!
//! Three steps are timed: a poll (`Refresh`, nothing changed), a skip to the next lead, and a
//! skip after one lead was written (as a saved wrap-up writes the called lead's attempt and
//! log), which re-reads that lead and decides every lead again for the view's figures. Beside
//! them, in the same run, the read of all the campaign's members (what every step cost before
//! the session kept them) and the first step, which reads them.

use std::sync::Arc;
use std::time::Instant;

use ringdesk_app::App;
use ringdesk_app::ipc::{CampaignAction, CampaignDraft, DialMode, SessionCommand};
use ringdesk_app::keychain::MemorySecretStore;
use ringdesk_store::{fixtures, leads, lists};

fn percentile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let zone = ringdesk_testkit::zone_at(12);
    for n in [1_000u64, 10_000, 100_000] {
        let dir = tempfile::tempdir().expect("temp dir");
        let app = App::open(&dir.path().join("r.db"), Arc::new(MemorySecretStore::default())).expect("app");
        let list = app
            .store()
            .write(|w| {
                let list = lists::create(w, "Bench", None)?;
                for i in 0..n {
                    let lead = leads::NewLead { timezone: Some(zone.clone()), ..fixtures::lead(i) };
                    let id = leads::insert(w, &lead)?.id;
                    lists::add_member(w, &list, &id)?;
                }
                Ok::<_, ringdesk_store::StoreError>(list)
            })
            .expect("seeded");
        let c = app
            .create_campaign(&CampaignDraft {
                name: "Bench".into(),
                list_id: list,
                mode: DialMode::Preview,
                ..CampaignDraft::default()
            })
            .expect("campaign");
        app.campaign_action(&c.id, CampaignAction::Start).expect("started");
        let t = Instant::now();
        let s = app.campaign_session(&c.id, SessionCommand::Refresh).expect("first step");
        let first = t.elapsed().as_secs_f64() * 1e3;
        assert_eq!(s.progress.total as u64, n, "every lead counted");
        println!("campaign_session, {n:>6} leads: first step (reads every member) {first:>8.1} ms");
        let time = |label: &str, command: SessionCommand, write: bool| {
            let mut times = Vec::new();
            for round in 0..22 {
                if write {
                    let lead = s.upcoming.get(round % s.upcoming.len().max(1)).map(|l| l.lead_id.clone());
                    app.store()
                        .write(|w| {
                            let agent = format!("agent-{round}");
                            leads::set_assignee(w, lead.as_deref().unwrap_or_default(), Some(&agent))
                        })
                        .expect("a lead written");
                }
                let t = Instant::now();
                let step = app.campaign_session(&c.id, command).expect("step");
                let ms = t.elapsed().as_secs_f64() * 1e3;
                assert!(step.lead.is_some(), "a lead is offered");
                if round >= 2 {
                    times.push(ms);
                }
            }
            let (p50, p95) = (percentile(&mut times, 0.5), percentile(&mut times, 0.95));
            println!("  {label:<44} p50 {p50:>8.2} ms  p95 {p95:>8.2} ms");
        };
        time("poll (Refresh), nothing changed", SessionCommand::Refresh, false);
        time("skip to the next lead", SessionCommand::Skip, false);
        time("skip after one lead was written", SessionCommand::Skip, true);
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
        println!("  anchor: the read of every member (SQLite)    p50 {r50:>8.2} ms  p95 {r95:>8.2} ms");
    }
}
