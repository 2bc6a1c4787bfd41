//! The server-rendered UI: NHS.UK frontend styles, plain forms, no JavaScript required.

mod agency_release;
mod agency_spend;
mod alerts;
mod approvals;
mod booker;
mod booker_list;
mod booking_modes;
mod cancel;
mod candidates;
pub(crate) mod chart;
mod claims;
mod credential_import;
mod equality;
mod fairness;
mod fairness_words;
mod forecasts;
pub(crate) mod import_jobs;
mod import_parts;
mod insight;
mod issue;
mod layout;
mod ledger;
mod ledger_facts;
mod list_parts;
mod notification_settings;
mod offer;
mod offer_fields;
mod oidc_sign_in;
mod passport;
mod pay;
mod pay_breakdown;
mod pay_parts;
mod pay_points;
mod pay_runs;
mod pay_settings;
mod pay_settings_confirm;
mod preferences;
mod refreshers;
mod registration;
mod release_policy;
mod report;
mod requests;
mod retention;
mod revocation;
mod roster;
mod roster_pages;
mod scan;
mod session;
mod shift_list;
mod shift_page;
mod sign_in_provider_edit;
mod sign_in_providers;
mod tiers;
mod timesheet;
mod undelivered;
mod verify;
mod ward;
mod ward_edit;
mod webhooks;
mod worker;
mod worker_import;
mod workers;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::html;

use crate::AppState;
pub(crate) use layout::{error_page, page};
pub(crate) use session::{csrf_ok, csrf_refused, UiUser};

