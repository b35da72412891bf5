//! What happens on air: each show's event log (pins, unpins, price, stock and
//! status changes), the event streams viewers hold open, and the show's live
//! video playlists with its pins in them.

pub mod cmaf;
pub mod events;
pub mod hls;
pub mod llhls;
pub mod packager;
pub mod shows;
pub mod stream;

/// Events, streams and pins (see [`crate::endpoints`]).
pub fn endpoints() -> Vec<crate::http::endpoint::Endpoint> {
    use crate::http::endpoint::{Access, Endpoint};

    use crate::http::openapi::schema as s;
    use axum::http::Method;
    use serde_json::json;
    use vetrina_wire as w;
    vec![
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/events",
            summary: "The show's events as Server-Sent Events: each `data:` is an EventEnvelope, each `id:` its id; \
                      resumes after `Last-Event-ID` (or `?since=`); comment heartbeats every 15 s",
            access: Access::Public,
            success: (200, "text/event-stream of EventEnvelope", Some(s::<w::EventEnvelope>)),
            errors: &[(404, "No such show")],
            stream: true,
            handler: axum::routing::get(stream::stream),
            ..Default::default()
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/timeline",
            summary: "The show's pin timeline: every pin and unpin with its stream time, oldest first",
            access: Access::Public,
            success: (200, "Pin and unpin events", Some(s::<Vec<w::EventEnvelope>>)),
            errors: &[(404, "No such show")],
            handler: axum::routing::get(stream::timeline),
            ..Default::default()
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/pins",
            summary: "Pin a product (emits a pin event)",
            access: Access::Creator,
            request: Some(s::<w::PinRequest>),
            success: (201, "The recorded event", Some(s::<w::EventEnvelope>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token"),
                (404, "No such product in this show"),
                (409, "Already pinned"),
                (429, "Too many pins for this show; see Retry-After"),
            ],
            example: Some(json!({"product_id": 1})),
            handler: axum::routing::post(events::pin),
            ..Default::default()
        },
        Endpoint {
            method: Method::DELETE,
            path: "/shows/{show}/pins/{product}",
            summary: "Unpin a product (emits an unpin event)",
            access: Access::Creator,
            success: (200, "The recorded event", Some(s::<w::EventEnvelope>)),
            errors: &[
                (401, "Missing or wrong creator token"),
                (404, "No such product in this show"),
                (409, "Not pinned"),
                (429, "Too many pins for this show; see Retry-After"),
            ],
            handler: axum::routing::delete(events::unpin),
            ..Default::default()
        },
    ]
}
