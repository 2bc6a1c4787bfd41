//! A worker's notification settings: which channels reach them. Email is on until they turn it
//! off; "push on this device" is stored now, for Web Push to deliver once it is built.

use serde::{Deserialize, Serialize};

use crate::{App, AppError, Principal};

/// The channels a worker has chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Email offers to the worker's sign-in address.
    pub email: bool,
    /// Push messages to this device (stored now; delivered once Web Push is built).
    pub push: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            email: true,
            push: false,
        }
    }
}

impl App {
    /// The signed-in worker's notification settings.
    pub async fn my_notification_settings(
        &self,
        who: &Principal,
    ) -> Result<NotificationSettings, AppError> {
        let worker = who.require_worker()?;
        Ok(self
            .store
            .notification_settings(worker.id)
            .await?
            .map(|(email, push)| NotificationSettings { email, push })
            .unwrap_or_default())
    }

    /// Sets the signed-in worker's notification settings; they apply to messages written from now.
    pub async fn set_my_notification_settings(
        &self,
        who: &Principal,
        settings: NotificationSettings,
    ) -> Result<NotificationSettings, AppError> {
        let worker = who.require_worker()?;
        self.store
            .set_notification_settings(worker.id, settings.email, settings.push, self.now())
            .await?;
        Ok(settings)
    }
}
