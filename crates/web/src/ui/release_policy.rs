//! The trust's release policy in the browser: how far ahead shifts are released, when they
//! cascade to the collaborative bank, the priority tiers' early window, the hours that earn the
//! core tier, and the cancellation notice; each field checked, with a message once saved.

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::release::ReleasePolicyView;
use staffbank_app::{AppError, Principal};
use staffbank_domain::OrgId;
use uuid::Uuid;

use super::layout::{app_error_page, capitalise, page};
use super::roster_pages::linked_summary;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// `?trust=` (which of the booker's trusts) and `?saved=1` after a change.
#[derive(Deserialize)]
pub struct PolicyQuery {
    #[serde(default)]
    trust: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

/// The policy form, as typed.
#[derive(Deserialize, Default)]
pub struct PolicyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    horizon_days: String,
    #[serde(default)]
    collaborative_after_hours: String,
    #[serde(default)]
    collaborative_lead_hours: String,
    #[serde(default)]
    priority_window_minutes: String,
    #[serde(default)]
    core_tier_hours: String,
    #[serde(default)]
    cancellation_notice_hours: String,
}

impl PolicyForm {
    fn from_view(p: &ReleasePolicyView) -> Self {
        Self {
            csrf: String::new(),
            horizon_days: p.horizon_days.to_string(),
            collaborative_after_hours: p.collaborative_after_hours.to_string(),
            collaborative_lead_hours: p.collaborative_lead_hours.to_string(),
            priority_window_minutes: p.priority_window_minutes.to_string(),
            core_tier_hours: p.core_tier_hours.map(|h| h.to_string()).unwrap_or_default(),
            cancellation_notice_hours: p.cancellation_notice_hours.to_string(),
        }
    }

    /// The fields as numbers, or every one that is not a whole number.
    fn parse(&self) -> Result<ReleasePolicyView, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut number = |field: &'static str, raw: &str| match raw.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                errors.push((field, "enter a whole number".to_owned()));
                0
            }
        };
        let view = ReleasePolicyView {
            horizon_days: number("horizon_days", &self.horizon_days),
            collaborative_after_hours: number(
                "collaborative_after_hours",
                &self.collaborative_after_hours,
            ),
            collaborative_lead_hours: number(
                "collaborative_lead_hours",
                &self.collaborative_lead_hours,
            ),
            priority_window_minutes: number(
                "priority_window_minutes",
                &self.priority_window_minutes,
            ),
            cancellation_notice_hours: number(
                "cancellation_notice_hours",
                &self.cancellation_notice_hours,
            ),
            core_tier_hours: match self.core_tier_hours.trim() {
                "" => None,
                raw => Some(number("core_tier_hours", raw)),
            },
        };
        if errors.is_empty() {
            Ok(view)
        } else {
            Err(errors)
        }
    }

    fn value(&self, field: &str) -> &str {
        match field {
            "horizon_days" => &self.horizon_days,
            "collaborative_after_hours" => &self.collaborative_after_hours,
            "collaborative_lead_hours" => &self.collaborative_lead_hours,
            "priority_window_minutes" => &self.priority_window_minutes,
            "core_tier_hours" => &self.core_tier_hours,
            _ => &self.cancellation_notice_hours,
        }
    }
}

/// Each field: its name, label, unit and hint.
const FIELDS: [(&str, &str, &str, &str); 6] = [
    ("horizon_days", "Release shifts at most this far ahead", "days",
        "Nobody sees a shift more than this many days before it starts (28 by default)."),
    ("collaborative_after_hours", "Release to the collaborative bank after", "hours",
        "Hours after a shift is released to the trust's own bank (24 by default)..."),
    ("collaborative_lead_hours", "Or this long before the shift starts", "hours",
        "...or this many hours before the start, whichever comes first (72 by default)."),
    ("priority_window_minutes", "Early window for priority tiers", "minutes",
        "Core (\"super-bank\") and silver (returning retiree) workers have each stage of a release to themselves for this long. 0 gives them none."),
    ("core_tier_hours", "Hours in 13 weeks that earn the core tier (optional)", "hours",
        "Members who worked at least this many hours on the bank's shifts in the last 13 weeks hold the core tier, given and taken away automatically. Leave empty to give it by hand."),
    ("cancellation_notice_hours", "Cancellation notice", "hours",
        "Cancelling less than this many hours before the start is late; a late cancellation by the trust pays the worker for the shift (48 by default)."),
];

fn field_id(field: &str) -> String {
    field.replace('_', "-")
}

