//! The payroll officer's pay settings page: the trust's pay period, premium cap, holiday pay,
//! pension rate, advance share, timesheet escalation and sign-on grace, in words and percent
//! rather than the API's basis points.

use axum::extract::{Form, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::payroll::PaySettingsView;
use staffbank_app::{AppError, Principal};
use staffbank_domain::pay::PaySettings;
use staffbank_domain::role::Role;
use staffbank_domain::OrgId;
use uuid::Uuid;

use super::layout::{app_error_page, page};
use super::pay::pence;
use super::pay_parts::{field_error, linked_error_summary, success, FieldProblem};
use super::pay_settings_confirm::confirm_page;
use super::{csrf_ok, csrf_refused, UiUser};
use crate::AppState;

/// Each number field: its name (also the input's id), label, hint, and what to do when it is
/// wrong.
pub(super) const NUMBERS: [(&str, &str, &str, &str); 7] = [
    ("premium_cap", "Premium cap, percent of the base rate", "The most a booker may add to a shift's rate to fill it, from 0 to 200.",
        "Enter a premium cap from 0 to 200 percent"),
    ("rolled_up_holiday", "Rolled-up holiday pay, percent (optional)", "Added to pay for hours worked, for example 12.07. Leave empty if the trust does not pay it this way.",
        "Enter rolled-up holiday pay from 0.01 to 50 percent, or leave it empty"),
    ("employer_pension", "Employer pension contribution, percent", "Shown to workers in their total rewards, for example 23.70.",
        "Enter the employer pension contribution from 0 to 50 percent"),
    ("advance_share", "Share of approved pay a worker may draw early, percent", "From 0 (no advances) to 100.",
        "Enter the share workers may draw early, from 0 to 100 percent"),
    ("timesheet_escalate_after_hours", "Hours a submitted timesheet waits before it is escalated", "From 1 to 336 (two weeks).",
        "Enter the hours before a waiting timesheet is escalated, from 1 to 336"),
    ("timesheet_auto_approve_after_hours", "Hours after which a waiting timesheet is approved as submitted (optional)", "More than the escalation hours and at most 672. Leave empty to never approve without a ward manager.",
        "Enter hours more than the escalation hours and at most 672, or leave it empty"),
    ("sign_on_grace_minutes", "Minutes after the start by which the worker must have signed on", "From 1 to 240.",
        "Enter the sign-on grace period from 1 to 240 minutes"),
];

/// The choices of period length.
pub(super) const PERIODS: [(&str, &str); 3] = [
    ("1", "Weekly"),
    ("2", "Every two weeks"),
    ("4", "Every four weeks"),
];

/// Whose bank holidays are paid.
pub(super) const NATIONS: [(&str, &str); 3] = [
    ("england-and-wales", "England and Wales"),
    ("scotland", "Scotland"),
    ("northern-ireland", "Northern Ireland"),
];

/// The settings form as typed: every field kept as text so a mistake is shown back as typed.
#[derive(Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    pub(super) period_weeks: String,
    #[serde(default)]
    premium_cap: String,
    #[serde(default)]
    rolled_up_holiday: String,
    #[serde(default)]
    employer_pension: String,
    #[serde(default)]
    advance_share: String,
    #[serde(default)]
    timesheet_escalate_after_hours: String,
    #[serde(default)]
    timesheet_auto_approve_after_hours: String,
    #[serde(default)]
    sign_on_grace_minutes: String,
    #[serde(default)]
    pub(super) nation: String,
    #[serde(default)]
    confirmed: String,
}

/// Basis points as a percent with up to two decimals ("12.07").
pub(super) fn percent(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        (bp / 100).to_string()
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
    }
}

