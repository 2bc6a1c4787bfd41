//! Ledger entries in words: an entry's action code and its recorded facts, shown to the person
//! they are about (My record) and to auditors without JSON or internal codes.

use chrono::{DateTime, Utc};
use maud::{html, Markup};
use serde_json::Value;
use staffbank_domain::pay::Pence;

use super::layout::{capitalise, field_name, moment};

/// An action code as words: `timesheet.auto_approved` is "Timesheet auto approved".
pub fn action_name(action: &str) -> String {
    capitalise(&action.replace(['.', '_'], " "))
}

/// One fact's value in words: times on the UK clock, amounts in pounds, yes or no.
fn value(key: &str, v: &Value) -> Markup {
    html! {
        @match v {
            Value::Null => "None",
            Value::Bool(true) => "Yes",
            Value::Bool(false) => "No",
            Value::Number(n) => {
                @match (key.ends_with("_pence"), n.as_i64()) {
                    (true, Some(p)) => (Pence(p)),
                    _ => (n),
                }
            }
            Value::String(s) => {
                @match s.parse::<DateTime<Utc>>() {
                    Ok(at) => (moment(at)),
                    Err(_) => (s.replace('_', " ")),
                }
            }
            Value::Array(items) => {
                @if items.is_empty() { "None" }
                @for (i, item) in items.iter().enumerate() {
                    @if i > 0 { ", " }
                    (value(key, item))
                }
            }
            Value::Object(_) => (facts(v)),
        }
    }
}

/// An entry's facts as a summary list, one row a fact.
pub fn facts(v: &Value) -> Markup {
    html! {
        @match v {
            Value::Object(map) => {
                dl class="nhsuk-summary-list nhsuk-u-margin-bottom-0" {
                    @for (key, item) in map {
                        div class="nhsuk-summary-list__row" {
                            dt class="nhsuk-summary-list__key" { (field_name(key.trim_end_matches("_pence"))) }
                            dd class="nhsuk-summary-list__value" { (value(key, item)) }
                        }
                    }
                }
            }
            other => (value("", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn actions_read_as_words() {
        assert_eq!(
            action_name("timesheet.auto_approved"),
            "Timesheet auto approved"
        );
        assert_eq!(action_name("booking.cancelled"), "Booking cancelled");
    }

    #[test]
    fn facts_carry_no_codes_or_iso_times() {
        let shown = facts(&json!({
            "late": true,
            "cancellation_pay_pence": 12345,
            "at": "2026-12-08T07:30:00Z",
            "by": "booking_office",
        }))
        .into_string();
        assert!(shown.contains("Yes"), "{shown}");
        assert!(shown.contains("£123.45"), "{shown}");
        assert!(shown.contains("Tue 8 Dec 2026, 07:30"), "{shown}");
        assert!(shown.contains("Cancellation pay"), "{shown}");
        assert!(shown.contains("booking office"), "{shown}");
        assert!(!shown.contains("cancellation_pay"), "{shown}");
        assert!(!shown.contains("booking_office"), "{shown}");
        assert!(!shown.contains("2026-12-08T"), "{shown}");
    }
}
