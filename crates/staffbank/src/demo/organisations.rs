//! The three trusts, their hospitals and wards, each trust's own bank, the collaborative bank
//! they share, and the issuing body (the NMC).

use staffbank_domain::org::{BankKind, OdsCode, OrgKind};
use staffbank_domain::worker::GeoPoint;
use staffbank_domain::*;
use staffbank_store::{Bank, Organisation, Site, Store, Ward};

use super::{id, label};

/// A trust as the demo seeds it: ODS code, name, and its sites with their location and wards.
pub(super) struct TrustSeed {
    pub(super) ods: &'static str,
    pub(super) name: &'static str,
    pub(super) sites: &'static [(&'static str, f64, f64, &'static [&'static str])],
}

/// Lancashire and South Cumbria ICS trusts, their main hospitals and some of their wards.
pub(super) const TRUSTS: [TrustSeed; 3] = [
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

/// What the later seeding steps hang off: the organisations, wards and banks made first, and the
/// booker and compliance officer who post shifts and record checks.
pub(super) struct World {
    pub(super) orgs: Vec<Organisation>,
    pub(super) wards: Vec<Ward>,
    pub(super) own_banks: Vec<Bank>,
    pub(super) collaborative: Bank,
    pub(super) booker: UserId,
    pub(super) compliance: UserId,
}

/// Creates the trusts with their sites, wards and own banks, the collaborative bank and the NMC.
pub(super) async fn seed_organisations(store: &dyn Store) -> anyhow::Result<World> {
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
