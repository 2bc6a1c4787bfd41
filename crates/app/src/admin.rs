//! Platform administration: organisations, sites, wards, banks and staff accounts.

use serde::Deserialize;
use serde_json::json;
use staffbank_domain::org::{BankKind, OdsCode, OrgKind};
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::text::{Email, Label};
use staffbank_domain::worker::GeoPoint;
use staffbank_domain::*;
use staffbank_store::{Bank, Organisation, Site, User, Ward};
use uuid::Uuid;

use crate::audit::Change;

use crate::auth::{check_password, hash_password};
use crate::error::Fields;
use crate::views::{BankView, OrganisationView, SiteView, UserView, WardView};
use crate::{App, AppError, Principal};

/// Register an organisation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    /// ODS code, e.g. `RXL`.
    pub ods_code: String,
    /// Name.
    pub name: String,
    /// `trust` or `issuer`.
    pub kind: String,
}

/// Register a site of an organisation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    /// Name.
    pub name: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// Register a ward at a site.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWard {
    /// Name.
    pub name: String,
    /// Whether workers book its shifts at once (true, the default) or request them for a booker
    /// to approve.
    #[serde(default = "instant")]
    pub instant_booking: bool,
}

fn instant() -> bool {
    true
}

/// Register a bank.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBank {
    /// Name.
    pub name: String,
    /// `own` or `collaborative`.
    pub kind: String,
    /// The trust that runs it (the lead employer of a collaborative bank).
    pub lead_org_id: Uuid,
    /// Other member trusts (collaborative banks only).
    #[serde(default)]
    pub member_org_ids: Vec<Uuid>,
}

/// One grant in a new staff account.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGrant {
    /// Role name, e.g. `booker`.
    pub role: String,
    /// `platform`, `organisation`, `ward` or `bank`.
    pub scope: String,
    /// The organisation, ward or bank id (absent for `platform`).
    pub scope_id: Option<Uuid>,
}

/// Create a staff account (booker, ward manager, officer, auditor, admin).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Sign-in email.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// Initial password (at least 10 characters).
    pub password: String,
    /// Roles and where they apply.
    pub grants: Vec<NewGrant>,
}

pub(crate) fn name(fields: &mut Fields, field: &str, raw: &str) -> Option<Label> {
    fields.take(field, Label::parse(raw, 200))
}

impl App {
    /// Registers an organisation (platform admin).
    #[tracing::instrument(skip_all)]
    pub async fn create_organisation(
        &self,
        who: &Principal,
        input: NewOrganisation,
    ) -> Result<OrganisationView, AppError> {
        who.require_platform_admin()?;
        let mut fields = Fields::default();
        let ods = fields.take("ods_code", OdsCode::parse(&input.ods_code));
        let label = name(&mut fields, "name", &input.name);
        let kind = fields.take(
            "kind",
            OrgKind::parse(&input.kind).ok_or("must be `trust` or `issuer`"),
        );
        fields.finish()?;
        let (Some(ods_code), Some(name), Some(kind)) = (ods, label, kind) else {
            return Err(AppError::field("body", "invalid"));
        };
        let org = Organisation {
            id: OrgId(Uuid::now_v7()),
            ods_code,
            name,
            kind,
        };
        let record = self
            .audit_record(Change {
                action: "organisation.registered",
                actor: Some(who.user.id),
                tenant: Some(org.id),
                subject: None,
                facts: json!({"organisation": org.id, "ods_code": org.ods_code.as_str(),
                    "name": org.name.as_str(), "kind": org.kind.as_str()}),
                personal: None,
            })
            .await?;
        self.store.create_organisation(&org, &[record]).await?;
        Ok(OrganisationView::from(&org))
    }

    /// Every organisation (anyone signed in: names and ODS codes are public).
    pub async fn organisations(&self, _who: &Principal) -> Result<Vec<OrganisationView>, AppError> {
        let orgs = self.store.organisations().await?;
        Ok(orgs.iter().map(OrganisationView::from).collect())
    }

