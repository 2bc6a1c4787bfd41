//! Rate cards: each bank may set its own hourly rates by grade and pay point; a bank that has
//! not pays by the default card (Agenda for Change 2025/26, England, in `data/pay`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::pay::{PayRules, RateCard};
use staffbank_domain::role::{Role, Scope};
use staffbank_domain::BankId;
use staffbank_store::{Bank, Shift};

use crate::audit::Change;
use crate::error::Fields;
use crate::timesheets::{bank_holidays, default_pay_rules};
use crate::{App, AppError, Principal};

/// A bank's rate card: hourly rates in pence by grade, entry point first.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateCardView {
    /// Its name, shown on every pay line it prices.
    pub name: String,
    /// Where its numbers come from.
    pub source: String,
    /// Pence per hour for each grade's pay points, e.g. `{"band_5": [1588, 1713, 1933]}`.
    pub rates: BTreeMap<String, Vec<i64>>,
    /// Whether the bank set it (otherwise it is the default card). Ignored when setting.
    #[serde(default)]
    pub own: bool,
}

impl RateCardView {
    fn new(card: RateCard, own: bool) -> Self {
        Self {
            name: card.name,
            source: card.source,
            rates: card.rates,
            own,
        }
    }
}

/// Whether they may read a bank's rates: its workers, anyone on the staff of a member trust,
/// platform administrators. Rates are no secret to those who work by them.
fn reads_rates_of(who: &Principal, bank: &Bank) -> bool {
    who.worker
        .as_ref()
        .is_some_and(|w| w.banks.contains(&bank.id))
        || who.is_platform_admin()
        || who.user.grants.iter().any(|g| match g.scope {
            Scope::Organisation(org) => bank.member_orgs.contains(&org),
            _ => false,
        })
}

impl App {
    /// The rules a shift is paid by: its bank's rate card (or the default), and its trust's
    /// nation's bank holidays, cap and holiday pay.
    pub(crate) async fn pay_rules_for(&self, shift: &Shift) -> Result<PayRules, AppError> {
        let defaults = default_pay_rules()?;
        let settings = self.pay_settings_of(shift.org_id).await?;
        let rate_card = match self.store.rate_card(shift.bank_id).await? {
            Some(card) => card,
            None => defaults.rate_card.clone(),
        };
        Ok(settings.apply(&PayRules {
            rate_card,
            holidays: bank_holidays(&settings.nation)?.clone(),
            ..defaults.clone()
        }))
    }

    /// A bank's rate card (its workers and the staff of its trusts).
    pub async fn rate_card(&self, who: &Principal, id: BankId) -> Result<RateCardView, AppError> {
        let bank = self.store.bank(id).await?.ok_or(AppError::NotFound)?;
        if !reads_rates_of(who, &bank) {
            return Err(AppError::NotFound);
        }
        Ok(match self.store.rate_card(id).await? {
            Some(card) => RateCardView::new(card, true),
            None => RateCardView::new(default_pay_rules()?.rate_card.clone(), false),
        })
    }

    /// Sets a bank's rate card, whole (payroll officers of the trust that runs it). It prices
    /// every approval and late cancellation from now on; lines already written keep theirs.
    pub async fn set_rate_card(
        &self,
        who: &Principal,
        id: BankId,
        input: RateCardView,
    ) -> Result<RateCardView, AppError> {
        let bank = self.store.bank(id).await?.ok_or(AppError::NotFound)?;
        if !who
            .orgs_as(Role::PayrollOfficer)
            .contains(&bank.lead_org_id)
        {
            return Err(if reads_rates_of(who, &bank) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let card = RateCard {
            name: input.name.trim().to_owned(),
            source: input.source.trim().to_owned(),
            rates: input.rates,
        };
        if let Err(problems) = card.check() {
            let mut fields = Fields::default();
            for (field, message) in problems {
                fields.push(field, message);
            }
            fields.finish()?;
        }
        let record = self
            .audit_record(Change {
                action: "rate_card.set",
                actor: Some(who.user.id),
                tenant: Some(bank.lead_org_id),
                subject: None,
                facts: json!({"bank": id, "name": card.name, "source": card.source,
                    "rates": card.rates}),
                personal: None,
            })
            .await?;
        self.store.set_rate_card(id, &card, &[record]).await?;
        tracing::info!(bank = %id.0, "rate card set");
        Ok(RateCardView::new(card, true))
    }
}
