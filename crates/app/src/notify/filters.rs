//! Which offers a worker wants to hear about, and when: judged by the deliverer at the moment it
//! sends, so a change of mind applies to offers already waiting, and quiet hours hold an alert
//! back rather than lose it.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use serde_json::Value;
use staffbank_domain::shift::{ShiftWindow, RULES_ZONE};
use staffbank_domain::Grade;
use staffbank_store::AlertSettings;

/// Whether an offered shift (an offer event's `shift`) is one the worker asked to hear about: one
/// of their chosen grades within its range, at one of their chosen sites, days or nights as they
/// chose. Anything the payload does not say (an event written before it said so) passes.
pub fn wanted(settings: &AlertSettings, shift: &Value) -> bool {
    let text = |key: &str| shift.get(key).and_then(Value::as_str);
    if let Some(chosen) = &settings.grades {
        let range = text("grade_min")
            .and_then(Grade::parse)
            .zip(text("grade_max").and_then(Grade::parse));
        if let Some((min, max)) = range {
            if !chosen
                .iter()
                .any(|g| g.same_family(min) && min <= *g && *g <= max)
            {
                return false;
            }
        }
    }
    if let Some(chosen) = &settings.sites {
        if let Some(site) = text("site_id").and_then(|s| uuid::Uuid::parse_str(s).ok()) {
            if !chosen.iter().any(|s| s.0 == site) {
                return false;
            }
        }
    }
    let instant = |key: &str| {
        shift
            .get(key)
            .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok())
    };
    if let Some((start, end)) = instant("starts_at").zip(instant("ends_at")) {
        if let Ok(window) = ShiftWindow::new(start, end) {
            if !settings.shift_times.matches(window) {
                return false;
            }
        }
    }
    true
}

/// Whether `t` falls in the quiet hours `from`..`until` (which may span midnight).
fn inside(from: NaiveTime, until: NaiveTime, t: NaiveTime) -> bool {
    if from <= until {
        from <= t && t < until
    } else {
        t >= from || t < until
    }
}

/// When the quiet hours `now` falls in end, on the UK wall clock; `None` when `now` is not in
/// quiet hours (or the worker has none).
pub fn quiet_end(
    quiet: Option<(NaiveTime, NaiveTime)>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let (from, until) = quiet?;
    let local = now.with_timezone(&RULES_ZONE);
    if !inside(from, until, local.time()) {
        return None;
    }
    let mut day = local.date_naive();
    if local.time() >= until {
        // Evening, in hours that span midnight: they end tomorrow morning.
        day = day.succ_opt()?;
    }
    let end = day.and_time(until);
    // In the hour the clocks skip, the window ends once the clock reads a real time again.
    RULES_ZONE
        .from_local_datetime(&end)
        .earliest()
        .or_else(|| {
            RULES_ZONE
                .from_local_datetime(&(end + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use staffbank_domain::ranking::ShiftTimes;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    #[test]
    fn quiet_hours_spanning_midnight_end_the_next_morning() {
        // 23:30 UK time in December is 23:30 UTC.
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 23, 30, 0).unwrap();
        let end = quiet_end(Some((hm(22, 0), hm(7, 0))), now);
        assert_eq!(
            end,
            Some(Utc.with_ymd_and_hms(2026, 12, 8, 7, 0, 0).unwrap())
        );
        let early = Utc.with_ymd_and_hms(2026, 12, 8, 6, 0, 0).unwrap();
        assert_eq!(
            quiet_end(Some((hm(22, 0), hm(7, 0))), early),
            Some(Utc.with_ymd_and_hms(2026, 12, 8, 7, 0, 0).unwrap())
        );
        let day = Utc.with_ymd_and_hms(2026, 12, 8, 12, 0, 0).unwrap();
        assert_eq!(quiet_end(Some((hm(22, 0), hm(7, 0))), day), None);
        assert_eq!(quiet_end(None, day), None);
    }

    #[test]
    fn quiet_hours_are_on_the_uk_clock_in_summer() {
        // 13:30 UTC is 14:30 BST: inside 14:00 to 15:00, which ends at 14:00 UTC.
        let now = Utc.with_ymd_and_hms(2026, 7, 1, 13, 30, 0).unwrap();
        assert_eq!(
            quiet_end(Some((hm(14, 0), hm(15, 0))), now),
            Some(Utc.with_ymd_and_hms(2026, 7, 1, 14, 0, 0).unwrap())
        );
    }

    #[test]
    fn grades_sites_and_nights_leave_out_what_was_not_asked_for() {
        let site = uuid::Uuid::new_v4();
        let start = Utc.with_ymd_and_hms(2026, 12, 8, 7, 30, 0).unwrap();
        let shift = json!({"grade_min": "band_5", "grade_max": "band_6", "site_id": site,
            "starts_at": start, "ends_at": start + Duration::hours(12)});
        let all = AlertSettings::default();
        assert!(wanted(&all, &shift));
        let band7 = AlertSettings {
            grades: Some(vec![Grade::parse("band_7").unwrap()]),
            ..all.clone()
        };
        assert!(!wanted(&band7, &shift));
        let band6 = AlertSettings {
            grades: Some(vec![Grade::parse("band_6").unwrap()]),
            ..all.clone()
        };
        assert!(wanted(&band6, &shift));
        let elsewhere = AlertSettings {
            sites: Some(vec![staffbank_domain::SiteId(uuid::Uuid::new_v4())]),
            ..all.clone()
        };
        assert!(!wanted(&elsewhere, &shift));
        let nights = AlertSettings {
            shift_times: ShiftTimes::Nights,
            ..all
        };
        assert!(!wanted(&nights, &shift));
    }
}
