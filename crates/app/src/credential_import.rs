//! Importing credentials a trust has checked (DBS, right to work...) from a spreadsheet, so that
//! a compliance team does not re-key them one by one. Every row is read and checked, with every
//! problem named by row and column; the credentials are recorded only when every row is good, in
//! one transaction with their ledger entries, so a file is never half imported. A row whose
//! worker, kind, level and dates the trust already recorded is counted as already present and
//! left alone, so importing the same file twice changes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use staffbank_domain::credential::{CredentialKind, CredentialStatus, DbsLevel};
use staffbank_domain::role::{Role, Scope};
use staffbank_domain::*;
use staffbank_store::{Credential, Worker};
use uuid::Uuid;

use crate::audit::Change;
use crate::credentials::instant_or_date;
use crate::roster::columns::normalise;
use crate::roster::csv;
use crate::worker_import::{ImportError, ImportOutcome, ImportProblem};
use crate::{App, AppError, Principal};

/// The columns of a credentials file, in the template's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialColumn {
    /// The worker's ESR assignment number with the trust (or give the email).
    AssignmentNumber,
    /// The worker's sign-in email (or give the assignment number).
    Email,
    /// The kind, e.g. "DBS check".
    Credential,
    /// For a DBS check, its level.
    DbsLevel,
    /// When it takes effect.
    ValidFrom,
    /// When it ends, if it does.
    ValidUntil,
}

impl CredentialColumn {
    /// Every column, in the template's order.
    pub const ALL: [Self; 6] = [
        Self::AssignmentNumber,
        Self::Email,
        Self::Credential,
        Self::DbsLevel,
        Self::ValidFrom,
        Self::ValidUntil,
    ];

    /// The header a file names it by.
    pub fn header(self) -> &'static str {
        match self {
            Self::AssignmentNumber => "Assignment number",
            Self::Email => "Email",
            Self::Credential => "Credential",
            Self::DbsLevel => "DBS level",
            Self::ValidFrom => "Valid from",
            Self::ValidUntil => "Valid until",
        }
    }

    fn from_header(raw: &str) -> Option<Self> {
        let wanted = normalise(raw);
        Self::ALL
            .into_iter()
            .find(|c| normalise(c.header()) == wanted)
    }
}

/// Who is importing: a compliance officer of the trust (web), or an operator at the command
/// line, who names one of the trust's compliance officers as recording the credentials (every
/// credential names who recorded it); the ledger then records no actor.
#[derive(Clone, Copy)]
pub enum CredentialImporter<'a> {
    /// A signed-in compliance officer; they may import only into their own trust.
    Officer(&'a Principal),
    /// The command line, with the compliance officer the credentials are recorded by.
    Operator {
        /// The compliance officer's account.
        recorded_by: UserId,
    },
}

/// A checked file: the credentials importing it would record.
#[derive(Clone)]
pub struct CredentialPlan {
    /// Credentials to record, each with its worker.
    pub new: Vec<(Credential, Worker)>,
    /// Rows the trust already recorded, left alone.
    pub present: usize,
}

/// The template: the header row and two example credentials.
pub fn template() -> String {
    csv::line(CredentialColumn::ALL.iter().map(|c| c.header()))
        + &csv::line([
            "12345678",
            "",
            "DBS check",
            "Enhanced with barred lists",
            "01/04/2026",
            "",
        ])
        + &csv::line([
            "",
            "amina.patel@example.nhs.uk",
            "Right to work",
            "",
            "2026-04-01",
            "2029-03-31",
        ])
}

type Row = (usize, HashMap<CredentialColumn, String>);

