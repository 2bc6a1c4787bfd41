//! Worked examples, each checked by hand in its comment, and properties of the pay engine. UK
//! times: British Summer Time (UTC+1) from 29 March to 25 October 2026 and from 28 March 2027.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::rules::defaults;
use super::*;

fn uk(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    RULES_ZONE
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| unreachable!("a real UK time"))
}

fn band(name: &str) -> Grade {
    Grade::parse(name).unwrap_or_else(|| unreachable!("{name}"))
}

fn shift(grade: &str, point: u8, start: DateTime<Utc>, end: DateTime<Utc>) -> Worked {
    Worked {
        grade: band(grade),
        pay_point: point,
        start,
        end,
        breaks: vec![],
        premium: Premium::none(),
    }
}

fn total(worked: &Worked) -> Pence {
    pay(worked, &defaults::rules())
        .unwrap_or_else(|e| unreachable!("{e}"))
        .total
}

#[test]
fn band_5_weekday_day_less_its_break() {
    // Tue 2 Jun 2026 08:00-16:00, 30 minutes' break: 7.5 h × £15.88 = £119.10.
    let mut worked = shift("band_5", 1, uk(2026, 6, 2, 8, 0), uk(2026, 6, 2, 16, 0));
    worked.breaks = vec![(uk(2026, 6, 2, 12, 0), uk(2026, 6, 2, 12, 30))];
    let line = pay(&worked, &defaults::rules()).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(line.total, Pence(11_910));
    assert_eq!(line.seconds, 27_000);
    assert_eq!(line.parts.len(), 2);
    assert!(line
        .explain()
        .iter()
        .any(|r| r.contains("Agenda for Change 2025/26")));
}

#[test]
fn each_nation_pays_its_own_bank_holidays() {
    // Mon 30 Nov 2026 08:00-16:00, band 5: St Andrew's Day is a bank holiday in Scotland only.
    // In England: 8 h × £15.88 = £127.04. In Scotland the Sunday and holiday rate of 60% (band 5):
    // 8 h × £15.88 × 1.6 = £203.264, so £203.26. Mon 13 Jul 2026 is Northern Ireland's (the
    // Battle of the Boyne, 12 July falling on a Sunday) and only theirs.
    let calendar = |file: &str| -> BankHolidays {
        serde_json::from_str(file).unwrap_or_else(|e| unreachable!("{e}"))
    };
    let scotland = PayRules {
        holidays: calendar(include_str!(
            "../../../../data/pay/bank-holidays-scotland.json"
        )),
        ..defaults::rules()
    };
    let northern_ireland = PayRules {
        holidays: calendar(include_str!(
            "../../../../data/pay/bank-holidays-northern-ireland.json"
        )),
        ..defaults::rules()
    };
    assert_eq!(scotland.holidays.nation, "scotland");
    assert_eq!(northern_ireland.holidays.nation, "northern-ireland");
    let paid = |worked: &Worked, rules: &PayRules| {
        pay(worked, rules)
            .unwrap_or_else(|e| unreachable!("{e}"))
            .total
    };
    let st_andrews = shift("band_5", 1, uk(2026, 11, 30, 8, 0), uk(2026, 11, 30, 16, 0));
    assert_eq!(paid(&st_andrews, &defaults::rules()), Pence(12_704));
    assert_eq!(paid(&st_andrews, &scotland), Pence(20_326));
    assert_eq!(paid(&st_andrews, &northern_ireland), Pence(12_704));
    let boyne = shift("band_5", 1, uk(2026, 7, 13, 8, 0), uk(2026, 7, 13, 16, 0));
    assert_eq!(paid(&boyne, &northern_ireland), Pence(20_326));
    assert_eq!(paid(&boyne, &scotland), Pence(12_704));
}

#[test]
fn band_2_saturday() {
    // Sat 6 Jun 2026 08:00-14:00: 6 h × £12.51 × 1.41 = £105.8346, so £105.83.
    assert_eq!(
        total(&shift(
            "band_2",
            1,
            uk(2026, 6, 6, 8, 0),
            uk(2026, 6, 6, 14, 0)
        )),
        Pence(10_583)
    );
}

