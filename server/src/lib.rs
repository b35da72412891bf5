//! Vetrina's reference backend.
//!
//! It serves the catalogue of a show, the show's pin events as Server-Sent Events,
//! carts and checkout, all on one SQLite database; and, when given a `dist`
//! folder, the built overlay itself. Brands may replace it with any backend that
//! speaks the same API (the shapes live in `vetrina-wire`).
//!
//! [`app`] builds the whole HTTP surface from an [`AppState`], so tests drive it
//! with `oneshot` or over a real socket exactly as production does.

pub mod carts;
pub mod catalog;
pub mod db;
pub mod demo;
pub mod error;
pub mod events;
pub mod util;

use std::path::PathBuf;

use axum::routing::{get, post, put};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

pub use error::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub db: sqlx::SqlitePool,
    pub hub: events::Hub,
}

impl AppState {
    pub fn new(db: sqlx::SqlitePool) -> Self {
        Self { db, hub: events::Hub::default() }
    }
}

/// Where the static parts come from; both optional so API tests need neither.
#[derive(Clone, Default)]
pub struct Assets {
    /// The trunk-built overlay (`dist/`), served at `/`.
    pub dist: Option<PathBuf>,
    /// Generated media (product images, the demo video), served at `/media`.
    pub media: Option<PathBuf>,
}

/// The API alone: every route under `/api`.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/shows/{show}", get(catalog::snapshot))
        .route("/shows/{show}/events", get(events::stream))
        .route("/shows/{show}/pins", post(events::pin))
        .route("/shows/{show}/pins/{product}", axum::routing::delete(events::unpin))
        .route("/carts", post(carts::create))
        .route("/carts/{cart}", get(carts::get))
        .route("/carts/{cart}/lines", post(carts::add_line))
        .route("/carts/{cart}/lines/{variant}", put(carts::set_quantity).delete(carts::remove_line))
        .route("/carts/{cart}/checkout", post(carts::checkout))
        .fallback(|| async { ApiError::NotFound("No such API route.".into()) })
}

/// The whole server: API, media and the overlay.
pub fn app(state: AppState, assets: Assets) -> Router {
    let mut router = Router::new().nest("/api", api()).with_state(state);
    if let Some(media) = assets.media {
        router = router.nest_service("/media", ServeDir::new(media));
    }
    if let Some(dist) = assets.dist {
        let index = dist.join("index.html");
        router = router.fallback_service(ServeDir::new(dist).fallback(ServeFile::new(index)));
    }
    router
}
