//! `staffbank-bench fairness`: does the ranking's fairness term move allocation back towards each
//! group's share of the bank?
//!
//! On the national data of `bench matching` (generated into PostgreSQL by the same generator, or
//! reused), every open shift of the four weeks is allocated in start order to its best-ranked
//! eligible members by [`staffbank_domain::ranking::rank`], twice: with the fairness term as the
//! product uses it (hours booked within four weeks either side), and without it (every worker's
//! hours given as zero, so the term is the same for all and cannot change any order). Each run is
//! then audited with the fairness auditor's own rules ([`staffbank_domain::fairness::audit`]) by
//! contract, staff group and grade, and each group's share of booked and desirable shifts is
//! printed against its share of members, with and without the term.
//!
//! Contracts are not in the national data: one worker in three (by id) is given a part-time
//! contract and, with it, a part-time availability of two shifts an ISO week (full-time: four).
//! Eligibility is simplified to what the allocation needs: a member of the shift's bank or its
//! collaborative bank, the shift's staff group and grade range, within the travel limit, no
//! overlapping booking, and the week's availability.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Datelike, Utc};
use staffbank_domain::fairness::desirable::Desirable;
use staffbank_domain::fairness::{self, AuditRules, Grouping, Measure, MemberCounts};
use staffbank_domain::ranking::{distance_km, rank, Rank, RankFacts, ShiftTimes, FAIRNESS_PERIOD};
use staffbank_domain::worker::GeoPoint;
use staffbank_domain::{Grade, GradeRange, ShiftWindow, StaffGroup, WardId};
use uuid::Uuid;

use crate::matching::national;

/// Options of `staffbank-bench fairness`.
#[derive(clap::Args)]
pub struct FairnessBenchArgs {
    /// An empty PostgreSQL database to fill (or, with --reuse, one filled before).
    #[arg(long)]
    pub database_url: String,
    /// Trusts (a multiple of five).
    #[arg(long, default_value_t = 210)]
    pub trusts: i64,
    /// Active workers.
    #[arg(long, default_value_t = 300_000)]
    pub workers: i64,
    /// Open shifts over the next four weeks: what is allocated.
    #[arg(long, default_value_t = 50_000)]
    pub open_shifts: i64,
    /// Past bookings (the history continuity and the first hours come from).
    #[arg(long, default_value_t = 1_000_000)]
    pub past_bookings: i64,
    /// Allocate the national data an earlier run generated in this database.
    #[arg(long)]
    pub reuse: bool,
}

/// Shifts an ISO week a worker is available for, by contract.
const PART_TIME_SHIFTS_A_WEEK: usize = 2;
const FULL_TIME_SHIFTS_A_WEEK: usize = 4;

/// A bank member as the simulation sees them.
struct Member {
    staff_group: StaffGroup,
    grade: Grade,
    home: Option<GeoPoint>,
    max_travel_km: Option<f64>,
    shift_times: ShiftTimes,
    part_time: bool,
    /// Bookings before the simulation: (window, ward).
    history: Vec<(ShiftWindow, WardId)>,
}

/// An open shift to allocate.
struct OpenShift {
    window: ShiftWindow,
    ward: WardId,
    site: GeoPoint,
    banks: [Uuid; 2],
    staff_group: StaffGroup,
    grades: GradeRange,
    places: usize,
}

/// What the database holds, read once.
struct World {
    members: Vec<Member>,
    /// (bank, staff group) to its members' indices.
    pools: HashMap<(Uuid, StaffGroup), Vec<usize>>,
    shifts: Vec<OpenShift>,
    /// Whether each member belongs to a bank with shifts to allocate (the members audited).
    counted: Vec<bool>,
}

type WorkerRow = (
    Uuid,
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    String,
);
type ShiftRow = (
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    i32,
    f64,
    f64,
);

