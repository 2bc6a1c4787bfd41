//! Ranking among eligible matches: the soft rules of PRODUCT.md flow 3.
//!
//! Eligibility decides *whether* a worker may book; ranking decides *who first*. The same score
//! orders a worker's "shifts for me" and a booker's candidate list, so both sides see one policy.
//! Within the worker's travel limit, points come from continuity (worked this ward before), a
//! stated preference for days or nights, fairness (fewer hours so far this period) and closeness.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::worker::GeoPoint;
use crate::working_time::{night_time, WorkingTimeRules};
use crate::ShiftWindow;

/// Hours in a fairness period at which a worker gets no fairness points (a full-time month).
pub const FAIRNESS_CAP_HOURS: f64 = 150.0;

/// The period fairness counts hours over: four weeks either side of now.
pub const FAIRNESS_PERIOD: Duration = Duration::days(28);

/// Points for each soft rule; their order is the order of importance.
const CONTINUITY_POINTS: f64 = 4000.0;
const FAIRNESS_POINTS: f64 = 3000.0;
const PREFERENCE_POINTS: f64 = 2000.0;
const CLOSENESS_POINTS: f64 = 1000.0;

/// Distance used for closeness when the worker sets no travel limit.
const DEFAULT_REACH_KM: f64 = 50.0;

/// When a worker prefers to work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftTimes {
    /// No preference.
    #[default]
    Any,
    /// Day shifts.
    Days,
    /// Night shifts.
    Nights,
}

impl ShiftTimes {
    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::Days => "days",
            Self::Nights => "nights",
        }
    }

    /// Parses a stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "any" => Some(Self::Any),
            "days" => Some(Self::Days),
            "nights" => Some(Self::Nights),
            _ => None,
        }
    }

    /// Whether `window` is the kind of shift preferred.
    pub fn matches(self, window: ShiftWindow) -> bool {
        self.accepts(is_night(window))
    }

    /// Whether a night shift (`night`) or a day shift is the kind preferred.
    pub fn accepts(self, night: bool) -> bool {
        match self {
            Self::Any => true,
            Self::Days => !night,
            Self::Nights => night,
        }
    }
}

/// Whether `window` is a night shift: at least 3 hours of night time, as the Working Time
/// Regulations count it.
pub fn is_night(window: ShiftWindow) -> bool {
    let rules = WorkingTimeRules::default();
    night_time(&rules, window) >= rules.night_worker_hours
}

/// Great-circle distance in kilometres (haversine, mean Earth radius 6371.0088 km per IUGG).
pub fn distance_km(a: GeoPoint, b: GeoPoint) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0088;
    let (lat1, lat2) = (a.lat().to_radians(), b.lat().to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon() - a.lon()).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// What ranking needs about one worker and one shift.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankFacts {
    /// From the worker's home to the shift's site, if both are known.
    pub distance_km: Option<f64>,
    /// The furthest the worker will travel, if they have said.
    pub max_travel_km: Option<f64>,
    /// Whether they have worked this ward before.
    pub worked_ward_before: bool,
    /// Whether the shift's times are the kind they prefer.
    pub preferred_times: bool,
    /// Hours they are booked for in the fairness period.
    pub hours_this_period: f64,
}

/// A comparable rank: greater is better.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rank {
    /// Within the worker's travel limit (or no limit or location known).
    pub within_travel_limit: bool,
    /// The score, 0 to 10,000.
    pub points: u32,
    /// The distance, if known, in kilometres.
    pub distance_km: Option<f64>,
}

impl Eq for Rank {}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rank {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let distance = |r: &Rank| r.distance_km.unwrap_or(f64::INFINITY);
        self.within_travel_limit
            .cmp(&other.within_travel_limit)
            .then(self.points.cmp(&other.points))
            // nearer is better, so reverse
            .then(distance(other).total_cmp(&distance(self)))
    }
}

