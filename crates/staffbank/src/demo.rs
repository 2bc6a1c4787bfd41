//! `staffbank demo`: a realistic demo on an embedded SQLite file.
//!
//! Three trusts of the Lancashire and South Cumbria ICS (real ODS codes), their hospitals and
//! wards, their own banks and a collaborative bank, about 200 workers across staff groups and
//! bands, and about 500 shifts over the next four weeks, some already booked; and a long day the
//! demo worker worked two days ago, its timesheet still to fill in. Random choices come from a fixed
//! seed, so every demo looks alike.

use std::path::PathBuf;

use chrono::{Duration, NaiveTime, Utc};
use chrono_tz::Europe::London;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use staffbank_app::auth::{check_password, hash_password};
use staffbank_domain::booking::{BookingMode, BookingStatus};
use staffbank_domain::credential::{
    default_requirements, CredentialKind, CredentialStatus, DbsLevel,
};
use staffbank_domain::org::{BankKind, OdsCode, OrgKind};
use staffbank_domain::release::{ReleasePolicy, Schedule};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::shift::ShiftStatus;
use staffbank_domain::text::{Email, Label};
use staffbank_domain::worker::{GeoPoint, Skill};
use staffbank_domain::*;
use staffbank_store::{
    Bank, Booking, Credential, Organisation, Shift, Site, Store, User, Ward, Worker,
};
use uuid::Uuid;

use std::sync::Arc;

use anyhow::Context;
use staffbank_app::audit::Change;
use staffbank_app::{App, SystemClock};
use staffbank_ledger::keys::MasterKey;

use crate::serve::{master_key, open_store, serve, HttpArgs, PayrollArgs, ServeArgs};

/// The password of every demo sign-in.
pub const DEMO_PASSWORD: &str = "staffbank-demo";

/// Options of `staffbank demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// The SQLite file to create (kept between runs).
    #[arg(long, default_value = "staffbank-demo.sqlite")]
    pub file: PathBuf,
    /// Listening and assets.
    #[command(flatten)]
    pub http: HttpArgs,
    /// Payroll file delivery.
    #[command(flatten)]
    pub payroll: PayrollArgs,
}

/// The demo's master key: kept in a file beside the database, made on first run. (A real
/// deployment takes it from STAFFBANK_MASTER_KEY and keeps it in a secret store.)
fn demo_master_key(file: &std::path::Path) -> anyhow::Result<String> {
    let path = file.with_extension("key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(text.trim().to_owned());
    }
    let key = MasterKey::generate_base64(&mut rand::rngs::OsRng);
    std::fs::write(&path, &key).with_context(|| format!("Failed to write {}", path.display()))?;
    Ok(key)
}

