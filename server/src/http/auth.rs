//! Who may do what: a show's creator holds a bearer token (the studio signs in
//! with it; it expires and can be replaced), and the operator of the server
//! holds one token that creates shows. Viewers need none.

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::endpoint::Access;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store;
use crate::util::{constant_time_eq, now_ms};

/// Every endpoint's first check, from its entry in the endpoint table
/// ([`crate::endpoints`]): a creator endpoint needs the token of the show in
/// its path, an operator endpoint the operator's token. It runs before the
/// body is read (see [`crate::http::router`]), so a caller without the right token
/// makes the server hold nothing.
///
/// Wrong tokens are throttled ([`crate::state::config::SIGN_IN_FAILURES`]): per client address, and
/// per show whoever guesses, so guessing costs time as well as luck.
pub async fn gate(State((state, access)): State<(AppState, Access)>, request: Request, next: Next) -> Response {
    if access == Access::Public {
        return next.run(request).await;
    }
    if access == Access::StripeSignature {
        let header = request.headers().get("stripe-signature").and_then(|v| v.to_str().ok());
        if let Err(e) = crate::state::stripe::signed_at(header, crate::util::now_ms() / 1000) {
            tracing::warn!(error = ?e, "refused a Stripe webhook before reading it");
            return ApiError::bad_request(
                "bad_signature",
                "The Stripe-Signature header is missing, malformed or more than five minutes old.",
            )
            .into_response();
        }
        return next.run(request).await;
    }
    let client = crate::state::net::client_ip(&request, &state.config).to_string();
    let (mut parts, body) = request.into_parts();
    let show = match access {
        Access::Creator => RawPathParams::from_request_parts(&mut parts, &state)
            .await
            .ok()
            .and_then(|params| params.iter().find(|(name, _)| *name == "show").map(|(_, v)| v.to_string())),
        _ => None,
    };
    // Keyed by a real show id only: a path of kilobytes must not become a key
    // the limiter keeps for ten minutes.
    let named = show.as_deref().filter(|s| crate::util::is_show_id(s)).unwrap_or("-");
    let keys = [format!("client {client}"), format!("show {named}")];
    // Only a presented token is a guess: without one the answer is 401, always.
    let guessing = bearer(&parts.headers).is_some();
    if let Some(wait) = keys.iter().find_map(|k| state.sign_in_failures.wait(k)).filter(|_| guessing) {
        return ApiError::TooManyRequests(wait).into_response();
    }
    let refused = match (access, show) {
        (Access::Operator, _) => match authorize_operator(&state, &parts.headers) {
            Ok(()) => {
                parts.extensions.insert(Operator);
                None
            }
            Err(e) => Some(e),
        },
        (_, Some(show)) if crate::util::is_show_id(&show) => match authorize(&state, &parts.headers, &show).await {
            Ok(expires_at_ms) => {
                parts.extensions.insert(Creator { expires_at_ms });
                None
            }
            Err(e) => Some(e),
        },
        // No such show can exist: answered like a wrong token.
        _ => Some(ApiError::Unauthorized),
    };
    match refused {
        Some(e) => {
            if guessing && matches!(e, ApiError::Unauthorized | ApiError::OperatorOnly) {
                for key in &keys {
                    let _ = state.sign_in_failures.check(key).await;
                }
            }
            e.into_response()
        }
        None => next.run(Request::from_parts(parts, body)).await,
    }
}

/// Proof that the gate checked this request's creator token against the show
/// in its path (its endpoint's entry says [`Access::Creator`]): a handler that
/// takes one cannot run for anyone else, and need not check again.
#[derive(Debug, Clone, Copy)]
pub struct Creator {
    /// When the token stops working.
    pub expires_at_ms: i64,
}

/// Proof that the gate checked the operator's token ([`Access::Operator`]).
#[derive(Debug, Clone, Copy)]
pub struct Operator;

impl<S: Send + Sync> FromRequestParts<S> for Creator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        // Absent only on an endpoint whose table entry forgot its access: refused.
        parts.extensions.get::<Creator>().copied().ok_or(ApiError::Unauthorized)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Operator>().copied().ok_or(ApiError::OperatorOnly)
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

/// How a creator token is kept: its SHA-256, so a copy of the database opens
/// no show. (Tokens are 128 random bits: a fast digest is enough.)
pub fn token_digest(token: &str) -> String {
    format!("sha256:{}", crate::util::sha256_hex(token.as_bytes()))
}

/// Whether `presented` is the token kept as `stored` (a digest; a token kept
/// in clear by an older version is compared as it is, until it is replaced).
fn token_matches(stored: &str, presented: &str) -> bool {
    if stored.starts_with("sha256:") {
        constant_time_eq(stored.as_bytes(), token_digest(presented).as_bytes())
    } else {
        constant_time_eq(stored.as_bytes(), presented.as_bytes())
    }
}

/// Checks `Authorization: Bearer <token>` against the show's creator token and
/// its expiry; answers when the token expires.
pub async fn authorize(state: &AppState, headers: &HeaderMap, show_id: &str) -> Result<i64, ApiError> {
    let presented = bearer(headers).ok_or(ApiError::Unauthorized)?;
    let row = store::shows::creator_token(&state.db, show_id).await?;
    // An unknown show answers like a wrong token: a viewer learns nothing either way.
    let Some((token, expires)) = row else { return Err(ApiError::Unauthorized) };
    if !token_matches(&token, presented) {
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
