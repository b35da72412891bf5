//! HTTP itself: how an endpoint is declared ([`endpoint`]), who may call it
//! ([`auth`]), how a request's body and Idempotency-Key are handled
//! ([`idempotency`]), how errors answer ([`error`]), the OpenAPI document
//! built from the endpoints ([`openapi`]), and the headers every answer
//! carries. The endpoints themselves are declared by each concern beside its
//! handlers (`show`, `live`, `shop`, `edge`), and gathered by
//! [`crate::endpoints`].

pub mod auth;
pub mod endpoint;
pub mod error;
pub mod idempotency;
pub mod openapi;

use axum::http::{HeaderName, HeaderValue, Method};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::state::AppState;
use endpoint::Endpoint;
use error::ApiError;

/// The API alone: `endpoints` as routes under `/api`, each behind its
/// access gate, body limits and Idempotency-Key handling.
pub fn router(state: &AppState, endpoints: Vec<Endpoint>) -> Router<AppState> {
    let mut router = Router::new();
    for e in endpoints {
        // Outermost first: who may call it (before a byte of the body is
        // read), then the body itself (bounded in size and time) and its
        // Idempotency-Key. Route layers, so an unknown route or method is
        // answered without reading anything.
        let handler = e
            .handler
            .route_layer(axum::middleware::from_fn_with_state((state.clone(), e.body_limit), idempotency::layer))
            .route_layer(axum::middleware::from_fn_with_state((state.clone(), e.access), auth::gate));
        // Entries sharing a path (GET and PATCH of a show) merge into one route.
        router = router.route(e.path, handler);
    }
    router
        .fallback(|| async { ApiError::NotFound("No such API route.".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::map_response(no_store))
}

/// API answers carry carts, orders, buyers' details and tokens: no cache
/// (a browser's, a proxy's or a CDN's) may keep one, unless its handler says
/// otherwise.
async fn no_store(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().entry(axum::http::header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Headers every answer carries: no MIME sniffing, and no full URLs (which
/// hold cart and order ids) leaking to other sites in `Referer`; behind TLS,
/// HSTS, so a browser never again asks over plain HTTP. The one list: the
/// middleware below and the event stream's hand-written head (`live/stream.rs`).
pub fn security_headers_for(behind_tls: bool) -> Vec<(&'static str, &'static str)> {
    let mut headers =
        vec![("x-content-type-options", "nosniff"), ("referrer-policy", "strict-origin-when-cross-origin")];
    if behind_tls {
        headers.push(("strict-transport-security", "max-age=31536000; includeSubDomains"));
    }
    headers
}

pub async fn security_headers(mut response: axum::response::Response, behind_tls: bool) -> axum::response::Response {
    let headers = response.headers_mut();
    for (name, value) in security_headers_for(behind_tls) {
        // A page may set its own Referrer-Policy; the rest are the same everywhere.
        if name != "referrer-policy" || !headers.contains_key(name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

pub fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([
            axum::http::header::CONTENT_TYPE,
            axum::http::header::AUTHORIZATION,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([axum::http::header::RETRY_AFTER, HeaderName::from_static("idempotent-replayed")])
}
