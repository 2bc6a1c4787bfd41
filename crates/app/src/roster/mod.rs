//! Posting a roster of shifts in one go: from a roster export (CSV) or a form of several rows.
//! Every row is read and checked, with every problem named by row and column; the shifts are
//! posted only when all of them are good, in one transaction, so a file is never half posted.
//! Rows already posted (see [`present`]) are left alone, so posting a roster twice posts nothing
//! the second time.

pub(crate) mod columns;
pub mod csv;
mod poster;
mod present;
pub(crate) mod row;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use staffbank_domain::Grade;
use staffbank_domain::StaffGroup;

pub use columns::Column;
pub use poster::Poster;

use crate::shifts::{NewShift, PostingOptions};
use crate::views::ShiftView;
use crate::worker_import::thousands;
use crate::{App, AppError, Principal};

/// Largest roster file read (a month of a large trust's gaps is far smaller).
pub const MAX_ROSTER_BYTES: usize = 2 * 1024 * 1024;
/// Most shifts one roster may post.
pub const MAX_ROSTER_ROWS: usize = 1000;

/// One row's cells by column, as a booker gave them.
pub type RawRow = HashMap<Column, String>;

/// A problem with one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The row's place among the shifts, from 0 (the header row is not counted).
    pub index: usize,
    /// The column.
    pub column: Column,
    /// What is wrong, for a person, starting in lower case.
    pub message: String,
}

/// Why a roster was not posted. Nothing was.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// The file as a whole cannot be read (size, header, quotes, too many rows).
    #[error("{0}")]
    File(String),
    /// Some rows have problems; every one is listed.
    #[error("{} problems in the rows", .problems.len())]
    Rows {
        /// How many rows were read.
        rows: usize,
        /// Every problem, in row order.
        problems: Vec<RowProblem>,
    },
    /// Anything else (not allowed, the database...).
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<RosterError> for AppError {
    /// For the API: a file problem names `roster`; a row's names `rows[i].column`, with `i` the
    /// shift's place from 0 (the header row not counted).
    fn from(error: RosterError) -> Self {
        match error {
            RosterError::File(message) => AppError::field("roster", message),
            RosterError::Rows { problems, .. } => AppError::Validation(
                problems
                    .into_iter()
                    .map(|p| {
                        let column = p.column.header().to_lowercase().replace(' ', "_");
                        crate::FieldError::new(format!("rows[{}].{column}", p.index), p.message)
                    })
                    .collect(),
            ),
            RosterError::App(e) => e,
        }
    }
}

/// A checked shift, described for the booker to confirm.
#[derive(Debug, Clone)]
pub struct PlannedShift {
    /// Ward, with its site.
    pub ward: String,
    /// The bank it goes to.
    pub bank: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Role title.
    pub role: String,
    /// Staff group, for people.
    pub staff_group: String,
    /// Grades accepted, for people, e.g. "Band 5 to Band 6".
    pub grades: String,
    /// Places.
    pub places: i64,
    /// Premium, percent.
    pub premium_percent: i64,
}

/// A checked roster: the shifts posting it would post, and the rows already posted.
#[derive(Debug, Clone)]
pub struct RosterPlan {
    /// Shifts to post, described for the booker to confirm.
    pub shifts: Vec<PlannedShift>,
    /// Rows already posted, which posting leaves alone.
    pub present: usize,
}

/// What posting a roster did.
#[derive(Debug, Clone)]
pub struct RosterOutcome {
    /// The shifts posted.
    pub posted: Vec<ShiftView>,
    /// Rows already posted, left alone.
    pub present: usize,
}

impl RosterOutcome {
    /// "2 posted, 0 already present".
    pub fn summary(&self) -> String {
        format!(
            "{} posted, {} already present",
            thousands(self.posted.len()),
            thousands(self.present)
        )
    }
}

/// The shifts a roster's rows would post, in row order, and the rows already posted.
struct ReadRoster {
    options: PostingOptions,
    new: Vec<NewShift>,
    /// Each new shift's row, from 0.
    rows: Vec<usize>,
    present: usize,
}

