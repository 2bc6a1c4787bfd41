//! The JSON API under `/api/v1`, and its OpenAPI 3.1 document.

mod admin;
pub(crate) mod agency;
mod auth;
mod bookings;
mod compliance;
mod credentials;
pub(crate) mod fairness;
mod fhir;
mod issuers;
mod ledger;
mod matching;
mod notifications;
mod offers;
mod oidc;
mod openapi_problems;
pub(crate) mod outlook;
mod passport;
mod pay;
mod pay_runs;
pub(crate) use pay::csv_download;
mod imports;
pub(crate) mod insight;
mod presentations;
mod push;
mod release;
mod requests;
mod roster;
mod shifts;
mod sign_on;
mod timesheets;
mod wallet_apps;
mod wards;
mod webhooks;
mod workers;

use axum::routing::{get, post, put};
use axum::Router;
use serde::Deserialize;
use utoipa::OpenApi;

use crate::AppState;

/// `limit` and `cursor` query parameters of every list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    fn page(&self) -> Result<staffbank_app::paging::Page, staffbank_app::AppError> {
        staffbank_app::paging::page(self.limit, self.cursor.as_deref())
    }
}

/// The OpenAPI document, generated from the handlers and types.
#[derive(OpenApi)]
#[openapi(
    info(title = "Staffbank API", version = "1", description = "Post, find and book NHS bank shifts. \
        Errors are RFC 9457 problem documents whose `type` is stable."),
    paths(
        auth::create_token, auth::delete_token, workers::me, workers::register, workers::confirm_account, workers::join_bank,
        workers::working_time, compliance::find_workers, compliance::worker_compliance,
        admin::create_organisation, admin::organisations, admin::create_site, admin::create_ward,
        admin::create_bank, admin::banks, admin::create_user,
        shifts::post_shifts, shifts::trust_shifts, shifts::trust_shift_list, shifts::shift, shifts::open_shifts,
        shifts::raise_premium,
        roster::post_roster, imports::import_workers, imports::import_credentials,
        wards::update_ward, wards::list_wards,
        webhooks::register_webhook, webhooks::webhooks, webhooks::webhook, webhooks::remove_webhook,
        webhooks::retry_webhook,
        offers::offer_shift,
        bookings::book, bookings::shift_bookings, bookings::my_bookings, bookings::cancel,
        ledger::public_key, ledger::latest_head, ledger::heads, ledger::sign_head, ledger::entries,
        ledger::entry, ledger::inclusion_proof, ledger::consistency_proof, ledger::my_entries,
        ledger::erase,
        credentials::record, credentials::list, credentials::my_credentials, credentials::revoke,
        release::policy, release::set_policy, release::booking_mode, release::tier, release::tiers,
        release::preferences, release::my_preferences, release::break_glass, release::report,
        agency::cap, agency::set_cap, agency::spend, agency::spend_csv, agency::quote,
        matching::shift_matches, matching::candidates, matching::my_offers, matching::pay_estimate,
        requests::request, requests::my_requests, requests::approvals, requests::approve, requests::decline, requests::withdraw,
        issuers::rotate_key, issuers::metadata, issuers::did_document, issuers::trust_framework,
        issuers::set_trust, issuers::refresher_periods, issuers::set_refresher_periods,
        passport::offer_credential, passport::my_passport, passport::accept_credential, passport::reject_credential, passport::set_revocation,
        passport::status_list,
        presentations::request_presentation, presentations::presentation_request, presentations::my_presentation_requests, presentations::present,
        presentations::decline_presentation, passport::paper_passport, passport::check_paper,
        wallet_apps::issuer_metadata, wallet_apps::authorization_server_metadata, wallet_apps::credential_offer,
        wallet_apps::token, wallet_apps::nonce, wallet_apps::credential, wallet_apps::authorization_request,
        wallet_apps::wallet_response,
        timesheets::start_timesheet, timesheets::state_hours, timesheets::submit_timesheet,
        timesheets::timesheets_to_decide, timesheets::decide_timesheet, timesheets::my_pay_lines,
        fairness::fairness_report, fairness::fairness_report_csv, fairness::fairness_settings, fairness::set_fairness_settings,
        fairness::set_member_contract,
        fairness::my_equality, fairness::declare_equality, fairness::withdraw_equality,
        pay::rate_card, pay::set_rate_card, pay::set_member_pay_point, pay::pay_settings, pay::set_pay_settings, pay::adjust_pay, pay::close_pay_run, pay::pay_runs,
        pay::pay_run_file, pay_runs::pay_periods, pay_runs::pay_run_preview, pay_runs::pay_run,
        pay::my_earnings, pay::draw_advance, pay::my_payslips, pay::my_total_rewards,
        sign_on::sign_on_challenge, sign_on::prove_sign_on, sign_on::smartcard_sign_on, sign_on::sign_off,
        sign_on::escalations, sign_on::resolve_escalation, sign_on::set_smartcard,
        notifications::undelivered, notifications::retry, notifications::my_settings,
        notifications::set_my_settings,
        oidc::create_provider, oidc::providers, oidc::provider, oidc::update_provider, oidc::remove_provider, oidc::link_subject,
        push::vapid_public_key, push::my_subscriptions, push::subscribe, push::unsubscribe,
        fhir::practitioner, fhir::slot, fhir::slots, fhir::schedule, fhir::practitioner_roles,
        insight::trust_dashboard, insight::trust_dashboard_csv, insight::bank_dashboard,
        insight::bank_dashboard_csv, insight::platform_dashboard, insight::platform_dashboard_csv,
        outlook::credential_expiry, outlook::credential_expiry_csv, outlook::unfilled, outlook::unfilled_csv, outlook::retention, outlook::nudges, outlook::send_nudge,
    ),
    components(schemas(crate::problem::Problem)),
    modifiers(&BearerAuth, &PROBLEM_RESPONSES),
)]
pub struct ApiDoc;

