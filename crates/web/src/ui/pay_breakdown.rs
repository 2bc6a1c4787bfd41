//! A pay line set out for a person: the base rate, each kind of time with its enhancement, the
//! premium, holiday pay and the total, so whoever approves or is paid sees how it adds up.

use chrono::{DateTime, Utc};
use maud::{html, Markup};
use staffbank_domain::pay::{PayLine, Pence, TimeKind};
use staffbank_domain::shift::RULES_ZONE;

/// The name of a kind of time, as a pay slip says it.
pub fn time_kind(kind: TimeKind) -> &'static str {
    match kind {
        TimeKind::Plain => "Plain time",
        TimeKind::NightOrSaturday => "Night or Saturday time",
        TimeKind::SundayOrHoliday => "Sunday or bank holiday time",
    }
}

/// Hours and minutes, e.g. "11 hours 30 minutes".
pub fn duration(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    let hours = match h {
        0 => String::new(),
        1 => "1 hour".to_owned(),
        h => format!("{h} hours"),
    };
    match (h, m) {
        (_, 0) if h > 0 => hours,
        (0, m) => format!("{m} minutes"),
        (_, m) => format!("{hours} {m} minutes"),
    }
}

fn clock(at: DateTime<Utc>) -> String {
    at.with_timezone(&RULES_ZONE)
        .format("%a %-d %b, %H:%M")
        .to_string()
}

/// The line as an NHS.UK summary list.
pub fn pay_breakdown(line: &PayLine) -> Markup {
    html! {
        dl class="nhsuk-summary-list" {
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Base rate" }
                dd class="nhsuk-summary-list__value" { (Pence(line.base_rate)) " an hour" }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Time paid" }
                dd class="nhsuk-summary-list__value" { (duration(line.seconds)) }
            }
            @for part in &line.parts {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { (time_kind(part.kind)) }
                    dd class="nhsuk-summary-list__value" {
                        (clock(part.start)) " to " (clock(part.end)) ", " (duration(part.seconds))
                        @if part.enhancement > 0 { ", plus " (part.enhancement) "%" }
                        ": " (part.amount)
                    }
                }
            }
            @if line.premium.0 > 0 {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Premium" }
                    dd class="nhsuk-summary-list__value" { (line.premium.0) "% of base: " (line.premium.1) }
                }
            }
            @if line.holiday_pay.0 != 0 {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Holiday pay" }
                    dd class="nhsuk-summary-list__value" { (line.holiday_pay) }
                }
            }
            div class="nhsuk-summary-list__row" {
                dt class="nhsuk-summary-list__key" { "Total" }
                dd class="nhsuk-summary-list__value" { strong { (line.total) } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_read_as_hours_and_minutes() {
        assert_eq!(duration(0), "0 minutes");
        assert_eq!(duration(45 * 60), "45 minutes");
        assert_eq!(duration(3600), "1 hour");
        assert_eq!(duration(11 * 3600 + 30 * 60), "11 hours 30 minutes");
        assert_eq!(duration(12 * 3600), "12 hours");
    }
}
