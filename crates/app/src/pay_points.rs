//! Correcting a worker's pay point. The point within a band sets the base rate every shift is
//! paid at, and a point the bank's rate card does not have stops approval (pay is never guessed
//! at the nearest point). A worker records it at registration and a trust's import brings it from
//! ESR; when it is wrong, or the card changes, the bank office corrects it here, audited.

use serde::Deserialize;
use serde_json::json;
use staffbank_domain::grade::Grade;
use staffbank_domain::role::{Role, Scope};
use staffbank_domain::{BankId, WorkerId};

use crate::audit::Change;
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
        let bank = self.store.bank(bank).await?.ok_or(AppError::NotFound)?;
        if !who
            .orgs_as(Role::PayrollOfficer)
            .contains(&bank.lead_org_id)
        {
            // Other staff of the trust learn they may not; anyone else learns nothing.
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
        let points = self.pay_points(bank.id, member.grade).await?;
        if points == 0 {
            return Err(AppError::field(
                "pay_point",
                format!(
                    "this bank's rate card has no rates for {}",
                    member.grade.label()
                ),
            ));
        }
        if !(1..=points).contains(&input.pay_point) {
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

    /// How many pay points a bank's rate card (its own, or the default) has for a grade; 0 when
    /// it has none.
    pub async fn pay_points(&self, bank: BankId, grade: Grade) -> Result<u8, AppError> {
        let points = match self.store.rate_card(bank).await? {
            Some(card) => card.points(grade),
            None => default_pay_rules()?.rate_card.points(grade),
        };
        Ok(points.map_or(0, |n| u8::try_from(n).unwrap_or(u8::MAX)))
    }
}
