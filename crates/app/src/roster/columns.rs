//! The columns of a roster file: their names in the header row, which are needed, and what each
//! holds, so the template, the parser and the help text all say the same thing.

/// One column of a roster file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// The ward's name, as on the Wards page.
    Ward,
    /// The day the shift starts.
    Date,
    /// Start time, UK clock.
    Start,
    /// End time, UK clock; earlier than the start means the next day.
    End,
    /// Role title.
    Role,
    /// Staff group.
    StaffGroup,
    /// Lowest grade accepted.
    Grade,
    /// Highest grade accepted (the lowest when left out).
    HighestGrade,
    /// Number of places.
    Places,
    /// Required skills, separated by semicolons.
    Skills,
    /// The bank it is posted to (the trust's own bank when left out).
    Bank,
    /// A premium on the base rate, percent.
    Premium,
}

impl Column {
    /// Every column, in the template's order.
    pub const ALL: [Column; 12] = [
        Self::Ward,
        Self::Date,
        Self::Start,
        Self::End,
        Self::Role,
        Self::StaffGroup,
        Self::Grade,
        Self::HighestGrade,
        Self::Places,
        Self::Skills,
        Self::Bank,
        Self::Premium,
    ];

    /// The name in the header row (matched without regard to case, spaces or underscores).
    pub fn header(self) -> &'static str {
        match self {
            Self::Ward => "Ward",
            Self::Date => "Date",
            Self::Start => "Start",
            Self::End => "End",
            Self::Role => "Role",
            Self::StaffGroup => "Staff group",
            Self::Grade => "Grade",
            Self::HighestGrade => "Highest grade",
            Self::Places => "Places",
            Self::Skills => "Skills",
            Self::Bank => "Bank",
            Self::Premium => "Premium",
        }
    }

    /// Whether every row must give it.
    pub fn required(self) -> bool {
        matches!(
            self,
            Self::Ward
                | Self::Date
                | Self::Start
                | Self::End
                | Self::Role
                | Self::StaffGroup
                | Self::Grade
        )
    }

    /// What the column holds, for the help beside the upload.
    pub fn help(self) -> &'static str {
        match self {
            Self::Ward => "the ward's name as on the Wards page; add the site after a comma if two wards share a name",
            Self::Date => "the day the shift starts, as 14/12/2026 or 2026-12-14",
            Self::Start => "start time on the 24-hour UK clock, e.g. 07:30",
            Self::End => "end time, e.g. 19:30; earlier than the start means the next day",
            Self::Role => "role title, e.g. Staff nurse",
            Self::StaffGroup => "e.g. Nursing and midwifery, Medical, Allied health, Healthcare support, Admin and clerical",
            Self::Grade => "the lowest grade accepted, e.g. Band 5 or Foundation year 2",
            Self::HighestGrade => "optional: the highest grade accepted, if more than one",
            Self::Places => "optional: how many people are needed (1 to 50; 1 when blank)",
            Self::Skills => "optional: required skills separated by semicolons",
            Self::Bank => "optional: the bank's name (the trust's own bank when blank)",
            Self::Premium => "optional: a premium on each worker's base rate, in whole percent",
        }
    }

    /// The column a header names, if any.
    pub fn from_header(raw: &str) -> Option<Self> {
        let wanted = normalise(raw);
        Self::ALL
            .into_iter()
            .find(|c| normalise(c.header()) == wanted)
    }

    /// The request field of a posted shift that this column fills, for naming a problem the
    /// posting rules found.
    pub(crate) fn for_field(field: &str) -> Option<Self> {
        Some(match field {
            "ward_id" => Self::Ward,
            "bank_id" | "collaborative_bank_id" => Self::Bank,
            "role" => Self::Role,
            "staff_group" => Self::StaffGroup,
            "grade_min" => Self::Grade,
            "grade_max" => Self::HighestGrade,
            "required_skills" => Self::Skills,
            "starts_at" => Self::Start,
            "ends_at" => Self::End,
            "places" => Self::Places,
            "premium_percent" | "premium_override_reason" => Self::Premium,
            _ => return None,
        })
    }
}

/// Lower case, with underscores, hyphens and runs of spaces as one space.
pub(crate) fn normalise(raw: &str) -> String {
    raw.to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_loosely() {
        assert_eq!(
            Column::from_header(" staff_group "),
            Some(Column::StaffGroup)
        );
        assert_eq!(
            Column::from_header("Highest  Grade"),
            Some(Column::HighestGrade)
        );
        assert_eq!(Column::from_header("shoe size"), None);
    }
}
