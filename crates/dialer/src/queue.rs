//! The campaign's queue, indexed so the next lead is found without looking at every lead.
//!
//! [`crate::session::upcoming`] checks every lead at every decision: fine for a list of hundreds,
//! too slow for 100k (the target is 2 ms at p95). Here each lead sits in one of three places:
//! - **ready**, ordered by the campaign's order: eligible when last looked at;
//! - **waiting**, by the instant it may become eligible (a retry time, the daily cap's end, its
//!   window's opening);
//! - **out**: never again in this campaign (Do Not Call, finished, attempts used, no number).
//!
//! A decision first moves the waiting leads whose instant has come, then takes the first ready
//! lead that is still eligible *now* (a window may have closed since), moving the others where
//! they now belong. Every lead handed out has passed [`eligibility`] at that instant, so the
//! index can only make a decision slower, never wrong. A clock that jumps back re-places every
//! lead once (one full scan), since a lead waiting for a later instant may be eligible earlier.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::places::Places;
use crate::rules::{Blocked, Campaign, Lead, Placement, eligibility};

/// One lead of the campaign's queue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueEntry {
    pub id: String,
    /// Its place in the list (the default order).
    pub position: u32,
    pub last_contact: Option<DateTime<Utc>>,
    pub value: Option<f64>,
    pub lead: Lead,
}

/// The order the eligible leads are called in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// The list's own order.
    #[default]
    List,
    /// Never contacted first, then the longest ago.
    OldestContactFirst,
    /// The highest value first; leads without one last.
    HighestValueFirst,
    /// Leads in their best local hour first: 16:00–18:00 is the best hour to reach a lead, 08:00–09:00
    /// the next best (the LRM study in docs/reference/dialer.md §2.4); then the list's order.
    BestLocalHourFirst,
}

impl Order {
    /// A lead's key under this order, smaller first, the list position breaking ties; 0 for the
    /// list's own order and for the best local hour, which depends on the instant.
    pub(crate) fn key(self, e: &QueueEntry) -> i64 {
        match self {
            Order::List | Order::BestLocalHourFirst => 0,
            // Never contacted (None) first, then the oldest (to the second).
            Order::OldestContactFirst => e.last_contact.map_or(i64::MIN, |t| t.timestamp()),
            // The highest value first (to the cent); none last.
            Order::HighestValueFirst => e.value.map_or(i64::MAX, |v| -((v * 100.0).round() as i64)),
        }
    }
}

/// A lead's place in the campaign's order: list position, or a key of it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    /// Skipped leads come after the others.
    skipped: bool,
    key: i64,
    position: u32,
    index: usize,
}

/// The indexed queue of one campaign.
#[derive(Debug)]
pub struct Queue {
    entries: Vec<QueueEntry>,
    by_id: HashMap<String, usize>,
    order: Order,
    ready: BTreeSet<Rank>,
    waiting: BinaryHeap<Reverse<(DateTime<Utc>, usize)>>,
    skipped: HashSet<usize>,
    /// Where each lead is now, so an update finds and removes it.
    slot: Vec<Slot>,
    /// The instant of the last decision: a clock that went back since re-places every lead (a
    /// lead waiting for a later instant may be eligible at the earlier one).
    last_now: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Ready(Rank),
    /// In the heap at this instant (heap entries for other instants are stale and skipped).
    Waiting(DateTime<Utc>),
    Out,
}

