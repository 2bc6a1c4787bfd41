//! Imports from the browser run as jobs, so that a large file's writing can be followed: the
//! confirmation starts the import in the background and sends the person to the job's page,
//! which shows a progress bar of rows written out of the total (kept up to date by a small
//! script from /assets polling the job, since the pages allow no inline script) and, once the
//! import is done, what it did. Jobs live in the server's memory: an import is one transaction,
//! so a restart part way loses only the page, never half a file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Serialize;
use staffbank_app::worker_import::{thousands, ImportError, ImportOutcome};
use staffbank_app::AppError;
use staffbank_domain::UserId;
use uuid::Uuid;

use super::import_parts::{refused, ImportPage};
use super::layout::{app_error_page, page};
use super::UiUser;
use crate::extract::ApiPath;
use crate::AppState;

/// Which import a job runs, for its page's words and links.
#[derive(Clone, Copy)]
pub(crate) enum Which {
    /// Workers from an ESR extract.
    Workers,
    /// Credentials the trust checked.
    Credentials,
}

impl Which {
    fn page(self) -> ImportPage {
        match self {
            Self::Workers => super::worker_import::kind(),
            Self::Credentials => super::credential_import::kind(),
        }
    }

    /// "workers written", for the progress bar's words.
    fn written(self) -> &'static str {
        match self {
            Self::Workers => "workers written",
            Self::Credentials => "credentials prepared",
        }
    }
}

/// One import's progress and, once done, its outcome.
struct Job {
    owner: UserId,
    which: Which,
    written: usize,
    total: usize,
    outcome: Option<Result<ImportOutcome, ImportError>>,
}

/// The server's import jobs, by id.
#[derive(Clone, Default)]
pub struct ImportJobs(Arc<Mutex<HashMap<Uuid, Job>>>);

impl ImportJobs {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<Uuid, Job>) -> T) -> T {
        // A poisoned lock only means another job's thread panicked mid-update: the map is usable.
        let mut jobs = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut jobs)
    }

    /// Starts a job for `owner`; its id.
    pub(crate) fn start(&self, owner: UserId, which: Which) -> Uuid {
        let id = Uuid::new_v4();
        self.with(|jobs| {
            jobs.insert(
                id,
                Job {
                    owner,
                    which,
                    written: 0,
                    total: 0,
                    outcome: None,
                },
            )
        });
        id
    }

    /// The progress callback an import is given for job `id`.
    pub(crate) fn progress(&self, id: Uuid) -> impl Fn(usize, usize) + Send + Sync {
        let jobs = self.clone();
        move |written, total| {
            jobs.with(|jobs| {
                if let Some(job) = jobs.get_mut(&id) {
                    job.written = written;
                    job.total = total;
                }
            })
        }
    }

    /// Records what job `id` did.
    pub(crate) fn finish(&self, id: Uuid, outcome: Result<ImportOutcome, ImportError>) {
        self.with(|jobs| {
            if let Some(job) = jobs.get_mut(&id) {
                if let Ok(done) = &outcome {
                    job.total = job.total.max(done.added);
                    job.written = job.total;
                }
                job.outcome = Some(outcome);
            }
        })
    }
}

/// A job's progress, for the page's script.
#[derive(Serialize)]
struct Progress {
    written: usize,
    total: usize,
    done: bool,
    words: String,
}

fn words(which: Which, written: usize, total: usize) -> String {
    if total == 0 {
        "Checking the file again before writing".into()
    } else {
        format!(
            "{} of {} {}",
            thousands(written),
            thousands(total),
            which.written()
        )
    }
}

/// `GET /manage/imports/{id}/progress`: how far the job has got (its owner only).
pub async fn progress(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    let found = state.imports.with(|jobs| {
        jobs.get(&id)
            .filter(|j| j.owner == who.user.id)
            .map(|j| Progress {
                written: j.written,
                total: j.total,
                done: j.outcome.is_some(),
                words: words(j.which, j.written, j.total),
            })
    });
    match found {
        Some(progress) => axum::Json(progress).into_response(),
        None => app_error_page(AppError::NotFound),
    }
}

/// `GET /manage/imports/{id}`: the job's progress while it writes, then what it did (its owner
/// only; anyone else is told it does not exist).
pub async fn job(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    enum Seen {
        Running(Which, usize, usize),
        Done(Which, usize, Result<ImportOutcome, ImportError>),
    }
    let seen = state.imports.with(|jobs| {
        let job = jobs.get(&id).filter(|j| j.owner == who.user.id)?;
        if job.outcome.is_none() {
            return Some(Seen::Running(job.which, job.written, job.total));
        }
        // Done: shown once, then forgotten.
        let job = jobs.remove(&id)?;
        Some(Seen::Done(job.which, job.total, job.outcome?))
    });
    match seen {
        None => app_error_page(AppError::NotFound),
        Some(Seen::Running(which, written, total)) => {
            let kind = which.page();
            page(
                kind.title,
                Some(&who),
                html! {
                    h1 class="nhsuk-heading-xl" { (kind.title) }
                    p { "The file is being written, all of it or none. This page follows it; you can leave it and come back." }
                    div class="nhsuk-form-group" {
                        label class="nhsuk-label" for="write-progress" id="write-progress-words" { (words(which, written, total)) }
                        progress id="write-progress" class="app-progress" max=(total.max(1)) value=(written)
                            data-import-progress=(format!("/manage/imports/{id}/progress")) { (written) " of " (total) }
                    }
                    p { a href=(format!("/manage/imports/{id}")) { "Check again" } }
                    script src="/assets/app/import-progress.js" defer {}
                },
            )
        }
        Some(Seen::Done(which, total, Ok(outcome))) => {
            let kind = which.page();
            page(
                kind.title,
                Some(&who),
                html! {
                    div class="nhsuk-inset-text" role="status" {
                        span class="nhsuk-u-visually-hidden" { "Information: " }
                        p { (done_words(which)) ": " (outcome.summary()) "." }
                    }
                    h1 class="nhsuk-heading-xl" { (kind.title) }
                    div class="nhsuk-form-group" {
                        label class="nhsuk-label" for="write-progress" {
                            (thousands(total)) " of " (thousands(total)) " " (which.written())
                        }
                        progress id="write-progress" class="app-progress" max=(total.max(1)) value=(total.max(1)) { (total) " of " (total) }
                    }
                    p { a href=(kind.path) { "Import another file" } }
                },
            )
        }
        Some(Seen::Done(which, _, Err(e))) => refused(&which.page(), &who, e),
    }
}

/// "Workers imported", before the outcome.
fn done_words(which: Which) -> &'static str {
    match which {
        Which::Workers => "Workers imported",
        Which::Credentials => "Credentials imported",
    }
}

/// Starts `run` as job `id`'s import in the background.
pub(crate) fn spawn(
    state: &AppState,
    id: Uuid,
    run: impl std::future::Future<Output = Result<ImportOutcome, ImportError>> + Send + 'static,
) {
    let jobs = state.imports.clone();
    tokio::spawn(async move {
        let outcome = run.await;
        jobs.finish(id, outcome);
    });
}
