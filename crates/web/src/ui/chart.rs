//! Charts drawn on the server as SVG, so they show under the strict content security policy (no
//! script, no inline styles: colours and sizes are SVG attributes). Every chart names itself to
//! screen readers (`<title>` and `<desc>`) and is followed by a table of the same figures, which
//! is what assistive technology and anyone who prefers numbers reads.

use maud::{html, Markup};
use staffbank_domain::pay::Pence;

/// The NHS identity palette, in the order series take it (NHS Blue, Dark Green, Purple, Warm
/// Yellow, Red): distinguishable at a glance and each above 3:1 against white except yellow,
/// which is only ever a fourth series and is always named in the legend and table.
const COLOURS: [&str; 5] = ["#005eb8", "#007f3b", "#330072", "#ffb81c", "#d5281b"];

/// What a chart's numbers are, so axis labels, legends and tables say them in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A plain count, e.g. shifts.
    Count,
    /// Money in whole pence, shown in pounds.
    Pence,
    /// A whole percentage, e.g. a group's share of shifts.
    Percent,
}

impl Measure {
    /// A value as a person reads it: "1,234", "£12.50".
    pub fn show(self, value: i64) -> String {
        match self {
            Measure::Count => grouped(value),
            Measure::Pence => Pence(value).to_string(),
            Measure::Percent => format!("{value}%"),
        }
    }
}

/// A whole number with thousands separated by commas.
pub fn grouped(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// What every chart needs said about it.
pub struct Chart<'a> {
    /// A page-unique id, used to tie the SVG to its title and description.
    pub id: &'a str,
    /// The chart's heading, e.g. "Shifts filled, by ward".
    pub title: &'a str,
    /// One sentence on what the chart shows, read out by screen readers.
    pub summary: &'a str,
    /// What its numbers are.
    pub measure: Measure,
}

/// Width of every chart's drawing, in SVG units; it scales to the width of the page.
const WIDTH: i64 = 320;

/// A horizontal bar chart, one bar per row with its label above it (so long ward names fit at
/// 320 px), then the figures as a table.
pub fn bar_chart(chart: &Chart, rows: &[(String, i64)]) -> Markup {
    const ROW: i64 = 36;
    let top = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = ROW * rows.len().max(1) as i64;
    html! {
        figure class="app-chart" {
            (drawing(chart, height, html! {
            @if rows.is_empty() {
                text x="0" y="20" font-size="13" fill="#4c6272" { "Nothing in this period." }
            }
            @for (i, (label, value)) in rows.iter().enumerate() {
                @let y = i as i64 * ROW;
                @let length = (value.max(&0) * (WIDTH - 90)) / top;
                text x="0" y=(y + 13) font-size="12" fill="#212b32" { (label) }
                rect x="0" y=(y + 17) width=(length.max(1)) height="14" fill=(COLOURS[0]) {}
                text x=(length + 4) y=(y + 29) font-size="12" fill="#212b32" { (chart.measure.show(*value)) }
            }
            }))
        }
        (figures_table(chart.title, &["", "Value"], rows.iter().map(|(label, value)| {
            (label.clone(), vec![chart.measure.show(*value)])
        })))
    }
}

/// A line chart over time (e.g. week by week), one line per series with a legend, then the
/// figures as a table with a row per point in time.
pub fn trend_chart(chart: &Chart, points: &[String], series: &[(&str, Vec<i64>)]) -> Markup {
    const HEIGHT: i64 = 170;
    const PLOT_TOP: i64 = 16;
    const PLOT_BOTTOM: i64 = 140;
    const LEFT: i64 = 4;
    let values = series.iter().flat_map(|(_, v)| v.iter().copied());
    let top = values.clone().max().unwrap_or(0).max(1);
    let bottom = values.min().unwrap_or(0).min(0);
    let span = (top - bottom).max(1);
    let step = if points.len() > 1 {
        (WIDTH - LEFT * 2) as f64 / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| LEFT as f64 + step * i as f64;
    let y = |v: i64| {
        PLOT_BOTTOM as f64 - ((v - bottom) as f64 * (PLOT_BOTTOM - PLOT_TOP) as f64) / span as f64
    };
    let mut header = vec![""];
    header.extend(series.iter().map(|(name, _)| *name));
    html! {
        figure class="app-chart" {
            (drawing(chart, HEIGHT, html! {
            line x1=(LEFT) y1=(PLOT_BOTTOM) x2=(WIDTH - LEFT) y2=(PLOT_BOTTOM) stroke="#aeb7bd" stroke-width="1" {}
            text x=(LEFT) y="11" font-size="11" fill="#4c6272" { "Highest " (chart.measure.show(top)) }
            @if let (Some(first), Some(last)) = (points.first(), points.last()) {
                text x=(LEFT) y=(HEIGHT - 12) font-size="11" fill="#4c6272" { (first) }
                text x=(WIDTH - LEFT) y=(HEIGHT - 12) font-size="11" fill="#4c6272" text-anchor="end" { (last) }
            }
            @if points.is_empty() {
                text x=(LEFT) y="80" font-size="13" fill="#4c6272" { "Nothing in this period." }
            }
            @for (n, (_, values)) in series.iter().enumerate() {
                @let colour = COLOURS[n % COLOURS.len()];
                @let line: Vec<String> = values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect();
                polyline points=(line.join(" ")) fill="none" stroke=(colour) stroke-width="2" {}
                @for (i, v) in values.iter().enumerate() {
                    circle cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*v))) r="2.5" fill=(colour) {}
                }
            }
            }))
            @if series.len() > 1 {
                figcaption {
                    ul class="nhsuk-list app-legend" {
                        @for (n, (name, _)) in series.iter().enumerate() {
                            li {
                                svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false" {
                                    rect width="14" height="14" fill=(COLOURS[n % COLOURS.len()]) {}
                                }
                                " " (name)
                            }
                        }
                    }
                }
            }
        }
        (figures_table(chart.title, &header, points.iter().enumerate().map(|(i, point)| {
            (point.clone(), series.iter().map(|(_, v)| v.get(i).map_or_else(String::new, |v| chart.measure.show(*v))).collect())
        })))
    }
}

