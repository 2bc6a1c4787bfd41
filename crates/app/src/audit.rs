//! Building ledger entries for use cases: facts in the clear, personal data sealed under the
//! subject's data key (created on first use, wrapped under the master key).

use std::collections::HashMap;
use std::time::{Duration, Instant};

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
    /// The data key that seals new personal data about a person, creating it on first use;
    /// `None` once they have been erased.
    ///
    /// Wrapped keys are cached in the process for sealing only (see [`SealingKeys`]): sealing with
    /// a key that another process has just destroyed is harmless, because nothing sealed with a
    /// destroyed key can ever be opened. Opening always reads the key from the database.
    pub(crate) async fn sealing_key(&self, person: Uuid) -> Result<Option<DataKey>, AppError> {
        let wrapped = match self.sealing_keys.get(person) {
            Some(wrapped) => Some(wrapped),
            None => {
                let mut stored = self.store.person_key(person).await?;
                if stored.is_none() {
                    let key = DataKey::generate(&mut rand::rngs::OsRng);
                    let wrapped = self.master.wrap(person, &key, &mut rand::rngs::OsRng);
                    self.store
                        .create_person_key(person, &wrapped, self.now())
                        .await?;
                    // Read back: a concurrent first use may have stored its key instead of ours.
                    stored = self.store.person_key(person).await?;
                }
                let wrapped = stored.and_then(|k| k.wrapped);
                if let Some(w) = &wrapped {
                    self.sealing_keys.put(person, w.clone());
                }
                wrapped
            }
        };
        wrapped
            .map(|w| self.master.unwrap(person, &w))
            .transpose()
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("a data key does not unwrap: {e}")))
    }

    /// The audit record of a change, ready to be written with it.
    pub async fn audit_record(&self, change: Change<'_>) -> Result<AuditRecord, AppError> {
        let subject = change.subject.map(|s| s.0);
        let sealed = match (subject, &change.personal) {
            (Some(person), Some(personal)) => self.sealing_key(person).await?.map(|key| {
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
        let body = entry.to_bytes();
        if Entry::from_bytes(&body).is_err() {
            // Writing JSON has no nesting limit but reading it back does: an entry that could
            // not be read would break every reader of the ledger after it.
            return Err(AppError::field(
                "body",
                "too deeply nested to be recorded in the audit ledger",
            ));
        }
        Ok(AuditRecord {
            id: entry.id,
            recorded_at: entry.at,
            action: entry.action.clone(),
            tenant: change.tenant,
            subject,
            mac: Some(self.master.entry_mac(&body).to_vec()),
            body,
        })
    }
}

/// A small in-process cache of wrapped data keys, for sealing only.
#[derive(Default)]
pub(crate) struct SealingKeys(std::sync::Mutex<HashMap<Uuid, (Vec<u8>, Instant)>>);

/// How long a cached key is used before it is read again.
const SEALING_KEY_TTL: Duration = Duration::from_secs(300);
/// Most keys cached; the cache is emptied when it would grow past this.
const SEALING_KEYS_MAX: usize = 50_000;

impl SealingKeys {
    fn get(&self, person: Uuid) -> Option<Vec<u8>> {
        let cache = self.0.lock().ok()?;
        cache
            .get(&person)
            .filter(|(_, at)| at.elapsed() < SEALING_KEY_TTL)
            .map(|(w, _)| w.clone())
    }

    pub(crate) fn forget(&self, person: Uuid) {
        if let Ok(mut cache) = self.0.lock() {
            cache.remove(&person);
        }
    }

    /// Caches `person`'s wrapped key, as read from the store just now.
    pub(crate) fn put(&self, person: Uuid, wrapped: Vec<u8>) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= SEALING_KEYS_MAX {
                cache.clear();
            }
            cache.insert(person, (wrapped, Instant::now()));
        }
    }
}
