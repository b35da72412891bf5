//! The creator's session: checking a token (how the studio signs in),
//! replacing it (a token that leaked, or a moderator who left), and the
//! show's numbers while it runs.

use axum::extract::State;
use axum::Json;
use vetrina_wire::{CreatorSession, CreatorToken, ShowOrder, ShowStats};

use axum::response::IntoResponse;

use crate::http::auth::Creator;
use crate::http::auth::{token_digest, TOKEN_LIFETIME_MS};
use crate::http::error::{read_body, valid, ApiError, ApiPath};
use crate::state::AppState;
use crate::store;
use crate::util::{now_ms, random_id};

/// `GET /api/shows/{show}/creator` (creator): whether the token works, and until when.
pub async fn session(creator: Creator, ApiPath(show_id): ApiPath<String>) -> Result<Json<CreatorSession>, ApiError> {
    Ok(Json(CreatorSession { show_id, expires_at_ms: creator.expires_at_ms }))
}

/// `POST /api/shows/{show}/creator-token` (creator): a new token; the one
/// that asked stops working at once, as does every other copy of it.
pub async fn rotate(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
) -> Result<axum::response::Response, ApiError> {
    let token = random_id();
    let expires_at_ms = now_ms() + TOKEN_LIFETIME_MS;
    let mut tx = crate::store::begin_write(&state.writer).await?;
    store::shows::set_creator_token(&mut tx, &show_id, &token_digest(&token), expires_at_ms).await?;
    tx.commit().await?;
    tracing::info!(show = %show_id, "creator token rotated");
    // Shown this once: kept nowhere, not even for an idempotent replay.
    let mut response = Json(CreatorToken { token, expires_at_ms }).into_response();
    response.extensions_mut().insert(crate::http::idempotency::Secret);
    Ok(response)
}

/// `GET /api/shows/{show}/stats` (creator): who is watching, what viewers
/// tapped and added, and what sold (test orders left out).
pub async fn stats(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
) -> Result<Json<ShowStats>, ApiError> {
    let mut conn = state.db.acquire().await?;
    let (orders, revenue_minor) = store::orders::totals(&mut conn, &show_id).await?;
    let products = store::orders::product_stats(&mut conn, &show_id).await?;
    drop(conn);
    Ok(Json(ShowStats {
        watching: crate::state::fanout::watching(&state, &show_id).await?,
        orders,
        revenue_minor,
        products,
    }))
}

/// How many of the latest orders `GET /api/shows/{show}/orders` lists.
const LATEST_ORDERS: i64 = 50;

/// `GET /api/shows/{show}/orders` (creator): the show's latest orders, newest
/// first, with whether each one's confirmation has been sent.
pub async fn orders(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
) -> Result<Json<Vec<ShowOrder>>, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(store::orders::latest(&mut conn, &show_id, LATEST_ORDERS).await?))
}

/// `POST /api/shows/{show}/taps` (public): a viewer tapped a product's card.
/// Counted, nothing else: it is the overlay's report, so it is only as honest
/// as the overlays sending it (a client address may report [`crate::state::TAP_RATE`]),
/// and it is never used for anything but the figure.
pub async fn tap(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    request: axum::extract::Request,
) -> Result<axum::http::StatusCode, ApiError> {
    let client = crate::state::net::client_ip(&request, &state.config);
    state.tap_limits.check(&client.to_string()).await.map_err(ApiError::TooManyRequests)?;
    let req: vetrina_wire::Tap = valid(read_body(request).await?)?;
    let mut tx = store::begin_locked(&state.writer, &[]).await?;
    let counted = store::shows::count_tap(&mut tx, &show_id, req.product_id).await?;
    if !counted {
        return Err(ApiError::NotFound(format!("Product {} is not part of this show.", req.product_id)));
    }
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
