//! A shift's candidate pool, walked in rank order until a page is full.
//!
//! A pool is every member of the shift's banks in its group and grades: thousands at a large
//! collaborative bank. Ranking them is cheap but for fairness, which needs each one's hours in the
//! fairness period. The bookings read to judge the working-time rules cover that period (for any
//! shift starting within the reference period), so a member's hours are counted from those, read
//! only for the members judged. Until then a member is placed as if they had no hours booked,
//! which can only flatter them: a member whose hours are known is judged once no member still
//! waiting could rank above them, so the order is the one full knowledge would give.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use staffbank_domain::eligibility::{self, Ineligibility};
use staffbank_domain::ranking::{self, Rank, RankFacts, FAIRNESS_PERIOD};
use staffbank_domain::working_time::{Worked, WorkingTimeRules};
use staffbank_domain::*;
use staffbank_store::{Credential, PoolQuery, Shift, Ward, Worker};

use crate::matching::{booking_reasons, hours};
use crate::shifts::{shift_facts, worker_facts};
use crate::{App, AppError};

/// Members whose bookings and credentials are read per round trip to the store.
const CANDIDATE_BATCH: usize = 64;

/// A shift's candidate pool, ranked and judged.
pub(crate) struct RankedPool {
    /// Who may book it now, best first.
    pub eligible: Vec<(Rank, RankFacts, Worker)>,
    /// Who nearly may, with the reasons (unsorted).
    pub near: Vec<(Worker, Vec<Ineligibility>)>,
}

/// A member with a rank: best first, and by id among equals.
struct Ranked {
    rank: Rank,
    facts: RankFacts,
    worker: Worker,
}

