//! What a browser loads besides the API: the overlay's pages (rendered with
//! the show's first frame in them), static files and their caching, the embed
//! a brand's page draws before the viewer asks for the show, and the demo's
//! sample brand site.

pub mod assets;
pub mod brand;
pub mod embed;
pub mod page;
pub mod poster;

/// The embed card and the sites that may embed a show (see [`crate::endpoints`]).
pub fn endpoints() -> Vec<crate::http::endpoint::Endpoint> {
    use crate::http::endpoint::{Access, Endpoint};

    use crate::http::openapi::schema as s;
    use axum::http::Method;

    use vetrina_wire as w;
    vec![
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/embed",
            summary: "The card a brand's page draws before the viewer asks for the show (title, badge, poster, \
                      the facade's words in the page's language), and whether the request's Origin may embed it; \
                      readable from any origin",
            access: Access::Public,
            query: &[("lang", "The page's language (a BCP 47 tag); the browser's languages and the show's follow")],
            success: (200, "The show's embed card", Some(s::<w::EmbedCard>)),
            errors: &[(404, "No such show")],
            handler: axum::routing::get(embed::card),
            ..Default::default()
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/embed-origins",
            summary: "The sites allowed to embed the show",
            access: Access::Creator,
            success: (200, "The list in force", Some(s::<w::EmbedOrigins>)),
            errors: &[(401, "Missing or wrong creator token (or no such show)")],
            handler: axum::routing::get(embed::get_origins),
            ..Default::default()
        },
        Endpoint {
            method: Method::PUT,
            path: "/shows/{show}/embed-origins",
            summary: "Set the sites allowed to embed the show (the overlay page's CSP frame-ancestors)",
            access: Access::Creator,
            request: Some(s::<w::EmbedOrigins>),
            success: (200, "The list now in force, normalized", Some(s::<w::EmbedOrigins>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token"),
                (404, "No such show"),
                (422, "Not an origin (scheme://host[:port]), or more than 50 (invalid_fields)"),
            ],
            handler: axum::routing::put(embed::put_origins),
            ..Default::default()
        },
    ]
}
