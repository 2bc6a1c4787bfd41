//! Reasons a worker may not book a shift, worded for the bank office: the rules speak to the
//! worker ("you are already booked"), and a booker reads them about the worker ("they are").

/// `text` in the third person: each "you"/"your" becomes "they"/"their", verbs agreeing.
pub fn third_person(text: &str) -> String {
    const SWAPS: [(&str, &str); 8] = [
        ("you are", "they are"),
        ("you have", "they have"),
        ("you opt", "they opt"),
        ("opens to you", "opens to them"),
        ("your ", "their "),
        ("Your ", "Their "),
        ("You are", "They are"),
        ("you ", "they "),
    ];
    let mut out = format!("{text} ");
    for (from, to) in SWAPS {
        out = out.replace(from, to);
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::third_person;

    #[test]
    fn worker_words_read_about_the_worker() {
        assert_eq!(
            third_person(
                "you are already booked at Ward 8 from 07:30 to 19:30, which overlaps this shift"
            ),
            "they are already booked at Ward 8 from 07:30 to 19:30, which overlaps this shift"
        );
        assert_eq!(
            third_person(
                "would take your average week to 50 hours (the limit is 48 unless you opt out)"
            ),
            "would take their average week to 50 hours (the limit is 48 unless they opt out)"
        );
        assert_eq!(
            third_person("the shift needs skills you have not recorded: iv"),
            "the shift needs skills they have not recorded: iv"
        );
        assert_eq!(
            third_person("opens to you at 09:00"),
            "opens to them at 09:00"
        );
        assert_eq!(third_person("the shift is filled"), "the shift is filled");
    }
}
