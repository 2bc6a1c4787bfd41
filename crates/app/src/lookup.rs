//! The names a view of a shift needs (trust, ward, site, bank), read once per process.
//!
//! A trust's, site's and bank's names and a ward's name and site never change once created, so
//! every view in the process shares one cache and a busy page (or a burst of bookings) reads each
//! of them once rather than once per request. Only names are read from it: a ward's booking mode,
//! which does change, always comes from the store.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use anyhow::anyhow;
use staffbank_domain::*;
use staffbank_store::{Bank, Organisation, Shift, Site, Store, Ward};

use crate::views::{ShiftNames, ShiftView};
use crate::AppError;

#[derive(Default)]
struct Known {
    orgs: HashMap<OrgId, Organisation>,
    wards: HashMap<WardId, Ward>,
    sites: HashMap<SiteId, Site>,
    banks: HashMap<BankId, Bank>,
}

/// The process's cache of organisations, wards, sites and banks, by id.
#[derive(Clone, Default)]
pub(crate) struct Names {
    known: Arc<RwLock<Known>>,
}

fn missing(what: &str) -> AppError {
    AppError::Unexpected(anyhow!("a shift refers to a missing {what}"))
}

impl Names {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Known> {
        self.known.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Known> {
        self.known.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets a ward after it is renamed or moved, so this process reads it again. (Other
    /// processes keep the old name in shift views until they restart.)
    pub(crate) fn forget_ward(&self, id: WardId) {
        self.write().wards.remove(&id);
    }

    /// The view of `shift`, fetching any names not yet seen.
    pub(crate) async fn shift_view(
        &self,
        store: &dyn Store,
        shift: &Shift,
    ) -> Result<ShiftView, AppError> {
        if !self.read().orgs.contains_key(&shift.org_id) {
            let org = store
                .organisation(shift.org_id)
                .await?
                .ok_or_else(|| missing("trust"))?;
            self.write().orgs.insert(org.id, org);
        }
        let cached_ward = self.read().wards.get(&shift.ward_id).map(|w| w.site_id);
        let site_id = match cached_ward {
            Some(site) => site,
            None => {
                let ward = store
                    .ward(shift.ward_id)
                    .await?
                    .ok_or_else(|| missing("ward"))?;
                let site = ward.site_id;
                self.write().wards.insert(ward.id, ward);
                site
            }
        };
        if !self.read().sites.contains_key(&site_id) {
            let site = store.site(site_id).await?.ok_or_else(|| missing("site"))?;
            self.write().sites.insert(site.id, site);
        }
        if !self.read().banks.contains_key(&shift.bank_id) {
            let bank = store
                .bank(shift.bank_id)
                .await?
                .ok_or_else(|| missing("bank"))?;
            self.write().banks.insert(bank.id, bank);
        }
        let known = self.read();
        let (Some(org), Some(ward), Some(site), Some(bank)) = (
            known.orgs.get(&shift.org_id),
            known.wards.get(&shift.ward_id),
            known.sites.get(&site_id),
            known.banks.get(&shift.bank_id),
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
        &self,
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
