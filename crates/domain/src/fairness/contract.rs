//! A bank member's contract, part-time or full-time: one of the groupings the fairness auditor
//! compares, since part-time staff are a group the NHS watches for fair access to work. Recorded
//! by the bank office of each bank (it is an employment fact, not something the worker declares).

/// Part-time or full-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Contract {
    /// Contracted for fewer than full-time hours.
    PartTime,
    /// Contracted for full-time hours.
    FullTime,
}

impl Contract {
    /// Both, in the order forms offer them.
    pub const ALL: [Contract; 2] = [Contract::PartTime, Contract::FullTime];

    /// Stable name used in storage, the API and the report's groups.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PartTime => "part_time",
            Self::FullTime => "full_time",
        }
    }

    /// Parses a stable name; anything else is refused.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    /// In words, for pages: "Part-time".
    pub fn label(self) -> &'static str {
        match self {
            Self::PartTime => "Part-time",
            Self::FullTime => "Full-time",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_others_are_refused() {
        for c in Contract::ALL {
            assert_eq!(Contract::parse(c.as_str()), Some(c));
        }
        assert_eq!(Contract::parse("Part-time"), None);
        assert_eq!(Contract::parse(""), None);
    }
}
