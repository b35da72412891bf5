//! The overlay's page, with the show already in it.
//!
//! A phone on a slow network waits seconds for the wasm; until it runs, the
//! page would be black. So the page the server sends for `/?show=ID` carries
//! the show's first frame: its poster, title and live/replay badge, in the same
//! elements and classes the overlay renders, so nothing moves when the overlay
//! takes over (it removes this copy in the frame it mounts). The snapshot the
//! overlay would fetch first rides along as JSON, which saves that round trip.
//! Everything from the show is escaped; the JSON is made safe to embed.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use vetrina_client::i18n::{self, Lang, Text};
use vetrina_wire::{ShowSnapshot, ShowStatus};

use crate::edge::assets::{policy, policy_with, Asset, Dist};
use crate::http::error::ApiError;
use crate::state::AppState;

/// Every path that is not the API, media or a live playlist.
pub async fn serve(State((state, dist)): State<(AppState, Arc<Dist>)>, request: Request) -> Response {
    let head = request.method() == Method::HEAD;
    if !(head || request.method() == Method::GET) {
        return ApiError::NotFound("No such page.".into()).into_response();
    }
    let path = request.uri().path();
    if let Some(asset) = dist.get(path) {
        return asset.respond(request.headers(), head);
    }
    if path == "/studio" || path == "/studio/" {
        return studio(&dist, request.headers(), head);
    }
    if path == "/studio/embed-preview" {
        let query = axum::extract::Query::<PageQuery>::try_from_uri(request.uri()).map(|q| q.0).unwrap_or_default();
        return embed_preview(query.show.as_deref().unwrap_or("demo"), request.headers(), head);
    }
    // A missing file is a 404; any other path is the app (it reads ?show).
    if path.rsplit('/').next().is_some_and(|last| last.contains('.')) && path != "/index.html" {
        return ApiError::NotFound("No such file.".into()).into_response();
    }
    // axum's own query parsing (percent-decoding included); a malformed query is just no query.
    let query = axum::extract::Query::<PageQuery>::try_from_uri(request.uri()).map(|q| q.0).unwrap_or_default();
    let show = query.show.unwrap_or_else(|| "demo".into());
    let snapshot = crate::show::catalogue::snapshot_of(&state.db, &show, state.payments_mode()).await.ok();
    let lang = language(query.lang.as_deref(), request.headers(), snapshot.as_ref().map(|s| s.show.locale.as_str()));
    let headers = request.headers().clone();
    let index = dist.clone();
    // Rendering and compressing a show's page is CPU work that grows with its
    // catalogue: on the blocking pool, never in the async runtime's threads.
    let made = tokio::task::spawn_blocking(move || {
        let html = render(&index.index_html, snapshot.as_ref(), lang);
        (Asset::page(html, &headers).respond(&headers, head), snapshot)
    })
    .await;
    let Ok((mut response, snapshot)) = made else {
        return ApiError::Internal("rendering the page failed".into()).into_response();
    };
    // Framed only by ourselves and the sites the show allows (see embed.rs).
    let origins = match &snapshot {
        Some(_) => crate::edge::embed::origins_of(&state.db, &show).await.unwrap_or_default(),
        None => Vec::new(),
    };
    // The page sends data to our origin, and asks the show's stream host for its playlists.
    let stream = snapshot.as_ref().and_then(|s| crate::edge::assets::https_origin(&s.show.stream_url));
    // Stripe's hosts only on a shop whose checkout loads Stripe.js.
    let stripe_js = snapshot.as_ref().and_then(|s| s.stripe.as_ref()).map(|s| s.js_url.as_str());
    let policy =
        format!("{}; {}", policy_with(stream.as_deref(), stripe_js), crate::edge::embed::frame_ancestors(&origins));
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The creator studio's page. It frames the overlay (its preview), but no
/// other site may frame it: its buttons pin products on air.
fn studio(dist: &Dist, headers: &HeaderMap, head: bool) -> Response {
    let Some(html) = &dist.studio_html else {
        return ApiError::NotFound("The studio was not built (cargo xtask builds it).".into()).into_response();
    };
    let mut response = Asset::page(html.clone(), headers).respond(headers, head);
    if let Ok(value) = HeaderValue::from_str(&format!("{}; frame-ancestors 'none'", policy(None))) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The studio's preview of the brand embed: a plain page of "the brand's
/// site" with the snippet (the box, then the script), on our origin, framed
/// by the studio only.
/// Its overlay's orders are tests: an overlay embedded by a page on our own
/// origin, in a tab signed in to the studio, makes sandbox carts.
fn embed_preview(show: &str, headers: &HeaderMap, head: bool) -> Response {
    let snippet = super::embed::snippet("", show, "", "");
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Your site, with the show embedded</title><style>\
         body{{margin:0;font:16px/1.5 system-ui,sans-serif;color:#222;background:#faf9f7}}\
         header{{padding:12px 16px;border-bottom:1px solid #ddd;font-weight:700}}\
         main{{padding:16px;max-width:760px;margin:0 auto}}\
         .lines p{{height:1em;background:#e6e4df;border-radius:4px;margin:10px 0}}\
         </style></head><body><header>Your site</header><main>\
         <h1>Watch the show</h1><p>Your page's own text, above the embed.</p>\
         {snippet}\
         <div class=\"lines\" aria-hidden=\"true\"><p></p><p></p><p></p></div>\
         </main></body></html>"
    );
    let mut response = Asset::page(html, headers).respond(headers, head);
    // As strict as a careful brand's: the loader allowed by its hash, nothing else inline.
    let policy = format!(
        "default-src 'self'; script-src 'self' {}; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; \
         media-src 'self' https: blob:; frame-src 'self'; frame-ancestors 'self'",
        super::embed::loader_hash()
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// What the page reads from its URL, as the overlay does.
#[derive(Default, serde::Deserialize)]
struct PageQuery {
    show: Option<String>,
    lang: Option<String>,
}

/// The overlay's catalogues other than English (compiled in there), the same
/// files trunk copies beside the overlay: the page speaks the viewer's
/// language before the wasm runs and hands the overlay its sentences.
const CATALOGUES: [(Lang, &str); 4] = [
    (Lang::It, include_str!("../../../public/i18n/it.json")),
    (Lang::Es, include_str!("../../../public/i18n/es.json")),
    (Lang::Fr, include_str!("../../../public/i18n/fr.json")),
    (Lang::De, include_str!("../../../public/i18n/de.json")),
];

/// The language, by the overlay's own rule ([`i18n::choose`]): `?lang`, then
/// the browser's languages in order, then the show's, then English.
pub(super) fn language(requested: Option<&str>, headers: &HeaderMap, show_locale: Option<&str>) -> Lang {
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    // "it-CH,it;q=0.8": the tags in the browser's order, weights dropped.
    let browser: Vec<String> = accepted
        .split(',')
        .map(|tag| tag.split(';').next().unwrap_or("").trim().to_string())
        .filter(|tag| !tag.is_empty())
        .collect();
    i18n::choose(requested, &browser, show_locale).lang
}

/// Each catalogue, parsed once (its sentences live as long as the process).
static PARSED: std::sync::LazyLock<Vec<(Lang, serde_json::Map<String, serde_json::Value>)>> =
    std::sync::LazyLock::new(|| {
        CATALOGUES.iter().map(|(lang, json)| (*lang, serde_json::from_str(json).unwrap_or_default())).collect()
    });

/// Each language's sentences, as the overlay has them (what a catalogue lacks
/// stays English, as in the overlay).
static TEXTS: std::sync::LazyLock<Vec<(Lang, Text)>> = std::sync::LazyLock::new(|| {
    PARSED
        .iter()
        .map(|(lang, catalogue)| {
            (*lang, Text::from_lookup(&mut |key| catalogue.get(key).and_then(serde_json::Value::as_str)))
        })
        .collect()
});

/// The words of `lang`: the first frame's, the overlay's own.
pub(super) fn words(lang: Lang) -> &'static Text {
    TEXTS.iter().find(|(l, _)| *l == lang).map_or(&i18n::en::TEXT, |(_, text)| text)
}

/// Text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that cannot end its `<script>` element or open a comment in it.
fn embeddable_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// trunk's page with the show's first frame and snapshot in it.
pub fn render(index: &str, snapshot: Option<&ShowSnapshot>, lang: Lang) -> String {
    // The <html> tag as trunk wrote it (minified or not) gives way to one in the viewer's language.
    let mut html = index.to_string();
    if let Some(start) = html.find("<html") {
        if let Some(end) = html[start..].find('>') {
            html.replace_range(start..start + end + 1, &format!("<html lang=\"{}\">", lang.code()));
        }
    }
    // The overlay's sentences in this language, so it need not fetch them.
    if let Some((_, json)) = CATALOGUES.iter().find(|(l, _)| *l == lang) {
        if let Some(at) = html.find("</head>") {
            let code = lang.code();
            let script =
                format!("<script type=\"application/json\" id=\"vt-text-{code}\">{}</script>", embeddable_json(json));
            html.insert_str(at, &script);
        }
    }
    let Some(snapshot) = snapshot else { return html };
    let show = &snapshot.show;
    let w = words(lang);
    let (badge, badge_class) = match show.status {
        ShowStatus::Live => (w.live(), "vt-live vt-live--on"),
        ShowStatus::Scheduled => (w.scheduled(), "vt-live"),
        ShowStatus::Ended => (w.replay(), "vt-live"),
    };
    let title = escape(&show.title);
    if let (Some(start), Some(end)) = (html.find("<title>"), html.find("</title>")) {
        html.replace_range(start..end + "</title>".len(), &format!("<title>{title} · Vetrina</title>"));
    }
    let poster = show
        .poster_url
        .as_deref()
        .map(|url| {
            format!("<img class=\"vt-video vt-poster\" src=\"{}\" alt=\"\" fetchpriority=\"high\">", escape(url))
        })
        .unwrap_or_default();
    let theme = escape(&vetrina_wire::theme::style(&show.theme));
    let frame = format!(
        "<main class=\"vt-stage\" id=\"vt-prerender\" style=\"{theme}\" aria-busy=\"true\">{poster}\
         <header class=\"vt-top\"><span class=\"{badge_class}\">{badge}</span><h1 class=\"vt-top__title\">{title}</h1>\
         <button type=\"button\" class=\"vt-pill\" disabled>{products}</button>\
         <button type=\"button\" class=\"vt-icon-button vt-cart-button\" disabled aria-label=\"{cart}\">{CART_ICON}</button>\
         </header></main>\
         <script type=\"application/json\" id=\"vt-snapshot\">{json}</script>",
        products = w.products(),
        cart = w.cart_button_empty(),
        json = embeddable_json(&serde_json::to_string(snapshot).unwrap_or_default()),
    );
    if let Some(at) = html.find("<body>").map(|i| i + "<body>".len()) {
        html.insert_str(at, &frame);
    }
    html
}

const CART_ICON: &str = "<svg aria-hidden=\"true\" viewBox=\"0 0 24 24\" width=\"24\" height=\"24\"><path d=\"M6 7h12l-1 13H7L6 7zm3 0a3 3 0 0 1 6 0\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linejoin=\"round\"/></svg>";

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_embedding() {
        assert_eq!(escape("<b>\"Tom\" & 'Jerry'</b>"), "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
    }

    #[test]
    fn language_follows_the_overlay_rules() {
        let mut h = HeaderMap::new();
        assert_eq!(language(None, &h, None), Lang::En);
        h.insert(header::ACCEPT_LANGUAGE, "pt-PT,it;q=0.8,en;q=0.5".parse().unwrap());
        assert_eq!(language(None, &h, None), Lang::It);
        assert_eq!(language(Some("en"), &h, None), Lang::En);
        assert_eq!(language(Some("xx"), &h, None), Lang::It);
        assert_eq!(language(Some("de-AT"), &h, None), Lang::De);
    }

    #[test]
    fn every_catalogue_gives_the_first_frame_its_words() {
        for (lang, json) in CATALOGUES {
            let parsed: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).unwrap();
            let w = words(lang);
            assert_eq!(Some(w.live()), parsed["live"].as_str(), "{lang:?}");
            assert_ne!(w.products(), "Products", "{lang:?}");
        }
        assert_eq!(words(Lang::En).replay(), "Replay");
    }
}
