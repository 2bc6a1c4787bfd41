//! Building ledger entries for use cases: facts in the clear, personal data sealed under the
//! subject's data key (created on first use, wrapped under the master key).

use serde_json::Value;
use staffbank_domain::{OrgId, UserId};
use staffbank_ledger::entry::{Entry, FORMAT};
use staffbank_ledger::keys::DataKey;
use staffbank_store::AuditRecord;
use uuid::Uuid;

use crate::{App, AppError};

/// What a use case says about its change.
pub struct Change<'a> {
    /// What happened, e.g. `booking.made`.
    pub action: &'a str,
    /// Who did it.
    pub actor: Option<UserId>,
    /// The trust whose data changed.
    pub tenant: Option<OrgId>,
    /// The person it is about (their user id), whose key seals `personal`.
    pub subject: Option<UserId>,
    /// Facts in the clear: ids, times, states before and after.
    pub facts: Value,
    /// Personal data about the subject, sealed; dropped if the subject has been erased.
    pub personal: Option<Value>,
}

impl App {
    /// The data key of a person, creating it on first use; `None` once they have been erased.
    pub(crate) async fn data_key(&self, person: Uuid) -> Result<Option<DataKey>, AppError> {
        if self.store.person_key(person).await?.is_none() {
            let key = DataKey::generate(&mut rand::rngs::OsRng);
            let wrapped = self.master.wrap(person, &key, &mut rand::rngs::OsRng);
            self.store
                .create_person_key(person, &wrapped, self.now())
                .await?;
        }
        // Read back: a concurrent first use may have stored its key instead of ours.
        let stored = self.store.person_key(person).await?;
        match stored.and_then(|k| k.wrapped) {
            Some(wrapped) => self.master.unwrap(person, &wrapped).map(Some).map_err(|e| {
                AppError::Unexpected(anyhow::anyhow!("a data key does not unwrap: {e}"))
            }),
            None => Ok(None),
        }
    }

    /// The audit record of a change, ready to be written with it.
    pub async fn audit_record(&self, change: Change<'_>) -> Result<AuditRecord, AppError> {
        let subject = change.subject.map(|s| s.0);
        let sealed = match (subject, &change.personal) {
            (Some(person), Some(personal)) => self.data_key(person).await?.map(|key| {
                key.seal(
                    person,
                    personal.to_string().as_bytes(),
                    &mut rand::rngs::OsRng,
                )
            }),
            _ => None,
        };
        let entry = Entry {
            v: FORMAT,
            id: Uuid::now_v7(),
            at: self.now(),
            action: change.action.to_owned(),
            actor: change.actor.map(|a| a.0),
            tenant: change.tenant.map(|t| t.0),
            subject,
            facts: change.facts,
            sealed,
        };
        Ok(AuditRecord {
            id: entry.id,
            recorded_at: entry.at,
            action: entry.action.clone(),
            tenant: change.tenant,
            subject,
            body: entry.to_bytes(),
        })
    }
}