impl Queue {
    /// Indexes `entries` at `now`. `Order::BestLocalHourFirst` depends on the hour and is not
    /// indexed: use [`crate::session::upcoming`] for it.
    pub fn new(
        entries: Vec<QueueEntry>,
        order: Order,
        campaign: &Campaign,
        places: &Places,
        now: DateTime<Utc>,
    ) -> Queue {
        let by_id = entries.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();
        let n = entries.len();
        let mut queue = Queue {
            entries,
            by_id,
            order,
            ready: BTreeSet::new(),
            waiting: BinaryHeap::new(),
            skipped: HashSet::new(),
            slot: vec![Slot::Out; n],
            last_now: now,
        };
        for i in 0..n {
            queue.classify(i, campaign, places, now);
        }
        queue
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[QueueEntry] {
        &self.entries
    }

    fn rank(&self, i: usize) -> Rank {
        let e = &self.entries[i];
        Rank { skipped: self.skipped.contains(&i), key: self.order.key(e), position: e.position, index: i }
    }

    fn remove(&mut self, i: usize) {
        if let Slot::Ready(rank) = self.slot[i] {
            self.ready.remove(&rank);
        }
        // A waiting entry stays in the heap; it is stale once the slot says otherwise.
        self.slot[i] = Slot::Out;
    }

    /// Puts lead `i` where it belongs at `now`; returns its placement when eligible.
    fn classify(&mut self, i: usize, campaign: &Campaign, places: &Places, now: DateTime<Utc>) -> Option<Placement> {
        self.remove(i);
        match eligibility(&self.entries[i].lead, campaign, places, now) {
            Ok(placement) => {
                let rank = self.rank(i);
                self.ready.insert(rank);
                self.slot[i] = Slot::Ready(rank);
                Some(placement)
            }
            Err(Blocked::RetryLater { at })
            | Err(Blocked::Unfinished { until: at })
            | Err(Blocked::DailyCap { until: at, .. }) => {
                self.wait(i, at);
                None
            }
            Err(Blocked::OutsideWindow { opens_at: Some(at) }) => {
                self.wait(i, at);
                None
            }
            Err(_) => None,
        }
    }

    fn wait(&mut self, i: usize, at: DateTime<Utc>) {
        self.waiting.push(Reverse((at, i)));
        self.slot[i] = Slot::Waiting(at);
    }

    /// Moves the waiting leads whose instant has come (every lead, after a clock that went back).
    fn settle(&mut self, campaign: &Campaign, places: &Places, now: DateTime<Utc>) {
        if now < self.last_now {
            self.waiting.clear();
            for i in 0..self.entries.len() {
                self.classify(i, campaign, places, now);
            }
        }
        self.last_now = now;
        while let Some(Reverse((at, i))) = self.waiting.peek().copied() {
            if at > now {
                break;
            }
            self.waiting.pop();
            if self.slot[i] == Slot::Waiting(at) {
                self.classify(i, campaign, places, now);
            }
        }
    }

    /// The next lead to call at `now`, in the campaign's order (skipped leads last), checked
    /// eligible at `now`; `None` when no lead may be called now.
    pub fn next(
        &mut self,
        campaign: &Campaign,
        places: &Places,
        now: DateTime<Utc>,
    ) -> Option<(&QueueEntry, Placement)> {
        let (id, placement) = self.upcoming(1, campaign, places, now).into_iter().next()?;
        let i = *self.by_id.get(&id)?;
        Some((&self.entries[i], placement))
    }

    /// The first `n` leads to call at `now`, in order, each checked eligible at `now`. A ready
    /// lead found no longer eligible (its window closed) is moved where it now belongs.
    pub fn upcoming(
        &mut self,
        n: usize,
        campaign: &Campaign,
        places: &Places,
        now: DateTime<Utc>,
    ) -> Vec<(String, Placement)> {
        self.settle(campaign, places, now);
        let mut out = Vec::new();
        let mut stale = Vec::new();
        for rank in &self.ready {
            if out.len() >= n {
                break;
            }
            match eligibility(&self.entries[rank.index].lead, campaign, places, now) {
                Ok(placement) => out.push((self.entries[rank.index].id.clone(), placement)),
                Err(_) => stale.push(rank.index),
            }
        }
        for i in stale {
            self.classify(i, campaign, places, now);
        }
        out
    }

    /// The earliest instant a waiting lead may become eligible; `None` when none ever will.
    pub fn next_wake(&mut self, campaign: &Campaign, places: &Places, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.settle(campaign, places, now);
        while let Some(Reverse((at, i))) = self.waiting.peek().copied() {
            if self.slot[i] == Slot::Waiting(at) {
                return Some(at);
            }
            self.waiting.pop();
        }
        None
    }

    /// Lead `id`'s eligibility at `now`; `None` when it is not in the queue.
    pub fn check(
        &self,
        id: &str,
        campaign: &Campaign,
        places: &Places,
        now: DateTime<Utc>,
    ) -> Option<Result<Placement, Blocked>> {
        let i = *self.by_id.get(id)?;
        Some(eligibility(&self.entries[i].lead, campaign, places, now))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// Lead `id` as the queue knows it.
    pub fn get(&self, id: &str) -> Option<&QueueEntry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// The lead changed (a call's outcome, a pull): it is placed again as of `now`.
    pub fn update(&mut self, id: &str, lead: Lead, campaign: &Campaign, places: &Places, now: DateTime<Utc>) {
        if let Some(&i) = self.by_id.get(id) {
            self.entries[i].lead = lead;
            self.classify(i, campaign, places, now);
        }
    }

    /// Lead `entry.id` changed (its row, a call's outcome, a pull, its order key): replaced, and
    /// placed again as of `now`. `false` when it is not in the queue.
    pub fn replace(&mut self, entry: QueueEntry, campaign: &Campaign, places: &Places, now: DateTime<Utc>) -> bool {
        let Some(&i) = self.by_id.get(&entry.id) else { return false };
        // Out of the ready set under its old rank before its key changes.
        self.remove(i);
        self.entries[i] = QueueEntry { position: self.entries[i].position, ..entry };
        self.classify(i, campaign, places, now);
        true
    }

    /// The agent skipped the lead: it comes after the others.
    pub fn skip(&mut self, id: &str) {
        if let Some(&i) = self.by_id.get(id) {
            self.skipped.insert(i);
            if let Slot::Ready(old) = self.slot[i] {
                self.ready.remove(&old);
                let rank = self.rank(i);
                self.ready.insert(rank);
                self.slot[i] = Slot::Ready(rank);
            }
        }
    }
}