struct BearerAuth;

/// See [`openapi_problems`].
const PROBLEM_RESPONSES: openapi_problems::ProblemResponses = openapi_problems::ProblemResponses;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

/// The API's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route(
            "/api/v1/auth/token",
            post(auth::create_token).delete(auth::delete_token),
        )
        .route(
            "/api/v1/account-confirmations",
            post(workers::confirm_account),
        )
        .route("/api/v1/me", get(workers::me))
        .route("/api/v1/me/banks", post(workers::join_bank))
        .route("/api/v1/me/working-time", post(workers::working_time))
        .route("/api/v1/me/open-shifts", get(shifts::open_shifts))
        .route("/api/v1/me/bookings", get(bookings::my_bookings))
        .route("/api/v1/push/vapid-public-key", get(push::vapid_public_key))
        .route(
            "/api/v1/me/push-subscriptions",
            get(push::my_subscriptions).post(push::subscribe),
        )
        .route(
            "/api/v1/me/push-subscriptions/{subscription_id}",
            axum::routing::delete(push::unsubscribe),
        )
        .route(
            "/api/v1/workers",
            post(workers::register).get(compliance::find_workers),
        )
        .route(
            "/api/v1/workers/{worker_id}/compliance",
            get(compliance::worker_compliance),
        )
        .route(
            "/api/v1/organisations",
            post(admin::create_organisation).get(admin::organisations),
        )
        .route(
            "/api/v1/organisations/{org_id}/sites",
            post(admin::create_site),
        )
        .route("/api/v1/sites/{site_id}/wards", post(admin::create_ward))
        .route("/api/v1/banks", post(admin::create_bank).get(admin::banks))
        .route("/api/v1/users", post(admin::create_user))
        .route(
            "/api/v1/shifts",
            post(shifts::post_shifts).get(shifts::trust_shifts),
        )
        .route("/api/v1/trust-shifts", get(shifts::trust_shift_list))
        .route(
            "/api/v1/shifts/roster",
            post(roster::post_roster).layer(axum::extract::DefaultBodyLimit::max(
                staffbank_app::roster::MAX_ROSTER_BYTES,
            )),
        )
        .route(
            "/api/v1/imports/workers",
            post(imports::import_workers).layer(axum::extract::DefaultBodyLimit::max(
                staffbank_app::worker_import::MAX_IMPORT_BYTES,
            )),
        )
        .route(
            "/api/v1/imports/credentials",
            post(imports::import_credentials).layer(axum::extract::DefaultBodyLimit::max(
                staffbank_app::worker_import::MAX_IMPORT_BYTES,
            )),
        )
        .route("/api/v1/shifts/{shift_id}", get(shifts::shift))
        .route(
            "/api/v1/shifts/{shift_id}/premium",
            put(shifts::raise_premium),
        )
        .route(
            "/api/v1/shifts/{shift_id}/bookings",
            post(bookings::book).get(bookings::shift_bookings),
        )
        .route(
            "/api/v1/bookings/{booking_id}/cancel",
            post(bookings::cancel),
        )
        .route(
            "/api/v1/problems/{slug}",
            get(crate::problem_docs::problem_doc),
        )
        .merge(oidc::routes())
        .merge(ledger_routes())
        .merge(outlook::routes())
        .merge(fhir_routes())
        .merge(webhooks::routes())
        .merge(agency::routes())
        .merge(insight::routes())
        .merge(matching_routes())
        .merge(issuer_routes())
        .merge(timesheet_routes())
}