/// Reads roster CSV text into rows by column. The header row names the columns (any order).
pub fn read_csv(text: &str) -> Result<Vec<RawRow>, RosterError> {
    if text.len() > MAX_ROSTER_BYTES {
        return Err(RosterError::File(format!(
            "the file is larger than {} MB: split it into smaller files",
            MAX_ROSTER_BYTES / (1024 * 1024)
        )));
    }
    let records = csv::records(text).map_err(|e| RosterError::File(e.to_string()))?;
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return Err(RosterError::File("the file is empty".into()));
    };
    let mut columns = Vec::with_capacity(header.len());
    for name in &header {
        let Some(column) = Column::from_header(name) else {
            return Err(RosterError::File(format!(
                "the header row has a column called \"{}\", which a roster does not have",
                name.trim()
            )));
        };
        if columns.contains(&column) {
            return Err(RosterError::File(format!(
                "the header row has the {} column twice",
                column.header()
            )));
        }
        columns.push(column);
    }
    if let Some(missing) = Column::ALL
        .into_iter()
        .find(|c| c.required() && !columns.contains(c))
    {
        return Err(RosterError::File(format!(
            "the header row has no {} column: start from the template",
            missing.header()
        )));
    }
    let rows: Vec<_> = records.collect();
    if rows.is_empty() {
        return Err(RosterError::File(
            "the file has a header row but no shifts".into(),
        ));
    }
    if rows.len() > MAX_ROSTER_ROWS {
        return Err(RosterError::File(format!(
            "the file has {} shifts; post at most {MAX_ROSTER_ROWS} at a time",
            rows.len()
        )));
    }
    let mut problems = Vec::new();
    let read = rows
        .iter()
        .enumerate()
        .map(|(index, (_, cells))| {
            if cells.len() > columns.len() {
                problems.push(RowProblem {
                    index,
                    column: columns[columns.len() - 1],
                    message: format!(
                        "the row has {} values but the header has {} columns",
                        cells.len(),
                        columns.len()
                    ),
                });
            }
            columns.iter().copied().zip(cells.iter().cloned()).collect()
        })
        .collect();
    if problems.is_empty() {
        Ok(read)
    } else {
        Err(RosterError::Rows {
            rows: rows.len(),
            problems,
        })
    }
}

/// Rows written back as roster CSV (to carry a checked batch to its confirmation).
pub fn write_csv(rows: &[RawRow]) -> String {
    let mut out = csv::line(Column::ALL.iter().map(|c| c.header()));
    for row in rows {
        out.push_str(&csv::line(
            Column::ALL
                .iter()
                .map(|c| row.get(c).map_or("", String::as_str)),
        ));
    }
    out
}

/// The template: the header row and one example shift.
pub fn template() -> String {
    let example = [
        "Ward 8 Acute Medicine",
        "14/12/2026",
        "07:30",
        "19:30",
        "Staff nurse",
        "Nursing and midwifery",
        "Band 5",
        "Band 6",
        "1",
        "",
        "",
        "",
    ];
    csv::line(Column::ALL.iter().map(|c| c.header())) + &csv::line(example)
}

impl App {
    /// Checks a roster's rows as posting would (its bookers), without posting: every problem by
    /// row and column, or each shift to post described for the booker to confirm.
    pub async fn check_roster(
        &self,
        who: &Principal,
        rows: &[RawRow],
    ) -> Result<RosterPlan, RosterError> {
        let read = self
            .read_roster(&Poster::Booker(who), rows, &|_, _| {})
            .await?;
        Ok(RosterPlan {
            shifts: read.new.iter().map(|s| plan(s, &read.options)).collect(),
            present: read.present,
        })
    }

    /// Posts a roster's shifts (its bookers): all of the new ones in one transaction, or none.
    pub async fn post_roster(
        &self,
        who: &Principal,
        rows: &[RawRow],
    ) -> Result<RosterOutcome, RosterError> {
        self.post_roster_as(&Poster::Booker(who), rows, &|_, _| {})
            .await
    }

