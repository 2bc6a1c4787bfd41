//! Importing workers from an ESR staff extract in the browser (bookers): upload, a check that
//! names every problem by row and column or says what importing would do, confirm, then the
//! import in one transaction and a message after it.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_app::worker_import::{
    self, thousands, ImportOutcome, Importer, WorkerColumn, MAX_IMPORT_BYTES,
};
use staffbank_app::{AppError, Principal};
use staffbank_domain::OrgId;

use super::import_jobs::{self, Which};
use super::import_parts::{refused, upload_page, ImportPage};
use super::layout::{app_error_page, page};
use super::roster_pages::progress;
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

/// The workers import's page.
pub(crate) fn kind() -> ImportPage {
    ImportPage {
        title: "Import workers",
        path: "/manage/workers/import",
        id: "workers",
        label: "Workers file",
        file_name: "a workers file",
        lede: "Bring your bank workers in from an ESR staff extract instead of typing them in. Every row is checked first: all of them are imported, or none.",
        present_hint: "Workers already imported are left as they are.",
        columns: WorkerColumn::ALL.iter().map(|c| (c.header(), help(*c))).collect(),
    }
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

/// `GET /manage/workers/import`: the upload, or the message after an import.
pub async fn start(UiUser(who): UiUser, Query(done): Query<DoneQuery>) -> Response {
    if let Err(e) = trust_of(&who) {
        return app_error_page(e);
    }
    let mut response = upload_page(&kind(), &who, None, &[], 0);
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
        return upload_page(&kind(), &who, Some(&too_big), &[], 0);
    }
    if !csrf_ok(&who, &csrf) {
        return csrf_refused();
    }
    let org = match trust_of(&who) {
        Ok(org) => org,
        Err(e) => return app_error_page(e),
    };
    let bytes = match file {
        _ if cut => return upload_page(&kind(), &who, Some(&too_big), &[], 0),
        Some(bytes) if !bytes.is_empty() => bytes,
        _ => {
            return upload_page(
                &kind(),
                &who,
                Some("choose a workers file to upload"),
                &[],
                0,
            )
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return upload_page(
            &kind(),
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
        Err(e) => refused(&kind(), &who, e),
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
    let id = state.imports.start(who.user.id, Which::Workers);
    let progress = state.imports.progress(id);
    let app = state.app.clone();
    let file = form.file;
    import_jobs::spawn(&state, id, async move {
        app.import_workers(Importer::Booker(&who), org, &file, &progress)
            .await
    });
    Redirect::to(&format!("/manage/imports/{id}")).into_response()
}
