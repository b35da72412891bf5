//! Brands embedding a show on their own sites.
//!
//! A show keeps the list of origins allowed to frame it. The overlay page of a
//! show answers with `Content-Security-Policy: frame-ancestors` naming exactly
//! those (and our own), so a site not on the list gets an empty frame, not a
//! copy of the checkout under its own chrome. The loader on a brand's page
//! (`embed.js`) draws its facade from one small public card, which also tells
//! it whether its origin is allowed, so the console doctor can say so.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use vetrina_wire::{EmbedCard, EmbedOrigins, EmbedWords};

use crate::http::auth::Creator;
use crate::http::error::{ApiError, ApiPath, ApiQuery, Valid};
use crate::state::AppState;
use crate::store;

pub use vetrina_wire::normalize_origin;

/// The origins allowed to embed `show_id`, sorted.
pub async fn origins_of(db: &store::Pool, show_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(store::shows::embed_origins(db, show_id).await?)
}

/// Replaces the list of origins allowed to embed `show_id` (normalized already).
pub async fn set_origins_on(writer: &store::Pool, show_id: &str, origins: &[String]) -> Result<(), ApiError> {
    let mut tx = crate::store::begin_write(writer).await?;
    store::shows::set_embed_origins(&mut tx, show_id, origins).await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /api/shows/{show}/embed-origins` (creator).
pub async fn get_origins(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
) -> Result<Json<EmbedOrigins>, ApiError> {
    Ok(Json(EmbedOrigins { origins: origins_of(&state.db, &show_id).await? }))
}

/// `PUT /api/shows/{show}/embed-origins` (creator).
pub async fn put_origins(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
    Valid(req): Valid<EmbedOrigins>,
) -> Result<Json<EmbedOrigins>, ApiError> {
    let mut origins: Vec<String> = req.origins.iter().filter_map(|o| normalize_origin(o)).collect();
    origins.sort();
    origins.dedup();
    set_origins_on(&state.writer, &show_id, &origins).await?;
    Ok(Json(EmbedOrigins { origins }))
}

/// The embed card's query: the page's language, if it has one.
#[derive(serde::Deserialize)]
pub struct CardQuery {
    lang: Option<String>,
}

/// `GET /api/shows/{show}/embed`: the facade's card, readable from any page
/// (public data only, no credentials), so the answer allows every origin.
pub async fn card(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<CardQuery>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let mut conn = state.db.acquire().await?;
        let show = crate::live::shows::load_show(&mut conn, &show_id).await?;
        drop(conn);
        let asking = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).and_then(normalize_origin);
        let allowed = match asking {
            Some(o) => origins_of(&state.db, &show_id).await?.contains(&o),
            None => false,
        };
        let lang = super::page::language(query.lang.as_deref(), &headers, Some(&show.locale));
        let t = super::page::words(lang);
        let words = EmbedWords {
            lang: lang.code().into(),
            watch: t.watch().into(),
            live: t.live().into(),
            replay: t.replay().into(),
            scheduled: t.scheduled().into(),
        };
        Ok::<_, ApiError>(EmbedCard {
            words,
            id: show.id,
            title: show.title,
            status: show.status,
            poster_url: show.poster_url,
            embed_allowed: allowed,
        })
    }
    .await;
    let mut response = match result {
        Ok(card) => Json(card).into_response(),
        Err(e) => e.into_response(),
    };
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("Origin, Accept-Language"));
    response
}

/// The snippet a brand puts on its page, as the README gives it, for the show
/// `show` on Vetrina at `vetrina` (an origin, or "" for our own): the box in
/// the page's own markup at the show's aspect ratio, so nothing moves when the
/// loader draws in it; inside, a link to the show around the show's poster
/// ([`super::poster`]), which the page fetches with its own markup and which
/// stays, a working link, if the script never runs; then the loader. `attrs`
/// go on the element (` data-autoplay="visible"`), `img` on the poster
/// (` loading="lazy"` below the fold). The show id is escaped here.
pub fn snippet(vetrina: &str, show: &str, attrs: &str, img: &str) -> String {
    let show = super::page::escape(show);
    format!(
        "<vetrina-show show=\"{show}\"{attrs} style=\"display:block;aspect-ratio:9/16;max-width:360px\">\n  \
         <a href=\"{vetrina}/?show={show}\"><img src=\"{vetrina}/shows/{show}/poster\"{img} \
         alt=\"Watch the show on Vetrina\" style=\"display:block;width:100%;height:100%;object-fit:cover\"></a>\n\
         </vetrina-show>\n<script>{LOADER}</script>"
    )
}

/// The snippet's loader, the same text on every page of every brand (so a
/// page whose Content-Security-Policy allows inline scripts by hash names one
/// hash, [`loader_hash`]): once the page has loaded and painted, it adds
/// `embed.js` from the origin of the first show's link, once. A request made
/// before would share the slow network with the page's own content and,
/// for Lighthouse, be counted into its largest paint (issue 24).
pub const LOADER: &str = "(f=>document.readyState==\"complete\"?f():addEventListener(\"load\",f))\
(()=>requestAnimationFrame(()=>setTimeout(()=>{let a=document.querySelector(\"vetrina-show a[href]\"),s;\
if(a&&!window.VetrinaLoader){s=document.createElement(\"script\");s.src=new URL(\"/embed.js\",a.href);\
document.head.append(window.VetrinaLoader=s)}})))";

/// The CSP source that allows [`LOADER`] on a page whose policy forbids
/// inline scripts: `script-src 'sha256-…' https://VETRINA_ORIGIN`.
pub fn loader_hash() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(LOADER.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// The page's `frame-ancestors` directive for a show: ourselves and its list.
pub fn frame_ancestors(origins: &[String]) -> String {
    let mut directive = String::from("frame-ancestors 'self'");
    for o in origins {
        directive.push(' ');
        directive.push_str(o);
    }
    directive
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_gives_the_snippet_the_server_uses() {
        let readme = include_str!("../../../README.md");
        let ours = snippet("https://VETRINA_ORIGIN", "spring", "", "");
        assert!(readme.contains(&format!("```html\n{ours}\n```")), "the README's snippet is not:\n{ours}");
        let csp = format!("script-src {} https://VETRINA_ORIGIN", loader_hash());
        assert!(readme.contains(&csp), "the README does not give the loader's hash: {csp}");
    }

    #[test]
    fn origins_are_normalized_or_refused() {
        assert_eq!(normalize_origin("HTTPS://Brand.Example/").as_deref(), Some("https://brand.example"));
        assert_eq!(normalize_origin("http://localhost:8081").as_deref(), Some("http://localhost:8081"));
        for bad in
            ["brand.example", "https://brand.example/shop", "*", "ftp://x", "https://", "http://a:99999", "https://a b"]
        {
            assert_eq!(normalize_origin(bad), None, "{bad}");
        }
        assert_eq!(frame_ancestors(&["https://a.example".into()]), "frame-ancestors 'self' https://a.example");
    }
}
