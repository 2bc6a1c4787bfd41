//! Notification messages in plain UK English, built from an outbox event's payload.

use chrono::{DateTime, Utc};
use serde_json::Value;
use staffbank_domain::shift::RULES_ZONE;
use staffbank_store::OutboxEvent;

/// A message ready for any channel: a short subject and a plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// One line, e.g. "Shift offered: Staff nurse, Ward 16".
    pub subject: String,
    /// The whole message.
    pub body: String,
    /// The page it leads to, a path such as `/shifts/…`, for alerts that open it when tapped.
    pub path: String,
}

/// A shift's time on the UK wall clock, e.g. "Tue 8 Dec, 07:30 to 19:30".
pub fn shift_time(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let s = start.with_timezone(&RULES_ZONE);
    let e = end.with_timezone(&RULES_ZONE);
    let end_day = if s.date_naive() == e.date_naive() {
        String::new()
    } else {
        e.format(" %a %-d %b,").to_string()
    };
    format!(
        "{}, {} to{} {}",
        s.format("%a %-d %b"),
        s.format("%H:%M"),
        end_day,
        e.format("%H:%M")
    )
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn instant(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    serde_json::from_value(v.get(key)?.clone()).ok()
}

/// What an escalation's kind means, in words.
fn escalation_words(kind: &str) -> &'static str {
    match kind {
        "no_show" => "A booked worker has not signed on for their shift",
        "not_booked_worker" => "Someone other than the booked worker tried to sign on",
        "timesheet_waiting" => "A timesheet is waiting for your approval",
        _ => "Something on your ward needs your attention",
    }
}

/// The message an event becomes, with links built on `public_url`; `None` for events that are
/// not sent to people.
pub fn message(event: &OutboxEvent, public_url: &str) -> Option<Message> {
    let payload: Value = serde_json::from_str(&event.payload).ok()?;
    if event.topic == crate::offers::OFFER_TOPIC {
        let shift = payload.get("shift")?;
        let (start, end) = (instant(shift, "starts_at")?, instant(shift, "ends_at")?);
        let what = format!(
            "{}, {}, {}",
            text(shift, "role"),
            text(shift, "ward_name"),
            text(shift, "site_name")
        );
        let link = format!("{public_url}/shifts/{}", text(shift, "id"));
        return Some(Message {
            subject: format!(
                "Shift offered: {}, {}",
                text(shift, "role"),
                text(shift, "ward_name")
            ),
            body: format!("{what}, {} — book it: {link}\r\n", shift_time(start, end)),
            path: format!("/shifts/{}", text(shift, "id")),
        });
    }
    if event.topic == super::withdrawals::WITHDRAWN_TOPIC {
        let shift = payload.get("shift")?;
        let (start, end) = (instant(shift, "starts_at")?, instant(shift, "ends_at")?);
        let what = format!("{}, {}", text(shift, "role"), text(shift, "ward_name"));
        let why = if text(&payload, "reason") == "cancelled" {
            "it has been cancelled"
        } else {
            "it has been filled"
        };
        return Some(Message {
            subject: format!("Shift no longer available: {what}"),
            body: format!(
                "Shift no longer available: {what}, {} — {why}\r\n\r\n\
                 Other shifts you can book: {public_url}/shifts\r\n",
                shift_time(start, end)
            ),
            path: "/shifts".to_owned(),
        });
    }
    if event.topic == crate::retention::MESSAGE_TOPIC {
        let trust = text(&payload, "trust_name");
        return Some(Message {
            subject: format!("A message from the {trust} bank office"),
            body: format!(
                "{}\r\n\r\nShifts you can book: {public_url}/shifts\r\n",
                text(&payload, "message")
            ),
            path: "/shifts".to_owned(),
        });
    }
    if let Some(kind) = event.topic.strip_prefix("escalation.") {
        let words = escalation_words(kind);
        return Some(Message {
            subject: words.to_owned(),
            body: format!(
                "{words}.\r\n\r\n{}\r\n\r\nSee it and decide what to do: {public_url}/manage\r\n",
                text(&payload, "detail")
            ),
            path: "/manage".to_owned(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_offer_reads_as_a_sentence_with_its_link() {
        let start = Utc.with_ymd_and_hms(2026, 12, 8, 7, 30, 0).unwrap();
        let event = OutboxEvent {
            id: uuid::Uuid::nil(),
            topic: "offer.made".into(),
            worker_id: None,
            payload: serde_json::json!({"shift": {"id": "abc", "role": "Staff nurse",
                "ward_name": "Ward 16", "site_name": "Royal Preston Hospital",
                "starts_at": start, "ends_at": start + chrono::Duration::hours(12)}})
            .to_string(),
            created_at: start,
        };
        let m = message(&event, "https://bank.example").unwrap();
        assert!(m.body.starts_with(
            "Staff nurse, Ward 16, Royal Preston Hospital, Tue 8 Dec, 07:30 to 19:30 — \
             book it: https://bank.example/shifts/abc"
        ));
    }

    #[test]
    fn a_withdrawal_says_the_shift_went_and_why() {
        let start = Utc.with_ymd_and_hms(2026, 12, 8, 7, 30, 0).unwrap();
        let shift = serde_json::json!({"id": "abc", "role": "Staff nurse",
            "ward_name": "Ward 16", "starts_at": start,
            "ends_at": start + chrono::Duration::hours(12)});
        for reason in ["filled", "cancelled"] {
            let event = OutboxEvent {
                id: uuid::Uuid::nil(),
                topic: "offer.withdrawn".into(),
                worker_id: None,
                payload: serde_json::json!({"shift": shift, "reason": reason}).to_string(),
                created_at: start,
            };
            let m = message(&event, "https://bank.example").unwrap();
            assert_eq!(m.subject, "Shift no longer available: Staff nurse, Ward 16");
            let wanted = format!(
                "Shift no longer available: Staff nurse, Ward 16, Tue 8 Dec, 07:30 to 19:30 \
                 — it has been {reason}\r\n"
            );
            assert!(m.body.starts_with(&wanted), "{}", m.body);
        }
    }
}
