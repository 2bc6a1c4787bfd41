//! The banks whose fairness report a person may read, for the bank office's fairness page: it
//! offers them to choose from, and, for the banks the person's trust runs, the wards a bank may
//! call low-acuity in its definition of a desirable shift.

use serde::Serialize;
use staffbank_domain::role::Role;

use crate::fairness::reads_fairness;
use crate::{App, AppError, Principal};

/// A ward a bank may count as low-acuity.
#[derive(Debug, Clone, Serialize)]
pub struct FairnessWard {
    /// The ward.
    pub ward_id: uuid::Uuid,
    /// Its name.
    pub name: String,
}

/// A bank whose fairness the person may read.
#[derive(Debug, Clone, Serialize)]
pub struct FairnessBank {
    /// The bank.
    pub bank_id: uuid::Uuid,
    /// Its name.
    pub name: String,
    /// Whether the person may set its definition of a desirable shift (a booker of the trust
    /// that runs it); auditors only read.
    pub sets_definition: bool,
    /// The wards of its member trusts, by name (empty unless `sets_definition`).
    pub wards: Vec<FairnessWard>,
}

impl App {
    /// The banks whose fairness `who` may read, by name. Refused to anyone who is neither a
    /// booker nor an auditor; an office whose trust runs no bank gets an empty list.
    pub async fn fairness_banks(&self, who: &Principal) -> Result<Vec<FairnessBank>, AppError> {
        if who.booker_orgs().is_empty()
            && who.orgs_as(Role::Auditor).is_empty()
            && !who.reads_whole_ledger()
        {
            return Err(AppError::Forbidden);
        }
        let mut out = Vec::new();
        for bank in self.store.banks().await? {
            if !reads_fairness(who, &bank) {
                continue;
            }
            let sets_definition = who.booker_orgs().contains(&bank.lead_org_id);
            let mut wards = Vec::new();
            if sets_definition {
                for org in &bank.member_orgs {
                    wards.extend(
                        self.store
                            .wards(*org)
                            .await?
                            .into_iter()
                            .map(|w| FairnessWard {
                                ward_id: w.id.0,
                                name: w.name.to_string(),
                            }),
                    );
                }
                wards.sort_by(|a, b| a.name.cmp(&b.name));
            }
            out.push(FairnessBank {
                bank_id: bank.id.0,
                name: bank.name.to_string(),
                sets_definition,
                wards,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}
