//! The worker's Digital Staff Passport: the built-in wallet (credentials offered, held, requests
//! to share them, and the access log of every request) and the printable paper passport. The
//! holder's keys never reach the server: `assets/wallet.js` makes and keeps them in the browser
//! and signs with them; these pages carry only what it signs over.

use std::collections::HashMap;

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use staffbank_app::passport::{AcceptCredential, PassportCredentialView};
use staffbank_app::presentations::{Present, PresentationRequestView};
use staffbank_app::{AppError, Principal};
use staffbank_domain::OrgId;
use uuid::Uuid;

use super::claims::{claim_at, claim_label, claims_list, type_label, value_text};
use super::layout::{app_error_page, error_summary, messages, page};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// Names of organisations, read once per page.
async fn names(state: &AppState, orgs: impl Iterator<Item = Uuid>) -> HashMap<Uuid, String> {
    let mut out = HashMap::new();
    for org in orgs {
        if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(org) {
            let name = state.app.organisation_name(OrgId(org)).await;
            slot.insert(name.unwrap_or_else(|_| "an organisation".into()));
        }
    }
    out
}

/// The held credential a request would be answered with: valid, of the type asked, newest.
fn answering<'a>(
    held: &'a [PassportCredentialView],
    request: &PresentationRequestView,
) -> Option<&'a PassportCredentialView> {
    held.iter()
        .filter(|c| c.state == "accepted" && c.revocation == "valid" && c.vct == request.vct)
        .max_by_key(|c| c.decided_at)
}

fn hidden_csrf(who: &Principal) -> Markup {
    html! { input type="hidden" name="csrf" value=(who.session.csrf_token); }
}

fn offer_card(
    who: &Principal,
    c: &PassportCredentialView,
    issuer: &str,
    app_offer: Option<&str>,
) -> Markup {
    html! {
        div class="nhsuk-card" data-offer=(c.id) {
            div class="nhsuk-card__content" {
                h3 class="nhsuk-card__heading" { (type_label(&c.vct)) " from " (issuer) }
                (claims_list(&c.claims))
                form method="post" action={ "/passport/" (c.id) "/accept" } data-wallet="accept"
                    data-credential=(c.id) data-issuer=(c.issuer) data-nonce=(c.nonce.as_deref().unwrap_or("")) {
                    (hidden_csrf(who))
                    input type="hidden" name="proof" value="";
                    button type="submit" class="nhsuk-button nhsuk-u-margin-bottom-2" { "Accept into my passport" }
                    p class="nhsuk-body-s" role="status" data-wallet-status {}
                }
                form method="post" action={ "/passport/" (c.id) "/reject" } {
                    (hidden_csrf(who))
                    button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-2" { "Turn it down" }
                }
                @if let Some(uri) = app_offer {
                    (wallet_app_link(uri, "Add it to a wallet app instead", "Scan this code with a wallet app that supports OpenID4VCI, or open the link on this phone. It works once, for 10 minutes.", "QR code of the credential offer"))
                }
            }
        }
    }
}

/// A link for a standards-based wallet app, as a QR code and as a link, folded away.
fn wallet_app_link(uri: &str, summary: &str, help: &str, label: &str) -> Markup {
    html! {
        details class="nhsuk-details nhsuk-u-margin-bottom-0" {
            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { (summary) } }
            div class="nhsuk-details__text" {
                p { (help) }
                @if let Some(svg) = qr_svg(uri) {
                    div role="img" aria-label=(label) { (PreEscaped(svg)) }
                }
                p { a href=(uri) data-wallet-app-link { "Open in a wallet app" } }
            }
        }
    }
}

