//! Importing bank workers from an ESR staff extract (CSV), so that a bank office does not re-key
//! them. Every row is read and checked, with every problem named by row and column; the workers
//! are added only when every row is good, in one transaction, so a file is never half imported.
//! Rows whose email or assignment number the trust already holds are counted as already present
//! and left alone, so importing the same file twice changes nothing.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::text::{Email, Label};
use staffbank_domain::*;
use staffbank_store::{ImportedWorker, User, Worker};
use uuid::Uuid;

use crate::audit::Change;
use crate::roster::csv;
use crate::roster::row::{grade, staff_group};
use crate::{App, AppError, Principal};

/// The columns of a workers file, in the template's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkerColumn {
    /// ESR assignment number, unique within the trust.
    AssignmentNumber,
    /// Full name.
    Name,
    /// Sign-in email.
    Email,
    /// Staff group, e.g. "Nursing and midwifery".
    StaffGroup,
    /// Agenda for Change band or medical grade, e.g. "Band 5".
    Grade,
    /// Professional register, e.g. "NMC" (optional).
    RegistrationBody,
    /// Number on that register (optional, needed with a register).
    RegistrationNumber,
    /// Contract type, e.g. "Bank".
    ContractType,
    /// Banks to join, by name, separated by semicolons.
    Banks,
}

impl WorkerColumn {
    /// Every column, in the template's order.
    pub const ALL: [Self; 9] = [
        Self::AssignmentNumber,
        Self::Name,
        Self::Email,
        Self::StaffGroup,
        Self::Grade,
        Self::RegistrationBody,
        Self::RegistrationNumber,
        Self::ContractType,
        Self::Banks,
    ];

    /// The header a file names it by.
    pub fn header(self) -> &'static str {
        match self {
            Self::AssignmentNumber => "Assignment number",
            Self::Name => "Name",
            Self::Email => "Email",
            Self::StaffGroup => "Staff group",
            Self::Grade => "Grade",
            Self::RegistrationBody => "Registration body",
            Self::RegistrationNumber => "Registration number",
            Self::ContractType => "Contract type",
            Self::Banks => "Banks",
        }
    }

    /// Whether a file must have it.
    pub fn required(self) -> bool {
        !matches!(self, Self::RegistrationBody | Self::RegistrationNumber)
    }

    fn from_header(raw: &str) -> Option<Self> {
        let wanted = crate::roster::columns::normalise(raw);
        Self::ALL
            .into_iter()
            .find(|c| crate::roster::columns::normalise(c.header()) == wanted)
    }
}

/// Largest file taken over HTTP: room for 100,000 workers.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// Professional registers a row may name.
const REGISTERS: [&str; 4] = ["NMC", "GMC", "HCPC", "GPhC"];

/// A problem with one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: usize,
    /// The column's header.
    pub column: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

/// Why a file was not imported. Nothing was.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be read (header, quotes, empty).
    #[error("{0}")]
    File(String),
    /// Some rows have problems; every one is listed.
    #[error("{} problems in the rows", .0.len())]
    Rows(Vec<ImportProblem>),
    /// Anything else (not allowed, the database...).
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<ImportError> for AppError {
    /// For the API: a file problem names `file`; a row's names `rows[N].column`, N the
    /// spreadsheet row.
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::File(message) => AppError::field("file", message),
            ImportError::Rows(problems) => AppError::Validation(
                problems
                    .into_iter()
                    .map(|p| {
                        let column = p.column.to_lowercase().replace(' ', "_");
                        crate::FieldError::new(format!("rows[{}].{column}", p.row), p.message)
                    })
                    .collect(),
            ),
            ImportError::App(e) => e,
        }
    }
}

/// Who is importing: a booker of the trust (web), or an operator at the command line, who has
/// the database itself.
#[derive(Clone, Copy)]
pub enum Importer<'a> {
    /// A signed-in booker; they may import only into their own trust.
    Booker(&'a Principal),
    /// The command line.
    Operator,
}

