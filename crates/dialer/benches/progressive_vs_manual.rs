//! Bench binary: one agent works 1,000 leads for a day in virtual time, in progressive mode (the
//! engine's `Session` picks and dials the next lead) and by manual click-to-dial from the lead
//! table. It prints dials per hour, talk minutes per hour and where the agent's time went, to
//! show whether progressive reaches the seed's "3× the call volume".
//!
//!     cargo bench -p ringdesk-dialer --bench progressive_vs_manual
//!
//! The assumptions, with their sources (docs/reference/dialer.md):
//! - a dial reaches a person 5 % of the time (Orum, 1.5 M SDR calls: 4.6–5.5 % connect rate);
//!   the conversation lasts 3 min (assumed: a first sales call; the sources give no average);
//! - of the rest, 5 % are busy (3 s to the busy tone), 35 % reach voicemail after 20 s of
//!   ringing, and the others ring out after 30 s (the rules ask for at least 15 s; 30 s is a
//!   common default) — assumed shares, stated so they can be changed;
//! - at voicemail, the agent leaves a 25-s message by hand; in progressive mode the voicemail
//!   drop frees the agent at once (the message plays on by itself);
//! - wrap-up: 10 s after a call nobody answered, 45 s after a conversation (assumed);
//! - call set-up: 2 s from the dial to the first ring (the network; Ringdesk's own part, the
//!   click to the far phone ringing, is 9 ms at p95: BENCHMARKS.md, "Call latency through the
//!   real window");
//! - manual: before each dial the agent finds the next lead to call in the table, reads its
//!   record and clicks: 20 s (assumed: the lookup the power dialer removes);
//! - progressive: a 2-s countdown after the wrap-up is saved;
//! - the campaign's rules are the engine's defaults: 3 attempts, busy again after 1 h, no answer
//!   after 4 h, voicemail the next day; all leads in New York, an 8-hour shift from 09:00.

use chrono::{DateTime, Duration, Utc};
use ringdesk_dialer::places::Places;
use ringdesk_dialer::rules::{Campaign, Lead, eligibility, next_retry};
use ringdesk_dialer::session::{Action, Context, Leads, Mode, Order, QueueEntry, Session};

const LEADS: usize = 1_000;
const SHIFT_HOURS: i64 = 8;
const DAYS: u64 = 30;

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Connect,
    Busy,
    Voicemail,
    NoAnswer,
}

impl Outcome {
    fn key(self) -> &'static str {
        match self {
            Outcome::Connect => "interested",
            Outcome::Busy => "busy",
            Outcome::Voicemail => "voicemail",
            Outcome::NoAnswer => "no_answer",
        }
    }
}

/// A deterministic stream of outcomes with the stated shares.
struct Dice(u64);

impl Dice {
    fn roll(&mut self) -> Outcome {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let p = (self.0 >> 33) as f64 / (1u64 << 31) as f64;
        if p < 0.05 {
            Outcome::Connect
        } else if p < 0.05 + 0.95 * 0.05 {
            Outcome::Busy
        } else if p < 0.05 + 0.95 * 0.40 {
            Outcome::Voicemail
        } else {
            Outcome::NoAnswer
        }
    }
}

#[derive(Debug, Default)]
struct Tally {
    dials: u32,
    connects: u32,
    lookup: i64,
    setup: i64,
    ringing: i64,
    voicemail_messages: i64,
    talk: i64,
    wrap_up: i64,
    countdown: i64,
    waiting: i64,
}

impl Tally {
    fn report(&self, name: &str) {
        let hours = (SHIFT_HOURS * DAYS as i64) as f64;
        let min = |s: i64| s as f64 / 60.0;
        println!(
            "{name}: {} dials over {DAYS} shifts ({:.1}/h), {} conversations, talk {:.1} min/h",
            self.dials,
            f64::from(self.dials) / hours,
            self.connects,
            min(self.talk) / hours
        );
        println!(
            "  per hour (min): lookup {:.1}, set-up {:.1}, ringing {:.1}, voicemail messages {:.1}, talk {:.1}, wrap-up {:.1}, countdown {:.1}, no lead to call {:.1}",
            min(self.lookup) / hours,
            min(self.setup) / hours,
            min(self.ringing) / hours,
            min(self.voicemail_messages) / hours,
            min(self.talk) / hours,
            min(self.wrap_up) / hours,
            min(self.countdown) / hours,
            min(self.waiting) / hours,
        );
    }
}

/// One call from the dial to the saved wrap-up; returns how long the agent spent on it.
fn call(outcome: Outcome, progressive: bool, t: &mut Tally) -> i64 {
    t.dials += 1;
    let setup = 2;
    let (ring, after) = match outcome {
        Outcome::Connect => {
            t.connects += 1;
            t.talk += 180;
            (8, 180)
        }
        Outcome::Busy => (3, 0),
        Outcome::Voicemail if progressive => (20, 0),
        Outcome::Voicemail => {
            t.voicemail_messages += 25;
            (20, 25)
        }
        Outcome::NoAnswer => (30, 0),
    };
    let wrap = if matches!(outcome, Outcome::Connect) { 45 } else { 10 };
    t.setup += setup;
    t.ringing += ring;
    t.wrap_up += wrap;
    setup + ring + after + wrap
}