fn form(who: &Principal, org: Uuid, values: &PolicyForm, errors: &[(&str, String)]) -> Markup {
    html! {
        form method="post" action=(format!("/manage/organisations/{org}/release-policy")) novalidate {
            input type="hidden" name="csrf" value=(who.session.csrf_token);
            @for (field, label, unit, hint) in FIELDS {
                @let id = field_id(field);
                @let error = errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m);
                div class=(if error.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                    label class="nhsuk-label nhsuk-label--s" for=(id) { (label) ", " (unit) }
                    div class="nhsuk-hint" id=(format!("{id}-hint")) { (hint) }
                    @if let Some(message) = error {
                        span class="nhsuk-error-message" id=(format!("{id}-error")) {
                            span class="nhsuk-u-visually-hidden" { "Error: " } (capitalise(message))
                        }
                    }
                    input class=(if error.is_some() { "nhsuk-input nhsuk-input--width-5 nhsuk-input--error" } else { "nhsuk-input nhsuk-input--width-5" })
                        id=(id) name=(field) type="text" inputmode="numeric" value=(values.value(field))
                        aria-describedby=(if error.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-hint") });
                }
            }
            button type="submit" class="nhsuk-button" { "Save the release policy" }
        }
    }
}

/// The trusts the booker sets the policy of, with names.
async fn trusts(state: &AppState, who: &Principal) -> Result<Vec<(Uuid, String)>, AppError> {
    let mine = who.booker_orgs();
    if mine.is_empty() {
        return Err(AppError::Forbidden);
    }
    let all = state.app.organisations(who).await?;
    Ok(mine
        .iter()
        .map(|id| {
            let name = all
                .iter()
                .find(|o| o.id == id.0)
                .map_or_else(String::new, |o| o.name.clone());
            (id.0, name)
        })
        .collect())
}

async fn policy_page(
    state: &AppState,
    who: &Principal,
    org: Uuid,
    values: Option<PolicyForm>,
    errors: &[(&str, String)],
    saved: bool,
) -> Response {
    let trusts = match trusts(state, who).await {
        Ok(t) => t,
        Err(e) => return app_error_page(e),
    };
    let Some((_, name)) = trusts.iter().find(|(id, _)| *id == org) else {
        return app_error_page(AppError::NotFound);
    };
    let values = match values {
        Some(v) => v,
        None => match state.app.release_policy(who, OrgId(org)).await {
            Ok(p) => PolicyForm::from_view(&p),
            Err(e) => return app_error_page(e),
        },
    };
    let labels = |field: &str| {
        FIELDS
            .iter()
            .find(|f| f.0 == field)
            .map_or("Release policy", |f| f.1)
    };
    let mut response = page(
        "Release policy",
        Some(who),
        html! {
            (linked_summary(errors.iter().map(|(f, m)| (format!("#{}", field_id(f)), format!("{}: {m}", labels(f))))))
            @if saved {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Release policy saved. It applies to shifts posted from now on." }
                }
            }
            h1 class="nhsuk-heading-xl" { "Release policy" }
            p class="nhsuk-lede-text" { (name) }
            @if trusts.len() > 1 {
                p { "You book for several trusts: "
                    @for (i, (id, other)) in trusts.iter().enumerate() {
                        @if i > 0 { ", " }
                        @if *id == org { strong { (other) } } @else { a href=(format!("/manage/release-policy?trust={id}")) { (other) } }
                    }
                    "."
                }
            }
            p { "A shift is released to the trust's own bank first, then to the collaborative bank, and to agency only by breaking glass. Changes apply to shifts posted from now on." }
            (form(who, org, &values, errors))
            h2 class="nhsuk-heading-m" { "Priority tiers" }
            p { "Two tiers of workers get the early window: core workers (the \"super-bank\", loyal by hours worked) and silver workers (returning retirees). The silver tier, and the core tier when no hours are set above, are given to a member by the bank office through the API." }
        },
    );
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// `GET /manage/release-policy`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<PolicyQuery>,
) -> Response {
    let chosen = query.trust.as_deref().and_then(|t| Uuid::parse_str(t).ok());
    let org = match chosen.or_else(|| who.booker_orgs().first().map(|o| o.0)) {
        Some(org) => org,
        None => return app_error_page(AppError::Forbidden),
    };
    policy_page(&state, &who, org, None, &[], query.saved.is_some()).await
}

/// `POST /manage/organisations/{id}/release-policy`.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath(org): ApiPath<Uuid>,
    Form(form): Form<PolicyForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let view = match form.parse() {
        Ok(v) => v,
        Err(errors) => return policy_page(&state, &who, org, Some(form), &errors, false).await,
    };
    match state.app.set_release_policy(&who, OrgId(org), view).await {
        Ok(_) => {
            Redirect::to(&format!("/manage/release-policy?trust={org}&saved=1")).into_response()
        }
        Err(AppError::Validation(fields)) => {
            let errors: Vec<(&str, String)> = fields
                .into_iter()
                .map(|f| {
                    let field = FIELDS
                        .iter()
                        .map(|x| x.0)
                        .find(|x| *x == f.field)
                        .unwrap_or("horizon_days");
                    (field, f.message)
                })
                .collect();
            policy_page(&state, &who, org, Some(form), &errors, false).await
        }
        Err(e) => app_error_page(e),
    }
}