    /// Registers a site (platform admin).
    #[tracing::instrument(skip_all, fields(org = %org))]
    pub async fn create_site(
        &self,
        who: &Principal,
        org: OrgId,
        input: NewSite,
    ) -> Result<SiteView, AppError> {
        who.require_platform_admin()?;
        self.store
            .organisation(org)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut fields = Fields::default();
        let label = name(&mut fields, "name", &input.name);
        let location = fields.take("lat", GeoPoint::new(input.lat, input.lon));
        fields.finish()?;
        let (Some(name), Some(location)) = (label, location) else {
            return Err(AppError::field("body", "invalid"));
        };
        let site = Site {
            id: SiteId(Uuid::now_v7()),
            org_id: org,
            name,
            location,
        };
        let record = self
            .audit_record(Change {
                action: "site.registered",
                actor: Some(who.user.id),
                tenant: Some(org),
                subject: None,
                facts: json!({"site": site.id, "name": site.name.as_str(),
                    "lat": site.location.lat(), "lon": site.location.lon()}),
                personal: None,
            })
            .await?;
        self.store.create_site(&site, &[record]).await?;
        Ok(SiteView::from(&site))
    }

    /// Registers a ward (a platform admin, or a booker of the site's whole trust).
    #[tracing::instrument(skip_all, fields(site = %site))]
    pub async fn create_ward(
        &self,
        who: &Principal,
        site: SiteId,
        input: NewWard,
    ) -> Result<WardView, AppError> {
        if !who.is_platform_admin() && !who.has_role(staffbank_domain::role::Role::Booker) {
            return Err(AppError::Forbidden);
        }
        let site = self.store.site(site).await?.ok_or(AppError::NotFound)?;
        if !who.is_platform_admin() && !who.booker_orgs().contains(&site.org_id) {
            return Err(AppError::NotFound);
        }
        let mut fields = Fields::default();
        let label = name(&mut fields, "name", &input.name);
        fields.finish()?;
        let Some(name) = label else {
            return Err(AppError::field("name", "invalid"));
        };
        let ward = Ward {
            id: WardId(Uuid::now_v7()),
            site_id: site.id,
            org_id: site.org_id,
            name,
            instant_booking: input.instant_booking,
        };
        let record = self
            .audit_record(Change {
                action: "ward.registered",
                actor: Some(who.user.id),
                tenant: Some(ward.org_id),
                subject: None,
                facts: json!({"ward": ward.id, "site": site.id, "name": ward.name.as_str()}),
                personal: None,
            })
            .await?;
        self.store.create_ward(&ward, &[record]).await?;
        Ok(WardView::new(&ward, &site))
    }

    /// Registers a bank (platform admin). An own bank has one member, its trust; a collaborative
    /// bank has its lead employer and at least one other trust.
    #[tracing::instrument(skip_all)]
    pub async fn create_bank(&self, who: &Principal, input: NewBank) -> Result<BankView, AppError> {
        who.require_platform_admin()?;
        let mut fields = Fields::default();
        let label = name(&mut fields, "name", &input.name);
        let kind = fields.take(
            "kind",
            BankKind::parse(&input.kind).ok_or("must be `own` or `collaborative`"),
        );
        let lead = OrgId(input.lead_org_id);
        let mut members = vec![lead];
        for id in &input.member_org_ids {
            if !members.contains(&OrgId(*id)) {
                members.push(OrgId(*id));
            }
        }
        match kind {
            Some(BankKind::Own) if members.len() > 1 => fields.push(
                "member_org_ids",
                "an own bank has only its trust as a member",
            ),
            Some(BankKind::Collaborative) if members.len() < 2 => fields.push(
                "member_org_ids",
                "a collaborative bank needs at least one trust besides the lead employer",
            ),
            _ => {}
        }
        for (i, member) in members.iter().enumerate() {
            let field = if i == 0 {
                "lead_org_id".to_string()
            } else {
                format!("member_org_ids[{}]", i - 1)
            };
            match self.store.organisation(*member).await? {
                Some(org) if org.kind == OrgKind::Trust => {}
                Some(_) => fields.push(field, "must be a trust"),
                None => fields.push(field, "no such organisation"),
            }
        }
        fields.finish()?;
        let (Some(name), Some(kind)) = (label, kind) else {
            return Err(AppError::field("body", "invalid"));
        };
        let bank = Bank {
            id: BankId(Uuid::now_v7()),
            name,
            kind,
            lead_org_id: lead,
            member_orgs: members,
        };
        let record = self
            .audit_record(Change {
                action: "bank.registered",
                actor: Some(who.user.id),
                tenant: Some(bank.lead_org_id),
                subject: None,
                facts: json!({"bank": bank.id, "name": bank.name.as_str(), "kind": bank.kind.as_str(),
                    "members": bank.member_orgs}),
                personal: None,
            })
            .await?;
        self.store.create_bank(&bank, &[record]).await?;
        Ok(BankView::from(&bank))
    }

