//! Importing workers from an ESR staff extract in the browser (bookers): upload, a check that
//! names every problem by row and column or says what importing would do, confirm, then the
//! import in one transaction and a message after it.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::worker_import::{
    self, thousands, ImportError, ImportOutcome, ImportProblem, Importer, WorkerColumn,
    MAX_IMPORT_BYTES,
};
use staffbank_app::{AppError, Principal};
use staffbank_domain::OrgId;

use super::layout::{app_error_page, capitalise, page};
use super::roster_pages::{linked_summary, progress};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// Largest upload request: the file and the form's other fields.
pub const UPLOAD_LIMIT: usize = MAX_IMPORT_BYTES + 64 * 1024;
/// Largest confirmation request: the file again, URL-encoded (at most three bytes a byte).
pub const CONFIRM_LIMIT: usize = 3 * MAX_IMPORT_BYTES + 64 * 1024;

/// The message after an import: `?added=&present=`.
#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    added: Option<usize>,
    #[serde(default)]
    present: Option<usize>,
}

/// The trust a booker imports into: the first they book for as a whole.
fn trust_of(who: &Principal) -> Result<OrgId, AppError> {
    who.booker_orgs()
        .first()
        .copied()
        .ok_or(AppError::Forbidden)
}

fn upload_page(
    who: &Principal,
    error: Option<&str>,
    problems: &[ImportProblem],
    rows: usize,
) -> Response {
    let group = if error.is_some() {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    };
    let mut response = page(
        "Import workers",
        Some(who),
        html! {
            @if let Some(message) = error {
                (linked_summary(std::iter::once(("#workers-file".to_owned(), capitalise(message)))))
            }
            h1 class="nhsuk-heading-xl" { "Import workers" }
            p class="nhsuk-lede-text" { "Bring your bank workers in from an ESR staff extract instead of typing them in. Every row is checked first: all of them are imported, or none." }
            @if !problems.is_empty() {
                (progress(rows.saturating_sub(rows_with_problems(problems)), rows))
                (problems_table(problems))
            }
            p {
                "Save the extract as a CSV file with a header row naming its columns. "
                a href="/manage/workers/import/template.csv" download { "Download the template (CSV)" }
                "."
            }
            details class="nhsuk-details" {
                summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "The columns of a workers file" } }
                div class="nhsuk-details__text" {
                    dl class="nhsuk-summary-list" {
                        @for c in WorkerColumn::ALL {
                            div class="nhsuk-summary-list__row" {
                                dt class="nhsuk-summary-list__key" { (c.header()) }
                                dd class="nhsuk-summary-list__value" { (help(c)) }
                            }
                        }
                    }
                }
            }
            form method="post" action="/manage/workers/import/file" enctype="multipart/form-data" novalidate {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                div class=(group) {
                    label class="nhsuk-label" for="workers-file" { "Workers file" }
                    div class="nhsuk-hint" id="workers-file-hint" {
                        "A CSV file of at most " (MAX_IMPORT_BYTES / (1024 * 1024)) " MB. Workers already imported are left as they are."
                    }
                    @if let Some(message) = error {
                        span class="nhsuk-error-message" id="workers-file-error" {
                            span class="nhsuk-u-visually-hidden" { "Error: " } (capitalise(message))
                        }
                    }
                    input class="nhsuk-file-upload" id="workers-file" name="file" type="file" accept=".csv,text/csv"
                        aria-describedby=(if error.is_some() { "workers-file-hint workers-file-error" } else { "workers-file-hint" });
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

fn help(column: WorkerColumn) -> &'static str {
    match column {
        WorkerColumn::AssignmentNumber => "The ESR assignment number, e.g. 12345678",
        WorkerColumn::Name => "Full name, as bookers see it",
        WorkerColumn::Email => "The email they sign in with",
        WorkerColumn::StaffGroup => "For example, Nursing and midwifery",
        WorkerColumn::Grade => "Band or medical grade, e.g. Band 5",
        WorkerColumn::RegistrationBody => "NMC, GMC, HCPC or GPhC (optional)",
        WorkerColumn::RegistrationNumber => "The number on that register (optional)",
        WorkerColumn::ContractType => "For example, Bank",
        WorkerColumn::Banks => "Your trust's banks to join, separated by semicolons",
    }
}

fn rows_with_problems(problems: &[ImportProblem]) -> usize {
    let mut rows: Vec<_> = problems.iter().map(|p| p.row).collect();
    rows.dedup();
    rows.len()
}

fn problems_table(problems: &[ImportProblem]) -> Markup {
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

/// `GET /manage/workers/import`: the upload, or the message after an import.
pub async fn start(UiUser(who): UiUser, Query(done): Query<DoneQuery>) -> Response {
    if let Err(e) = trust_of(&who) {
        return app_error_page(e);
    }
    let mut response = upload_page(&who, None, &[], 0);
    if let (Some(added), Some(present)) = (done.added, done.present) {
        let notice = ImportOutcome { added, present }.summary();
        response = page(
            "Import workers",
            Some(&who),
            html! {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Workers imported: " (notice) "." }
                }
                h1 class="nhsuk-heading-xl" { "Import workers" }
                p { a href="/manage/workers/import" { "Import another file" } }
            },
        );
    }
    response
}

/// `GET /manage/workers/import/template.csv`.
pub async fn template(UiUser(_who): UiUser) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"workers-template.csv\"",
            ),
        ],
        worker_import::template(),
    )
        .into_response()
}

