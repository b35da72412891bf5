//! Who may do what: a show's creator holds a bearer token (the studio signs in
//! with it; it expires and can be replaced), and the operator of the server
//! holds one token that creates shows. Viewers need none.

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::store;
use crate::util::{constant_time_eq, now_ms};
use crate::{Access, AppState};

/// Every endpoint's first check, from its entry in the endpoint table
/// ([`crate::endpoints`]): a creator endpoint needs the token of the show in
/// its path, an operator endpoint the operator's token. It runs before the
/// body is read (see [`crate::api`]), so a caller without the right token
/// makes the server hold nothing.
pub async fn gate(State((state, access)): State<(AppState, Access)>, request: Request, next: Next) -> Response {
    let refused = match access {
        Access::Public => None,
        Access::Operator => authorize_operator(&state, request.headers()).err(),
        Access::Creator => {
            let (mut parts, body) = request.into_parts();
            let show = RawPathParams::from_request_parts(&mut parts, &state)
                .await
                .ok()
                .and_then(|params| params.iter().find(|(name, _)| *name == "show").map(|(_, v)| v.to_string()));
            let refused = match show.filter(|s| crate::util::is_show_id(s)) {
                Some(show) => authorize(&state, &parts.headers, &show).await.err(),
                // No such show can exist: answered like a wrong token.
                None => Some(ApiError::Unauthorized),
            };
            return match refused {
                Some(e) => e.into_response(),
                None => next.run(Request::from_parts(parts, body)).await,
            };
        }
    };
    match refused {
        Some(e) => e.into_response(),
        None => next.run(request).await,
    }
}

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
