//! The Core Skills Training refresher periods a fresh demo starts with, so a compliance officer
//! can offer a training record from the browser at once.
//!
//! The months follow the refresher frequencies suggested in Skills for Health's Core Skills
//! Training Framework (CSTF) subject guides: yearly for resuscitation, information governance
//! and level 2 infection prevention; every two years for fire safety and level 2 moving and
//! handling; every three years for the rest. Trusts agree their own locally, so a platform
//! administrator may change them on the Training refresher periods page.

use staffbank_app::refreshers::RefresherPeriod;
use staffbank_app::{App, Principal};

/// Subject, level, months.
const PERIODS: [(&str, u8, u32); 20] = [
    ("conflict_resolution", 1, 36),
    ("equality_diversity_human_rights", 1, 36),
    ("fire_safety", 1, 24),
    ("health_safety_welfare", 1, 36),
    ("infection_prevention_control", 1, 36),
    ("infection_prevention_control", 2, 12),
    ("information_governance", 1, 12),
    ("moving_handling", 1, 36),
    ("moving_handling", 2, 24),
    ("preventing_radicalisation", 1, 36),
    ("preventing_radicalisation", 2, 36),
    ("resuscitation", 1, 12),
    ("resuscitation", 2, 12),
    ("resuscitation", 3, 12),
    ("safeguarding_adults", 1, 36),
    ("safeguarding_adults", 2, 36),
    ("safeguarding_adults", 3, 36),
    ("safeguarding_children", 1, 36),
    ("safeguarding_children", 2, 36),
    ("safeguarding_children", 3, 36),
];

/// Sets the periods as the platform administrator would.
pub(super) async fn seed_refresher_periods(app: &App, admin: &Principal) -> anyhow::Result<()> {
    let periods = PERIODS
        .iter()
        .map(|(subject, level, months)| RefresherPeriod {
            subject: (*subject).to_owned(),
            level: *level,
            months: *months,
        })
        .collect();
    app.set_refresher_periods(admin, periods)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}