async fn read_world(pool: &sqlx::PgPool) -> anyhow::Result<World> {
    let rows: Vec<WorkerRow> = sqlx::query_as(
        "SELECT id, staff_group, grade, home_lat, home_lon, max_travel_km, shift_times \
         FROM workers ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    let mut index = HashMap::new();
    let mut members = Vec::with_capacity(rows.len());
    for (id, group, grade, lat, lon, max_travel_km, times) in rows {
        let home = match (lat, lon) {
            (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).ok(),
            _ => None,
        };
        index.insert(id, members.len());
        members.push(Member {
            staff_group: StaffGroup::parse(&group)
                .ok_or_else(|| anyhow::anyhow!("staff group {group}"))?,
            grade: Grade::parse(&grade).ok_or_else(|| anyhow::anyhow!("grade {grade}"))?,
            home,
            max_travel_km,
            shift_times: ShiftTimes::parse(&times).unwrap_or_default(),
            part_time: id.as_u128() % 3 == 0,
            history: Vec::new(),
        });
    }
    let memberships: Vec<(Uuid, Uuid)> =
        sqlx::query_as("SELECT worker_id, bank_id FROM bank_memberships")
            .fetch_all(pool)
            .await?;
    let mut pools: HashMap<(Uuid, StaffGroup), Vec<usize>> = HashMap::new();
    for (worker, bank) in memberships {
        if let Some(&i) = index.get(&worker) {
            pools
                .entry((bank, members[i].staff_group))
                .or_default()
                .push(i);
        }
    }
    let history: Vec<(Uuid, Uuid, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT worker_id, ward_id, starts_at, ends_at FROM bookings WHERE status = 'active'",
    )
    .fetch_all(pool)
    .await?;
    for (worker, ward, start, end) in history {
        if let (Some(&i), Ok(window)) = (index.get(&worker), ShiftWindow::new(start, end)) {
            members[i].history.push((window, WardId(ward)));
        }
    }
    // The generator's open shifts are those released to a collaborative bank; its past shifts
    // are not.
    let rows: Vec<ShiftRow> = sqlx::query_as(
        "SELECT s.ward_id, s.bank_id, s.collaborative_bank_id, s.staff_group, s.grade_min, \
         s.grade_max, s.starts_at, s.ends_at, s.places, si.lat, si.lon FROM shifts s \
         JOIN wards w ON w.id = s.ward_id JOIN sites si ON si.id = w.site_id \
         WHERE s.collaborative_bank_id IS NOT NULL AND s.status = 'open' \
         ORDER BY s.starts_at, s.id",
    )
    .fetch_all(pool)
    .await?;
    let mut shifts = Vec::with_capacity(rows.len());
    for (ward, bank, collaborative, group, min, max, start, end, places, lat, lon) in rows {
        let staff_group =
            StaffGroup::parse(&group).ok_or_else(|| anyhow::anyhow!("staff group {group}"))?;
        let grade = |g: &str| Grade::parse(g).ok_or_else(|| anyhow::anyhow!("grade {g}"));
        shifts.push(OpenShift {
            window: ShiftWindow::new(start, end)?,
            ward: WardId(ward),
            site: GeoPoint::new(lat, lon)?,
            banks: [bank, collaborative],
            staff_group,
            grades: GradeRange::new(staff_group, grade(&min)?, grade(&max)?)?,
            places: usize::try_from(places)?,
        });
    }
    let banks: std::collections::HashSet<Uuid> = shifts.iter().flat_map(|s| s.banks).collect();
    let mut counted = vec![false; members.len()];
    for ((bank, _), pool) in &pools {
        if banks.contains(bank) {
            for &i in pool {
                counted[i] = true;
            }
        }
    }
    Ok(World {
        members,
        pools,
        shifts,
        counted,
    })
}

/// One allocation run: each member's bookings made in it.
fn allocate(world: &World, fairness_term: bool) -> Vec<Vec<(ShiftWindow, WardId)>> {
    let mut booked: Vec<Vec<(ShiftWindow, WardId)>> = vec![Vec::new(); world.members.len()];
    let mut seen = vec![usize::MAX; world.members.len()];
    for (n, shift) in world.shifts.iter().enumerate() {
        let start = shift.window.start();
        let week = start.iso_week();
        let mut best: Vec<(Rank, usize)> = Vec::new();
        for bank in shift.banks {
            let Some(pool) = world.pools.get(&(bank, shift.staff_group)) else {
                continue;
            };
            for &i in pool {
                if seen[i] == n {
                    continue;
                }
                seen[i] = n;
                let m = &world.members[i];
                if !shift.grades.contains(m.grade) {
                    continue;
                }
                let mine = &booked[i];
                let cap = if m.part_time {
                    PART_TIME_SHIFTS_A_WEEK
                } else {
                    FULL_TIME_SHIFTS_A_WEEK
                };
                let this_week = mine
                    .iter()
                    .filter(|(w, _)| w.start().iso_week() == week)
                    .count();
                if this_week >= cap || mine.iter().any(|(w, _)| w.overlaps(shift.window)) {
                    continue;
                }
                let all = || m.history.iter().chain(mine.iter());
                let hours_this_period = if fairness_term {
                    all()
                        .filter(|(w, _)| {
                            w.start() >= start - FAIRNESS_PERIOD
                                && w.start() < start + FAIRNESS_PERIOD
                        })
                        .map(|(w, _)| (w.end() - w.start()).num_minutes() as f64 / 60.0)
                        .sum()
                } else {
                    0.0
                };
                let r = rank(&RankFacts {
                    distance_km: m.home.map(|h| distance_km(h, shift.site)),
                    max_travel_km: m.max_travel_km,
                    worked_ward_before: all().any(|(_, ward)| *ward == shift.ward),
                    preferred_times: m.shift_times.matches(shift.window),
                    hours_this_period,
                });
                if !r.within_travel_limit {
                    continue;
                }
                best.push((r, i));
            }
        }
        best.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in best.into_iter().take(shift.places) {
            booked[i].push((shift.window, shift.ward));
        }
    }
    booked
}

/// The fairness auditor's groupings of one run.
fn audit(world: &World, booked: &[Vec<(ShiftWindow, WardId)>]) -> Vec<Grouping> {
    let desirable = Desirable::default();
    let members: Vec<MemberCounts> = world
        .members
        .iter()
        .zip(booked)
        .zip(&world.counted)
        .filter(|(_, counted)| **counted)
        .map(|((m, mine), _)| MemberCounts {
            groups: vec![
                (
                    "contract".to_owned(),
                    if m.part_time {
                        "part_time"
                    } else {
                        "full_time"
                    }
                    .to_owned(),
                ),
                ("staff_group".to_owned(), m.staff_group.as_str().to_owned()),
                ("grade".to_owned(), m.grade.as_str().to_owned()),
            ],
            offered: 0,
            booked: mine.len() as u64,
            desirable: mine
                .iter()
                .filter(|(w, ward)| desirable.includes(*w, *ward))
                .count() as u64,
        })
        .collect();
    fairness::audit(
        &members,
        &["contract", "staff_group", "grade"],
        AuditRules::default(),
    )
}

/// Every booking is checked again without the allocation's code: no overlaps, no week over the
/// availability.
fn check(world: &World, booked: &[Vec<(ShiftWindow, WardId)>]) -> anyhow::Result<()> {
    for (m, mine) in world.members.iter().zip(booked) {
        let mut weeks: HashMap<(i32, u32), usize> = HashMap::new();
        for (i, (w, _)) in mine.iter().enumerate() {
            anyhow::ensure!(
                mine[i + 1..].iter().all(|(v, _)| !v.overlaps(*w)),
                "overlapping bookings"
            );
            let week = w.start().iso_week();
            *weeks.entry((week.year(), week.week())).or_default() += 1;
        }
        let cap = if m.part_time {
            PART_TIME_SHIFTS_A_WEEK
        } else {
            FULL_TIME_SHIFTS_A_WEEK
        };
        anyhow::ensure!(
            weeks.values().all(|&n| n <= cap),
            "a week over availability"
        );
    }
    Ok(())
}

fn share_line(measure: Measure, without: &Grouping, with: &Grouping) -> Vec<String> {
    let mut lines = Vec::new();
    for (a, b) in without.groups.iter().zip(&with.groups) {
        let (Some(member_share), false) = (a.member_share, a.suppressed) else {
            continue;
        };
        let find = |g: &fairness::GroupShare| {
            g.measures
                .iter()
                .find(|m| m.measure == measure)
                .map(|m| (m.share, m.relative_difference, m.flagged))
        };
        if let (Some(off), Some(on)) = (find(a), find(b)) {
            lines.push(format!(
                "  {:<26} members {:>5.1}%  {:<9} without {:>5.1}% ({:>+6.1}%{})  with {:>5.1}% ({:>+6.1}%{})",
                format!("{}: {}", without.grouping, a.group),
                member_share * 100.0,
                measure.as_str(),
                off.0 * 100.0,
                off.1 * 100.0,
                if off.2 { ", flagged" } else { "" },
                on.0 * 100.0,
                on.1 * 100.0,
                if on.2 { ", flagged" } else { "" },
            ));
        }
    }
    lines
}

/// Mean absolute relative difference over the groups shown, for one measure.
fn mean_deviation(groupings: &[Grouping], measure: Measure) -> f64 {
    let all: Vec<f64> = groupings
        .iter()
        .flat_map(|g| g.groups.iter())
        .flat_map(|g| g.measures.iter())
        .filter(|m| m.measure == measure && m.total > 0)
        .map(|m| m.relative_difference.abs())
        .collect();
    all.iter().sum::<f64>() / all.len().max(1) as f64
}

/// Runs the simulation and prints the figures.
pub async fn run(args: FairnessBenchArgs) -> anyhow::Result<()> {
    // Opening the store migrates the database, as the server would.
    crate::open_store(&args.database_url).await?;
    let pool = sqlx::PgPool::connect(&args.database_url).await?;
    let scale = national::Scale {
        trusts: args.trusts,
        workers: args.workers,
        open_shifts: args.open_shifts,
        past_bookings: args.past_bookings,
    };
    national::generate_unless_reused(&pool, scale, args.reuse).await?;
    let world = read_world(&pool).await?;
    let places: usize = world.shifts.iter().map(|s| s.places).sum();
    println!(
        "allocating {} shifts ({places} places) among the {} members of their banks, in start \
         order, to the best ranked",
        world.shifts.len(),
        world.counted.iter().filter(|c| **c).count()
    );
    let mut runs = Vec::new();
    for term in [false, true] {
        let started = Instant::now();
        let booked = allocate(&world, term);
        check(&world, &booked)?;
        let filled: usize = booked.iter().map(Vec::len).sum();
        let workers = booked.iter().filter(|b| !b.is_empty()).count();
        println!(
            "{} the fairness term: {filled} places filled, {workers} workers booked, in {:.1} s",
            if term { "with   " } else { "without" },
            started.elapsed().as_secs_f64()
        );
        runs.push(audit(&world, &booked));
    }
    let (without, with) = (&runs[0], &runs[1]);
    println!(
        "== each group's share against its share of members (relative difference; flagged: over \
         10% and p < 0.05 by the exact binomial test)"
    );
    for (a, b) in without.iter().zip(with) {
        for measure in [Measure::Booked, Measure::Desirable] {
            for line in share_line(measure, a, b) {
                println!("{line}");
            }
        }
    }
    for measure in [Measure::Booked, Measure::Desirable] {
        println!(
            "mean absolute difference from the member share, {}: without the term {:.1}%, with it {:.1}%",
            measure.as_str(),
            mean_deviation(without, measure) * 100.0,
            mean_deviation(with, measure) * 100.0
        );
    }
    Ok(())
}
