//! The wards whose shifts a worker's banks may carry, so their shift list can offer hospital and
//! ward filters naming only places they could be booked at.

use std::collections::BTreeSet;

use staffbank_domain::OrgId;

use crate::views::WardView;
use crate::{App, AppError, Principal};

impl App {
    /// The wards of every trust in the signed-in worker's banks, by hospital then ward name.
    pub async fn worker_wards(&self, who: &Principal) -> Result<Vec<WardView>, AppError> {
        let worker = who.require_worker()?;
        let mut orgs = BTreeSet::<OrgId>::new();
        for bank in &worker.banks {
            if let Some(bank) = self.store.bank(*bank).await? {
                orgs.extend(bank.member_orgs);
            }
        }
        let mut wards = Vec::new();
        for org in orgs {
            let (sites, in_org) = tokio::try_join!(self.store.sites(org), self.store.wards(org))?;
            wards.extend(in_org.iter().filter_map(|w| {
                sites
                    .iter()
                    .find(|s| s.id == w.site_id)
                    .map(|s| WardView::new(w, s))
            }));
        }
        wards.sort_by(|a, b| (&a.site_name, &a.name).cmp(&(&b.site_name, &b.name)));
        Ok(wards)
    }
}
