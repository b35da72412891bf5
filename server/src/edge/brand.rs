//! The demo's sample brand site: a second origin that embeds the show with the
//! one-line snippet, one page per cart mode (Vetrina's cart; the site's own),
//! one that gets the integration wrong, for the console doctor to name, and a
//! product page (with the show, without it, with it below the fold) on which
//! the embed must cost nothing: no layout shift, no later paint.
//! It exists so the embed is seen and tested across origins, as brands use it.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

const VETRINA_CART: &str = include_str!("../../brand/index.html");
const HOST_CART: &str = include_str!("../../brand/host-cart.html");
const STYLE: &str = include_str!("../../brand/site.css");
const PRODUCT: &str = include_str!("../../brand/product.html");

/// The brand site, its snippets pointing at Vetrina on `vetrina_origin`.
pub fn router(vetrina_origin: &str) -> Router {
    let page = |template: &str| Html(template.replace("{{VETRINA}}", vetrina_origin));
    let (own, host) = (page(VETRINA_CART), page(HOST_CART));
    // A mobile product page: heading, the show, the brand's grid below it;
    // the same page without the snippet (what Lighthouse compares it with),
    // and with the show below the grid, opening itself once scrolled to.
    let product =
        |top: &str, bottom: &str| page(&PRODUCT.replace("{{EMBED_TOP}}", top).replace("{{EMBED_BOTTOM}}", bottom));
    let snippet = |attrs: &str, img: &str| super::embed::snippet(vetrina_origin, "demo", attrs, img);
    let with = product(&snippet(" data-accent=\"#8a3b12\"", ""), "");
    let without = product("", "");
    // The same page as the site's Italian edition marks it: the facade speaks
    // the page's language (its words come with the embed card).
    let italian = Html(with.0.replace("<html lang=\"en\">", "<html lang=\"it\">"));
    let autoplay = product(
        "",
        // Below the fold the poster waits until it is scrolled near.
        &format!(
            "<div class=\"filler\" aria-hidden=\"true\"></div>{}",
            snippet(" data-accent=\"#8a3b12\" data-autoplay=\"visible\"", " loading=\"lazy\"")
        ),
    );
    // A page that gets it wrong, for the console doctor: asks for its own cart
    // without registering handlers, under a policy that lets only the script in.
    let wrong = page(&VETRINA_CART.replace("data-show=\"demo\"", "data-show=\"demo\" data-cart=\"host\""));
    let policy = format!("default-src 'self'; script-src 'self' {vetrina_origin}");
    let misconfigured = move || async move { ([(header::CONTENT_SECURITY_POLICY, policy)], wrong).into_response() };
    Router::new()
        .route("/", get(move || async move { own }))
        .route("/host-cart.html", get(move || async move { host }))
        .route("/misconfigured.html", get(misconfigured))
        .route("/product.html", get(move || async move { with }))
        .route("/product-without-show.html", get(move || async move { without }))
        .route("/it/product.html", get(move || async move { italian }))
        .route("/product-autoplay.html", get(move || async move { autoplay }))
        .route("/site.css", get(|| async { ([(header::CONTENT_TYPE, "text/css")], STYLE) }))
}
