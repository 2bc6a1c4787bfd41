//! Small validated text values used across the model.

use serde::{Deserialize, Serialize};

/// Why a piece of text was refused; the caller names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing but whitespace was given.
    #[error("must not be empty")]
    Empty,
    /// More characters than the field allows.
    #[error("must be at most {max} characters")]
    TooLong {
        /// The limit that was exceeded.
        max: usize,
    },
    /// The text has the wrong shape.
    #[error("{0}")]
    Invalid(&'static str),
}

/// Unicode's bidirectional formatting characters (UAX #9: marks, embeddings, overrides and
/// isolates): in a name they make text display as something other than what it is, the
/// "Trojan Source" trick (CVE-2021-42574).
fn bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters that show nothing: whitespace and the zero-width ones, so a name made only of them
/// is as empty as a blank one.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Human-entered text such as a name or a reason: trimmed, non-empty, bounded, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Label(String);

impl Label {
    /// Parses free text of at most `max` characters.
    pub fn parse(raw: &str, max: usize) -> Result<Self, TextError> {
        let trimmed = raw.trim_matches(invisible);
        if trimmed.is_empty() {
            return Err(TextError::Empty);
        }
        if trimmed.chars().any(bidi_control) {
            return Err(TextError::Invalid(
                "must not contain right-to-left or left-to-right override characters",
            ));
        }
        if trimmed.chars().count() > max {
            return Err(TextError::TooLong { max });
        }
        if trimmed.chars().any(|c| c.is_control() && c != '\n') {
            return Err(TextError::Invalid("must not contain control characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The text itself.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address used as a sign-in name: lower-cased, one `@`, a dotted domain, bounded length.
///
/// Deliberately simple: the address is an account name, not something we send mail to yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses and normalises an address.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(TextError::Empty);
        }
        if value.len() > 254 {
            return Err(TextError::TooLong { max: 254 });
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(TextError::Invalid("must be an email address"));
        };
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(TextError::Invalid("must be an email address"));
        }
        Ok(Self(value))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_trims_and_bounds() {
        assert_eq!(
            Label::parse("  Ward 4 ", 10).map(|l| l.0),
            Ok("Ward 4".into())
        );
        assert_eq!(Label::parse("   ", 10), Err(TextError::Empty));
        assert_eq!(
            Label::parse("abcdef", 5),
            Err(TextError::TooLong { max: 5 })
        );
        assert!(Label::parse("a\u{0}b", 5).is_err());
        assert_eq!(
            Label::parse("\u{200B}\u{200D} \u{FEFF}", 10),
            Err(TextError::Empty)
        );
        assert_eq!(
            Label::parse("\u{200B}Ann Lee\u{2060}", 10).map(|l| l.0),
            Ok("Ann Lee".into())
        );
        for spoof in ["Ann\u{202E}eeL", "\u{2067}Ann", "Ann\u{200F}Lee"] {
            assert!(
                matches!(Label::parse(spoof, 20), Err(TextError::Invalid(_))),
                "{spoof:?}"
            );
        }
    }

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Nurse@Example.NHS.uk ").map(|e| e.0),
            Ok("nurse@example.nhs.uk".into())
        );
        for bad in [
            "",
            "nurse",
            "nurse@",
            "@nhs.uk",
            "a@nhs",
            "a b@nhs.uk",
            "a@.uk",
            "a@b@c.uk",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