/// Seeds (on first run) and serves the demo.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let url = format!("sqlite://{}", args.file.display());
    let key_text = demo_master_key(&args.file)?;
    let store = open_store(&url).await?;
    let app = App::new(store.clone(), Arc::new(SystemClock), master_key(&key_text)?);
    if store.organisations().await?.is_empty() {
        println!("Seeding the demo into {} ...", args.file.display());
        let counts = seed(store.as_ref()).await?;
        let record = app
            .audit_record(Change {
                action: "demo.seeded",
                actor: None,
                tenant: None,
                subject: None,
                facts: counts,
                personal: None,
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.append_audit(&[record]).await?;
        seed_passport(&app).await?;
    }
    print_sign_ins();
    let serve_args = ServeArgs {
        database_url: url,
        http: args.http,
        payroll: args.payroll,
        secure_cookies: false,
        master_key: key_text,
    };
    serve(app, &serve_args).await
}

/// Makes Blackpool (RXL) an issuer trusted for what an employer vouches for, and the NMC for
/// professional registration; the NMC offers the demo worker their registration and Blackpool
/// their DBS check. Each step is taken as the product's users take it: officers make issuer
/// keys and offer, the platform admin sets the trust framework. The worker accepts in their
/// browser, where the holder key is made.
async fn seed_passport(app: &App) -> anyhow::Result<()> {
    let as_user = |email: &'static str| async move {
        let signed_in = app
            .sign_in(email, DEMO_PASSWORD)
            .await
            .map_err(|e| anyhow::anyhow!("{email}: {e}"))?;
        app.authenticate(&signed_in.token)
            .await
            .map_err(|e| anyhow::anyhow!("{email}: {e}"))
    };
    let officer = as_user("compliance@rxl.demo.staffbank.test").await?;
    let registrar = as_user("issuer@nmc.demo.staffbank.test").await?;
    let admin = as_user("admin@demo.staffbank.test").await?;
    let worker = as_user(WORKER_EMAIL).await?;
    let worker_id = worker
        .worker
        .as_ref()
        .map(|w| w.id)
        .context("the demo worker has no worker profile")?;
    let org_of = |who: &staffbank_app::Principal, role: Role| {
        who.orgs_as(role)
            .first()
            .copied()
            .context("a demo issuer has no organisation")
    };
    let rxl = org_of(&officer, Role::ComplianceOfficer)?;
    let nmc = org_of(&registrar, Role::CredentialIssuer)?;
    let fail = |e: staffbank_app::AppError| anyhow::anyhow!("{e}");
    app.rotate_issuer_key(&officer, rxl).await.map_err(fail)?;
    app.rotate_issuer_key(&registrar, nmc).await.map_err(fail)?;
    for kind in CredentialKind::ALL {
        let org = if kind == CredentialKind::ProfessionalRegistration {
            nmc
        } else {
            rxl
        };
        let trust = staffbank_app::issuers::SetTrust {
            org_id: org.0,
            vct: staffbank_domain::credential_claims::vct(kind),
            trusted: true,
        };
        app.set_trust(&admin, trust).await.map_err(fail)?;
    }
    let renewal = (Utc::now() + Duration::days(300)).date_naive();
    let offers = [
        (
            &registrar,
            serde_json::json!({"type": "professional_registration", "regulator": "nmc",
                "number": "18C0427E", "registered": true, "renewal": renewal.to_string()}),
            Some(renewal.to_string()),
        ),
        (
            &officer,
            serde_json::json!({"type": "dbs_check", "level": "enhanced_barred",
                "workforce": "adult_and_child", "certificate_date": "2025-06-02",
                "update_service": true}),
            None,
        ),
    ];
    for (by, claims, expires) in offers {
        let offer = staffbank_app::passport::OfferCredential { claims, expires };
        app.offer_passport_credential(by, worker_id, offer)
            .await
            .map_err(fail)?;
    }
    Ok(())
}

fn print_sign_ins() {
    println!("\nDemo sign-ins (password for all: {DEMO_PASSWORD}):");
    for (email, scope, role) in STAFF {
        let role = match scope {
            "ward" => format!("{role} (one ward)"),
            _ => role.to_owned(),
        };
        println!("  {role:<20} {email}");
    }
    println!("  {:<20} {WORKER_EMAIL}", "bank worker");
    println!();
}

fn label(s: &str) -> anyhow::Result<Label> {
    Label::parse(s, 200).map_err(|e| anyhow::anyhow!("{s}: {e}"))
}

fn email(s: &str) -> anyhow::Result<Email> {
    Email::parse(s).map_err(|e| anyhow::anyhow!("{s}: {e}"))
}

fn id() -> Uuid {
    Uuid::now_v7()
}

