//! What a shift would pay the signed-in worker, before they book it: the same pay engine and
//! rules that pay the approved timesheet, run on the shift's planned times, so the number a
//! worker books on is the number they are paid for working the whole shift.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use staffbank_domain::pay::{self, PayLine, PayRules, Pence, TimeKind, Worked};
use staffbank_domain::{BankId, OrgId, ShiftId};
use staffbank_store::{Shift, Worker};
use uuid::Uuid;

use crate::{App, AppError, Principal};

/// One kind of time in a shift, as it would be paid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EstimatePart {
    /// In words, e.g. "Night or Saturday time".
    pub kind: String,
    /// From.
    pub starts_at: DateTime<Utc>,
    /// To.
    pub ends_at: DateTime<Utc>,
    /// Its length, seconds.
    pub seconds: i64,
    /// Its enhancement on the base rate, percent.
    pub enhancement_percent: u32,
    /// What it earns (base and enhancement), pence.
    pub amount_pence: i64,
}

/// A shift's estimated pay for the signed-in worker, with how it adds up.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PayEstimate {
    /// The shift.
    pub shift_id: Uuid,
    /// The worker's grade, in words, which sets the base rate.
    pub grade: String,
    /// The rate card the base rate comes from.
    pub rate_card: String,
    /// Base rate, pence an hour.
    pub base_rate_pence: i64,
    /// Time paid, seconds (the whole shift: unpaid breaks taken come off when it is worked).
    pub seconds: i64,
    /// Each kind of time with its enhancement.
    pub parts: Vec<EstimatePart>,
    /// The shift's premium, percent of the base rate for every hour.
    pub premium_percent: u32,
    /// What the premium adds, pence.
    pub premium_pence: i64,
    /// Rolled-up holiday pay, pence, if the trust pays it.
    pub holiday_pence: i64,
    /// The whole shift, pence.
    pub total_pence: i64,
    /// Base rate and total in pounds and pence, e.g. "£19.33" and "£231.96".
    pub shown: [String; 2],
    /// The engine's line, for pages that set it out.
    #[serde(skip)]
    pub line: PayLine,
}

fn kind_words(kind: TimeKind) -> &'static str {
    match kind {
        TimeKind::Plain => "Plain time",
        TimeKind::NightOrSaturday => "Night or Saturday time",
        TimeKind::SundayOrHoliday => "Sunday or bank holiday time",
    }
}

fn estimate(shift: &Shift, worker: &Worker, rules: &PayRules) -> Result<PayEstimate, AppError> {
    let line = pay::pay(
        &Worked {
            grade: worker.grade,
            pay_point: worker.pay_point,
            start: shift.window.start(),
            end: shift.window.end(),
            breaks: vec![],
            // Judged against the cap it was agreed under: a cap lowered since does not cut it.
            premium: shift.premium.clone(),
        },
        rules,
    )
    .map_err(|e| AppError::field("shift", e))?;
    Ok(PayEstimate {
        shift_id: shift.id.0,
        grade: worker.grade.label(),
        rate_card: line.rate_card.clone(),
        base_rate_pence: line.base_rate,
        seconds: line.seconds,
        parts: line
            .parts
            .iter()
            .map(|p| EstimatePart {
                kind: kind_words(p.kind).to_owned(),
                starts_at: p.start,
                ends_at: p.end,
                seconds: p.seconds,
                enhancement_percent: p.enhancement,
                amount_pence: p.amount.0,
            })
            .collect(),
        premium_percent: line.premium.0,
        premium_pence: line.premium.1 .0,
        holiday_pence: line.holiday_pay.0,
        total_pence: line.total.0,
        shown: [Pence(line.base_rate).to_string(), line.total.to_string()],
        line,
    })
}

/// Whether a worker may see a shift: it has been released to one of their banks.
fn sees(worker: &Worker, shift: &Shift, now: DateTime<Utc>) -> bool {
    shift
        .schedule()
        .opens_for(&worker.banks, &worker.banks)
        .is_some_and(|at| at <= now)
}

impl App {
    /// What a shift would pay the signed-in worker for working all of it (a shift outside their
    /// banks is not found).
    pub async fn pay_estimate(
        &self,
        who: &Principal,
        shift: ShiftId,
    ) -> Result<PayEstimate, AppError> {
        let worker = who.require_worker()?;
        let shift = self.store.shift(shift).await?.ok_or(AppError::NotFound)?;
        if !sees(worker, &shift, self.now()) {
            return Err(AppError::NotFound);
        }
        estimate(&shift, worker, &self.pay_rules_for(&shift).await?)
    }

    /// Estimates for many shifts at once (the cards of a list), reading each trust's rules
    /// once; a shift that cannot be priced or seen is left out.
    pub async fn pay_estimates(
        &self,
        who: &Principal,
        shifts: &[ShiftId],
    ) -> Result<HashMap<Uuid, PayEstimate>, AppError> {
        let worker = who.require_worker()?;
        let mut rules: HashMap<(BankId, OrgId), PayRules> = HashMap::new();
        let mut out = HashMap::new();
        let now = self.now();
        for id in shifts {
            let Some(shift) = self.store.shift(*id).await? else {
                continue;
            };
            if !sees(worker, &shift, now) {
                continue;
            }
            let key = (shift.bank_id, shift.org_id);
            let found = match rules.entry(key) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(self.pay_rules_for(&shift).await?),
            };
            if let Ok(e) = estimate(&shift, worker, found) {
                out.insert(id.0, e);
            }
        }
        Ok(out)
    }
}
