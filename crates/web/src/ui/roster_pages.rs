//! The markup of posting shifts in a batch: the form of rows, the upload, the problems found, and
//! the page confirming what will be posted.

use maud::{html, Markup};
use staffbank_app::roster::{Column, RosterPlan, RowProblem, MAX_ROSTER_BYTES, MAX_ROSTER_ROWS};
use staffbank_app::shifts::PostingOptions;
use staffbank_app::Principal;
use staffbank_domain::grade::{AFC_BANDS, MEDICAL_GRADES};
use staffbank_domain::{Grade, StaffGroup};

use super::layout::{capitalise, when};

/// The columns the form of rows asks for, in its order.
pub const FORM_COLUMNS: [Column; 10] = [
    Column::Ward,
    Column::Bank,
    Column::Date,
    Column::Start,
    Column::End,
    Column::Role,
    Column::StaffGroup,
    Column::Grade,
    Column::HighestGrade,
    Column::Places,
];

/// The form rows as submitted (`row-2-date` and so on), by row then column.
pub type FormRows = Vec<Vec<(Column, String)>>;

/// A form field's id (and name).
pub fn field_id(row: usize, column: Column) -> String {
    let name = column.header().to_lowercase().replace(' ', "-");
    format!("row-{row}-{name}")
}

/// A problem with a form row, already numbered for the booker.
pub struct FormProblem {
    /// The form row, from 0.
    pub row: usize,
    /// The column.
    pub column: Column,
    /// What is wrong.
    pub message: String,
}

fn label(column: Column) -> &'static str {
    match column {
        Column::Date => "Date (UK time)",
        Column::Start => "Start time",
        Column::End => "End time (earlier than the start means the next day)",
        Column::Role => "Role title",
        Column::Grade => "Lowest grade",
        Column::HighestGrade => "Highest grade (if more than one)",
        Column::Bank => "Post to bank",
        other => other.header(),
    }
}

fn options(column: Column, posting: &PostingOptions) -> Option<Vec<(String, String)>> {
    let blank = |text: &str| (String::new(), text.to_owned());
    let grades = || {
        AFC_BANDS
            .iter()
            .chain(MEDICAL_GRADES.iter())
            .filter_map(|g| Grade::parse(g))
            .map(|g| (g.label(), g.label()))
    };
    Some(match column {
        Column::Ward => std::iter::once(blank("Choose a ward"))
            .chain(posting.wards.iter().map(|w| {
                let both = format!("{}, {}", w.name, w.site_name);
                (both.clone(), both)
            }))
            .collect(),
        Column::Bank => std::iter::once(blank("The trust's own bank"))
            .chain(
                posting
                    .banks
                    .iter()
                    .map(|b| (b.name.clone(), b.name.clone())),
            )
            .collect(),
        Column::StaffGroup => std::iter::once(blank("Choose a staff group"))
            .chain(
                StaffGroup::ALL
                    .iter()
                    .map(|g| (g.label().to_owned(), g.label().to_owned())),
            )
            .collect(),
        Column::Grade => std::iter::once(blank("Choose a grade"))
            .chain(grades())
            .collect(),
        Column::HighestGrade => std::iter::once(blank("The same as the lowest"))
            .chain(grades())
            .collect(),
        _ => return None,
    })
}

fn input_kind(column: Column) -> (&'static str, &'static str) {
    match column {
        Column::Date => ("date", "nhsuk-input nhsuk-input--width-10"),
        Column::Start | Column::End => ("time", "nhsuk-input nhsuk-input--width-5"),
        Column::Places => ("number", "nhsuk-input nhsuk-input--width-3"),
        _ => ("text", "nhsuk-input"),
    }
}

