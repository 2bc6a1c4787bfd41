//! Tables as CSV downloads (RFC 4180), for bank offices to take figures into a spreadsheet.
//!
//! A text cell that a spreadsheet would run as a formula (one starting `=`, `+`, `-`, `@`, a tab
//! or a carriage return) is prefixed with an apostrophe, as OWASP's "CSV injection" guidance
//! advises; numbers, including negative ones, are left as they are.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A CSV attachment named `file_name` (letters, digits, `-`, `_` and `.` only; anything else
/// becomes `-`), with a header row then one line per row, each ending CRLF.
pub fn csv_file(file_name: &str, header: &[&str], rows: &[Vec<String>]) -> Response {
    let name: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv_text(header, rows),
    )
        .into_response()
}

/// The file's text: header row, then rows, each line ending CRLF.
pub fn csv_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let cells: Vec<String> = cells.map(cell).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(&mut out, &mut header.iter().copied());
    for row in rows {
        line(&mut out, &mut row.iter().map(String::as_str));
    }
    out
}

/// One cell, quoted when it holds a comma, quote or line break, and defused when a spreadsheet
/// would read it as a formula.
fn cell(value: &str) -> String {
    let is_number = value.parse::<f64>().is_ok();
    let risky = !is_number && value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let text = csv_text(
            &["Ward", "Shifts"],
            &[
                vec!["Ward \"A\", east".into(), "-3".into()],
                vec!["=HYPERLINK(\"x\")".into(), "12.5".into()],
                vec!["@SUM(A1)".into(), "0".into()],
            ],
        );
        assert_eq!(
            text,
            "Ward,Shifts\r\n\"Ward \"\"A\"\", east\",-3\r\n\"'=HYPERLINK(\"\"x\"\")\",12.5\r\n'@SUM(A1),0\r\n"
        );
    }
}
