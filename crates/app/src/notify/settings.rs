//! Notification settings. A worker's: which channels reach them (email is on until they turn it
//! off; push reaches the browsers they subscribed), and which offers they want to hear about —
//! grades, sites, days or nights — with quiet hours in which alerts wait. A ward manager's: the
//! channels their escalations come by, and nothing else.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use staffbank_domain::ranking::ShiftTimes;
use staffbank_domain::role::Role;
use staffbank_domain::{Grade, SiteId};
use staffbank_store::AlertSettings;

use crate::error::Fields;
use crate::{App, AppError, Principal};

/// The settings, whole: what `PUT` sets and `GET` reads. Filters left out mean "every offer".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Email to their sign-in address (offers for a worker, escalations for a ward manager).
    pub email: bool,
    /// Push alerts to the browsers they subscribed under "Alerts on this device".
    pub push: bool,
    /// Grades to hear about, e.g. `["band_5"]`: an offer alerts when one of them lies within the
    /// shift's grade range. Null or empty for every grade.
    #[serde(default)]
    pub grades: Option<Vec<String>>,
    /// Site ids to hear about, from the banks they belong to. Null or empty for every site.
    #[serde(default)]
    pub sites: Option<Vec<String>>,
    /// `any`, `days` or `nights` (default `any`).
    #[serde(default)]
    pub shift_times: Option<String>,
    /// Start of quiet hours, "HH:MM" UK time; alerts wait until they end. With `quiet_until`.
    #[serde(default)]
    pub quiet_from: Option<String>,
    /// End of quiet hours, "HH:MM" UK time (may be past midnight). With `quiet_from`.
    #[serde(default)]
    pub quiet_until: Option<String>,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self::from(&AlertSettings::default())
    }
}

impl From<&AlertSettings> for NotificationSettings {
    fn from(s: &AlertSettings) -> Self {
        let time = |t: NaiveTime| t.format("%H:%M").to_string();
        Self {
            email: s.email,
            push: s.push,
            grades: s
                .grades
                .as_ref()
                .map(|g| g.iter().map(|g| g.as_str().to_owned()).collect()),
            sites: s
                .sites
                .as_ref()
                .map(|l| l.iter().map(|s| s.0.to_string()).collect()),
            shift_times: Some(s.shift_times.as_str().to_owned()),
            quiet_from: s.quiet.map(|(from, _)| time(from)),
            quiet_until: s.quiet.map(|(_, until)| time(until)),
        }
    }
}

/// A site a worker may choose to hear about: one of a trust in a bank they belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SiteChoice {
    /// The site's id.
    pub id: uuid::Uuid,
    /// Its name.
    pub name: String,
    /// Its trust's name, as sites of different trusts may share a name.
    pub org_name: String,
}

/// A time of day as people write it on a 24-hour clock, "HH:MM".
fn clock_time(raw: &str) -> Result<NaiveTime, &'static str> {
    let raw = raw.trim();
    if raw.len() != 5 {
        return Err("must be a time on the 24-hour clock, e.g. 22:00");
    }
    NaiveTime::parse_from_str(raw, "%H:%M")
        .map_err(|_| "must be a time on the 24-hour clock, e.g. 22:00")
}

impl App {
    /// The signed-in worker's notification settings, or a ward manager's channels (the offer
    /// filters null). Anyone else has none.
    pub async fn my_notification_settings(
        &self,
        who: &Principal,
    ) -> Result<NotificationSettings, AppError> {
        let Some(worker) = who.worker.as_ref() else {
            return self.manager_channels(who).await;
        };
        Ok(self
            .store
            .notification_settings(worker.id)
            .await?
            .map(|s| NotificationSettings::from(&s))
            .unwrap_or_default())
    }

