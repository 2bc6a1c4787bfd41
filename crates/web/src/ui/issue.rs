//! A credential issuer's start page (an issuing body such as the NMC): the credential types the
//! trust framework trusts it for, and finding a worker to offer one to or to revoke one from.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use staffbank_app::AppError;
use staffbank_domain::role::Role;

use super::layout::{app_error_page, page};
use super::workers::{search_section, SearchQuery};
use super::UiUser;
use crate::AppState;

/// `GET /issue`: the types this body issues, and a search for the worker.
pub async fn start(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<SearchQuery>,
) -> Response {
    if !who.has_role(Role::CredentialIssuer) {
        return app_error_page(AppError::Forbidden);
    }
    let kinds = match state.app.offerable_kinds(&who).await {
        Ok(k) => k,
        Err(e) => return app_error_page(e),
    };
    match search_section(&state, &who, "/issue", query.q()).await {
        Ok(section) => page(
            "Issue credentials",
            Some(&who),
            html! {
                h1 class="nhsuk-heading-xl" { "Issue credentials" }
                @if kinds.is_empty() {
                    div class="nhsuk-warning-callout" {
                        h2 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Not trusted yet" } }
                        p { "The trust framework does not trust your organisation for any credential type, so you cannot offer or revoke credentials. A platform administrator adds it." }
                    }
                } @else {
                    p class="nhsuk-lede-text" {
                        "The trust framework trusts your organisation for: "
                        (kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ")) "."
                    }
                }
                h2 class="nhsuk-heading-l" { "Find the worker" }
                (section)
            },
        ),
        Err(e) => app_error_page(e),
    }
}