fn timesheet_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/bookings/{booking_id}/timesheet",
            post(timesheets::start_timesheet),
        )
        .route(
            "/api/v1/timesheets/{timesheet_id}/hours",
            put(timesheets::state_hours),
        )
        .route(
            "/api/v1/timesheets/{timesheet_id}/submit",
            post(timesheets::submit_timesheet),
        )
        .route(
            "/api/v1/timesheets/{timesheet_id}/decision",
            post(timesheets::decide_timesheet),
        )
        .route("/api/v1/timesheets", get(timesheets::timesheets_to_decide))
        .route("/api/v1/me/pay-lines", get(timesheets::my_pay_lines))
        .route(
            "/api/v1/organisations/{org_id}/pay-settings",
            get(pay::pay_settings).put(pay::set_pay_settings),
        )
        .route(
            "/api/v1/banks/{bank_id}/fairness",
            get(fairness::fairness_report),
        )
        .route(
            "/api/v1/banks/{bank_id}/fairness.csv",
            get(fairness::fairness_report_csv),
        )
        .route(
            "/api/v1/banks/{bank_id}/fairness/settings",
            get(fairness::fairness_settings).put(fairness::set_fairness_settings),
        )
        .route(
            "/api/v1/banks/{bank_id}/members/{worker_id}/contract",
            put(fairness::set_member_contract),
        )
        .route(
            "/api/v1/banks/{bank_id}/members/{worker_id}/pay-point",
            put(pay::set_member_pay_point),
        )
        .route(
            "/api/v1/me/equality",
            get(fairness::my_equality)
                .put(fairness::declare_equality)
                .delete(fairness::withdraw_equality),
        )
        .route(
            "/api/v1/banks/{bank_id}/rate-card",
            get(pay::rate_card).put(pay::set_rate_card),
        )
        .route(
            "/api/v1/timesheets/{timesheet_id}/adjustments",
            post(pay::adjust_pay),
        )
        .route(
            "/api/v1/organisations/{org_id}/pay-runs",
            get(pay::pay_runs).post(pay::close_pay_run),
        )
        .route("/api/v1/pay-runs/{pay_run_id}/file", get(pay::pay_run_file))
        .route("/api/v1/pay-runs/{pay_run_id}", get(pay_runs::pay_run))
        .route(
            "/api/v1/organisations/{org_id}/pay-runs/preview",
            get(pay_runs::pay_run_preview),
        )
        .route(
            "/api/v1/organisations/{org_id}/pay-periods",
            get(pay_runs::pay_periods),
        )
        .route("/api/v1/me/earnings", get(pay::my_earnings))
        .route("/api/v1/me/advances", post(pay::draw_advance))
        .route("/api/v1/me/payslips", get(pay::my_payslips))
        .route("/api/v1/me/total-rewards", get(pay::my_total_rewards))
        .route(
            "/api/v1/bookings/{booking_id}/sign-on-challenges",
            post(sign_on::sign_on_challenge),
        )
        .route(
            "/api/v1/sign-on-challenges/{challenge_id}/proof",
            post(sign_on::prove_sign_on),
        )
        .route(
            "/api/v1/bookings/{booking_id}/smartcard-sign-on",
            post(sign_on::smartcard_sign_on),
        )
        .route(
            "/api/v1/bookings/{booking_id}/sign-off",
            post(sign_on::sign_off),
        )
        .route("/api/v1/escalations", get(sign_on::escalations))
        .route(
            "/api/v1/me/notification-settings",
            get(notifications::my_settings).put(notifications::set_my_settings),
        )
        .route(
            "/api/v1/undelivered-messages",
            get(notifications::undelivered),
        )
        .route(
            "/api/v1/undelivered-messages/{message_id}/retry",
            post(notifications::retry),
        )
        .route(
            "/api/v1/escalations/{escalation_id}/resolution",
            post(sign_on::resolve_escalation),
        )
        .route(
            "/api/v1/workers/{worker_id}/smartcard",
            put(sign_on::set_smartcard),
        )
}

