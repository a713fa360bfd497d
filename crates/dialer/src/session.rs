//! An agent's dialing session: which lead comes next, in which order, and when it is dialed.
//!
//! Preview: the next lead's card is shown and the agent presses Dial or Skip. Progressive: the
//! next eligible lead is dialed by itself once the wrap-up is saved, after a countdown the agent
//! sets (0–30 s); there is never more than one call per agent, so nobody answers into silence.
//! The session re-checks a lead at the instant it dials it: a lead the last pull marked Do Not
//! Call, or whose window closed during the countdown, is passed over.

use std::cell::RefCell;
use std::collections::HashSet;

use chrono::{DateTime, Duration, Timelike, Utc};

use crate::places::Places;
use crate::queue::Queue;
pub use crate::queue::{Order, QueueEntry};
use crate::rules::{Blocked, Campaign, Placement, eligibility};

/// How the next call starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Preview,
    /// Dialed by itself `countdown` after the previous wrap-up was saved (at most 30 s).
    Progressive {
        countdown: Duration,
    },
}

impl Mode {
    /// Progressive with a countdown clamped to 0–30 s.
    pub fn progressive(countdown: Duration) -> Mode {
        Mode::Progressive { countdown: countdown.clamp(Duration::zero(), Duration::seconds(30)) }
    }
}

/// What the app does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Show the lead's card and wait for Dial or Skip (preview).
    Show { lead_id: String, placement: Placement },
    /// Show the lead's card with a countdown; call `tick` at `at` (progressive).
    DialAt { lead_id: String, placement: Placement, at: DateTime<Utc> },
    /// Place the call now.
    Dial { lead_id: String, placement: Placement },
    /// No lead may be called now; call `advance` again at `until` (`None`: when the queue
    /// changes, for example after a pull).
    Wait { until: Option<DateTime<Utc>> },
    /// Every lead is done or can never be called in this campaign.
    Finished,
    /// Nothing to do (paused, in a call, or waiting for the wrap-up).
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    Offering { lead_id: String, dial_at: Option<DateTime<Utc>> },
    InCall { lead_id: String },
    Waiting { until: Option<DateTime<Utc>> },
    Finished,
}

/// One agent's session over a campaign's queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    mode: Mode,
    order: Order,
    phase: Phase,
    paused: bool,
    /// Leads the agent skipped in this session: offered again only after the rest.
    skipped: HashSet<String>,
}

/// The decision inputs that do not change within a call of the session's methods.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub queue: Leads<'a>,
    pub campaign: &'a Campaign,
    pub places: &'a Places,
    pub now: DateTime<Utc>,
}

/// The campaign's leads, as the session looks them up.
#[derive(Debug, Clone, Copy)]
pub enum Leads<'a> {
    /// Every lead checked at every decision: any order, fine for hundreds of leads.
    All(&'a [QueueEntry]),
    /// The indexed [`Queue`] (any order but [`Order::BestLocalHourFirst`]), which the caller
    /// keeps told of changed leads; the session tells it of skips. Same decisions as `All`.
    Indexed(&'a RefCell<Queue>),
}

impl Context<'_> {
    /// The eligibility of lead `id` now; `None` when it is not in the campaign.
    fn check(&self, id: &str) -> Option<Result<Placement, Blocked>> {
        match self.queue {
            Leads::All(q) => {
                q.iter().find(|e| e.id == id).map(|e| eligibility(&e.lead, self.campaign, self.places, self.now))
            }
            Leads::Indexed(q) => q.borrow().check(id, self.campaign, self.places, self.now),
        }
    }

    fn contains_any(&self, ids: &HashSet<String>) -> bool {
        match self.queue {
            Leads::All(q) => q.iter().any(|e| ids.contains(&e.id)),
            Leads::Indexed(q) => {
                let q = q.borrow();
                ids.iter().any(|id| q.contains(id))
            }
        }
    }
}

fn best_hour_rank(placement: &Placement, now: DateTime<Utc>) -> u8 {
    let Some(zone) = placement.zones.first() else { return 2 };
    match now.with_timezone(zone).hour() {
        16 | 17 => 0,
        8 => 1,
        _ => 2,
    }
}