/// Creates a platform administrator.
pub async fn create_admin(
    store: &dyn Store,
    address: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<()> {
    check_password(password).map_err(|e| anyhow::anyhow!("password {e}"))?;
    let user = User {
        id: UserId(id()),
        email: email(address)?,
        display_name: label(name)?,
        password_hash: Some(
            hash_password(password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        grants: vec![Grant {
            role: Role::PlatformAdmin,
            scope: Scope::Platform,
        }],
        created_at: Utc::now(),
    };
    store
        .create_user(&user, &[])
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

struct TrustSeed {
    ods: &'static str,
    name: &'static str,
    sites: &'static [(&'static str, f64, f64, &'static [&'static str])],
}

/// Lancashire and South Cumbria ICS trusts, their main hospitals and some of their wards.
const TRUSTS: [TrustSeed; 3] = [
    TrustSeed {
        ods: "RXL",
        name: "Blackpool Teaching Hospitals NHS Foundation Trust",
        sites: &[(
            "Blackpool Victoria Hospital",
            53.8214,
            -3.0143,
            &[
                "Ward 8 Acute Medicine",
                "Ward 16 Respiratory",
                "Emergency Department",
                "Critical Care Unit",
            ],
        )],
    },
    TrustSeed {
        ods: "RXN",
        name: "Lancashire Teaching Hospitals NHS Foundation Trust",
        sites: &[
            (
                "Royal Preston Hospital",
                53.7900,
                -2.7025,
                &["Ward 20 Stroke", "Ward 23 Surgery", "Emergency Department"],
            ),
            (
                "Chorley and South Ribble Hospital",
                53.6420,
                -2.6330,
                &["Ward 9 Elderly Care"],
            ),
        ],
    },
    TrustSeed {
        ods: "RXR",
        name: "East Lancashire Hospitals NHS Trust",
        sites: &[
            (
                "Royal Blackburn Teaching Hospital",
                53.7335,
                -2.4603,
                &["C4 Respiratory", "Acute Medical Unit"],
            ),
            (
                "Burnley General Teaching Hospital",
                53.8035,
                -2.2285,
                &["Maternity Ward"],
            ),
        ],
    },
];

/// One sign-in per staff role (a booker for the trust and one for a ward): email, scope, role name.
/// All at Blackpool (RXL) where scoped; a ward's scope is its first ward, Ward 8 Acute Medicine.
const STAFF: [(&str, &str, &str); 8] = [
    ("admin@demo.staffbank.test", "platform", "platform admin"),
    ("booker@rxl.demo.staffbank.test", "trust", "booker"),
    ("ward.booker@rxl.demo.staffbank.test", "ward", "booker"),
    (
        "ward.manager@rxl.demo.staffbank.test",
        "ward",
        "ward manager",
    ),
    (
        "compliance@rxl.demo.staffbank.test",
        "trust",
        "compliance officer",
    ),
    (
        "payroll@rxl.demo.staffbank.test",
        "trust",
        "payroll officer",
    ),
    (
        "issuer@nmc.demo.staffbank.test",
        "issuer",
        "credential issuer",
    ),
    ("auditor@demo.staffbank.test", "platform", "auditor"),
];

const WORKER_EMAIL: &str = "worker@demo.staffbank.test";

const FIRST: [&str; 24] = [
    "Amira", "Ben", "Chloe", "Daniel", "Efua", "Fatima", "Grace", "Harry", "Imran", "Jade",
    "Kwame", "Laura", "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sophie", "Tomasz",
    "Uchenna", "Victoria", "Wei", "Yusuf", "Zoe",
];
const LAST: [&str; 20] = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fernandes",
    "Green",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Mensah",
    "Nowak",
    "O'Brien",
    "Patel",
    "Roberts",
    "Smith",
    "Taylor",
    "Williams",
];

struct World {
    orgs: Vec<Organisation>,
    wards: Vec<Ward>,
    own_banks: Vec<Bank>,
    collaborative: Bank,
    booker: UserId,
    compliance: UserId,
}

/// Records the standard checks for a worker, as their home trust's compliance officer would. Most
/// run for years; for some workers one lapses within the month, so bookers see near-misses.
async fn seed_credentials(
    store: &dyn Store,
    world: &World,
    worker: &Worker,
    issuer: OrgId,
    demo: bool,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let now = Utc::now();
    for requirement in default_requirements(worker.staff_group) {
        let kind = requirement.kind();
        let lasts_days = match kind {
            CredentialKind::ProfessionalRegistration => Some(rng.gen_range(200..1100)),
            CredentialKind::CoreSkillsTraining if !demo && rng.gen_bool(0.15) => {
                Some(rng.gen_range(3..28))
            }
            CredentialKind::CoreSkillsTraining => Some(rng.gen_range(60..365)),
            _ => None,
        };
        let credential = Credential {
            id: CredentialId(id()),
            worker_id: worker.id,
            kind,
            dbs_level: requirement.min_dbs().map(|_| DbsLevel::EnhancedBarred),
            issuer_org_id: issuer,
            valid_from: now - Duration::days(rng.gen_range(30..700)),
            valid_until: lasts_days.map(|d| now + Duration::days(d)),
            status: CredentialStatus::Active,
            revoked_at: None,
            recorded_by: world.compliance,
            recorded_at: now,
        };
        store.record_credential(&credential, &[]).await?;
    }
    Ok(())
}