    /// Posts a roster as `who`: rows already posted are left alone and the rest are posted in one
    /// transaction, or none. `progress` is told (done, total) as rows are checked and posted.
    #[tracing::instrument(skip_all, fields(rows = rows.len()))]
    pub async fn post_roster_as(
        &self,
        who: &Poster<'_>,
        rows: &[RawRow],
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<RosterOutcome, RosterError> {
        let read = self.read_roster(who, rows, progress).await?;
        let posted = if read.new.is_empty() {
            Vec::new()
        } else {
            self.post_batch(who, &read.new)
                .await
                .map_err(|e| from_posting(e, &read.rows, rows.len()))?
        };
        progress(rows.len(), rows.len());
        Ok(RosterOutcome {
            posted,
            present: read.present,
        })
    }

    async fn read_roster(
        &self,
        who: &Poster<'_>,
        rows: &[RawRow],
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<ReadRoster, RosterError> {
        if rows.is_empty() {
            return Err(RosterError::File("there are no shifts to post".into()));
        }
        if rows.len() > MAX_ROSTER_ROWS {
            return Err(RosterError::File(format!(
                "post at most {MAX_ROSTER_ROWS} shifts at a time"
            )));
        }
        let options = self.options_of(who).await?;
        let mut problems = Vec::new();
        let mut shifts = Vec::new();
        let mut indices = Vec::new();
        for (index, cells) in rows.iter().enumerate() {
            let cell = |c: Column| cells.get(&c).cloned().unwrap_or_default();
            match row::read(index, cell, &options) {
                Ok(shift) => {
                    shifts.push(shift);
                    indices.push(index);
                }
                Err(found) => problems.extend(found),
            }
            if index % 100 == 99 {
                progress(index + 1, rows.len());
            }
        }
        // Rows already posted are left alone, and not judged again by the posting rules (a shift
        // posted last week may have started since).
        let held = self.already_posted(&shifts).await?;
        let present = held.iter().filter(|h| **h).count();
        let (new, new_indices): (Vec<NewShift>, Vec<usize>) = shifts
            .into_iter()
            .zip(indices)
            .zip(held)
            .filter(|(_, held)| !held)
            .map(|(pair, _)| pair)
            .unzip();
        // The posting rules (horizon, grade ranges, premium cap...) over the rows that read, so
        // every problem is reported at once.
        if !new.is_empty() {
            if let Err(e) = self.check_batch(who, &new).await {
                match from_posting(e, &new_indices, rows.len()) {
                    RosterError::Rows { problems: more, .. } => problems.extend(more),
                    other => return Err(other),
                }
            }
        }
        if problems.is_empty() {
            Ok(ReadRoster {
                options,
                new,
                rows: new_indices,
                present,
            })
        } else {
            problems.sort_by_key(|p| p.index);
            Err(RosterError::Rows {
                rows: rows.len(),
                problems,
            })
        }
    }
}

/// A posting error as roster problems: `shifts[i].field` becomes row `indices[i]`'s column.
fn from_posting(error: AppError, indices: &[usize], rows: usize) -> RosterError {
    let AppError::Validation(fields) = error else {
        return RosterError::App(error);
    };
    let problems = fields
        .into_iter()
        .map(|f| {
            let (place, name) = f
                .field
                .strip_prefix("shifts[")
                .and_then(|rest| rest.split_once("]."))
                .unwrap_or(("", f.field.as_str()));
            RowProblem {
                index: place
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| indices.get(i).copied())
                    .unwrap_or(0),
                column: Column::for_field(name).unwrap_or(Column::Ward),
                message: f.message,
            }
        })
        .collect();
    RosterError::Rows { rows, problems }
}

fn plan(shift: &NewShift, options: &PostingOptions) -> PlannedShift {
    let ward = options
        .wards
        .iter()
        .find(|w| w.id == shift.ward_id)
        .map(|w| format!("{}, {}", w.name, w.site_name))
        .unwrap_or_default();
    let bank = options
        .banks
        .iter()
        .find(|b| b.id == shift.bank_id)
        .map(|b| b.name.clone())
        .unwrap_or_default();
    let label = |g: &str| Grade::parse(g).map(Grade::label).unwrap_or_default();
    let grades = if shift.grade_min == shift.grade_max {
        label(&shift.grade_min)
    } else {
        format!("{} to {}", label(&shift.grade_min), label(&shift.grade_max))
    };
    let instant = |raw: &str| {
        DateTime::parse_from_rfc3339(raw)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    PlannedShift {
        ward,
        bank,
        starts_at: instant(&shift.starts_at),
        ends_at: instant(&shift.ends_at),
        role: shift.role.clone(),
        staff_group: StaffGroup::parse(&shift.staff_group)
            .map(StaffGroup::label)
            .unwrap_or_default()
            .to_owned(),
        grades,
        places: shift.places,
        premium_percent: shift.premium_percent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_back() {
        let rows = read_csv(&template()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0][&Column::Ward], "Ward 8 Acute Medicine");
        assert_eq!(read_csv(&write_csv(&rows)).unwrap(), rows);
    }

    #[test]
    fn a_file_that_cannot_be_a_roster_is_refused_whole() {
        for (text, says) in [
            ("", "empty"),
            ("Ward,Date\n", "no Start column"),
            (
                "Ward,Date,Start,End,Role,Staff group,Grade,Shoe size\n",
                "Shoe size",
            ),
            ("Ward,Date,Start,End,Role,Staff group,Grade,Ward\n", "twice"),
            ("Ward,Date,Start,End,Role,Staff group,Grade\n", "no shifts"),
        ] {
            let Err(RosterError::File(message)) = read_csv(text) else {
                panic!("{text} was read");
            };
            assert!(message.contains(says), "{message}");
        }
        let many = "Ward,Date,Start,End,Role,Staff group,Grade\n".to_owned()
            + &"a,b,c,d,e,f,g\n".repeat(MAX_ROSTER_ROWS + 1);
        assert!(matches!(read_csv(&many), Err(RosterError::File(m)) if m.contains("at most")));
    }

    #[test]
    fn a_row_too_wide_is_named() {
        let text = "Ward,Date,Start,End,Role,Staff group,Grade\na,b,c,d,e,f,g,h\n";
        let Err(RosterError::Rows { problems, .. }) = read_csv(text) else {
            panic!("read");
        };
        assert_eq!(problems[0].index, 0);
    }
}
