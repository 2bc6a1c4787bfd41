//! Core Skills Training refresher periods: how long each subject lasts at each level before a
//! refresher is due. Trusts agree these against the framework, so none is assumed: platform
//! administrators set them, and a training credential can be offered only when every subject
//! in it has a period; it then counts until its first refresher falls due.

use serde::{Deserialize, Serialize};
use serde_json::json;
use staffbank_domain::credential_claims::{CstfSubject, RefresherPeriods};

use crate::audit::Change;
use crate::{App, AppError, Principal};

/// One subject's period at one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefresherPeriod {
    /// The subject, e.g. `fire_safety`.
    pub subject: String,
    /// The level, 1 to 3.
    pub level: u8,
    /// Months until the refresher is due, 1 to 120.
    pub months: u32,
}

fn view(periods: &RefresherPeriods) -> Vec<RefresherPeriod> {
    periods
        .entries()
        .map(|(subject, level, months)| RefresherPeriod {
            subject: subject.as_str(),
            level,
            months,
        })
        .collect()
}

impl App {
    /// Every refresher period configured (anyone signed in may read them).
    pub async fn refresher_periods(&self) -> Result<Vec<RefresherPeriod>, AppError> {
        Ok(view(&self.store.refresher_periods().await?))
    }

    /// Replaces every refresher period (platform administrators).
    pub async fn set_refresher_periods(
        &self,
        who: &Principal,
        input: Vec<RefresherPeriod>,
    ) -> Result<Vec<RefresherPeriod>, AppError> {
        if !who.is_platform_admin() {
            return Err(AppError::Forbidden);
        }
        let mut periods = RefresherPeriods::default();
        let mut errors = Vec::new();
        for (i, p) in input.iter().enumerate() {
            let at = |field: &str| format!("[{i}].{field}");
            let subject = CstfSubject::parse(&p.subject);
            if subject.is_none() {
                errors.push(crate::FieldError::new(at("subject"), "not a CSTF subject"));
            }
            if !(1..=3).contains(&p.level) {
                errors.push(crate::FieldError::new(at("level"), "must be 1, 2 or 3"));
            }
            if !(1..=120).contains(&p.months) {
                errors.push(crate::FieldError::new(at("months"), "must be 1 to 120"));
            }
            if let Some(subject) = subject {
                if periods
                    .entries()
                    .any(|(s, l, _)| s == subject && l == p.level)
                {
                    errors.push(crate::FieldError::new(
                        at("subject"),
                        "given twice at this level",
                    ));
                }
                periods.set(subject, p.level, p.months);
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let record = self
            .audit_record(Change {
                action: "refresher_periods.set",
                actor: Some(who.user.id),
                tenant: None,
                subject: None,
                facts: json!({"periods": view(&periods)}),
                personal: None,
            })
            .await?;
        self.store
            .set_refresher_periods(&periods, &[record])
            .await?;
        Ok(view(&periods))
    }
}
