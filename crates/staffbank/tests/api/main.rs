//! API integration tests: the real server on port 0 over a fresh database, on SQLite and on
//! PostgreSQL. Each test module's cases run once per backend.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;
mod helpers;
mod interop;
mod relay;

mod agency_spend;
mod backup;
mod booker_offers;
mod compliance;
mod concurrency;
mod conventions;
mod credential_import;
mod database_down;
mod escalation_channels;
mod events;
mod fairness;
mod fairness_contract;
mod fairness_weekly;
mod fhir;
mod flow;
mod forecasts;
mod headers;
mod imports;
mod insight;
mod issuers;
mod ledger;
mod mail_folder;
mod matching;
mod metrics;
mod notifications;
mod offer_alerts;
mod offers;
mod oid4vci;
mod oid4vp;
mod oidc;
mod paper;
mod passport;
mod passport_expiry;
mod passport_holder_key;
mod pay;
mod pay_runs;
mod payroll_crash;
mod premium;
mod push;
mod registration;
mod release_policy;
mod replica;
mod request_ids;
mod retention;
mod roster;
mod shift_import;
mod shutdown;
mod sign_in_guard;
mod sign_on;
mod tenancy;
mod timesheets;
mod tls;
// Exporting traces is the binary's `otlp` feature (on by default).
#[cfg(feature = "otlp")]
mod traces;
mod unsafe_config;
mod wards;
mod webhook_receiver;
mod webhooks;
mod worker_lists;
mod working_time;

/// Generates a `sqlite` and a `postgres` test for each named case `async fn case(app: TestApp)`.
#[macro_export]
macro_rules! both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::$case($crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::$case($crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await).await;
                }
            )*
        }
    };
}
