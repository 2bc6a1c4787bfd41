//! Ledger entries in words: an entry's action code and its recorded facts, shown to the person
//! they are about (My record) and to auditors without JSON or internal codes.

use chrono::{DateTime, Utc};
use maud::{html, Markup};
use serde_json::Value;
use staffbank_domain::pay::Pence;

use super::claims::type_label;
use super::layout::{capitalise, field_name, moment};

/// An action code as words: `timesheet.auto_approved` is "Timesheet auto approved".
pub fn action_name(action: &str) -> String {
    capitalise(&action.replace(['.', '_'], " "))
}

/// Who reads the facts: an auditor cross-checks references (record identifiers) between entries;
/// the person the entry is about has no use for them, so they are left out of My record.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The auditor's ledger page: every fact, identifiers included.
    Auditor,
    /// A person reading their own record: identifiers left out.
    Person,
}

/// Whether a string is a record identifier (a UUID), which means nothing to a person.
fn is_identifier(s: &str) -> bool {
    s.len() == 36 && s.parse::<uuid::Uuid>().is_ok()
}

/// One fact's value in words: times on the UK clock, amounts in pounds, credential types by
/// name, yes or no.
fn value(key: &str, v: &Value, reader: Reader) -> Markup {
    html! {
        @match v {
            Value::Null => "Not set",
            Value::Bool(true) => "Yes",
            Value::Bool(false) => "No",
            Value::Number(n) => {
                @match (key.ends_with("_pence"), n.as_i64()) {
                    (true, Some(p)) => (Pence(p)),
                    _ => (n),
                }
            }
            Value::String(s) if key == "vct" => (type_label(s)),
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
                    (value(key, item, reader))
                }
            }
            Value::Object(_) => (facts(v, reader)),
        }
    }
}

/// An entry's facts as a summary list, one row a fact; a person's own record leaves out the
/// record identifiers.
pub fn facts(v: &Value, reader: Reader) -> Markup {
    let shown = |item: &Value| {
        reader == Reader::Auditor || !matches!(item, Value::String(s) if is_identifier(s))
    };
    html! {
        @match v {
            Value::Object(map) => {
                dl class="nhsuk-summary-list nhsuk-u-margin-bottom-0" {
                    @for (key, item) in map.iter().filter(|(_, item)| shown(item)) {
                        div class="nhsuk-summary-list__row" {
                            dt class="nhsuk-summary-list__key" { (field_name(key.trim_end_matches("_pence"))) }
                            dd class="nhsuk-summary-list__value" { (value(key, item, reader)) }
                        }
                    }
                }
            }
            other => (value("", other, reader)),
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
        let shown = facts(
            &json!({
                "late": true,
                "cancellation_pay_pence": 12345,
                "at": "2026-12-08T07:30:00Z",
                "by": "booking_office",
                "expires_at": null,
                "vct": "urn:staffbank:vct:dbs_check:1",
            }),
            Reader::Auditor,
        )
        .into_string();
        assert!(shown.contains("Yes"), "{shown}");
        assert!(shown.contains("£123.45"), "{shown}");
        assert!(shown.contains("Tue 8 Dec 2026, 07:30"), "{shown}");
        assert!(shown.contains("Cancellation pay"), "{shown}");
        assert!(shown.contains("booking office"), "{shown}");
        assert!(!shown.contains("cancellation_pay"), "{shown}");
        assert!(!shown.contains("booking_office"), "{shown}");
        assert!(!shown.contains("2026-12-08T"), "{shown}");
        assert!(shown.contains("Not set"), "{shown}");
        assert!(!shown.contains("urn:"), "{shown}");
    }

    #[test]
    fn a_person_reads_no_identifiers_an_auditor_does() {
        let entry = json!({ "worker": "01a247f5-c972-7000-8000-d29089a3f4fc", "late": false });
        let person = facts(&entry, Reader::Person).into_string();
        let auditor = facts(&entry, Reader::Auditor).into_string();
        assert!(!person.contains("01a247f5"), "{person}");
        assert!(person.contains("Late"), "{person}");
        assert!(auditor.contains("01a247f5"), "{auditor}");
    }
}