fn issuer_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/organisations/{org_id}/issuer-keys",
            post(issuers::rotate_key),
        )
        .route(
            "/.well-known/jwt-vc-issuer/issuers/{org_id}",
            get(issuers::metadata),
        )
        .route("/issuers/{org_id}/did.json", get(issuers::did_document))
        .route(
            "/api/v1/trust-framework",
            get(issuers::trust_framework).put(issuers::set_trust),
        )
        .route(
            "/api/v1/refresher-periods",
            get(issuers::refresher_periods).put(issuers::set_refresher_periods),
        )
        .route(
            "/api/v1/workers/{worker_id}/passport-offers",
            post(passport::offer_credential),
        )
        .route("/api/v1/me/passport", get(passport::my_passport))
        .route(
            "/api/v1/me/passport/{credential_id}/accept",
            post(passport::accept_credential),
        )
        .route(
            "/api/v1/me/passport/{credential_id}/reject",
            post(passport::reject_credential),
        )
        .route(
            "/api/v1/passport-credentials/{credential_id}/revocation",
            post(passport::set_revocation),
        )
        .route("/issuers/{org_id}/status-list", get(passport::status_list))
        .route("/api/v1/me/paper-passport", get(passport::paper_passport))
        .route(
            "/.well-known/openid-credential-issuer/issuers/{org_id}",
            get(wallet_apps::issuer_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server/issuers/{org_id}",
            get(wallet_apps::authorization_server_metadata),
        )
        .route(
            "/api/v1/me/passport/{credential_id}/credential-offer",
            get(wallet_apps::credential_offer),
        )
        .route("/issuers/{org_id}/token", post(wallet_apps::token))
        .route("/issuers/{org_id}/nonce", post(wallet_apps::nonce))
        .route(
            "/issuers/{org_id}/credential",
            post(wallet_apps::credential),
        )
        .route(
            "/api/v1/me/presentation-requests/{request_id}/authorization-request",
            get(wallet_apps::authorization_request),
        )
        .route(
            "/verifiers/{org_id}/responses/{request_id}",
            post(wallet_apps::wallet_response),
        )
        .route("/api/v1/paper-checks", post(passport::check_paper))
        .route(
            "/api/v1/workers/{worker_id}/presentation-requests",
            post(presentations::request_presentation),
        )
        .route(
            "/api/v1/presentation-requests/{request_id}",
            get(presentations::presentation_request),
        )
        .route(
            "/api/v1/me/presentation-requests",
            get(presentations::my_presentation_requests),
        )
        .route(
            "/api/v1/me/presentation-requests/{request_id}/present",
            post(presentations::present),
        )
        .route(
            "/api/v1/me/presentation-requests/{request_id}/decline",
            post(presentations::decline_presentation),
        )
}

