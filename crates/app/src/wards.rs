//! A trust's bookers keep its wards: renaming one, or moving it to another of the trust's sites.
//! (Adding one is `create_ward`; whether its shifts are booked at once is `set_booking_mode`.)

use serde::Deserialize;
use serde_json::json;
use staffbank_domain::{SiteId, WardId};
use staffbank_store::StoreError;
use uuid::Uuid;

use crate::admin::name;
use crate::audit::Change;
use crate::error::Fields;
use crate::views::{SiteView, WardView};
use crate::{App, AppError, Principal};

/// A ward's new name and site.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WardChange {
    /// Name, e.g. "Ward 8 Acute Medicine".
    pub name: String,
    /// One of the trust's sites.
    pub site_id: Uuid,
}

impl App {
    /// Renames a ward or moves it to another site of its trust (bookers of the ward).
    #[tracing::instrument(skip_all, fields(ward = %id))]
    pub async fn update_ward(
        &self,
        who: &Principal,
        id: WardId,
        input: WardChange,
    ) -> Result<WardView, AppError> {
        let ward = self.store.ward(id).await?.ok_or(AppError::NotFound)?;
        if !who.books_for_ward(&ward) {
            return if who.has_role(staffbank_domain::role::Role::Booker) {
                Err(AppError::NotFound)
            } else {
                Err(AppError::Forbidden)
            };
        }
        let mut fields = Fields::default();
        let label = name(&mut fields, "name", &input.name);
        let site = self.store.site(SiteId(input.site_id)).await?;
        let site = match site {
            Some(site) if site.org_id == ward.org_id => Some(site),
            _ => {
                fields.push("site_id", "no such site of this ward's trust");
                None
            }
        };
        fields.finish()?;
        let (Some(label), Some(site)) = (label, site) else {
            return Err(AppError::field("name", "invalid"));
        };
        let changed = staffbank_store::Ward {
            name: label,
            site_id: site.id,
            ..ward.clone()
        };
        let record = self
            .audit_record(Change {
                action: "ward.changed",
                actor: Some(who.user.id),
                tenant: Some(ward.org_id),
                subject: None,
                facts: json!({"ward": ward.id, "name": changed.name.as_str(), "site": site.id,
                    "was_name": ward.name.as_str(), "was_site": ward.site_id}),
                personal: None,
            })
            .await?;
        match self.store.update_ward(&changed, &[record]).await {
            Ok(()) => {}
            Err(StoreError::NotFound) => {
                return Err(AppError::field(
                    "site_id",
                    "no such site of this ward's trust",
                ))
            }
            Err(e) => return Err(e.into()),
        }
        self.names.forget_ward(ward.id);
        tracing::info!("ward changed");
        Ok(WardView::new(&changed, &site))
    }

    /// The sites of the trusts whose wards a booker keeps (bookers of whole trusts).
    pub async fn booker_sites(&self, who: &Principal) -> Result<Vec<SiteView>, AppError> {
        let orgs = who.booker_orgs();
        if orgs.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut sites = Vec::new();
        for org in orgs {
            sites.extend(self.store.sites(org).await?.iter().map(SiteView::from));
        }
        Ok(sites)
    }
}
