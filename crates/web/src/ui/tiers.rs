//! The bank office's tiers page: who holds the core ("super-bank") or silver (returning retiree)
//! tier in each bank the trust leads, the hours behind it, and finding a member to give a tier to
//! or take one from. The early window each tier gets is set on the release policy page. A
//! member's contract (part-time or full-time), which the fairness report groups by, is set here
//! too, since this is where the bank office finds its members.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::bank_tiers::{BankTiers, TierMember};
use staffbank_app::fairness::SetContract;
use staffbank_app::release::SetTier;
use staffbank_app::AppError;
use staffbank_domain::fairness::contract::Contract;
use staffbank_domain::{BankId, WorkerId};
use uuid::Uuid;

use super::layout::{app_error_page, error_summary, messages, page};
use super::{csrf_ok, csrf_refused, UiUser};
use crate::extract::ApiPath;
use crate::AppState;

/// `?search=` (a member's name or email) and `?changed=1` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct TiersQuery {
    #[serde(default)]
    search: Option<String>,
    #[serde(default)]
    changed: Option<String>,
    /// `?contract=1` after a contract is recorded.
    #[serde(default)]
    contract: Option<String>,
}

/// The form behind each member's tier buttons.
#[derive(Debug, Deserialize)]
pub struct TierForm {
    #[serde(default)]
    csrf: String,
    /// `core`, `silver`, or empty for none.
    #[serde(default)]
    tier: String,
    /// The search to return to.
    #[serde(default)]
    search: String,
}

/// The form behind each member's contract buttons.
#[derive(Debug, Deserialize)]
pub struct ContractForm {
    #[serde(default)]
    csrf: String,
    /// `part_time`, `full_time`, or empty when not known.
    #[serde(default)]
    contract: String,
    /// The search to return to.
    #[serde(default)]
    search: String,
}

/// A recorded contract in words.
fn contract_name(contract: Option<&str>) -> &'static str {
    contract
        .and_then(Contract::parse)
        .map_or("Not recorded", Contract::label)
}

/// A tier in words.
fn tier_name(tier: Option<&str>) -> &'static str {
    match tier {
        Some("core") => "Core (super-bank)",
        Some("silver") => "Silver (returning retiree)",
        _ => "No tier",
    }
}

