//! The payroll export: one CSV file per closed pay run, shaped like a payroll system's upload
//! (a header row, one detail record per line, and a trailer record with the count and total so
//! the receiving system can tell a complete file from a cut-off one).
//!
//! Columns, in order:
//!
//! | column | meaning |
//! | --- | --- |
//! | `record_type` | `D` for a detail record, `T` for the trailer |
//! | `pay_run` | the pay run's identifier |
//! | `employer` | the paying trust's name |
//! | `period_start` | the period's first day (UK date) |
//! | `period_end` | its last day |
//! | `staff_reference` | the worker's identifier on the platform |
//! | `staff_name` | the worker's name |
//! | `line` | the pay line or advance identifier |
//! | `element` | `bank_shift`, `adjustment`, `cancellation_payment` or `advance_recovery` |
//! | `shift` | the shift paid (empty for an advance) |
//! | `work_date` | the UK date the shift started (empty for an advance) |
//! | `hours` | hours paid, to two decimal places |
//! | `amount_pence` | the amount in pence (negative for a recovery) |
//! | `amount` | the same in pounds, e.g. `123.45` |
//!
//! The trailer carries the number of detail records in `line` and their total in
//! `amount_pence` and `amount`. Text is quoted as RFC 4180 says, and text that a spreadsheet
//! would run as a formula (starting `=`, `+`, `-`, `@`, tab or carriage return) is prefixed
//! with `'`, as OWASP advises against CSV injection.

use chrono::NaiveDate;
use uuid::Uuid;

/// The export's header row.
pub const HEADER: &str = "record_type,pay_run,employer,period_start,period_end,staff_reference,\
staff_name,line,element,shift,work_date,hours,amount_pence,amount";

/// What one detail record pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportLine {
    /// The worker.
    pub staff_reference: Uuid,
    /// Their name.
    pub staff_name: String,
    /// The pay line or advance.
    pub line: Uuid,
    /// `bank_shift`, `adjustment`, `cancellation_payment` or `advance_recovery`.
    pub element: &'static str,
    /// The shift and the date it started, for pay.
    pub shift: Option<(Uuid, NaiveDate)>,
    /// Seconds paid.
    pub seconds: i64,
    /// Pence.
    pub amount: i64,
}

/// The run a file is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRun {
    /// The pay run.
    pub id: Uuid,
    /// The paying trust's name.
    pub employer: String,
    /// Its first day.
    pub first_day: NaiveDate,
    /// Its last day.
    pub last_day: NaiveDate,
}

fn text(raw: &str) -> String {
    let guarded = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn pounds(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn hours(seconds: i64) -> String {
    // Hundredths of an hour, rounded half up: 36 seconds each.
    let hundredths = (seconds.max(0) + 18) / 36;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// The whole file for a run, lines in the order given (the store gives them by worker and
/// line), ending with a newline.
pub fn payroll_csv(run: &ExportRun, lines: &[ExportLine]) -> String {
    let mut out = String::with_capacity(160 * (lines.len() + 2));
    out.push_str(HEADER);
    out.push_str("\r\n");
    let common = format!(
        "{},{},{},{}",
        run.id,
        text(&run.employer),
        run.first_day,
        run.last_day
    );
    let mut total: i64 = 0;
    for l in lines {
        total = total.saturating_add(l.amount);
        let (shift, date) = l.shift.map_or((String::new(), String::new()), |(s, d)| {
            (s.to_string(), d.to_string())
        });
        out.push_str(&format!(
            "D,{common},{},{},{},{},{shift},{date},{},{},{}\r\n",
            l.staff_reference,
            text(&l.staff_name),
            l.line,
            l.element,
            hours(l.seconds),
            l.amount,
            pounds(l.amount)
        ));
    }
    out.push_str(&format!(
        "T,{common},,,{},,,,,{total},{}\r\n",
        lines.len(),
        pounds(total)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> ExportRun {
        ExportRun {
            id: Uuid::nil(),
            employer: "Demo, \"Teaching\" Trust".into(),
            first_day: NaiveDate::from_ymd_opt(2026, 3, 23).unwrap(),
            last_day: NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
        }
    }

    #[test]
    fn a_file_has_header_details_and_a_trailer_that_adds_up() {
        let lines = vec![
            ExportLine {
                staff_reference: Uuid::from_u128(1),
                staff_name: "=HYPERLINK(\"x\")".into(),
                line: Uuid::from_u128(2),
                element: "bank_shift",
                shift: Some((
                    Uuid::from_u128(3),
                    NaiveDate::from_ymd_opt(2026, 3, 24).unwrap(),
                )),
                seconds: 11 * 3600 + 30 * 60,
                amount: 24_350,
            },
            ExportLine {
                staff_reference: Uuid::from_u128(1),
                staff_name: "Ann".into(),
                line: Uuid::from_u128(4),
                element: "advance_recovery",
                shift: None,
                seconds: 0,
                amount: -5_005,
            },
        ];
        let file = payroll_csv(&run(), &lines);
        let rows: Vec<&str> = file.split("\r\n").collect();
        assert_eq!(rows.len(), 5, "{file}");
        assert_eq!(rows[0], HEADER);
        assert_eq!(rows[4], "");
        // The name that looks like a formula is defused and quoted; the employer is quoted.
        assert!(
            rows[1].contains(",\"'=HYPERLINK(\"\"x\"\")\","),
            "{}",
            rows[1]
        );
        assert!(rows[1].contains(",\"Demo, \"\"Teaching\"\" Trust\","));
        assert!(
            rows[1].ends_with(",2026-03-24,11.50,24350,243.50"),
            "{}",
            rows[1]
        );
        assert!(
            rows[2].ends_with(",advance_recovery,,,0.00,-5005,-50.05"),
            "{}",
            rows[2]
        );
        assert!(rows[3].starts_with("T,"));
        assert!(rows[3].ends_with(",,,2,,,,,19345,193.45"), "{}", rows[3]);
        // Every record has the header's number of fields outside quotes.
        assert_eq!(HEADER.split(',').count(), 14);
        assert_eq!(
            rows[3].split(',').count(),
            14 + 1,
            "the employer's comma is quoted"
        );
    }

    #[test]
    fn hours_round_to_hundredths() {
        assert_eq!(hours(3600), "1.00");
        assert_eq!(hours(17), "0.00");
        assert_eq!(hours(18), "0.01");
        assert_eq!(hours(13 * 3600), "13.00");
    }
}