fn request_card(
    who: &Principal,
    r: &PresentationRequestView,
    verifier: &str,
    held: &[PassportCredentialView],
    app_request: Option<&str>,
) -> Markup {
    let credential = answering(held, r);
    html! {
        div class="nhsuk-card" data-request=(r.id) {
            div class="nhsuk-card__content" {
                h3 class="nhsuk-card__heading" { (verifier) " asks to see your " (type_label(&r.vct).to_lowercase()) }
                p { "Why: " (r.purpose) }
                @if let Some(c) = credential {
                    p { "If you agree, " (verifier) " will see exactly these details, and nothing else:" }
                    dl class="nhsuk-summary-list" {
                        @for path in &r.claims {
                            div class="nhsuk-summary-list__row" {
                                dt class="nhsuk-summary-list__key" { (claim_label(path)) }
                                dd class="nhsuk-summary-list__value" {
                                    (claim_at(&c.claims, path).map_or_else(|| "Not in your credential".into(), value_text))
                                }
                            }
                        }
                    }
                    form method="post" action={ "/passport/requests/" (r.id) "/present" } data-wallet="present"
                        data-credential=(c.id) data-sd-jwt=(c.sd_jwt.as_deref().unwrap_or(""))
                        data-claims=(serde_json::to_string(&r.claims).unwrap_or_default())
                        data-nonce=(r.nonce.as_deref().unwrap_or("")) data-aud=(r.audience) {
                        (hidden_csrf(who))
                        input type="hidden" name="presentation" value="";
                        button type="submit" class="nhsuk-button nhsuk-u-margin-bottom-2" { "Share these details" }
                        p class="nhsuk-body-s" role="status" data-wallet-status {}
                    }
                } @else {
                    p { "You do not hold a valid " (type_label(&r.vct).to_lowercase()) " credential to share." }
                }
                form method="post" action={ "/passport/requests/" (r.id) "/decline" } {
                    (hidden_csrf(who))
                    button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-2" { "Decline" }
                }
                @if let Some(uri) = app_request {
                    (wallet_app_link(uri, "Answer with a wallet app instead", "Scan this code with a wallet app that supports OpenID4VP, or open the link on this phone. The app asks for the same details.", "QR code of the request"))
                }
            }
        }
    }
}

fn state_text(c: &PassportCredentialView) -> &'static str {
    match c.revocation.as_str() {
        "revoked" => "Revoked by its issuer",
        "suspended" => "Suspended by its issuer",
        _ => "Valid",
    }
}

