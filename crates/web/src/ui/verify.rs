//! A compliance officer verifying passports: ask a worker to share named details of one
//! credential type, watch for the answer and read every check; or check a paper passport's
//! code by pasting its text.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::presentations::RequestPresentation;
use staffbank_app::{AppError, Principal};
use staffbank_domain::credential::CredentialKind;
use staffbank_domain::credential_claims::{askable_claims, vct};
use staffbank_domain::role::Role;
use uuid::Uuid;

use super::claims::{claim_label, outcome, type_label};
use super::layout::{app_error_page, capitalise, error_summary, messages, page};
use super::scan::read_qr;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// The refusal for anyone but a compliance officer.
fn not_officer(who: &Principal) -> Option<Response> {
    (!who.has_role(Role::ComplianceOfficer)).then(|| app_error_page(AppError::Forbidden))
}

/// What the request form last held, to show it again with its errors.
#[derive(Default)]
struct Filled {
    email: String,
    kind: String,
    claims: Vec<String>,
    purpose: String,
}

fn forms(who: &Principal, filled: &Filled, errors: &[String]) -> Markup {
    html! {
        (error_summary(errors))
        h1 class="nhsuk-heading-xl" { "Verify a passport" }
        form method="post" action="/manage/passport/requests" novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            h2 class="nhsuk-heading-l" { "Ask a worker to share their details" }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="email" { "Worker's email address" }
                input class="nhsuk-input" id="email" name="email" type="email" spellcheck="false" value=(filled.email);
            }
            div class="nhsuk-form-group" {
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Credential" }
                    div class="nhsuk-radios" {
                        @for kind in CredentialKind::ALL {
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id={ "kind-" (kind.as_str()) } name="kind" type="radio"
                                    value=(kind.as_str()) checked[filled.kind == kind.as_str()];
                                label class="nhsuk-label nhsuk-radios__label" for={ "kind-" (kind.as_str()) } { (kind.label()) }
                            }
                        }
                    }
                }
            }
            div class="nhsuk-form-group" {
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Details to see (of the credential chosen)" }
                    @for kind in CredentialKind::ALL {
                        p class="nhsuk-body-s nhsuk-u-margin-bottom-1" { strong { (kind.label()) } }
                        div class="nhsuk-checkboxes nhsuk-u-margin-bottom-3" {
                            @for claim in askable_claims(kind) {
                                @let value = format!("{}:{claim}", kind.as_str());
                                @let id = format!("claim-{}", value.replace([':', '.'], "-"));
                                div class="nhsuk-checkboxes__item" {
                                    input class="nhsuk-checkboxes__input" id=(id) name="claims" type="checkbox"
                                        value=(value) checked[filled.claims.contains(&value)];
                                    label class="nhsuk-label nhsuk-checkboxes__label" for=(id) { (claim_label(&claim)) }
                                }
                            }
                        }
                    }
                }
            }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="purpose" { "Why you need them (the worker reads this)" }
                input class="nhsuk-input" id="purpose" name="purpose" type="text" value=(filled.purpose);
            }
            button type="submit" class="nhsuk-button" { "Verify passport" }
        }
        form method="post" action="/manage/passport/paper" novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            h2 class="nhsuk-heading-l" { "Check a paper passport" }
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="credential" { "Text of the QR code (scan it with any QR reader, then paste)" }
                textarea class="nhsuk-textarea" id="credential" name="credential" rows="5" spellcheck="false" {}
            }
            button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Check paper credential" }
        }
        form method="post" action="/manage/passport/paper/scan" enctype="multipart/form-data" novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            div class="nhsuk-form-group" {
                label class="nhsuk-label" for="photo" { "Or take a photo of the QR code" }
                div class="nhsuk-hint" id="photo-hint" { "On a phone this opens the camera. Fill the picture with the code." }
                input class="nhsuk-file-upload" id="photo" name="photo" type="file" accept="image/png,image/jpeg" capture="environment" aria-describedby="photo-hint";
            }
            button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Check photo" }
        }
    }
}

/// `GET /manage/passport`.
pub async fn start(UiUser(who): UiUser) -> Response {
    if let Some(refused) = not_officer(&who) {
        return refused;
    }
    page(
        "Verify a passport",
        Some(&who),
        forms(&who, &Filled::default(), &[]),
    )
}

