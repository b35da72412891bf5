//! The demo's sample brand site: a second origin that embeds the show with the
//! one-line snippet, one page per cart mode (Vetrina's cart; the site's own).
//! It exists so the embed is seen and tested across origins, as brands use it.

use axum::response::Html;
use axum::routing::get;
use axum::Router;

const VETRINA_CART: &str = include_str!("../brand/index.html");
const HOST_CART: &str = include_str!("../brand/host-cart.html");

/// The brand site, its snippets pointing at Vetrina on `vetrina_origin`.
pub fn router(vetrina_origin: &str) -> Router {
    let page = |template: &str| Html(template.replace("{{VETRINA}}", vetrina_origin));
    let (own, host) = (page(VETRINA_CART), page(HOST_CART));
    Router::new().route("/", get(move || async move { own })).route("/host-cart.html", get(move || async move { host }))
}
