//! Which roster rows are already posted, so that posting the same roster twice posts nothing the
//! second time. A row's identity is its ward, start, end and role, with its occurrence among
//! identical rows of the file: the second of two identical rows is present only when the ward
//! already has two such shifts. Every shift counts, however it was posted and even if cancelled
//! since, so a repeated import never brings back a shift a booker took down.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use staffbank_domain::WardId;
use staffbank_store::{Cursor, Page};
use uuid::Uuid;

use super::columns::normalise;
use crate::shifts::NewShift;
use crate::{App, AppError};

/// A shift's identity on a roster.
type Key = (Uuid, DateTime<Utc>, DateTime<Utc>, String);

fn key_of(shift: &NewShift) -> Option<Key> {
    let at = |raw: &str| {
        DateTime::parse_from_rfc3339(raw)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    Some((
        shift.ward_id,
        at(&shift.starts_at)?,
        at(&shift.ends_at)?,
        normalise(&shift.role),
    ))
}

impl App {
    /// For each of `shifts` in order, whether its ward already has it (see the module's doc).
    pub(crate) async fn already_posted(&self, shifts: &[NewShift]) -> Result<Vec<bool>, AppError> {
        let keys: Vec<Option<Key>> = shifts.iter().map(key_of).collect();
        let known: Vec<&Key> = keys.iter().flatten().collect();
        let (Some(first), Some(last)) = (
            known.iter().map(|k| k.1).min(),
            known.iter().map(|k| k.1).max(),
        ) else {
            return Ok(vec![false; shifts.len()]);
        };
        let mut wards: Vec<WardId> = known.iter().map(|k| WardId(k.0)).collect();
        wards.sort_by_key(|w| w.0);
        wards.dedup();
        let mut held: HashMap<Key, usize> = HashMap::new();
        let mut after = None;
        loop {
            let batch = self
                .store
                .shifts_posted_for(
                    &[],
                    &wards,
                    first - Duration::seconds(1),
                    Page { limit: 500, after },
                )
                .await?;
            let full = batch.len() == 500;
            after = batch.last().map(|s| Cursor {
                start: s.window.start(),
                id: s.id.0,
            });
            let past_last = batch.last().is_some_and(|s| s.window.start() > last);
            for s in batch {
                let key = (
                    s.ward_id.0,
                    s.window.start(),
                    s.window.end(),
                    normalise(s.role.as_str()),
                );
                *held.entry(key).or_default() += 1;
            }
            if !full || past_last {
                break;
            }
        }
        let mut seen: HashMap<&Key, usize> = HashMap::new();
        Ok(keys
            .iter()
            .map(|key| {
                key.as_ref().is_some_and(|key| {
                    let occurrence = seen.entry(key).or_default();
                    *occurrence += 1;
                    held.get(key).is_some_and(|n| *occurrence <= *n)
                })
            })
            .collect())
    }
}