/// The eligible leads at `cx.now` in `order`, the skipped ones last; at most `n`. (The indexed
/// queue ranks the skips it was told of, and its own order.)
pub fn upcoming(cx: &Context<'_>, order: Order, skipped: &HashSet<String>, n: usize) -> Vec<(String, Placement)> {
    let queue = match cx.queue {
        Leads::All(q) => q,
        Leads::Indexed(q) => return q.borrow_mut().upcoming(n, cx.campaign, cx.places, cx.now),
    };
    let mut eligible: Vec<(&QueueEntry, Placement)> = queue
        .iter()
        .filter_map(|e| eligibility(&e.lead, cx.campaign, cx.places, cx.now).ok().map(|p| (e, p)))
        .collect();
    eligible.sort_by(|(a, pa), (b, pb)| {
        let by_skip = skipped.contains(&a.id).cmp(&skipped.contains(&b.id));
        let by_order = match order {
            Order::BestLocalHourFirst => best_hour_rank(pa, cx.now).cmp(&best_hour_rank(pb, cx.now)),
            _ => order.key(a).cmp(&order.key(b)),
        };
        by_skip.then(by_order).then(a.position.cmp(&b.position))
    });
    eligible.truncate(n);
    eligible.into_iter().map(|(e, p)| (e.id.clone(), p)).collect()
}

/// The earliest instant a lead not eligible now for a reason of time becomes eligible; `None`
/// when no lead ever will.
pub fn next_wake(cx: &Context<'_>) -> Option<DateTime<Utc>> {
    let queue = match cx.queue {
        Leads::All(q) => q,
        Leads::Indexed(q) => return q.borrow_mut().next_wake(cx.campaign, cx.places, cx.now),
    };
    queue
        .iter()
        .filter_map(|e| match eligibility(&e.lead, cx.campaign, cx.places, cx.now) {
            Err(Blocked::RetryLater { at })
            | Err(Blocked::Unfinished { until: at })
            | Err(Blocked::DailyCap { until: at, .. }) => Some(at),
            Err(Blocked::OutsideWindow { opens_at }) => opens_at,
            _ => None,
        })
        .min()
}

impl Session {
    pub fn new(mode: Mode, order: Order) -> Session {
        Session { mode, order, phase: Phase::Idle, paused: false, skipped: HashSet::new() }
    }

    /// A session saved earlier (paused or not, with the leads the agent had skipped).
    pub fn restore(mode: Mode, order: Order, paused: bool, skipped: impl IntoIterator<Item = String>) -> Session {
        Session { paused, skipped: skipped.into_iter().collect(), ..Session::new(mode, order) }
    }

    /// The leads skipped in this session, sorted (to save it).
    pub fn skipped(&self) -> Vec<String> {
        let mut v: Vec<String> = self.skipped.iter().cloned().collect();
        v.sort();
        v
    }

    pub fn order(&self) -> Order {
        self.order
    }

    /// Whether the session waits for the wrap-up of a call it dialed.
    pub fn in_call(&self) -> bool {
        matches!(self.phase, Phase::InCall { .. })
    }

