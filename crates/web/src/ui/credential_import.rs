//! Importing credentials the trust has checked, in the browser (compliance officers): upload, a
//! check that names every problem by row and column or says what importing would do, confirm,
//! then the import in one transaction and a message after it. It looks and behaves as the
//! workers import does.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_app::credential_import::{self, CredentialColumn, CredentialImporter};
use staffbank_app::worker_import::{thousands, ImportOutcome, MAX_IMPORT_BYTES};
use staffbank_app::{AppError, Principal};
use staffbank_domain::role::Role;
use staffbank_domain::OrgId;

use super::import_jobs::{self, Which};
use super::import_parts::{refused, upload_page, ImportPage};
use super::layout::{app_error_page, page};
use super::roster_pages::progress;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// The message after an import: `?added=&present=`.
#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    added: Option<usize>,
    #[serde(default)]
    present: Option<usize>,
}

/// The trust a compliance officer imports into: the first they act for as a whole.
fn trust_of(who: &Principal) -> Result<OrgId, AppError> {
    who.orgs_as(Role::ComplianceOfficer)
        .first()
        .copied()
        .ok_or(AppError::Forbidden)
}

/// The credentials import's page.
pub(crate) fn kind() -> ImportPage {
    ImportPage {
        title: "Import credentials",
        path: "/manage/credentials/import",
        id: "credentials",
        label: "Credentials file",
        file_name: "a credentials file",
        lede: "Record the checks your trust has made (DBS, right to work, training...) from a spreadsheet instead of one by one. Every row is checked first: all of them are recorded, or none.",
        present_hint: "Credentials already recorded are left as they are.",
        columns: CredentialColumn::ALL
            .iter()
            .map(|c| (c.header(), help(*c)))
            .collect(),
    }
}

fn help(column: CredentialColumn) -> &'static str {
    match column {
        CredentialColumn::AssignmentNumber => {
            "The worker's ESR assignment number (or give the email)"
        }
        CredentialColumn::Email => {
            "The email the worker signs in with (or give the assignment number)"
        }
        CredentialColumn::Credential => {
            "For example, DBS check, Right to work, Core skills training"
        }
        CredentialColumn::DbsLevel => {
            "For a DBS check only: Basic, Standard, Enhanced or Enhanced with barred lists"
        }
        CredentialColumn::ValidFrom => "The date it takes effect, e.g. 01/04/2026",
        CredentialColumn::ValidUntil => "The date it ends, if it does (optional)",
    }
}

/// `GET /manage/credentials/import`: the upload, or the message after an import.
pub async fn start(UiUser(who): UiUser, Query(done): Query<DoneQuery>) -> Response {
    if let Err(e) = trust_of(&who) {
        return app_error_page(e);
    }
    let (Some(added), Some(present)) = (done.added, done.present) else {
        return upload_page(&kind(), &who, None, &[], 0);
    };
    let notice = ImportOutcome { added, present }.summary();
    page(
        "Import credentials",
        Some(&who),
        html! {
            div class="nhsuk-inset-text" role="status" {
                span class="nhsuk-u-visually-hidden" { "Information: " }
                p { "Credentials imported: " (notice) "." }
            }
            h1 class="nhsuk-heading-xl" { "Import credentials" }
            p { a href="/manage/credentials/import" { "Import another file" } }
        },
    )
}

/// `GET /manage/credentials/import/template.csv`.
pub async fn template(UiUser(_who): UiUser) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"credentials-template.csv\"",
            ),
        ],
        credential_import::template(),
    )
        .into_response()
}

/// `POST /manage/credentials/import/file`: an uploaded file, checked.
pub async fn check_file(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let kind = kind();
    let too_big = format!(
        "the file is larger than {} MB: split it into smaller files",
        MAX_IMPORT_BYTES / (1024 * 1024)
    );
    let super::roster::UploadForm { csrf, file, cut } =
        super::roster::read_upload(multipart, "file").await;
    if cut && csrf.is_empty() {
        return upload_page(&kind, &who, Some(&too_big), &[], 0);
    }
    if !csrf_ok(&who, &csrf) {
        return csrf_refused();
    }
    let org = match trust_of(&who) {
        Ok(org) => org,
        Err(e) => return app_error_page(e),
    };
    let bytes = match file {
        _ if cut => return upload_page(&kind, &who, Some(&too_big), &[], 0),
        Some(bytes) if !bytes.is_empty() => bytes,
        _ => {
            let message = "choose a credentials file to upload";
            return upload_page(&kind, &who, Some(message), &[], 0);
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        let message = "the file is not plain text: save it from the spreadsheet as \"CSV UTF-8\"";
        return upload_page(&kind, &who, Some(message), &[], 0);
    };
    match state
        .app
        .check_credential_import(CredentialImporter::Officer(&who), org, text)
        .await
    {
        Ok(plan) => {
            let (new, present) = (plan.new.len(), plan.present);
            let noun = if new == 1 {
                "credential"
            } else {
                "credentials"
            };
            page(
                "Confirm the import",
                Some(&who),
                html! {
                    h1 class="nhsuk-heading-xl" { "Record " (thousands(new)) " " (noun) "?" }
                    (progress(new + present, new + present))
                    p { "Every row is right. " (thousands(new)) " new " (noun) " will be recorded for your trust; "
                        (thousands(present)) " already recorded will be left as they are." }
                    @if new > 0 {
                        form method="post" action="/manage/credentials/import/confirm" novalidate {
                            input type="hidden" name="csrf" value=(who.session.csrf_token);
                            input type="hidden" name="file" value=(text);
                            button type="submit" class="nhsuk-button" { "Record the credentials" }
                        }
                    } @else {
                        p { "There is nothing new to record." }
                    }
                    p { a href="/manage/credentials/import" { "Choose a different file" } }
                },
            )
        }
        Err(e) => refused(&kind, &who, e),
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

/// `POST /manage/credentials/import/confirm`: checked again and recorded whole.
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
    let id = state.imports.start(who.user.id, Which::Credentials);
    let progress = state.imports.progress(id);
    let app = state.app.clone();
    let file = form.file;
    import_jobs::spawn(&state, id, async move {
        app.import_credentials(CredentialImporter::Officer(&who), org, &file, &progress)
            .await
    });
    Redirect::to(&format!("/manage/imports/{id}")).into_response()
}
