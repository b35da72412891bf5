//! API errors and the extractors that turn malformed requests into them.
//!
//! Every failure leaves the server as a JSON [`vetrina_wire::ApiError`] with a
//! stable `code`. A client's mistake is always a 4xx; a 500 means our own fault
//! (say, the disk failed) and its details go to the log, not to the client.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use vetrina_wire::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("some fields need attention")]
    Validation(Vec<FieldError>),
    #[error("a creator token for this show is required")]
    Unauthorized,
    #[error("This creator token has expired: ask for a new one.")]
    TokenExpired,
    #[error("Creating a show needs this server's operator token.")]
    OperatorOnly,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    #[error("{message}")]
    PaymentDeclined { code: String, message: String },
    #[error("We could not confirm your payment with the payment provider. Try again: the same order is resumed, and you will not be charged twice.")]
    PaymentUnavailable,
    /// Something we rely on (a payment provider) did not do its part; nothing changed.
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    #[error("This method is not allowed here.")]
    MethodNotAllowed,
    #[error("The request body is larger than {0} bytes.")]
    PayloadTooLarge(usize),
    #[error("The request body did not arrive in time.")]
    BodyTimeout,
    #[error("Send the request body as JSON (Content-Type: application/json).")]
    UnsupportedMediaType,
    #[error("Too many requests. Try again in a moment.")]
    TooManyRequests(std::time::Duration),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest { code, message: message.into() }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into() }
    }
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unprocessable { code, message: message.into() }
    }

    fn status_and_code(&self) -> (StatusCode, &str) {
        match self {
            Self::PaymentDeclined { code, .. } => (StatusCode::PAYMENT_REQUIRED, code),
            Self::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::PaymentUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "payment_unavailable"),
            Self::Unavailable { code, .. } => (StatusCode::SERVICE_UNAVAILABLE, code),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::BodyTimeout => (StatusCode::REQUEST_TIMEOUT, "body_timeout"),
            Self::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            Self::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields"),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::TokenExpired => (StatusCode::UNAUTHORIZED, "token_expired"),
            Self::OperatorOnly => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            Self::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<crate::store::Error> for ApiError {
    fn from(e: crate::store::Error) -> Self {
        // Text the database cannot store that got past the extractors: the
        // request's fault, not ours.
        if crate::store::db::is_unstorable_text(&e) {
            return nul_text();
        }
        Self::Internal(e.to_string())
    }
}

fn nul_text() -> ApiError {
    ApiError::unprocessable("invalid_text", "Text may not contain the NUL character (U+0000).")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "Something went wrong on our side. Please try again.".to_string()
            }
            other => other.to_string(),
        };
        let code = code.to_string();
        let retry_after = match &self {
            Self::TooManyRequests(wait) => Some((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)),
            _ => None,
        };
        let fields = match self {
            Self::Validation(fields) => fields,
            _ => Vec::new(),
        };
        let body = vetrina_wire::ApiError { code, message, fields };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::REQUEST_TIMEOUT {
            // The rest of the body may still be on its way: this connection is done.
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A request body, read as JSON and checked against its own rules
/// ([`vetrina_wire::Validate`]): the one way a handler reads a body. A body
/// that does not parse is a 400 naming the problem; one that breaks a rule
/// is a 422 `invalid_fields` naming each field, from every endpoint alike.
pub struct Valid<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + vetrina_wire::Validate> FromRequest<S> for Valid<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiJson(body) = ApiJson::<T>::from_request(req, state).await?;
        valid(body).map(Valid)
    }
}

/// `body`, if it keeps its own rules; else 422 `invalid_fields` naming each
/// field that breaks one. (What [`Valid`] does, for a handler that reads its
/// body itself, after a rate limit: see [`read_body`].)
pub fn valid<T: vetrina_wire::Validate>(body: T) -> Result<T, ApiError> {
    let problems = body.problems();
    if problems.is_empty() {
        Ok(body)
    } else {
        Err(ApiError::Validation(problems))
    }
}

/// Reads a request's JSON body (at most [`crate::http::idempotency::MAX_BODY`])
/// as `T`, for a handler that must check something (a rate limit) before the
/// body is read; pass the result through [`valid`].
pub async fn read_body<T: DeserializeOwned>(request: Request) -> Result<T, ApiError> {
    use crate::http::idempotency::{body_error, MAX_BODY};
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY).await.map_err(|e| body_error(e, MAX_BODY))?;
    parse_json(&body)
}

/// `axum::Json`, but a body that does not parse becomes a JSON 400 naming the
/// problem. Handlers take [`Valid`], which checks the body's rules too.
struct ApiJson<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request("invalid_body", e.body_text()))?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body as `T`. JSON has one number type: `2.0` is the integer 2 to
/// JSON Schema (and to JavaScript), so integral numbers written with a
/// fraction are accepted where an integer is expected.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let invalid =
        |e: serde_json::Error| ApiError::bad_request("invalid_json", format!("The request body is not valid: {e}"));
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(invalid)?;
    // Every request body of the API is an object; serde would also take a
    // struct written as an array of its fields (`[null, null]`), which no
    // schema allows.
    if !value.is_object() {
        return Err(ApiError::bad_request("invalid_json", "The request body must be a JSON object."));
    }
    integral_floats_to_integers(&mut value);
    serde_json::from_value(value).map_err(invalid)
}

fn integral_floats_to_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Exactly representable integers only (|f| < 2^53).
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// `axum::extract::Path`, but a malformed segment (say, a product id that is not a
/// number) becomes a JSON 404: the resource it names cannot exist.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // No id holds a NUL character (and Postgres could not even look one up).
        if parts.uri.path().to_ascii_lowercase().contains("%00") {
            return Err(ApiError::NotFound("No such resource.".into()));
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| ApiError::NotFound(format!("No such resource: {}", e.body_text())))
    }
}

/// `axum::extract::Query`, but a query that does not parse becomes a JSON 400.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
    }
}