    /// When the offered lead is dialed by itself (progressive), or when a wait ends.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        match &self.phase {
            Phase::Offering { dial_at, .. } => *dial_at,
            Phase::Waiting { until } => *until,
            _ => None,
        }
    }

    /// Whether the session waits for a lead to become eligible.
    pub fn waiting(&self) -> bool {
        matches!(self.phase, Phase::Waiting { .. })
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    /// The lead offered or in a call, if any.
    pub fn current(&self) -> Option<&str> {
        match &self.phase {
            Phase::Offering { lead_id, .. } | Phase::InCall { lead_id } => Some(lead_id),
            _ => None,
        }
    }

    /// Picks the next lead (at the start, after a saved wrap-up, a skip or a resume, or when a
    /// wait is over). In a call it does nothing: one call per agent.
    pub fn advance(&mut self, cx: &Context<'_>) -> Action {
        if self.paused || matches!(self.phase, Phase::InCall { .. } | Phase::Finished) {
            return Action::Nothing;
        }
        let Some((lead_id, placement)) = upcoming(cx, self.order, &self.skipped, 1).into_iter().next() else {
            let until = next_wake(cx);
            let skipped_left = cx.contains_any(&self.skipped);
            if until.is_none() && !skipped_left {
                self.phase = Phase::Finished;
                return Action::Finished;
            }
            self.phase = Phase::Waiting { until };
            return Action::Wait { until };
        };
        match self.mode {
            Mode::Preview => {
                self.phase = Phase::Offering { lead_id: lead_id.clone(), dial_at: None };
                Action::Show { lead_id, placement }
            }
            Mode::Progressive { countdown } => {
                let at = cx.now + countdown;
                self.phase = Phase::Offering { lead_id: lead_id.clone(), dial_at: Some(at) };
                if countdown.is_zero() {
                    return self.dial_now(cx);
                }
                Action::DialAt { lead_id, placement, at }
            }
        }
    }

    /// The countdown's clock: dials when it has run out.
    pub fn tick(&mut self, cx: &Context<'_>) -> Action {
        match &self.phase {
            Phase::Offering { dial_at: Some(at), .. } if cx.now >= *at && !self.paused => self.dial_now(cx),
            Phase::Waiting { until: Some(until) } if cx.now >= *until && !self.paused => self.advance(cx),
            _ => Action::Nothing,
        }
    }

    /// The agent pressed Dial (or the countdown ran out): the offered lead is checked again at
    /// this instant and dialed, or passed over for the next.
    pub fn dial_now(&mut self, cx: &Context<'_>) -> Action {
        let Phase::Offering { lead_id, .. } = &self.phase else { return Action::Nothing };
        let lead_id = lead_id.clone();
        match cx.check(&lead_id) {
            Some(Ok(placement)) => {
                self.phase = Phase::InCall { lead_id: lead_id.clone() };
                Action::Dial { lead_id, placement }
            }
            // Gone from the queue, marked Do Not Call by a pull, its window closed meanwhile.
            _ => {
                self.phase = Phase::Idle;
                self.advance(cx)
            }
        }
    }

    /// The agent skipped the offered lead: it comes again only after the others.
    pub fn skip(&mut self, cx: &Context<'_>) -> Action {
        if let Phase::Offering { lead_id, .. } = &self.phase {
            if let Leads::Indexed(q) = cx.queue {
                q.borrow_mut().skip(lead_id);
            }
            self.skipped.insert(lead_id.clone());
            self.phase = Phase::Idle;
        }
        self.advance(cx)
    }

    /// The call's wrap-up was saved (the queue already holds the lead's new attempts, outcome and
    /// retry time): the next lead.
    pub fn wrap_up_saved(&mut self, cx: &Context<'_>) -> Action {
        if matches!(self.phase, Phase::InCall { .. }) {
            self.phase = Phase::Idle;
        }
        self.advance(cx)
    }

    /// Stops offering and dialing; a call in progress goes on to its wrap-up.
    pub fn pause(&mut self) {
        self.paused = true;
        if let Phase::Offering { .. } | Phase::Waiting { .. } = self.phase {
            self.phase = Phase::Idle;
        }
    }

    pub fn resume(&mut self, cx: &Context<'_>) -> Action {
        self.paused = false;
        self.advance(cx)
    }

    /// Ends the session.
    pub fn end(&mut self) {
        self.phase = Phase::Finished;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Lead;
    use chrono_tz::America;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("an RFC 3339 time").with_timezone(&Utc)
    }

    /// 16:00 UTC on a July Wednesday: 12:00 in New York, 09:00 in Los Angeles, 10:00 in Denver.
    const NOON_NY: &str = "2026-07-01T16:00:00Z";

    fn entry(id: &str, position: u32, phone: &str) -> QueueEntry {
        QueueEntry {
            id: id.into(),
            position,
            lead: Lead { status: "new".into(), phone_e164: Some(phone.into()), ..Lead::default() },
            ..QueueEntry::default()
        }
    }

    fn queue() -> Vec<QueueEntry> {
        vec![
            entry("a", 0, "+12015550100"),
            QueueEntry {
                value: Some(500.0),
                last_contact: Some(utc("2026-06-01T00:00:00Z")),
                ..entry("b", 1, "+12125550100")
            },
            QueueEntry { value: Some(9000.0), ..entry("c", 2, "+13035550100") },
        ]
    }

    fn cx<'a>(q: &'a [QueueEntry], c: &'a Campaign, now: &str) -> Context<'a> {
        Context { queue: Leads::All(q), campaign: c, places: Places::embedded(), now: utc(now) }
    }

    fn lead_of(action: &Action) -> Option<&str> {
        match action {
            Action::Show { lead_id, .. } | Action::DialAt { lead_id, .. } | Action::Dial { lead_id, .. } => {
                Some(lead_id)
            }
            _ => None,
        }
    }

    #[test]
    fn the_orders_rank_the_eligible_leads() {
        let q = queue();
        let c = Campaign::new(America::New_York);
        let ids = |order| -> Vec<String> {
            upcoming(&cx(&q, &c, NOON_NY), order, &HashSet::new(), 5).into_iter().map(|(id, _)| id).collect()
        };
        assert_eq!(ids(Order::List), ["a", "b", "c"]);
        assert_eq!(ids(Order::HighestValueFirst), ["c", "b", "a"]);
        assert_eq!(ids(Order::OldestContactFirst), ["a", "c", "b"], "never contacted first");
        // 22:00 UTC: 18:00 in New York (past the best hours), 16:00 in Denver (the best).
        let late = upcoming(&cx(&q, &c, "2026-07-01T22:00:00Z"), Order::BestLocalHourFirst, &HashSet::new(), 5);
        assert_eq!(late.first().map(|(id, _)| id.as_str()), Some("c"), "Denver's lead is in its best hour");
    }

    #[test]
    fn preview_shows_then_dials_on_request_and_skip_moves_on() {
        let q = queue();
        let c = Campaign::new(America::New_York);
        let now = cx(&q, &c, NOON_NY);
        let mut s = Session::new(Mode::Preview, Order::List);
        let shown = s.advance(&now);
        assert_eq!(lead_of(&shown), Some("a"));
        assert!(matches!(shown, Action::Show { .. }), "preview waits for the agent: {shown:?}");
        assert_eq!(s.tick(&now), Action::Nothing, "no countdown in preview");
        let next = s.skip(&now);
        assert_eq!(lead_of(&next), Some("b"), "skipped: the next lead");
        let dial = s.dial_now(&now);
        assert!(matches!(&dial, Action::Dial { lead_id, .. } if lead_id == "b"), "{dial:?}");
        assert_eq!(s.advance(&now), Action::Nothing, "one call at a time");
    }

    #[test]
    fn progressive_counts_down_then_dials_and_a_lead_gone_meanwhile_is_passed_over() {
        let mut q = queue();
        let c = Campaign::new(America::New_York);
        let mut s = Session::new(Mode::progressive(Duration::seconds(5)), Order::List);
        let offered = s.advance(&cx(&q, &c, NOON_NY));
        assert!(
            matches!(&offered, Action::DialAt { lead_id, at, .. } if lead_id == "a" && *at == utc(NOON_NY) + Duration::seconds(5))
        );
        assert_eq!(s.tick(&cx(&q, &c, "2026-07-01T16:00:03Z")), Action::Nothing, "still counting down");
        // A pull marked lead a Do Not Call during the countdown.
        q[0].lead.status = "do_not_call".into();
        let next = s.tick(&cx(&q, &c, "2026-07-01T16:00:05Z"));
        assert_eq!(lead_of(&next), Some("b"), "a is passed over: {next:?}");
        assert!(matches!(next, Action::DialAt { .. }), "and b gets its own countdown");
        let zero = Session::new(Mode::progressive(Duration::seconds(-3)), Order::List).advance(&cx(&q, &c, NOON_NY));
        assert!(matches!(zero, Action::Dial { .. }), "a zero countdown dials at once: {zero:?}");
    }

    #[test]
    fn after_the_wrap_up_the_next_lead_comes_and_the_session_waits_for_windows_then_finishes() {
        let mut q = vec![entry("a", 0, "+12015550100"), entry("la", 1, "+12135550100")];
        let c = Campaign::new(America::New_York);
        let mut s = Session::new(Mode::Preview, Order::List);
        // 13:00 UTC: 09:00 in New York, 06:00 in Los Angeles.
        let early = "2026-07-01T13:00:00Z";
        assert_eq!(lead_of(&s.advance(&cx(&q, &c, early))), Some("a"));
        s.dial_now(&cx(&q, &c, early));
        q[0].lead.attempts = 1;
        q[0].lead.last_outcome = Some("interested".into());
        let wait = s.wrap_up_saved(&cx(&q, &c, early));
        assert_eq!(wait, Action::Wait { until: Some(utc("2026-07-01T15:00:00Z")) }, "LA opens at 08:00 local");
        assert_eq!(lead_of(&s.tick(&cx(&q, &c, "2026-07-01T15:00:00Z"))), Some("la"), "the wait ends by itself");
        s.dial_now(&cx(&q, &c, "2026-07-01T15:00:00Z"));
        q[1].lead.last_outcome = Some("wrong_number".into());
        assert_eq!(s.wrap_up_saved(&cx(&q, &c, "2026-07-01T15:05:00Z")), Action::Finished);
        assert!(s.is_finished());
    }

    #[test]
    fn pause_stops_offering_and_resume_picks_up() {
        let q = queue();
        let c = Campaign::new(America::New_York);
        let now = cx(&q, &c, NOON_NY);
        let mut s = Session::new(Mode::progressive(Duration::seconds(5)), Order::List);
        s.advance(&now);
        s.pause();
        assert!(s.is_paused());
        assert_eq!(s.tick(&cx(&q, &c, "2026-07-01T16:01:00Z")), Action::Nothing, "no dial while paused");
        assert_eq!(s.advance(&now), Action::Nothing);
        assert_eq!(lead_of(&s.resume(&now)), Some("a"), "resume offers again");
        s.end();
        assert_eq!(s.advance(&now), Action::Nothing, "ended");
    }
}