impl Ranked {
    fn key(&self) -> (Rank, Reverse<WorkerId>) {
        (self.rank, Reverse(self.worker.id))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

/// Minutes of `held` starting in `[from, to)`, each counted in whole minutes as the stores do.
fn minutes_starting_in(held: &[Worked], from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    held.iter()
        .filter(|w| w.window.start() >= from && w.window.start() < to)
        .map(|w| (w.window.end() - w.window.start()).num_minutes())
        .sum()
}

/// The walk's order: members waiting, placed by a rank that can only fall once their hours are
/// counted (`ranking`'s `fewer_hours_never_ranks_lower`), and members known, by their true rank.
struct RankOrder<T> {
    waiting: std::iter::Peekable<std::vec::IntoIter<T>>,
    known: BinaryHeap<T>,
    batch: usize,
}

impl<T: Ord> RankOrder<T> {
    fn new(mut waiting: Vec<T>, batch: usize) -> Self {
        waiting.sort_by(|a, b| b.cmp(a));
        Self {
            waiting: waiting.into_iter().peekable(),
            known: BinaryHeap::new(),
            batch,
        }
    }

    /// The next members to read, while the walk wants more (`full` is false) and a waiting
    /// member might still rank above the best known one.
    fn batch_to_read(&mut self, full: bool) -> Option<Vec<T>> {
        let behind = self
            .waiting
            .peek()
            .is_some_and(|next| self.known.peek().is_none_or(|best| best < next));
        (!full && behind).then(|| self.waiting.by_ref().take(self.batch).collect())
    }

    /// A member read, with their true rank.
    fn known(&mut self, member: T) {
        self.known.push(member);
    }

    /// The best known member, to be judged.
    fn next(&mut self) -> Option<T> {
        self.known.pop()
    }
}

impl App {
    /// Ranks the members of a shift's banks in its group and grades (all but `leave_out`) and
    /// judges them in rank order: the best `limit` who may book it at `now`, and the near-misses
    /// (one reason, or failing only the overlap and working-time rules) among those judged.
    pub(crate) async fn rank_pool(
        &self,
        shift: &Shift,
        ward: &Ward,
        now: DateTime<Utc>,
        limit: usize,
        leave_out: &HashSet<WorkerId>,
    ) -> Result<RankedPool, AppError> {
        let site = self
            .store
            .site(ward.site_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let horizon = WorkingTimeRules::default().horizon();
        let (from, to) = (now - FAIRNESS_PERIOD, now + FAIRNESS_PERIOD);
        // Hours are counted from the bookings read for the working-time rules when those cover
        // the fairness period; otherwise the store reads them for every member.
        let counted_here =
            shift.window.start() - horizon <= from && to <= shift.window.end() + horizon;
        let pool = self
            .store
            .candidate_pool(&PoolQuery {
                banks: shift.schedule().banks().collect(),
                staff_group: shift.staff_group,
                grades: Grade::all().filter(|g| shift.grades.contains(*g)).collect(),
                ward: ward.id,
                now,
                fairness: (!counted_here).then_some((from, to)),
            })
            .await?;
        let waiting: Vec<Ranked> = pool
            .into_iter()
            .filter(|m| !leave_out.contains(&m.worker.id))
            .map(|m| {
                let facts = RankFacts {
                    distance_km: m
                        .worker
                        .home
                        .map(|home| ranking::distance_km(home, site.location)),
                    max_travel_km: m.worker.max_travel_km,
                    worked_ward_before: m.worked_ward,
                    preferred_times: m.worker.shift_times.matches(shift.window),
                    // 0 until counted below, when the store did not read them.
                    hours_this_period: hours(m.minutes_in_period),
                };
                Ranked {
                    rank: ranking::rank(&facts),
                    facts,
                    worker: m.worker,
                }
            })
            .collect();
        let mut order = RankOrder::new(waiting, CANDIDATE_BATCH);
        let mut credentials: HashMap<WorkerId, Vec<Credential>> = HashMap::new();
        let mut held: HashMap<WorkerId, Vec<Worked>> = HashMap::new();
        let facts = shift_facts(shift);
        let mut eligible = Vec::new();
        let mut near = Vec::new();
        loop {
            // Once the page is full, the rest of those read are still judged, for near-misses.
            if let Some(batch) = order.batch_to_read(eligible.len() >= limit) {
                let ids: Vec<WorkerId> = batch.iter().map(|m| m.worker.id).collect();
                for c in self.store.credentials_of_workers(&ids).await? {
                    credentials.entry(c.worker_id).or_default().push(c);
                }
                held.extend(self.held_by(&ids, shift).await?);
                for mut member in batch {
                    if counted_here {
                        let worked = held.get(&member.worker.id).map_or(&[][..], Vec::as_slice);
                        member.facts.hours_this_period =
                            hours(minutes_starting_in(worked, from, to));
                        member.rank = ranking::rank(&member.facts);
                    }
                    order.known(member);
                }
                continue;
            }
            let Some(Ranked {
                rank,
                facts: rank_facts,
                worker,
            }) = order.next()
            else {
                break;
            };
            let creds = credentials.get(&worker.id).map_or(&[][..], Vec::as_slice);
            let reasons = eligibility::check(&worker_facts(&worker, creds), &facts, now);
            if reasons.len() > 1 {
                continue;
            }
            if !reasons.is_empty() {
                near.push((worker, reasons));
                continue;
            }
            let reasons = booking_reasons(
                &worker,
                held.get(&worker.id).map_or(&[][..], Vec::as_slice),
                shift,
            );
            if !reasons.is_empty() {
                near.push((worker, reasons));
            } else if eligible.len() < limit {
                eligible.push((rank, rank_facts, worker));
            }
        }
        Ok(RankedPool { eligible, near })
    }

    /// Each worker's bookings everywhere within the working-time horizon of `shift`.
    async fn held_by(
        &self,
        workers: &[WorkerId],
        shift: &Shift,
    ) -> Result<HashMap<WorkerId, Vec<Worked>>, AppError> {
        let horizon = WorkingTimeRules::default().horizon();
        let mut held: HashMap<WorkerId, Vec<Worked>> = HashMap::new();
        for (worker, worked) in self
            .store
            .worked_by_workers(
                workers,
                shift.window.start() - horizon,
                shift.window.end() + horizon,
            )
            .await?
        {
            held.entry(worker).or_default().push(worked);
        }
        Ok(held)
    }
}

#[cfg(test)]
mod tests {
    use super::RankOrder;
    use proptest::prelude::*;

    proptest! {
        /// Members placed by a bound that only falls when read come out in their true order,
        /// whatever the batch size, and with a full page nothing more is read.
        #[test]
        fn the_walk_gives_the_true_order(
            members in prop::collection::vec((0u32..1000, 0u32..50), 0..300),
            batch in 1usize..80,
        ) {
            // (points, id) ordered best first by points, then by lower id; the bound adds up to
            // 50 points, as fairness adds before a member's hours are known.
            let key = |points: u32, id: usize| (points, std::cmp::Reverse(id));
            let waiting = members
                .iter()
                .enumerate()
                .map(|(id, (points, extra))| key(points + extra, id))
                .collect();
            let mut order = RankOrder::new(waiting, batch);
            let mut walked = Vec::new();
            loop {
                if let Some(read) = order.batch_to_read(false) {
                    for (_, std::cmp::Reverse(id)) in read {
                        order.known(key(members[id].0, id));
                    }
                    continue;
                }
                let Some(next) = order.next() else { break };
                walked.push(next);
            }
            let mut truth: Vec<_> =
                members.iter().enumerate().map(|(id, (points, _))| key(*points, id)).collect();
            truth.sort_by(|a, b| b.cmp(a));
            prop_assert_eq!(walked, truth);
            let mut order = RankOrder::new(vec![key(1, 0)], batch);
            prop_assert!(order.batch_to_read(true).is_none());
        }
    }
}
