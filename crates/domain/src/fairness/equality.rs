//! Voluntary, self-declared protected characteristics a worker may give for the fairness audit.
//!
//! Categories follow the NHS equality standards and the ONS: sex as the 2021 Census asks it
//! (ONS, "Sex variable: Census 2021"); ethnic group as the five high-level groups of the 2021
//! Census for England and Wales (ONS, "Ethnic group classifications: Census 2021"), which the NHS
//! Workforce Race Equality Standard aggregates to White and BME; disability as the NHS Workforce
//! Disability Equality Standard records it (disabled or not, per the Equality Act 2010); age in
//! the ten-year bands NHS Digital's workforce statistics publish. Every question can be answered
//! "prefer not to say". These answers are read only by the fairness audit, never by matching or
//! ranking.

use serde::{Deserialize, Serialize};

/// The answer that is always allowed.
pub const PREFER_NOT_TO_SAY: &str = "prefer_not_to_say";

/// One question: its stable name and allowed answers (stable names), "prefer not to say" last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// Stable name, also the audit's grouping name.
    pub name: &'static str,
    /// The question as asked.
    pub label: &'static str,
    /// Allowed answers: (stable name, words).
    pub answers: &'static [(&'static str, &'static str)],
}

/// The questions, in the order they are asked.
pub const QUESTIONS: [Question; 4] = [
    Question {
        name: "sex",
        label: "Sex",
        answers: &[
            ("female", "Female"),
            ("male", "Male"),
            (PREFER_NOT_TO_SAY, "Prefer not to say"),
        ],
    },
    Question {
        name: "ethnic_group",
        label: "Ethnic group",
        answers: &[
            ("asian", "Asian, Asian British, Asian Welsh"),
            (
                "black",
                "Black, Black British, Black Welsh, Caribbean or African",
            ),
            ("mixed", "Mixed or multiple ethnic groups"),
            ("white", "White"),
            ("other", "Other ethnic group"),
            (PREFER_NOT_TO_SAY, "Prefer not to say"),
        ],
    },
    Question {
        name: "disability",
        label: "Disability",
        answers: &[
            ("disabled", "Yes, I consider myself disabled"),
            ("not_disabled", "No"),
            (PREFER_NOT_TO_SAY, "Prefer not to say"),
        ],
    },
    Question {
        name: "age_band",
        label: "Age band",
        answers: &[
            ("under_25", "Under 25"),
            ("25_34", "25 to 34"),
            ("35_44", "35 to 44"),
            ("45_54", "45 to 54"),
            ("55_64", "55 to 64"),
            ("65_plus", "65 and over"),
            (PREFER_NOT_TO_SAY, "Prefer not to say"),
        ],
    },
];

/// A worker's declaration: every answer is one of its question's allowed answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// Sex.
    pub sex: String,
    /// Ethnic group.
    pub ethnic_group: String,
    /// Disability.
    pub disability: String,
    /// Age band.
    pub age_band: String,
}

/// Why a declaration was refused: the question whose answer is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}: choose one of the answers given")]
pub struct BadAnswer(pub &'static str);

impl Declaration {
    /// (question, answer) pairs in question order.
    pub fn answers(&self) -> [(&'static str, &str); 4] {
        [
            ("sex", &self.sex),
            ("ethnic_group", &self.ethnic_group),
            ("disability", &self.disability),
            ("age_band", &self.age_band),
        ]
    }

    /// Checks every answer against its question.
    pub fn check(self) -> Result<Self, BadAnswer> {
        for (question, (name, answer)) in QUESTIONS.iter().zip(self.answers()) {
            if !question.answers.iter().any(|(a, _)| *a == answer) {
                return Err(BadAnswer(name));
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_allows_prefer_not_to_say() {
        for q in QUESTIONS {
            assert!(q.answers.iter().any(|(a, _)| *a == PREFER_NOT_TO_SAY));
        }
    }

    #[test]
    fn answers_are_checked() {
        let ok = Declaration {
            sex: "female".into(),
            ethnic_group: PREFER_NOT_TO_SAY.into(),
            disability: "not_disabled".into(),
            age_band: "35_44".into(),
        };
        assert!(ok.clone().check().is_ok());
        let bad = Declaration {
            age_band: "36".into(),
            ..ok
        };
        assert_eq!(bad.check(), Err(BadAnswer("age_band")));
    }
}
