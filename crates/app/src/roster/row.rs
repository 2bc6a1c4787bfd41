//! One roster row read into a shift to post, against the wards and banks the booker may use.
//! Each cell is checked on its own so that every problem in the row is reported at once.

use chrono::{NaiveDate, NaiveTime};
use staffbank_domain::grade::{AFC_BANDS, MEDICAL_GRADES};
use staffbank_domain::{Grade, ShiftWindow, StaffGroup};

use super::columns::{normalise, Column};
use super::RowProblem;
use crate::shifts::{NewShift, PostingOptions};
use crate::views::WardView;

/// Reads one row; `index` is its place among the data rows, from 0.
pub(crate) fn read(
    index: usize,
    cell: impl Fn(Column) -> String,
    options: &PostingOptions,
) -> Result<NewShift, Vec<RowProblem>> {
    let mut problems = Problems {
        index,
        found: Vec::new(),
    };
    let ward = problems.check(Column::Ward, ward(&cell(Column::Ward), &options.wards));
    let date = problems.check(Column::Date, date(&cell(Column::Date)));
    let start = problems.check(Column::Start, time(&cell(Column::Start), "start"));
    let end = problems.check(Column::End, time(&cell(Column::End), "end"));
    let role = problems.check(Column::Role, required(&cell(Column::Role), "the role"));
    let group = problems.check(Column::StaffGroup, staff_group(&cell(Column::StaffGroup)));
    let low = problems.check(Column::Grade, grade(&cell(Column::Grade), true));
    let high = problems.check(
        Column::HighestGrade,
        grade(&cell(Column::HighestGrade), false),
    );
    let places = problems.check(Column::Places, whole(&cell(Column::Places), 1, "places"));
    let premium = problems.check(Column::Premium, whole(&cell(Column::Premium), 0, "premium"));
    let bank = match ward {
        Some(ward) => problems.check(Column::Bank, bank(&cell(Column::Bank), ward, options)),
        None => None,
    };
    let window = match (date, start, end) {
        (Some(date), Some(start), Some(end)) => problems.check(
            Column::End,
            ShiftWindow::from_london(date, start, end).map_err(|e| e.to_string()),
        ),
        _ => None,
    };
    let (
        Some(ward),
        Some(bank),
        Some(window),
        Some(role),
        Some(group),
        Some(low),
        Some(high),
        Some(places),
        Some(premium),
    ) = (ward, bank, window, role, group, low, high, places, premium)
    else {
        return Err(problems.found);
    };
    let skills = cell(Column::Skills);
    Ok(NewShift {
        ward_id: ward.id,
        bank_id: bank,
        role,
        staff_group: group.as_str().to_owned(),
        grade_min: low.map(Grade::as_str).unwrap_or_default().to_owned(),
        grade_max: high
            .or(low)
            .map(Grade::as_str)
            .unwrap_or_default()
            .to_owned(),
        required_skills: skills
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        starts_at: window.start().to_rfc3339(),
        ends_at: window.end().to_rfc3339(),
        places,
        required_credentials: None,
        collaborative_bank_id: None,
        premium_percent: premium,
        premium_override_reason: None,
    })
}

/// The problems of one row, collected as each cell is read.
struct Problems {
    index: usize,
    found: Vec<RowProblem>,
}

impl Problems {
    fn check<T>(&mut self, column: Column, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.found.push(RowProblem {
                    index: self.index,
                    column,
                    message,
                });
                None
            }
        }
    }
}

fn required(raw: &str, what: &str) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        Err(format!("enter {what}"))
    } else {
        Ok(value.to_owned())
    }
}

/// The ward by name, or by "name, site" when names repeat.
fn ward<'a>(raw: &str, wards: &'a [WardView]) -> Result<&'a WardView, String> {
    let wanted = normalise(&required(raw, "the ward")?);
    let by_name: Vec<_> = wards
        .iter()
        .filter(|w| normalise(&w.name) == wanted)
        .collect();
    match by_name.as_slice() {
        [only] => return Ok(only),
        [_, _, ..] => {
            return Err(format!(
                "more than one ward is called {}: add the site after a comma",
                raw.trim()
            ))
        }
        [] => {}
    }
    wards
        .iter()
        .find(|w| normalise(&format!("{}, {}", w.name, w.site_name)) == wanted)
        .ok_or_else(|| format!("{} is not a ward you book for", raw.trim()))
}

/// The named bank (one this ward's trust belongs to), or the trust's own bank.
fn bank(raw: &str, ward: &WardView, options: &PostingOptions) -> Result<uuid::Uuid, String> {
    let wanted = normalise(raw);
    let found = if wanted.is_empty() {
        options
            .banks
            .iter()
            .find(|b| b.kind == "own" && b.lead_org_id == ward.org_id)
    } else {
        options
            .banks
            .iter()
            .find(|b| normalise(&b.name) == wanted && b.member_org_ids.contains(&ward.org_id))
    };
    match found {
        Some(bank) => Ok(bank.id),
        None if wanted.is_empty() => {
            Err("the ward's trust has no bank of its own: name a bank".into())
        }
        None => Err(format!(
            "{} is not a bank that {}'s trust belongs to",
            raw.trim(),
            ward.name
        )),
    }
}

