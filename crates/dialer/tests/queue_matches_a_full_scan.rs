//! Properties: the indexed queue hands out the same next lead as a full scan of every lead, in
//! every order it indexes, whatever the calls' outcomes, skips and clock jumps (backwards too);
//! and a session over the indexed queue takes the same actions as one over the full scan.

use std::cell::RefCell;
use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use ringdesk_dialer::places::Places;
use ringdesk_dialer::queue::Queue;
use ringdesk_dialer::rules::{Campaign, Lead, next_retry};
use ringdesk_dialer::session::{Action, Context, Leads, Mode, Order, QueueEntry, Session, upcoming};

const NUMBERS: &[&str] =
    &["+12015550100", "+12135550100", "+12082910100", "+13055550100", "+14055550100", "+18085550100"];
const OUTCOMES: &[&str] = &["busy", "no_answer", "voicemail", "failed", "interested", "wrong_number"];
const ORDERS: [Order; 3] = [Order::List, Order::OldestContactFirst, Order::HighestValueFirst];

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-06T14:00:00Z").expect("a time").with_timezone(&Utc)
}

#[derive(Debug, Clone)]
enum Step {
    Jump(i64),
    Call(usize),
    Skip,
}

fn entries_of(leads: &[(usize, u32, Option<i64>, Option<u32>)]) -> Vec<QueueEntry> {
    leads
        .iter()
        .enumerate()
        .map(|(i, (n, attempts, contact, cents))| QueueEntry {
            id: format!("lead-{i}"),
            position: i as u32,
            last_contact: contact.map(|s| start() - Duration::seconds(s * 60)),
            value: cents.map(|c| f64::from(c) / 100.0),
            lead: Lead {
                status: "new".into(),
                phone_e164: Some(NUMBERS[*n].into()),
                attempts: *attempts,
                ..Lead::default()
            },
        })
        .collect()
}

fn lead_of(action: &Action) -> Option<String> {
    match action {
        Action::Show { lead_id, .. } | Action::DialAt { lead_id, .. } | Action::Dial { lead_id, .. } => {
            Some(lead_id.clone())
        }
        _ => None,
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![(-240i64..1500).prop_map(Step::Jump), (0..OUTCOMES.len()).prop_map(Step::Call), Just(Step::Skip),]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn the_queue_agrees_with_a_full_scan(
        leads in proptest::collection::vec((0..NUMBERS.len(), 0u32..3, proptest::option::of(0i64..100_000), proptest::option::of(0u32..100_000)), 1..30),
        order in 0..ORDERS.len(),
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let order = ORDERS[order];
        let campaign = Campaign::new(chrono_tz::America::Chicago);
        let places = Places::embedded();
        let entries = entries_of(&leads);
        let mut now = start();
        let mut queue = Queue::new(entries, order, &campaign, places, now);
        let mut skipped: HashSet<String> = HashSet::new();
        for step in steps {
            let indexed = queue.next(&campaign, places, now).map(|(e, _)| e.id.clone());
            let cx = Context { queue: Leads::All(queue.entries()), campaign: &campaign, places, now };
            let scanned = upcoming(&cx, order, &skipped, 1).into_iter().next().map(|(id, _)| id);
            prop_assert_eq!(&indexed, &scanned, "at {}", now);
            match step {
                Step::Jump(minutes) => now += Duration::minutes(minutes),
                Step::Skip => {
                    if let Some(id) = indexed {
                        queue.skip(&id);
                        skipped.insert(id);
                    }
                }
                Step::Call(outcome) => {
                    let Some((entry, placement)) = queue.next(&campaign, places, now) else { continue };
                    let (id, mut lead) = (entry.id.clone(), entry.lead.clone());
                    lead.attempts += 1;
                    lead.recent_calls.push(now);
                    lead.last_outcome = Some(OUTCOMES[outcome].into());
                    lead.next_retry_at = next_retry(OUTCOMES[outcome], now + Duration::seconds(90), &campaign, &placement);
                    queue.update(&id, lead, &campaign, places, now);
                }
            }
        }
    }

    #[test]
    fn a_session_over_the_queue_acts_as_one_over_a_full_scan(
        leads in proptest::collection::vec((0..NUMBERS.len(), 0u32..3, proptest::option::of(0i64..100_000), proptest::option::of(0u32..100_000)), 1..30),
        order in 0..ORDERS.len(),
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let order = ORDERS[order];
        let campaign = Campaign::new(chrono_tz::America::Chicago);
        let places = Places::embedded();
        let mut all = entries_of(&leads);
        let mut now = start();
        let queue = RefCell::new(Queue::new(all.clone(), order, &campaign, places, now));
        let (mut scan, mut indexed) = (Session::new(Mode::Preview, order), Session::new(Mode::Preview, order));
        let mut a = scan.advance(&Context { queue: Leads::All(&all), campaign: &campaign, places, now });
        let mut b = indexed.advance(&Context { queue: Leads::Indexed(&queue), campaign: &campaign, places, now });
        for step in steps {
            prop_assert_eq!(&a, &b, "at {}", now);
            let current = lead_of(&a);
            match step {
                Step::Jump(minutes) => {
                    now += Duration::minutes(minutes);
                    a = scan.tick(&Context { queue: Leads::All(&all), campaign: &campaign, places, now });
                    b = indexed.tick(&Context { queue: Leads::Indexed(&queue), campaign: &campaign, places, now });
                    if matches!(a, Action::Nothing) && scan.current().is_none() {
                        a = scan.advance(&Context { queue: Leads::All(&all), campaign: &campaign, places, now });
                        b = indexed.advance(&Context { queue: Leads::Indexed(&queue), campaign: &campaign, places, now });
                    }
                }
                Step::Skip => {
                    a = scan.skip(&Context { queue: Leads::All(&all), campaign: &campaign, places, now });
                    b = indexed.skip(&Context { queue: Leads::Indexed(&queue), campaign: &campaign, places, now });
                }
                Step::Call(outcome) => {
                    let Some(id) = current else { continue };
                    a = scan.dial_now(&Context { queue: Leads::All(&all), campaign: &campaign, places, now });
                    b = indexed.dial_now(&Context { queue: Leads::Indexed(&queue), campaign: &campaign, places, now });
                    prop_assert_eq!(&a, &b, "the dial at {}", now);
                    let Action::Dial { placement, .. } = &a else { continue };
                    let i = all.iter().position(|e| e.id == id).expect("the dialed lead is in the campaign");
                    let lead = &mut all[i].lead;
                    lead.attempts += 1;
                    lead.recent_calls.push(now);
                    lead.last_outcome = Some(OUTCOMES[outcome].into());
                    lead.next_retry_at = next_retry(OUTCOMES[outcome], now + Duration::seconds(90), &campaign, placement);
                    queue.borrow_mut().replace(all[i].clone(), &campaign, places, now);
                    a = scan.wrap_up_saved(&Context { queue: Leads::All(&all), campaign: &campaign, places, now });
                    b = indexed.wrap_up_saved(&Context { queue: Leads::Indexed(&queue), campaign: &campaign, places, now });
                }
            }
        }
        prop_assert_eq!(&a, &b, "at the end, {}", now);
    }
}