/// Reads a credentials file into rows by column; the header names the columns, in any order.
fn read_csv(text: &str) -> Result<Vec<Row>, ImportError> {
    let records = csv::records(text).map_err(|e| ImportError::File(e.to_string()))?;
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return Err(ImportError::File("the file is empty".into()));
    };
    let mut columns = Vec::with_capacity(header.len());
    for name in &header {
        let Some(column) = CredentialColumn::from_header(name) else {
            return Err(ImportError::File(format!(
                "the header row has a column called \"{}\", which a credentials file does not have",
                name.trim()
            )));
        };
        if columns.contains(&column) {
            return Err(ImportError::File(format!(
                "the header row has the {} column twice",
                column.header()
            )));
        }
        columns.push(column);
    }
    for needed in [CredentialColumn::Credential, CredentialColumn::ValidFrom] {
        if !columns.contains(&needed) {
            return Err(ImportError::File(format!(
                "the header row has no {} column: start from the template",
                needed.header()
            )));
        }
    }
    if !columns.contains(&CredentialColumn::AssignmentNumber)
        && !columns.contains(&CredentialColumn::Email)
    {
        return Err(ImportError::File(
            "the header row needs an Assignment number or an Email column to find each worker"
                .into(),
        ));
    }
    let rows: Vec<Row> = records
        .map(|(number, cells)| (number, columns.iter().copied().zip(cells).collect()))
        .collect();
    if rows.is_empty() {
        return Err(ImportError::File(
            "the file has a header row but no credentials".into(),
        ));
    }
    Ok(rows)
}

/// A kind as people write it ("DBS check", "Right to work") or its stable name.
fn kind(raw: &str) -> Result<CredentialKind, String> {
    let wanted = normalise(raw);
    if wanted.is_empty() {
        return Err("enter the credential, e.g. DBS check".into());
    }
    CredentialKind::ALL
        .into_iter()
        .find(|k| normalise(k.label()) == wanted || normalise(k.as_str()) == wanted)
        .ok_or_else(|| format!("{} is not a credential this platform records", raw.trim()))
}

/// A DBS level as people write it ("Enhanced with barred lists") or its stable name.
fn level(raw: &str) -> Option<DbsLevel> {
    let wanted = normalise(raw);
    let said = match wanted.as_str() {
        "enhanced with barred lists"
        | "enhanced with barred list"
        | "enhanced and barred"
        | "enhanced with barring" => "enhanced barred",
        other => other,
    };
    DbsLevel::ALL
        .into_iter()
        .find(|l| normalise(l.as_str()) == said)
}

/// A UK date (14/12/2026), an ISO date or an RFC 3339 date-time.
fn date(raw: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    let iso = NaiveDate::parse_from_str(raw, "%d/%m/%Y")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| raw.to_owned());
    instant_or_date(&iso, end_of_day)
        .map_err(|_| format!("{raw} is not a date: write it as 31/03/2027"))
}