/// The rank of one match.
pub fn rank(facts: &RankFacts) -> Rank {
    let reach = facts.max_travel_km.unwrap_or(DEFAULT_REACH_KM).max(1.0);
    let within = match (facts.distance_km, facts.max_travel_km) {
        (Some(d), Some(max)) => d <= max,
        _ => true,
    };
    let closeness = match facts.distance_km {
        Some(d) => 1.0 - (d / reach).clamp(0.0, 1.0),
        None => 0.0,
    };
    let fairness = 1.0 - (facts.hours_this_period / FAIRNESS_CAP_HOURS).clamp(0.0, 1.0);
    let points = f64::from(u8::from(facts.worked_ward_before)) * CONTINUITY_POINTS
        + fairness * FAIRNESS_POINTS
        + f64::from(u8::from(facts.preferred_times)) * PREFERENCE_POINTS
        + closeness * CLOSENESS_POINTS;
    Rank {
        within_travel_limit: within,
        // bounded by the sum of the constants, 10,000
        points: points.round().clamp(0.0, 10_000.0) as u32,
        distance_km: facts.distance_km,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    fn facts() -> RankFacts {
        RankFacts {
            distance_km: Some(10.0),
            max_travel_km: Some(30.0),
            worked_ward_before: false,
            preferred_times: false,
            hours_this_period: 40.0,
        }
    }

    #[test]
    fn haversine_matches_a_known_distance() {
        // Royal Preston Hospital to Royal Lancaster Infirmary: about 30 km apart.
        let preston = GeoPoint::new(53.7915, -2.7031).unwrap();
        let lancaster = GeoPoint::new(54.0420, -2.7990).unwrap();
        let d = distance_km(preston, lancaster);
        assert!((d - 28.6).abs() < 0.5, "{d}");
        assert_eq!(distance_km(preston, preston), 0.0);
    }

    #[test]
    fn beyond_the_travel_limit_ranks_below_everything_within_it() {
        let far = rank(&RankFacts {
            distance_km: Some(31.0),
            worked_ward_before: true,
            preferred_times: true,
            hours_this_period: 0.0,
            ..facts()
        });
        assert!(!far.within_travel_limit);
        assert!(rank(&facts()) > far);
    }

    #[test]
    fn night_preference_recognises_a_night_shift() {
        let start: DateTime<Utc> = chrono_tz::Europe::London
            .with_ymd_and_hms(2026, 1, 10, 20, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let night = ShiftWindow::new(start, start + Duration::hours(12)).unwrap();
        let day = ShiftWindow::new(start - Duration::hours(12), start).unwrap();
        assert!(ShiftTimes::Nights.matches(night));
        assert!(!ShiftTimes::Nights.matches(day));
        assert!(ShiftTimes::Days.matches(day));
        assert!(ShiftTimes::Any.matches(night));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_facts() -> impl Strategy<Value = RankFacts> {
        (
            prop::option::of(0.0f64..200.0),
            prop::option::of(1.0f64..100.0),
            any::<bool>(),
            any::<bool>(),
            0.0f64..300.0,
        )
            .prop_map(|(d, m, w, p, h)| RankFacts {
                distance_km: d,
                max_travel_km: m,
                worked_ward_before: w,
                preferred_times: p,
                hours_this_period: h,
            })
    }

    proptest! {
        /// All else equal, fewer hours never ranks lower (fairness).
        #[test]
        fn fewer_hours_never_ranks_lower(f in any_facts(), less in 0.0f64..300.0) {
            let fewer = RankFacts { hours_this_period: f.hours_this_period.min(less), ..f };
            prop_assert!(rank(&fewer) >= rank(&f));
        }

        /// All else equal, nearer never ranks lower.
        #[test]
        fn nearer_never_ranks_lower(f in any_facts(), d in 0.0f64..200.0) {
            let Some(now) = f.distance_km else { return Ok(()) };
            let nearer = RankFacts { distance_km: Some(now.min(d)), ..f };
            prop_assert!(rank(&nearer) >= rank(&f));
        }

        /// Continuity and a matching preference only ever raise a rank.
        #[test]
        fn continuity_and_preference_raise_rank(f in any_facts()) {
            let known = RankFacts { worked_ward_before: true, ..f };
            let liked = RankFacts { preferred_times: true, ..f };
            prop_assert!(rank(&known) >= rank(&f));
            prop_assert!(rank(&liked) >= rank(&f));
        }
    }
}