/// Seeds everything; returns the counts, recorded in the ledger as one `demo.seeded` entry.
async fn seed(store: &dyn Store) -> anyhow::Result<serde_json::Value> {
    let mut rng = StdRng::seed_from_u64(2026);
    let world = seed_organisations(store).await?;
    seed_staff(store, &world).await?;
    let workers = seed_workers(store, &world, &mut rng).await?;
    let (shifts, bookings) = seed_shifts(store, &world, &workers, &mut rng).await?;
    if let Some(demo_worker) = workers.first() {
        seed_worked_shift(store, &world, demo_worker).await?;
    }
    Ok(
        serde_json::json!({"organisations": world.orgs.len(), "workers": workers.len(),
        "shifts": shifts, "bookings": bookings}),
    )
}

async fn seed_organisations(store: &dyn Store) -> anyhow::Result<World> {
    let mut orgs = Vec::new();
    let mut wards = Vec::new();
    let mut own_banks = Vec::new();
    for trust in &TRUSTS {
        let org = Organisation {
            id: OrgId(id()),
            ods_code: OdsCode::parse(trust.ods).map_err(|e| anyhow::anyhow!("{e}"))?,
            name: label(trust.name)?,
            kind: OrgKind::Trust,
        };
        store.create_organisation(&org, &[]).await?;
        for (site_name, lat, lon, ward_names) in trust.sites {
            let site = Site {
                id: SiteId(id()),
                org_id: org.id,
                name: label(site_name)?,
                location: GeoPoint::new(*lat, *lon).map_err(|e| anyhow::anyhow!("{e}"))?,
            };
            store.create_site(&site, &[]).await?;
            for ward_name in *ward_names {
                let ward = Ward {
                    id: WardId(id()),
                    site_id: site.id,
                    org_id: org.id,
                    name: label(ward_name)?,
                    // every fourth ward has its bookings approved by a booker
                    instant_booking: wards.len() % 4 != 3,
                };
                store.create_ward(&ward, &[]).await?;
                wards.push(ward);
            }
        }
        let bank = Bank {
            id: BankId(id()),
            name: label(&format!(
                "{} Staff Bank",
                trust
                    .name
                    .replace(" NHS Foundation Trust", "")
                    .replace(" NHS Trust", "")
            ))?,
            kind: BankKind::Own,
            lead_org_id: org.id,
            member_orgs: vec![org.id],
        };
        store.create_bank(&bank, &[]).await?;
        own_banks.push(bank);
        orgs.push(org);
    }
    let collaborative = Bank {
        id: BankId(id()),
        name: label("Lancashire and South Cumbria Collaborative Bank")?,
        kind: BankKind::Collaborative,
        lead_org_id: orgs[1].id,
        member_orgs: orgs.iter().map(|o| o.id).collect(),
    };
    store.create_bank(&collaborative, &[]).await?;
    let issuer = Organisation {
        id: OrgId(id()),
        ods_code: OdsCode::parse("NMC").map_err(|e| anyhow::anyhow!("{e}"))?,
        name: label("Nursing and Midwifery Council")?,
        kind: OrgKind::Issuer,
    };
    store.create_organisation(&issuer, &[]).await?;
    orgs.push(issuer);
    Ok(World {
        orgs,
        wards,
        own_banks,
        collaborative,
        booker: UserId(id()),
        compliance: UserId(id()),
    })
}

