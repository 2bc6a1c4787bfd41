//! Keyset pagination: a `limit` and an opaque `cursor` naming the last item seen.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::DateTime;
use serde::Serialize;
use staffbank_store::Cursor;
/// A page request (how many items, after which): re-exported so the web layer builds one without
/// reaching into the store.
pub use staffbank_store::Page;
use uuid::Uuid;

use crate::AppError;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size.
pub const MAX_LIMIT: u32 = 200;

/// One page of results and the cursor for the next, if there may be one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Parses `limit` and `cursor` query values into a page.
pub fn page(limit: Option<u32>, cursor: Option<&str>) -> Result<Page, AppError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let after = cursor.map(decode).transpose()?;
    Ok(Page { limit, after })
}

fn decode(raw: &str) -> Result<Cursor, AppError> {
    let bad = || AppError::field("cursor", "is not a cursor this server gave out");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (ms, id) = text.split_once('.').ok_or_else(bad)?;
    let ms: i64 = ms.parse().map_err(|_| bad())?;
    Ok(Cursor {
        start: DateTime::from_timestamp_millis(ms).ok_or_else(bad)?,
        id: Uuid::parse_str(id).map_err(|_| bad())?,
    })
}

/// The cursor after `(start, id)` when a page came back full.
pub fn next_cursor(full: bool, last: Option<Cursor>) -> Option<String> {
    let last = last.filter(|_| full)?;
    Some(URL_SAFE_NO_PAD.encode(format!("{}.{}", last.start.timestamp_millis(), last.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor {
            start: DateTime::from_timestamp_millis(1_780_000_000_000).unwrap(),
            id: Uuid::from_u128(42),
        };
        let encoded = next_cursor(true, Some(cursor)).unwrap();
        assert_eq!(page(Some(10), Some(&encoded)).unwrap().after, Some(cursor));
        assert_eq!(next_cursor(false, Some(cursor)), None);
        for bad in ["", "!!", "bm90LWEtY3Vyc29y", "MTIzLm5vdC1hLXV1aWQ"] {
            assert!(page(None, Some(bad)).is_err(), "{bad}");
        }
        assert!(page(Some(0), None).is_err());
        assert!(page(Some(201), None).is_err());
    }
}
