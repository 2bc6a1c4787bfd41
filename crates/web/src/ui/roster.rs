//! Posting shifts in a batch from the browser: a form of several rows or an uploaded roster
//! file, both checked row by row, shown whole for the booker to confirm, then posted all at once.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use staffbank_app::roster::{self, Column, RawRow, RosterError};
use staffbank_app::Principal;

use super::layout::{app_error_page, capitalise, page};
use super::roster_pages::{
    confirm, field_id, form_summary, linked_summary, problems_table, progress, rows_form,
    upload_form, FormProblem, FormRows, FORM_COLUMNS,
};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// Most rows the form shows.
pub const MAX_FORM_ROWS: usize = 30;
/// Rows the form shows at first.
const FORM_ROWS: usize = 5;
/// Largest upload request: the file and the form's other fields.
pub const UPLOAD_LIMIT: usize = roster::MAX_ROSTER_BYTES + 64 * 1024;
/// Largest confirmation request: the roster again, URL-encoded (at most three bytes a byte).
pub const CONFIRM_LIMIT: usize = 3 * roster::MAX_ROSTER_BYTES + 64 * 1024;

/// `?rows=` on the post-shifts page.
#[derive(Deserialize)]
pub struct RowsQuery {
    #[serde(default)]
    rows: Option<String>,
}

fn blank_rows(n: usize) -> FormRows {
    (0..n)
        .map(|_| {
            FORM_COLUMNS
                .iter()
                .map(|c| {
                    let value = if *c == Column::Places { "1" } else { "" };
                    (*c, value.to_owned())
                })
                .collect()
        })
        .collect()
}

/// The whole post-shifts page: the form of rows and the upload, with any problems.
async fn post_page(
    state: &AppState,
    who: &Principal,
    rows: &FormRows,
    form_problems: &[FormProblem],
    upload: Option<Upload<'_>>,
) -> Response {
    let options = match state.app.posting_options(who).await {
        Ok(o) => o,
        Err(e) => return app_error_page(e),
    };
    let failed = !form_problems.is_empty() || upload.is_some();
    let mut response = page(
        "Post shifts",
        Some(who),
        html! {
            @if let Some(upload) = &upload {
                (linked_summary(std::iter::once(("#roster".to_owned(), upload.summary()))))
            } @else {
                (form_summary(form_problems))
            }
            h1 class="nhsuk-heading-xl" { "Post shifts" }
            p class="nhsuk-lede-text" { "Post several shifts at once, by filling in rows or by uploading a roster file. All of them are posted, or none." }
            @if let Some(Upload::Rows { rows: total, problems, .. }) = &upload {
                (progress(total - rows_with_problems(problems), *total))
                (problems_table(problems))
            }
            (upload_form(who, upload.as_ref().map(Upload::field_message).as_deref()))
            (rows_form(who, &options, rows, form_problems))
            p { a href="/manage/shifts/new" { "Post a single shift with more options" } }
        },
    );
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// What was wrong with an uploaded file.
enum Upload<'a> {
    /// The file as a whole.
    File(&'a str),
    /// Some of its rows.
    Rows {
        rows: usize,
        problems: &'a [roster::RowProblem],
    },
}

impl Upload<'_> {
    fn summary(&self) -> String {
        match self {
            Self::File(message) => capitalise(message),
            Self::Rows { problems, .. } => {
                format!(
                "The file has {} {} in {} {}: nothing was posted. Correct them and upload it again",
                problems.len(),
                if problems.len() == 1 { "problem" } else { "problems" },
                rows_with_problems(problems),
                if rows_with_problems(problems) == 1 { "row" } else { "rows" },
            )
            }
        }
    }

    fn field_message(&self) -> String {
        match self {
            Self::File(message) => (*message).to_owned(),
            Self::Rows { .. } => "correct the rows listed and upload the file again".to_owned(),
        }
    }
}

fn rows_with_problems(problems: &[roster::RowProblem]) -> usize {
    let mut rows: Vec<_> = problems.iter().map(|p| p.index).collect();
    rows.dedup();
    rows.len()
}

/// `GET /manage/shifts/post`.
pub async fn start(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<RowsQuery>,
) -> Response {
    let n = query
        .rows
        .and_then(|r| r.trim().parse::<usize>().ok())
        .unwrap_or(FORM_ROWS)
        .clamp(1, MAX_FORM_ROWS);
    post_page(&state, &who, &blank_rows(n), &[], None).await
}

/// `GET /manage/shifts/post/template.csv`.
pub async fn template(UiUser(_who): UiUser) -> Response {
    crate::api::csv_download("roster-template.csv", roster::template())
}