fn matching_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/shifts/{shift_id}/requests",
            post(requests::request),
        )
        .route("/api/v1/me/requests", get(requests::my_requests))
        .route(
            "/api/v1/me/requests/{request_id}/withdraw",
            post(requests::withdraw),
        )
        .route("/api/v1/approvals", get(requests::approvals))
        .route(
            "/api/v1/requests/{request_id}/approve",
            post(requests::approve),
        )
        .route(
            "/api/v1/requests/{request_id}/decline",
            post(requests::decline),
        )
        .route("/api/v1/me/shift-matches", get(matching::shift_matches))
        .route("/api/v1/me/offers", get(matching::my_offers))
        .route(
            "/api/v1/me/shifts/{shift_id}/pay-estimate",
            get(matching::pay_estimate),
        )
        .route(
            "/api/v1/shifts/{shift_id}/candidates",
            get(matching::candidates),
        )
        .route("/api/v1/me/credentials", get(credentials::my_credentials))
        .route(
            "/api/v1/workers/{worker_id}/credentials",
            post(credentials::record).get(credentials::list),
        )
        .route(
            "/api/v1/credentials/{credential_id}/revoke",
            post(credentials::revoke),
        )
        .route(
            "/api/v1/organisations/{org_id}/release-policy",
            get(release::policy).put(release::set_policy),
        )
        .route("/api/v1/wards", get(wards::list_wards))
        .route(
            "/api/v1/shifts/{shift_id}/offers",
            post(offers::offer_shift),
        )
        .route("/api/v1/wards/{ward_id}", put(wards::update_ward))
        .route(
            "/api/v1/wards/{ward_id}/booking-mode",
            put(release::booking_mode),
        )
        .route(
            "/api/v1/banks/{bank_id}/members/{worker_id}/tier",
            put(release::tier),
        )
        .route("/api/v1/tiers", get(release::tiers))
        .route(
            "/api/v1/me/preferences",
            get(release::my_preferences).put(release::preferences),
        )
        .route(
            "/api/v1/organisations/{org_id}/matching-report",
            get(release::report),
        )
        .route(
            "/api/v1/shifts/{shift_id}/agency-release",
            post(release::break_glass),
        )
}

/// FHIR R4 read views (see `fhir`).
fn fhir_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/fhir/Practitioner/{worker_id}",
            get(fhir::practitioner),
        )
        .route("/api/v1/fhir/Slot", get(fhir::slots))
        .route("/api/v1/fhir/Slot/{shift_id}", get(fhir::slot))
        .route("/api/v1/fhir/Schedule/{ward_id}", get(fhir::schedule))
        .route(
            "/api/v1/fhir/PractitionerRole",
            get(fhir::practitioner_roles),
        )
}

fn ledger_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ledger/public-key", get(ledger::public_key))
        .route("/api/v1/ledger/heads/latest", get(ledger::latest_head))
        .route(
            "/api/v1/ledger/heads",
            get(ledger::heads).post(ledger::sign_head),
        )
        .route("/api/v1/ledger/entries", get(ledger::entries))
        .route("/api/v1/ledger/entries/{seq}", get(ledger::entry))
        .route(
            "/api/v1/ledger/entries/{seq}/inclusion-proof",
            get(ledger::inclusion_proof),
        )
        .route(
            "/api/v1/ledger/consistency-proof",
            get(ledger::consistency_proof),
        )
        .route("/api/v1/me/ledger-entries", get(ledger::my_entries))
        .route("/api/v1/people/{user_id}/erasure", post(ledger::erase))
}
