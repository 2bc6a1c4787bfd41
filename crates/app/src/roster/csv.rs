//! A small, strict CSV reader and writer (RFC 4180: commas, double-quoted fields with `""` for a
//! quote, CRLF or LF line ends), enough for a roster export without another dependency.

/// A CSV file that cannot be read at all, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// A quoted field is never closed.
    #[error("a quoted value that starts on row {0} is never closed with a quotation mark")]
    UnclosedQuote(usize),
    /// Text follows a closing quote in the same field.
    #[error("row {0} has text after a closing quotation mark; put the whole value in quotes")]
    TextAfterQuote(usize),
}

/// Reads every record (a row of fields); wholly blank lines are skipped. Rows are numbered from 1
/// as a spreadsheet numbers them, so a problem can name the row a booker sees.
pub fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut number = 1;
    let mut row_start = 1;
    // Whether the current field began with a quote, and whether that quote is still open.
    let (mut quoted, mut open) = (false, false);
    while let Some(c) = chars.next() {
        if open {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => open = false,
                '\n' => {
                    number += 1;
                    field.push('\n');
                }
                other => field.push(other),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted => (quoted, open) = (true, true),
            ',' => {
                row.push(std::mem::take(&mut field));
                quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                row.push(std::mem::take(&mut field));
                quoted = false;
                if !is_blank(&row) {
                    rows.push((row_start, std::mem::take(&mut row)));
                }
                row.clear();
                number += 1;
                row_start = number;
            }
            _ if quoted => return Err(CsvError::TextAfterQuote(number)),
            other => field.push(other),
        }
    }
    if open {
        return Err(CsvError::UnclosedQuote(row_start));
    }
    row.push(field);
    if !is_blank(&row) {
        rows.push((row_start, row));
    }
    Ok(rows)
}

fn is_blank(row: &[String]) -> bool {
    row.iter().all(|f| f.trim().is_empty())
}

/// One value written as a CSV field: quoted when it holds a comma, quote or line end.
pub fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// One row of values as a CSV line, ending in CRLF.
pub fn line<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = values.into_iter().map(field).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(rows: &[(usize, Vec<String>)]) -> Vec<Vec<&str>> {
        rows.iter()
            .map(|(_, r)| r.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn reads_plain_and_quoted_fields() {
        let rows = records("\u{feff}a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n1,\n").unwrap();
        assert_eq!(
            fields(&rows),
            vec![vec!["a", "b"], vec!["x, y", "say \"hi\""], vec!["1", ""]]
        );
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 2, 4]);
    }

    #[test]
    fn a_quoted_line_end_stays_in_the_field_and_rows_count_on() {
        let rows = records("a\n\"two\nlines\"\nb").unwrap();
        assert_eq!(
            fields(&rows),
            vec![vec!["a"], vec!["two\nlines"], vec!["b"]]
        );
        assert_eq!(rows[2].0, 4);
    }

    #[test]
    fn broken_quotes_are_refused_with_the_row() {
        assert_eq!(records("a\n\"open"), Err(CsvError::UnclosedQuote(2)));
        assert_eq!(records("\"a\"b"), Err(CsvError::TextAfterQuote(1)));
    }

    #[test]
    fn written_fields_read_back() {
        let text = line(["plain", "a,b", "q\"uote"]);
        assert_eq!(
            fields(&records(&text).unwrap()),
            vec![vec!["plain", "a,b", "q\"uote"]]
        );
    }
}