fn date(raw: &str) -> Result<NaiveDate, String> {
    let raw = required(raw, "the date")?;
    NaiveDate::parse_from_str(&raw, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(&raw, "%Y-%m-%d"))
        .map_err(|_| format!("{raw} is not a date: write it as 14/12/2026"))
}

fn time(raw: &str, what: &str) -> Result<NaiveTime, String> {
    let raw = required(raw, &format!("the {what} time"))?;
    NaiveTime::parse_from_str(&raw, "%H:%M")
        .map_err(|_| format!("{raw} is not a time: write it as 07:30"))
}

pub(crate) fn staff_group(raw: &str) -> Result<StaffGroup, String> {
    let wanted = normalise(&required(raw, "the staff group")?);
    StaffGroup::ALL
        .into_iter()
        .find(|g| normalise(g.label()) == wanted || normalise(g.as_str()) == wanted)
        .ok_or_else(|| format!("{} is not a staff group", raw.trim()))
}

/// A grade by its name for people ("Band 5") or its stable name; blank is allowed only for the
/// highest grade.
pub(crate) fn grade(raw: &str, needed: bool) -> Result<Option<Grade>, String> {
    let wanted = normalise(raw);
    if wanted.is_empty() {
        return if needed {
            Err("enter the grade".into())
        } else {
            Ok(None)
        };
    }
    AFC_BANDS
        .iter()
        .chain(MEDICAL_GRADES.iter())
        .filter_map(|g| Grade::parse(g))
        .find(|g| normalise(&g.label()) == wanted || normalise(g.as_str()) == wanted)
        .map(Some)
        .ok_or_else(|| format!("{} is not a grade", raw.trim()))
}

/// A whole number, `default` when blank; a trailing % is allowed.
fn whole(raw: &str, default: i64, what: &str) -> Result<i64, String> {
    let value = raw.trim().trim_end_matches('%').trim();
    if value.is_empty() {
        return Ok(default);
    }
    value
        .parse()
        .map_err(|_| format!("enter the {what} as a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::BankView;
    use uuid::Uuid;

    fn options() -> PostingOptions {
        let org = Uuid::from_u128(1);
        let ward = |id, name: &str, site: &str| WardView {
            id: Uuid::from_u128(id),
            site_id: Uuid::from_u128(id + 100),
            site_name: site.into(),
            org_id: org,
            name: name.into(),
            instant_booking: true,
        };
        PostingOptions {
            wards: vec![
                ward(10, "Ward 8", "Victoria"),
                ward(11, "Theatres", "Victoria"),
                ward(12, "Theatres", "Clifton"),
            ],
            banks: vec![BankView {
                id: Uuid::from_u128(20),
                name: "Trust bank".into(),
                kind: "own".into(),
                lead_org_id: org,
                member_org_ids: vec![org],
            }],
        }
    }

    fn row<'a>(cells: &'a [(Column, &'a str)]) -> impl Fn(Column) -> String + 'a {
        move |c| {
            cells
                .iter()
                .find(|(k, _)| *k == c)
                .map(|(_, v)| (*v).to_owned())
                .unwrap_or_default()
        }
    }

    #[test]
    fn a_good_row_reads_with_defaults() {
        let cells = [
            (Column::Ward, "ward 8"),
            (Column::Date, "14/12/2026"),
            (Column::Start, "20:00"),
            (Column::End, "08:00"),
            (Column::Role, "Staff nurse"),
            (Column::StaffGroup, "Nursing and midwifery"),
            (Column::Grade, "Band 5"),
            (Column::Skills, "IV; tracheostomy"),
        ];
        let shift = read(0, row(&cells), &options()).unwrap();
        assert_eq!(shift.ward_id, Uuid::from_u128(10));
        assert_eq!(shift.bank_id, Uuid::from_u128(20));
        assert_eq!(
            (shift.grade_min.as_str(), shift.grade_max.as_str()),
            ("band_5", "band_5")
        );
        assert_eq!(shift.starts_at, "2026-12-14T20:00:00+00:00");
        assert_eq!(shift.ends_at, "2026-12-15T08:00:00+00:00");
        assert_eq!(shift.required_skills, vec!["IV", "tracheostomy"]);
        assert_eq!(shift.places, 1);
    }

    #[test]
    fn every_bad_cell_is_named() {
        let cells = [
            (Column::Ward, "Theatres"),
            (Column::Date, "31/02/2026"),
            (Column::Start, "7am"),
            (Column::StaffGroup, "porters"),
            (Column::Grade, "Band 12"),
            (Column::Places, "two"),
        ];
        let problems = read(4, row(&cells), &options()).unwrap_err();
        let columns: Vec<_> = problems.iter().map(|p| p.column).collect();
        assert_eq!(
            columns,
            vec![
                Column::Ward,
                Column::Date,
                Column::Start,
                Column::End,
                Column::Role,
                Column::StaffGroup,
                Column::Grade,
                Column::Places
            ]
        );
        assert!(problems.iter().all(|p| p.index == 4));
        assert!(problems[0].message.contains("add the site"));
    }

    #[test]
    fn a_repeated_ward_name_is_told_apart_by_site() {
        let cells = [(Column::Ward, "Theatres, Clifton")];
        let problems = read(0, row(&cells), &options()).unwrap_err();
        assert!(problems.iter().all(|p| p.column != Column::Ward));
    }
}
