//! A bank's discretionary premium on a hard-to-fill shift, and breaking glass above its cap.

use super::PayError;
use crate::text::Label;

/// The largest premium accepted at all, percent of the base rate: a guard against a slipped
/// digit, well above any cap a bank would set.
pub const MAX_PREMIUM: u32 = 200;

/// A premium as agreed on a shift: what every worker who books it is promised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Premium {
    /// Percent of the worker's base rate, for every hour paid.
    pub percent: u32,
    /// Why it goes above the bank's cap (a break-glass override), when it does.
    pub override_reason: Option<Label>,
    /// The bank's cap when it was agreed. The pay engine pays the premium only within this cap
    /// or with an override, so a cap lowered since never cuts a promise, and a premium that
    /// reached the records any other way is refused. None for one agreed before caps were kept
    /// (judged against the cap in force).
    pub cap: Option<u32>,
}

impl Premium {
    /// Agrees a premium against the bank's cap: above the cap only with a reason. A reason
    /// given for a premium within the cap is not kept, as there is nothing to override.
    pub fn agree(percent: u32, reason: Option<Label>, cap: u32) -> Result<Self, PayError> {
        if percent > MAX_PREMIUM {
            return Err(PayError::PremiumTooLarge);
        }
        if percent <= cap {
            return Ok(Self {
                percent,
                override_reason: None,
                cap: Some(cap),
            });
        }
        match reason {
            Some(reason) => Ok(Self {
                percent,
                override_reason: Some(reason),
                cap: Some(cap),
            }),
            None => Err(PayError::PremiumOverCap {
                asked: percent,
                cap,
            }),
        }
    }

    /// Whether agreeing it broke glass.
    pub fn overrides_cap(&self) -> bool {
        self.override_reason.is_some()
    }

    /// Checks it can be paid: never beyond [`MAX_PREMIUM`], and above the cap it was agreed
    /// under (else `cap_now`) only with an override. The pay engine asks this of every line.
    pub fn payable(&self, cap_now: u32) -> Result<(), PayError> {
        if self.percent > MAX_PREMIUM {
            return Err(PayError::PremiumTooLarge);
        }
        let cap = self.cap.unwrap_or(cap_now);
        if self.percent > cap && !self.overrides_cap() {
            return Err(PayError::PremiumOverCap {
                asked: self.percent,
                cap,
            });
        }
        Ok(())
    }

    /// No premium.
    pub fn none() -> Self {
        Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason() -> Option<Label> {
        Label::parse("No cover for the ICU night after three releases", 500).ok()
    }

    #[test]
    fn up_to_the_cap_needs_no_reason_and_keeps_none() {
        assert_eq!(Premium::agree(35, None, 35).map(|p| p.percent), Ok(35));
        let within = Premium::agree(20, reason(), 35);
        assert_eq!(within.as_ref().map(Premium::overrides_cap), Ok(false));
        assert_eq!(Premium::agree(0, None, 0).map(|p| p.percent), Ok(0));
    }

    #[test]
    fn above_the_cap_only_by_breaking_glass() {
        assert_eq!(
            Premium::agree(36, None, 35),
            Err(PayError::PremiumOverCap { asked: 36, cap: 35 })
        );
        let over = Premium::agree(60, reason(), 35);
        assert_eq!(over.as_ref().map(Premium::overrides_cap), Ok(true));
        assert_eq!(over.map(|p| p.percent), Ok(60));
    }

    #[test]
    fn no_reason_allows_a_slipped_digit() {
        assert_eq!(
            Premium::agree(MAX_PREMIUM + 1, reason(), 35),
            Err(PayError::PremiumTooLarge)
        );
        assert!(Premium::agree(MAX_PREMIUM, reason(), 35).is_ok());
    }
}
