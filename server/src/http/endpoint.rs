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
    pub handler: MethodRouter<AppState>,
}