/// A checked file: what importing it would do.
#[derive(Clone)]
pub struct ImportPlan {
    /// Workers to add.
    pub new: Vec<ImportedWorker>,
    /// Rows the trust already holds, left alone.
    pub present: usize,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Workers added.
    pub added: usize,
    /// Rows already present, left alone.
    pub present: usize,
}

impl ImportOutcome {
    /// "0 added, 1,000 already present".
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} already present",
            thousands(self.added),
            thousands(self.present)
        )
    }
}

/// A count with thousands separators, as people write them.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The template: the header row and one example worker.
pub fn template() -> String {
    csv::line(WorkerColumn::ALL.iter().map(|c| c.header()))
        + &csv::line([
            "12345678",
            "Amina Patel",
            "amina.patel@example.nhs.uk",
            "Nursing and midwifery",
            "Band 5",
            "NMC",
            "18A1234E",
            "Bank",
            "Staff bank",
        ])
}

type Row = (usize, HashMap<WorkerColumn, String>);

/// Reads a workers file into rows by column; the header names the columns, in any order.
fn read_csv(text: &str) -> Result<Vec<Row>, ImportError> {
    let records = csv::records(text).map_err(|e| ImportError::File(e.to_string()))?;
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return Err(ImportError::File("the file is empty".into()));
    };
    let mut columns = Vec::with_capacity(header.len());
    for name in &header {
        let Some(column) = WorkerColumn::from_header(name) else {
            return Err(ImportError::File(format!(
                "the header row has a column called \"{}\", which a workers file does not have",
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
    if let Some(missing) = WorkerColumn::ALL
        .into_iter()
        .find(|c| c.required() && !columns.contains(c))
    {
        return Err(ImportError::File(format!(
            "the header row has no {} column: start from the template",
            missing.header()
        )));
    }
    let rows: Vec<Row> = records
        .map(|(number, cells)| (number, columns.iter().copied().zip(cells).collect()))
        .collect();
    if rows.is_empty() {
        return Err(ImportError::File(
            "the file has a header row but no workers".into(),
        ));
    }
    Ok(rows)
}

impl App {
    /// Checks a workers file for `org` as importing would, without writing: every problem by row
    /// and column, or what importing it would do.
    pub async fn check_worker_import(
        &self,
        by: Importer<'_>,
        org: OrgId,
        text: &str,
    ) -> Result<ImportPlan, ImportError> {
        if let Importer::Booker(who) = by {
            if who.booker_orgs().is_empty() {
                return Err(AppError::Forbidden.into());
            }
            if !who.booker_orgs().contains(&org) {
                return Err(AppError::NotFound.into());
            }
        }
        let rows = read_csv(text)?;
        let banks: HashMap<String, BankId> = self
            .store
            .banks()
            .await
            .map_err(AppError::from)?
            .into_iter()
            .filter(|b| b.lead_org_id == org)
            .map(|b| (b.name.as_str().to_lowercase(), b.id))
            .collect();
        let mut problems = Vec::new();
        let mut read = Vec::with_capacity(rows.len());
        let mut emails_seen = HashMap::new();
        let mut numbers_seen = HashMap::new();
        for (number, cells) in &rows {
            let cell = |c: WorkerColumn| cells.get(&c).map_or("", |s| s.trim());
            let mut problem = |column: WorkerColumn, message: String| {
                problems.push(ImportProblem {
                    row: *number,
                    column: column.header(),
                    message,
                })
            };
            let assignment = cell(WorkerColumn::AssignmentNumber);
            if assignment.is_empty() {
                problem(
                    WorkerColumn::AssignmentNumber,
                    "enter the assignment number".into(),
                );
            } else if assignment.len() > 20
                || !assignment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                problem(
                    WorkerColumn::AssignmentNumber,
                    format!("{assignment} is not an assignment number: use letters, digits and hyphens, at most 20"),
                );
            } else if let Some(first) = numbers_seen.insert(assignment.to_owned(), *number) {
                problem(
                    WorkerColumn::AssignmentNumber,
                    format!("row {first} has the same assignment number"),
                );
            }
            let name = Label::parse(cell(WorkerColumn::Name), 100)
                .map_err(|e| problem(WorkerColumn::Name, format!("the name {e}")))
                .ok();
            let email = match Email::parse(cell(WorkerColumn::Email)) {
                Ok(email) => {
                    if let Some(first) = emails_seen.insert(email.as_str().to_owned(), *number) {
                        problem(
                            WorkerColumn::Email,
                            format!("row {first} has the same email"),
                        );
                    }
                    Some(email)
                }
                Err(e) => {
                    problem(WorkerColumn::Email, format!("the email {e}"));
                    None
                }
            };
            let group = staff_group(cell(WorkerColumn::StaffGroup))
                .map_err(|m| problem(WorkerColumn::StaffGroup, m))
                .ok();
            let band = grade(cell(WorkerColumn::Grade), true)
                .map_err(|m| problem(WorkerColumn::Grade, m))
                .ok()
                .flatten();
            if let (Some(group), Some(band)) = (group, band) {
                if !band.fits_group(group) {
                    problem(
                        WorkerColumn::Grade,
                        format!("{} is not a grade of {}", band.label(), group.label()),
                    );
                }
            }
            let body = cell(WorkerColumn::RegistrationBody);
            let register = cell(WorkerColumn::RegistrationNumber);
            let body = if body.is_empty() {
                if !register.is_empty() {
                    problem(
                        WorkerColumn::RegistrationBody,
                        "name the register the registration number is on".into(),
                    );
                }
                None
            } else {
                match REGISTERS.iter().find(|r| r.eq_ignore_ascii_case(body)) {
                    Some(r) => {
                        if register.is_empty() {
                            problem(
                                WorkerColumn::RegistrationNumber,
                                format!("enter the {r} registration number"),
                            );
                        }
                        Some((*r).to_owned())
                    }
                    None => {
                        problem(
                            WorkerColumn::RegistrationBody,
                            format!("{body} is not a register: use NMC, GMC, HCPC or GPhC"),
                        );
                        None
                    }
                }
            };
            if register.len() > 20 {
                problem(
                    WorkerColumn::RegistrationNumber,
                    "the registration number is longer than 20 characters".into(),
                );
            }
            let contract = Label::parse(cell(WorkerColumn::ContractType), 40)
                .map_err(|e| problem(WorkerColumn::ContractType, format!("the contract type {e}")))
                .ok();
            let mut joins = Vec::new();
            for wanted in cell(WorkerColumn::Banks)
                .split(';')
                .map(str::trim)
                .filter(|b| !b.is_empty())
            {
                match banks.get(&wanted.to_lowercase()) {
                    Some(id) if !joins.contains(id) => joins.push(*id),
                    Some(_) => {}
                    None => problem(
                        WorkerColumn::Banks,
                        format!("this trust runs no bank called {wanted}"),
                    ),
                }
            }
            if cell(WorkerColumn::Banks).is_empty() {
                problem(
                    WorkerColumn::Banks,
                    "enter at least one bank to join".into(),
                );
            }
            if let (Some(name), Some(email), Some(group), Some(band), Some(contract)) =
                (name, email, group, band, contract)
            {
                let user = User {
                    id: UserId(Uuid::now_v7()),
                    email,
                    display_name: name.clone(),
                    password_hash: None,
                    grants: vec![],
                    created_at: self.now(),
                };
                let worker = Worker {
                    id: WorkerId(Uuid::now_v7()),
                    user_id: user.id,
                    display_name: name,
                    staff_group: group,
                    grade: band,
                    pay_point: 1,
                    skills: vec![],
                    home: None,
                    banks: joins.clone(),
                    weekly_limit_opt_out: false,
                    tiered: vec![],
                    max_travel_km: None,
                    shift_times: ShiftTimes::Any,
                };
                read.push((
                    *number,
                    ImportedWorker {
                        user,
                        worker,
                        assignment_number: assignment.to_owned(),
                        contract_type: contract.as_str().to_owned(),
                        registration_body: body,
                        registration_number: (!register.is_empty())
                            .then(|| register.to_uppercase()),
                        banks: joins,
                    },
                ));
            }
        }
        // What the store already holds: a row whose email and assignment are both held by the
        // same person is already present; an email or assignment held by someone else is a
        // problem, since importing it would merge two people.
        let emails: Vec<String> = read
            .iter()
            .map(|(_, w)| w.user.email.as_str().to_owned())
            .collect();
        let numbers: Vec<String> = read
            .iter()
            .map(|(_, w)| w.assignment_number.clone())
            .collect();
        let held = self
            .store
            .import_keys(org, &emails, &numbers)
            .await
            .map_err(AppError::from)?;
        let held_emails: HashSet<&str> = held.emails.iter().map(String::as_str).collect();
        let held_numbers: HashMap<&str, &str> = held
            .assignments
            .iter()
            .map(|(n, e)| (n.as_str(), e.as_str()))
            .collect();
        let mut new = Vec::with_capacity(read.len());
        let mut present = 0;
        for (number, worker) in read {
            let email = worker.user.email.as_str();
            match held_numbers.get(worker.assignment_number.as_str()) {
                Some(holder) if *holder == email => present += 1,
                Some(_) => problems.push(ImportProblem {
                    row: number,
                    column: WorkerColumn::AssignmentNumber.header(),
                    message: "another worker of this trust already has this assignment number"
                        .into(),
                }),
                None if held_emails.contains(email) => problems.push(ImportProblem {
                    row: number,
                    column: WorkerColumn::Email.header(),
                    message: "someone already signs in with this email under another assignment"
                        .into(),
                }),
                None => new.push(worker),
            }
        }
        if problems.is_empty() {
            Ok(ImportPlan { new, present })
        } else {
            problems.sort_by_key(|p| p.row);
            Err(ImportError::Rows(problems))
        }
    }

    /// Imports a workers file into `org`: every new worker in one transaction, or none.
    /// `progress` is told (written, to write) as batches are written.
    #[tracing::instrument(skip_all, fields(org = %org.0))]
    pub async fn import_workers(
        &self,
        by: Importer<'_>,
        org: OrgId,
        text: &str,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<ImportOutcome, ImportError> {
        let plan = self.check_worker_import(by, org, text).await?;
        let actor = match by {
            Importer::Booker(who) => Some(who.user.id),
            Importer::Operator => None,
        };
        let mut audit = Vec::with_capacity(plan.new.len());
        for w in &plan.new {
            // Facts only: the name and email live in the account, which erasure removes.
            audit.push(
                self.audit_record(Change {
                    action: "worker.imported",
                    actor,
                    tenant: Some(org),
                    subject: Some(w.user.id),
                    facts: json!({"user": w.user.id, "worker": w.worker.id,
                        "staff_group": w.worker.staff_group, "grade": w.worker.grade,
                        "banks": w.banks}),
                    personal: None,
                })
                .await?,
            );
        }
        let total = plan.new.len();
        if total > 0 {
            self.store
                .import_workers(org, &plan.new, &audit, &|done| progress(done, total))
                .await
                .map_err(AppError::from)?;
        }
        Ok(ImportOutcome {
            added: total,
            present: plan.present,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_people_write_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(
            ImportOutcome {
                added: 0,
                present: 1000
            }
            .summary(),
            "0 added, 1,000 already present"
        );
    }

    #[test]
    fn the_template_reads() {
        let rows = read_csv(&template()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 2);
        assert_eq!(
            rows[0].1[&WorkerColumn::Email],
            "amina.patel@example.nhs.uk"
        );
    }

    #[test]
    fn a_file_without_a_needed_column_is_refused_whole() {
        let Err(ImportError::File(m)) = read_csv("Name,Email\nA,a@b.nhs.uk\n") else {
            panic!("read");
        };
        assert!(m.contains("Assignment number"), "{m}");
    }
}
