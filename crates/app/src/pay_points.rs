//! Correcting a worker's pay point. The point within a band sets the base rate every shift is
//! paid at, and a point the bank's rate card does not have stops approval (pay is never guessed
//! at the nearest point). A worker records it at registration and a trust's import brings it from
//! ESR; when it is wrong, or the card changes, the bank office corrects it here, audited.

use serde::Deserialize;
use serde_json::json;
use staffbank_domain::grade::Grade;
use staffbank_domain::role::{Role, Scope};
use staffbank_domain::{BankId, WorkerId};
use staffbank_store::{Bank, Worker, WorkerSearch};

use crate::audit::Change;
use crate::bank_tiers::{member_search, FOUND_LIMIT};
use crate::timesheets::default_pay_rules;
use crate::{App, AppError, Principal};

/// A corrected pay point.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPayPoint {
    /// The point within the worker's grade on the bank's rate card (1 = entry).
    pub pay_point: u8,
}

impl App {
    /// Corrects a member's pay point (payroll officers of the trust that runs the bank, who
    /// handle pay queries), to one the
    /// bank's rate card has for their grade; audited as `worker.pay_point`. A worker who is not a
    /// member, or a bank of another trust, is not found.
    #[tracing::instrument(skip_all, fields(bank = %bank.0, worker = %worker.0))]
    pub async fn set_pay_point(
        &self,
        who: &Principal,
        bank: BankId,
        worker: WorkerId,
        input: SetPayPoint,
    ) -> Result<(), AppError> {
        let (bank, member, rates) = self.payroll_member(who, bank, worker).await?;
        let points = rates.len();
        if points == 0 {
            return Err(AppError::field(
                "pay_point",
                format!(
                    "this bank's rate card has no rates for {}",
                    member.grade.label()
                ),
            ));
        }
        if !(1..=points).contains(&usize::from(input.pay_point)) {
            return Err(AppError::field(
                "pay_point",
                format!(
                    "must be between 1 and {points}: the points {} has on this bank's rate card",
                    member.grade.label()
                ),
            ));
        }
        let record = self
            .audit_record(Change {
                action: "worker.pay_point",
                actor: Some(who.user.id),
                tenant: Some(bank.lead_org_id),
                subject: Some(member.user_id),
                facts: json!({"worker": worker, "bank": bank.id, "grade": member.grade.as_str(),
                    "before": member.pay_point, "after": input.pay_point}),
                personal: None,
            })
            .await?;
        self.store
            .set_pay_point(worker, input.pay_point, &[record])
            .await?;
        Ok(())
    }

    /// One member's pay point as a payroll officer of the bank's trust sees it, with the
    /// points their grade has on the bank's card: what the confirmation page shows.
    pub async fn pay_point_member(
        &self,
        who: &Principal,
        bank: BankId,
        worker: WorkerId,
    ) -> Result<PayPointMember, AppError> {
        let (_, member, rates) = self.payroll_member(who, bank, worker).await?;
        Ok(PayPointMember::new(&member, rates))
    }

    /// The banks the payroll officer's trusts lead, each with the members whose name or email
    /// contains `search` (2 to 100 characters; none without one) and their pay points.
    pub async fn pay_point_members(
        &self,
        who: &Principal,
        search: Option<&str>,
    ) -> Result<Vec<PayPointBank>, AppError> {
        let orgs = who.orgs_as(Role::PayrollOfficer);
        if orgs.is_empty() {
            return Err(AppError::Forbidden);
        }
        let search = member_search(search)?;
        let mut out = Vec::new();
        for bank in self.store.banks().await? {
            if !orgs.contains(&bank.lead_org_id) {
                continue;
            }
            let mut found = Vec::new();
            if let Some(text) = search {
                let query = WorkerSearch {
                    text: text.to_owned(),
                    orgs: Some(vec![bank.lead_org_id]),
                    limit: FOUND_LIMIT,
                };
                for f in self.store.find_workers(&query).await? {
                    if f.worker.banks.contains(&bank.id) {
                        let rates = self.rates_for(bank.id, f.worker.grade).await?;
                        found.push(PayPointMember::new(&f.worker, rates));
                    }
                }
            }
            out.push(PayPointBank {
                bank_id: bank.id.0,
                bank_name: bank.name.to_string(),
                found,
            });
        }
        Ok(out)
    }

    /// The bank, the member and their grade's hourly rates on its card, if the caller is a
    /// payroll officer of the trust that runs it and the worker is a member. Other staff of the
    /// trust learn they may not; anyone else, and about anyone else, learns nothing.
    async fn payroll_member(
        &self,
        who: &Principal,
        bank: BankId,
        worker: WorkerId,
    ) -> Result<(Bank, Worker, Vec<i64>), AppError> {
        let bank = self.store.bank(bank).await?.ok_or(AppError::NotFound)?;
        if !who
            .orgs_as(Role::PayrollOfficer)
            .contains(&bank.lead_org_id)
        {
            let staff = who
                .user
                .grants
                .iter()
                .any(|g| g.scope == Scope::Organisation(bank.lead_org_id));
            return Err(if staff {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let member = self.store.worker(worker).await?.ok_or(AppError::NotFound)?;
        if !member.banks.contains(&bank.id) {
            return Err(AppError::NotFound);
        }
        let rates = self.rates_for(bank.id, member.grade).await?;
        Ok((bank, member, rates))
    }

    /// A grade's hourly rates in pence, entry point first, on a bank's card (its own, or the
    /// default); empty when the card has none for it.
    async fn rates_for(&self, bank: BankId, grade: Grade) -> Result<Vec<i64>, AppError> {
        let card = match self.store.rate_card(bank).await? {
            Some(card) => card,
            None => default_pay_rules()?.rate_card.clone(),
        };
        Ok(card.rates.get(grade.as_str()).cloned().unwrap_or_default())
    }
}

/// A bank member's pay point, and the points their grade has on the bank's card.
#[derive(Debug, Clone)]
pub struct PayPointMember {
    /// The worker.
    pub worker_id: uuid::Uuid,
    /// Their name.
    pub name: String,
    /// Their grade, in words ("Band 5").
    pub grade: String,
    /// The point they are paid at now (1 = entry).
    pub pay_point: u8,
    /// The hourly rate in pence at each point of their grade, entry first (empty when the card
    /// has no rates for the grade).
    pub rates: Vec<i64>,
}

impl PayPointMember {
    fn new(worker: &Worker, rates: Vec<i64>) -> Self {
        Self {
            worker_id: worker.id.0,
            name: worker.display_name.to_string(),
            grade: worker.grade.label(),
            pay_point: worker.pay_point,
            rates,
        }
    }

    /// The hourly rate in pence at a point, if the card has it.
    pub fn rate_at(&self, point: u8) -> Option<i64> {
        self.rates.get(usize::from(point).checked_sub(1)?).copied()
    }
}

/// A bank the payroll officer's trust leads, and the members a search found in it.
#[derive(Debug, Clone)]
pub struct PayPointBank {
    /// The bank.
    pub bank_id: uuid::Uuid,
    /// Its name.
    pub bank_name: String,
    /// Members whose name or email matched the search (empty without one).
    pub found: Vec<PayPointMember>,
}
