//! The exact two-sided binomial test, the significance test the fairness auditor uses: could a
//! group's count of shifts out of all shifts have come by chance from its share of the members?

/// Relative tolerance when comparing outcome probabilities, as R's `binom.test` uses, so that
/// outcomes exactly as likely as the observed one are not lost to rounding.
const RELATIVE_TOLERANCE: f64 = 1e-7;

/// The p-value of the exact two-sided binomial test of `successes` out of `trials` against the
/// probability `p`: the total probability of every outcome no more likely than the one observed
/// (the "method of small p-values", as R's `binom.test` computes it). 1.0 when there are no
/// trials or `p` is outside 0 to 1 (nothing to test).
pub fn two_sided_p(successes: u64, trials: u64, p: f64) -> f64 {
    if trials == 0 || !(0.0..=1.0).contains(&p) || successes > trials {
        return 1.0;
    }
    if p == 0.0 {
        return if successes == 0 { 1.0 } else { 0.0 };
    }
    if p == 1.0 {
        return if successes == trials { 1.0 } else { 0.0 };
    }
    let logs = log_pmf(trials, p);
    let Some(&observed) = usize::try_from(successes).ok().and_then(|k| logs.get(k)) else {
        return 1.0;
    };
    let limit = observed + RELATIVE_TOLERANCE.ln_1p();
    let total: f64 = logs.iter().filter(|&&l| l <= limit).map(|&l| l.exp()).sum();
    total.min(1.0)
}

/// The natural log of the binomial probability of each outcome 0 to `n`, built up from the
/// ratio of neighbours so that large `n` neither overflows nor underflows.
fn log_pmf(n: u64, p: f64) -> Vec<f64> {
    let ratio = (p / (1.0 - p)).ln();
    let mut logs = Vec::with_capacity(usize::try_from(n).unwrap_or(0).saturating_add(1));
    let mut current = (n as f64) * (1.0 - p).ln();
    logs.push(current);
    for i in 0..n {
        current += ((n - i) as f64).ln() - ((i + 1) as f64).ln() + ratio;
        logs.push(current);
    }
    logs
}

#[cfg(test)]
mod tests {
    use super::two_sided_p;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    // Reference values from R 4.x: binom.test(x, n, p)$p.value.
    #[test]
    fn matches_r_binom_test() {
        // binom.test(7, 20, 0.5): 2 * P(X <= 7) = 0.2631760
        assert!(close(two_sided_p(7, 20, 0.5), 0.263_176, 1e-6));
        // binom.test(3, 10, 0.5): 0.34375 exactly
        assert!(close(two_sided_p(3, 10, 0.5), 0.343_75, 1e-9));
        // binom.test(0, 10, 0.5): 2 / 1024
        assert!(close(two_sided_p(0, 10, 0.5), 2.0 / 1024.0, 1e-12));
        // binom.test(682, 925, p = 0.75), R's own documented example: p-value = 0.3825
        assert!(close(two_sided_p(682, 925, 0.75), 0.3825, 1e-4));
        // binom.test(5, 10, 0.5): every outcome counts
        assert!(close(two_sided_p(5, 10, 0.5), 1.0, 1e-12));
    }

    #[test]
    fn asymmetric_probability_sums_the_less_likely_tail() {
        // binom.test(0, 5, 0.2): P(0) = 0.32768; P(2) = 0.2048 and P(3..5) are no more likely,
        // P(1) = 0.4096 is: 0.32768 + 0.2048 + 0.0512 + 0.0064 + 0.00032 = 0.5904
        assert!(close(two_sided_p(0, 5, 0.2), 0.590_4, 1e-9));
    }

    #[test]
    fn edges_have_nothing_to_test() {
        assert_eq!(two_sided_p(0, 0, 0.5), 1.0);
        assert_eq!(two_sided_p(0, 4, 0.0), 1.0);
        assert_eq!(two_sided_p(1, 4, 0.0), 0.0);
        assert_eq!(two_sided_p(4, 4, 1.0), 1.0);
        assert_eq!(two_sided_p(9, 4, 0.5), 1.0);
    }

    #[test]
    fn large_samples_stay_finite() {
        let p = two_sided_p(5_000, 100_000, 0.05);
        assert!(close(p, 1.0, 1e-2));
        assert!(two_sided_p(4_000, 100_000, 0.05) < 1e-10);
    }
}
