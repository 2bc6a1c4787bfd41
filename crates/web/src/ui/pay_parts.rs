//! Pieces the pay pages share: an error summary whose messages link to the fields they are
//! about, a success message, and a worker's pay set out line by line.

use maud::{html, Markup};
use staffbank_app::pay_run_views::WorkerPay;
use staffbank_app::timesheets::PayLineView;
use staffbank_app::AppError;

use super::layout::{capitalise, field_name, messages};

/// A problem to show, and the id of the field it is about (if any), so the error summary can
/// link to it.
pub struct FieldProblem {
    /// The input's id.
    pub field: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl FieldProblem {
    /// A problem about one field.
    pub fn at(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }
}

/// An app error as problems, each field error linked to the input `input_id` names for it
/// (`None` leaves it unlinked, named in words).
pub fn problems_of(
    error: &AppError,
    input_id: impl Fn(&str) -> Option<String>,
) -> Vec<FieldProblem> {
    match error {
        AppError::Validation(fields) => fields
            .iter()
            .map(|f| match input_id(&f.field) {
                Some(id) => FieldProblem {
                    field: Some(id),
                    message: capitalise(&f.message),
                },
                None => FieldProblem {
                    field: None,
                    message: format!("{}: {}", field_name(&f.field), f.message),
                },
            })
            .collect(),
        other => messages(other)
            .into_iter()
            .map(|message| FieldProblem {
                field: None,
                message,
            })
            .collect(),
    }
}

/// The NHS.UK error summary, each message a link to its field where it has one.
pub fn linked_error_summary(problems: &[FieldProblem]) -> Markup {
    html! {
        @if !problems.is_empty() {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" {
                        @for p in problems {
                            li {
                                @if let Some(id) = &p.field { a href=(format!("#{id}")) { (p.message) } }
                                @else { (p.message) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The message for one field, shown above its input, if there is one.
pub fn field_error(problems: &[FieldProblem], id: &str) -> Option<String> {
    problems
        .iter()
        .find(|p| p.field.as_deref() == Some(id))
        .map(|p| p.message.clone())
}

/// A message saying something was done.
pub fn success(message: &str) -> Markup {
    html! {
        div class="nhsuk-inset-text" role="status" {
            span class="nhsuk-u-visually-hidden" { "Success: " }
            p { (message) }
        }
    }
}

/// What a pay line pays for, in words.
pub fn line_kind(kind: &str) -> &'static str {
    match kind {
        "adjustment" => "Correction by payroll",
        "cancellation" => "Late cancellation by the trust",
        _ => "Bank shift",
    }
}

/// One pay line as a table row: its date, what it is with how it was worked out, its amount.
pub fn line_row(line: &PayLineView) -> Markup {
    html! {
        tr class="nhsuk-table__row" {
            td class="nhsuk-table__cell" { (line.work_date.format("%a %-d %b %Y")) }
            td class="nhsuk-table__cell" {
                (line_kind(&line.kind))
                @if !line.explanation.is_empty() {
                    details class="nhsuk-details nhsuk-u-margin-bottom-0" {
                        summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "How it was worked out" } }
                        div class="nhsuk-details__text" { ul { @for e in &line.explanation { li { (e) } } } }
                    }
                }
            }
            td class="nhsuk-table__cell app-amount" { (line.amount) }
        }
    }
}

/// A worker's pay in a run: each line, each advance taken back, and their total.
pub fn worker_card(w: &WorkerPay) -> Markup {
    html! {
        div class="nhsuk-card" { div class="nhsuk-card__content" {
            h3 class="nhsuk-card__heading nhsuk-heading-m" { (w.name) ": " (w.total) }
            table class="nhsuk-table" {
                caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { "What " (w.name) " is paid" }
                thead class="nhsuk-table__head" { tr {
                    th scope="col" { "Date" } th scope="col" { "What" } th scope="col" class="app-amount" { "Amount" }
                } }
                tbody class="nhsuk-table__body" {
                    @for line in &w.lines { (line_row(line)) }
                    @for a in &w.advances {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { (a.drawn_at.with_timezone(&staffbank_domain::shift::RULES_ZONE).format("%a %-d %b %Y")) }
                            td class="nhsuk-table__cell" { "Advance taken back" }
                            td class="nhsuk-table__cell app-amount" { "-" (a.amount) }
                        }
                    }
                    tr class="nhsuk-table__row" {
                        th scope="row" colspan="2" class="nhsuk-table__cell" { "Total" }
                        td class="nhsuk-table__cell app-amount" { strong { (w.total) } }
                    }
                }
            }
        } }
    }
}

#[cfg(test)]
mod tests {
    use super::{line_row, linked_error_summary, FieldProblem};
    use staffbank_app::timesheets::PayLineView;
    use uuid::Uuid;

    #[test]
    fn a_late_cancellation_reads_as_a_line_with_its_parts() {
        let line = PayLineView {
            id: Uuid::nil(),
            timesheet_id: None,
            shift_id: Uuid::nil(),
            work_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
            kind: "cancellation".into(),
            amount_pence: 23_196,
            amount: "£231.96".into(),
            explanation: vec!["Cancelled by the trust 20h 00m before the start".into()],
            org_id: Uuid::nil(),
            pay_run_id: None,
        };
        let html = line_row(&line).into_string();
        assert!(html.contains("Tue 8 Dec 2026"), "{html}");
        assert!(html.contains("Late cancellation by the trust"), "{html}");
        assert!(html.contains("<li>Cancelled by the trust 20h 00m before the start</li>"));
        assert!(html.contains("£231.96"));
        assert!(
            !html.contains("cancellation<"),
            "no stored kind on screen: {html}"
        );
    }

    #[test]
    fn a_field_problem_links_to_its_field() {
        let html = linked_error_summary(&[
            FieldProblem::at("premium_cap", "Enter a premium cap"),
            FieldProblem {
                field: None,
                message: "Something else".into(),
            },
        ])
        .into_string();
        assert!(html.contains(r##"<a href="#premium_cap">Enter a premium cap</a>"##));
        assert!(html.contains("<li>Something else</li>"));
    }
}
