//! Who may do what: a show's creator holds a bearer token (the studio signs in
//! with it; it expires and can be replaced), and the operator of the server
//! holds one token that creates shows. Viewers need none.

use axum::http::HeaderMap;

use crate::error::ApiError;
use crate::store;
use crate::util::{constant_time_eq, now_ms};
use crate::AppState;

/// How long a creator token works after it is issued.
pub const TOKEN_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Checks `Authorization: Bearer <token>` against the show's creator token and
/// its expiry; answers when the token expires.
pub async fn authorize(state: &AppState, headers: &HeaderMap, show_id: &str) -> Result<i64, ApiError> {
    let presented = bearer(headers).ok_or(ApiError::Unauthorized)?;
    let row = store::shows::creator_token(&state.db, show_id).await?;
    // An unknown show answers like a wrong token: a viewer learns nothing either way.
    let Some((token, expires)) = row else { return Err(ApiError::Unauthorized) };
    if !constant_time_eq(token.as_bytes(), presented.as_bytes()) {
        Err(ApiError::Unauthorized)
    } else if now_ms() >= expires {
        // Only the token's holder learns that it expired.
        Err(ApiError::TokenExpired)
    } else {
        Ok(expires)
    }
}

/// Checks `Authorization: Bearer <token>` against the server's operator token
/// (none configured: nobody is the operator).
pub fn authorize_operator(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let allowed = match (&state.config.operator_token, bearer(headers)) {
        (Some(token), Some(presented)) => constant_time_eq(token.as_bytes(), presented.as_bytes()),
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::OperatorOnly)
    }
}
