//! Staff groups and grades: Agenda for Change bands and medical grades.

use serde::{Deserialize, Serialize};

/// The broad professional group a worker belongs to and a shift asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffGroup {
    /// Registered nurses and midwives.
    NursingAndMidwifery,
    /// Doctors.
    Medical,
    /// Allied health professionals (physiotherapists, radiographers...).
    AlliedHealth,
    /// Healthcare support workers and assistants.
    HealthcareSupport,
    /// Administrative and clerical staff.
    Admin,
}

impl StaffGroup {
    /// Every group, in display order.
    pub const ALL: [StaffGroup; 5] = [
        Self::NursingAndMidwifery,
        Self::Medical,
        Self::AlliedHealth,
        Self::HealthcareSupport,
        Self::Admin,
    ];

    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NursingAndMidwifery => "nursing_and_midwifery",
            Self::Medical => "medical",
            Self::AlliedHealth => "allied_health",
            Self::HealthcareSupport => "healthcare_support",
            Self::Admin => "admin",
        }
    }

    /// Name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::NursingAndMidwifery => "Nursing and midwifery",
            Self::Medical => "Medical",
            Self::AlliedHealth => "Allied health",
            Self::HealthcareSupport => "Healthcare support",
            Self::Admin => "Admin and clerical",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == raw)
    }
}

/// A grade: an Agenda for Change band, or a medical grade. Grades of one family are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grade {
    /// Agenda for Change band; the index into [`AFC_BANDS`].
    Afc(u8),
    /// Medical grade; the index into [`MEDICAL_GRADES`].
    Medical(u8),
}

/// Agenda for Change bands in order, as stable names.
pub const AFC_BANDS: [&str; 11] = [
    "band_2", "band_3", "band_4", "band_5", "band_6", "band_7", "band_8a", "band_8b", "band_8c",
    "band_8d", "band_9",
];

/// Medical grades in order of seniority, as stable names.
pub const MEDICAL_GRADES: [&str; 6] = [
    "fy1",
    "fy2",
    "core_trainee",
    "specialty_registrar",
    "specialty_doctor",
    "consultant",
];

impl Grade {
    /// Every grade, bands then medical grades: for turning a range into a list a store can match.
    pub fn all() -> impl Iterator<Item = Self> {
        AFC_BANDS
            .iter()
            .chain(MEDICAL_GRADES.iter())
            .filter_map(|name| Self::parse(name))
    }

    /// Parses a stable name such as `band_5`, `band_8a` or `fy2`.
    pub fn parse(raw: &str) -> Option<Self> {
        if let Some(i) = AFC_BANDS.iter().position(|b| *b == raw) {
            return u8::try_from(i).ok().map(Self::Afc);
        }
        MEDICAL_GRADES
            .iter()
            .position(|g| *g == raw)
            .and_then(|i| u8::try_from(i).ok())
            .map(Self::Medical)
    }

    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Afc(i) => AFC_BANDS.get(usize::from(i)).copied().unwrap_or("band_2"),
            Self::Medical(i) => MEDICAL_GRADES.get(usize::from(i)).copied().unwrap_or("fy1"),
        }
    }

    /// Name for people ("Band 8a", "Specialty registrar").
    pub fn label(self) -> String {
        let name = self.as_str();
        match name.strip_prefix("band_") {
            Some(band) => format!("Band {band}"),
            None => match name {
                "fy1" => "Foundation year 1".into(),
                "fy2" => "Foundation year 2".into(),
                other => {
                    let spaced = other.replace('_', " ");
                    let mut chars = spaced.chars();
                    chars
                        .next()
                        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                        .unwrap_or_default()
                }
            },
        }
    }

    /// Whether two grades can be compared (same family).
    pub fn same_family(self, other: Grade) -> bool {
        matches!(
            (self, other),
            (Self::Afc(_), Self::Afc(_)) | (Self::Medical(_), Self::Medical(_))
        )
    }

    /// The grade family a staff group is graded in.
    pub fn fits_group(self, group: StaffGroup) -> bool {
        match self {
            Self::Afc(_) => group != StaffGroup::Medical,
            Self::Medical(_) => group == StaffGroup::Medical,
        }
    }
}

impl Serialize for Grade {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Grade {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Grade::parse(&raw).ok_or_else(|| serde::de::Error::custom("unknown grade"))
    }
}

/// An inclusive range of grades of one family that a shift will accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradeRange {
    min: Grade,
    max: Grade,
}

/// Why a grade range was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradeRangeError {
    /// The bounds are of different families.
    #[error(
        "the lowest and highest grade must both be Agenda for Change bands or both medical grades"
    )]
    MixedFamilies,
    /// The lowest grade is above the highest.
    #[error("the lowest grade must not be above the highest")]
    Inverted,
    /// The grades do not fit the staff group.
    #[error("grades do not fit the staff group")]
    WrongGroup,
}

impl GradeRange {
    /// Builds a range for a staff group, checking family and order.
    pub fn new(group: StaffGroup, min: Grade, max: Grade) -> Result<Self, GradeRangeError> {
        if !min.same_family(max) {
            return Err(GradeRangeError::MixedFamilies);
        }
        if min > max {
            return Err(GradeRangeError::Inverted);
        }
        if !min.fits_group(group) {
            return Err(GradeRangeError::WrongGroup);
        }
        Ok(Self { min, max })
    }

    /// Lowest accepted grade.
    pub fn min(self) -> Grade {
        self.min
    }

    /// Highest accepted grade.
    pub fn max(self) -> Grade {
        self.max
    }

    /// Whether a grade lies within the range.
    pub fn contains(self, grade: Grade) -> bool {
        grade.same_family(self.min) && self.min <= grade && grade <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str) -> Grade {
        Grade::parse(s).unwrap_or(Grade::Afc(0))
    }

    #[test]
    fn grades_round_trip_and_order() {
        for name in AFC_BANDS.iter().chain(MEDICAL_GRADES.iter()) {
            assert_eq!(Grade::parse(name).map(Grade::as_str), Some(*name));
        }
        assert!(g("band_8a") > g("band_7"));
        assert!(g("band_9") > g("band_8d"));
        assert!(Grade::parse("band_10").is_none());
        assert_eq!(g("band_8a").label(), "Band 8a");
        assert_eq!(g("specialty_registrar").label(), "Specialty registrar");
    }

    #[test]
    fn ranges_check_family_order_and_membership() {
        let nursing = StaffGroup::NursingAndMidwifery;
        let range = GradeRange::new(nursing, g("band_5"), g("band_6"));
        assert!(range.is_ok());
        let Ok(range) = range else { return };
        assert!(range.contains(g("band_5")));
        assert!(range.contains(g("band_6")));
        assert!(!range.contains(g("band_4")));
        assert!(!range.contains(g("band_7")));
        assert!(!range.contains(g("fy1")));
        assert_eq!(
            GradeRange::new(nursing, g("band_6"), g("band_5")),
            Err(GradeRangeError::Inverted)
        );
        assert_eq!(
            GradeRange::new(nursing, g("band_5"), g("fy2")),
            Err(GradeRangeError::MixedFamilies)
        );
        assert_eq!(
            GradeRange::new(StaffGroup::Medical, g("band_5"), g("band_6")),
            Err(GradeRangeError::WrongGroup)
        );
    }
}
