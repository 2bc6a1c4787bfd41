//! How credentials, claims and verification outcomes read on screen, for workers and verifiers
//! alike.

use maud::{html, Markup};
use serde_json::Value;
use staffbank_domain::credential_claims::kind_of_vct;

/// Claims every credential carries, which are not shown as its details.
const REGISTERED: [&str; 9] = [
    "iss",
    "vct",
    "iat",
    "exp",
    "nbf",
    "status",
    "cnf",
    "sub",
    "holder_name",
];

/// A credential type in words: "Professional registration".
pub fn type_label(vct: &str) -> String {
    kind_of_vct(vct).map_or_else(|| vct.to_owned(), |k| k.label().to_owned())
}

/// A claim path in words: `subjects.fire_safety` reads "Subjects: fire safety".
pub fn claim_label(path: &str) -> String {
    super::layout::capitalise(&path.replace('.', ": ").replace('_', " "))
}

/// A claim's value in words.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::String(s) => string_text(s),
        Value::Null => "None".into(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{} {}", k.replace('_', " "), value_text(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        Value::Number(n) => n.to_string(),
    }
}

/// A string claim in words: a date reads "1 October 2027", a regulator by its initials, and
/// any other stable name with spaces for underscores.
fn string_text(s: &str) -> String {
    if let Ok(date) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return date.format("%-d %B %Y").to_string();
    }
    match s {
        "nmc" | "gmc" | "hcpc" => s.to_uppercase(),
        "gphc" => "GPhC".to_owned(),
        _ => s.replace('_', " "),
    }
}

/// The value at a dotted claim path.
pub fn claim_at<'a>(claims: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(claims, |v, part| v.get(part))
}

/// A credential's details as a summary list (registered claims left out).
pub fn claims_list(claims: &Value) -> Markup {
    html! {
        dl class="nhsuk-summary-list" {
            @if let Some(map) = claims.as_object() {
                @for (name, value) in map.iter().filter(|(n, _)| !REGISTERED.contains(&n.as_str()) && n.as_str() != "type") {
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { (claim_label(name)) }
                        dd class="nhsuk-summary-list__value" { (value_text(value)) }
                    }
                }
            }
        }
    }
}

/// Each check of a verification in words, in the order they run.
fn check_label(check: &str) -> &'static str {
    match check {
        "format" => "The credential can be read",
        "credential_type" => "It is an SD-JWT verifiable credential of a named type",
        "issuer_trusted" => "The issuer is trusted for this type",
        "issuer_signature" => "The issuer's signature is genuine",
        "validity" => "It is within its dates",
        "disclosures" => "Every detail shared belongs to the credential",
        "key_binding" => "The holder's own key signed this presentation",
        "sd_hash" => "Nothing was added or removed on the way",
        "audience" => "It was meant for this trust",
        "freshness" => "It was signed just now",
        "nonce" => "It answers this request, once only",
        "status" => "It is not revoked or suspended (issuer's list, fetched fresh)",
        "request" => "It is what was asked for, and no more",
        _ => "Check",
    }
}

/// A verification result: the verdict, every check passed, the one that failed and why, and
/// what was disclosed.
pub fn outcome(result: &Value) -> Markup {
    let valid = result["valid"].as_bool().unwrap_or(false);
    let passed: Vec<&str> = result["passed"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let holder = result["disclosed"]["holder_name"].as_str();
    html! {
        div id="verification-result" data-valid=(valid) {
            @if valid {
                div class="nhsuk-card nhsuk-card--feature" {
                    div class="nhsuk-card__content nhsuk-card__content--feature" {
                        h2 class="nhsuk-card__heading nhsuk-card__heading--feature" { "Verified" }
                        p class="nhsuk-card__description" { "Every check passed." }
                    }
                }
            } @else {
                div class="nhsuk-error-summary" role="alert" tabindex="-1" aria-labelledby="not-verified" {
                    h2 class="nhsuk-error-summary__title" id="not-verified" { "Not verified" }
                    div class="nhsuk-error-summary__body" {
                        p { (result["failed"]["message"].as_str().unwrap_or("The credential did not pass its checks.")) }
                    }
                }
            }
            @if let Some(name) = holder {
                div class="nhsuk-warning-callout" {
                    h3 class="nhsuk-warning-callout__label" { span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } "Check photo ID" } }
                    p { "This is a paper credential with no holder key. Check that the person's photo ID shows the name " strong { (name) } "." }
                }
            }
            h2 class="nhsuk-heading-m" { "Checks" }
            ul class="nhsuk-list nhsuk-list--tick" id="checks" {
                @for check in &passed {
                    li data-check=(check) { (check_label(check)) }
                }
            }
            @if let Some(check) = result["failed"]["check"].as_str() {
                ul class="nhsuk-list nhsuk-list--cross" {
                    li data-check=(check) data-failed="true" {
                        (check_label(check)) ": " (result["failed"]["message"].as_str().unwrap_or(""))
                    }
                }
            }
            @if valid {
                h2 class="nhsuk-heading-m" { "Details shared" }
                (claims_list(&result["disclosed"]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::value_text;
    use serde_json::json;

    #[test]
    fn dates_and_regulators_read_as_words() {
        assert_eq!(value_text(&json!("2027-10-01")), "1 October 2027");
        assert_eq!(value_text(&json!("nmc")), "NMC");
        assert_eq!(value_text(&json!("enhanced_barred")), "enhanced barred");
    }
}