/// The UI's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route(
            "/sign-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/sign-out", post(session::sign_out))
        .route(
            "/register",
            get(registration::register_page).post(registration::register),
        )
        .route(
            staffbank_app::confirmation::CONFIRM_PATH,
            get(registration::confirm_page).post(registration::confirm),
        )
        .route("/sign-in/oidc/callback", get(oidc_sign_in::callback))
        .route("/sign-in/oidc/{provider_id}", get(oidc_sign_in::start))
        .route(
            "/manage/sign-in-providers",
            get(sign_in_providers::show).post(sign_in_providers::add),
        )
        .route(
            "/manage/sign-in-providers/link",
            post(sign_in_providers::link),
        )
        .route(
            "/manage/sign-in-providers/{id}",
            get(sign_in_provider_edit::edit).post(sign_in_provider_edit::save),
        )
        .route(
            "/manage/sign-in-providers/{id}/remove",
            get(sign_in_provider_edit::confirm_remove).post(sign_in_provider_edit::remove),
        )
        .route(
            "/manage/refresher-periods",
            get(refreshers::show).post(refreshers::save),
        )
        .route("/shifts", get(shift_list::open_shifts))
        .route("/shifts/{shift_id}", get(shift_page::shift))
        .route("/shifts/{shift_id}/book", post(worker::book))
        .route("/bookings", get(worker::my_bookings))
        .route("/requests", get(requests::my_requests))
        .route("/requests/{request_id}/withdraw", post(requests::withdraw))
        .route(
            "/notifications",
            get(notification_settings::show).post(notification_settings::save),
        )
        .route(
            "/preferences",
            get(preferences::preferences).post(preferences::save),
        )
        .route("/me/alerts", get(alerts::show).post(alerts::subscribe))
        .route("/me/alerts/{id}/turn-off", post(alerts::turn_off))
        .route("/bookings/{booking_id}/cancel", post(worker::cancel))
        .route(
            "/bookings/{booking_id}/timesheet",
            get(timesheet::timesheet).post(timesheet::start),
        )
        .route(
            "/bookings/{booking_id}/timesheet/hours",
            post(timesheet::hours),
        )
        .route(
            "/bookings/{booking_id}/timesheet/submit",
            post(timesheet::submit),
        )
        .route(
            "/manage/shifts",
            get(booker_list::shifts).post(booker::post_shift),
        )
        .route("/manage/shifts/new", get(booker::new_shift))
        .route("/manage/workers/import", get(worker_import::start))
        .route(
            "/manage/workers/import/template.csv",
            get(worker_import::template),
        )
        .route(
            "/manage/workers/import/file",
            post(worker_import::check_file)
                .layer(DefaultBodyLimit::max(worker_import::UPLOAD_LIMIT)),
        )
        .route(
            "/manage/workers/import/confirm",
            post(worker_import::confirm).layer(DefaultBodyLimit::max(worker_import::CONFIRM_LIMIT)),
        )
        .route("/manage/credentials/import", get(credential_import::start))
        .route(
            "/manage/credentials/import/template.csv",
            get(credential_import::template),
        )
        .route(
            "/manage/credentials/import/file",
            post(credential_import::check_file)
                .layer(DefaultBodyLimit::max(worker_import::UPLOAD_LIMIT)),
        )
        .route(
            "/manage/credentials/import/confirm",
            post(credential_import::confirm)
                .layer(DefaultBodyLimit::max(worker_import::CONFIRM_LIMIT)),
        )
        .route("/manage/imports/{id}", get(import_jobs::job))
        .route("/manage/imports/{id}/progress", get(import_jobs::progress))
        .route("/manage/shifts/post", get(roster::start))
        .route("/manage/shifts/post/template.csv", get(roster::template))
        .route("/manage/shifts/post/rows", post(roster::check_rows))
        .route(
            "/manage/shifts/post/file",
            post(roster::check_file).layer(DefaultBodyLimit::max(roster::UPLOAD_LIMIT)),
        )
        .route(
            "/manage/shifts/post/confirm",
            post(roster::post).layer(DefaultBodyLimit::max(roster::CONFIRM_LIMIT)),
        )
        .route("/manage/shifts/{shift_id}", get(booker::shift))
        .route("/manage/approvals", get(approvals::queue))
        .route(
            "/manage/wards",
            get(booking_modes::wards).post(ward_edit::add),
        )
        .route("/manage/wards/{id}", post(ward_edit::save))
        .route("/manage/wards/{id}/edit", get(ward_edit::edit))
        .route(
            "/manage/wards/{id}/booking-mode",
            post(booking_modes::set_booking_mode),
        )
        .route("/manage/report", get(report::report))
        .route("/manage/fairness", get(fairness::show))
        .route("/manage/fairness.csv", get(fairness::csv))
        .route("/manage/fairness/settings", post(fairness::save))
        .route("/equality", get(equality::show).post(equality::save))
        .route("/equality/withdraw", post(equality::withdraw))
        .route("/manage/insight", get(insight::show))
        .route("/manage/insight.csv", get(insight::csv))
        .route("/manage/agency-spend", get(agency_spend::show))
        .route("/manage/agency-spend.csv", get(agency_spend::csv))
        .route("/manage/agency-spend/confirm", post(agency_spend::confirm))
        .route("/manage/agency-spend/cap", post(agency_spend::save))
        .route("/manage/forecasts", get(forecasts::forecasts))
        .route(
            "/manage/forecasts/credential-expiry.csv",
            get(forecasts::expiry_csv),
        )
        .route(
            "/manage/forecasts/unfilled.csv",
            get(forecasts::unfilled_csv),
        )
        .route("/manage/retention", get(retention::retention))
        .route(
            "/manage/retention/nudge",
            get(retention::nudge_form).post(retention::nudge),
        )
        .route("/manage/release-policy", get(release_policy::show))
        .route("/manage/tiers", get(tiers::show))
        .route("/manage/undelivered", get(undelivered::show))
        .route(
            "/manage/undelivered/{message_id}/retry",
            get(undelivered::confirm).post(undelivered::retry),
        )
        .route(
            "/manage/webhooks",
            get(webhooks::show).post(webhooks::register),
        )
        .route(
            "/manage/webhooks/{id}/remove",
            get(webhooks::confirm_remove).post(webhooks::remove),
        )
        .route("/manage/webhooks/{id}/retry", post(webhooks::retry))
        .route(
            "/manage/banks/{bank_id}/members/{worker_id}/tier",
            post(tiers::change),
        )
        .route(
            "/manage/banks/{bank_id}/members/{worker_id}/contract",
            post(tiers::change_contract),
        )
        .route("/manage/pay-points", get(pay_points::show))
        .route("/manage/pay-points/check", get(pay_points::check))
        .route(
            "/manage/banks/{bank_id}/members/{worker_id}/pay-point",
            post(pay_points::change),
        )
        .route(
            "/manage/organisations/{org_id}/release-policy",
            post(release_policy::save),
        )
        .route("/manage/requests/{id}/approve", post(approvals::approve))
        .route("/manage/requests/{id}/decline", post(approvals::decline))
        .route(
            "/manage/shifts/{shift_id}/premium",
            post(candidates::raise_premium),
        )
        .route("/manage/shifts/{shift_id}/offers", post(candidates::offer))
        .route(
            "/manage/shifts/{shift_id}/agency",
            get(agency_release::confirm).post(agency_release::release),
        )
        .route("/manage/bookings/{booking_id}/cancel", post(worker::cancel))
        .route("/pay", get(pay::my_pay))
        .route("/pay/advances", post(pay::draw))
        .route("/manage/pay-runs", get(pay_runs::runs))
        .route(
            "/manage/organisations/{org_id}/pay-runs",
            post(pay_runs::close),
        )
        .route(
            "/manage/organisations/{org_id}/pay-runs/preview",
            get(pay_runs::preview),
        )
        .route("/manage/pay-runs/{id}", get(pay_runs::run))
        .route(
            "/manage/pay-settings",
            get(pay_settings::settings).post(pay_settings::save),
        )
        .route("/manage/pay-runs/{id}/file", get(pay_runs::file))
        .route("/manage/ward", get(ward::ward))
        .route("/manage/timesheets/{id}/decision", post(ward::decide))
        .route("/manage/escalations/{id}/resolution", post(ward::resolve))
        .route(
            "/manage/bookings/{booking_id}/sign-on-code",
            post(ward::sign_on_code),
        )
        .route(
            "/manage/bookings/{booking_id}/smartcard",
            post(ward::smartcard),
        )
        .route(
            "/manage/bookings/{booking_id}/sign-off",
            post(ward::sign_off),
        )
        .route("/sign-on/{id}", get(ward::worker_sign_on).post(ward::prove))
        .route("/ledger", get(ledger::auditor))
        .route("/my-record", get(ledger::my_record))
        .route("/passport", get(passport::wallet))
        .route("/passport/paper", get(passport::paper))
        .route("/passport/{id}/accept", post(passport::accept))
        .route("/passport/{id}/reject", post(passport::reject))
        .route("/passport/requests/{id}/present", post(passport::present))
        .route("/passport/requests/{id}/decline", post(passport::decline))
        .route("/manage/workers", get(workers::find))
        .route("/issue", get(issue::start))
        .merge(worker_routes("/manage"))
        .merge(worker_routes("/issue"))
        .route("/manage/passport", get(verify::start))
        .route("/manage/passport/requests", post(verify::request))
        .route("/manage/passport/requests/{id}", get(verify::requested))
        .route(
            "/manage/passport/requests/{id}/state",
            get(verify::request_state),
        )
        .route("/manage/passport/paper", post(verify::paper))
        .route(
            "/manage/passport/paper/scan",
            post(verify::paper_photo).layer(DefaultBodyLimit::max(scan::MAX_PHOTO)),
        )
        .route(
            "/assets/app/ledger.js",
            get(|| async { script(include_str!("../../assets/ledger.js")) }),
        )
        .route(
            "/assets/app/wallet.js",
            get(|| async { script(include_str!("../../assets/wallet.js")) }),
        )
        .route(
            "/assets/app/import-progress.js",
            get(|| async { script(include_str!("../../assets/import-progress.js")) }),
        )
        .route(
            "/assets/app/alerts.js",
            get(|| async { script(include_str!("../../assets/alerts.js")) }),
        )
        .route(
            "/sw.js",
            get(|| async { script(include_str!("../../assets/sw.js")) }),
        )
        .route(
            "/assets/app/verify.js",
            get(|| async { script(include_str!("../../assets/verify.js")) }),
        )
}

