//! A request's session, user, grants and worker profile in one query: every authenticated request
//! starts here, and on SQLite each query is a hand-off to the connection's thread.

use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};
use staffbank_domain::UserId;
use staffbank_store::raw::{RawGrant, RawUser};
use staffbank_store::{Session, SignedIn, StoreError, User, Worker};
use uuid::Uuid;

use crate::rows;
use crate::sql::OrStore;

/// Ids are stored as 16-byte blobs, which JSON cannot hold: the lists below carry them as hex.
fn hex_id(hex: &str) -> Result<Option<Uuid>, StoreError> {
    if hex.is_empty() {
        return Ok(None);
    }
    Uuid::parse_str(hex)
        .map(Some)
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("stored id: {e}")))
}

fn json<T: serde::de::DeserializeOwned>(
    row: &sqlx::sqlite::SqliteRow,
    column: &str,
) -> Result<T, StoreError> {
    let text: String = row.try_get(column).or_store()?;
    serde_json::from_str(&text).map_err(|e| StoreError::Unexpected(e.into()))
}

fn ids(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Vec<Uuid>, StoreError> {
    json::<Vec<String>>(row, column)?
        .iter()
        .map(|h| hex_id(h)?.ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("empty id"))))
        .collect()
}

pub(crate) async fn signed_in(
    pool: &SqlitePool,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignedIn>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT s.user_id AS session_user_id, s.csrf_token, s.expires_at, s.absolute_expires_at, u.email, \
         u.display_name AS user_display_name, u.password_hash, u.created_at AS user_created_at, \
         (SELECT json_group_array(json_array(g.role, g.scope_kind, lower(hex(g.scope_id)))) \
          FROM user_grants g WHERE g.user_id = u.id) AS grants, \
         w.*, \
         (SELECT json_group_array(lower(hex(bank_id))) FROM (SELECT bank_id FROM bank_memberships \
          WHERE worker_id = w.id ORDER BY joined_at, bank_id)) AS member_of, \
         (SELECT json_group_array(lower(hex(bank_id))) FROM (SELECT bank_id FROM bank_memberships \
          WHERE worker_id = w.id AND tier IS NOT NULL ORDER BY bank_id)) AS tiered_in \
         FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN workers w ON w.user_id = u.id \
         WHERE s.token_hash = ? AND s.expires_at > ?",
    )
    .bind(token_hash)
    .bind(now.timestamp_millis())
    .fetch_optional(pool)
    .await
    .or_store()?
    else {
        return Ok(None);
    };
    let user_id: Uuid = row.try_get("session_user_id").or_store()?;
    let grants = json::<Vec<(String, String, String)>>(&row, "grants")?
        .into_iter()
        .map(|(role, scope_kind, scope)| {
            Ok(RawGrant {
                role,
                scope_kind,
                scope_id: hex_id(&scope)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let user = User::try_from(RawUser {
        id: user_id,
        email: row.try_get("email").or_store()?,
        display_name: row.try_get("user_display_name").or_store()?,
        password_hash: row.try_get("password_hash").or_store()?,
        created_at: rows::instant(&row, "user_created_at")?,
        grants,
    })
    .map_err(StoreError::Unexpected)?;
    let worker = match row.try_get::<Option<Uuid>, _>("id").or_store()? {
        Some(_) => Some(
            Worker::try_from(rows::worker_with(
                &row,
                ids(&row, "member_of")?,
                ids(&row, "tiered_in")?,
            )?)
            .map_err(StoreError::Unexpected)?,
        ),
        None => None,
    };
    let expires: i64 = row.try_get("expires_at").or_store()?;
    Ok(Some(SignedIn {
        session: Session {
            token_hash: token_hash.to_owned(),
            user_id: UserId(user_id),
            csrf_token: row.try_get("csrf_token").or_store()?,
            expires_at: DateTime::from_timestamp_millis(expires)
                .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("session expiry")))?,
            absolute_expires_at: row
                .try_get::<Option<i64>, _>("absolute_expires_at")
                .or_store()?
                .and_then(DateTime::from_timestamp_millis),
        },
        user,
        worker,
    }))
}
