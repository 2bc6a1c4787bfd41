//! The bank office's view of priority tiers: who holds the core or silver tier in each bank their
//! trust leads, with the hours behind it, and members found by name or email to give a tier to.
//! Tiers are changed through [`App::set_tier`], which checks and records each change.

use std::collections::HashMap;

use chrono::Duration;
use serde::Serialize;
use staffbank_domain::release::CORE_TIER_WEEKS;
use staffbank_domain::WorkerId;
use staffbank_store::WorkerSearch;

use crate::{App, AppError, Principal};

/// A bank member as the tiers page lists them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TierMember {
    /// The worker.
    pub worker_id: uuid::Uuid,
    /// Their name.
    pub name: String,
    /// `core`, `silver`, or none.
    pub tier: Option<String>,
    /// Hours they worked on the bank's shifts in the last 13 weeks (what the core tier is
    /// earned by).
    pub recent_hours: i64,
    /// `part_time` or `full_time` as the bank recorded it, if it has (the fairness report's
    /// contract groups).
    pub contract: Option<String>,
}

/// One bank the booker's trust leads: its tier holders, and the members a search found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BankTiers {
    /// The bank.
    pub bank_id: uuid::Uuid,
    /// Its name.
    pub bank_name: String,
    /// Members holding a tier, by name.
    pub holders: Vec<TierMember>,
    /// Members whose name or email matched the search (empty without one).
    pub found: Vec<TierMember>,
}

/// At most this many members found by a search.
pub(crate) const FOUND_LIMIT: u32 = 25;

/// A bank office's search for members by name or email, trimmed: `None` when blank, refused
/// unless 2 to 100 characters without control characters.
pub(crate) fn member_search(search: Option<&str>) -> Result<Option<&str>, AppError> {
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    if let Some(text) = search {
        let length = text.chars().count();
        if !(2..=100).contains(&length) || text.chars().any(char::is_control) {
            return Err(AppError::field("search", "enter 2 to 100 characters"));
        }
    }
    Ok(search)
}

impl App {
    /// The banks led by the booker's trusts, each with its tier holders and, when `search` is
    /// given (2 to 100 characters), its members whose name or email contains it.
    pub async fn bank_tiers(
        &self,
        who: &Principal,
        search: Option<&str>,
    ) -> Result<Vec<BankTiers>, AppError> {
        let orgs = who.booker_orgs();
        if orgs.is_empty() {
            return Err(AppError::Forbidden);
        }
        let search = member_search(search)?;
        let now = self.now();
        let mut out = Vec::new();
        for bank in self.store.banks().await? {
            if !orgs.contains(&bank.lead_org_id) {
                continue;
            }
            let members: HashMap<WorkerId, _> = self
                .store
                .member_hours(bank.id, now - Duration::weeks(CORE_TIER_WEEKS), now)
                .await?
                .into_iter()
                .map(|m| (m.worker_id, m))
                .collect();
            let describe = |id: WorkerId, name: String| {
                let member = &members[&id];
                TierMember {
                    worker_id: id.0,
                    name,
                    tier: member.tier.map(|t| t.as_str().to_owned()),
                    recent_hours: member.minutes / 60,
                    contract: member.contract.map(|c| c.as_str().to_owned()),
                }
            };
            let mut holders = Vec::new();
            for member in members.values().filter(|m| m.tier.is_some()) {
                if let Some(worker) = self.store.worker(member.worker_id).await? {
                    holders.push(describe(worker.id, worker.display_name.to_string()));
                }
            }
            holders.sort_by(|a, b| a.name.cmp(&b.name));
            let mut found = Vec::new();
            if let Some(text) = search {
                let query = WorkerSearch {
                    text: text.to_owned(),
                    orgs: Some(vec![bank.lead_org_id]),
                    limit: FOUND_LIMIT,
                };
                for f in self.store.find_workers(&query).await? {
                    if members.contains_key(&f.worker.id) {
                        found.push(describe(f.worker.id, f.worker.display_name.to_string()));
                    }
                }
            }
            out.push(BankTiers {
                bank_id: bank.id.0,
                bank_name: bank.name.to_string(),
                holders,
                found,
            });
        }
        Ok(out)
    }
}
