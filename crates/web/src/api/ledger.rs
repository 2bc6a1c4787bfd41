//! The audit ledger over HTTP: tree heads, entries, proofs, a person's own entries, erasure.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use staffbank_app::ledger::{
    ConsistencyProofView, EntryView, Erasure, InclusionProofView, PublicKeyView, TreeHeadView,
};
use staffbank_domain::UserId;
use uuid::Uuid;

use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::AppState;

type Json<T> = Result<axum::Json<T>, ApiError>;

fn limit(raw: Option<u32>) -> Result<u32, staffbank_app::AppError> {
    let limit = raw.unwrap_or(100);
    if (1..=1000).contains(&limit) {
        Ok(limit)
    } else {
        Err(staffbank_app::AppError::field(
            "limit",
            "must be between 1 and 1000",
        ))
    }
}

/// A size or index as the document bounds it (a signed 64-bit integer, `format: int64`).
fn within_int64(field: &str, raw: Option<u64>) -> Result<Option<u64>, staffbank_app::AppError> {
    match raw {
        Some(v) if v > i64::MAX as u64 => Err(staffbank_app::AppError::field(
            field,
            format!("must be at most {}", i64::MAX),
        )),
        other => Ok(other),
    }
}

/// The key that signs tree heads (public; no sign-in needed).
#[utoipa::path(get, path = "/api/v1/ledger/public-key", tag = "ledger",
    responses((status = 200, body = PublicKeyView)))]
pub async fn public_key(State(state): State<AppState>) -> axum::Json<PublicKeyView> {
    axum::Json(state.app.ledger_key())
}

/// The newest signed tree head (public; no sign-in needed), so anyone can keep a copy outside
/// the platform's database and later check with `staffbank ledger verify --trusted-head` or a
/// consistency proof that the log still extends it.
#[utoipa::path(get, path = "/api/v1/ledger/heads/latest", tag = "ledger",
    responses((status = 200, body = TreeHeadView), (status = 404, body = Problem)))]
pub async fn latest_head(State(state): State<AppState>) -> Json<TreeHeadView> {
    Ok(axum::Json(state.app.latest_head().await?))
}

/// Paging through tree heads by size, then time.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HeadsQuery {
    /// Return heads after this size...
    pub after_size: Option<u64>,
    /// ...and this signing time (ms), from the last head of the previous page.
    pub after_timestamp_ms: Option<i64>,
    /// 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Every signed tree head, oldest first.
#[utoipa::path(get, path = "/api/v1/ledger/heads", tag = "ledger", security(("bearer" = [])), params(HeadsQuery),
    responses((status = 200, body = Vec<TreeHeadView>)))]
pub async fn heads(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(q): ApiQuery<HeadsQuery>,
) -> Json<Vec<TreeHeadView>> {
    let after = within_int64("after_size", q.after_size)?
        .map(|s| (s, q.after_timestamp_ms.unwrap_or(i64::MAX)));
    Ok(axum::Json(
        state.app.tree_heads(&who, after, limit(q.limit)?).await?,
    ))
}

/// Sign a tree head now (platform admin or auditor).
#[utoipa::path(post, path = "/api/v1/ledger/heads", tag = "ledger", security(("bearer" = [])),
    responses((status = 201, body = TreeHeadView), (status = 403, body = Problem)))]
pub async fn sign_head(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<(StatusCode, axum::Json<TreeHeadView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.app.sign_head_now(&who).await?),
    ))
}

/// Paging through entries by index.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EntriesQuery {
    /// First index (default 0).
    pub from: Option<u64>,
    /// 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Entries in index order (platform auditor or admin).
#[utoipa::path(get, path = "/api/v1/ledger/entries", tag = "ledger", security(("bearer" = [])), params(EntriesQuery),
    responses((status = 200, body = Vec<EntryView>), (status = 403, body = Problem)))]
pub async fn entries(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(q): ApiQuery<EntriesQuery>,
) -> Json<Vec<EntryView>> {
    Ok(axum::Json(
        state
            .app
            .ledger_entries(
                &who,
                within_int64("from", q.from)?.unwrap_or(0),
                limit(q.limit)?,
            )
            .await?,
    ))
}

/// One entry by index (auditors; anyone for entries about themselves).
#[utoipa::path(get, path = "/api/v1/ledger/entries/{seq}", tag = "ledger", security(("bearer" = [])),
    params(("seq" = u64, Path)), responses((status = 200, body = EntryView), (status = 404, body = Problem)))]
pub async fn entry(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(seq): ApiPath<u64>,
) -> Json<EntryView> {
    Ok(axum::Json(state.app.ledger_entry(&who, seq).await?))
}

/// The tree size to prove against.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProofQuery {
    /// A size with a signed tree head (default: the newest head).
    pub tree_size: Option<u64>,
}

/// An inclusion proof of an entry against a signed tree head.
#[utoipa::path(get, path = "/api/v1/ledger/entries/{seq}/inclusion-proof", tag = "ledger", security(("bearer" = [])),
    params(("seq" = u64, Path), ProofQuery),
    responses((status = 200, body = InclusionProofView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn inclusion_proof(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(seq): ApiPath<u64>,
    ApiQuery(q): ApiQuery<ProofQuery>,
) -> Json<InclusionProofView> {
    Ok(axum::Json(
        state.app.inclusion_proof(&who, seq, q.tree_size).await?,
    ))
}

/// The two tree sizes.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// Older size: any size a client holds a head for, signed here or not.
    pub first: u64,
    /// Newer size (with a signed head).
    pub second: u64,
}

/// A consistency proof from any earlier size to a signed tree head (RFC 9162 §2.1.4).
#[utoipa::path(get, path = "/api/v1/ledger/consistency-proof", tag = "ledger", security(("bearer" = [])),
    params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyProofView), (status = 422, body = Problem)))]
pub async fn consistency_proof(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> Json<ConsistencyProofView> {
    Ok(axum::Json(
        state.app.consistency_proof(&who, q.first, q.second).await?,
    ))
}

/// Paging through your own entries.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MineQuery {
    /// The id of the last entry of the previous page.
    pub after: Option<Uuid>,
    /// 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// The ledger entries about you.
#[utoipa::path(get, path = "/api/v1/me/ledger-entries", tag = "ledger", security(("bearer" = [])), params(MineQuery),
    responses((status = 200, body = Vec<EntryView>)))]
pub async fn my_entries(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(q): ApiQuery<MineQuery>,
) -> Json<Vec<EntryView>> {
    Ok(axum::Json(
        state
            .app
            .my_ledger_entries(&who, q.after, limit(q.limit)?)
            .await?,
    ))
}

/// Erase a person (platform admin): their data key is destroyed, so their entries still verify
/// but their personal fields read as erased; their name, email and home leave the live records,
/// they can no longer sign in and drop out of candidate lists. A second erasure is a 409.
#[utoipa::path(post, path = "/api/v1/people/{user_id}/erasure", tag = "ledger", security(("bearer" = [])),
    params(("user_id" = Uuid, Path)), request_body = Erasure,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn erase(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(user_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<Erasure>,
) -> Result<StatusCode, ApiError> {
    state.app.erase_person(&who, UserId(user_id), input).await?;
    Ok(StatusCode::NO_CONTENT)
}
