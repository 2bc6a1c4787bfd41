//! Importing a roster of shifts from an e-rostering export at the command line: the same columns
//! and checks as a booker's roster upload, every problem named by row and column, all of the new
//! shifts posted in one transaction or none, and rows already posted left alone.

use staffbank_domain::role::{Role, Scope};
use staffbank_domain::OrgId;

use crate::roster::{self, Poster, RosterError, RosterOutcome};
use crate::worker_import::{ImportError, ImportProblem};
use crate::{App, AppError};

/// A roster problem as an import problem: `index` counts shifts from 0, so the spreadsheet row
/// is two more (the header is row 1).
fn problems(error: RosterError) -> ImportError {
    match error {
        RosterError::File(message) => ImportError::File(message),
        RosterError::Rows { problems, .. } => ImportError::Rows(
            problems
                .into_iter()
                .map(|p| ImportProblem {
                    row: p.index + 2,
                    column: p.column.header(),
                    message: p.message,
                })
                .collect(),
        ),
        RosterError::App(e) => ImportError::App(e),
    }
}

impl App {
    /// Posts a roster file's shifts into `org` for the operator, in the name of `posted_by`
    /// (the email of one of the trust's bookers, since every shift names who posted it).
    /// `progress` is told (done, total) as rows are checked and posted.
    #[tracing::instrument(skip_all, fields(org = %org.0))]
    pub async fn import_shifts(
        &self,
        org: OrgId,
        posted_by: &str,
        text: &str,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<RosterOutcome, ImportError> {
        let booker = self
            .store
            .user_by_email(posted_by.trim())
            .await
            .map_err(AppError::from)?
            .filter(|u| {
                u.grants
                    .iter()
                    .any(|g| g.role == Role::Booker && g.scope == Scope::Organisation(org))
            })
            .ok_or_else(|| {
                ImportError::File(format!(
                    "{} is not a booker of this trust: name one with --posted-by",
                    posted_by.trim()
                ))
            })?;
        let rows = roster::read_csv(text).map_err(problems)?;
        let poster = Poster::Operator {
            org,
            posted_by: booker.id,
        };
        self.post_roster_as(&poster, &rows, progress)
            .await
            .map_err(problems)
    }
}