    /// The sites the signed-in worker may choose to hear about: those of every trust in the banks
    /// they belong to, by trust and name.
    pub async fn my_alert_sites(&self, who: &Principal) -> Result<Vec<SiteChoice>, AppError> {
        let worker = who.require_worker()?;
        let mut orgs = Vec::new();
        for bank in &worker.banks {
            if let Some(bank) = self.store.bank(*bank).await? {
                orgs.extend(bank.member_orgs);
            }
        }
        orgs.sort_by_key(|o| o.0);
        orgs.dedup();
        let mut sites = BTreeMap::new();
        for org in orgs {
            let org_name = self
                .store
                .organisation(org)
                .await?
                .map(|o| o.name.to_string())
                .unwrap_or_default();
            for site in self.store.sites(org).await? {
                sites.insert(
                    (org_name.clone(), site.name.to_string(), site.id.0),
                    SiteChoice {
                        id: site.id.0,
                        name: site.name.to_string(),
                        org_name: org_name.clone(),
                    },
                );
            }
        }
        Ok(sites.into_values().collect())
    }

    /// Sets the signed-in worker's notification settings, whole (or a ward manager's channels);
    /// they apply to every alert sent from now, including those already waiting. Every bad field
    /// is named and nothing changes unless all are good.
    pub async fn set_my_notification_settings(
        &self,
        who: &Principal,
        input: NotificationSettings,
    ) -> Result<NotificationSettings, AppError> {
        let Some(worker) = who.worker.as_ref() else {
            return self.set_manager_channels(who, input).await;
        };
        let mut fields = Fields::default();
        let mut grades = Vec::new();
        for (i, raw) in input.grades.iter().flatten().enumerate() {
            if let Some(g) = fields.take(
                format!("grades[{i}]"),
                Grade::parse(raw.trim()).ok_or("must be a grade, e.g. band_5"),
            ) {
                grades.push(g);
            }
        }
        let mut sites = Vec::new();
        if input.sites.as_ref().is_some_and(|s| !s.is_empty()) {
            let choices = self.my_alert_sites(who).await?;
            for (i, raw) in input.sites.iter().flatten().enumerate() {
                let field = format!("sites[{i}]");
                match uuid::Uuid::parse_str(raw.trim()) {
                    Err(_) => fields.push(field, "must be a site id"),
                    Ok(id) if !choices.iter().any(|c| c.id == id) => {
                        fields.push(field, "is not a site of a bank you belong to")
                    }
                    Ok(id) => sites.push(SiteId(id)),
                }
            }
        }
        let times = fields.take(
            "shift_times",
            ShiftTimes::parse(input.shift_times.as_deref().unwrap_or("any").trim())
                .ok_or("must be any, days or nights"),
        );
        fn given(raw: &Option<String>) -> Option<&str> {
            raw.as_deref().filter(|r| !r.trim().is_empty())
        }
        let from = given(&input.quiet_from).map(|r| fields.take("quiet_from", clock_time(r)));
        let until = given(&input.quiet_until).map(|r| fields.take("quiet_until", clock_time(r)));
        let quiet = match (from, until) {
            (None, None) => None,
            (Some(_), None) => {
                fields.push("quiet_until", "must be given with quiet_from");
                None
            }
            (None, Some(_)) => {
                fields.push("quiet_from", "must be given with quiet_until");
                None
            }
            (Some(from), Some(until)) => match from.zip(until) {
                Some((from, until)) if from == until => {
                    fields.push("quiet_until", "must differ from quiet_from");
                    None
                }
                pair => pair,
            },
        };
        fields.finish()?;
        grades.sort();
        grades.dedup();
        sites.sort_by_key(|s| s.0);
        sites.dedup();
        let settings = AlertSettings {
            email: input.email,
            push: input.push,
            grades: (!grades.is_empty()).then_some(grades),
            sites: (!sites.is_empty()).then_some(sites),
            shift_times: times.unwrap_or_default(),
            quiet,
        };
        self.store
            .set_notification_settings(worker.id, &settings, self.now())
            .await?;
        if who.has_role(Role::WardManager) {
            // A worker who also manages a ward hears of escalations by the same channels.
            self.store
                .set_escalation_channels(who.user.id, settings.email, settings.push, self.now())
                .await?;
        }
        Ok(NotificationSettings::from(&settings))
    }
}