#[test]
fn band_3_top_of_band_sunday() {
    // Sun 7 Jun 2026 07:00-15:00: 8 h × £13.60 × 1.69 = £183.872, so £183.87.
    assert_eq!(
        total(&shift(
            "band_3",
            2,
            uk(2026, 6, 7, 7, 0),
            uk(2026, 6, 7, 15, 0)
        )),
        Pence(18_387)
    );
}

#[test]
fn band_6_weekday_night_into_the_morning() {
    // Wed 3 Jun 2026 20:00 to Thu 08:00: 10 h of night × £19.78 × 1.3 = £257.14, then 2 h
    // plain × £19.78 = £39.56: £296.70.
    let line = pay(
        &shift("band_6", 1, uk(2026, 6, 3, 20, 0), uk(2026, 6, 4, 8, 0)),
        &defaults::rules(),
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(line.total, Pence(29_670));
    let kinds: Vec<TimeKind> = line.parts.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [TimeKind::NightOrSaturday, TimeKind::Plain]);
}

#[test]
fn band_4_bank_holiday() {
    // Mon 25 May 2026, the spring bank holiday, 09:00-17:00: 8 h × £14.06 × 1.6 = £179.968,
    // so £179.97.
    assert_eq!(
        total(&shift(
            "band_4",
            1,
            uk(2026, 5, 25, 9, 0),
            uk(2026, 5, 25, 17, 0)
        )),
        Pence(17_997)
    );
}

#[test]
fn band_7_friday_night_into_saturday_is_all_enhanced() {
    // Fri 5 Jun 2026 20:00 to Sat 08:00: night, then Saturday, both +30%:
    // 12 h × £24.45 × 1.3 = £381.42.
    assert_eq!(
        total(&shift(
            "band_7",
            1,
            uk(2026, 6, 5, 20, 0),
            uk(2026, 6, 6, 8, 0)
        )),
        Pence(38_142)
    );
}

#[test]
fn band_5_sunday_night_into_monday() {
    // Sun 7 Jun 2026 20:00 to Mon 08:00: 4 h Sunday × £15.88 × 1.6 = £101.632; 6 h night
    // × £15.88 × 1.3 = £123.864; 2 h plain = £31.76: £257.256, so £257.26.
    assert_eq!(
        total(&shift(
            "band_5",
            1,
            uk(2026, 6, 7, 20, 0),
            uk(2026, 6, 8, 8, 0)
        )),
        Pence(25_726)
    );
}