async fn seed_staff(store: &dyn Store, world: &World) -> anyhow::Result<()> {
    let blackpool = world.orgs[0].id;
    let issuer = world.orgs[3].id;
    let first_ward = world.wards[0].id;
    for (address, scope, role_name) in STAFF {
        let role = Role::parse(&role_name.replace(' ', "_"))
            .ok_or_else(|| anyhow::anyhow!("role {role_name}"))?;
        let scope = match scope {
            "platform" => Scope::Platform,
            "trust" => Scope::Organisation(blackpool),
            "ward" => Scope::Ward(first_ward),
            _ => Scope::Organisation(issuer),
        };
        let user_id = match role {
            Role::Booker if scope == Scope::Organisation(blackpool) => world.booker,
            Role::ComplianceOfficer => world.compliance,
            _ => UserId(id()),
        };
        let user = User {
            id: user_id,
            email: email(address)?,
            display_name: label(&format!("Demo {role_name}"))?,
            password_hash: Some(
                hash_password(DEMO_PASSWORD)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            ),
            grants: vec![Grant { role, scope }],
            created_at: Utc::now(),
        };
        store.create_user(&user, &[]).await?;
    }
    Ok(())
}

/// (staff group, grades to draw from, skills to draw from, share out of 100)
fn group_plan() -> [(
    StaffGroup,
    &'static [&'static str],
    &'static [&'static str],
    u32,
); 5] {
    [
        (
            StaffGroup::NursingAndMidwifery,
            &["band_5", "band_5", "band_5", "band_6", "band_6", "band_7"],
            &[
                "iv_therapy",
                "catheterisation",
                "venepuncture",
                "tracheostomy_care",
            ],
            45,
        ),
        (
            StaffGroup::HealthcareSupport,
            &["band_2", "band_3", "band_3", "band_4"],
            &["venepuncture", "ecg", "dementia_care"],
            30,
        ),
        (
            StaffGroup::Medical,
            &["fy1", "fy2", "core_trainee", "specialty_registrar"],
            &["advanced_life_support"],
            10,
        ),
        (
            StaffGroup::AlliedHealth,
            &["band_5", "band_6", "band_7"],
            &["respiratory_physio", "manual_handling_trainer"],
            10,
        ),
        (
            StaffGroup::Admin,
            &["band_2", "band_3", "band_4"],
            &["medical_secretary"],
            5,
        ),
    ]
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> anyhow::Result<&'a T> {
    items
        .choose(rng)
        .ok_or_else(|| anyhow::anyhow!("empty choice"))
}

async fn seed_workers(
    store: &dyn Store,
    world: &World,
    rng: &mut StdRng,
) -> anyhow::Result<Vec<Worker>> {
    let plan = group_plan();
    let mut workers = Vec::new();
    for n in 0..200u32 {
        let demo = n == 0;
        let slot = n % 100;
        let mut cumulative = 0;
        let mut chosen = &plan[0];
        for entry in &plan {
            cumulative += entry.3;
            if slot < cumulative {
                chosen = entry;
                break;
            }
        }
        let (group, grades, skills, _) = chosen;
        let name = if demo {
            "Amira Hassan".to_string()
        } else {
            format!("{} {}", pick(rng, &FIRST)?, pick(rng, &LAST)?)
        };
        let grade = if demo { "band_5" } else { pick(rng, grades)? };
        let mut own_skills: Vec<&str> = skills
            .iter()
            .copied()
            .filter(|_| rng.gen_bool(0.6))
            .collect();
        if demo {
            own_skills = vec!["iv_therapy", "venepuncture"];
        }
        let home_trust = if demo {
            0
        } else {
            rng.gen_range(0..TRUSTS.len())
        };
        let (lat, lon) = (TRUSTS[home_trust].sites[0].1, TRUSTS[home_trust].sites[0].2);
        let address = if demo {
            WORKER_EMAIL.to_string()
        } else {
            format!("worker{n:03}@demo.staffbank.test")
        };
        let user = User {
            id: UserId(id()),
            email: email(&address)?,
            display_name: label(&name)?,
            password_hash: if demo {
                Some(
                    hash_password(DEMO_PASSWORD)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?,
                )
            } else {
                None
            },
            grants: vec![],
            created_at: Utc::now(),
        };
        let worker = Worker {
            id: WorkerId(id()),
            user_id: user.id,
            display_name: label(&name)?,
            staff_group: *group,
            grade: Grade::parse(grade).ok_or_else(|| anyhow::anyhow!("grade {grade}"))?,
            pay_point: rng.gen_range(1..=3),
            skills: Skill::parse_list(&own_skills).map_err(|e| anyhow::anyhow!("{e}"))?,
            home: Some(
                GeoPoint::new(
                    lat + rng.gen_range(-0.1..0.1),
                    lon + rng.gen_range(-0.1..0.1),
                )
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            ),
            banks: vec![],
            weekly_limit_opt_out: false,
            tiered: vec![],
            max_travel_km: Some(f64::from(rng.gen_range(15..=60))),
            shift_times: staffbank_domain::ranking::ShiftTimes::Any,
        };
        store.register_worker(&user, &worker, &[]).await?;
        seed_credentials(store, world, &worker, world.orgs[home_trust].id, demo, rng).await?;
        let mut banks = vec![world.own_banks[home_trust].id];
        if demo || rng.gen_bool(0.6) {
            banks.push(world.collaborative.id);
        }
        for bank in &banks {
            store.join_bank(worker.id, *bank, Utc::now(), &[]).await?;
        }
        workers.push(Worker { banks, ..worker });
    }
    Ok(workers)
}