/// `POST /manage/shifts/post/rows`: the form of rows, checked.
pub async fn check_rows(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    if !csrf_ok(&who, csrf) {
        return csrf_refused();
    }
    let count = fields
        .iter()
        .find(|(k, _)| k == "rows")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(FORM_ROWS)
        .clamp(1, MAX_FORM_ROWS);
    let value = |row: usize, column: Column| {
        let id = field_id(row, column);
        fields
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let rows: FormRows = (0..count)
        .map(|i| FORM_COLUMNS.iter().map(|c| (*c, value(i, *c))).collect())
        .collect();
    // Rows with nothing of a shift's own filled in are left out; `filled` maps each row given
    // to the app back to its place in the form.
    let filled: Vec<usize> = (0..count)
        .filter(|i| {
            [Column::Date, Column::Start, Column::End, Column::Role]
                .iter()
                .any(|c| !value(*i, *c).is_empty())
        })
        .collect();
    if filled.is_empty() {
        let problem = FormProblem {
            row: 0,
            column: Column::Date,
            message: "fill in at least one shift".into(),
        };
        return post_page(&state, &who, &rows, &[problem], None).await;
    }
    let raw: Vec<RawRow> = filled
        .iter()
        .map(|i| rows[*i].iter().cloned().collect())
        .collect();
    match state.app.check_roster(&who, &raw).await {
        Ok(planned) => page(
            "Confirm the shifts",
            Some(&who),
            confirm(&who, &planned, &roster::write_csv(&raw)),
        ),
        Err(RosterError::Rows { problems, .. }) => {
            let problems: Vec<FormProblem> = problems
                .into_iter()
                .map(|p| FormProblem {
                    row: filled.get(p.index).copied().unwrap_or(0),
                    column: p.column,
                    message: p.message,
                })
                .collect();
            post_page(&state, &who, &rows, &problems, None).await
        }
        Err(RosterError::File(message)) => {
            let problem = FormProblem {
                row: 0,
                column: Column::Date,
                message,
            };
            post_page(&state, &who, &rows, &[problem], None).await
        }
        Err(RosterError::App(e)) => app_error_page(e),
    }
}

/// What an upload form sent: its CSRF token, the file, and whether the request was cut off
/// (by the size limit, most often) before all of it was read.
pub(crate) struct UploadForm {
    /// The form's CSRF token.
    pub csrf: String,
    /// The file's bytes, if the field arrived whole.
    pub file: Option<axum::body::Bytes>,
    /// Whether the request was cut off.
    pub cut: bool,
}

/// Reads an upload form with a `csrf` field and a file in the field named `file_field`.
pub(crate) async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    file_field: &str,
) -> UploadForm {
    let mut upload = UploadForm {
        csrf: String::new(),
        file: None,
        cut: false,
    };
    let Ok(mut multipart) = multipart else {
        upload.cut = true;
        return upload;
    };
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => upload.csrf = field.text().await.unwrap_or_default(),
                Some(name) if name == file_field => match field.bytes().await {
                    Ok(bytes) => upload.file = Some(bytes),
                    Err(_) => upload.cut = true,
                },
                _ => {}
            },
            Ok(None) => return upload,
            Err(_) => {
                upload.cut = true;
                return upload;
            }
        }
    }
}

/// `POST /manage/shifts/post/file`: an uploaded roster, checked.
pub async fn check_file(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let UploadForm {
        csrf,
        file,
        cut: too_big,
    } = read_upload(multipart, "roster").await;
    // A request cut off by the size limit may have lost its token too: say what went wrong.
    if too_big && csrf.is_empty() {
        return file_refused(&state, &who, &too_big_message()).await;
    }
    if !csrf_ok(&who, &csrf) {
        return csrf_refused();
    }
    let bytes = match file {
        _ if too_big => return file_refused(&state, &who, &too_big_message()).await,
        Some(bytes) if !bytes.is_empty() => bytes,
        _ => return file_refused(&state, &who, "choose a roster file to upload").await,
    };
    if bytes.len() > roster::MAX_ROSTER_BYTES {
        return file_refused(&state, &who, &too_big_message()).await;
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return file_refused(
            &state,
            &who,
            "the file is not plain text: save it from the spreadsheet as \"CSV UTF-8\"",
        )
        .await;
    };
    let rows = match roster::read_csv(text) {
        Ok(rows) => rows,
        Err(e) => return roster_refused(&state, &who, e).await,
    };
    match state.app.check_roster(&who, &rows).await {
        Ok(planned) => page(
            "Confirm the shifts",
            Some(&who),
            confirm(&who, &planned, &roster::write_csv(&rows)),
        ),
        Err(e) => roster_refused(&state, &who, e).await,
    }
}

fn too_big_message() -> String {
    format!(
        "the file is larger than {} MB: split it into smaller files",
        roster::MAX_ROSTER_BYTES / (1024 * 1024)
    )
}

async fn file_refused(state: &AppState, who: &Principal, message: &str) -> Response {
    let rows = blank_rows(FORM_ROWS);
    post_page(state, who, &rows, &[], Some(Upload::File(message))).await
}

async fn roster_refused(state: &AppState, who: &Principal, error: RosterError) -> Response {
    let rows = blank_rows(FORM_ROWS);
    match error {
        RosterError::File(message) => file_refused(state, who, &message).await,
        RosterError::Rows {
            rows: total,
            problems,
        } => {
            let upload = Upload::Rows {
                rows: total,
                problems: &problems,
            };
            post_page(state, who, &rows, &[], Some(upload)).await
        }
        RosterError::App(e) => app_error_page(e),
    }
}

/// The confirmation form.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    roster: String,
}

/// `POST /manage/shifts/post/confirm`: the confirmed batch, checked again and posted whole.
pub async fn post(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<ConfirmForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let rows = match roster::read_csv(&form.roster) {
        Ok(rows) => rows,
        Err(e) => return roster_refused(&state, &who, e).await,
    };
    match state.app.post_roster(&who, &rows).await {
        Ok(outcome) => Redirect::to(&format!(
            "/manage/shifts?posted={}&present={}",
            outcome.posted.len(),
            outcome.present
        ))
        .into_response(),
        Err(e) => roster_refused(&state, &who, e).await,
    }
}

/// The message on the trust's shifts after a batch is posted; `present` rows of it were posted
/// before and left alone.
pub fn posted_notice(count: usize, present: usize) -> maud::Markup {
    html! {
        div class="nhsuk-inset-text" role="status" {
            span class="nhsuk-u-visually-hidden" { "Information: " }
            p {
                @if count == 1 { "1 shift posted." } @else { (count) " shifts posted." }
                @if present == 1 { " 1 was already posted and left alone." }
                @else if present > 1 { " " (present) " were already posted and left alone." }
                @if count > 0 { " Each is released to the bank by the trust's release policy." }
            }
        }
    }
}