impl SettingsForm {
    fn from_view(org: OrgId, v: &PaySettingsView) -> Self {
        Self {
            csrf: String::new(),
            org_id: org.0.to_string(),
            period_weeks: v.period_weeks.to_string(),
            premium_cap: v.premium_cap.to_string(),
            rolled_up_holiday: v.rolled_up_holiday.map(percent).unwrap_or_default(),
            employer_pension: percent(v.employer_pension),
            advance_share: v.advance_share.to_string(),
            timesheet_escalate_after_hours: v.timesheet_escalate_after_hours.to_string(),
            timesheet_auto_approve_after_hours: v
                .timesheet_auto_approve_after_hours
                .map(|h| h.to_string())
                .unwrap_or_default(),
            sign_on_grace_minutes: v.sign_on_grace_minutes.to_string(),
            nation: v.nation.clone(),
            confirmed: String::new(),
        }
    }

    /// A number field's text as typed.
    pub(super) fn text(&self, field: &str) -> &str {
        match field {
            "premium_cap" => &self.premium_cap,
            "rolled_up_holiday" => &self.rolled_up_holiday,
            "employer_pension" => &self.employer_pension,
            "advance_share" => &self.advance_share,
            "timesheet_escalate_after_hours" => &self.timesheet_escalate_after_hours,
            "timesheet_auto_approve_after_hours" => &self.timesheet_auto_approve_after_hours,
            "sign_on_grace_minutes" => &self.sign_on_grace_minutes,
            _ => "",
        }
    }

    /// The settings, or a problem for every field that cannot be read.
    fn parse(&self) -> Result<PaySettingsView, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut whole = |field: &str| -> Option<u32> {
            let n = self.text(field).trim().parse::<u32>().ok();
            if n.is_none() {
                problems.push(FieldProblem::at(field, message(field)));
            }
            n
        };
        let premium_cap = whole("premium_cap");
        let advance_share = whole("advance_share");
        let escalate = whole("timesheet_escalate_after_hours");
        let grace = whole("sign_on_grace_minutes");
        let auto = match self.timesheet_auto_approve_after_hours.trim() {
            "" => Some(None),
            _ => whole("timesheet_auto_approve_after_hours").map(Some),
        };
        let bp = |text: &str| {
            pence(text.trim().trim_end_matches('%')).and_then(|p| u32::try_from(p).ok())
        };
        let holiday = match self.rolled_up_holiday.trim() {
            "" => Some(None),
            text => bp(text).map(Some),
        };
        if holiday.is_none() {
            problems.push(FieldProblem::at(
                "rolled_up_holiday",
                message("rolled_up_holiday"),
            ));
        }
        let pension = bp(&self.employer_pension);
        if pension.is_none() {
            problems.push(FieldProblem::at(
                "employer_pension",
                message("employer_pension"),
            ));
        }
        let weeks = self.period_weeks.parse::<u8>().ok();
        if weeks.is_none() {
            problems.push(FieldProblem::at("period_weeks-1", message("period_weeks")));
        }
        match (
            premium_cap,
            advance_share,
            escalate,
            grace,
            auto,
            holiday,
            pension,
            weeks,
        ) {
            (
                Some(cap),
                Some(share),
                Some(esc),
                Some(grace),
                Some(auto),
                Some(hol),
                Some(pen),
                Some(w),
            ) if problems.is_empty() => Ok(PaySettingsView {
                period_weeks: w,
                premium_cap: cap,
                rolled_up_holiday: hol,
                employer_pension: pen,
                advance_share: share,
                timesheet_escalate_after_hours: esc,
                timesheet_auto_approve_after_hours: auto,
                sign_on_grace_minutes: grace,
                nation: self.nation.clone(),
            }),
            _ => Err(problems),
        }
    }
}

/// What to do about a field that is wrong, in words.
fn message(field: &str) -> &'static str {
    match field {
        "period_weeks" => "Choose how long a pay period is",
        "nation" => "Choose whose bank holidays the trust pays",
        _ => NUMBERS
            .iter()
            .find(|n| n.0 == field)
            .map_or("Check this setting", |n| n.3),
    }
}