/// Day, night, early and late patterns on the UK clock.
const PATTERNS: [((u32, u32), (u32, u32)); 4] = [
    ((7, 30), (20, 0)),
    ((19, 30), (8, 0)),
    ((7, 0), (15, 0)),
    ((13, 0), (21, 0)),
];

fn role_for(group: StaffGroup) -> &'static str {
    match group {
        StaffGroup::NursingAndMidwifery => "Registered nurse",
        StaffGroup::HealthcareSupport => "Healthcare assistant",
        StaffGroup::Medical => "Resident doctor",
        StaffGroup::AlliedHealth => "Physiotherapist",
        StaffGroup::Admin => "Ward clerk",
    }
}

/// A shift as the demo's booker posts it, released by the default policy.
fn demo_shift(
    world: &World,
    ward: &Ward,
    bank: BankId,
    (group, grades): (StaffGroup, GradeRange),
    window: ShiftWindow,
    places: Places,
) -> anyhow::Result<Shift> {
    let now = Utc::now();
    let schedule = Schedule::plan(
        &ReleasePolicy::default(),
        window,
        now,
        bank,
        Some(world.collaborative.id),
    );
    Ok(Shift {
        id: ShiftId(id()),
        org_id: ward.org_id,
        ward_id: ward.id,
        bank_id: bank,
        role: label(role_for(group))?,
        staff_group: group,
        grades,
        required_skills: vec![],
        window,
        places,
        booked: 0,
        status: ShiftStatus::Open,
        posted_by: world.booker,
        created_at: now,
        required_credentials: default_requirements(group),
        released_at: schedule.first.1,
        collaborative: schedule.collaborative,
        priority_window: schedule.priority_window,
        booking_mode: BookingMode::for_ward(ward.instant_booking),
        cancellation_notice: ReleasePolicy::default().cancellation_notice,
        agency: None,
        premium: Default::default(),
    })
}

/// A long day the demo worker worked two days ago on a ward of their own bank's trust, booked
/// and worked, so their timesheet can be filled in and submitted at once. (Two days, so that a
/// shift they book for today always leaves the 11 hours' rest.)
async fn seed_worked_shift(
    store: &dyn Store,
    world: &World,
    worker: &Worker,
) -> anyhow::Result<()> {
    let Some(bank) = world
        .own_banks
        .iter()
        .find(|b| worker.banks.contains(&b.id))
    else {
        return Ok(());
    };
    let Some(ward) = world.wards.iter().find(|w| w.org_id == bank.lead_org_id) else {
        return Ok(());
    };
    let day = Utc::now().with_timezone(&London).date_naive() - Duration::days(2);
    let (Some(start), Some(end)) = (
        NaiveTime::from_hms_opt(7, 30, 0),
        NaiveTime::from_hms_opt(20, 0, 0),
    ) else {
        return Ok(());
    };
    let window = ShiftWindow::from_london(day, start, end).map_err(|e| anyhow::anyhow!("{e}"))?;
    let grades = GradeRange::new(worker.staff_group, worker.grade, worker.grade)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let one = Places::new(1).ok_or_else(|| anyhow::anyhow!("places"))?;
    let shift = demo_shift(
        world,
        ward,
        bank.id,
        (worker.staff_group, grades),
        window,
        one,
    )?;
    store.post_shifts(std::slice::from_ref(&shift), &[]).await?;
    let booking = Booking {
        id: BookingId(id()),
        shift_id: shift.id,
        worker_id: worker.id,
        window,
        status: BookingStatus::Active,
        idempotency_key: format!("demo-worked-{}", shift.id),
        created_at: Utc::now(),
        cancellation: None,
    };
    store.book(&booking, &[], None).await?;
    Ok(())
}