fn refused(who: &Principal, error: ImportError) -> Response {
    match error {
        ImportError::File(message) => upload_page(who, Some(&message), &[], 0),
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
            upload_page(who, Some(&message), &problems, rows)
        }
        ImportError::App(e) => app_error_page(e),
    }
}

/// `POST /manage/workers/import/file`: an uploaded file, checked.
pub async fn check_file(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let too_big = format!(
        "the file is larger than {} MB: split it into smaller files",
        MAX_IMPORT_BYTES / (1024 * 1024)
    );
    let super::roster::UploadForm { csrf, file, cut } =
        super::roster::read_upload(multipart, "file").await;
    if cut && csrf.is_empty() {
        return upload_page(&who, Some(&too_big), &[], 0);
    }
    if !csrf_ok(&who, &csrf) {
        return csrf_refused();
    }
    let org = match trust_of(&who) {
        Ok(org) => org,
        Err(e) => return app_error_page(e),
    };
    let bytes = match file {
        _ if cut => return upload_page(&who, Some(&too_big), &[], 0),
        Some(bytes) if !bytes.is_empty() => bytes,
        _ => return upload_page(&who, Some("choose a workers file to upload"), &[], 0),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return upload_page(
            &who,
            Some("the file is not plain text: save it from the spreadsheet as \"CSV UTF-8\""),
            &[],
            0,
        );
    };
    match state
        .app
        .check_worker_import(Importer::Booker(&who), org, text)
        .await
    {
        Ok(plan) => {
            let (new, present) = (plan.new.len(), plan.present);
            page(
                "Confirm the import",
                Some(&who),
                html! {
                    h1 class="nhsuk-heading-xl" { "Import " (thousands(new)) " " (if new == 1 { "worker" } else { "workers" }) "?" }
                    (progress(new + present, new + present))
                    p { "Every row is right. " (thousands(new)) " new " (if new == 1 { "worker" } else { "workers" }) " will be added and join the banks named; "
                        (thousands(present)) " already imported will be left as they are." }
                    p { "New workers set a password when they first sign in." }
                    @if new > 0 {
                        form method="post" action="/manage/workers/import/confirm" novalidate {
                            input type="hidden" name="csrf" value=(who.session.csrf_token);
                            input type="hidden" name="file" value=(text);
                            button type="submit" class="nhsuk-button" { "Import the workers" }
                        }
                    } @else {
                        p { "There is nothing new to import." }
                    }
                    p { a href="/manage/workers/import" { "Choose a different file" } }
                },
            )
        }
        Err(e) => refused(&who, e),
    }
}

/// The confirmation form.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    file: String,
}

/// `POST /manage/workers/import/confirm`: checked again and imported whole.
pub async fn confirm(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<ConfirmForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let org = match trust_of(&who) {
        Ok(org) => org,
        Err(e) => return app_error_page(e),
    };
    match state
        .app
        .import_workers(Importer::Booker(&who), org, &form.file, &|_, _| {})
        .await
    {
        Ok(done) => Redirect::to(&format!(
            "/manage/workers/import?added={}&present={}",
            done.added, done.present
        ))
        .into_response(),
        Err(e) => refused(&who, e),
    }
}
