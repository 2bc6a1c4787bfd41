//! A worker's own, voluntary equality declaration: given only with their explicit consent,
//! shown back only to them, withdrawn by deleting it. The audit ledger records that a
//! declaration was given or withdrawn, never its answers, so withdrawal leaves nothing behind.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::fairness::equality::Declaration;

use crate::audit::Change;
use crate::{App, AppError, Principal};

/// A worker's declaration as they see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EqualityView {
    /// Whether they have given one (and so consent to its use in the fairness audit).
    pub declared: bool,
    /// When they gave it.
    pub consented_at: Option<DateTime<Utc>>,
    /// Their answers.
    #[schema(value_type = Option<Object>)]
    pub declaration: Option<Declaration>,
}

/// A declaration as given: the answers and an explicit consent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EqualityInput {
    /// Must be true: "I agree to these answers being used, in groups of 20 or more only, to check
    /// that shifts are shared fairly."
    pub consent: bool,
    /// Sex: `female`, `male` or `prefer_not_to_say`.
    pub sex: String,
    /// Ethnic group: `asian`, `black`, `mixed`, `white`, `other` or `prefer_not_to_say`.
    pub ethnic_group: String,
    /// Disability: `disabled`, `not_disabled` or `prefer_not_to_say`.
    pub disability: String,
    /// Age band: `under_25`, `25_34`, `35_44`, `45_54`, `55_64`, `65_plus` or
    /// `prefer_not_to_say`.
    pub age_band: String,
}

impl App {
    /// The signed-in worker's declaration, if any.
    pub async fn my_equality(&self, who: &Principal) -> Result<EqualityView, AppError> {
        let worker = who.require_worker()?;
        let found = self.store.equality_declaration(worker.id).await?;
        Ok(EqualityView {
            declared: found.is_some(),
            consented_at: found.as_ref().map(|(_, at)| *at),
            declaration: found.map(|(d, _)| d),
        })
    }

    /// Records the signed-in worker's declaration, replacing any earlier one.
    pub async fn declare_equality(
        &self,
        who: &Principal,
        input: EqualityInput,
    ) -> Result<EqualityView, AppError> {
        let worker = who.require_worker()?;
        if !input.consent {
            return Err(AppError::field(
                "consent",
                "tick the box to agree, or leave the form without saving",
            ));
        }
        let declaration = Declaration {
            sex: input.sex,
            ethnic_group: input.ethnic_group,
            disability: input.disability,
            age_band: input.age_band,
        }
        .check()
        .map_err(|bad| AppError::field(bad.0, "choose one of the answers given"))?;
        let now = self.now();
        let record = self
            .audit_record(Change {
                action: "equality.declared",
                actor: Some(who.user.id),
                tenant: None,
                subject: Some(worker.user_id),
                facts: json!({"worker": worker.id}),
                personal: None,
            })
            .await?;
        self.store
            .save_equality_declaration(worker.id, &declaration, now, &[record])
            .await?;
        Ok(EqualityView {
            declared: true,
            consented_at: Some(now),
            declaration: Some(declaration),
        })
    }

    /// Withdraws the signed-in worker's consent: their declaration is deleted. Not found if they
    /// had none.
    pub async fn withdraw_equality(&self, who: &Principal) -> Result<(), AppError> {
        let worker = who.require_worker()?;
        let record = self
            .audit_record(Change {
                action: "equality.withdrawn",
                actor: Some(who.user.id),
                tenant: None,
                subject: Some(worker.user_id),
                facts: json!({"worker": worker.id}),
                personal: None,
            })
            .await?;
        if self
            .store
            .delete_equality_declaration(worker.id, &[record])
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}