#[test]
fn a_night_across_the_clocks_going_back_is_paid_its_real_length() {
    // Sat 24 Oct 2026 20:00 BST to Sun 25 Oct 08:00 GMT is 13 real hours: 4 h Saturday ×
    // £15.88 × 1.3 = £82.576, and 9 h Sunday × £15.88 × 1.6 = £228.672: £311.248, so £311.25.
    let line = pay(
        &shift("band_5", 1, uk(2026, 10, 24, 20, 0), uk(2026, 10, 25, 8, 0)),
        &defaults::rules(),
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(line.seconds, 13 * 3600);
    assert_eq!(line.total, Pence(31_125));
}

#[test]
fn a_night_across_the_clocks_going_forward_is_paid_its_real_length() {
    // Sat 27 Mar 2027 20:00 GMT to Sun 28 Mar 08:00 BST is 11 real hours: 4 h Saturday =
    // £82.576, and 7 h Sunday × £15.88 × 1.6 = £177.856: £260.432, so £260.43.
    let line = pay(
        &shift("band_5", 1, uk(2027, 3, 27, 20, 0), uk(2027, 3, 28, 8, 0)),
        &defaults::rules(),
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(line.seconds, 11 * 3600);
    assert_eq!(line.total, Pence(26_043));
}

#[test]
fn the_premium_is_capped_and_enhancements_are_never_cut() {
    let rules = defaults::rules();
    // Tue 2 Jun 2026 08:00-16:00, band 5: £127.04 base, and a 35% premium of £44.464:
    // £171.504, so £171.50.
    let mut day = shift("band_5", 1, uk(2026, 6, 2, 8, 0), uk(2026, 6, 2, 16, 0));
    day.premium.percent = 35;
    assert_eq!(total(&day), Pence(17_150));
    // The engine itself refuses a premium over the cap without an override, whatever the
    // records say, and one beyond the most any premium may be even with one.
    day.premium.percent = 36;
    assert_eq!(
        pay(&day, &rules),
        Err(PayError::PremiumOverCap { asked: 36, cap: 35 })
    );
    day.premium.override_reason = crate::text::Label::parse("No cover for ITU", 500).ok();
    assert!(pay(&day, &rules).is_ok());
    day.premium.percent = MAX_PREMIUM + 1;
    assert_eq!(pay(&day, &rules), Err(PayError::PremiumTooLarge));
    // Agreed under a cap of 40% that has since been lowered to 35%: the promise is paid, and
    // judged against the cap it was agreed under.
    let agreed = Premium::agree(40, None, 40).unwrap_or_else(|e| unreachable!("{e}"));
    day.premium = agreed.clone();
    assert!(pay(&day, &rules).is_ok());
    day.premium = Premium {
        percent: 41,
        ..agreed
    };
    assert_eq!(
        pay(&day, &rules),
        Err(PayError::PremiumOverCap { asked: 41, cap: 40 })
    );
    // On a Sunday the 60% enhancement is paid in full beside the capped premium: 8 h ×
    // £15.88 × (1.6 + 0.35) = £247.728, so £247.73.
    let mut sunday = shift("band_5", 1, uk(2026, 6, 7, 8, 0), uk(2026, 6, 7, 16, 0));
    sunday.premium.percent = 35;
    assert_eq!(total(&sunday), Pence(24_773));
}

#[test]
fn rolled_up_holiday_pay_is_a_share_of_the_whole() {
    // The 7.5-hour day of £119.10 with 12.07% holiday pay: £14.37537, and £133.47537 in
    // all; shown as £14.38 and £133.48.
    let mut rules = defaults::rules();
    rules.rolled_up_holiday = Some(1207);
    let mut worked = shift("band_5", 1, uk(2026, 6, 2, 8, 0), uk(2026, 6, 2, 16, 0));
    worked.breaks = vec![(uk(2026, 6, 2, 12, 0), uk(2026, 6, 2, 12, 30))];
    let line = pay(&worked, &rules).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(
        (line.holiday_pay, line.total),
        (Pence(1_438), Pence(13_348))
    );
}

#[test]
fn a_year_the_calendar_lacks_is_refused_not_paid_as_plain_days() {
    // Christmas Day 2025 and 2028: the default England and Wales calendar holds 2026 and 2027.
    for (year, start) in [
        (2025, uk(2025, 12, 25, 8, 0)),
        (2028, uk(2028, 12, 25, 8, 0)),
    ] {
        let worked = shift("band_5", 1, start, start + chrono::Duration::hours(8));
        assert_eq!(
            pay(&worked, &defaults::rules()),
            Err(PayError::OutsideCalendar {
                nation: "england-and-wales".into(),
                year
            })
        );
    }
    // A night from New Year's Eve 2027 into 2028 touches the missing year too.
    let night = shift("band_5", 1, uk(2027, 12, 31, 20, 0), uk(2028, 1, 1, 8, 0));
    assert!(matches!(
        pay(&night, &defaults::rules()),
        Err(PayError::OutsideCalendar { year: 2028, .. })
    ));
    // The year's last day inside the calendar pays.
    let last = shift("band_5", 1, uk(2027, 12, 31, 8, 0), uk(2027, 12, 31, 16, 0));
    assert!(pay(&last, &defaults::rules()).is_ok());
}

#[test]
fn a_pay_point_the_card_lacks_is_refused_not_clamped() {
    let start = uk(2026, 6, 2, 8, 0);
    let end = uk(2026, 6, 2, 16, 0);
    // Band 5's intermediate point: 8 h at £17.13.
    assert_eq!(total(&shift("band_5", 2, start, end)), Pence(13_704));
    for (grade, point, points) in [
        ("band_5", 4, 3),
        ("band_2", 2, 1),
        ("band_8a", 3, 2),
        ("band_6", 0, 3),
    ] {
        assert_eq!(
            pay(&shift(grade, point, start, end), &defaults::rules()),
            Err(PayError::UnknownPayPoint {
                grade: band(grade).label(),
                point,
                points
            }),
            "{grade} point {point}"
        );
    }
}

#[test]
fn what_cannot_be_paid_says_why() {
    let rules = defaults::rules();
    let start = uk(2026, 6, 2, 8, 0);
    assert!(matches!(
        pay(
            &shift("fy1", 1, start, start + chrono::Duration::hours(1)),
            &rules
        ),
        Err(PayError::NoRate(_))
    ));
    assert!(matches!(
        pay(&shift("band_5", 1, start, start), &rules),
        Err(PayError::Times(_))
    ));
    let mut outside = shift("band_5", 1, start, start + chrono::Duration::hours(1));
    outside.breaks = vec![(start - chrono::Duration::hours(1), start)];
    assert!(matches!(pay(&outside, &rules), Err(PayError::Times(_))));
}

/// The kind of time in the second before and the second after a UK wall-clock time.
fn either_side(y: i32, m: u32, d: u32, h: u32) -> (TimeKind, TimeKind) {
    let at = uk(y, m, d, h, 0);
    let kind = |from: DateTime<Utc>| {
        let line = pay(
            &shift("band_5", 1, from, from + chrono::Duration::seconds(1)),
            &defaults::rules(),
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        line.parts[0].kind
    };
    (kind(at - chrono::Duration::seconds(1)), kind(at))
}

#[test]
fn enhancements_change_exactly_at_their_boundaries() {
    use TimeKind::*;
    // Weekday 20:00 and 06:00 (Wed 3 Jun 2026, Thu 4 Jun).
    assert_eq!(either_side(2026, 6, 3, 20), (Plain, NightOrSaturday));
    assert_eq!(either_side(2026, 6, 4, 6), (NightOrSaturday, Plain));
    // Midnight into Saturday, into Sunday, into Monday (6-8 Jun 2026).
    assert_eq!(
        either_side(2026, 6, 6, 0),
        (NightOrSaturday, NightOrSaturday)
    );
    assert_eq!(
        either_side(2026, 6, 7, 0),
        (NightOrSaturday, SundayOrHoliday)
    );
    assert_eq!(
        either_side(2026, 6, 8, 0),
        (SundayOrHoliday, NightOrSaturday)
    );
    // Into and out of the spring bank holiday, Mon 25 May 2026.
    assert_eq!(
        either_side(2026, 5, 25, 0),
        (SundayOrHoliday, SundayOrHoliday)
    );
    assert_eq!(
        either_side(2026, 5, 26, 0),
        (SundayOrHoliday, NightOrSaturday)
    );
    // Christmas Day 2026 is a Friday.
    assert_eq!(
        either_side(2026, 12, 25, 0),
        (NightOrSaturday, SundayOrHoliday)
    );
}

/// Any instant from 2026 to the end of 2027, to the second.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let from = uk(2026, 1, 1, 0, 0).timestamp();
    let to = uk(2027, 12, 31, 0, 0).timestamp();
    (from..to).prop_map(|s| Utc.timestamp_opt(s, 0).single().unwrap_or_default())
}

/// Any Agenda for Change band, at any pay point the default card has for it.
fn grade() -> impl Strategy<Value = (&'static str, u8)> {
    prop::sample::select(crate::grade::AFC_BANDS.to_vec()).prop_flat_map(|name| {
        let points = defaults::rules().rate_card.points(band(name)).unwrap_or(1);
        (Just(name), 1u8..=u8::try_from(points).unwrap_or(1))
    })
}

proptest! {
    #[test]
    fn splitting_a_shift_anywhere_pays_the_same(
        start in instant(),
        hours in 1i64..=16,
        at in 1i64..=57_599,
        (name, point) in grade(),
        premium in 0u32..=35,
        holiday in prop::option::of(0u32..=2_000),
    ) {
        let mut rules = defaults::rules();
        rules.rolled_up_holiday = holiday;
        let end = start + chrono::Duration::hours(hours);
        let cut = start + chrono::Duration::seconds(at % (hours * 3600 - 1) + 1);
        let mut whole = shift(name, point, start, end);
        whole.premium.percent = premium;
        let first = Worked { end: cut, ..whole.clone() };
        let second = Worked { start: cut, ..whole.clone() };
        let paid = |w: &Worked| pay(w, &rules).map(|l| l.exact);
        prop_assert_eq!(paid(&whole)?, paid(&first)? + paid(&second)?);
    }

    #[test]
    fn pay_never_falls_when_a_shift_gets_longer(
        start in instant(),
        minutes in 1i64..=960,
        more in 1i64..=240,
        (name, point) in grade(),
    ) {
        let rules = defaults::rules();
        let shorter = shift(name, point, start, start + chrono::Duration::minutes(minutes));
        let longer = Worked { end: shorter.end + chrono::Duration::minutes(more), ..shorter.clone() };
        let shorter = pay(&shorter, &rules).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let longer = pay(&longer, &rules).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(longer.exact > shorter.exact);
        prop_assert!(longer.total >= shorter.total);
    }

    #[test]
    fn what_is_shown_item_by_item_adds_up_to_the_line(
        start in instant(),
        minutes in 1i64..=960,
        (name, point) in grade(),
        premium in 0u32..=35,
        holiday in prop::option::of(0u32..=2_000),
    ) {
        let mut rules = defaults::rules();
        rules.rolled_up_holiday = holiday;
        let mut worked = shift(name, point, start, start + chrono::Duration::minutes(minutes));
        worked.premium.percent = premium;
        let line = pay(&worked, &rules).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let shown: i64 = line.parts.iter().map(|p| p.amount.0).sum::<i64>()
            + line.premium.1 .0
            + line.holiday_pay.0;
        prop_assert_eq!(shown, line.total.0);
        prop_assert_eq!(line.itemised.total(), line.total);
        // Each item is within a penny of its own exact amount, worked out here independently:
        // pence per hour times seconds is 3,600ths of a penny; times a percentage, 360,000ths.
        let base_exact = line.base_rate * line.seconds;
        prop_assert!((line.itemised.base.0 * 3_600 - base_exact).abs() <= 3_600);
        let uplift: i64 = line.parts.iter().map(|p| i64::from(p.enhancement) * p.seconds).sum();
        let enhancements_exact = line.base_rate * uplift;
        prop_assert!((line.itemised.enhancements.0 * 360_000 - enhancements_exact).abs() <= 360_000);
        let premium_exact = line.base_rate * line.seconds * i64::from(premium);
        prop_assert!((line.itemised.premium.0 * 360_000 - premium_exact).abs() <= 360_000);
        prop_assert_eq!(line.itemised.holiday_pay, line.holiday_pay);
    }

    #[test]
    fn every_second_is_paid_once(start in instant(), minutes in 1i64..=1_440) {
        let worked = shift("band_5", 1, start, start + chrono::Duration::minutes(minutes));
        let line = pay(&worked, &defaults::rules()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(line.seconds, minutes * 60);
        prop_assert_eq!(line.parts.iter().map(|p| p.seconds).sum::<i64>(), minutes * 60);
        for pair in line.parts.windows(2) {
            prop_assert_eq!(pair[0].end, pair[1].start);
            prop_assert!(pair[0].kind != pair[1].kind);
        }
    }
}

/// An independent count: minute by minute on the UK clock, each minute's uplift from PRODUCT's
/// table by its own reading of the day and the hour, added in hundredths of a penny per minute
/// times 60, then rounded half up once.
fn minute_by_minute(name: &str, rate: i64, start: DateTime<Utc>, minutes: i64) -> i64 {
    use chrono::{Datelike, Timelike, Weekday};
    let holidays = defaults::rules().holidays.dates;
    let (night, sunday) = match name {
        "band_2" => (41, 83),
        "band_3" => (35, 69),
        _ => (30, 60),
    };
    // Units: pence × percent per 60 minutes, i.e. pence/6000 per minute-percent.
    let mut units: i64 = 0;
    for m in 0..minutes {
        let local = (start + chrono::Duration::minutes(m)).with_timezone(&RULES_ZONE);
        let hour = local.hour();
        let uplift = if local.weekday() == Weekday::Sun || holidays.contains(&local.date_naive()) {
            sunday
        } else if local.weekday() == Weekday::Sat || !(6..20).contains(&hour) {
            night
        } else {
            0
        };
        units += rate * (100 + uplift);
    }
    // units / 6000 pence, rounded half up.
    (units + 3000) / 6000
}

proptest! {
    #[test]
    fn an_independent_minute_by_minute_count_agrees_to_the_penny(
        start_minute in 0i64..(2 * 365 * 24 * 60 - 16 * 60),
        minutes in 1i64..=16 * 60,
        (name, point) in grade(),
    ) {
        let start = uk(2026, 1, 1, 0, 0) + chrono::Duration::minutes(start_minute);
        let worked = shift(name, point, start, start + chrono::Duration::minutes(minutes));
        let line = pay(&worked, &defaults::rules()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(line.total.0, minute_by_minute(name, line.base_rate, start, minutes));
    }
}
