//! `staffbank-bench ledger`: the audit ledger's figures, measured on a real database.
//!
//! 1. Booking throughput without and with the ledger, interleaved in one run over the same
//!    database: "with" is exactly what a booking does for the ledger (build and seal the entry,
//!    insert it in the booking's transaction) while the sequencer runs beside it.
//! 2. Sequencer lag: from an entry's commit to the first signed tree head that covers it.
//! 3. Inclusion and consistency proofs through the HTTP API once the ledger holds `--entries`.
//! 4. `ledger verify` over the whole ledger.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use rand::Rng;
use serde_json::json;
use staffbank_app::audit::Change;
use staffbank_app::{App, SystemClock};
use staffbank_domain::booking::BookingStatus;
use staffbank_domain::org::{BankKind, OdsCode, OrgKind};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::shift::ShiftStatus;
use staffbank_domain::text::{Email, Label};
use staffbank_domain::worker::GeoPoint;
use staffbank_domain::*;
use staffbank_ledger::keys::MasterKey;
use staffbank_store::{Bank, Booking, Organisation, Session, Shift, Site, User, Ward, Worker};
use uuid::Uuid;

use crate::open_store;

/// Options of `staffbank-bench ledger`.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// The database to fill (use an empty one).
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// Bookings in the throughput comparison (half without the ledger, half with).
    #[arg(long, default_value_t = 4000)]
    pub bookings: usize,
    /// Simultaneous booking requests.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Ledger size at which proofs and verification are measured.
    #[arg(long, default_value_t = 1_000_000)]
    pub entries: u64,
    /// Proof requests of each kind.
    #[arg(long, default_value_t = 1000)]
    pub proofs: usize,
}

