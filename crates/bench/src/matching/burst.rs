//! The Monday-morning burst: a week of shifts released to a collaborative bank at once, and
//! thousands of workers booking them as fast as they can over HTTP. Afterwards the invariants are
//! checked from the stored bookings with [`super::rules`], not with the product's own code.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use futures::StreamExt;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use staffbank_app::App;
use staffbank_domain::booking::{BookingMode, BookingStatus};
use staffbank_domain::credential::{
    default_requirements, CredentialKind, CredentialStatus, DbsLevel,
};
use staffbank_domain::org::{BankKind, OdsCode, OrgKind};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::shift::ShiftStatus;
use staffbank_domain::text::Email;
use staffbank_domain::worker::GeoPoint;
use staffbank_domain::*;
use staffbank_store::{Bank, Credential, Organisation, Page, Shift, Site, Store, User, Ward};
use uuid::Uuid;

use super::{percentile, rules, sign_in};
use crate::ledger::{register_nurse, text};

/// How big a burst.
#[derive(Debug, Clone, Copy)]
pub struct BurstSize {
    /// Simulated workers.
    pub workers: usize,
    /// Shifts (each with two places).
    pub shifts: usize,
    /// Booking requests in flight at once.
    pub concurrency: usize,
}

/// The burst's people and shifts.
pub struct BurstFixture {
    /// The shifts, all released to the collaborative bank now.
    pub shifts: Vec<Shift>,
    /// Each worker and their bearer token.
    pub workers: Vec<(WorkerId, String)>,
}

