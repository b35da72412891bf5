//! The demo's sample brand site: a second origin that embeds the show with the
//! one-line snippet, one page per cart mode (Vetrina's cart; the site's own),
//! and one that gets the integration wrong, for the console doctor to name.
//! It exists so the embed is seen and tested across origins, as brands use it.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

const VETRINA_CART: &str = include_str!("../../brand/index.html");
const HOST_CART: &str = include_str!("../../brand/host-cart.html");
const STYLE: &str = include_str!("../../brand/site.css");

/// The brand site, its snippets pointing at Vetrina on `vetrina_origin`.
pub fn router(vetrina_origin: &str) -> Router {
    let page = |template: &str| Html(template.replace("{{VETRINA}}", vetrina_origin));
    let (own, host) = (page(VETRINA_CART), page(HOST_CART));
    // A page that gets it wrong, for the console doctor: asks for its own cart
    // without registering handlers, under a policy that lets only the script in.
    let wrong = page(&VETRINA_CART.replace("data-show=\"demo\"", "data-show=\"demo\" data-cart=\"host\""));
    let policy = format!("default-src 'self'; script-src 'self' {vetrina_origin}");
    let misconfigured = move || async move { ([(header::CONTENT_SECURITY_POLICY, policy)], wrong).into_response() };
    Router::new()
        .route("/", get(move || async move { own }))
        .route("/host-cart.html", get(move || async move { host }))
        .route("/misconfigured.html", get(misconfigured))
        .route("/site.css", get(|| async { ([(header::CONTENT_TYPE, "text/css")], STYLE) }))
}
