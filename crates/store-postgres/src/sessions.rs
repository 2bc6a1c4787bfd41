//! Who sent a request, in one query: every authenticated request starts by turning its token
//! into a session, a user with grants and, for bank workers, their profile.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use staffbank_domain::UserId;
use staffbank_store::raw::{RawGrant, RawUser};
use staffbank_store::{Session, SignedIn, StoreError, User, Worker};
use uuid::Uuid;

use crate::rows;
use crate::rows::WORKER_COLUMNS;
use crate::sql::OrStore;

/// The columns and joins of a signed-in read (sessions `s`, users `u`, workers `w`); the caller
/// adds which session.
pub(crate) static SIGNED_IN_FROM: LazyLock<String> = LazyLock::new(|| {
    // The grants come back as three arrays aggregated together, so they line up row by row.
    format!(
        "SELECT s.user_id AS session_user_id, s.csrf_token, s.expires_at, s.absolute_expires_at, u.email, \
         u.display_name AS user_display_name, u.password_hash, u.created_at AS user_created_at, \
         g.roles, g.scope_kinds, g.scope_ids, {} \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN LATERAL (SELECT array_agg(role) AS roles, array_agg(scope_kind) AS scope_kinds, \
         array_agg(scope_id) AS scope_ids FROM user_grants WHERE user_id = u.id) g ON true \
         LEFT JOIN workers w ON w.user_id = u.id",
        *WORKER_COLUMNS
    )
});

/// The session behind `token_hash`, unexpired at `now`, with its user and worker profile.
pub(crate) async fn signed_in(
    pool: &PgPool,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignedIn>, StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "{} WHERE s.token_hash = $1 AND s.expires_at > $2",
            *SIGNED_IN_FROM
        )
    });
    let row = sqlx::query(&SQL)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await
        .or_store()?;
    row.map(|row| decode(&row, token_hash)).transpose()
}

/// A signed-in row, under [`SIGNED_IN_FROM`]'s names, for the session behind `token_hash`.
pub(crate) fn decode(row: &PgRow, token_hash: &str) -> Result<SignedIn, StoreError> {
    let get = |e| StoreError::Unexpected(anyhow::Error::new(e));
    let user_id: Uuid = row.try_get("session_user_id").map_err(get)?;
    let roles: Option<Vec<String>> = row.try_get("roles").map_err(get)?;
    let kinds: Option<Vec<String>> = row.try_get("scope_kinds").map_err(get)?;
    let scopes: Option<Vec<Option<Uuid>>> = row.try_get("scope_ids").map_err(get)?;
    let grants = roles
        .unwrap_or_default()
        .into_iter()
        .zip(kinds.unwrap_or_default())
        .zip(scopes.unwrap_or_default())
        .map(|((role, scope_kind), scope_id)| RawGrant {
            role,
            scope_kind,
            scope_id,
        })
        .collect();
    let user = User::try_from(RawUser {
        id: user_id,
        email: row.try_get("email").map_err(get)?,
        display_name: row.try_get("user_display_name").map_err(get)?,
        password_hash: row.try_get("password_hash").map_err(get)?,
        created_at: row.try_get("user_created_at").map_err(get)?,
        grants,
    })
    .map_err(StoreError::Unexpected)?;
    let worker_id: Option<Uuid> = row.try_get("id").map_err(get)?;
    let worker = match worker_id {
        Some(_) => Some(Worker::try_from(rows::worker(row)?).map_err(StoreError::Unexpected)?),
        None => None,
    };
    Ok(SignedIn {
        session: Session {
            token_hash: token_hash.to_owned(),
            user_id: UserId(user_id),
            csrf_token: row.try_get("csrf_token").map_err(get)?,
            expires_at: row.try_get("expires_at").map_err(get)?,
            absolute_expires_at: row.try_get("absolute_expires_at").map_err(get)?,
        },
        user,
        worker,
    })
}