/// Five trusts and their collaborative bank, `shifts` shifts of two places over the coming week
/// (earlies, lates, long days and nights), and `workers` band 5 nurses holding every standard
/// check. Written through the store, as the product would, so it works on either backend.
pub async fn fixture(app: &App, size: BurstSize, tag: &str) -> anyhow::Result<BurstFixture> {
    let store = app.store().clone();
    let now = Utc::now();
    let mut orgs = Vec::new();
    let mut wards = Vec::new();
    let mut bookers = Vec::new();
    for i in 0..5 {
        let org = Organisation {
            id: OrgId(Uuid::now_v7()),
            ods_code: OdsCode::parse(&format!("{tag}{i}")).map_err(|e| anyhow::anyhow!("{e}"))?,
            name: text(&format!("Burst Trust {i}"))?,
            kind: OrgKind::Trust,
        };
        store.create_organisation(&org, &[]).await?;
        let site = Site {
            id: SiteId(Uuid::now_v7()),
            org_id: org.id,
            name: text("Main site")?,
            location: GeoPoint::new(53.7 + f64::from(i) * 0.05, -2.6)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        };
        store.create_site(&site, &[]).await?;
        for j in 0..10 {
            let ward = Ward {
                id: WardId(Uuid::now_v7()),
                site_id: site.id,
                org_id: org.id,
                name: text(&format!("Ward {j}"))?,
                instant_booking: true,
            };
            store.create_ward(&ward, &[]).await?;
            wards.push(ward);
        }
        let booker = User {
            id: UserId(Uuid::now_v7()),
            email: Email::parse(&format!("booker-{tag}{i}@burst.bench"))
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            display_name: text("Burst booker")?,
            password_hash: None,
            grants: vec![Grant {
                role: Role::Booker,
                scope: Scope::Organisation(org.id),
            }],
            created_at: now,
        };
        store.create_user(&booker, &[]).await?;
        bookers.push(booker.id);
        orgs.push(org.id);
    }
    let bank = Bank {
        id: BankId(Uuid::now_v7()),
        name: text("Burst collaborative bank")?,
        kind: BankKind::Collaborative,
        lead_org_id: orgs[0],
        member_orgs: orgs.clone(),
    };
    store.create_bank(&bank, &[]).await?;

    let group = StaffGroup::NursingAndMidwifery;
    let band = |name| Grade::parse(name).ok_or_else(|| anyhow::anyhow!("grade {name}"));
    let grades = GradeRange::new(group, band("band_5")?, band("band_6")?)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Earlies, lates, long days and nights (hours from midnight UTC, length): a late then an
    // early leaves nine hours' rest, so the working-time rules refuse some bookings.
    let patterns = [(7.0, 8.0), (14.0, 8.0), (7.5, 12.5), (19.5, 12.5)];
    let midnight = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .ok_or_else(|| anyhow::anyhow!("midnight"))?;
    let mut shifts = Vec::with_capacity(size.shifts);
    for s in 0..size.shifts {
        let (from, hours) = patterns[s % 4];
        let start = midnight
            + Duration::days(1 + (s / 4 % 7) as i64)
            + Duration::minutes((from * 60.0) as i64);
        let ward = &wards[s % wards.len()];
        shifts.push(Shift {
            id: ShiftId(Uuid::now_v7()),
            org_id: ward.org_id,
            ward_id: ward.id,
            bank_id: bank.id,
            role: text("Staff nurse")?,
            staff_group: group,
            grades,
            required_skills: vec![],
            window: ShiftWindow::new(start, start + Duration::minutes((hours * 60.0) as i64))
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            places: Places::new(2).ok_or_else(|| anyhow::anyhow!("places"))?,
            booked: 0,
            status: ShiftStatus::Open,
            posted_by: bookers[s % 5],
            created_at: now,
            required_credentials: default_requirements(group),
            released_at: now,
            collaborative: None,
            priority_window: Duration::zero(),
            booking_mode: BookingMode::Instant,
            cancellation_notice: Duration::hours(48),
            agency: None,
            premium: Default::default(),
        });
    }
    for chunk in shifts.chunks(200) {
        store.post_shifts(chunk, &[]).await?;
    }

    let workers: Vec<(WorkerId, String)> = futures::stream::iter(0..size.workers)
        .map(|i| {
            let (app, store, bank, orgs, bookers) =
                (app.clone(), store.clone(), bank.id, &orgs, &bookers);
            async move {
                let worker = register_nurse(
                    &app,
                    &format!("w{i}-{tag}@burst.bench"),
                    &format!("Burst worker {i}"),
                    bank,
                )
                .await?;
                store.join_bank(worker.id, bank, now, &[]).await?;
                for kind in CredentialKind::ALL {
                    if matches!(
                        kind,
                        CredentialKind::Employment | CredentialKind::SystemsAccess
                    ) {
                        continue;
                    }
                    let credential = Credential {
                        id: CredentialId(Uuid::now_v7()),
                        worker_id: worker.id,
                        kind,
                        dbs_level: (kind == CredentialKind::DbsCheck)
                            .then_some(DbsLevel::EnhancedBarred),
                        issuer_org_id: orgs[i % 5],
                        valid_from: now - Duration::days(365),
                        valid_until: None,
                        status: CredentialStatus::Active,
                        revoked_at: None,
                        recorded_by: bookers[i % 5],
                        recorded_at: now,
                    };
                    store.record_credential(&credential, &[]).await?;
                }
                let token = sign_in(&app, worker.user_id).await?;
                Ok::<_, anyhow::Error>((worker.id, token))
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    Ok(BurstFixture { shifts, workers })
}

/// What the burst measured.
pub struct BurstResult {
    /// Bookings made.
    pub booked: usize,
    /// Booking requests sent.
    pub requests: usize,
    /// Bookings per second over the whole burst.
    pub per_second: f64,
    /// Latency of every booking request, ms.
    pub p50_ms: f64,
    /// Latency of every booking request, ms.
    pub p99_ms: f64,
    /// Answers by status code.
    pub statuses: HashMap<u16, usize>,
}

/// Every worker tries up to three shifts, stopping after two bookings, with `concurrency`
/// requests in flight. Like the app's list, a worker picks among shifts not yet known to be full.
pub async fn run(base: &str, fx: &BurstFixture, concurrency: usize) -> anyhow::Result<BurstResult> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let full: Arc<Vec<AtomicBool>> =
        Arc::new(fx.shifts.iter().map(|_| AtomicBool::new(false)).collect());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..concurrency {
        let (client, next, full, base) =
            (client.clone(), next.clone(), full.clone(), base.to_owned());
        let shifts: Vec<ShiftId> = fx.shifts.iter().map(|s| s.id).collect();
        let workers = fx.workers.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(task as u64);
            let mut latencies = Vec::new();
            let mut statuses: HashMap<u16, usize> = HashMap::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((_, token)) = workers.get(i) else {
                    return Ok::<_, anyhow::Error>((latencies, statuses));
                };
                let mut booked = 0;
                for attempt in 0..3 {
                    let open: Vec<usize> = (0..shifts.len())
                        .filter(|s| !full[*s].load(Ordering::Relaxed))
                        .collect();
                    let Some(&pick) = open.choose(&mut rng) else {
                        break;
                    };
                    let t = Instant::now();
                    let reply = client
                        .post(format!("{base}/api/v1/shifts/{}/bookings", shifts[pick].0))
                        .bearer_auth(token)
                        .header("idempotency-key", format!("burst-{i}-{attempt}"))
                        .send()
                        .await?;
                    let status = reply.status().as_u16();
                    let body = reply.text().await?;
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                    *statuses.entry(status).or_default() += 1;
                    if body.contains("shift-full") {
                        full[pick].store(true, Ordering::Relaxed);
                    }
                    if status == 201 {
                        booked += 1;
                        if booked == 2 {
                            break;
                        }
                    }
                }
            }
        }));
    }
    let mut latencies = Vec::new();
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for task in tasks {
        let (l, s) = task.await??;
        latencies.extend(l);
        for (k, v) in s {
            *statuses.entry(k).or_default() += v;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let booked = statuses.get(&201).copied().unwrap_or(0);
    Ok(BurstResult {
        booked,
        requests: latencies.len(),
        per_second: booked as f64 / elapsed,
        p50_ms: percentile(&mut latencies.clone(), 50.0),
        p99_ms: percentile(&mut latencies, 99.0),
        statuses,
    })
}

/// The invariants after the burst, from the stored bookings: over-booked shifts, workers holding
/// overlapping bookings, workers whose bookings break the working-time rules.
pub async fn invariants(
    store: &dyn Store,
    fx: &BurstFixture,
) -> anyhow::Result<(usize, usize, usize, usize)> {
    let mut over_booked = 0;
    let mut active = 0;
    for shift in &fx.shifts {
        let n = store
            .bookings_of_shift(shift.id)
            .await?
            .iter()
            .filter(|b| b.status == BookingStatus::Active)
            .count();
        active += n;
        if n > usize::from(shift.places.get()) {
            over_booked += 1;
        }
    }
    let (mut overlapping, mut breaking) = (0, 0);
    for (worker, _) in &fx.workers {
        let work: Vec<rules::Span> = store
            .bookings_of_worker(
                *worker,
                Page {
                    limit: 1000,
                    after: None,
                },
            )
            .await?
            .iter()
            .filter(|b| b.status == BookingStatus::Active)
            .map(|b| (b.window.start(), b.window.end()))
            .collect();
        if rules::overlaps(&work) {
            overlapping += 1;
        }
        if !rules::breaches(&work, false).is_empty() {
            breaking += 1;
        }
    }
    Ok((active, over_booked, overlapping, breaking))
}
