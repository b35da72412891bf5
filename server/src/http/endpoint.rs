//! An API endpoint: its route and its documentation, declared together, so
//! the router and the OpenAPI document cannot disagree.

use axum::http::Method;
use axum::routing::MethodRouter;

use crate::http::openapi;
use crate::state::AppState;

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// `Authorization: Bearer <creator token of this show>`.
    Creator,
    /// `Authorization: Bearer <the server's operator token>` (`--operator-token`).
    Operator,
    /// A payment provider's signed delivery: `Stripe-Signature` present and
    /// at most five minutes old before the body is read; the signature over
    /// the body checked by the handler once it is read.
    StripeSignature,
}

/// One API endpoint: its route and its documentation, declared together.
pub struct Endpoint {
    pub method: Method,
    /// Under `/api`, in axum's `{param}` syntax (which is also OpenAPI's).
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// The largest request body it reads (413 beyond), once `access` is satisfied.
    pub body_limit: usize,
    /// The request body's schema name, if it has one.
    pub request: Option<openapi::SchemaRef>,
    /// Success status, its description and the response body's schema.
    pub success: (u16, &'static str, Option<openapi::SchemaRef>),
    /// Client errors this endpoint may answer, with when.
    pub errors: &'static [(u16, &'static str)],
    /// A request body that works against the demo show (the document's
    /// example; the contract fuzzer starts from it).
    pub example: Option<serde_json::Value>,
    /// OpenAPI links: how this answer feeds the next request (a new cart's id
    /// to its lines and checkout, an order's id to its lookup).
    pub links: Option<serde_json::Value>,
    /// Answers Server-Sent Events (resumed with `since` or `Last-Event-ID`).
    pub stream: bool,
    /// A write that must carry an Idempotency-Key (optional on the others).
    pub idempotency_key_required: bool,
    /// Optional query parameters (strings): name and meaning.
    pub query: &'static [(&'static str, &'static str)],
    pub handler: MethodRouter<AppState>,
}

/// What an endpoint is unless its entry says otherwise: public, a GET with no
/// body, at most the usual body limit, no example or links.
impl Default for Endpoint {
    fn default() -> Self {
        Self {
            method: Method::GET,
            path: "",
            summary: "",
            access: Access::Public,
            body_limit: crate::http::idempotency::MAX_BODY,
            request: None,
            success: (200, "", None),
            errors: &[],
            example: None,
            links: None,
            stream: false,
            idempotency_key_required: false,
            query: &[],
            handler: MethodRouter::new(),
        }
    }
}
