//! What the import pages (workers, credentials) share: the upload form with its column help,
//! the table of every problem by row and column, and the page after a refused file, so that each
//! import looks and behaves the same.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use staffbank_app::worker_import::{thousands, ImportError, ImportProblem, MAX_IMPORT_BYTES};
use staffbank_app::Principal;

use super::layout::{app_error_page, capitalise, page};
use super::roster_pages::{linked_summary, progress};

/// What tells one import page from another.
pub(crate) struct ImportPage {
    /// Heading and title, e.g. "Import workers".
    pub title: &'static str,
    /// Where the pages live, e.g. "/manage/workers/import".
    pub path: &'static str,
    /// The stem of the file field's id, e.g. "workers".
    pub id: &'static str,
    /// The file field's label, e.g. "Workers file".
    pub label: &'static str,
    /// "a workers file", for "The columns of a workers file".
    pub file_name: &'static str,
    /// The opening paragraph.
    pub lede: &'static str,
    /// What happens to rows imported before.
    pub present_hint: &'static str,
    /// Each column's header and help.
    pub columns: Vec<(&'static str, &'static str)>,
}

/// The upload page of `kind`, with the file's problem or every problem in its rows.
pub(crate) fn upload_page(
    kind: &ImportPage,
    who: &Principal,
    error: Option<&str>,
    problems: &[ImportProblem],
    rows: usize,
) -> Response {
    let field = format!("{}-file", kind.id);
    let hint = format!("{field}-hint");
    let described = if error.is_some() {
        format!("{hint} {field}-error")
    } else {
        hint.clone()
    };
    let group = if error.is_some() {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    };
    let mut response = page(
        kind.title,
        Some(who),
        html! {
            @if let Some(message) = error {
                (linked_summary(std::iter::once((format!("#{field}"), capitalise(message)))))
            }
            h1 class="nhsuk-heading-xl" { (kind.title) }
            p class="nhsuk-lede-text" { (kind.lede) }
            @if !problems.is_empty() {
                (progress(rows.saturating_sub(rows_with_problems(problems)), rows))
                (problems_table(problems))
            }
            p {
                "Save it as a CSV file with a header row naming its columns. "
                a href=(format!("{}/template.csv", kind.path)) download { "Download the template (CSV)" }
                "."
            }
            details class="nhsuk-details" {
                summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "The columns of " (kind.file_name) } }
                div class="nhsuk-details__text" {
                    dl class="nhsuk-summary-list" {
                        @for (header, help) in &kind.columns {
                            div class="nhsuk-summary-list__row" {
                                dt class="nhsuk-summary-list__key" { (header) }
                                dd class="nhsuk-summary-list__value" { (help) }
                            }
                        }
                    }
                }
            }
            form method="post" action=(format!("{}/file", kind.path)) enctype="multipart/form-data" novalidate {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                div class=(group) {
                    label class="nhsuk-label" for=(field) { (kind.label) }
                    div class="nhsuk-hint" id=(hint) {
                        "A CSV file of at most " (MAX_IMPORT_BYTES / (1024 * 1024)) " MB. " (kind.present_hint)
                    }
                    @if let Some(message) = error {
                        span class="nhsuk-error-message" id=(format!("{field}-error")) {
                            span class="nhsuk-u-visually-hidden" { "Error: " } (capitalise(message))
                        }
                    }
                    input class="nhsuk-file-upload" id=(field) name="file" type="file" accept=".csv,text/csv"
                        aria-describedby=(described);
                }
                button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Check the file" }
            }
        },
    );
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub(crate) fn rows_with_problems(problems: &[ImportProblem]) -> usize {
    let mut rows: Vec<_> = problems.iter().map(|p| p.row).collect();
    rows.dedup();
    rows.len()
}

pub(crate) fn problems_table(problems: &[ImportProblem]) -> Markup {
    html! {
        table class="nhsuk-table-responsive" id="import-problems" {
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
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Row " } (p.row) }
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Column " } (p.column) }
                        td role="cell" class="nhsuk-table__cell" { span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Problem " } (capitalise(&p.message)) }
                    }
                }
            }
        }
    }
}

/// The upload page again after a refused file, naming what is wrong.
pub(crate) fn refused(kind: &ImportPage, who: &Principal, error: ImportError) -> Response {
    match error {
        ImportError::File(message) => upload_page(kind, who, Some(&message), &[], 0),
        ImportError::Rows(problems) => {
            let rows = problems.iter().map(|p| p.row).max().unwrap_or(1) - 1;
            let message = format!(
                "the file has {} {}: nothing was imported. Correct them and upload it again",
                thousands(problems.len()),
                if problems.len() == 1 {
                    "problem"
                } else {
                    "problems"
                }
            );
            upload_page(kind, who, Some(&message), &problems, rows)
        }
        ImportError::App(e) => app_error_page(e),
    }
}
