//! About 200 bank workers across staff groups and bands, each with their home trust's standard
//! checks and their banks; the first is the demo worker who signs in.

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use staffbank_app::auth::hash_password;
use staffbank_domain::credential::{
    default_requirements, CredentialKind, CredentialStatus, DbsLevel,
};
use staffbank_domain::worker::{GeoPoint, Skill};
use staffbank_domain::*;
use staffbank_store::{Credential, Store, User, Worker};

use super::organisations::{World, TRUSTS};
use super::{email, id, label, DEMO_PASSWORD, WORKER_EMAIL};

/// Names the workers are drawn from.
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

/// (staff group, grades to draw from, skills to draw from, share out of 100)
pub(super) fn group_plan() -> [(
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

/// One item chosen at random (an error, never a panic, if there is none).
pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> anyhow::Result<&'a T> {
    items
        .choose(rng)
        .ok_or_else(|| anyhow::anyhow!("empty choice"))
}

/// Registers the workers (the demo worker first), records their checks and joins them to their
/// banks.
pub(super) async fn seed_workers(
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
        let grade = Grade::parse(grade).ok_or_else(|| anyhow::anyhow!("grade {grade}"))?;
        // Any pay point the default rate card has for the grade.
        let points = staffbank_app::timesheets::default_pay_rules()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .rate_card
            .points(grade)
            .unwrap_or(1);
        let worker = Worker {
            id: WorkerId(id()),
            user_id: user.id,
            display_name: label(&name)?,
            staff_group: *group,
            grade,
            pay_point: rng.gen_range(1..=u8::try_from(points)?),
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