fn member_rows(
    who: &staffbank_app::Principal,
    bank: &BankTiers,
    members: &[TierMember],
    search: &str,
) -> Markup {
    html! {
        table class="nhsuk-table-responsive" {
            thead role="rowgroup" class="nhsuk-table__head" {
                tr role="row" {
                    th role="columnheader" scope="col" { "Name" }
                    th role="columnheader" scope="col" { "Tier" }
                    th role="columnheader" scope="col" { "Hours in the last 13 weeks" }
                    th role="columnheader" scope="col" { "Change tier" }
                    th role="columnheader" scope="col" { "Contract" }
                }
            }
            tbody class="nhsuk-table__body" {
                @for m in members {
                    tr role="row" class="nhsuk-table__row" {
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Name " }
                            (m.name)
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Tier " }
                            (tier_name(m.tier.as_deref()))
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Hours " }
                            (m.recent_hours)
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Change tier " }
                            @for (value, label) in [("silver", "Give silver tier"), ("core", "Give core tier"), ("", "Take tier away")] {
                                @if m.tier.as_deref().unwrap_or("") != value {
                                    form method="post" class="app-inline-form"
                                        action=(format!("/manage/banks/{}/members/{}/tier", bank.bank_id, m.worker_id)) {
                                        input type="hidden" name="csrf" value=(who.session.csrf_token);
                                        input type="hidden" name="tier" value=(value);
                                        input type="hidden" name="search" value=(search);
                                        button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-2" {
                                            (label) span class="nhsuk-u-visually-hidden" { ": " (m.name) }
                                        }
                                    }
                                }
                            }
                        }
                        td role="cell" class="nhsuk-table__cell" {
                            span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Contract " }
                            p class="nhsuk-u-margin-bottom-2" { (contract_name(m.contract.as_deref())) }
                            @for (value, label) in [("part_time", "Set part-time"), ("full_time", "Set full-time")] {
                                @if m.contract.as_deref() != Some(value) {
                                    form method="post" class="app-inline-form"
                                        action=(format!("/manage/banks/{}/members/{}/contract", bank.bank_id, m.worker_id)) {
                                        input type="hidden" name="csrf" value=(who.session.csrf_token);
                                        input type="hidden" name="contract" value=(value);
                                        input type="hidden" name="search" value=(search);
                                        button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-2" {
                                            (label) span class="nhsuk-u-visually-hidden" { ": " (m.name) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /manage/tiers`.
pub async fn show(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(query): Query<TiersQuery>,
) -> Response {
    let search = query.search.as_deref().unwrap_or("").trim().to_owned();
    let mut problems = Vec::new();
    let banks = match state.app.bank_tiers(&who, Some(&search)).await {
        Ok(b) => b,
        Err(e @ AppError::Validation(_)) => {
            problems.extend(messages(&e));
            match state.app.bank_tiers(&who, None).await {
                Ok(b) => b,
                Err(e) => return app_error_page(e),
            }
        }
        Err(e) => return app_error_page(e),
    };
    page(
        "Priority tiers",
        Some(&who),
        html! {
            (error_summary(&problems))
            @if query.changed.is_some() {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Tier changed. It applies to shifts released from now on." }
                }
            }
            @if query.contract.is_some() {
                div class="nhsuk-inset-text" role="status" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Contract recorded. The fairness report groups members by it." }
                }
            }
            h1 class="nhsuk-heading-xl" { "Priority tiers" }
            p {
                "Core workers (by hours worked) and returning retirees (silver) can book shifts "
                "before the rest of the bank. How early, and how many hours earn the core tier, is "
                "set under " a href="/manage/release-policy" { "Release policy" } "."
            }
            p {
                "Find a member to record their contract, part-time or full-time, too: the "
                a href="/manage/fairness" { "fairness report" } " compares the shifts each group gets."
            }
            form method="get" action="/manage/tiers" class="nhsuk-u-margin-bottom-5" {
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="search" { "Find a bank member by name or email" }
                    input class="nhsuk-input" id="search" name="search" type="search" value=(search);
                }
                button type="submit" class="nhsuk-button nhsuk-button--secondary" { "Find" }
            }
            @if banks.is_empty() { p { "Your trust does not lead a bank." } }
            @for bank in &banks {
                h2 class="nhsuk-heading-l" { (bank.bank_name) }
                @if !search.is_empty() && problems.is_empty() {
                    h3 class="nhsuk-heading-m" { "Members matching “" (search) "”" }
                    @if bank.found.is_empty() { p { "No members of this bank match." } }
                    @else { (member_rows(&who, bank, &bank.found, &search)) }
                }
                h3 class="nhsuk-heading-m" { "Members holding a tier" }
                @if bank.holders.is_empty() { p { "Nobody holds a tier in this bank yet." } }
                @else { (member_rows(&who, bank, &bank.holders, &search)) }
            }
        },
    )
}

/// `POST /manage/banks/{bank_id}/members/{worker_id}/tier`.
pub async fn change(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath((bank, worker)): ApiPath<(Uuid, Uuid)>,
    Form(form): Form<TierForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let tier = Some(form.tier.clone()).filter(|t| !t.is_empty());
    match state
        .app
        .set_tier(&who, BankId(bank), WorkerId(worker), SetTier { tier })
        .await
    {
        Ok(()) => {
            let search = super::list_parts::encode(&form.search);
            Redirect::to(&format!("/manage/tiers?search={search}&changed=1")).into_response()
        }
        Err(e) => app_error_page(e),
    }
}

/// `POST /manage/banks/{bank_id}/members/{worker_id}/contract`.
pub async fn change_contract(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    ApiPath((bank, worker)): ApiPath<(Uuid, Uuid)>,
    Form(form): Form<ContractForm>,
) -> Response {
    if !csrf_ok(&who, &form.csrf) {
        return csrf_refused();
    }
    let contract = Some(form.contract.clone()).filter(|c| !c.is_empty());
    match state
        .app
        .set_contract(
            &who,
            BankId(bank),
            WorkerId(worker),
            SetContract { contract },
        )
        .await
    {
        Ok(()) => {
            let search = super::list_parts::encode(&form.search);
            Redirect::to(&format!("/manage/tiers?search={search}&contract=1")).into_response()
        }
        Err(e) => app_error_page(e),
    }
}