/// One field of the form of rows, with its error beside it.
fn form_field(
    row: usize,
    column: Column,
    value: &str,
    posting: &PostingOptions,
    error: Option<&str>,
) -> Markup {
    let id = field_id(row, column);
    let error_id = format!("{id}-error");
    let group = if error.is_some() {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    };
    html! {
        div class=(group) {
            label class="nhsuk-label" for=(id) { (label(column)) }
            @if let Some(message) = error {
                span class="nhsuk-error-message" id=(error_id) {
                    span class="nhsuk-u-visually-hidden" { "Error: " } (capitalise(message))
                }
            }
            @if let Some(choices) = options(column, posting) {
                select class=(if error.is_some() { "nhsuk-select nhsuk-select--error" } else { "nhsuk-select" })
                    id=(id) name=(id) aria-describedby=[error.map(|_| &error_id)] {
                    @for (v, text) in &choices {
                        option value=(v) selected[v == value] { (text) }
                    }
                }
            } @else {
                @let (kind, class) = input_kind(column);
                input class=(if error.is_some() { format!("{class} nhsuk-input--error") } else { class.to_owned() })
                    id=(id) name=(id) type=(kind) value=(value)
                    aria-describedby=[error.map(|_| &error_id)];
            }
        }
    }
}

/// The error summary of the form of rows, each message linking to its field.
pub fn form_summary(problems: &[FormProblem]) -> Markup {
    linked_summary(problems.iter().map(|p| {
        (
            format!("#{}", field_id(p.row, p.column)),
            format!(
                "Shift {}, {}: {}",
                p.row + 1,
                label(p.column).to_lowercase(),
                p.message
            ),
        )
    }))
}

/// An NHS.UK error summary whose messages link to the fields they are about.
pub fn linked_summary(items: impl Iterator<Item = (String, String)>) -> Markup {
    let items: Vec<_> = items.collect();
    html! {
        @if !items.is_empty() {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" {
                        @for (href, text) in &items { li { a href=(href) { (text) } } }
                    }
                }
            }
        }
    }
}

/// The form of several rows.
pub fn rows_form(
    who: &Principal,
    posting: &PostingOptions,
    rows: &FormRows,
    problems: &[FormProblem],
) -> Markup {
    let more = (rows.len() + 5).min(super::roster::MAX_FORM_ROWS);
    html! {
        h2 class="nhsuk-heading-l" id="form-heading" { "Fill in the shifts" }
        p { "Fill in a row for each shift; rows left empty are ignored. You will see every shift before it is posted." }
        form method="post" action="/manage/shifts/post/rows" novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            input type="hidden" name="rows" value=(rows.len());
            @for (i, row) in rows.iter().enumerate() {
                fieldset class="nhsuk-fieldset app-roster-row" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m" { "Shift " (i + 1) }
                    @for (column, value) in row {
                        @let error = problems.iter().find(|p| p.row == i && p.column == *column).map(|p| p.message.as_str());
                        (form_field(i, *column, value, posting, error))
                    }
                }
            }
            button type="submit" class="nhsuk-button" { "Check these shifts" }
        }
        @if more > rows.len() {
            p { a href=(format!("/manage/shifts/post?rows={more}")) { "Show " (more) " rows instead" } }
        }
    }
}

/// The roster upload form, with the columns it takes.
pub fn upload_form(who: &Principal, error: Option<&str>) -> Markup {
    let group = if error.is_some() {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    };
    html! {
        h2 class="nhsuk-heading-l" { "Upload a roster file" }
        p {
            "Save the roster as a CSV file with a header row naming its columns. "
            a href="/manage/shifts/post/template.csv" download { "Download the template (CSV)" }
            "."
        }
        details class="nhsuk-details" {
            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "The columns of a roster file" } }
            div class="nhsuk-details__text" {
                dl class="nhsuk-summary-list" {
                    @for c in Column::ALL {
                        div class="nhsuk-summary-list__row" {
                            dt class="nhsuk-summary-list__key" { (c.header()) }
                            dd class="nhsuk-summary-list__value" { (capitalise(c.help())) }
                        }
                    }
                }
            }
        }
        form method="post" action="/manage/shifts/post/file" enctype="multipart/form-data" novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            div class=(group) {
                label class="nhsuk-label" for="roster" { "Roster file" }
                div class="nhsuk-hint" id="roster-hint" {
                    "A CSV file of at most " (MAX_ROSTER_BYTES / (1024 * 1024)) " MB and " (MAX_ROSTER_ROWS) " shifts. Nothing is posted unless every row is right."
                }
                @if let Some(message) = error {
                    span class="nhsuk-error-message" id="roster-error" {
                        span class="nhsuk-u-visually-hidden" { "Error: " } (capitalise(message))
                    }
                }
                input class="nhsuk-file-upload" id="roster" name="roster" type="file" accept=".csv,text/csv"
                    aria-describedby=(if error.is_some() { "roster-hint roster-error" } else { "roster-hint" });
            }
            button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Check the file" }
        }
    }
}