/// The `<svg>` element around a chart's drawing, with its accessible name and description.
fn drawing(chart: &Chart, height: i64, content: Markup) -> Markup {
    html! {
        svg role="img" viewBox=(format!("0 0 {WIDTH} {height}")) width="100%"
            preserveAspectRatio="xMinYMin meet"
            aria-labelledby=(format!("{0}-title {0}-desc", chart.id)) {
            title id=(format!("{}-title", chart.id)) { (chart.title) }
            desc id=(format!("{}-desc", chart.id)) { (chart.summary) }
            (content)
        }
    }
}

/// The figures behind a chart: a caption, a header row, then one row per label.
fn figures_table(
    caption: &str,
    header: &[&str],
    rows: impl Iterator<Item = (String, Vec<String>)>,
) -> Markup {
    html! {
        details class="nhsuk-details" {
            summary class="nhsuk-details__summary" {
                span class="nhsuk-details__summary-text" { "Figures: " (caption) }
            }
            div class="nhsuk-details__text" {
                table class="nhsuk-table-responsive" {
                    caption class="nhsuk-table__caption nhsuk-u-visually-hidden" { (caption) }
                    thead role="rowgroup" class="nhsuk-table__head" { tr role="row" {
                        @for (i, h) in header.iter().enumerate() {
                            th role="columnheader" scope="col" class=(if i == 0 { "" } else { "nhsuk-table__header--numeric" }) {
                                @if i == 0 && h.is_empty() { span class="nhsuk-u-visually-hidden" { "Label" } } @else { (h) }
                            }
                        }
                    } }
                    tbody class="nhsuk-table__body" {
                        @for (label, cells) in rows {
                            tr role="row" class="nhsuk-table__row" {
                                th role="rowheader" scope="row" class="nhsuk-table__cell" { (label) }
                                @for (i, cell) in cells.iter().enumerate() {
                                    td role="cell" class="nhsuk-table__cell nhsuk-table__cell--numeric" {
                                        span class="nhsuk-table-responsive__heading" aria-hidden="true" { (header.get(i + 1).copied().unwrap_or("")) " " }
                                        (cell)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_read_as_words() {
        assert_eq!(Measure::Count.show(1_234_567), "1,234,567");
        assert_eq!(Measure::Count.show(-12), "-12");
        assert_eq!(Measure::Pence.show(123_456), "£1,234.56");
        assert_eq!(Measure::Percent.show(31), "31%");
    }

    fn chart() -> Chart<'static> {
        Chart {
            id: "fill",
            title: "Shifts <filled>",
            summary: "How many shifts each ward filled.",
            measure: Measure::Count,
        }
    }

    #[test]
    fn a_bar_chart_names_itself_and_carries_its_figures() {
        let out =
            bar_chart(&chart(), &[("Ward <A>".into(), 10), ("Ward B".into(), 5)]).into_string();
        assert!(out.contains("aria-labelledby=\"fill-title fill-desc\""));
        assert!(out.contains("<title id=\"fill-title\">Shifts &lt;filled&gt;</title>"));
        assert!(out.contains("Ward &lt;A&gt;"), "labels are escaped: {out}");
        assert!(!out.contains("style="), "no inline styles under the CSP");
        // the longest bar is the largest value; the other is in proportion
        assert!(out.contains("width=\"230\""));
        assert!(out.contains("width=\"115\""));
        assert_eq!(
            out.matches("<tr role=\"row\" class=\"nhsuk-table__row\">")
                .count(),
            2
        );
    }

    #[test]
    fn a_trend_chart_draws_every_series_and_tabulates_every_point() {
        let weeks = vec![
            "Mon 7 Dec".to_owned(),
            "Mon 14 Dec".to_owned(),
            "Mon 21 Dec".to_owned(),
        ];
        let out = trend_chart(
            &chart(),
            &weeks,
            &[("Own bank", vec![1, 2, 3]), ("Agency", vec![0, 5, 1])],
        )
        .into_string();
        assert_eq!(out.matches("<polyline").count(), 2);
        assert_eq!(out.matches("<circle").count(), 6);
        assert!(out.contains("Highest 5"));
        assert!(out.contains("Own bank") && out.contains("Agency"));
        assert_eq!(
            out.matches("<tr role=\"row\" class=\"nhsuk-table__row\">")
                .count(),
            3
        );
    }

    #[test]
    fn empty_charts_say_so() {
        assert!(bar_chart(&chart(), &[])
            .into_string()
            .contains("Nothing in this period."));
        assert!(trend_chart(&chart(), &[], &[])
            .into_string()
            .contains("Nothing in this period."));
    }
}
