//! What a browser receives: compression, caching and security headers on the
//! overlay's files, its page (with the show's first frame in it), media and
//! the API, through the real router; and the listener's own limits.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;
use vetrina_server::{app, demo, AppState, Assets, Config};

struct Got {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

async fn get(router: &axum::Router, method: &str, uri: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Got {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = router.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    let (parts, body) = res.into_parts();
    Got { status: parts.status, headers: parts.headers, body: body.collect().await.unwrap().to_bytes().to_vec() }
}

const INDEX: &str = r#"<!doctype html><html lang=en><head><title>Vetrina</title>
<link rel="modulepreload" href="/vetrina-0123456789abcdef.js"><link rel="preload" href="/vetrina-0123456789abcdef_bg.wasm" as="fetch" type="application/wasm" crossorigin>
<script type="module">import init from '/vetrina-0123456789abcdef.js'; init('/vetrina-0123456789abcdef_bg.wasm');</script>
</head><body></body></html>"#;

const STUDIO_INDEX: &str = r#"<!doctype html><html lang=en><head><title>Vetrina Studio</title>
<script type="module">import init from '/studio/vetrina-studio-0123456789abcdef.js'; init();</script>
</head><body></body></html>"#;

struct Site {
    router: axum::Router,
    pool: sqlx::AnyPool,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    js: String,
}

async fn site() -> Site {
    let (dist, media) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let js: String = (0..400).map(|i| format!("export const v{i} = {i} * 2;\n")).collect();
    std::fs::write(dist.path().join("index.html"), INDEX).unwrap();
    std::fs::write(dist.path().join("vetrina-0123456789abcdef.js"), &js).unwrap();
    std::fs::write(dist.path().join("vetrina-0123456789abcdef_bg.wasm"), vec![0u8; 40_000]).unwrap();
    std::fs::write(dist.path().join("hls.light.min.mjs"), js.repeat(2)).unwrap();
    // The studio, its own trunk build under studio/.
    std::fs::create_dir_all(dist.path().join("studio")).unwrap();
    std::fs::write(dist.path().join("studio/index.html"), STUDIO_INDEX).unwrap();
    std::fs::write(dist.path().join("studio/vetrina-studio-0123456789abcdef.js"), &js).unwrap();
    // The shipping build's overlay folder, named by a hash of its contents.
    std::fs::create_dir_all(dist.path().join("app-0123456789abcdef")).unwrap();
    std::fs::write(dist.path().join("app-0123456789abcdef/split_sheets.wasm"), vec![0u8; 4_000]).unwrap();
    let pool = common::memory_db().await;
    demo::seed(&pool, media.path(), Some(common::TOKEN)).await.unwrap();
    // A title that would break out of the page if it were not escaped.
    sqlx::query("UPDATE shows SET title = 'Spring </script><img src=x onerror=alert(1)> & more'")
        .execute(&pool)
        .await
        .unwrap();
    let live = media.path().join("live").join("demo");
    std::fs::create_dir_all(&live).unwrap();
    std::fs::write(
        live.join("index.m3u8"),
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z\n#EXTINF:2.0,\n1-00000.ts\n",
    )
    .unwrap();
    std::fs::write(live.join("1-00000.ts"), vec![0x47u8; 1880]).unwrap();
    // An fMP4 recording's init segment and a fragment (what the live demo writes).
    std::fs::write(live.join("1-360p-init.mp4"), vec![0u8; 800]).unwrap();
    std::fs::write(live.join("1-360p-00000.m4s"), vec![0u8; 800]).unwrap();
    let state = AppState::new(pool.clone());
    let router = app(state, Assets { dist: Some(dist.path().into()), media: Some(media.path().into()) });
    Site { router, pool, _dirs: (dist, media), js }
}

#[tokio::test]
async fn hashed_files_are_precompressed_and_cached_for_good() {
    let s = site().await;
    let br = get(&s.router, "GET", "/vetrina-0123456789abcdef.js", &[("accept-encoding", "gzip, deflate, br")], vec![])
        .await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.header("content-encoding"), "br");
    assert_eq!(br.header("cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(br.header("vary"), "Accept-Encoding");
    assert_eq!(br.header("x-content-type-options"), "nosniff");
    assert!(br.header("content-type").starts_with("application/javascript"));
    assert!(br.body.len() * 5 < s.js.len(), "brotli {} of {}", br.body.len(), s.js.len());
    let mut plain = Vec::new();
    brotli_decompress(&br.body, &mut plain);
    assert_eq!(plain, s.js.as_bytes());

    let gz = get(&s.router, "GET", "/vetrina-0123456789abcdef_bg.wasm", &[("accept-encoding", "gzip")], vec![]).await;
    assert_eq!((gz.header("content-encoding"), gz.header("content-type")), ("gzip", "application/wasm"));
    assert_eq!(gz.header("cache-control"), "public, max-age=31536000, immutable");
    let raw = get(&s.router, "GET", "/vetrina-0123456789abcdef_bg.wasm", &[], vec![]).await;
    assert_eq!((raw.header("content-encoding"), raw.body.len()), ("", 40_000));
    assert_eq!(raw.header("content-length"), "40000");

    // Not hashed: kept, but revalidated; an unchanged file answers 304.
    let hls = get(&s.router, "GET", "/hls.light.min.mjs", &[("accept-encoding", "br")], vec![]).await;
    assert_eq!((hls.header("content-encoding"), hls.header("cache-control")), ("br", "no-cache"));
    let etag = hls.header("etag").to_string();
    assert!(etag.starts_with('"'));
    let again = get(&s.router, "GET", "/hls.light.min.mjs", &[("if-none-match", &etag)], vec![]).await;
    assert_eq!((again.status, again.body.len()), (StatusCode::NOT_MODIFIED, 0));

    let missing = get(&s.router, "GET", "/nope.js", &[], vec![]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&missing.body).unwrap()["code"], "not_found");
}

fn brotli_decompress(input: &[u8], out: &mut Vec<u8>) {
    // The brotli crate's decoder comes with its encoder.
    brotli::BrotliDecompress(&mut &input[..], out).unwrap();
}

#[tokio::test]
async fn the_page_carries_the_show_escaped_with_a_strict_policy() {
    let s = site().await;
    let page = get(&s.router, "GET", "/?show=demo", &[("accept-language", "it-IT,it;q=0.9")], vec![]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("cache-control"), "no-cache");
    let csp = page.header("content-security-policy");
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';") && !csp.contains("unsafe-inline';  script"), "{csp}");
    assert!(!csp.split(';').any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline")));
    // Framed by ourselves only, until the show names sites that may embed it.
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
    vetrina_server::edge::embed::set_origins_on(&s.pool, "demo", &["https://brand.example".into()]).await.unwrap();
    let framed = get(&s.router, "GET", "/?show=demo", &[], vec![]).await;
    assert!(framed.header("content-security-policy").ends_with("frame-ancestors 'self' https://brand.example"));
    assert_eq!(page.header("referrer-policy"), "strict-origin-when-cross-origin");
    let html = page.text();
    assert!(html.contains("<html lang=\"it\">"), "{html}");
    // The overlay's Italian sentences ride along; an English page carries none.
    assert!(html.contains("<script type=\"application/json\" id=\"vt-text-it\">{"), "{html}");
    let english = get(&s.router, "GET", "/?show=demo&lang=en", &[], vec![]).await.text();
    assert!(!english.contains("vt-text-"), "{english}");
    // The first frame: title (escaped), badge, poster, in the overlay's own classes.
    assert!(html.contains(
        "<h1 class=\"vt-top__title\">Spring &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; more</h1>"
    ));
    assert!(html.contains("<span class=\"vt-live vt-live--on\">In diretta</span>"), "{html}");
    assert!(html.contains("<img class=\"vt-video vt-poster\" src=\"/media/poster-demo.svg\""));
    assert!(!html.contains("<img src=x"));
    // The snapshot rides along, unable to close its element.
    let start = html.find("<script type=\"application/json\" id=\"vt-snapshot\">").unwrap();
    let json = &html[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    assert!(!json.contains('<'));
    let snapshot: vetrina_wire::ShowSnapshot = serde_json::from_str(json).unwrap();
    assert_eq!(snapshot.show.title, "Spring </script><img src=x onerror=alert(1)> & more");
    // No inline script is left to run: trunk's loader now has a file of its own.
    let scripts: Vec<&str> =
        html.match_indices("<script").map(|(i, _)| &html[i..i + html[i..].find('>').unwrap()]).collect();
    assert!(scripts.iter().all(|s| s.contains("src=") || s.contains("application/json")), "{scripts:?}");
    let boot = scripts.iter().find_map(|s| s.split("src=\"").nth(1)).unwrap().split('"').next().unwrap();
    let boot = get(&s.router, "GET", boot, &[], vec![]).await;
    assert_eq!(boot.header("cache-control"), "public, max-age=31536000, immutable");
    assert!(boot.text().contains("init('/vetrina-0123456789abcdef_bg.wasm')"));
    // The JS is preloaded; the wasm is fetched after the first paint (see Trunk.toml).
    assert!(html.contains("rel=\"modulepreload\" href=\"/vetrina-0123456789abcdef.js\""));
    assert!(!html.contains("rel=\"preload\""), "{html}");

    // Revalidation, compression of the page, an unknown show (plain page, the overlay says so).
    let etag = page.header("etag").to_string();
    let again = get(
        &s.router,
        "GET",
        "/?show=demo",
        &[("accept-language", "it-IT,it;q=0.9"), ("if-none-match", &etag)],
        vec![],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let br = get(&s.router, "GET", "/?show=demo", &[("accept-encoding", "br")], vec![]).await;
    assert_eq!(br.header("content-encoding"), "br");
    let unknown = get(&s.router, "GET", "/?show=nope", &[], vec![]).await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(!unknown.text().contains("vt-prerender"));
}

/// The embed snippet's poster address: the show's own file (with the media
/// cache rule and conditional requests), a redirect to a poster elsewhere, a
/// dark frame for a show without one, a JSON 404 for no show.
#[tokio::test]
async fn a_shows_poster_has_one_address() {
    let s = site().await;
    let file = std::fs::read(s._dirs.1.path().join("poster-demo.svg")).unwrap();
    let own = get(&s.router, "GET", "/shows/demo/poster", &[], vec![]).await;
    assert_eq!((own.status, own.header("content-type")), (StatusCode::OK, "image/svg+xml"));
    assert_eq!((own.header("cache-control"), &own.body), ("public, max-age=300", &file));
    let since = own.header("last-modified").to_string();
    let again = get(&s.router, "GET", "/shows/demo/poster", &[("if-modified-since", &since)], vec![]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let head = get(&s.router, "HEAD", "/shows/demo/poster", &[], vec![]).await;
    assert_eq!((head.status, head.body.len()), (StatusCode::OK, 0));

    let set = |url: Option<&'static str>| {
        sqlx::query("UPDATE shows SET poster_url = $1 WHERE id = 'demo'").bind(url).execute(&s.pool)
    };
    set(Some("https://cdn.brand.example/spring.jpg")).await.unwrap();
    let elsewhere = get(&s.router, "GET", "/shows/demo/poster", &[], vec![]).await;
    assert_eq!(elsewhere.status, StatusCode::FOUND);
    assert_eq!(elsewhere.header("location"), "https://cdn.brand.example/spring.jpg");
    // A file of ours that is gone, and no poster at all: the dark frame.
    for url in [Some("/media/gone.jpg"), Some("/media/../../etc/passwd"), None] {
        set(url).await.unwrap();
        let blank = get(&s.router, "GET", "/shows/demo/poster", &[], vec![]).await;
        assert_eq!((blank.status, blank.header("content-type")), (StatusCode::OK, "image/svg+xml"), "{url:?}");
        assert!(blank.text().contains("fill=\"#111\""), "{url:?}");
    }

    let none = get(&s.router, "GET", "/shows/nope/poster", &[], vec![]).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&none.body).unwrap()["code"], "not_found");
}

#[tokio::test]
async fn media_api_and_errors() {
    let s = site().await;
    let playlist = get(&s.router, "GET", "/live/demo.m3u8", &[], vec![]).await;
    assert_eq!((playlist.status, playlist.header("cache-control")), (StatusCode::OK, "no-cache"));
    let segment = get(&s.router, "GET", "/media/live/demo/1-00000.ts", &[], vec![]).await;
    assert_eq!(
        (segment.status, segment.header("cache-control")),
        (StatusCode::OK, "public, max-age=31536000, immutable")
    );
    for fmp4 in ["/media/live/demo/1-360p-init.mp4", "/media/live/demo/1-360p-00000.m4s"] {
        let r = get(&s.router, "GET", fmp4, &[], vec![]).await;
        assert_eq!(
            (r.status, r.header("cache-control")),
            (StatusCode::OK, "public, max-age=31536000, immutable"),
            "{fmp4}"
        );
    }
    let poster = get(&s.router, "GET", "/media/poster-demo.svg", &[("accept-encoding", "gzip")], vec![]).await;
    assert_eq!((poster.status, poster.header("content-type")), (StatusCode::OK, "image/svg+xml"));
    assert_eq!(poster.header("cache-control"), "public, max-age=300");

    let api = get(&s.router, "GET", "/api/shows/demo", &[("accept-encoding", "br")], vec![]).await;
    assert_eq!((api.status, api.header("content-encoding")), (StatusCode::OK, "br"));
    assert_eq!(api.header("x-content-type-options"), "nosniff");

    // A body over the limit is refused whole, in the JSON error shape.
    let big = format!(r#"{{"show_id":"demo","pad":"{}"}}"#, "x".repeat(70 * 1024));
    let r = get(&s.router, "POST", "/api/carts", &[("content-type", "application/json")], big.into_bytes()).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["code"], "payload_too_large");
    // The framework's own refusals come in the same shape.
    let r = get(&s.router, "TRACE", "/api/openapi.json", &[], vec![]).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["code"], "method_not_allowed");
    let r = get(
        &s.router,
        "PATCH",
        "/api/shows/demo/variants/1",
        &[("authorization", "Bearer test-creator-token"), ("content-type", "application/json")],
        b"[null, null]".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a struct written as an array is not an object");
    let r = get(
        &s.router,
        "POST",
        "/api/carts",
        &[("content-type", "application/json")],
        br#"{"show_id":"demo","x":1.0}"#.to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = get(&s.router, "GET", "/api/shows/demo/events?since=null", &[], vec![]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["code"], "invalid_query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let config = Config { header_read_timeout: Duration::from_millis(300), ..Config::default() };
    let server = common::live_with(config).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(b"GET /api/shows/demo HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server kept a half-sent request open");
    // Meanwhile a normal client is served.
    let r = common::http(server.addr, "GET", "/api/shows/demo", &[], None).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_a_bounded_number_of_event_streams() {
    let config = Config { max_streams_per_client: 2, heartbeat: Duration::from_millis(100), ..Config::default() };
    let server = common::live_with(config).await;
    let a = common::Sse::connect(server.addr, "/api/shows/demo/events", None).await;
    let _b = common::Sse::connect(server.addr, "/api/shows/demo/events", None).await;
    let r = common::http(server.addr, "GET", "/api/shows/demo/events", &[], None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["code"], "rate_limited");
    assert!(r.headers.contains_key("retry-after"));
    drop(a);
    // The slot comes back once the server notices the stream is gone.
    let mut freed = false;
    for _ in 0..50 {
        if server.state.stream_slots.open_for("127.0.0.1".parse().unwrap()) < 2 {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(freed, "a closed stream's slot was not freed");
    let _c = common::Sse::connect(server.addr, "/api/shows/demo/events", None).await;
}

#[tokio::test]
async fn the_studio_has_its_own_page_that_no_site_may_frame() {
    let s = site().await;
    for path in ["/studio", "/studio/"] {
        let page = get(&s.router, "GET", path, &[], vec![]).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.text().contains("<title>Vetrina Studio</title>"));
        // Its inline loader is moved to a file, like the overlay's (no inline script under the CSP).
        assert!(!page.text().contains("import init"), "{}", page.text());
        let csp = page.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'") && csp.ends_with("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(page.header("cache-control"), "no-cache");
    }
    let js = get(&s.router, "GET", "/studio/vetrina-studio-0123456789abcdef.js", &[], vec![]).await;
    assert_eq!(js.header("cache-control"), "public, max-age=31536000, immutable");
    // The overlay's split module lives in a folder named by its contents: kept for good.
    let sheets = get(&s.router, "GET", "/app-0123456789abcdef/split_sheets.wasm", &[], vec![]).await;
    assert_eq!((sheets.status, sheets.header("content-type")), (StatusCode::OK, "application/wasm"));
    assert_eq!(sheets.header("cache-control"), "public, max-age=31536000, immutable");
}