/// The input a field's problem links to.
fn input_id(field: &str) -> String {
    match field {
        "period_weeks" | "nation" => format!("{field}-1"),
        other => other.to_owned(),
    }
}

fn number_field(
    form: &SettingsForm,
    problems: &[FieldProblem],
    (name, label, hint, _): (&str, &str, &str, &str),
) -> Markup {
    let error = field_error(problems, name);
    let described = if error.is_some() {
        format!("{name}-hint {name}-error")
    } else {
        format!("{name}-hint")
    };
    html! {
        div class=(if error.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
            label class="nhsuk-label" for=(name) { (label) }
            div class="nhsuk-hint" id=(format!("{name}-hint")) { (hint) }
            @if let Some(m) = &error {
                span class="nhsuk-error-message" id=(format!("{name}-error")) { span class="nhsuk-u-visually-hidden" { "Error: " } (m) }
            }
            input class=(if error.is_some() { "nhsuk-input nhsuk-input--width-5 nhsuk-input--error" } else { "nhsuk-input nhsuk-input--width-5" })
                id=(name) name=(name) inputmode="decimal" value=(form.text(name)) aria-describedby=(described);
        }
    }
}

fn radios(
    name: &str,
    legend: &str,
    choices: &[(&str, &str)],
    chosen: &str,
    problems: &[FieldProblem],
) -> Markup {
    let first = format!("{name}-1");
    let error = field_error(problems, &first);
    html! {
        div class=(if error.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
            fieldset class="nhsuk-fieldset" aria-describedby=[error.as_ref().map(|_| format!("{name}-error"))] {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (legend) }
                @if let Some(m) = &error {
                    span class="nhsuk-error-message" id=(format!("{name}-error")) { span class="nhsuk-u-visually-hidden" { "Error: " } (m) }
                }
                div class="nhsuk-radios" {
                    @for (i, (value, words)) in choices.iter().enumerate() {
                        @let id = format!("{name}-{}", i + 1);
                        div class="nhsuk-radios__item" {
                            input class="nhsuk-radios__input" id=(id) name=(name) type="radio" value=(value) checked[*value == chosen];
                            label class="nhsuk-label nhsuk-radios__label" for=(id) { (words) }
                        }
                    }
                }
            }
        }
    }
}

async fn settings_page(
    state: &AppState,
    who: &Principal,
    org: OrgId,
    form: Option<SettingsForm>,
    problems: Vec<FieldProblem>,
    saved: bool,
) -> Response {
    let orgs = who.orgs_as(Role::PayrollOfficer);
    let name = match state.app.payroll_organisation(who, org).await {
        Ok(Some(o)) => o.name,
        Ok(None) => return app_error_page(AppError::NotFound),
        Err(e) => return app_error_page(e),
    };
    let mut others = Vec::new();
    for other in orgs.iter().filter(|o| **o != org) {
        if let Ok(Some(o)) = state.app.payroll_organisation(who, *other).await {
            others.push((other.0, o.name));
        }
    }
    let form = match form {
        Some(f) => f,
        None => match state.app.pay_settings(who, org).await {
            Ok(v) => SettingsForm::from_view(org, &v),
            Err(e) => return app_error_page(e),
        },
    };
    page(
        "Pay settings",
        Some(who),
        html! {
            (linked_error_summary(&problems))
            @if saved { (success("The pay settings are saved. They apply to pay worked out from now on.")) }
            span class="nhsuk-caption-l" { (name) }
            h1 class="nhsuk-heading-xl" { "Pay settings" }
            @if !others.is_empty() {
                p { "You also run pay for:" }
                ul { @for (id, other) in &others { li { a href=(format!("/manage/pay-settings?org={id}")) { (other) } } } }
            }
            form method="post" action="/manage/pay-settings" novalidate {
                input type="hidden" name="csrf" value=(who.session.csrf_token);
                input type="hidden" name="org_id" value=(org.0);
                (radios("period_weeks", "How often the trust runs pay", &PERIODS, &form.period_weeks, &problems))
                @for n in NUMBERS { (number_field(&form, &problems, n)) }
                (radios("nation", "Whose bank holidays are paid as public holidays", &NATIONS, &form.nation, &problems))
                button type="submit" class="nhsuk-button" { "Save pay settings" }
            }
        },
    )
}