/// `POST /manage/passport/requests`: the form as name-value pairs, since `claims` repeats.
pub async fn request(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if !csrf_ok(&who, &field("csrf")) {
        return csrf_refused();
    }
    if let Some(refused) = not_officer(&who) {
        return refused;
    }
    let filled = Filled {
        email: field("email"),
        kind: field("kind"),
        claims: pairs
            .iter()
            .filter(|(k, _)| k == "claims")
            .map(|(_, v)| v.clone())
            .collect(),
        purpose: field("purpose"),
    };
    let again = |errors: Vec<String>| {
        let mut response = page(
            "Verify a passport",
            Some(&who),
            forms(&who, &filled, &errors),
        );
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        response
    };
    let Some(kind) = CredentialKind::parse(&filled.kind) else {
        return again(vec!["Choose the credential to see".into()]);
    };
    let prefix = format!("{}:", kind.as_str());
    let claims: Vec<String> = filled
        .claims
        .iter()
        .filter_map(|c| c.strip_prefix(&prefix).map(str::to_owned))
        .collect();
    if claims.is_empty() {
        return again(vec![format!(
            "Choose at least one detail of the {} to see",
            kind.label().to_lowercase()
        )]);
    }
    let worker = match state.app.worker_by_email(&who, &filled.email).await {
        Ok(w) => w,
        Err(AppError::NotFound) => {
            return again(vec![
                "No worker in your trust's banks has that email address".into(),
            ])
        }
        Err(e) => return app_error_page(e),
    };
    let input = RequestPresentation {
        vct: vct(kind),
        claims,
        purpose: filled.purpose.clone(),
    };
    match state.app.request_presentation(&who, worker, input).await {
        Ok(view) => Redirect::to(&format!("/manage/passport/requests/{}", view.id)).into_response(),
        Err(e @ (AppError::Unexpected(_) | AppError::Forbidden)) => app_error_page(e),
        Err(e) => again(messages(&e)),
    }
}

/// `GET /manage/passport/requests/{id}`: waiting for the worker, or the outcome.
pub async fn requested(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    let view = match state.app.presentation_request(&who, id).await {
        Ok(v) => v,
        Err(e) => return app_error_page(e),
    };
    page(
        "Passport check",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Passport check: " (type_label(&view.vct)) }
            p { "Asked for: " (view.claims.iter().map(|c| claim_label(c)).collect::<Vec<_>>().join(", ")) ". Why: " (view.purpose) }
            @match (view.state.as_str(), &view.result) {
                ("pending", _) => {
                    div class="nhsuk-inset-text" role="status" data-poll={ "/manage/passport/requests/" (id) "/state" } {
                        p { "Waiting for the worker to answer on their phone. This page shows the result as soon as they do." }
                        noscript { p { a href={ "/manage/passport/requests/" (id) } { "Reload to see the answer" } } }
                    }
                    script src="/assets/app/verify.js" defer {}
                }
                ("declined", _) => div class="nhsuk-inset-text" id="verification-result" { p { "The worker declined to share these details." } },
                (_, Some(result)) => (outcome(result)),
                (other, None) => p { "State: " (other) },
            }
            p { a href="/manage/passport" { "Verify another passport" } }
        },
    )
}

/// `GET /manage/passport/requests/{id}/state`: the request's state alone, for the waiting page.
pub async fn request_state(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    match state.app.presentation_request(&who, id).await {
        Ok(view) => view.state.into_response(),
        Err(e) => app_error_page(e),
    }
}

/// `POST /manage/passport/paper/scan`: a photo of a paper credential's code, read, then checked
/// as pasted text would be.
pub async fn paper_photo(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (mut csrf, mut photo) = (String::new(), None);
    if let Ok(mut multipart) = multipart {
        while let Ok(Some(field)) = multipart.next_field().await {
            match field.name() {
                Some("csrf") => csrf = field.text().await.unwrap_or_default(),
                Some("photo") => photo = field.bytes().await.ok(),
                _ => {}
            }
        }
    }
    if !csrf_ok(&who, &csrf) {
        return csrf_refused();
    }
    if let Some(refused) = not_officer(&who) {
        return refused;
    }
    let text = match photo.as_deref().map(read_qr) {
        Some(Ok(text)) => text,
        Some(Err(why)) => return refused_paper(&who, vec![capitalise(why)]),
        None => return refused_paper(&who, vec!["Choose a photo of the QR code".into()]),
    };
    check_paper(&state, &who, &text).await
}

/// The forms again, with why the paper credential could not be checked.
fn refused_paper(who: &Principal, errors: Vec<String>) -> Response {
    let mut response = page(
        "Verify a passport",
        Some(who),
        forms(who, &Filled::default(), &errors),
    );
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    response
}

/// Checks a paper credential's text and shows the outcome.
async fn check_paper(state: &AppState, who: &Principal, text: &str) -> Response {
    match state.app.verify_paper(who, text).await {
        Ok(result) => page(
            "Paper passport check",
            Some(who),
            html! {
                h1 class="nhsuk-heading-xl" { "Paper passport check" }
                (outcome(&result))
                p { a href="/manage/passport" { "Check another" } }
            },
        ),
        Err(e @ (AppError::Unexpected(_) | AppError::Forbidden)) => app_error_page(e),
        Err(e) => refused_paper(who, messages(&e)),
    }
}

/// The paper form.
#[derive(Deserialize)]
pub struct PaperForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    credential: String,
}

/// `POST /manage/passport/paper`: a paper credential checked with every rule but key binding.
pub async fn paper(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<PaperForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    if let Some(refused) = not_officer(&who) {
        return refused;
    }
    check_paper(&state, &who, &form.credential).await
}
