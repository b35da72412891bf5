//! Vetrina's reference backend.
//!
//! It serves the catalogue of a show, the show's events as Server-Sent Events,
//! carts, checkout and orders, on SQLite or Postgres; and, when given a
//! `dist` folder, the built overlay itself. Brands may replace it with any
//! backend that speaks the same API: the OpenAPI document at
//! `/api/openapi.json` describes it, and the shapes live in `vetrina-wire`.
//!
//! Its layers, each a folder, each calling only downwards (checked by
//! `tests/architecture.rs`):
//!
//! - [`edge`]: pages, files and the brand's embed;
//! - [`shop`]: carts, checkout, orders;
//! - [`show`]: a show, its catalogue, its creator's tools, flash drops;
//! - [`live`]: the show's event log, event streams and live video playlists;
//! - [`http`]: how an endpoint is declared, authorized, limited and answered;
//! - [`state`]: configuration and the state requests share;
//! - [`store`]: every query.
//!
//! Each concern declares its endpoints beside its handlers; [`endpoints`]
//! gathers them, and both the router and the OpenAPI document are built from
//! that one list. [`app`] builds the whole HTTP surface from an [`AppState`],
//! so tests drive it with `oneshot` or over a real socket exactly as
//! production does.

pub mod demo;
pub mod edge;
pub mod http;
pub mod live;
pub mod shop;
pub mod show;
pub mod state;
pub mod store;
pub mod util;

use std::sync::Arc;

use axum::response::IntoResponse;
use axum::Router;
use tower_http::services::ServeDir;

pub use http::endpoint::{Access, Endpoint};
pub use http::error::ApiError;
pub use state::{AppState, Assets, Config};

/// Every API endpoint, each concern's in turn. The router and the OpenAPI
/// document are both built from this.
pub fn endpoints() -> Vec<Endpoint> {
    let mut all = Vec::new();
    all.extend(show::endpoints());
    all.extend(edge::endpoints());
    all.extend(live::endpoints());
    all.extend(shop::endpoints());
    all.push(Endpoint {
        method: axum::http::Method::GET,
        path: "/openapi.json",
        summary: "This document",
        access: Access::Public,
        success: (200, "OpenAPI 3.1", None),
        errors: &[],
        handler: axum::routing::get(serve_openapi),
        ..Default::default()
    });
    all
}

/// The OpenAPI document of [`endpoints`].
pub fn openapi() -> serde_json::Value {
    http::openapi::document(&endpoints())
}

/// `GET /api/openapi.json`: built once, on first request.
async fn serve_openapi() -> impl IntoResponse {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOCUMENT.get_or_init(|| openapi().to_string());
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body.as_str())
}

/// The whole server: API, media and the overlay.
pub fn app(state: AppState, assets: Assets) -> Router {
    let behind_tls = state.config.behind_tls;
    let mut api = http::router(&state, endpoints());
    if !state.config.cors_origins.is_empty() {
        api = api.layer(http::cors(&state.config.cors_origins));
    }
    // JSON and generated media compress well; event streams are left alone
    // (tower-http's default predicate skips text/event-stream and images).
    let compress = tower_http::compression::CompressionLayer::new().br(true).gzip(true);
    let mut router = Router::new().nest("/api", api.layer(compress.clone())).with_state(state.clone());
    // The embed snippet's poster (an image, so not in the API document).
    let posters = Router::new()
        .route("/shows/{show}/poster", axum::routing::get(edge::poster::poster))
        .with_state((state.clone(), assets.media.clone()))
        .layer(compress.clone());
    router = router.merge(posters);
    if let Some(media) = assets.media {
        // Live playlists are rewritten on the way out (pins as DATERANGE tags);
        // their segments are plain files under /media.
        let live = Router::new()
            .route("/live/{file}", axum::routing::get(live::hls::playlist))
            .route("/live/{show}/{file}", axum::routing::get(live::hls::rendition))
            .route("/live/{show}/{rendition}/{file}", axum::routing::get(live::llhls::part))
            .with_state((state.clone(), media.clone()));
        let media = Router::new()
            .nest_service(
                "/media",
                // A missing file is a JSON 404 like every other error of ours.
                ServeDir::new(media).not_found_service(tower::service_fn(|_| async {
                    Ok::<_, std::convert::Infallible>(ApiError::NotFound("No such file.".into()).into_response())
                })),
            )
            .layer(axum::middleware::from_fn(edge::assets::media_cache))
            .layer(compress);
        router = router.merge(live).merge(media);
    }
    if let Some(dir) = assets.dist {
        match edge::assets::Dist::load(&dir) {
            Ok(dist) => {
                let pages = Router::new().fallback(edge::page::serve).with_state((state, Arc::new(dist)));
                router = router.merge(pages);
            }
            Err(e) => tracing::error!(error = %e, dist = %dir.display(), "could not read the overlay's files"),
        }
    } else {
        router = router.fallback(|| async { ApiError::NotFound("No such page.".into()) });
    }
    router.layer(axum::middleware::map_response(move |response| http::security_headers(response, behind_tls)))
}