/// The trust a payroll officer's settings page is for: the one asked for (`?org=`), or their
/// first.
fn chosen_org(who: &Principal, query: Option<&str>) -> Option<OrgId> {
    let asked = query
        .and_then(|q| q.strip_prefix("org="))
        .and_then(|id| Uuid::parse_str(id.split('&').next().unwrap_or_default()).ok())
        .map(OrgId);
    asked.or_else(|| who.orgs_as(Role::PayrollOfficer).first().copied())
}

/// `GET /manage/pay-settings`.
pub async fn settings(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    RawQuery(query): RawQuery,
) -> Response {
    let saved = query.as_deref().is_some_and(|q| q.contains("saved=1"));
    let Some(org) = chosen_org(&who, query.as_deref().filter(|q| q.starts_with("org="))) else {
        return app_error_page(AppError::Forbidden);
    };
    settings_page(&state, &who, org, None, vec![], saved).await
}

/// `POST /manage/pay-settings`.
pub async fn save(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Form(form): Form<SettingsForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let Ok(org) = Uuid::parse_str(&form.org_id).map(OrgId) else {
        return app_error_page(AppError::NotFound);
    };
    let input = match form.parse() {
        Ok(v) => v,
        Err(problems) => {
            return settings_page(&state, &who, org, Some(form), problems, false).await
        }
    };
    if form.confirmed != "yes" {
        if let Err((field, _)) = PaySettings::from(input.clone()).check() {
            let problems = vec![FieldProblem::at(&input_id(field), message(field))];
            return settings_page(&state, &who, org, Some(form), problems, false).await;
        }
        return match state.app.pay_settings(&who, org).await {
            Ok(current) => confirm_page(&who, org, &form, &current, &input),
            Err(e) => app_error_page(e),
        };
    }
    match state.app.set_pay_settings(&who, org, input).await {
        Ok(_) => {
            Redirect::to(&format!("/manage/pay-settings?org={}&saved=1", org.0)).into_response()
        }
        Err(AppError::Validation(fields)) => {
            let problems = fields
                .iter()
                .map(|f| FieldProblem::at(&input_id(&f.field), message(&f.field)))
                .collect();
            settings_page(&state, &who, org, Some(form), problems, false).await
        }
        Err(e) => app_error_page(e),
    }
}

#[cfg(test)]
mod tests {
    use super::{percent, SettingsForm};

    #[test]
    fn basis_points_read_as_percent_and_back() {
        assert_eq!(percent(2370), "23.70");
        assert_eq!(percent(1207), "12.07");
        assert_eq!(percent(500), "5");
        let form = SettingsForm {
            period_weeks: "2".into(),
            premium_cap: "35".into(),
            rolled_up_holiday: "12.07%".into(),
            employer_pension: "23.7".into(),
            advance_share: "50".into(),
            timesheet_escalate_after_hours: "48".into(),
            sign_on_grace_minutes: "15".into(),
            nation: "scotland".into(),
            ..Default::default()
        };
        let v = form.parse().ok().unwrap();
        assert_eq!(
            (v.period_weeks, v.rolled_up_holiday, v.employer_pension),
            (2, Some(1207), 2370)
        );
        assert_eq!(v.timesheet_auto_approve_after_hours, None);
        let wrong = SettingsForm {
            premium_cap: "lots".into(),
            ..form
        };
        let problems = wrong.parse().err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field.as_deref(), Some("premium_cap"));
    }
}