impl App {
    /// Checks a credentials file for `org` as importing would, without writing: every problem
    /// by row and column, or what importing it would do.
    pub async fn check_credential_import(
        &self,
        by: CredentialImporter<'_>,
        org: OrgId,
        text: &str,
    ) -> Result<CredentialPlan, ImportError> {
        if let CredentialImporter::Officer(who) = by {
            let orgs = who.orgs_as(Role::ComplianceOfficer);
            if orgs.is_empty() {
                return Err(AppError::Forbidden.into());
            }
            if !orgs.contains(&org) {
                return Err(AppError::NotFound.into());
            }
        }
        let rows = read_csv(text)?;
        // The trust's workers: members of a bank the trust belongs to.
        let banks: HashSet<BankId> = self
            .store
            .banks()
            .await
            .map_err(AppError::from)?
            .into_iter()
            .filter(|b| b.member_orgs.contains(&org))
            .map(|b| b.id)
            .collect();
        let cell_of = |cells: &HashMap<CredentialColumn, String>, c| {
            cells.get(&c).map_or("", |s| s.trim()).to_owned()
        };
        let numbers: Vec<String> = rows
            .iter()
            .map(|(_, c)| cell_of(c, CredentialColumn::AssignmentNumber))
            .filter(|n| !n.is_empty())
            .collect();
        let held = self
            .store
            .import_keys(org, &[], &numbers)
            .await
            .map_err(AppError::from)?;
        let by_number: HashMap<String, String> = held.assignments.into_iter().collect();
        let mut workers: HashMap<String, Option<Worker>> = HashMap::new();
        let mut problems = Vec::new();
        let mut read = Vec::with_capacity(rows.len());
        for (number, cells) in &rows {
            let cell = |c| cell_of(cells, c);
            let mut problem = |column: CredentialColumn, message: String| {
                problems.push(ImportProblem {
                    row: *number,
                    column: column.header(),
                    message,
                })
            };
            // The worker, by assignment number or else by email.
            let assignment = cell(CredentialColumn::AssignmentNumber);
            let (email, column) = if assignment.is_empty() {
                (
                    cell(CredentialColumn::Email).to_lowercase(),
                    CredentialColumn::Email,
                )
            } else {
                match by_number.get(&assignment) {
                    Some(email) => (email.clone(), CredentialColumn::AssignmentNumber),
                    None => (String::new(), CredentialColumn::AssignmentNumber),
                }
            };
            let worker = if assignment.is_empty() && email.is_empty() {
                problem(
                    CredentialColumn::Email,
                    "enter the worker's assignment number or email".into(),
                );
                None
            } else {
                let found = match workers.get(&email) {
                    Some(found) => found.clone(),
                    None => {
                        let found = self.trust_worker(&email, &banks).await?;
                        workers.insert(email.clone(), found.clone());
                        found
                    }
                };
                if found.is_none() {
                    let given = if assignment.is_empty() {
                        cell(CredentialColumn::Email)
                    } else {
                        assignment.clone()
                    };
                    problem(
                        column,
                        format!("{given} is not one of this trust's workers"),
                    );
                }
                found
            };
            let kind = kind(&cell(CredentialColumn::Credential))
                .map_err(|m| problem(CredentialColumn::Credential, m))
                .ok();
            let raw_level = cell(CredentialColumn::DbsLevel);
            let dbs_level = match (kind, raw_level.is_empty()) {
                (Some(CredentialKind::DbsCheck), true) => {
                    problem(
                        CredentialColumn::DbsLevel,
                        "a DBS check needs its level, e.g. Enhanced".into(),
                    );
                    None
                }
                (Some(CredentialKind::DbsCheck), false) => match level(&raw_level) {
                    Some(l) => Some(Some(l)),
                    None => {
                        problem(
                            CredentialColumn::DbsLevel,
                            format!("{raw_level} is not a DBS level: use Basic, Standard, Enhanced or Enhanced with barred lists"),
                        );
                        None
                    }
                },
                (Some(_), false) => {
                    problem(
                        CredentialColumn::DbsLevel,
                        "only a DBS check has a level: leave it blank".into(),
                    );
                    None
                }
                (Some(_), true) => Some(None),
                (None, _) => None,
            };
            let raw_from = cell(CredentialColumn::ValidFrom);
            let from = if raw_from.is_empty() {
                problem(
                    CredentialColumn::ValidFrom,
                    "enter the date it takes effect".into(),
                );
                None
            } else {
                date(&raw_from, false)
                    .map_err(|m| problem(CredentialColumn::ValidFrom, m))
                    .ok()
            };
            let raw_until = cell(CredentialColumn::ValidUntil);
            let until = if raw_until.is_empty() {
                Some(None)
            } else {
                date(&raw_until, true)
                    .map(Some)
                    .map_err(|m| problem(CredentialColumn::ValidUntil, m))
                    .ok()
            };
            if let (Some(from), Some(Some(until))) = (from, until) {
                if until <= from {
                    problem(
                        CredentialColumn::ValidUntil,
                        "must be after the date it takes effect".into(),
                    );
                    continue;
                }
            }
            if let (Some(worker), Some(kind), Some(dbs_level), Some(from), Some(until)) =
                (worker, kind, dbs_level, from, until)
            {
                read.push((*number, worker, kind, dbs_level, from, until));
            }
        }
        // What the trust already recorded: the same worker, kind, level and dates.
        let ids: Vec<WorkerId> = read.iter().map(|r| r.1.id).collect();
        let recorded = if ids.is_empty() {
            Vec::new()
        } else {
            self.store
                .credentials_of_workers(&ids)
                .await
                .map_err(AppError::from)?
        };
        let key = |w: WorkerId, k: CredentialKind, l: Option<DbsLevel>, f, u| (w, k, l, f, u);
        let held: HashSet<_> = recorded
            .iter()
            .filter(|c| c.issuer_org_id == org)
            .map(|c| {
                key(
                    c.worker_id,
                    c.kind,
                    c.dbs_level,
                    c.valid_from,
                    c.valid_until,
                )
            })
            .collect();
        let recorded_by = match by {
            CredentialImporter::Officer(who) => who.user.id,
            CredentialImporter::Operator { recorded_by } => recorded_by,
        };
        let now = self.now();
        let mut seen = HashMap::new();
        let mut new = Vec::new();
        let mut present = 0;
        for (number, worker, kind, dbs_level, from, until) in read {
            let k = key(worker.id, kind, dbs_level, from, until);
            if let Some(first) = seen.insert(k, number) {
                problems.push(ImportProblem {
                    row: number,
                    column: CredentialColumn::Credential.header(),
                    message: format!("row {first} has the same credential for this worker"),
                });
            } else if held.contains(&k) {
                present += 1;
            } else {
                let credential = Credential {
                    id: CredentialId(Uuid::now_v7()),
                    worker_id: worker.id,
                    kind,
                    dbs_level,
                    issuer_org_id: org,
                    valid_from: from,
                    valid_until: until,
                    status: CredentialStatus::Active,
                    revoked_at: None,
                    recorded_by,
                    recorded_at: now,
                };
                new.push((credential, worker));
            }
        }
        if problems.is_empty() {
            Ok(CredentialPlan { new, present })
        } else {
            problems.sort_by_key(|p| p.row);
            Err(ImportError::Rows(problems))
        }
    }

