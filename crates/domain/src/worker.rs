//! Workers: who they are professionally, and where they live (for travel distance).

use serde::{Deserialize, Serialize};

use crate::text::TextError;

/// A skill or competency tag such as `iv_therapy` or `paediatric_ils`: lower-case letters, digits
/// and underscores, so that shifts and workers name skills the same way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Skill(String);

impl Skill {
    /// Most skills one worker or shift may list.
    pub const MAX_PER_LIST: usize = 30;

    /// Parses a skill tag.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let value = raw.trim().to_ascii_lowercase();
        if value.is_empty() {
            return Err(TextError::Empty);
        }
        if value.len() > 40 {
            return Err(TextError::TooLong { max: 40 });
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(TextError::Invalid(
                "skills use lower-case letters, digits and underscores",
            ));
        }
        Ok(Self(value))
    }

    /// Parses a list, de-duplicating and sorting it.
    pub fn parse_list<S: AsRef<str>>(raw: &[S]) -> Result<Vec<Self>, TextError> {
        if raw.len() > Self::MAX_PER_LIST {
            return Err(TextError::TooLong {
                max: Self::MAX_PER_LIST,
            });
        }
        let mut skills = raw
            .iter()
            .map(|s| Self::parse(s.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        skills.sort();
        skills.dedup();
        Ok(skills)
    }

    /// The tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A point on the map (WGS84 degrees), for travel distance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

impl GeoPoint {
    /// Parses latitude and longitude in degrees.
    pub fn new(lat: f64, lon: f64) -> Result<Self, TextError> {
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(TextError::Invalid(
                "latitude must be within ±90 and longitude within ±180",
            ));
        }
        Ok(Self { lat, lon })
    }

    /// Latitude in degrees.
    pub fn lat(self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    pub fn lon(self) -> f64 {
        self.lon
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_are_normalised_sorted_and_unique() {
        let list = Skill::parse_list(&["IV_therapy", "catheterisation", "iv_therapy"]).unwrap();
        let names: Vec<_> = list.iter().map(Skill::as_str).collect();
        assert_eq!(names, ["catheterisation", "iv_therapy"]);
        assert!(Skill::parse("iv therapy").is_err());
        assert!(Skill::parse("").is_err());
    }

    #[test]
    fn coordinates_are_bounded() {
        assert!(GeoPoint::new(53.8, -3.0).is_ok());
        assert!(GeoPoint::new(91.0, 0.0).is_err());
        assert!(GeoPoint::new(0.0, 181.0).is_err());
        assert!(GeoPoint::new(f64::NAN, 0.0).is_err());
    }
}