async fn seed_shifts(
    store: &dyn Store,
    world: &World,
    workers: &[Worker],
    rng: &mut StdRng,
) -> anyhow::Result<(usize, usize)> {
    let today = Utc::now().with_timezone(&London).date_naive();
    let plan = group_plan();
    let mut shifts = Vec::new();
    for _ in 0..500 {
        let ward = pick(rng, &world.wards)?;
        let trust = world
            .orgs
            .iter()
            .position(|o| o.id == ward.org_id)
            .unwrap_or(0);
        let slot = rng.gen_range(0..100);
        let mut cumulative = 0;
        let mut group = StaffGroup::NursingAndMidwifery;
        let mut grades: &[&str] = &["band_5"];
        for (g, gr, _, share) in &plan {
            cumulative += share;
            if slot < cumulative {
                group = *g;
                grades = gr;
                break;
            }
        }
        let mut sorted: Vec<Grade> = grades.iter().filter_map(|g| Grade::parse(g)).collect();
        sorted.sort();
        let (Some(low), Some(high)) = (sorted.first().copied(), sorted.last().copied()) else {
            continue;
        };
        let ((sh, sm), (eh, em)) = *pick(rng, &PATTERNS)?;
        let date = today + Duration::days(rng.gen_range(1..=28));
        let (Some(start), Some(end)) = (
            NaiveTime::from_hms_opt(sh, sm, 0),
            NaiveTime::from_hms_opt(eh, em, 0),
        ) else {
            continue;
        };
        let Ok(window) = ShiftWindow::from_london(date, start, end) else {
            continue;
        };
        let bank = if rng.gen_bool(0.7) {
            world.own_banks[trust].id
        } else {
            world.collaborative.id
        };
        let grades = GradeRange::new(group, low, high).map_err(|e| anyhow::anyhow!("{e}"))?;
        let places = Places::new(rng.gen_range(1..=3)).ok_or_else(|| anyhow::anyhow!("places"))?;
        shifts.push(demo_shift(
            world,
            ward,
            bank,
            (group, grades),
            window,
            places,
        )?);
    }
    store.post_shifts(&shifts, &[]).await?;
    // Book about a fifth of them with matching workers (other than the demo worker), so bookers
    // see names and some shifts are already filled.
    let mut booked = 0;
    for shift in shifts.iter().step_by(5) {
        let candidates: Vec<&Worker> = workers[1..]
            .iter()
            .filter(|w| {
                w.staff_group == shift.staff_group
                    && shift.grades.contains(w.grade)
                    && shift.schedule().banks().any(|b| w.banks.contains(&b))
            })
            .collect();
        for worker in candidates.choose_multiple(rng, usize::from(shift.places.get())) {
            let booking = Booking {
                id: BookingId(id()),
                shift_id: shift.id,
                worker_id: worker.id,
                window: shift.window,
                status: BookingStatus::Active,
                idempotency_key: format!("demo-{}", shift.id),
                created_at: Utc::now(),
                cancellation: None,
            };
            if store.book(&booking, &[], None).await.is_ok() {
                booked += 1;
            }
        }
    }
    println!(
        "Seeded {} workers, {} shifts and {booked} bookings.",
        workers.len(),
        shifts.len()
    );
    Ok((shifts.len(), booked))
}
