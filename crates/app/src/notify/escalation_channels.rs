//! A ward manager's notification settings: the channels their escalations come by (email until
//! they choose; push to the browsers they subscribed). Which offers to hear about is a worker's
//! choice, so a manager's settings carry no offer filters and any given is refused.

use staffbank_domain::role::Role;

use super::settings::NotificationSettings;
use crate::error::Fields;
use crate::{App, AppError, Principal};

impl App {
    /// A ward manager's channels for escalations, as settings with no offer filters.
    pub(super) async fn manager_channels(
        &self,
        who: &Principal,
    ) -> Result<NotificationSettings, AppError> {
        if !who.has_role(Role::WardManager) {
            return Err(AppError::Forbidden);
        }
        let (email, push) = self
            .store
            .escalation_channels(who.user.id)
            .await?
            .unwrap_or((true, false));
        Ok(NotificationSettings {
            email,
            push,
            grades: None,
            sites: None,
            shift_times: None,
            quiet_from: None,
            quiet_until: None,
        })
    }

    /// Sets a ward manager's channels; offer filters are a worker's, so any given is refused.
    pub(super) async fn set_manager_channels(
        &self,
        who: &Principal,
        input: NotificationSettings,
    ) -> Result<NotificationSettings, AppError> {
        if !who.has_role(Role::WardManager) {
            return Err(AppError::Forbidden);
        }
        let mut fields = Fields::default();
        let only_workers = "only workers choose which offers they hear about";
        let lists = [("grades", &input.grades), ("sites", &input.sites)];
        for (name, list) in lists {
            if list.as_ref().is_some_and(|l| !l.is_empty()) {
                fields.push(name, only_workers);
            }
        }
        let single = [
            ("shift_times", &input.shift_times),
            ("quiet_from", &input.quiet_from),
            ("quiet_until", &input.quiet_until),
        ];
        for (name, value) in single {
            if value.as_ref().is_some_and(|v| !v.trim().is_empty()) {
                fields.push(name, only_workers);
            }
        }
        fields.finish()?;
        self.store
            .set_escalation_channels(who.user.id, input.email, input.push, self.now())
            .await?;
        self.manager_channels(who).await
    }
}