/// How far the rows got: a progress bar of the rows ready to post.
pub fn progress(ready: usize, rows: usize) -> Markup {
    html! {
        div class="nhsuk-form-group" {
            label class="nhsuk-label" for="rows-ready" {
                (rows) " rows checked: " (ready) " ready to post"
                @if ready < rows { ", " (rows - ready) " with problems" }
            }
            progress id="rows-ready" class="app-progress" max=(rows) value=(ready) { (ready) " of " (rows) }
        }
    }
}

/// Every problem in an uploaded file, as a table by row and column.
pub fn problems_table(problems: &[RowProblem]) -> Markup {
    html! {
        table class="nhsuk-table-responsive" id="roster-problems" {
            caption class="nhsuk-table__caption" { "Problems in the file, by row" }
            thead role="rowgroup" class="nhsuk-table__head" {
                tr role="row" {
                    th role="columnheader" scope="col" { "Row" }
                    th role="columnheader" scope="col" { "Column" }
                    th role="columnheader" scope="col" { "Problem" }
                }
            }
            tbody class="nhsuk-table__body" {
                @for p in problems {
                    tr role="row" class="nhsuk-table__row" {
                        // Spreadsheet rows: the header is row 1.
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Row " }
                            (p.index + 2)
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Column " }
                            (p.column.header())
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Problem " }
                            (capitalise(&p.message))
                        }
                    }
                }
            }
        }
    }
}

/// The shifts about to be posted, for the booker to confirm; the form carries them as roster
/// text so the confirmed batch is checked again and posted whole.
pub fn confirm(who: &Principal, plan: &RosterPlan, roster: &str) -> Markup {
    let planned = &plan.shifts;
    let n = planned.len();
    let noun = if n == 1 { "shift" } else { "shifts" };
    html! {
        h1 class="nhsuk-heading-xl" { "Post " (n) " " (noun) "?" }
        (progress(n + plan.present, n + plan.present))
        p { "Every row is right. Check the shifts below: once posted, they are released to the bank by the trust's release policy." }
        @if plan.present > 0 {
            p {
                @if plan.present == 1 { "1 row is" } @else { (plan.present) " rows are" }
                " already posted and will be left alone."
            }
        }
        table class="nhsuk-table-responsive" {
            caption class="nhsuk-table__caption" { "The " (noun) " to post" }
            thead role="rowgroup" class="nhsuk-table__head" {
                tr role="row" {
                    th role="columnheader" scope="col" { "When" }
                    th role="columnheader" scope="col" { "Ward" }
                    th role="columnheader" scope="col" { "Role" }
                    th role="columnheader" scope="col" { "Grades" }
                    th role="columnheader" scope="col" { "Places" }
                    th role="columnheader" scope="col" { "Bank" }
                }
            }
            tbody class="nhsuk-table__body" {
                @for s in planned {
                    tr role="row" class="nhsuk-table__row" {
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "When " } (when(s.starts_at, s.ends_at)) }
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Ward " } (s.ward) }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Role " }
                            (s.role) " (" (s.staff_group) ")"
                            @if s.premium_percent > 0 { ", " (s.premium_percent) "% premium" }
                        }
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Grades " } (s.grades) }
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Places " } (s.places) }
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Bank " } (s.bank) }
                    }
                }
            }
        }
        form method="post" action="/manage/shifts/post/confirm" {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            input type="hidden" name="roster" value=(roster);
            button type="submit" class="nhsuk-button" { "Post " (n) " " (noun) }
        }
        p { a href="/manage/shifts/post" { "Go back and change them" } }
    }
}