fn access_log(requests: &[PresentationRequestView], names: &HashMap<Uuid, String>) -> Markup {
    html! {
        h2 class="nhsuk-heading-l" id="access-log" { "Who has asked for your details" }
        @if requests.is_empty() {
            p { "Nobody has asked yet." }
        } @else {
            table class="nhsuk-table" {
                caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { "Every request for your details" }
                thead class="nhsuk-table__head" {
                    tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Why" } th scope="col" { "Outcome" } }
                }
                tbody class="nhsuk-table__body" {
                    @for r in requests {
                        tr class="nhsuk-table__row" data-log=(r.id) {
                            td class="nhsuk-table__cell" { (super::layout::moment(r.requested_at)) }
                            td class="nhsuk-table__cell" { (names.get(&r.verifier_org_id).map_or("", String::as_str)) }
                            td class="nhsuk-table__cell" {
                                (type_label(&r.vct)) ": "
                                (r.claims.iter().map(|c| claim_label(c)).collect::<Vec<_>>().join(", "))
                            }
                            td class="nhsuk-table__cell" { (r.purpose) }
                            td class="nhsuk-table__cell" {
                                @match r.state.as_str() {
                                    "pending" => "Waiting for you",
                                    "declined" => "You declined",
                                    "verified" => "Shared and verified",
                                    "failed" => "Shared, not verified",
                                    other => (other),
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn wallet_page(state: &AppState, who: &Principal, errors: &[String], note: &str) -> Response {
    let (held, requests) = match (
        state.app.my_passport(who).await,
        state.app.my_presentation_requests(who).await,
    ) {
        (Ok(h), Ok(r)) => (h, r),
        (Err(e), _) | (_, Err(e)) => return app_error_page(e),
    };
    let orgs = held
        .iter()
        .map(|c| c.org_id)
        .chain(requests.iter().map(|r| r.verifier_org_id));
    let names = names(state, orgs).await;
    let name = |id: &Uuid| names.get(id).cloned().unwrap_or_default();
    let mut app_offers = HashMap::new();
    for c in held.iter().filter(|c| c.state == "offered") {
        if let Ok(offer) = state.app.credential_offer(who, c.id).await {
            app_offers.insert(c.id, offer.uri);
        }
    }
    let now = state.app.now();
    let pending: Vec<_> = requests
        .iter()
        .filter(|r| r.state == "pending" && r.expires_at > now)
        .collect();
    let mut app_requests = HashMap::new();
    for r in &pending {
        if let Ok((_, uri)) = state.app.my_authorization_request(who, r.id).await {
            app_requests.insert(r.id, uri);
        }
    }
    page(
        "My passport",
        Some(who),
        html! {
            (error_summary(errors))
            @if !note.is_empty() {
                div class="nhsuk-inset-text" role="status" { p { (note) } }
            }
            h1 class="nhsuk-heading-xl" { "My passport" }
            noscript { p class="nhsuk-body" { strong { "Your passport needs JavaScript: your key is made and kept in this browser." } } }
            @if !pending.is_empty() {
                h2 class="nhsuk-heading-l" { "Asking to see your details" }
                @for r in &pending {
                    @let app_request = app_requests.get(&r.id).map(String::as_str);
                    (request_card(who, r, &name(&r.verifier_org_id), &held, app_request))
                }
            }
            @let offers: Vec<_> = held.iter().filter(|c| c.state == "offered").collect();
            @if !offers.is_empty() {
                h2 class="nhsuk-heading-l" { "Offered to you" }
                @for c in offers {
                    @let app_offer = app_offers.get(&c.id).map(String::as_str);
                    (offer_card(who, c, &name(&c.org_id), app_offer))
                }
            }
            h2 class="nhsuk-heading-l" { "In your passport" }
            @let accepted: Vec<_> = held.iter().filter(|c| c.state == "accepted").collect();
            @if accepted.is_empty() {
                p { "No credentials yet. When a trust offers you one, it appears here." }
            }
            @for c in &accepted {
                div class="nhsuk-card" data-held=(c.id) {
                    div class="nhsuk-card__content" {
                        h3 class="nhsuk-card__heading" { (type_label(&c.vct)) " from " (name(&c.org_id)) }
                        p { strong { (state_text(c)) } @if let Some(e) = c.expires_at { " · expires " (super::layout::moment(e)) } }
                        (claims_list(&c.claims))
                    }
                }
            }
            @if !accepted.is_empty() {
                p { a href="/passport/paper" { "Print my paper passport" } }
            }
            (access_log(&requests, &names))
            script src="/assets/app/wallet.js" defer {}
        },
    )
}

/// `GET /passport`.
pub async fn wallet(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let note = match query.as_deref() {
        Some("accepted=1") => {
            "The credential is in your passport, bound to a key kept in this browser."
        }
        Some("verified=1") => "You shared the details, and they were verified.",
        Some("failed=1") => {
            "You shared the details, but they were not verified. The verifier can see why."
        }
        Some("declined=1") => "You declined the request. The verifier learns only that.",
        Some("rejected=1") => "You turned the credential down.",
        _ => "",
    };
    wallet_page(&state, &who, &[], note).await
}

/// A form that carries the CSRF token and what the wallet signed.
#[derive(Deserialize)]
pub struct WalletForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    proof: String,
    #[serde(default)]
    presentation: String,
}

/// Where a wallet form goes once its action is done (the caller checked its CSRF token first).
async fn answer<T>(
    state: &AppState,
    who: &Principal,
    done: Result<T, AppError>,
    to: impl FnOnce(&T) -> &'static str,
) -> Response {
    match done {
        Ok(value) => Redirect::to(to(&value)).into_response(),
        Err(e @ (AppError::Unexpected(_) | AppError::NotFound | AppError::Forbidden)) => {
            app_error_page(e)
        }
        Err(e) => {
            let mut response = wallet_page(state, who, &messages(&e), "").await;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
    }
}

/// `POST /passport/{id}/accept`: the wallet's proof of possession, checked, and the credential
/// signed.
pub async fn accept(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<WalletForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = AcceptCredential {
        proof: form.proof.clone(),
    };
    let done = state.app.accept_passport_credential(&who, id, input).await;
    answer(&state, &who, done, |_| "/passport?accepted=1").await
}

/// `POST /passport/{id}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<WalletForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let done = state.app.reject_passport_credential(&who, id).await;
    answer(&state, &who, done, |_| "/passport?rejected=1").await
}

/// `POST /passport/requests/{id}/present`: the wallet's presentation, verified at once.
pub async fn present(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<WalletForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let input = Present {
        presentation: form.presentation.clone(),
    };
    let done = state.app.present(&who, id, input).await;
    answer(&state, &who, done, |v| {
        if v.state == "verified" {
            "/passport?verified=1"
        } else {
            "/passport?failed=1"
        }
    })
    .await
}

/// `POST /passport/requests/{id}/decline`.
pub async fn decline(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<WalletForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let done = state.app.decline_presentation(&who, id).await;
    answer(&state, &who, done, |_| "/passport?declined=1").await
}

/// A QR code of `text` as inline SVG (byte mode, lowest error correction: a credential is long).
pub(crate) fn qr_svg(text: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build();
    // Inline in HTML: without the XML declaration, and without a fixed size, so that its viewBox
    // scales it to the card on a phone.
    let svg = svg.get(svg.find("<svg")?..)?;
    let (tag, rest) = svg.split_at(svg.find('>')?);
    let tag: Vec<&str> = tag
        .split(' ')
        .filter(|a| !a.starts_with("width=") && !a.starts_with("height="))
        .collect();
    Some(format!("{}{rest}", tag.join(" ")))
}

/// `GET /passport/paper`: the printable paper passport, one QR code per valid credential.
pub async fn paper(State(state): State<AppState>, UiUser(who): UiUser) -> Response {
    let copies = match state.app.paper_passport(&who).await {
        Ok(c) => c,
        Err(e) => return app_error_page(e),
    };
    let worker_name = who
        .worker
        .as_ref()
        .map_or_else(String::new, |w| w.display_name.as_str().to_owned());
    page(
        "Paper passport",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "Paper passport: " (worker_name) }
            p { "Each code holds one credential with all its details, signed by its issuer. Whoever checks it scans the code (or pastes its text) into Staffbank, and checks your photo ID shows your name. If a credential is revoked, its code stops passing at once." }
            p { "Print this page, or keep it on your phone. Anyone who reads a code sees every detail in it, so show it only to people checking you for work." }
            @if copies.is_empty() {
                p { "You hold no valid credentials to print." }
            }
            @for copy in &copies {
                div class="nhsuk-card" data-paper=(copy.id) {
                    div class="nhsuk-card__content" {
                        h2 class="nhsuk-card__heading" { (type_label(&copy.vct)) }
                        @if let Some(e) = copy.expires_at { p { "Expires " (super::layout::moment(e)) } }
                        @match qr_svg(&copy.text) {
                            Some(svg) => div role="img" aria-label={ "QR code of your " (type_label(&copy.vct).to_lowercase()) " credential" } { (PreEscaped(svg)) },
                            None => p { "This credential is too long for one code; use its text below." },
                        }
                        details class="nhsuk-details" {
                            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Text of this code, to paste" } }
                            div class="nhsuk-details__text" {
                                label class="nhsuk-label" for={ "paper-text-" (copy.id) } { "Text of the code" }
                                textarea class="nhsuk-textarea paper-text" id={ "paper-text-" (copy.id) } rows="6" readonly { (copy.text) }
                            }
                        }
                    }
                }
            }
        },
    )
}
