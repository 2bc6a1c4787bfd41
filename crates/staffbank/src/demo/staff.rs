//! One sign-in per staff role, and the platform administrator `staffbank create-admin` makes.

use chrono::Utc;
use staffbank_app::auth::{check_password, hash_password};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::UserId;
use staffbank_store::{Store, User};

use super::organisations::World;
use super::{email, id, label, DEMO_PASSWORD};

/// Creates a platform administrator: the first sign-in of a new deployment (`staffbank
/// create-admin`).
pub async fn create_admin(
    store: &dyn Store,
    address: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<()> {
    check_password(password, &[address, name]).map_err(|e| anyhow::anyhow!("password {e}"))?;
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

/// One sign-in per staff role (a booker for the trust and one for a ward): email, scope, role name.
/// All at Blackpool (RXL) where scoped; a ward's scope is its first ward, Ward 8 Acute Medicine.
pub(super) const STAFF: [(&str, &str, &str); 8] = [
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

/// Creates the sign-ins of [`STAFF`], each with its one grant.
pub(super) async fn seed_staff(store: &dyn Store, world: &World) -> anyhow::Result<()> {
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