    /// Every bank (anyone signed in: workers choose which to join).
    pub async fn banks(&self, _who: &Principal) -> Result<Vec<BankView>, AppError> {
        let banks = self.store.banks().await?;
        Ok(banks.iter().map(BankView::from).collect())
    }

    /// Creates a staff account with its grants (platform admin). Workers register themselves.
    #[tracing::instrument(skip_all)]
    pub async fn create_user(&self, who: &Principal, input: NewUser) -> Result<UserView, AppError> {
        who.require_platform_admin()?;
        let mut fields = Fields::default();
        let email = fields.take("email", Email::parse(&input.email));
        let display_name = name(&mut fields, "display_name", &input.display_name);
        fields.take(
            "password",
            check_password(&input.password, &[&input.email, &input.display_name]),
        );
        if input.grants.is_empty() || input.grants.len() > 20 {
            fields.push("grants", "give between 1 and 20 grants");
        }
        let mut grants = Vec::new();
        for (i, raw) in input.grants.iter().enumerate() {
            if let Some(grant) = self.parse_grant(&mut fields, i, raw).await? {
                grants.push(grant);
            }
        }
        fields.finish()?;
        let (Some(email), Some(display_name)) = (email, display_name) else {
            return Err(AppError::field("body", "invalid"));
        };
        let user = User {
            id: UserId(Uuid::now_v7()),
            email,
            display_name,
            password_hash: Some(hash_password(&input.password).await?),
            grants,
            created_at: self.now(),
        };
        let record = self
            .audit_record(Change {
                action: "user.created",
                actor: Some(who.user.id),
                tenant: None,
                subject: Some(user.id),
                facts: json!({"user": user.id, "grants_after": user.grants}),
                personal: Some(
                    json!({"email": user.email.as_str(), "name": user.display_name.as_str()}),
                ),
            })
            .await?;
        self.store.create_user(&user, &[record]).await?;
        Ok(UserView::new(&user, None))
    }

    async fn parse_grant(
        &self,
        fields: &mut Fields,
        i: usize,
        raw: &NewGrant,
    ) -> Result<Option<Grant>, AppError> {
        let Some(role) = Role::parse(&raw.role).filter(|r| *r != Role::Worker) else {
            fields.push(format!("grants[{i}].role"), "unknown role");
            return Ok(None);
        };
        let field = format!("grants[{i}].scope_id");
        let scope = match (raw.scope.as_str(), raw.scope_id) {
            ("platform", None) => Some(Scope::Platform),
            ("organisation", Some(id)) => {
                let found = self.store.organisation(OrgId(id)).await?.is_some();
                found.then_some(Scope::Organisation(OrgId(id)))
            }
            ("ward", Some(id)) => {
                let found = self.store.ward(WardId(id)).await?.is_some();
                found.then_some(Scope::Ward(WardId(id)))
            }
            ("bank", Some(id)) => {
                let found = self.store.bank(BankId(id)).await?.is_some();
                found.then_some(Scope::Bank(BankId(id)))
            }
            _ => None,
        };
        if scope.is_none() {
            fields.push(
                field,
                "must name an existing organisation, ward or bank for that scope",
            );
        }
        Ok(scope.map(|scope| Grant { role, scope }))
    }
}
