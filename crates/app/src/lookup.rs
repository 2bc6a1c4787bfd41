//! Resolving the names a page of shifts needs, each fetched once per request.

use std::collections::HashMap;

use anyhow::anyhow;
use staffbank_domain::*;
use staffbank_store::{Bank, Organisation, Shift, Site, Store, Ward};

use crate::views::{ShiftNames, ShiftView};
use crate::AppError;

/// A per-request cache of organisations, wards, sites and banks.
#[derive(Default)]
pub(crate) struct Names {
    orgs: HashMap<OrgId, Organisation>,
    wards: HashMap<WardId, Ward>,
    sites: HashMap<SiteId, Site>,
    banks: HashMap<BankId, Bank>,
}

fn missing(what: &str) -> AppError {
    AppError::Unexpected(anyhow!("a shift refers to a missing {what}"))
}

impl Names {
    /// The view of `shift`, fetching any names not yet seen.
    pub(crate) async fn shift_view(
        &mut self,
        store: &dyn Store,
        shift: &Shift,
    ) -> Result<ShiftView, AppError> {
        if !self.orgs.contains_key(&shift.org_id) {
            let org = store
                .organisation(shift.org_id)
                .await?
                .ok_or_else(|| missing("trust"))?;
            self.orgs.insert(org.id, org);
        }
        if !self.wards.contains_key(&shift.ward_id) {
            let ward = store
                .ward(shift.ward_id)
                .await?
                .ok_or_else(|| missing("ward"))?;
            self.wards.insert(ward.id, ward);
        }
        let site_id = self
            .wards
            .get(&shift.ward_id)
            .map(|w| w.site_id)
            .ok_or_else(|| missing("ward"))?;
        if !self.sites.contains_key(&site_id) {
            let site = store.site(site_id).await?.ok_or_else(|| missing("site"))?;
            self.sites.insert(site.id, site);
        }
        if !self.banks.contains_key(&shift.bank_id) {
            let bank = store
                .bank(shift.bank_id)
                .await?
                .ok_or_else(|| missing("bank"))?;
            self.banks.insert(bank.id, bank);
        }
        let (Some(org), Some(ward), Some(site), Some(bank)) = (
            self.orgs.get(&shift.org_id),
            self.wards.get(&shift.ward_id),
            self.sites.get(&site_id),
            self.banks.get(&shift.bank_id),
        ) else {
            return Err(missing("name"));
        };
        Ok(ShiftView::new(
            shift,
            ShiftNames {
                org,
                ward,
                site,
                bank,
            },
        ))
    }

    /// Views of many shifts.
    pub(crate) async fn shift_views(
        &mut self,
        store: &dyn Store,
        shifts: &[Shift],
    ) -> Result<Vec<ShiftView>, AppError> {
        let mut views = Vec::with_capacity(shifts.len());
        for shift in shifts {
            views.push(self.shift_view(store, shift).await?);
        }
        Ok(views)
    }
}
