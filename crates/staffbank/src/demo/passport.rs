//! The passport's issuers, trust framework and the credentials offered to the demo worker, set
//! up through the product as its users would.

use anyhow::Context;
use chrono::{Duration, Utc};
use staffbank_app::App;
use staffbank_domain::credential::CredentialKind;
use staffbank_domain::role::Role;

use super::{DEMO_PASSWORD, WORKER_EMAIL};

/// Makes Blackpool (RXL) an issuer trusted for what an employer vouches for, and the NMC for
/// professional registration; the NMC offers the demo worker their registration and Blackpool
/// their DBS check. Each step is taken as the product's users take it: officers make issuer
/// keys and offer, the platform admin sets the trust framework. The worker accepts in their
/// browser, where the holder key is made.
pub(super) async fn seed_passport(app: &App) -> anyhow::Result<()> {
    let as_user = |email: &'static str| async move {
        let signed_in = app
            .sign_in(email, DEMO_PASSWORD, None)
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
    super::refreshers::seed_refresher_periods(app, &admin).await?;
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
