//! Ledger pages: the auditor's view (current tree head, entry lookup with its proof, checked by the
//! server and again in the browser) and everyone's own record.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use staffbank_app::ledger::{EntryView, InclusionProofView};
use staffbank_app::Principal;

use super::layout::{app_error_page, error_summary, moment, page};
use super::ledger_facts::{action_name, facts, Reader};
use super::UiUser;
use crate::AppState;

fn entry_summary(entry: &EntryView, reader: Reader) -> Markup {
    html! {
        dl class="nhsuk-summary-list" {
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "What" }
                dd class="nhsuk-summary-list__value" { (action_name(&entry.action)) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "When" }
                dd class="nhsuk-summary-list__value" { (moment(entry.recorded_at)) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Index" }
                dd class="nhsuk-summary-list__value" {
                    @match entry.seq { Some(seq) => (seq), None => "not yet sequenced" }
                }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Details" }
                dd class="nhsuk-summary-list__value" { (facts(&entry.facts, reader)) }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Personal data" }
                dd class="nhsuk-summary-list__value" {
                    @match (&entry.personal, entry.personal_status.as_str()) {
                        (Some(p), _) => (facts(p, reader)),
                        (None, "erased") => "Erased",
                        (None, "sealed") => "Sealed",
                        _ => "None",
                    }
                }
            }
        }
    }
}

/// `?seq=` on the auditor page.
#[derive(Deserialize)]
pub struct Lookup {
    #[serde(default)]
    seq: String,
}

async fn lookup(
    state: &AppState,
    who: &Principal,
    raw: &str,
) -> Result<Option<(EntryView, InclusionProofView)>, String> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let Ok(seq) = raw.trim().parse::<u64>() else {
        return Err("Enter an entry index, a whole number".into());
    };
    let entry = state
        .app
        .ledger_entry(who, seq)
        .await
        .map_err(|_| format!("There is no entry {seq} you can see"))?;
    let proof = state
        .app
        .inclusion_proof(who, seq, None)
        .await
        .map_err(|_| {
            "The entry is not yet covered by a signed tree head; try again in a moment".to_string()
        })?;
    Ok(Some((entry, proof)))
}

/// `GET /ledger`: the auditor's page.
pub async fn auditor(
    State(state): State<AppState>,
    UiUser(who): UiUser,
    Query(q): Query<Lookup>,
) -> Response {
    let head = match state.app.latest_head().await {
        Ok(h) => Some(h),
        Err(staffbank_app::AppError::NotFound) => None,
        Err(e) => return app_error_page(e),
    };
    let key = state.app.ledger_key();
    let (found, errors) = match lookup(&state, &who, &q.seq).await {
        Ok(found) => (found, vec![]),
        Err(message) => (None, vec![message]),
    };
    page(
        "Audit ledger",
        Some(&who),
        html! {
            (error_summary(&errors))
            h1 class="nhsuk-heading-xl" { "Audit ledger" }
            h2 class="nhsuk-heading-m" { "Current signed tree head" }
            @if let Some(head) = &head {
                dl class="nhsuk-summary-list" {
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "Entries" }
                        dd class="nhsuk-summary-list__value" { (head.size) }
                    }
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "Root" }
                        dd class="nhsuk-summary-list__value" { code { (head.root) } }
                    }
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "Signed at" }
                        dd class="nhsuk-summary-list__value" {
                            @match chrono::DateTime::from_timestamp_millis(head.timestamp_ms) {
                                Some(at) => (moment(at)),
                                None => "Unknown",
                            }
                        }
                    }
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "Public key (Ed25519)" }
                        dd class="nhsuk-summary-list__value" { code { (key.public_key) } }
                    }
                }
            } @else {
                p { "No tree head has been signed yet." }
            }
            form method="get" action="/ledger" {
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="seq" { "Entry index" }
                    input class="nhsuk-input nhsuk-input--width-10" id="seq" name="seq" type="text" inputmode="numeric" value=(q.seq);
                }
                button type="submit" class="nhsuk-button" { "Look up entry" }
            }
            @if let Some((entry, proof)) = &found {
                h2 class="nhsuk-heading-m" { "Entry " (proof.leaf_index) }
                (entry_summary(entry, Reader::Auditor))
                h3 class="nhsuk-heading-s" { "Inclusion proof" }
                p { "Against the signed tree head of " (proof.tree_size) " entries, "
                    (proof.proof.len()) " hashes." }
                ul class="nhsuk-list" {
                    @for h in &proof.proof { li { code { (h) } } }
                }
                div class="nhsuk-inset-text" {
                    span class="nhsuk-u-visually-hidden" { "Information: " }
                    p { "Checked by the server: the proof leads to the signed root." }
                    p id="browser-check" hidden role="status"
                        data-body=(entry.body) data-index=(proof.leaf_index) data-size=(proof.tree_size)
                        data-proof=(proof.proof.join(",")) data-root=(proof.head.root)
                        data-signature=(proof.head.signature) data-timestamp=(proof.head.timestamp_ms)
                        data-public-key=(key.public_key) { "Checking in your browser…" }
                }
                script src="/assets/app/ledger.js" {}
            }
        },
    )
}

/// `GET /my-record`: the ledger entries about the signed-in person.
pub async fn my_record(State(state): State<AppState>, UiUser(who): UiUser) -> Response {
    let entries = match state.app.my_ledger_entries(&who, None, 1000).await {
        Ok(e) => e,
        Err(e) => return app_error_page(e),
    };
    page(
        "My record",
        Some(&who),
        html! {
            h1 class="nhsuk-heading-xl" { "My record" }
            p { "Everything the platform has recorded about you, in its tamper-evident audit ledger." }
            @if entries.is_empty() { p { "Nothing yet." } }
            @for entry in &entries {
                div class="nhsuk-card" {
                    div class="nhsuk-card__content" {
                        h2 class="nhsuk-card__heading nhsuk-heading-s" { (action_name(&entry.action)) }
                        (entry_summary(entry, Reader::Person))
                    }
                }
            }
        },
    )
}