    /// The worker signing in with `email`, if they belong to one of `banks`.
    async fn trust_worker(
        &self,
        email: &str,
        banks: &HashSet<BankId>,
    ) -> Result<Option<Worker>, AppError> {
        if email.is_empty() {
            return Ok(None);
        }
        let Some(user) = self.store.user_by_email(email).await? else {
            return Ok(None);
        };
        Ok(self
            .store
            .worker_for_user(user.id)
            .await?
            .filter(|w| w.banks.iter().any(|b| banks.contains(b))))
    }

    /// Imports a credentials file into `org`: every new credential with its ledger entry in one
    /// transaction, or none. `progress` is told (done, total) as the entries are prepared.
    #[tracing::instrument(skip_all, fields(org = %org.0))]
    pub async fn import_credentials(
        &self,
        by: CredentialImporter<'_>,
        org: OrgId,
        text: &str,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<ImportOutcome, ImportError> {
        let plan = self.check_credential_import(by, org, text).await?;
        let actor = match by {
            CredentialImporter::Officer(who) => Some(who.user.id),
            CredentialImporter::Operator { .. } => None,
        };
        let total = plan.new.len();
        let mut audit = Vec::with_capacity(total);
        for (done, (c, worker)) in plan.new.iter().enumerate() {
            // The same facts as recording one by hand.
            audit.push(
                self.audit_record(Change {
                    action: "credential.recorded",
                    actor,
                    tenant: Some(org),
                    subject: Some(worker.user_id),
                    facts: json!({"credential": c.id, "worker": worker.id,
                        "kind": c.kind.as_str(), "dbs_level": c.dbs_level.map(DbsLevel::as_str),
                        "issuer": org, "valid_from": c.valid_from, "valid_until": c.valid_until}),
                    personal: None,
                })
                .await?,
            );
            if done % 100 == 99 {
                progress(done + 1, total);
            }
        }
        if total > 0 {
            let credentials: Vec<Credential> = plan.new.into_iter().map(|(c, _)| c).collect();
            self.store
                .record_credentials(&credentials, &audit)
                .await
                .map_err(AppError::from)?;
        }
        progress(total, total);
        Ok(ImportOutcome {
            added: total,
            present: plan.present,
        })
    }

    /// The account of `email` if it is a compliance officer of `org`: who the command line
    /// records an import's credentials by.
    pub async fn compliance_officer_of(
        &self,
        org: OrgId,
        email: &str,
    ) -> Result<Option<UserId>, AppError> {
        Ok(self
            .store
            .user_by_email(email.trim())
            .await?
            .filter(|u| {
                u.grants.iter().any(|g| {
                    g.role == Role::ComplianceOfficer && g.scope == Scope::Organisation(org)
                })
            })
            .map(|u| u.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads() {
        let rows = read_csv(&template()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1[&CredentialColumn::Credential], "DBS check");
    }

    #[test]
    fn kinds_and_levels_read_as_people_write_them() {
        assert_eq!(kind("DBS check"), Ok(CredentialKind::DbsCheck));
        assert_eq!(kind("right_to_work"), Ok(CredentialKind::RightToWork));
        assert!(kind("Shoe size").is_err());
        assert_eq!(level("enhanced"), Some(DbsLevel::Enhanced));
        assert_eq!(
            date("31/03/2027", false).unwrap(),
            date("2027-03-31", false).unwrap()
        );
        assert!(date("31/02/2027", false).is_err());
    }
}
