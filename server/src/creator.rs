//! The creator's session: checking a token (how the studio signs in) and
//! replacing it (a token that leaked, or a moderator who left).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use vetrina_wire::{CreatorSession, CreatorToken};

use crate::error::{ApiError, ApiPath};
use crate::events::authorize;
use crate::util::{now_ms, random_id};
use crate::AppState;

/// How long a creator token works after it is issued.
pub const TOKEN_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;

/// `GET /api/shows/{show}/creator` (creator): whether the token works, and until when.
pub async fn session(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<CreatorSession>, ApiError> {
    let expires_at_ms = authorize(&state, &headers, &show_id).await?;
    Ok(Json(CreatorSession { show_id, expires_at_ms }))
}

/// `POST /api/shows/{show}/creator-token` (creator): a new token; the one
/// that asked stops working at once, as does every other copy of it.
pub async fn rotate(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<CreatorToken>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    let token = random_id();
    let expires_at_ms = now_ms() + TOKEN_LIFETIME_MS;
    let mut tx = crate::db::begin_write(&state.writer).await?;
    sqlx::query("UPDATE shows SET creator_token = ?, token_expires_at_ms = ? WHERE id = ?")
        .bind(&token)
        .bind(expires_at_ms)
        .bind(&show_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(show = %show_id, "creator token rotated");
    Ok(Json(CreatorToken { token, expires_at_ms }))
}