fn queue() -> Vec<QueueEntry> {
    (0..LEADS)
        .map(|i| QueueEntry {
            id: format!("lead-{i}"),
            position: i as u32,
            lead: Lead {
                status: "new".into(),
                phone_e164: Some(format!("+1212{:07}", 2_000_000 + i)),
                ..Lead::default()
            },
            ..QueueEntry::default()
        })
        .collect()
}

fn record(
    entries: &mut [QueueEntry],
    id: &str,
    outcome: Outcome,
    at: DateTime<Utc>,
    campaign: &Campaign,
    places: &Places,
) {
    let Some(e) = entries.iter_mut().find(|e| e.id == id) else { return };
    let Ok(placement) = eligibility(&e.lead, campaign, places, at)
        .or_else(|_| ringdesk_dialer::rules::place(&e.lead, campaign, places))
    else {
        return;
    };
    e.lead.attempts += 1;
    e.lead.recent_calls.push(at);
    e.lead.last_outcome = Some(outcome.key().into());
    e.lead.next_retry_at = next_retry(outcome.key(), at, campaign, &placement);
}

fn progressive(start: DateTime<Utc>, campaign: &Campaign, places: &Places, seed: u64, t: &mut Tally) {
    let mut dice = Dice(seed);
    let mut entries = queue();
    let end = start + Duration::hours(SHIFT_HOURS);
    let mut now = start;
    let mut session = Session::new(Mode::progressive(Duration::seconds(2)), Order::List);
    let mut action = session.advance(&Context { queue: Leads::All(&entries), campaign, places, now });
    while now < end {
        let cx = Context { queue: Leads::All(&entries), campaign, places, now };
        action = match action {
            Action::DialAt { at, .. } => {
                t.countdown += (at - now).num_seconds();
                now = at;
                session.tick(&Context { queue: Leads::All(&entries), campaign, places, now })
            }
            Action::Dial { lead_id, .. } => {
                let outcome = dice.roll();
                let spent = call(outcome, true, t);
                let ended = now + Duration::seconds(spent);
                record(&mut entries, &lead_id, outcome, ended, campaign, places);
                now = ended;
                session.wrap_up_saved(&Context { queue: Leads::All(&entries), campaign, places, now })
            }
            Action::Wait { until: Some(until) } if until < end => {
                t.waiting += (until - now).num_seconds();
                now = until;
                session.tick(&Context { queue: Leads::All(&entries), campaign, places, now })
            }
            Action::Show { .. } => session.dial_now(&cx),
            Action::Wait { .. } | Action::Finished | Action::Nothing => {
                t.waiting += (end - now).num_seconds();
                break;
            }
        };
    }
}

/// Manual click-to-dial: the agent works down the table, calling each lead the rules allow now
/// (the same rules, applied by the agent), with a lookup before each dial.
fn manual(start: DateTime<Utc>, campaign: &Campaign, places: &Places, seed: u64, t: &mut Tally) {
    // RINGDESK_SIM_LOOKUP_S: another lookup time per dial, in seconds.
    let lookup: i64 = std::env::var("RINGDESK_SIM_LOOKUP_S").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let mut dice = Dice(seed);
    let mut entries = queue();
    let end = start + Duration::hours(SHIFT_HOURS);
    let mut now = start;
    while now < end {
        let next = entries.iter().find(|e| eligibility(&e.lead, campaign, places, now).is_ok()).map(|e| e.id.clone());
        let Some(id) = next else {
            t.waiting += 60;
            now += Duration::seconds(60);
            continue;
        };
        t.lookup += lookup;
        now += Duration::seconds(lookup);
        let outcome = dice.roll();
        let spent = call(outcome, false, t);
        now += Duration::seconds(spent);
        record(&mut entries, &id, outcome, now, campaign, places);
    }
}

fn main() {
    let campaign = Campaign::new(chrono_tz::America::New_York);
    let places = Places::embedded();
    // Tuesday 2026-07-07, 09:00 in New York.
    let start = DateTime::parse_from_rfc3339("2026-07-07T13:00:00Z").expect("a time").with_timezone(&Utc);
    // Each mode works the same 1,000 fresh leads on DAYS separate days (a different outcome
    // stream each), so the few conversations a day do not decide the comparison.
    let (mut p, mut m) = (Tally::default(), Tally::default());
    for seed in 1..=DAYS {
        progressive(start, &campaign, places, seed, &mut p);
        manual(start, &campaign, places, seed, &mut m);
    }
    p.report("progressive (2-s countdown, voicemail drop)");
    m.report("manual click-to-dial (lookup per dial: RINGDESK_SIM_LOOKUP_S, default 20 s)");
    println!(
        "progressive / manual: {:.2}x the dials, {:.2}x the talk time",
        f64::from(p.dials) / f64::from(m.dials.max(1)),
        p.talk as f64 / m.talk.max(1) as f64
    );
}