/// A compliance officer's (`/manage`) or credential issuer's (`/issue`) pages for one worker and
/// their credentials; the handlers decide from the signed-in user's role which they act as.
fn worker_routes(desk: &str) -> Router<AppState> {
    Router::new()
        .route(&format!("{desk}/workers/{{id}}"), get(workers::worker))
        .route(
            &format!("{desk}/workers/{{id}}/offer"),
            get(offer::offer_form).post(offer::offer),
        )
        .route(
            &format!("{desk}/credentials/{{id}}/{{action}}"),
            get(revocation::confirm_page).post(revocation::apply),
        )
}

/// One of the UI's own scripts (served from the binary, so the page's CSP allows it as 'self').
fn script(source: &'static str) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/javascript; charset=utf-8",
        )],
        source,
    )
        .into_response()
}

async fn home(UiUser(who): UiUser) -> Response {
    if who.worker.is_some() {
        Redirect::to("/shifts").into_response()
    } else if who.is_booker() {
        Redirect::to("/manage/shifts").into_response()
    } else if who.has_role(staffbank_domain::role::Role::WardManager) {
        Redirect::to("/manage/ward").into_response()
    } else if who.has_role(staffbank_domain::role::Role::PayrollOfficer) {
        Redirect::to("/manage/pay-runs").into_response()
    } else if who.has_role(staffbank_domain::role::Role::ComplianceOfficer) {
        Redirect::to("/manage/workers").into_response()
    } else if who.has_role(staffbank_domain::role::Role::CredentialIssuer) {
        Redirect::to("/issue").into_response()
    } else if who.has_role(staffbank_domain::role::Role::Auditor) || who.is_platform_admin() {
        Redirect::to("/ledger").into_response()
    } else {
        page(
            "Your account",
            Some(&who),
            html! {
                h1 class="nhsuk-heading-xl" { "Hello, " (who.user.display_name) }
                p { "Your role's pages arrive in later releases. Use the API meanwhile." }
            },
        )
    }
}

/// The page for an address that does not exist.
pub fn not_found_page() -> Response {
    error_page(
        axum::http::StatusCode::NOT_FOUND,
        "Page not found",
        "Check the address and try again.",
    )
}