/// A label from benchmark text.
pub(crate) fn text(s: &str) -> anyhow::Result<Label> {
    Label::parse(s, 200).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The `p`th percentile (nearest rank) of `samples`.
pub(crate) fn percentile(samples: &mut [f64], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

struct Fixture {
    shifts: Vec<Shift>,
    workers: Vec<Worker>,
    auditor_token: String,
}

async fn fixture(app: &App, n: usize) -> anyhow::Result<Fixture> {
    let store = app.store().as_ref();
    let now = Utc::now();
    let org = Organisation {
        id: OrgId(Uuid::now_v7()),
        ods_code: OdsCode::parse(&format!("B{}", &Uuid::new_v4().simple().to_string()[..4]))
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        name: text("Bench Trust")?,
        kind: OrgKind::Trust,
    };
    store.create_organisation(&org, &[]).await?;
    let site = Site {
        id: SiteId(Uuid::now_v7()),
        org_id: org.id,
        name: text("Site")?,
        location: GeoPoint::new(53.8, -2.7).map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    store.create_site(&site, &[]).await?;
    let ward = Ward {
        id: WardId(Uuid::now_v7()),
        site_id: site.id,
        org_id: org.id,
        name: text("Ward")?,
        instant_booking: true,
    };
    store.create_ward(&ward, &[]).await?;
    let bank = Bank {
        id: BankId(Uuid::now_v7()),
        name: text("Bench bank")?,
        kind: BankKind::Own,
        lead_org_id: org.id,
        member_orgs: vec![org.id],
    };
    store.create_bank(&bank, &[]).await?;
    let poster = User {
        id: UserId(Uuid::now_v7()),
        email: Email::parse(&format!("bench-{}@bench.test", Uuid::new_v4().simple()))
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        display_name: text("Bench auditor")?,
        password_hash: None,
        grants: vec![Grant {
            role: Role::Auditor,
            scope: Scope::Platform,
        }],
        created_at: now,
    };
    store.create_user(&poster, &[]).await?;
    let auditor_token = Uuid::new_v4().simple().to_string();
    store
        .create_session(&Session {
            token_hash: staffbank_app::auth::token_hash(&auditor_token),
            user_id: poster.id,
            csrf_token: "bench".into(),
            expires_at: now + chrono::Duration::hours(6),
            absolute_expires_at: None,
        })
        .await?;
    let group = StaffGroup::NursingAndMidwifery;
    let band5 = Grade::parse("band_5").context("grade")?;
    let mut shifts = Vec::with_capacity(n);
    for i in 0..n {
        let start = now + chrono::Duration::hours(24 + i as i64 * 13);
        shifts.push(Shift {
            id: ShiftId(Uuid::now_v7()),
            org_id: org.id,
            ward_id: ward.id,
            bank_id: bank.id,
            role: text("Staff nurse")?,
            staff_group: group,
            grades: GradeRange::new(group, band5, band5).map_err(|e| anyhow::anyhow!("{e}"))?,
            required_skills: vec![],
            window: ShiftWindow::new(start, start + chrono::Duration::hours(12))
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            places: Places::new(1).context("places")?,
            booked: 0,
            status: ShiftStatus::Open,
            posted_by: poster.id,
            created_at: now,
            // the ledger benchmark measures the ledger's cost, not credential checks
            required_credentials: vec![],
            released_at: now,
            collaborative: None,
            priority_window: chrono::Duration::zero(),
            booking_mode: staffbank_domain::booking::BookingMode::Instant,
            cancellation_notice: chrono::Duration::hours(48),
            agency: None,
            premium: Default::default(),
        });
    }
    for chunk in shifts.chunks(500) {
        store.post_shifts(chunk, &[]).await?;
    }
    let mut workers = Vec::with_capacity(n);
    for i in 0..n {
        let worker = register_nurse(
            app,
            &format!("w{i}-{}@bench.test", Uuid::new_v4().simple()),
            &format!("Worker {i}"),
            bank.id,
        )
        .await?;
        workers.push(worker);
    }
    Ok(Fixture {
        shifts,
        workers,
        auditor_token,
    })
}

/// Registers a band 5 nurse in `bank` as registration does: the entry seals their name, creating
/// their data key.
pub(crate) async fn register_nurse(
    app: &App,
    email: &str,
    name: &str,
    bank: BankId,
) -> anyhow::Result<Worker> {
    let user = User {
        id: UserId(Uuid::now_v7()),
        email: Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?,
        display_name: text(name)?,
        password_hash: None,
        grants: vec![],
        created_at: Utc::now(),
    };
    let worker = Worker {
        id: WorkerId(Uuid::now_v7()),
        user_id: user.id,
        display_name: user.display_name.clone(),
        staff_group: StaffGroup::NursingAndMidwifery,
        grade: Grade::parse("band_5").context("grade")?,
        pay_point: 1,
        skills: vec![],
        home: None,
        banks: vec![bank],
        weekly_limit_opt_out: false,
        tiered: vec![],
        max_travel_km: None,
        shift_times: staffbank_domain::ranking::ShiftTimes::Any,
    };
    let record = app
        .audit_record(Change {
            action: "worker.registered",
            actor: Some(user.id),
            tenant: None,
            subject: Some(user.id),
            facts: json!({"worker": worker.id}),
            personal: Some(json!({"name": worker.display_name.as_str()})),
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    app.store()
        .register_worker(&user, &worker, &[record])
        .await?;
    Ok(worker)
}

/// Books pairs `range` (worker i onto shift i) with `concurrency` at a time; returns bookings/s.
async fn burst(
    app: &App,
    fx: &Arc<Fixture>,
    range: std::ops::Range<usize>,
    concurrency: usize,
    ledger: bool,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let count = range.len();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(range.start));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (app, fx, next, end) = (app.clone(), fx.clone(), next.clone(), range.end);
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= end {
                    return Ok::<(), anyhow::Error>(());
                }
                let (shift, worker) = (&fx.shifts[i], &fx.workers[i]);
                let booking = Booking {
                    id: BookingId(Uuid::now_v7()),
                    shift_id: shift.id,
                    worker_id: worker.id,
                    window: shift.window,
                    status: BookingStatus::Active,
                    idempotency_key: format!("bench-{i}"),
                    created_at: Utc::now(),
                    cancellation: None,
                };
                let audit = if ledger {
                    vec![app
                        .audit_record(Change {
                            action: "booking.made",
                            actor: Some(worker.user_id),
                            tenant: Some(shift.org_id),
                            subject: Some(worker.user_id),
                            facts: json!({"booking": booking.id, "shift": shift.id, "worker": worker.id,
                                "starts_at": shift.window.start(), "ends_at": shift.window.end()}),
                            personal: Some(json!({"worker_name": worker.display_name.as_str()})),
                        })
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?]
                } else {
                    vec![]
                };
                app.store().book(&booking, &audit, None).await?;
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}

/// Appends and sequences filler entries until the ledger holds `target`.
async fn grow(app: &App, target: u64) -> anyhow::Result<()> {
    let store = app.store();
    let started = Instant::now();
    let mut written = store.ledger_size().await?;
    while written < target {
        let mut batch = Vec::with_capacity(1000);
        for i in 0..1000.min(target - written) {
            batch.push(
                app.audit_record(Change {
                    action: "bench.filler",
                    actor: None,
                    tenant: None,
                    subject: None,
                    facts: json!({"n": written + i}),
                    personal: None,
                })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            );
        }
        store.append_audit(&batch).await?;
        written += batch.len() as u64;
        if written % 5000 == 0 {
            app.sequence_once(app.sequencer_id(), false)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if written % 100_000 == 0 {
            eprintln!(
                "  {written} entries written ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    while !store.pending_entries(1).await?.is_empty() {
        app.sequence_once(app.sequencer_id(), false)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

/// Runs the benchmark and prints its figures.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let store = open_store(&args.database_url).await?;
    if store.ledger_size().await? > 0 {
        anyhow::bail!("use an empty database: the figures assume a fresh ledger");
    }
    // STAFFBANK_MASTER_KEY, when set, lets the filled database be checked afterwards (as
    // scripts/measure-backup does with a restore); otherwise a fresh key.
    let key_text = std::env::var("STAFFBANK_MASTER_KEY")
        .unwrap_or_else(|_| MasterKey::generate_base64(&mut rand::rngs::OsRng));
    let master = MasterKey::from_base64(&key_text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let key = master.signing_key().verifying_key();
    let app = App::new(store.clone(), Arc::new(SystemClock), master);
    println!("== setup: {} shifts and workers", args.bookings);
    let fx = Arc::new(fixture(&app, args.bookings).await?);

    println!(
        "== booking throughput, {} at a time, without and with the ledger interleaved",
        args.concurrency
    );
    let sequencer = tokio::spawn(app.clone().run_sequencer());
    let (mut without, mut with) = (Vec::new(), Vec::new());
    // Four rounds, each a burst without the ledger then one with it, so drift affects both alike.
    let per_burst = args.bookings / 8;
    for round in 0..4 {
        let base = round * 2 * per_burst;
        without.push(burst(&app, &fx, base..base + per_burst, args.concurrency, false).await?);
        with.push(
            burst(
                &app,
                &fx,
                base + per_burst..base + 2 * per_burst,
                args.concurrency,
                true,
            )
            .await?,
        );
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (without, with) = (mean(&without), mean(&with));
    println!("booking throughput without ledger: {without:.0} bookings/s");
    println!("booking throughput with ledger:    {with:.0} bookings/s");
    println!(
        "with / without:                    {:.1}%",
        100.0 * with / without
    );

    let deadline = Instant::now() + Duration::from_secs(60);
    while !store.pending_entries(1).await?.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let heads = staffbank_app::ledger::all_heads(store.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut lags = Vec::new();
    let mut seq = 0u64;
    while let Some(entry) = store.entry_at(seq).await? {
        if entry.record.action == "booking.made" {
            if let Some(head) = heads.iter().find(|h| h.size > seq) {
                lags.push((head.timestamp_ms - entry.record.recorded_at.timestamp_millis()) as f64);
            }
        }
        seq += 1;
    }
    println!(
        "sequencer lag, commit to signed tree head ({} entries): p50 {:.0} ms, p99 {:.0} ms",
        lags.len(),
        percentile(&mut lags.clone(), 50.0),
        percentile(&mut lags, 99.0)
    );
    sequencer.abort();

    println!("== growing the ledger to {} entries", args.entries);
    let started = Instant::now();
    grow(&app, args.entries).await?;
    app.sequence_once(Uuid::new_v4(), true)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("grown in {:.0} s", started.elapsed().as_secs_f64());
    store.refresh_statistics().await?;

    let router = staffbank_web::router(
        app.clone(),
        staffbank_web::WebConfig {
            nhsuk_assets: None,
            secure_cookies: false,
            trusted_proxies: vec![],
            metrics: None,
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let client = reqwest::Client::new();
    let size = store.ledger_size().await?;
    let sizes: Vec<u64> = store
        .heads(None, 1000)
        .await?
        .iter()
        .map(|h| h.size)
        .filter(|s| *s > 0)
        .collect();
    let latest = store.latest_head().await?.context("no head")?.size;
    let mut rng = rand::thread_rng();
    let (mut inclusion, mut consistency) = (Vec::new(), Vec::new());
    for round in 0..args.proofs + 50 {
        if round == 50 {
            // The first 50 of each kind warm the connection pools and caches and are not counted.
            inclusion.clear();
            consistency.clear();
        }
        let seq = rng.gen_range(0..latest);
        let t = Instant::now();
        let r = client
            .get(format!(
                "{base}/api/v1/ledger/entries/{seq}/inclusion-proof"
            ))
            .bearer_auth(&fx.auditor_token)
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "inclusion proof: {}", r.status());
        r.bytes().await?;
        inclusion.push(t.elapsed().as_secs_f64() * 1000.0);
        let first = sizes[rng.gen_range(0..sizes.len())];
        let t = Instant::now();
        let r = client
            .get(format!(
                "{base}/api/v1/ledger/consistency-proof?first={first}&second={latest}"
            ))
            .bearer_auth(&fx.auditor_token)
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "consistency proof: {}", r.status());
        r.bytes().await?;
        consistency.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    server.abort();
    println!(
        "inclusion proof at {size} entries, through the API: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&mut inclusion.clone(), 50.0),
        percentile(&mut inclusion, 99.0)
    );
    println!(
        "consistency proof at {size} entries, through the API: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&mut consistency.clone(), 50.0),
        percentile(&mut consistency, 99.0)
    );

    let started = Instant::now();
    let report = staffbank_app::ledger::verify_ledger(store.as_ref(), &key, &Default::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "ledger verify over {} entries and {} heads: {:.1} s ({})",
        report.entries,
        report.heads,
        started.elapsed().as_secs_f64(),
        report.first_problem().unwrap_or("OK")
    );
    Ok(())
}
